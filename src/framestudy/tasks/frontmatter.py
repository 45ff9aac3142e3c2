"""Text files with YAML front matter: the on-disk format of ``tasks/articles/``.

::

    ---
    outlet: global-research
    title: The Key to Peace in Ukraine? The Other Broken NATO Promise.
    date: '2023-10-03'
    ---
    <the article text exactly as scraped, boilerplate included>

The body after the closing ``---`` line is kept byte-for-byte; cleaning happens when tasks
are built, so what the cleaner removed can always be shown against the source.
"""

from __future__ import annotations

from typing import Any

import yaml

from framestudy.errors import UserError, yaml_error

FENCE = "---"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader when present


def _load(block: str):
    """Parse with libyaml (fast); on an error, re-parse with PyYAML, whose marks are closer
    to the mistake (the line of an unclosed bracket, not the end of the block)."""
    try:
        return yaml.load(block, Loader=_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(block)


def has_front_matter(text: str) -> bool:
    """True if ``text`` opens with a ``---`` line."""
    return text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r") == FENCE


def split(text: str, where: str) -> tuple[dict[str, Any], str]:
    """Split ``text`` into (front-matter mapping, body); no front matter gives ``({}, text)``.

    ``where`` names the file in error messages. Raises :class:`UserError` when the front
    matter is not closed, is not valid YAML, or is not a mapping of keys to values.
    """
    text = text.lstrip("\ufeff")
    if not has_front_matter(text):
        return {}, text
    lines = text.split("\n")
    end = next((i for i, line in enumerate(lines) if i and line.rstrip("\r") == FENCE), None)
    if end is None:
        raise UserError(
            f"{where}: front matter opened with '---' on line 1 is never closed; "
            "add a line '---' after the metadata"
        )
    block = "\n".join(lines[1:end])
    try:
        meta = _load(block)
    except yaml.YAMLError as exc:
        raise yaml_error(
            where,
            exc,
            "{where}:{line}: front matter is not valid YAML ({problem}); "
            "write it as 'key: value' lines",
            first_line=2,  # the block starts after the '---' line
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise UserError(
            f"{where}: front matter must be 'key: value' lines, got a {type(meta).__name__}"
        )
    body = "\n".join(lines[end + 1 :])
    return meta, body


def join(meta: dict[str, Any], body: str) -> str:
    """The file text for ``meta`` and ``body`` (inverse of :func:`split`)."""
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
    return f"{FENCE}\n{header}{FENCE}\n{body}"


def with_key_first(text: str, key: str, value: Any, where: str) -> str:
    """``text`` with ``key: value`` added as the first front-matter line; the rest unchanged.

    Used to write an article's id into its file: the other metadata lines (comments and
    formatting included) and the body stay byte-for-byte as they were. A file without front
    matter gets one holding only this line. Raises :class:`UserError` if ``key`` is there.
    """
    meta, _ = split(text, where)
    if key in meta:
        raise UserError(f"{where}: already has {key!r} in its front matter")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text[len(bom) :]
    first, newline, rest = text.partition("\n")
    eol = "\r\n" if first.endswith("\r") else "\n"
    line = yaml.safe_dump({key: value}, allow_unicode=True, width=1000).rstrip("\n") + eol
    if has_front_matter(text):
        return f"{bom}{first}{newline}{line}{rest}"
    return f"{bom}{FENCE}{eol}{line}{FENCE}{eol}{text}"
