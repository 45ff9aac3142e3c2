"""Where a study's files live.

A study is a folder whose top-level folders are the pipeline's stages::

    schemas/      framing.yaml (the source) -> framing.xml, codebook.md/.html, registry.json
    tasks/        articles/, outlets.yaml -> tasks.json, assignment.csv
    annotations/  raw/ (exports, never overwritten) -> annotations.csv
    analysis/     agreement.csv, report
    study.yaml    study settings (coders, design); no secrets
    .labelstudio/ the local Label Studio server's data and credentials (git-ignored)

:class:`Study` only knows paths; each stage's module reads and writes its own files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SCHEMA_SOURCE = Path("schemas") / "framing.yaml"


@dataclass(frozen=True)
class Study:
    root: Path

    @classmethod
    def find(cls, start: str | Path | None = None) -> Study:
        """The study containing ``start`` (default: the working directory).

        Walks up until a folder with ``schemas/framing.yaml`` is found; if none is,
        ``start`` itself is the study root (commands then report what is missing).
        """
        here = Path(start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / SCHEMA_SOURCE).is_file():
                return cls(folder)
        return cls(here)

    # schemas/
    @property
    def schemas_dir(self) -> Path:
        return self.root / "schemas"

    @property
    def schema_source(self) -> Path:
        return self.root / SCHEMA_SOURCE

    @property
    def labeling_config(self) -> Path:
        return self.schemas_dir / "framing.xml"

    @property
    def codebook_md(self) -> Path:
        return self.schemas_dir / "codebook.md"

    @property
    def codebook_html(self) -> Path:
        return self.schemas_dir / "codebook.html"

    @property
    def registry(self) -> Path:
        return self.schemas_dir / "registry.json"

    # tasks/
    @property
    def tasks_dir(self) -> Path:
        return self.root / "tasks"

    @property
    def articles_dir(self) -> Path:
        return self.tasks_dir / "articles"

    @property
    def outlets(self) -> Path:
        return self.tasks_dir / "outlets.yaml"

    @property
    def tasks_json(self) -> Path:
        return self.tasks_dir / "tasks.json"

    @property
    def assignment(self) -> Path:
        return self.tasks_dir / "assignment.csv"

    # annotations/
    @property
    def annotations_dir(self) -> Path:
        return self.root / "annotations"

    @property
    def raw_exports_dir(self) -> Path:
        return self.annotations_dir / "raw"

    @property
    def annotations_csv(self) -> Path:
        return self.annotations_dir / "annotations.csv"

    @property
    def adjudicated_csv(self) -> Path:
        return self.annotations_dir / "adjudicated.csv"

    # analysis/
    @property
    def analysis_dir(self) -> Path:
        return self.root / "analysis"

    # settings and local server
    @property
    def settings(self) -> Path:
        return self.root / "study.yaml"

    @property
    def labelstudio_dir(self) -> Path:
        return self.root / ".labelstudio"
