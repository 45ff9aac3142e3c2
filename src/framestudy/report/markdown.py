"""The report as Markdown (GitHub-flavoured tables), its figures linked as PNG files under
``figures/`` beside it: for a repository, a preprint's supplement or a diff between runs."""

from __future__ import annotations

from framestudy.report.document import Definitions, Document, Figure, Paragraph, Table


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(block: Table) -> str:
    frame = block.frame
    lines = [f"**{block.caption}**", ""]
    lines.append("| " + " | ".join(_cell(c) for c in frame.columns) + " |")
    lines.append("|" + "|".join("---" for _ in frame.columns) + "|")
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |"
              for row in frame.itertuples(index=False)]
    if block.note:
        lines += ["", f"*{block.note}*"]
    return "\n".join(lines)


def _block(block, figure_dir: str) -> str:
    if isinstance(block, Paragraph):
        return f"> **Note.** {block.text}" if block.kind != "text" else block.text
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return f"![{block.alt}]({figure_dir}/{block.name})\n\n*{block.caption}*"
    if isinstance(block, Definitions):
        return "\n".join(f"- **{k}**: `{v}`" if v else f"- **{k}**" for k, v in block.items)
    raise TypeError(f"not a report block: {type(block).__name__}")


def to_markdown(document: Document, figure_dir: str = "figures") -> str:
    """The Markdown text; figures are referenced as ``{figure_dir}/{name}``."""
    parts = [f"# {document.title}", "", f"*{document.subtitle}*", ""]
    for section in document.sections:
        parts += [f"## {section.title}", ""]
        for block in section.blocks:
            parts += [_block(block, figure_dir), ""]
    return "\n".join(parts).rstrip() + "\n"
