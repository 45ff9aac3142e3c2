"""Write the files generated from the schema, or report which ones are stale."""

from __future__ import annotations

import json
from pathlib import Path

from framestudy.io import atomic_write_text
from framestudy.schema.codebook import codebook_html, codebook_markdown
from framestudy.schema.label_config import labeling_config
from framestudy.schema.model import Schema, load_schema
from framestudy.schema.registry_file import check_registry
from framestudy.study import Study


def generated_files(schema: Schema, study: Study) -> dict[Path, str]:
    """Every generated file of the study and the content it should have."""
    records = schema.registry_records()
    check_registry(records, study.registry)  # what is written is what the analysis accepts
    registry = json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    return {
        study.labeling_config: labeling_config(schema),
        study.codebook_md: codebook_markdown(schema),
        study.codebook_html: codebook_html(schema),
        study.registry: registry,
    }


def stale_outputs(study: Study) -> list[Path]:
    """Generated files that are missing or differ from what the schema gives."""
    schema = load_schema(study.schema_source)
    return [
        path
        for path, content in generated_files(schema, study).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != content
    ]


def build_schema(study: Study) -> tuple[Schema, list[Path]]:
    """Validate the schema and (re)write the generated files that changed.

    Returns the schema and the files written; unchanged files are not touched.
    """
    schema = load_schema(study.schema_source)
    written = []
    for path, content in generated_files(schema, study).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            atomic_write_text(path, content)
            written.append(path)
    return schema, written
