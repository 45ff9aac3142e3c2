"""The study's five articles as tasks: metadata as in the corpus README, cleaning pinned both ways."""

from __future__ import annotations

import re

import pytest

from framestudy.schema import load_schema
from framestudy.study import Study
from framestudy.tasks import build_tasks, load_outlets
from framestudy.tasks.frontmatter import split
from framestudy.tasks.identity import text_version, word_count
from tests.tasks.conftest import ARTICLES, OUTLETS, read_tasks

A000 = "000_18f36c3a3c38846a.txt"
A001 = "001_907a2b706aaeaa16.txt"
A002 = "002_e7373860e994b756.txt"
A003 = "003_d59e774d81fbca7a.txt"
A004 = "004_77f9ceeab26834db.txt"

# What /work/shared/corpus/README.md says about each article (outlet, date, kind, title),
# in the registry's and the tasks' terms. Facts the README marks as not stated are "unknown".
README = {
    A000: dict(
        outlet="global-research",
        outlet_name="Global Research",
        original_source="antiwar-com",
        original_date="2023-10-02",
        date="2023-10-03",
        author="Ted Snider",
        kind="opinion column",
        title="The Key to Peace in Ukraine? The Other Broken NATO Promise.",
    ),
    A001: dict(
        outlet="unnamed-aggregator",
        original_source=None,
        date="unknown",
        author="unknown",
        kind="news report",
        title="Putin throws wrench into peace talks: Demands NATO scrap Ukraine pledge",
    ),
    A002: dict(
        outlet="rt",
        outlet_name="RT",
        original_source=None,
        date="unknown",
        author="unknown",
        kind="analysis",
        title="Why the outcome of Russia-Ukraine talks will change Europe’s security landscape — Analysis",
    ),
    A003: dict(
        outlet="unnamed-italian-outlet",
        original_source=None,
        date="2021-12-12",
        author="unknown",
        kind="explainer / news analysis",
        title="unknown",
        translated_from="it",
    ),
    A004: dict(
        outlet="euromaidan-press",
        outlet_name="Euromaidan Press",
        original_source=None,
        date="unknown",
        author="unknown",
        kind="news report",
        title="“Ending Russia’s international conflict best guarantee of security” – Ukraine "
        "responds to Russia’s demands of NATO non-expansion delivered to USA",
    ),
}
# The README's evidence for the dates it could not state, kept as notes.
DATE_EVIDENCE = {
    A001: ["Finland and Sweden", "Donald Trump"],
    A002: ["early April 2022", "Six weeks after Moscow launched its military offensive"],
    A004: ["December 2021", "16 December 2021", "© 2024"],
}
OUTLETS_README = {
    "global-research": dict(country="Canada", language="en"),
    "unnamed-aggregator": dict(country="unknown", type="aggregator"),
    "rt": dict(country="Russia", type="state-funded broadcaster"),
    "unnamed-italian-outlet": dict(country="Italy", language="it"),
    "euromaidan-press": dict(country="Ukraine", language="en"),
    "antiwar-com": dict(name="Antiwar.com"),
}

# Every line the cleaner removes, in order: (rule, start of the line as scraped).
REMOVED = {
    A000: [
        ("byline", "By [Ted Snider](#)"),
        ("dateline", "Global Research, October 03, 2023"),
        ("dateline", "[Antiwar.com](#) 2 October 2023"),
        ("site taxonomy", "Region: [Europe](#)"),
        ("site taxonomy", "Theme: [Intelligence](#)"),
        ("site taxonomy", "In-depth Report: [UKRAINE REPORT](#)"),
        ("translation widget", "All Global Research articles can be read in 51 languages"),
        ("newsletter plea", "To receive Global Research's Daily Newsletter"),
        ("share plea", "Click the share button above"),
        ("separator", "*"),
        ("share plea", "Note to readers: Please click the share button above."),
        ("author bio", "Ted Snider is a regular columnist"),
        ("image credit", "Featured image is from"),
        ("syndication notice", "The original source of this article is"),
        ("copyright notice", "Copyright © [Ted Snider]"),
        ("link-only line", "[Comment on Global Research Articles on our Facebook page](#)"),
        ("link-only line", "[Become a Member of Global Research](#)"),
        ("byline", "Articles by: [Ted Snider](#)"),
        ("disclaimer", "Disclaimer: The contents of this article"),
        ("copyright notice", "www.globalresearch.ca contains copyrighted material"),
        ("corrections or contact notice", "For media inquiries: publications@globalresearch.ca"),
    ],
    A001: [
        ("breadcrumb", "Homepage War Putin throws wrench into peace talks"),
        ("drop_lines: image caption", "NATO, Russia"),
        ("image credit", "Shutterstock"),
        ("also-read fragment", "Others are reading now"),
        ("also-read fragment", "Also read"),
        ("also-read fragment", "Also read"),
        ("also-read fragment", "Also read"),
        ("advertising", "Ads by MGDK"),
    ],
    A002: [
        ("drop_lines: headline of another article", "Why Russia and the West failed"),
        ("drop_lines: headline of another article", "Russia reacts to West’s security proposals"),
        ("drop_lines: headline of another article", "Ukraine might drop NATO bid – ambassador"),
        ("also-read fragment", "Related Articles"),
        ("navigation", "Back to top button"),
    ],
    A003: [
        ("also-read fragment", "– Read also: How NATO works"),
    ],
    A004: [
        ("copyright notice", "Copyright © 2024"),
        ("funding notice", "The work of Euromaidan Press is supported by"),
        ("reprint notice", "When referencing our materials"),
        ("cookie or privacy notice", "Privacy and Cookie Policies."),
        ("drop_lines: image caption", "The building of the MFA of Ukraine"),
        ("repeated headline", "“Ending Russia’s international conflict"),
        ("donation plea", "You could close this page."),
        ("corrections or contact notice", "To suggest a correction or clarification"),
        ("corrections or contact notice", "You can also highlight the text and press Ctrl + Enter"),
        ("corrections or contact notice", "Please leave your suggestions or corrections here"),
        ("site name", "Euromaidan Press"),
        ("advertising", "We are an independent media outlet"),
    ],
}

# Boilerplate that must be gone from the task text (fragments of it).
GONE = {
    A000: [
        "By Ted Snider",
        "Global Research, October 03, 2023",
        "can be read in 51 languages",
        "Daily Newsletter",
        "Please click the share button above",
        "is a regular columnist",
        "Featured image is from",
        "The original source of this article is",
        "Copyright ©",
        "Disclaimer:",
        "fair use",
        "publications@globalresearch.ca",
        "[said](#)",
        "](#)",
        "**",
    ],
    A001: [
        "Homepage War",
        "NATO, Russia\n",
        "Shutterstock",
        "Others are reading now",
        "Also read",
        "Ads by MGDK",
    ],
    A002: [
        "Why Russia and the West failed to create a united Europe after the USSR collapsed",
        "Russia reacts to West’s security proposals",
        "Ukraine might drop NATO bid – ambassador",
        "Related Articles",
        "Back to top button",
    ],
    A003: ["date 2021-12-12", "Read also", "How NATO works"],
    A004: [
        "Copyright © 2024",
        "International Renaissance Foundation",
        "When referencing our materials",
        "Privacy and Cookie Policies",
        "adorned with Ukrainian and EU flags",
        "join our community",
        "Become a Patron",
        "To suggest a correction",
        "Ctrl + Enter",
        "Please leave your suggestions",
        "disabling your ad blocker",
    ],
}

# Body sentences that must survive exactly (as paragraphs or inside one).
KEPT = {
    A000: [
        "The Key to Peace in Ukraine? The Other Broken NATO Promise.",
        "In 2008, when NATO promised that Ukraine would become a member of NATO, Russian officials "
        "warned that \"Ukraine's membership in the alliance is a huge strategic mistake which would "
        'have most serious consequences for pan-European security."',
        'Russian foreign minister Sergey Lavrov warned that Russia would do "everything possible" '
        "to prevent Ukraine from becoming a member of NATO.",
        "In 2023, Putin said that",
        "Not only was the promise binding, it may have been more than a promise. It may have "
        "reached the level of a deal.",
        "“[W]e did hold talks in March and April 2022,” Lavrov said, “We agreed on certain things; "
        "everything was already initialled.”",
        "But before the ink was dry on the Ukrainian and Russian initials, the US and UK erased them.",
        "If they still are, and if the US will let them this time, that could be a key to bringing "
        "peace to Ukraine.",
    ],
    A001: [
        "Putin throws wrench into peace talks: Demands NATO scrap Ukraine pledge",
        "Russia is seeking formal guarantees from NATO as part of negotiations over ending the war "
        "in Ukraine.",
        "Demand For Guarantees",
        "NATO officials have repeatedly rejected the allegation that binding promises were made.",
        "“No, the East decides to join NATO,” he said, describing the process as “democratic and "
        "free.”",
        "Since the invasion of Ukraine, Finland and Sweden have joined NATO.",
        "Sources: Digi24, Izvestia, Reuters",
    ],
    A002: [
        "Ukraine might abandon NATO ambitions, and enshrine neutrality in its Constitution. What "
        "can it expect in return?",
        "Here, RT discusses what it means for Ukraine to commit not only to joining NATO but also "
        "remaining neutral.",
        "Talks, No Compromise",
        "It’s a long-debated dream",
        "All things changed following the 2004 election. “Orange Revolution,”When Viktor "
        "Yushchenko, a Western-backed candidate defeated Viktor Yanukovich as the incumbent "
        "president.",
        "Kiev\xa0insists on guarantees that should be similar to Article 5 of the North Atlantic "
        "Collective Security Treaty.",
        "However, Russia’s modest goals will be a part of the new Yalta.",
    ],
    A003: [
        "For several weeks now, the countries of the West, and in particular the United States, "
        "have been holding a close diplomatic dialogue with Russia",
        "NATO’s eastward expansion has always been a major concern of Russian President Putin.",
        "In 2008, with the Bucharest agreements, NATO also promised Ukraine that one day it would "
        "join the alliance.",
        "For Ivo Daalder, a former American ambassador to NATO, the Bucharest accords were “a "
        "capital sin”",
        "Russia is unlikely to stop meddling in the country’s internal affairs.",
    ],
    A004: [
        "Russia has published\xa0a wish list\xa0of so-called “security guarantees” to the US",
        "NATO, the US, and Ukraine responded with a rebuke.",
        "“We urge Russia… to return immediately and unconditionally to the constructive agenda",
        "US Spokesperson Jen Psaki\xa0also stressed that no negotiations would be held with Russia "
        "without the USA’s European allies and partners.",
        "We asked experts what to make of this ultimatum; read their answers\xa0here.",
        "The demands were\xa0spelled out\xa0by the Russian foreign ministry in its fullest statement "
        "yet on the security guarantees that President Vladimir Putin says he wants to obtain from "
        "the United States and its allies.",
    ],
}

# Pinned ids: they derive from the cleaned text only, so they change exactly when the text
# coders see changes (then update them here, on purpose).
IDS = {
    A000: "art-737d0a8a9c30",
    A001: "art-d04414f23657",
    A002: "art-49a921d34b06",
    A003: "art-33d6018a83a4",
    A004: "art-9946b03ed672",
}

# Words per cleaned article (framestudy.tasks.identity.word_count).
WORDS = {A000: 1253, A001: 336, A002: 2102, A003: 828, A004: 949}


@pytest.fixture
def built(corpus_study):
    result = build_tasks(Study(corpus_study))
    return {
        a.origin.path.name: (a, t["data"])
        for a, t in zip(result.articles, result.tasks, strict=True)
    }


def test_the_five_articles_are_the_five_tasks(built, corpus_study):
    assert sorted(built) == sorted(README)
    assert len(read_tasks(corpus_study)) == 5


@pytest.mark.parametrize("name", sorted(README))
def test_task_metadata_matches_the_corpus_readme(built, name):
    _, data = built[name]
    for key, value in README[name].items():
        assert data[key] == value, key
    assert data["language"] == "en"
    for evidence in DATE_EVIDENCE.get(name, []):
        assert evidence in data["date_note"], evidence
    if data["date"] != "unknown":
        assert data["date_note"] is None


def test_outlet_registry_matches_the_corpus_readme():
    registry = load_outlets(OUTLETS)
    for outlet_id, facts in OUTLETS_README.items():
        for key, value in facts.items():
            assert getattr(registry[outlet_id], key) == value, (outlet_id, key)
    assert registry["global-research"].notes and "Centre for Research on Globalization" in (
        registry["global-research"].notes
    )


def test_tasks_follow_the_contract(built, corpus_study):
    schema = load_schema(corpus_study / "schemas" / "framing.yaml")
    contract = {
        "text",
        "article_id",
        "text_version",
        "outlet",
        "outlet_name",
        "original_source",
        "title",
        "date",
        "author",
        "language",
        "word_count",
        "schema_version",
        "schema_hash",
    }
    registry = load_outlets(OUTLETS)
    for task in read_tasks(corpus_study):
        assert set(task) == {"data"}
        data = task["data"]
        assert contract <= set(data)
        assert data["schema_version"] == schema.version
        assert data["schema_hash"] == schema.hash
        assert data["outlet_name"] == registry[data["outlet"]].name
        assert data["word_count"] == word_count(data["text"])
        assert re.fullmatch(r"art-[0-9a-f]{12}", data["article_id"])
        assert data["text_version"] == text_version(data["text"])
        assert "unknown" not in {data["outlet"], data["outlet_name"]}


@pytest.mark.parametrize("name", sorted(REMOVED))
def test_removed_lines_are_exactly_the_boilerplate(built, name):
    article, _ = built[name]
    removed = [(r.rule, r.text) for r in article.cleaned.removed_lines]
    assert len(removed) == len(REMOVED[name]), removed
    for (rule, text), (want_rule, want_start) in zip(removed, REMOVED[name], strict=True):
        assert rule.startswith(want_rule) and text.startswith(want_start), (rule, text)


@pytest.mark.parametrize("name", sorted(GONE))
def test_named_boilerplate_is_gone(built, name):
    _, data = built[name]
    for fragment in GONE[name]:
        assert fragment not in data["text"], fragment


@pytest.mark.parametrize("name", sorted(KEPT))
def test_named_body_sentences_survive_exactly(built, name):
    _, data = built[name]
    for sentence in KEPT[name]:
        assert sentence in data["text"], sentence


# The corpus lines (file line numbers) that carry scraper residue inside kept text: Markdown
# links with an empty target, "[said](#)", and bold markers, "**Sergey Lavrov**" (A000), and
# a page's date field glued to the first paragraph, "date 2021-12-12 For ..." (A003).
RESIDUE = {
    A000: {37, 39, 45, 51, 53, 59, 63, 65, 67, 77, 79},
    A003: {13},
}


def without_residue(line: str) -> str:
    """The corpus line as a reader should see it: link text without its target, names
    without asterisks, no date field (written for these files, independently of the rules)."""
    line = re.sub(r"\[([^\]]+)\]\(#\)", r"\1", line).replace("**", "")
    return re.sub(r"^date \d{4}-\d{2}-\d{2} ", "", line)


@pytest.mark.parametrize("name", sorted(README))
def test_every_source_line_is_kept_verbatim_or_removed_by_a_named_rule(built, name):
    """Nothing is lost silently: each line is a paragraph (verbatim, or without the residue
    listed in RESIDUE), or removed."""
    article, data = built[name]
    content = (ARTICLES / name).read_text(encoding="utf-8")
    _, body = split(content, name)
    first = content.count("\n") - body.count("\n") + 1  # the body's first line in the file
    removed = {r.line for r in article.cleaned.removed_lines}
    paragraphs = iter(data["text"].split("\n\n"))
    for number, line in enumerate(body.split("\n"), start=first):
        if not line.strip() or number in removed:
            continue
        if number in RESIDUE.get(name, ()):
            expected = without_residue(line.strip())
            assert expected != line.strip(), number  # the residue is there to remove
        else:
            expected = line.strip()
        assert next(paragraphs) == expected, number
    assert next(paragraphs, None) is None


def test_ids_are_pinned_and_stable_across_rebuilds(corpus_study):
    output = corpus_study / "tasks" / "tasks.json"
    build_tasks(Study(corpus_study))
    before = output.read_bytes()
    build_tasks(Study(corpus_study))
    assert output.read_bytes() == before
    ids = {t["data"]["source_file"]: t["data"]["article_id"] for t in read_tasks(corpus_study)}
    assert ids == IDS
    words = {t["data"]["source_file"]: t["data"]["word_count"] for t in read_tasks(corpus_study)}
    assert words == WORDS


def test_ids_do_not_depend_on_file_names_or_notes(corpus_study):
    articles = corpus_study / "tasks" / "articles"
    path = articles / A003
    path.rename(articles / "renamed.txt")
    text = (articles / "renamed.txt").read_text(encoding="utf-8")
    (articles / "renamed.txt").write_text(
        text.replace(
            "notes: English machine translation", "notes: Edited note. English machine translation"
        ),
        encoding="utf-8",
    )
    ids = {t["data"]["article_id"] for t in build_tasks(Study(corpus_study)).tasks}
    assert ids == set(IDS.values())


def test_show_removed_lists_each_removed_line_with_its_rule(cli, corpus_study):
    result = cli(corpus_study, "tasks", "build", "--show-removed")
    assert result.code == 0, result.err
    assert "tasks.json" in result.out
    for rule, start in [
        ("advertising", "Ads by MGDK"),
        ("repeated headline", "“Ending Russia’s international conflict"),
        ("disclaimer", "Disclaimer: The contents"),
        ("link residue", "[said](#) → said"),
        ("scraped date field", "date 2021-12-12"),
    ]:
        rows = [line for line in result.out.splitlines() if rule in line and start in line]
        assert rows, (rule, start)
    assert "art-9946b03ed672" in result.out


def test_build_without_show_removed_lists_no_removed_lines(cli, corpus_study):
    result = cli(corpus_study, "tasks", "build")
    assert result.code == 0, result.err
    assert "Ads by MGDK" not in result.out
    assert "5 tasks" in result.out
