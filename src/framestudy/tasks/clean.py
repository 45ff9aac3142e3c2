"""Boilerplate removal: scraped page text -> the article as coders should read it.

The text is read line by line (a scraped line is a paragraph). For each line:

1. the inline rules rewrite residue inside it (``[said](#)`` -> ``said``);
2. the line is dropped if the article's ``drop_lines`` list it, if it repeats the headline,
   is the outlet's name, is the author's bio, or if a line rule matches it
   (:mod:`framestudy.tasks.rules`);
3. otherwise it is kept exactly as it is (surrounding white space aside).

Kept lines are joined with one blank line between paragraphs. Nothing else is changed:
quotes, dashes, non-breaking spaces and spelling mistakes of the source stay as they are, so
every sentence of the article body survives byte-for-byte. Every removal is recorded with
its rule (:class:`Removal`) for ``framestudy tasks build --show-removed``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from framestudy.tasks import rules
from framestudy.tasks.models import UNKNOWN, DropLine


@dataclass(frozen=True)
class Removal:
    """One thing the cleaner removed.

    ``kind`` is ``"line"`` (the whole line ``text`` was dropped) or ``"inline"`` (``text``
    inside the line was replaced by ``replacement``). ``line`` is the line number in the
    file the text came from.
    """

    line: int
    rule: str
    text: str
    kind: str = "line"
    replacement: str = ""


@dataclass(frozen=True)
class Cleaned:
    """The cleaned article: its paragraphs, the text, and what was removed."""

    paragraphs: tuple[str, ...]
    removals: tuple[Removal, ...]
    unused_drop_lines: tuple[DropLine, ...] = field(default=())

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def removed_lines(self) -> list[Removal]:
        return [r for r in self.removals if r.kind == "line"]


def _known(value: str | None) -> str | None:
    return value if value and value != UNKNOWN else None


def _apply_inline(line: str, number: int) -> tuple[str, list[Removal]]:
    found: list[Removal] = []
    for rule in rules.INLINE_RULES:

        def record(match: re.Match[str], rule: rules.InlineRule = rule) -> str:
            replacement = match.expand(rule.replacement)
            found.append(Removal(number, rule.name, match.group(0), "inline", replacement))
            return replacement

        line = rule.pattern.sub(record, line)
    return line.strip(), found


def clean(
    text: str,
    *,
    title: str | None = None,
    author: str | None = None,
    site_names: Iterable[str] = (),
    drop_lines: Sequence[DropLine] = (),
    first_line: int = 1,
) -> Cleaned:
    """Remove boilerplate from ``text`` (see the module docstring).

    ``title``, ``author`` and ``site_names`` (the outlet's name and domains) let the context
    rules recognise repeated headlines, the author's bio and the site's name; ``"unknown"``
    or ``None`` switches a context rule off. ``drop_lines`` are removed wherever they occur
    (compared after stripping white space); entries that match nothing are returned in
    :attr:`Cleaned.unused_drop_lines`. ``first_line`` is the file line number of the first
    line of ``text`` (front matter shifts it).
    """
    title = _known(title)
    author = _known(author)
    sites = {s.strip().casefold() for s in site_names if s and s.strip()}
    drops = {d.line.strip(): d for d in drop_lines}
    used_drops: set[str] = set()
    bio = re.compile(rf"^{re.escape(author)},? (?:is|was) (?:a|an|the)\b") if author else None

    paragraphs: list[str] = []
    removals: list[Removal] = []
    title_seen = False
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for offset, raw in enumerate(lines):
        number = first_line + offset
        stripped = raw.strip()
        if not stripped:
            continue
        line, inline = _apply_inline(stripped, number)

        rule: str | None = None
        if stripped in drops or line in drops:
            drop = drops[stripped] if stripped in drops else drops[line]
            used_drops.add(drop.line.strip())
            rule = f"{rules.DROP_LINES.name}: {drop.reason}"
        elif title and line == title.strip():
            if title_seen:
                rule = rules.REPEATED_HEADLINE.name
            title_seen = True
        elif line.casefold() in sites:
            rule = rules.SITE_NAME.name
        elif bio and bio.match(line):
            rule = rules.AUTHOR_BIO.name
        elif not line:
            rule = inline[-1].rule  # nothing left once the residue was removed
        else:
            rule = rules.first_line_rule(line, stripped)

        if rule is None:
            paragraphs.append(line)
            removals.extend(inline)
        else:
            removals.append(Removal(number, rule, stripped))

    unused = tuple(d for key, d in drops.items() if key not in used_drops)
    return Cleaned(tuple(paragraphs), tuple(removals), unused)
