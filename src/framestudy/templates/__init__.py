"""Files ``framestudy init`` starts a study from, shipped inside the package.

``framing.yaml`` is a byte-identical copy of the repository's ``schemas/framing.yaml`` (the
bundled study's schema, and the one place the coding scheme is edited): a pip-installed
framestudy has no repository to read it from, so ``init`` and ``simulate`` outside a study
use this copy. ``tests/test_init.py`` fails when the two differ and names the ``cp`` that
brings the copy up to date. The other files are the new study's templates; ``{{name}}``
stands for the study's name.
"""

from __future__ import annotations

from importlib import resources

#: the template files, by the path they get in a new study
STUDY_FILES = {
    "schemas/framing.yaml": "framing.yaml",
    "tasks/outlets.yaml": "outlets.yaml",
    "study.yaml": "study.yaml",
    "README.md": "README.md",
    ".gitignore": "gitignore",
}


def read(name: str) -> str:
    """The text of the template file ``name`` (e.g. ``framing.yaml``)."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def bundled_schema():
    """A context manager giving the bundled framing schema as a file path (``with
    bundled_schema() as path: ...``; a real file even if the package is zipped)."""
    return resources.as_file(resources.files(__name__).joinpath("framing.yaml"))
