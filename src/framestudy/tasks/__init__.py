"""The corpus as Label Studio tasks: articles + outlet metadata -> cleaned tasks.

A study keeps its articles in ``tasks/articles/`` (one ``.txt`` with YAML front matter per
article, text as scraped) and its outlets in ``tasks/outlets.yaml``. Modules, one job each:

- :mod:`.models`       what article metadata and outlet entries may contain
- :mod:`.frontmatter`  ``.txt`` files with YAML front matter
- :mod:`.outlets`      the outlet registry
- :mod:`.sources`      readers for input files: .txt, .html, .csv, .jsonl
- :mod:`.rules`        the named boilerplate rules (data)
- :mod:`.clean`        applying the rules; keeps body sentences byte-for-byte
- :mod:`.identity`     ``article_id`` (stable) vs ``text_version`` (text hash); word count
- :mod:`.articles`     checking articles; one error listing every faulty input; duplicates
- :mod:`.store`        reading ``tasks/articles/`` and adding to it
- :mod:`.build`        writing ``tasks/tasks.json``
- :mod:`.tasks_file`   what ``tasks/tasks.json`` holds (a pydantic model) and its one reader

Notebook use::

    from framestudy.study import Study
    from framestudy.tasks import add_articles, build_tasks

    study = Study.find()
    add_articles(study, ["new_articles.csv"])
    result = build_tasks(study)
"""

from framestudy.tasks.build import BuildResult, build_tasks
from framestudy.tasks.clean import Cleaned, Removal, clean
from framestudy.tasks.identity import article_id, word_count
from framestudy.tasks.outlets import OutletRegistry, load_outlets
from framestudy.tasks.store import AddResult, add_articles, load_articles
from framestudy.tasks.tasks_file import read_tasks

__all__ = [
    "AddResult",
    "BuildResult",
    "Cleaned",
    "OutletRegistry",
    "Removal",
    "add_articles",
    "article_id",
    "build_tasks",
    "clean",
    "load_articles",
    "load_outlets",
    "read_tasks",
    "word_count",
]
