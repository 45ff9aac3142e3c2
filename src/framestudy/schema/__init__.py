"""The framing schema, written once as YAML, and everything generated from it.

- :mod:`.model`          reads and validates ``schemas/framing.yaml`` (-> :class:`Schema`),
                         computes its content hash and its analysis registry;
- :mod:`.registry_file`  what ``schemas/registry.json`` holds (a pydantic model) and its
                         one reader, used by the analysis stage;
- :mod:`.label_config`   turns it into the Label Studio labeling config (XML);
- :mod:`.codebook`       turns it into the annotators' codebook (Markdown and HTML);
- :mod:`.build`          writes the generated files and checks that they are up to date.
"""

from framestudy.lazy import lazy_exports

# The public names, imported from their modules on first use: a reader of
# ``registry.json`` (:mod:`.registry_file`) loads neither pandas nor the codebook's Markdown.
__getattr__, __dir__ = lazy_exports(__name__, {
    "Schema": "model",
    "build_schema": "build",
    "codebook_html": "codebook",
    "codebook_markdown": "codebook",
    "labeling_config": "label_config",
    "load_schema": "model",
    "parse_schema": "model",
    "read_registry": "registry_file",
    "stale_outputs": "build",
})

__all__ = [
    "Schema",
    "build_schema",
    "codebook_html",
    "codebook_markdown",
    "labeling_config",
    "load_schema",
    "parse_schema",
    "read_registry",
    "stale_outputs",
]
