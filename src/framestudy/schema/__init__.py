"""The framing schema, written once as YAML, and everything generated from it.

- :mod:`.model`         reads and validates ``schemas/framing.yaml`` (-> :class:`Schema`),
                        computes its content hash and its analysis registry;
- :mod:`.label_config`  turns it into the Label Studio labeling config (XML);
- :mod:`.codebook`      turns it into the annotators' codebook (Markdown and HTML);
- :mod:`.build`         writes the generated files and checks that they are up to date.
"""

from framestudy.schema.build import build_schema, stale_outputs
from framestudy.schema.codebook import codebook_html, codebook_markdown
from framestudy.schema.label_config import labeling_config
from framestudy.schema.model import Schema, load_schema, parse_schema

__all__ = [
    "Schema",
    "build_schema",
    "codebook_html",
    "codebook_markdown",
    "labeling_config",
    "load_schema",
    "parse_schema",
    "stale_outputs",
]
