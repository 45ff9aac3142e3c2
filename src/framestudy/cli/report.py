"""``framestudy report``: the study's results as one self-contained HTML page and Markdown."""

from __future__ import annotations

from framestudy.cli._common import console, shown_path, study

HTML = "report.html"
MARKDOWN = "report.md"
FIGURES = "figures"


def report() -> None:
    """The report: study, agreement, outlet differences, figures, methods and provenance.

    Reads what `framestudy agreement` and `framestudy outlets` wrote under analysis/ (run
    them first; results whose inputs changed since are refused) and writes
    analysis/report.html (one file: figures embedded, nothing fetched when it is opened),
    analysis/report.md and its figures under analysis/figures/ (docs/report.md).

    Example: framestudy report
    Example: framestudy --study build/demo-study report
    """
    from framestudy.io import atomic_write_bytes, atomic_write_text
    from framestudy.report.content import report_document
    from framestudy.report.html import to_html
    from framestudy.report.inputs import read_inputs
    from framestudy.report.markdown import to_markdown
    from framestudy.report.provenance import environment

    paths = study()
    with console.status("reading the analysis results..."):
        inputs = read_inputs(paths)
    with console.status("drawing the figures..."):
        document = report_document(inputs, environment())
    folder = paths.analysis_dir
    for figure in document.figures():
        atomic_write_bytes(folder / FIGURES / figure.name, figure.png)
    atomic_write_text(folder / MARKDOWN, to_markdown(document, FIGURES))
    page = atomic_write_text(folder / HTML, to_html(document))
    console.print(
        f"wrote {shown_path(page)} (self-contained), {shown_path(folder / MARKDOWN)} and "
        f"{len(document.figures())} figure(s) in {shown_path(folder / FIGURES)}",
        soft_wrap=True,
    )


def register(app) -> None:
    """Add the ``report`` command to the root app."""
    app.command("report")(report)
