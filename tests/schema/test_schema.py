"""The schema: generated artefacts, registry, hash, and errors on malformed schemas."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from label_studio_sdk.label_interface import LabelInterface

from framestudy.errors import UserError
from framestudy.schema import (
    build_schema,
    codebook_html,
    codebook_markdown,
    labeling_config,
    load_schema,
    parse_schema,
    stale_outputs,
)
from framestudy.study import Study
from tests.conftest import REPO, run_cli

SOURCE = REPO / "schemas" / "framing.yaml"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema():
    return load_schema(SOURCE)


def test_content_required_by_the_study(schema):
    reg = schema.registry().set_index("variable")
    expected = {
        "relevant": ("control", "nominal"),
        "genre": ("control", "nominal"),
        "legit_nato_enlargement": ("legitimacy", "ordinal"),
        "legit_ukraine_choice": ("legitimacy", "ordinal"),
        "legit_russia_claims": ("legitimacy", "ordinal"),
        "promise_status": ("legitimacy", "nominal"),
        "blame_primary": ("blame", "nominal"),
        "blame_actors": ("blame", "set"),
        "guarantee_favoured": ("guarantees", "nominal"),
        "guarantee_credibility": ("guarantees", "ordinal"),
    }
    for var, (dim, level) in expected.items():
        assert (reg.loc[var, "dimension"], reg.loc[var, "level"]) == (dim, level), var
    assert reg.loc["legit_nato_enlargement", "values"] == ["-2", "-1", "0", "+1", "+2"]
    assert reg.loc["legit_nato_enlargement", "missing_values"] == ["NA"]
    assert reg.loc["guarantee_credibility", "values"] == ["-1", "0", "+1"]
    assert reg.loc["blame_primary", "values"] == [
        "RUSSIA", "NATO", "US", "UKRAINE", "EU_WEST", "SHARED", "NONE"
    ]
    assert reg.loc["genre", "values"] == ["REPORTING", "OPINION", "ANALYSIS"]
    assert reg.loc["span", "values"] == ["LEGITIMACY", "BLAME", "GUARANTEE", "PROMISE"]
    assert reg.loc["span", "metric"] == "unitizing_alpha"
    assert reg.loc["blame_actors", "metric"] == "alpha_masi"
    assert reg.loc["voice", "labels"] == ["LEGITIMACY", "BLAME", "GUARANTEE", "PROMISE"]
    assert reg.loc["blame_target", "labels"] == ["BLAME"]
    assert bool(reg.loc["blame_target", "multiple"])
    assert reg.loc["guarantee_stance", "values"] == ["ADVOCATED", "REJECTED", "DESCRIBED"]
    assert set(reg.loc[reg.kind == "span_attribute"].index) == {
        "legitimacy_object", "legitimacy_polarity", "blame_target", "blame_outcome",
        "guarantee_arrangement", "guarantee_stance", "voice",
    }


def test_labeling_config_is_accepted_by_label_interface(schema):
    li = LabelInterface(labeling_config(schema))
    li.validate()  # raises on an invalid config
    reg = schema.registry().set_index("variable")
    names = {c.name for c in li.controls}
    assert names == set(reg.index)
    for control in li.controls:
        # every stored value (the Choice alias) is exactly a schema value id
        assert list(control.labels) == reg.loc[control.name, "values"] + reg.loc[
            control.name, "missing_values"
        ], control.name
    ok = {"result": [{"from_name": "promise_status", "to_name": "text", "type": "choices",
                      "value": {"choices": ["REFUTED"]}}]}
    bad = copy.deepcopy(ok)
    bad["result"][0]["value"]["choices"] = ["refuted-ish"]
    assert li.validate_annotation(ok) is True
    assert li.validate_annotation(bad) is False


def test_per_region_attributes_are_shown_for_their_label(schema):
    xml = labeling_config(schema)
    assert 'whenLabelValue="BLAME"' in xml
    assert '<Choices name="blame_target" toName="text" choice="multiple"' in xml
    assert 'perRegion="true"' in xml
    li = LabelInterface(xml)
    assert li.get_control("span").tag == "Labels"


def test_codebook_has_every_question_value_rule_and_example(schema):
    md = codebook_markdown(schema)
    for var in schema.variables:
        assert var.question in md
        for value in schema.values(var):
            assert value.definition in md
        for rule in var.rules:
            assert rule in md
        if var.example:
            assert var.example in md
    for attr in schema.attributes:
        assert attr.question in md
    html = codebook_html(schema)
    assert "<table>" in html and "<h1>" in html


def test_hash_ignores_formatting_but_not_content(raw):
    a = parse_schema(copy.deepcopy(raw))
    reformatted = yaml.safe_load(yaml.safe_dump(raw, default_flow_style=True, width=40))
    assert parse_schema(reformatted).hash == a.hash
    changed = copy.deepcopy(raw)
    changed["variables"][0]["question"] += " (revised)"
    assert parse_schema(changed).hash != a.hash
    assert len(a.hash) == 16 and int(a.hash, 16) >= 0


def test_adding_a_variable_is_a_change_to_the_yaml_only(raw):
    extended = copy.deepcopy(raw)
    extended["variables"].append(
        {"id": "russia_role", "dimension": "blame", "question": "What role does Russia play?",
         "type": "single", "values": [
             {"id": "PROTAGONIST", "definition": "Hero."},
             {"id": "ANTAGONIST", "definition": "Villain."}]}
    )
    s = parse_schema(extended)
    assert '<Choices name="russia_role"' in labeling_config(s)
    assert "What role does Russia play?" in codebook_markdown(s)
    assert "russia_role" in set(s.registry().variable)
    LabelInterface(labeling_config(s)).validate()


def _mutate(raw, fn):
    data = copy.deepcopy(raw)
    fn(data)
    return data


MALFORMED = {
    "unknown key": (
        lambda d: d["variables"][1].update(questoin="typo"),
        ["variables[1] (genre).questoin", "unknown key"],
    ),
    "duplicate variable id": (
        lambda d: d["variables"][1].update(id="relevant"),
        ["duplicate id 'relevant'"],
    ),
    "duplicate value id": (
        lambda d: d["variables"][1]["values"].append(dict(d["variables"][1]["values"][0])),
        ["variables[1] (genre).values", "duplicate id 'REPORTING'"],
    ),
    "empty value list": (
        lambda d: d["variables"][1].update(values=[]),
        ["variables[1] (genre).values", "empty"],
    ),
    "ordinal without an order": (
        lambda d: d["variables"][1].update(type="ordinal"),
        ["variables[1] (genre).order", "ordinal variable without an order"],
    ),
    "order that misses a value": (
        lambda d: d["variables"][1].update(type="ordinal", order=["REPORTING", "OPINION"]),
        ["variables[1] (genre).order", "exactly once"],
    ),
    "span attribute tied to a missing label": (
        lambda d: d["spans"]["attributes"][0].update(labels=["FRAME"]),
        ["spans.attributes[0] (legitimacy_object).labels", "'FRAME' does not exist"],
    ),
    "unknown value set": (
        lambda d: d["variables"][2].update(values_from="legitimacy_scales"),
        ["variables[2] (legit_nato_enlargement).values_from", "unknown value set"],
    ),
    "unknown dimension": (
        lambda d: d["variables"][0].update(dimension="framing"),
        ["variables[0] (relevant).dimension", "unknown dimension 'framing'"],
    ),
    "bad version": (lambda d: d.update(version="v1"), ["version", "MAJOR.MINOR.PATCH"]),
    "missing question": (
        lambda d: d["variables"][0].pop("question"),
        ["variables[0] (relevant).question", "missing"],
    ),
    "bad type": (
        lambda d: d["variables"][0].update(type="checkbox"),
        ["variables[0] (relevant).type"],
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_schema_names_the_field(raw, case):
    fn, fragments = MALFORMED[case]
    with pytest.raises(UserError) as info:
        parse_schema(_mutate(raw, fn), "schemas/framing.yaml")
    message = str(info.value)
    assert message.startswith("schemas/framing.yaml: ")
    assert "\n" not in message
    assert " -- " in message  # says what to do
    for fragment in fragments:
        assert fragment in message


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "framing.yaml"
    path.write_text("name: x\nvariables: [\n  - id: a\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"framing.yaml: line \d+ column \d+"):
        load_schema(path)


def test_build_writes_files_and_check_detects_staleness(study_dir: Path):
    study = Study(study_dir)
    assert len(stale_outputs(study)) == 4
    _, written = build_schema(study)
    assert {p.name for p in written} == {"framing.xml", "codebook.md", "codebook.html", "registry.json"}
    assert stale_outputs(study) == []
    assert build_schema(study)[1] == []  # nothing rewritten when nothing changed
    records = json.loads(study.registry.read_text())
    assert {r["variable"] for r in records} >= {"relevant", "blame_actors", "span", "voice"}
    study.labeling_config.write_text("<View/>")
    assert stale_outputs(study) == [study.labeling_config]


@pytest.mark.slow
def test_cli_check_fails_on_stale_and_build_fixes(study_dir: Path):
    res = run_cli("schema", "build", "--check", cwd=study_dir)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "stale generated files" in res.stderr
    assert "Traceback" not in res.stderr
    assert run_cli("schema", "build", cwd=study_dir).returncode == 0
    assert run_cli("schema", "build", "--check", cwd=study_dir).returncode == 0


@pytest.mark.slow
def test_cli_malformed_schema_is_one_line_exit_2_and_verbose_shows_traceback(study_dir: Path):
    src = study_dir / "schemas" / "framing.yaml"
    src.write_text(src.read_text().replace("question: What kind of text", "questoin: What kind of text"))
    res = run_cli("schema", "build", cwd=study_dir)
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0
    assert "variables[1] (genre).questoin: unknown key" in res.stderr
    verbose = run_cli("--verbose", "schema", "build", cwd=study_dir)
    assert verbose.returncode == 2 and "Traceback" in verbose.stderr


def test_committed_generated_files_are_up_to_date():
    assert stale_outputs(Study(REPO)) == []


# -- the labeling screen ----------------------------------------------------------------------


def _tree(schema):
    import xml.etree.ElementTree as ET

    return ET.fromstring(labeling_config(schema).split("\n", 1)[1])


def _view(root, cls):
    (found,) = [v for v in root.iter("View") if v.get("className") == cls]
    return found


def test_labeling_screen_puts_the_questions_beside_the_article(schema):
    root = _tree(schema)
    screen = _view(root, "fs-screen")
    article, column = list(screen)
    assert (article.get("className"), column.get("className")) == ("fs-article", "fs-questions")
    # the article pane: the labels' row and the text, nothing else
    assert [e.tag for e in article.iter() if e.tag in ("Labels", "Text", "Choices")] == [
        "Labels", "Text"
    ]
    # every question is in the column beside it; the selected span's questions come first
    names = [c.get("name") for c in column.iter("Choices")]
    assert set(names) == {a.id for a in schema.attributes} | {v.id for v in schema.variables}
    first = list(column)[0]
    assert first.get("visibleWhen") == "region-selected"
    assert {c.get("name") for c in first.iter("Choices")} == {a.id for a in schema.attributes}
    # the panes scroll on their own, side by side (Label Studio's Style tag)
    style = root.find("Style").text
    assert "display: flex" in style and style.count("overflow-y: auto") == 2


def test_each_question_carries_its_decision_rules(schema):
    root = _tree(schema)
    headers = [h.get("value") for h in _view(root, "fs-questions").iter("Header")]
    for var in schema.variables:
        question = f"{var.code}. {var.question}"
        after = headers[headers.index(question) + 1 :]
        if var.rules:
            first = after[0]
            assert first == f"• {var.rules[0]}" or first.startswith("Decision rules: as for "), var.id
    # L2 and L3 share L1's rules: they point back to it instead of repeating them
    assert headers.count(f"• {schema.variables[2].rules[0]}") == 1
    assert "Decision rules: as for L1." in headers


def test_hotkeys_are_explicit_and_never_reach_a_hidden_answer(schema):
    from framestudy.schema.label_config import LS_HOTKEY_POOL

    root = _tree(schema)
    labels = {lab.get("value"): lab.get("hotkey") for lab in root.iter("Label")}
    assert labels == {"LEGITIMACY": "1", "BLAME": "2", "GUARANTEE": "3", "PROMISE": "4"}
    keys = {}
    for choices in root.iter("Choices"):
        for c in choices.iter("Choice"):
            if c.get("hotkey"):
                keys.setdefault(c.get("hotkey"), []).append((choices.get("name"), c.get("alias")))
    used = list(labels.values()) + list(keys)
    # every key of Label Studio's automatic pool is given, once: it assigns none itself
    assert sorted(used) == sorted(LS_HOTKEY_POOL)
    assert all(len(v) == 1 for v in keys.values())
    keyed = {name for pairs in keys.values() for name, _ in pairs}
    # no key on a span question that is hidden for other labels' spans, nor on a scale
    label_bound = {a.id for a in schema.attributes if a.labels != "all"}
    assert not keyed & label_bound
    assert not keyed & {v.id for v in schema.variables if v.type == "ordinal"}
    assert keys["q"] == [("voice", "AUTHORIAL")]  # the question every span has comes first
    assert {k for k in keys if k.isdigit()} == set("567890")  # digits only after the letters


def test_codebook_html_brings_its_own_typography(schema):
    html = codebook_html(schema)
    assert html.startswith('<div class="framestudy-codebook">') and html.endswith("</div>\n")
    style = html[html.index("<style>") + 7 : html.index("</style>")]
    assert ">" not in style  # Label Studio's sanitiser escapes it
    assert ".framestudy-codebook h1 {" in style and "line-height: 1.3" in style
    assert "style=" not in html  # attributes Label Studio would drop
