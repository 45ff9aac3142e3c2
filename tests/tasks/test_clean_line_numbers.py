"""The cleaner's record of what it removed: the file line each removal came from, and the
"unknown" metadata that switches a context rule off (module docstring of
framestudy.tasks.clean). Worked examples; found by mutation testing (docs/mutation.md)."""

from __future__ import annotations

from framestudy.tasks import clean
from framestudy.tasks.clean import Removal
from framestudy.tasks.models import DropLine

TEXT = "The Headline\n\nA body paragraph with [a link](https://x.org) inside.\n\nThe Headline\n"


def test_removals_are_numbered_from_the_first_line_of_the_text_by_default():
    cleaned = clean(TEXT, title="The Headline")
    # line 1 is the headline (kept once), line 3 has the link, line 5 repeats the headline
    assert cleaned.paragraphs == ("The Headline", "A body paragraph with a link inside.")
    assert cleaned.removals == (
        Removal(3, "link residue", "[a link](https://x.org)", "inline", "a link"),
        Removal(5, "repeated headline", "The Headline"),
    )


def test_removals_are_numbered_in_the_file_when_front_matter_shifts_the_text():
    cleaned = clean(TEXT, title="The Headline", first_line=8)
    assert [(r.line, r.kind) for r in cleaned.removals] == [(10, "inline"), (12, "line")]


def test_unknown_title_and_author_switch_their_rules_off():
    """A title or author recorded as "unknown" is no title or author: a line that reads
    "unknown" twice is not a repeated headline, and "unknown is a ..." is not a bio."""
    text = "unknown\n\nunknown is a word the article uses.\n\nunknown\n"
    cleaned = clean(text, title="unknown", author="unknown")
    assert cleaned.paragraphs == ("unknown", "unknown is a word the article uses.", "unknown")
    assert cleaned.removals == ()


def test_windows_and_old_mac_line_ends_count_as_one_line_end():
    """CRLF and a lone CR end a line like LF: same paragraphs, same line numbers."""
    for eol in ("\r\n", "\r"):
        cleaned = clean(TEXT.replace("\n", eol), title="The Headline")
        assert cleaned.paragraphs == ("The Headline", "A body paragraph with a link inside.")
        assert [(r.line, r.rule) for r in cleaned.removals] == [
            (3, "link residue"),
            (5, "repeated headline"),
        ]


def test_a_blank_site_name_matches_nothing():
    """A line that is empty once its residue is removed is set aside by that residue's rule,
    even when the outlet registry holds a blank name."""
    cleaned = clean("** **\n\nBody text.", site_names=["  ", "Example News"])
    assert cleaned.paragraphs == ("Body text.",)
    assert [(r.line, r.rule, r.text) for r in cleaned.removals] == [(1, "emphasis residue", "** **")]


def test_a_drop_line_matches_the_line_as_written_or_as_cleaned():
    """A ``drop_lines`` entry may quote the scraped line (with its link residue) or the line
    after the inline rules; either way the line goes, with the entry's reason."""
    text = "Body text.\n\n[Subscribe](https://x.org/s) to our newsletter\n"
    for entry in ("[Subscribe](https://x.org/s) to our newsletter", "Subscribe to our newsletter"):
        cleaned = clean(text, drop_lines=[DropLine(line=entry, reason="newsletter box")])
        assert cleaned.paragraphs == ("Body text.",)
        assert [(r.line, r.rule) for r in cleaned.removals] == [
            (3, "drop_lines: newsletter box")
        ]
        assert cleaned.unused_drop_lines == ()
