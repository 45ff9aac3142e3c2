"""The account of one export-to-table conversion: what went in, what came out, what was set aside.

:class:`PullReport` lists every anomaly met while turning a Label Studio export into the tidy
table, each with the ids needed to find it in Label Studio (:class:`Ref`). Nothing is left out
of the table without a line here: every annotation in the export is either *used* or listed
under exactly one of the annotation-level categories (see :attr:`PullReport.accounted`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from rich.table import Table


@dataclass(frozen=True)
class Ref:
    """Where an anomaly is: the Label Studio ids (any may be None) and what is wrong."""

    project_id: int | None = None
    task_id: int | None = None
    annotation_id: int | None = None
    detail: str = ""

    def __str__(self) -> str:
        parts = []
        if self.project_id is not None:
            parts.append(f"project {self.project_id}")
        if self.task_id is not None:
            parts.append(f"task {self.task_id}")
        if self.annotation_id is not None:
            parts.append(f"annotation {self.annotation_id}")
        where = " ".join(parts) or "?"
        return f"{where}: {self.detail}" if self.detail else where


# category -> (one-line meaning, excluded from the table?) ; the order is the display order.
CATEGORIES: dict[str, tuple[str, str]] = {
    # annotation level: each listed annotation contributes no row (stale_text: rows kept)
    "cancelled": ("skipped/cancelled annotations (kept out, even with results)", "annotation"),
    "deleted_user": (
        "annotations whose user was deleted (completed_by null; kept out)",
        "annotation",
    ),
    "foreign": ("annotations in another coder's project (blind-design breach)", "annotation"),
    "duplicates": (
        "older annotations by the same coder on the same article (latest kept)",
        "annotation",
    ),
    "malformed_annotations": ("annotations with an unreadable structure (kept out)", "annotation"),
    # task level
    "malformed_tasks": ("tasks with an unreadable structure (kept out)", "task"),
    "drafts": ("drafts (unsubmitted work; not in the table)", "task"),
    "predictions": ("model predictions (not coder annotations; not in the table)", "task"),
    "stale_schema": ("tasks made with another schema version (rows kept)", "task"),
    "stale_text": (
        "annotations saved before their task's text was replaced by push --force (rows kept, "
        "stale_text = True; re-check them in Label Studio and Update)",
        "annotation",
    ),
    "no_article_id": ("tasks without data.article_id (article_id = task:<id>)", "task"),
    # result level
    "unknown_variable": ("results whose from_name the schema does not know (kept out)", "result"),
    "unknown_value": ("values the schema does not allow (kept out)", "result"),
    "too_many_values": ("several values for a single-choice variable (kept out)", "result"),
    "misplaced_attribute": ("span attributes on a label they do not apply to (kept out)", "result"),
    "orphan_attribute": ("per-region results whose region has no label (kept out)", "result"),
    "unsupported_type": ("results of a control type framestudy does not read (kept out)", "result"),
    "malformed_results": ("results with an unreadable structure (kept out)", "result"),
    "relations": ("relations between regions (ignored)", "result"),
    "span_mismatch": (
        "spans whose text differs from the article at their offsets (rows kept)",
        "result",
    ),
    "span_unverified": ("spans whose task has no text to check them against (rows kept)", "result"),
    "empty": ("submitted annotations with no result (no rows)", "info"),
}

_ANNOTATION_FATES = ("cancelled", "deleted_user", "foreign", "duplicates", "malformed_annotations")


@dataclass
class PullReport:
    """Counts and ids of everything met while building the tidy table.

    ``tasks``/``annotations`` count what the export held; ``used`` the annotations whose
    results made the table; ``rows`` the table's rows. Each anomaly category is a list of
    :class:`Ref` (see :data:`CATEGORIES` for what each means and whether it is kept out).
    ``foreign`` annotations are counted even when ``include_foreign`` let them in; then
    ``foreign_included`` is True.
    """

    tasks: int = 0
    annotations: int = 0
    used: int = 0
    rows: int = 0
    foreign_included: bool = False
    cancelled: list[Ref] = field(default_factory=list)
    deleted_user: list[Ref] = field(default_factory=list)
    foreign: list[Ref] = field(default_factory=list)
    duplicates: list[Ref] = field(default_factory=list)
    malformed_annotations: list[Ref] = field(default_factory=list)
    malformed_tasks: list[Ref] = field(default_factory=list)
    drafts: list[Ref] = field(default_factory=list)
    predictions: list[Ref] = field(default_factory=list)
    stale_schema: list[Ref] = field(default_factory=list)
    stale_text: list[Ref] = field(default_factory=list)
    no_article_id: list[Ref] = field(default_factory=list)
    unknown_variable: list[Ref] = field(default_factory=list)
    unknown_value: list[Ref] = field(default_factory=list)
    too_many_values: list[Ref] = field(default_factory=list)
    misplaced_attribute: list[Ref] = field(default_factory=list)
    orphan_attribute: list[Ref] = field(default_factory=list)
    unsupported_type: list[Ref] = field(default_factory=list)
    malformed_results: list[Ref] = field(default_factory=list)
    relations: list[Ref] = field(default_factory=list)
    span_mismatch: list[Ref] = field(default_factory=list)
    span_unverified: list[Ref] = field(default_factory=list)
    empty: list[Ref] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Number of entries per anomaly category (all categories, zeros included)."""
        return {name: len(getattr(self, name)) for name in CATEGORIES}

    @property
    def problems(self) -> int:
        """Total number of anomalies, not counting the informational ``empty`` category."""
        return sum(n for name, n in self.counts().items() if CATEGORIES[name][1] != "info")

    @property
    def accounted(self) -> bool:
        """True when every annotation of the export is used or listed in one fate category.

        Foreign annotations let in by ``include_foreign`` are both used and listed, so they
        are counted once.
        """
        fates = sum(len(getattr(self, name)) for name in _ANNOTATION_FATES)
        if self.foreign_included:
            fates -= len(self.foreign)
        return self.used + fates == self.annotations

    def summary(self) -> str:
        """One line: sizes, then each non-empty category with its count."""
        head = (
            f"{self.tasks} tasks, {self.annotations} annotations -> "
            f"{self.used} used, {self.rows} rows"
        )
        parts = [f"{n} {name.replace('_', ' ')}" for name, n in self.counts().items() if n]
        return head + ("; " + ", ".join(parts) if parts else "; no anomalies")

    def table(self, max_ids: int = 5) -> Table:
        """A rich table: one line per non-empty category, with the first ``max_ids`` places."""
        table = Table(title="Label Studio export -> tidy table", show_lines=False)
        table.add_column("category")
        table.add_column("n", justify="right")
        table.add_column("meaning")
        table.add_column("where (first ones)", overflow="fold")
        table.add_row("tasks", str(self.tasks), "tasks in the export(s)", "")
        table.add_row("annotations", str(self.annotations), "annotation objects", "")
        table.add_row("used", str(self.used), "annotations whose results are in the table", "")
        table.add_row("rows", str(self.rows), "rows of the tidy table", "")
        for name, (meaning, _level) in CATEGORIES.items():
            refs = getattr(self, name)
            if not refs:
                continue
            shown = "; ".join(str(r) for r in refs[:max_ids])
            if len(refs) > max_ids:
                shown += f"; ... {len(refs) - max_ids} more"
            if name == "foreign" and self.foreign_included:
                meaning = meaning + " -- INCLUDED by request"
            table.add_row(name.replace("_", " "), str(len(refs)), meaning, shown)
        return table

    def __rich__(self) -> Table:
        return self.table()

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for a JSON manifest): sizes, then each category as a list of dicts."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):
                out[f.name] = [
                    {
                        "project_id": r.project_id,
                        "task_id": r.task_id,
                        "annotation_id": r.annotation_id,
                        "detail": r.detail,
                    }
                    for r in value
                ]
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PullReport:
        """The report :meth:`to_dict` gave (e.g. recorded by the last pull)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if isinstance(value, list):
                value = [Ref(**r) for r in value]
            values[f.name] = value
        return cls(**values)
