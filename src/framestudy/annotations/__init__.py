"""Label Studio exports -> the tidy annotation table (docs/CONTRACTS.md).

Library interface (the ``pull`` command and ``framestudy annotations import`` call these)::

    from framestudy.annotations import read_export, tidy_from_export, write_tidy, read_tidy

    tasks = read_export("annotations/raw/project-3.json")    # list[dict]; UserError if not an export
    table, report = tidy_from_export(
        tasks,                      # one or several exports' tasks, concatenated
        schema=schema,              # framestudy.schema.Schema (uses .hash, .registry()) or None
        users={2: "a@uni.edu"},     # Label Studio user id -> e-mail; unknown ids -> "user:<id>"
        project_coder={3: "a@uni.edu"},  # blind design: project id -> the coder who owns it
        include_foreign=False,      # keep annotations made in another coder's project?
    )
    print(report.summary()); console.print(report.table())
    write_tidy(table, "annotations/annotations.csv")          # atomic; byte-identical on re-run
    table = read_tidy("annotations/annotations.csv")          # dtypes restored; "NA" stays "NA"

- :func:`tidy_from_export` is pure (no I/O) and never raises on a fault inside the export;
  each fault is counted with its ids in the returned :class:`PullReport`.
- Call it once with all projects' tasks: duplicates (one coder, one article, several
  annotations; the latest ``updated_at`` wins) and foreign annotations are judged across
  projects.
- Kept out of the table, and listed in the report: skipped/cancelled annotations, drafts,
  annotations of deleted users (``completed_by`` null), foreign annotations (unless
  ``include_foreign``), older duplicates, values the schema does not allow.
- Read the table with :func:`read_tidy`, not a bare ``pandas.read_csv``: the latter turns
  value ids such as ``NA`` into missing values. Every text field is quoted in the CSV.

Modules: :mod:`.export` (reading export files), :mod:`.raw` (the store ``annotations/raw/``:
export file names and ``manifest.json``), :mod:`.tidy` (the conversion), :mod:`.spans` (which
characters a span's offsets mean), :mod:`.report` (the anomaly report), :mod:`.table` (CSV read/write),
:mod:`.sheets` (coding sheets -> an export; docs/sheets.md).
"""

from framestudy.annotations.export import read_export, read_users
from framestudy.annotations.report import CATEGORIES, PullReport, Ref
from framestudy.annotations.table import read_tidy, write_tidy
from framestudy.annotations.tidy import COLUMNS, empty_table, tidy_from_export

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "PullReport",
    "Ref",
    "empty_table",
    "read_export",
    "read_tidy",
    "read_users",
    "tidy_from_export",
    "write_tidy",
]
