"""``framestudy outlets`` on simulated studies, as a user runs it: consensus, gate, tests."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

import framestudy
from framestudy.cli.outlets import FILES, RUN_RECORD

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "framestudy", *args], cwd=cwd, capture_output=True, text=True,
        env=env, timeout=600,
    )


def simulated(root: Path, outlets: int, per_outlet: int, coders: int) -> Path:
    study = root / f"s{outlets}x{per_outlet}x{coders}"
    for args in (
        ("simulate", "--outlets", str(outlets), "--articles-per-outlet", str(per_outlet),
         "--coders", str(coders), "--seed", "2", "-o", str(study)),
        ("--study", str(study), "agreement", "--bootstrap", "200"),
    ):
        res = cli(*args)
        assert res.returncode == 0, res.stderr
    return study


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    return simulated(tmp_path_factory.mktemp("outlets"), 3, 40, 3)


def read(study: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(study / "analysis" / FILES[name], keep_default_na=False, dtype=str)


def record(study: Path) -> dict:
    return json.loads((study / "analysis" / RUN_RECORD).read_text())


@pytest.mark.slow
def test_outlets_writes_every_table_and_reruns_identically(study):
    res = cli("--study", str(study), "outlets", "--bootstrap", "200", "--no-models")
    assert res.returncode == 0, res.stderr
    first = {name: (study / "analysis" / f).read_bytes() for name, f in FILES.items()}
    first_record = record(study)
    table = res.stdout.split("\nwrote ")[0].splitlines()
    assert "Outlet differences" in table[0] and max(map(len, table)) <= 80
    assert "also grouped by outlet type, country, language" in res.stdout
    assert "Span densities per 1,000 words" in res.stdout
    again = cli("--study", str(study), "outlets", "--bootstrap", "200", "--no-models")
    assert again.returncode == 0, again.stderr
    assert {name: (study / "analysis" / f).read_bytes() for name, f in FILES.items()} == first
    second_record = record(study)
    assert {k: v for k, v in first_record.items() if k != "created"} == {
        k: v for k, v in second_record.items() if k != "created"}
    tests = read(study, "tests")
    assert set(tests["by"]) == {"outlet", "type", "country", "language"}
    tests = tests[tests["by"] == "outlet"]
    gate = read(study, "gate")
    # every comparison carries the gate's decision; only admitted ones have a p-value
    admitted = tests["decision"].isin(["reliable", "tentative"])
    assert (tests.loc[admitted, "p_value"] != "").all()
    assert (tests.loc[~admitted, "p_value"] == "").all()
    assert set(gate["decision"]) <= {"reliable", "tentative", "excluded"}
    # the p-values are corrected across the variables actually tested
    tested = int(admitted.sum())
    assert set(tests["adjustment"]) == {
        f"holm over {tested} tested variables of {len(tests)}, within the by=outlet family"}
    # every grouping of the simulated study but outlet has one group: reasons, no tests
    others = read(study, "tests").query("by != 'outlet'")
    assert (others["p_value"] == "").all() and (others["reason"] != "").all()
    for name in ("ordinal", "density", "density_tests"):
        assert len(read(study, name)) > 0


@pytest.mark.slow
def test_the_run_record(study):
    res = cli("--study", str(study), "outlets", "--bootstrap", "200", "--no-models", "--seed", "4")
    assert res.returncode == 0, res.stderr
    made = record(study)
    assert set(made) == {"command", "framestudy_version", "created", "seed", "bootstrap",
                         "n_resamples",
                         "models", "gate", "gate_overridden", "inputs", "files",
                         "articles_needed"}
    assert made["framestudy_version"] == framestudy.__version__
    created = datetime.fromisoformat(made["created"])
    assert created.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=10)
    assert (made["seed"], made["bootstrap"], made["n_resamples"]) == (4, 200, 9999)
    assert made["models"] is False and made["gate_overridden"] is False
    assert made["gate"] == {"statistic": "estimate", "threshold": 0.667, "tentative_below": 0.8}
    inputs = ["annotations/annotations.csv", "schemas/registry.json", "analysis/agreement.csv",
              "tasks/tasks.json", "tasks/outlets.yaml"]
    assert list(made["inputs"]) == [*inputs, "annotations/adjudicated.csv"]
    for name in inputs:
        assert made["inputs"][name] == hashlib.sha256((study / name).read_bytes()).hexdigest()
    # no adjudication yet: recorded as absent, so that one made later shows as a change
    assert made["inputs"]["annotations/adjudicated.csv"] is None
    assert made["files"] == list(FILES.values())
    assert made["articles_needed"] is None


@pytest.mark.slow
def test_no_gate_compares_everything_and_says_so(study):
    res = cli("--study", str(study), "outlets", "--no-gate", "--bootstrap", "200")
    assert res.returncode == 0, res.stderr
    assert "gate overridden" in res.stdout
    tests = read(study, "tests")
    assert set(tests["decision"]) == {"overridden"}
    assert set(read(study, "gate")["decision"]) == {"overridden"}


@pytest.fixture(scope="module")
def five(tmp_path_factory) -> Path:
    """The bundled study's shape: five outlets, one article each."""
    return simulated(tmp_path_factory.mktemp("five"), 5, 1, 3)


@pytest.mark.slow
@pytest.mark.parametrize("gate", [[], ["--no-gate"]])
def test_one_article_per_outlet_never_prints_a_p_value(five, gate):
    from framestudy.analysis.outlet_power import articles_needed

    res = cli("--study", str(five), "outlets", *gate, "--bootstrap", "100", "--no-models")
    assert res.returncode == 0, res.stderr
    assert "no outlet test ran" in res.stdout
    needed = record(five)["articles_needed"]
    assert needed["max_per_group"] == 1 and needed["n_groups"] == 5
    assert needed["per_group"] == articles_needed(5, needed["n_values"])
    line = " ".join(res.stdout.split())  # the line, whatever the terminal wrapped
    assert (
        "too few articles per outlet to test (at most 1 per outlet); to detect a medium "
        "difference (Cohen's w = 0.3) across 5 outlets at 80% power and alpha .05 about "
        f"{needed['per_group']} articles per outlet are needed"
    ) in line
    for name in ("tests", "density_tests"):
        tests = read(five, name)
        assert (tests["p_value"] == "").all() and (tests["test"] == "").all()
    assert not re.search(r"\b0\.\d{3}\b", res.stdout.split("\nwrote ")[0])  # no p printed
    # the descriptives are there: one row per outlet and value
    assert len(read(five, "prevalence")) > 0 and len(read(five, "density")) > 0


@pytest.mark.slow
def test_without_tasks_json_descriptives_and_the_density_message(tmp_path, study):
    copy = tmp_path / "copy"
    shutil.copytree(study, copy)
    (copy / "tasks" / "tasks.json").unlink()
    res = cli("--study", str(copy), "outlets", "--bootstrap", "100", "--no-models")
    assert res.returncode == 0, res.stderr
    assert "span densities: no word counts (tasks/tasks.json missing)" in res.stdout
    assert len(read(copy, "prevalence")) > 0 and len(read(copy, "ordinal")) > 0
    for name in ("density", "density_tests"):
        frame = read(copy, name)
        assert frame.empty and len(frame.columns) > 5
    assert record(copy)["inputs"]["tasks/tasks.json"] is None


@pytest.mark.slow
def test_an_article_without_a_word_count_names_tasks_json(tmp_path, study):
    copy = tmp_path / "copy"
    shutil.copytree(study, copy)
    tasks = json.loads((copy / "tasks" / "tasks.json").read_text())
    del tasks[0]["data"]["word_count"]
    (copy / "tasks" / "tasks.json").write_text(json.dumps(tasks))
    res = cli("--study", str(copy), "outlets", "--bootstrap", "100", "--no-models")
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {copy / 'tasks' / 'tasks.json'}: ")
    assert "word_count" in lines[0] and "framestudy tasks build" in lines[0]


@pytest.mark.slow
def test_without_an_agreement_table_one_line(tmp_path, study):
    (tmp_path / "s").mkdir()
    for sub in ("schemas", "annotations"):
        (tmp_path / "s" / sub).mkdir()
    (tmp_path / "s" / "schemas" / "registry.json").write_bytes(
        (study / "schemas" / "registry.json").read_bytes()
    )
    (tmp_path / "s" / "annotations" / "annotations.csv").write_bytes(
        (study / "annotations" / "annotations.csv").read_bytes()
    )
    res = cli("--study", str(tmp_path / "s"), "outlets")
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        f"error: {tmp_path / 's' / 'analysis' / 'agreement.csv'}: no such file -- run "
        "`framestudy agreement` first"
    ]


# ---------------------------------------------------------------------------------------
# Models and correspondence analysis (analysis/outlet_models.csv, outlet_ca.csv)


@pytest.mark.slow
def test_models_and_ca_follow_the_gate_and_equal_the_library(study):
    from framestudy.analysis.correspondence import correspondence_analysis, crosstab
    from framestudy.analysis.outlet_models import outlet_model
    from framestudy.analysis.outlets import CA_COLUMNS, MODEL_COLUMNS, NOT_REQUESTED

    res = cli("--study", str(study), "outlets", "--bootstrap", "200", "--no-models")
    assert res.returncode == 0, res.stderr
    # with --no-models every question has one row saying so (or the gate's reason)
    unfitted = read(study, "models")
    assert (unfitted["estimate_consensus"] == "").all()
    admitted = unfitted["decision"].isin(["reliable", "tentative"])
    assert admitted.any() and (unfitted.loc[admitted, "reason_consensus"] == NOT_REQUESTED).all()
    res = cli("--study", str(study), "outlets", "--bootstrap", "200")  # models by default
    assert res.returncode == 0, res.stderr
    models, gate, ca = read(study, "models"), read(study, "gate"), read(study, "ca")
    written = {f: (study / "analysis" / FILES[f]).read_bytes() for f in ("models", "ca")}
    again = cli("--study", str(study), "outlets", "--bootstrap", "200", "--models")
    assert again.returncode == 0, again.stderr
    assert {f: (study / "analysis" / FILES[f]).read_bytes() for f in ("models", "ca")} == written
    assert list(models.columns) == list(MODEL_COLUMNS) and list(ca.columns) == list(CA_COLUMNS)
    decisions = dict(zip(gate.loc[gate["category"] == "", "variable"],
                         gate.loc[gate["category"] == "", "decision"], strict=True))
    document = ["relevant", "genre", "legit_nato_enlargement", "legit_ukraine_choice",
                "legit_russia_claims", "promise_status", "blame_primary", "blame_actors",
                "guarantee_favoured", "guarantee_credibility"]
    # every document variable (set variables per value) has rows, with the gate's decision
    assert set(models["variable"]) == set(document)
    assert set(models.loc[models["variable"] == "blame_actors", "category"]) == {
        "RUSSIA", "NATO", "US", "UKRAINE", "EU_WEST"}
    for variable in document:
        rows = models[models["variable"] == variable]
        assert set(rows["decision"]) == {decisions[variable]}
        if decisions[variable] == "excluded":
            assert len(rows) == len(rows["category"].unique())
            assert rows["reason_consensus"].str.startswith("not modelled: the reliability gate").all()
            assert (rows["estimate_consensus"] == "").all()
        else:  # a number on both sides, or the reason why not
            for side in ("consensus", "per_coder"):
                assert ((rows[f"estimate_{side}"] != "") ^ (rows[f"reason_{side}"] != "")).all()
    modelled = models[models["estimate_consensus"] != ""]
    assert len(modelled) and set(modelled["level"]) >= {"ordinal"}
    ordinal = models[(models["level"] == "ordinal") & models["decision"].isin(["reliable", "tentative"])]
    assert (ordinal["model"] == "ordered_logit").all()
    assert ordinal["note"].str.startswith("NA (not addressed) left out of the ordinal scale").all()
    # genre is a control only when the gate admits it (not in this study); the date always
    assert decisions["genre"] == "excluded"
    assert (modelled.loc[modelled["variable"] != "genre", "controls"] == "date").all()
    assert modelled["note"].str.contains(
        "genre not a control: the reliability gate excluded it").all()
    # the consensus side is outlet_model on consensus.csv, with the article's date
    values = read(study, "consensus")
    variable = modelled.loc[modelled["level"] == "ordinal", "variable"].iloc[0]
    rows = values[(values["variable"] == variable) & (values["value"] != "")]
    rows = rows[["article_id", "outlet", "value"]]
    dates = pd.DataFrame([(t["data"]["article_id"], t["data"]["date"]) for t in json.loads(
        (study / "tasks" / "tasks.json").read_text())], columns=["article_id", "date"])
    rows = rows.merge(dates, on="article_id", how="left")
    direct = outlet_model(rows, "value", "ordinal", controls=["date"],
                          order=["-2", "-1", "0", "+1", "+2"], missing_values=["NA"])
    mine = modelled[modelled["variable"] == variable]
    assert list(mine["term"]) == list(direct.outlet_effects()["term"])
    assert [float(x) for x in mine["estimate_consensus"]] == pytest.approx(
        list(direct.outlet_effects()["estimate"]), rel=1e-9)
    # CA: one table per question, coordinates or one reason row
    assert set(ca["table"]) == {"outlet x blamed actor", "outlet x favoured arrangement"}
    for table, variable in (("outlet x blamed actor", "blame_primary"),
                            ("outlet x favoured arrangement", "guarantee_favoured")):
        rows = ca[ca["table"] == table]
        assert set(rows["variable"]) == {variable}
        if decisions[variable] == "excluded":
            assert list(rows["part"]) == ["reason"]
            assert rows["reason"].iloc[0].startswith("not analysed: the reliability gate")
            continue
        answers = values[(values["variable"] == variable) & (values["value"] != "")]
        direct = correspondence_analysis(crosstab(answers, "outlet", "value"))
        inertia = rows[rows["part"] == "inertia"]
        assert [float(x) for x in inertia["principal_inertia"]] == pytest.approx(
            list(direct.inertias["principal_inertia"]), rel=1e-9)
        coords = rows[rows["part"] == "coordinate"].sort_values(["side", "label", "dimension"])
        expected = direct.coordinates.astype({"dimension": str}).sort_values(
            ["side", "label", "dimension"])
        assert list(coords["label"]) == list(expected["label"])
        assert [float(x) for x in coords["coordinate"]] == pytest.approx(
            list(expected["coordinate"]), rel=1e-9, abs=1e-12)


@pytest.mark.slow
def test_one_article_per_outlet_models_give_reasons_not_numbers(five):
    study = five
    res = cli("--study", str(study), "outlets", "--no-gate", "--bootstrap", "100", "--models")
    assert res.returncode == 0, res.stderr
    models = read(study, "models")
    assert len(models) >= 10 and (models["decision"] == "overridden").all()
    for side in ("consensus", "per_coder"):
        assert (models[f"estimate_{side}"] == "").all()
        assert (models[f"p_value_{side}"] == "").all()
        assert (models[f"reason_{side}"] != "").all()
    assert models["reason_consensus"].str.contains("too few articles per outlet").any()
    # CA of five single articles: computed, but the reason says the map is not to be read
    ca = read(study, "ca")
    for table in ("outlet x blamed actor", "outlet x favoured arrangement"):
        rows = ca[ca["table"] == table]
        assert len(rows) >= 1 and (rows["reason"] != "").all()


def test_per_coder_values_on_a_hand_made_table():
    from framestudy.analysis.outlets import _per_coder, _split_coders

    tidy = pd.DataFrame(
        [("a1", "rt", "x", "blame_primary", "NATO"), ("a1", "rt", "y", "blame_primary", "US"),
         ("a1", "rt", "y", "blame_primary", "NATO"),  # two values: y has no row for a1
         ("a1", "rt", "z", "genre", "OPINION"),  # z gave no blame_primary
         ("a1", "rt", "x", "blame_actors", "NATO"), ("a1", "rt", "z", "blame_actors", "US")],
        columns=["article_id", "outlet", "coder", "variable", "value"],
    )
    one = _per_coder(*_split_coders(tidy), "blame_primary", "")
    assert one.to_dict("records") == [
        {"article_id": "a1", "outlet": "rt", "coder": "x", "value": "NATO"}]
    member = _per_coder(*_split_coders(tidy), "blame_actors", "NATO").sort_values("coder")
    assert list(zip(member["coder"], member["value"], strict=True)) == [
        ("x", "present"), ("y", "absent"), ("z", "absent")]


@pytest.mark.slow
def test_a_value_the_schema_does_not_know_is_one_line_not_an_internal_error(study, tmp_path):
    """Every coder of an article chose a genre the registry lacks (a table edited by hand):
    the analysis refuses it as bad input, naming the files."""
    copy = tmp_path / "study"
    shutil.copytree(study, copy)
    table = copy / "annotations" / "annotations.csv"
    frame = pd.read_csv(table, keep_default_na=False, dtype=str)
    first = frame.loc[frame["variable"] == "genre", "article_id"].iloc[0]
    frame.loc[(frame["variable"] == "genre") & (frame["article_id"] == first), "value"] = "EDITORIAL"
    frame.to_csv(table, index=False)
    res = cli("--study", str(copy), "outlets", "--bootstrap", "0", "--no-models")
    assert res.returncode == 2, res.stderr
    assert "internal error" not in res.stderr and "Traceback" not in res.stderr
    assert "annotations.csv" in res.stderr and "EDITORIAL" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
