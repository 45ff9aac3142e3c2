"""The boilerplate rules: which lines of a scraped page are not part of the article.

Each rule has a name (shown by ``framestudy tasks build --show-removed``), a sentence saying
why such lines are not article text, and the patterns it matches. Patterns are Python regular
expressions, matched case-insensitively unless the rule says otherwise.

* :data:`INLINE_RULES` rewrite residue *inside* a line (``[Ted Snider](#)`` ->
  ``Ted Snider``); the rest of the line is kept byte-for-byte.
* :data:`LINE_RULES` remove a whole line (paragraph) when any pattern matches it. A line is
  matched after the inline rules ran, unless the rule says ``raw=True``.
* :data:`CONTEXT_RULES` need the article's metadata (its title, author, outlet), so their
  logic lives in :mod:`framestudy.tasks.clean`; they are named here so every rule is listed
  in one place. Lines a rule cannot recognise go into the article's front matter as
  ``drop_lines`` (line + reason).

Rules must never match a sentence of an article body: anchor patterns to the start/end of
the line or to phrases only sites use. The tests pin, for each corpus article, the lines a
rule must remove and body sentences it must keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_NAME = r"[A-Z][\w.&'’ -]{0,40}"


@dataclass(frozen=True)
class InlineRule:
    """Residue inside a line: every match of ``pattern`` is replaced by ``replacement``."""

    name: str
    why: str
    pattern: re.Pattern[str]
    replacement: str


@dataclass(frozen=True)
class LineRule:
    """A whole line is removed when one of ``patterns`` matches it (``re.search``)."""

    name: str
    why: str
    patterns: tuple[re.Pattern[str], ...]
    raw: bool = False  # match the line as scraped, before the inline rules

    def matches(self, line: str, raw_line: str) -> bool:
        target = raw_line if self.raw else line
        return any(p.search(target) for p in self.patterns)


@dataclass(frozen=True)
class ContextRule:
    """A rule that needs the article's metadata; implemented in ``clean.py``."""

    name: str
    why: str
    uses: tuple[str, ...] = field(default=())


def _line(name: str, why: str, *patterns: str, raw: bool = False, case: bool = False) -> LineRule:
    flags = 0 if case else re.IGNORECASE
    return LineRule(name, why, tuple(re.compile(p, flags) for p in patterns), raw)


INLINE_RULES: tuple[InlineRule, ...] = (
    InlineRule(
        "link residue",
        "Markdown links left by the scraper; the link text is article text, the target is not.",
        re.compile(r"\[([^\[\]\n]+)\]\([^()\s]*\)"),
        r"\1",
    ),
    InlineRule(
        "emphasis residue",
        "Markdown bold markers around names; the words are kept, the asterisks are not.",
        re.compile(r"\*\*([^*\n]+)\*\*"),
        r"\1",
    ),
    InlineRule(
        "scraped date field",
        "A page's date field glued to the first paragraph ('date 2021-12-12 For several...').",
        re.compile(r"^(?:date|published|posted(?: on)?)\s*:?\s*\d{4}-\d{2}-\d{2}\s+(?=\S)", re.I),
        "",
    ),
)

LINE_RULES: tuple[LineRule, ...] = (
    _line(
        "link-only line",
        "A line that is nothing but links is a button or a menu item.",
        r"^(?:\[[^\]]*\]\([^)]*\)[\s|·•]*)+$",
        raw=True,
    ),
    _line(
        "separator",
        "Decoration between the article and the page footer.",
        r"^[*\-–—_=·•~#]+$",
    ),
    _line(
        "breadcrumb",
        "Site navigation path ('Homepage War Putin throws wrench...').",
        r"^Home(?:page)?\s*[»>/|›]",
        r"^Homepage\b.{0,200}(?:\.\.\.|…)$",
    ),
    _line(
        "byline",
        "The author line; the author is kept in the metadata.",
        r"^(?:By|Written by|Articles by:|Author:)\s+(?:[A-Z][\w.'’-]*(?:,| and| &)?\s*){1,8}$",
        case=True,
    ),
    _line(
        "dateline",
        "Site name and publication date; the date is kept in the metadata.",
        rf"^{_NAME}, {_MONTH} \d{{1,2}}, \d{{4}}$",
        rf"^{_NAME},? \d{{1,2}} {_MONTH} \d{{4}}$",
        rf"^{_MONTH} \d{{1,2}}, \d{{4}}$",
        rf"^\d{{1,2}} {_MONTH} \d{{4}}$",
        r"^\d{4}-\d{2}-\d{2}$",
        case=True,
    ),
    _line(
        "site taxonomy",
        "The site's region/theme/tag labels, not article text.",
        r"^(?:regions?|themes?|tags?|topics?|categor(?:y|ies)|in-depth report|filed under)\s*:\s*\S",
    ),
    _line(
        "translation widget",
        "A notice about the site's machine-translation button.",
        r"\bcan be read in \d+ languages\b",
        r"\btranslate (?:this )?website\b",
    ),
    _line(
        "newsletter plea",
        "An invitation to subscribe to the site's newsletter.",
        r"\bnewsletter\b.*\b(?:click here|sign up|subscribe)\b",
        r"^(?:sign up|subscribe)\b.{0,80}\b(?:newsletter|updates|mailing list)\b",
    ),
    _line(
        "share plea",
        "An invitation to share the article or follow the site on social media.",
        r"\b(?:click|tap|use) the share button\b",
        r"\bfollow us on\b",
        r"\bshare (?:widely|this (?:article|story|post))\b",
        r"^comment on .{0,80} on our facebook page$",
    ),
    _line(
        "donation plea",
        "A request for money or membership.",
        r"(?:^|[.!?]\s+)become a (?:patron|member|supporter|subscriber)\b",
        r"\bjoin our community\b",
        r"\bmake a donation\b",
        r"\bdonate (?:now|today)\b",
        r"\bcost of (?:one|a) cup of coffee\b",
    ),
    _line(
        "advertising",
        "Advertising labels and ad-blocker requests.",
        r"^(?:ads?|advertisement|sponsored(?: content)?)(?: by\b.*)?$",
        r"\bad ?blocker\b",
    ),
    _line(
        "also-read fragment",
        "Links to other articles of the site ('Also read', 'Others are reading now').",
        r"^[–—-]?\s*(?:also read|read also|read more|see also|related(?: articles| posts| stories| news)?"
        r"|more on this(?: topic)?|others are reading now|you may also like|recommended(?: for you)?"
        r"|most read|trending now)\s*(?::.*)?$",
    ),
    _line(
        "navigation",
        "Page navigation and tool buttons.",
        r"^(?:back to top(?: button)?|skip to (?:main )?content|next article|previous article"
        r"|print(?: this)?|share this|tweet|menu|search)$",
    ),
    _line(
        "copyright notice",
        "Copyright and fair-use notices of the site.",
        r"^(?:copyright\b|©|\(c\) \d{4})",
        r"\ball rights reserved\b",
        r"\bcontains copyrighted material\b",
    ),
    _line(
        "disclaimer",
        "The site's legal disclaimer.",
        r"^disclaimer\s*:",
    ),
    _line(
        "cookie or privacy notice",
        "Cookie banners and privacy-policy links.",
        r"^(?:privacy|cookie)(?: and cookie| & cookie)? polic(?:y|ies)\.?$",
        r"\bwe use cookies\b",
        r"\bby continuing to (?:use|browse) this (?:site|website)\b",
    ),
    _line(
        "reprint notice",
        "Conditions for quoting or republishing the site's material.",
        r"^when referencing our materials\b",
        r"\bwritten permission must be (?:acquired|obtained)\b",
        r"\bgrants permission to cross-post\b",
    ),
    _line(
        "funding notice",
        "Who funds the site.",
        r"^the work of .{1,80} is (?:supported|funded) by\b",
    ),
    _line(
        "corrections or contact notice",
        "How to contact the site or report an error.",
        r"^to suggest a correction\b",
        r"\bpress ctrl ?\+ ?enter\b",
        r"^please leave your suggestions or corrections\b",
        r"^for (?:media|press) inquiries\b",
    ),
    _line(
        "syndication notice",
        "Where a republished article first appeared; kept in the metadata as original_source.",
        r"^the original source of this article is\b",
    ),
    _line(
        "image credit",
        "Who took or owns the picture above the article.",
        r"^(?:featured image|image|photo|photograph|picture|illustration|cover image)"
        r"(?: credit)?(?: is)?\s*(?:from|by|via|:)\s*\S",
        r"^(?:shutterstock|getty images|istock|depositphotos|ap photo|afp|reuters)(?:\s*[/|].*)?$",
    ),
)

REPEATED_HEADLINE = ContextRule(
    "repeated headline",
    "The headline printed a second time (e.g. above and below the picture); the first is kept.",
    ("title",),
)
SITE_NAME = ContextRule(
    "site name",
    "The outlet's name on a line of its own (logo or footer text).",
    ("outlet name", "outlet domains"),
)
AUTHOR_BIO = ContextRule(
    "author bio",
    "The note about the author at the end ('Ted Snider is a regular columnist...').",
    ("author",),
)
DROP_LINES = ContextRule(
    "drop_lines",
    "Lines listed by a researcher in the article's front matter, with the reason given there.",
    ("drop_lines",),
)

CONTEXT_RULES: tuple[ContextRule, ...] = (DROP_LINES, REPEATED_HEADLINE, SITE_NAME, AUTHOR_BIO)


def first_line_rule(line: str, raw_line: str) -> str | None:
    """The name of the first rule of :data:`LINE_RULES` that matches, or None."""
    return next((r.name for r in LINE_RULES if r.matches(line, raw_line)), None)
