"""Scenario files: planted values are taken as written, defaults are seeded, mistakes are named."""

from __future__ import annotations

import math

import pytest

from framestudy.errors import UserError
from framestudy.simulation.scenario import read_scenario_file, resolve_scenario
from tests.conftest import run_cli
from tests.simulation.conftest import SCHEMA


def _write(tmp_path, text: str):
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_complete_seeded_and_differ_between_outlets(schema):
    a = resolve_scenario(schema, None, outlets=3, coders=4, seed=9)
    b = resolve_scenario(schema, None, outlets=3, coders=4, seed=9)
    c = resolve_scenario(schema, None, outlets=3, coders=4, seed=10)
    assert a.as_dict() == b.as_dict() != c.as_dict()
    assert [o.id for o in a.outlets] == ["outlet-a", "outlet-b", "outlet-c"]
    assert [c.email for c in a.coders] == [f"coder{i}@example.org" for i in range(1, 5)]
    assert len({c.accuracy for c in a.coders}) == 4  # coders differ by default
    for outlet in a.outlets:
        assert outlet.n_articles == 100
        for var in ("genre", "legit_nato_enlargement", "promise_status", "guarantee_favoured"):
            assert math.isclose(sum(outlet.propensities[var].values()), 1.0, abs_tol=1e-6)
        assert all(0 <= p <= 1 for p in outlet.propensities["blame_actors"].values())
        assert set(outlet.propensities["blame_primary"]) == {"SHARED"}
    assert a.outlets[0].propensities["genre"] != a.outlets[1].propensities["genre"]


def test_planted_values_are_kept_and_the_rest_shares_the_remainder(tmp_path, schema):
    path = _write(tmp_path, """
name: contrast
articles_per_outlet: 30
outlets:
  - id: pro
    articles: 10
    propensities:
      relevant: {"yes": 0.95}
      blame_actors: {NATO: 0.7}
      genre: {OPINION: 0.5}
      voice: {AUTHORIAL: 1.0}
  - id: contra
coders:
  - email: Ana@Example.org
    accuracy: 0.95
    variables: {relevant: {accuracy: 0.99}, span: {confusion: uniform}}
  - email: ben@example.org
coder_defaults: {skip_rate: 0.05, confusion: prevalence}
""")
    sc = resolve_scenario(schema, read_scenario_file(path), seed=1)
    pro, contra = sc.outlets
    assert (pro.n_articles, contra.n_articles, sc.n_articles) == (10, 30, 40)
    assert pro.propensities["relevant"] == {"yes": 0.95, "no": 0.05}
    assert pro.propensities["blame_actors"]["NATO"] == 0.7
    assert pro.propensities["genre"] == {"REPORTING": 0.25, "OPINION": 0.5, "ANALYSIS": 0.25}
    assert pro.propensities["voice"] == {"AUTHORIAL": 1.0, "ATTRIBUTED": 0.0}
    ana, ben = sc.coders
    assert ana.email == "ana@example.org" and ana.accuracy == 0.95 and ana.skip_rate == 0.05
    assert ana.item("relevant").accuracy == 0.99 and ana.item("relevant").confusion == "prevalence"
    assert ana.item("span").confusion == "uniform" and ana.item("genre").accuracy == 0.95
    assert ben.confusion == "prevalence" and 0.85 <= ben.accuracy <= 0.95
    assert (ana.user_id, ben.user_id) == (2, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("outlets: [\n", "line"),
        ("outlet: 3\n", "outlet: unknown key"),
        ("coders:\n  - email: not-an-email\n", "coders[0].email"),
        ("coders:\n  - accuracy: 1.5\n", "coders[0].accuracy"),
        ("outlets:\n  - id: a\n    propensities: {blame: {NATO: 0.5}}\n", "propensities.blame: 'blame' is not a variable"),
        ("outlets:\n  - id: a\n    propensities: {genre: {NEWS: 0.5}}\n", "'NEWS' is not a value of genre"),
        ("outlets:\n  - id: a\n    propensities: {genre: {OPINION: 0.7, REPORTING: 0.6}}\n", "sum to 1.3"),
        ("outlets:\n  - id: a\n    propensities: {genre: {OPINION: 0.2, REPORTING: 0.2, ANALYSIS: 0.2}}\n", "sum to 0.6"),
        ("outlets:\n  - id: a\n    propensities: {blame_primary: {NATO: 0.5}}\n", "derived from blame_actors"),
        ("outlets:\n  - id: a\n    propensities: {blame_target: {NATO: 0.5}}\n", "follows from the document-level values"),
        ("outlets:\n  - id: a\n  - id: a\n", "listed twice"),
        ("outlets:\n  - id: Bad_Id\n", "outlets[0].id"),
        ("coders:\n  - variables: {nonsense: {accuracy: 0.5}}\n", "variables.nonsense"),
        ("coders: []\n", "the list is empty"),
        ("- just\n- a list\n", "YAML mapping"),
    ],
)
def test_bad_scenarios_name_the_field(tmp_path, schema, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(UserError) as info:
        resolve_scenario(schema, read_scenario_file(path))
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_command_line_counts_may_not_contradict_the_file(tmp_path, schema):
    path = _write(tmp_path, "outlets:\n  - id: a\n  - id: b\ncoders: 2\n")
    data = read_scenario_file(path)
    assert len(resolve_scenario(schema, data, outlets=2).outlets) == 2
    with pytest.raises(UserError, match="lists 2 outlet"):
        resolve_scenario(schema, data, outlets=3)
    assert len(resolve_scenario(schema, data, coders=4).coders) == 4  # a count, not a list


def test_missing_scenario_file(tmp_path):
    with pytest.raises(UserError, match="scenario file not found"):
        read_scenario_file(tmp_path / "nope.yaml")


def test_cli_bad_scenario_is_one_line_and_exit_2(tmp_path):
    path = _write(tmp_path, "outlets:\n  - id: a\n    propensities: {genre: {NEWS: 1}}\n")
    proc = run_cli("simulate", "--schema", str(SCHEMA), "--scenario", str(path), "-o", str(tmp_path / "out"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "NEWS" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_cli_broken_yaml_is_one_line_and_exit_2(tmp_path):
    path = _write(tmp_path, "outlets: [\n")
    proc = run_cli("simulate", "--schema", str(SCHEMA), "--scenario", str(path), "-o", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "scenario.yaml" in proc.stderr
