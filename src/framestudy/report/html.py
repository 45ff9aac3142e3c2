"""The report as one self-contained HTML page: styles inline, figures embedded as PNG data
URIs, no script and no reference to anything outside the file (a reviewer can open it
offline, and opening it makes no request)."""

from __future__ import annotations

import base64
from html import escape

from framestudy.report.document import Definitions, Document, Figure, Paragraph, Section, Table

STYLE = """
:root { color-scheme: light; }
body { font: 15px/1.5 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a;
       max-width: 980px; margin: 2em auto; padding: 0 1.2em; }
h1 { font-size: 1.6em; margin-bottom: .1em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #bbb; padding-bottom: .2em; margin-top: 2em; }
p.subtitle { color: #444; margin-top: 0; }
nav ol { columns: 2; padding-left: 1.4em; }
p.note { color: #333; background: #f3f3f3; border-left: 4px solid #888; padding: .4em .8em; }
p.warning { background: #fff3cd; border-left: 4px solid #8a6d00; padding: .4em .8em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
caption { text-align: left; font-weight: bold; padding-bottom: .3em; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left;
         vertical-align: top; }
th { border-bottom: 2px solid #555; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.short { white-space: nowrap; }
tr.muted td { color: #767676; }
p.tablenote { font-size: .85em; color: #444; margin-top: -.4em; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .9em; color: #333; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; font-size: .9em; }
dt { font-weight: bold; }
dd { margin: 0; overflow-wrap: anywhere; font-family: "DejaVu Sans Mono", monospace; }
@media print { nav { display: none; } h2 { break-after: avoid; } figure { break-inside: avoid; } }
"""


def _is_number(text: str) -> bool:
    text = text.strip().replace("−", "-").lstrip("<>≤≥ ")
    if not text:
        return False
    try:
        float(text.split(" ")[0].rstrip("%"))
    except ValueError:
        return False
    return True


def _cell(text: str) -> str:
    """A cell: numbers right-aligned, short words (ids, decisions) kept on one line."""
    if _is_number(text):
        return f"<td class=\"num\">{escape(text)}</td>"
    if len(text) <= 20 and " " not in text:
        return f"<td class=\"short\">{escape(text)}</td>"
    return f"<td>{escape(text)}</td>"


def _table(block: Table) -> str:
    frame = block.frame
    head = "".join(f"<th scope=\"col\">{escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for position, values in enumerate(frame.itertuples(index=False)):
        cells = "".join(_cell(str(v)) for v in values)
        muted = " class=\"muted\"" if position in block.muted else ""
        rows.append(f"<tr{muted}>{cells}</tr>")
    note = f"<p class=\"tablenote\">{escape(block.note)}</p>" if block.note else ""
    return (
        f"<table><caption>{escape(block.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{note}"
    )


def _figure(block: Figure) -> str:
    data = base64.b64encode(block.png).decode("ascii")
    return (
        f"<figure id=\"fig-{escape(block.name.rsplit('.', 1)[0])}\">"
        f"<img src=\"data:image/png;base64,{data}\" alt=\"{escape(block.alt)}\">"
        f"<figcaption>{escape(block.caption)}</figcaption></figure>"
    )


def _definitions(block: Definitions) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in block.items)
    return f"<dl>{items}</dl>"


def _block(block) -> str:
    if isinstance(block, Paragraph):
        kind = "" if block.kind == "text" else f" class=\"{block.kind}\""
        return f"<p{kind}>{escape(block.text)}</p>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return _figure(block)
    if isinstance(block, Definitions):
        return _definitions(block)
    raise TypeError(f"not a report block: {type(block).__name__}")


def _section(section: Section) -> str:
    body = "\n".join(_block(b) for b in section.blocks)
    return f"<section id=\"{escape(section.anchor)}\"><h2>{escape(section.title)}</h2>\n{body}</section>"


def to_html(document: Document) -> str:
    """The page: title, a table of contents, then each section."""
    toc = "".join(
        f"<li><a href=\"#{escape(s.anchor)}\">{escape(s.title)}</a></li>" for s in document.sections
    )
    sections = "\n".join(_section(s) for s in document.sections)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        # nothing may be fetched: no script, no remote style, image or font
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{escape(document.title)}</title><style>{STYLE}</style></head>\n<body>"
        f"<h1>{escape(document.title)}</h1><p class=\"subtitle\">{escape(document.subtitle)}</p>"
        f"<nav aria-label=\"Contents\"><ol>{toc}</ol></nav>\n{sections}\n</body></html>\n"
    )
