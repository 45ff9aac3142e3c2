"""`framestudy agreement`: file mode, --unitizing, study mode, the JSON contract, bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from framestudy.cli import main
from tests.analysis.synth import synthetic_study, write_study
from tests.analysis.test_study import REGISTRY
from tests.conftest import run_cli

K2011 = """unit,A,B,C,D
1,1,1,,1
2,2,2,3,2
3,3,3,3,3
4,3,3,3,3
5,2,2,2,2
6,1,2,3,4
7,4,4,4,4
8,1,1,2,1
9,2,2,2,2
10,,5,5,5
11,,,1,1
12,,3,,
"""
CONTRACT_NAMES = {
    "krippendorff_alpha",
    "percent_agreement",
    "cohen_kappa",
    "scott_pi",
    "fleiss_kappa",
    "conger_kappa",
    "brennan_prediger",
    "gwet_ac1",
    "gwet_ac2",
    "unitizing_alpha",
}


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_wide_file_json_contract(tmp_path, capsys):
    path = write(tmp_path, "k.csv", K2011)
    code, out, _ = run(
        capsys, "agreement", str(path), "--json", "--bootstrap", "300", "--seed", "4"
    )
    assert code == 0
    report = json.loads(out)
    assert {"n_units", "n_coders", "n_pairable_values", "level", "coefficients"} <= set(report)
    assert (report["n_units"], report["n_coders"], report["n_pairable_values"]) == (12, 4, 40)
    assert report["level"] == "nominal"
    assert set(report["coefficients"]) <= CONTRACT_NAMES
    for name, entry in report["coefficients"].items():
        assert {"estimate", "ci_low", "ci_high"} <= set(entry), name
        assert entry["estimate"] is not None or entry["reason"], name
    alpha = report["coefficients"]["krippendorff_alpha"]
    assert round(alpha["estimate"], 3) == 0.743
    assert alpha["ci_low"] < alpha["estimate"] <= alpha["ci_high"]
    assert {"p_below_0_667", "p_below_0_800"} <= set(alpha)
    assert report["coefficients"]["cohen_kappa"]["pairs"]["A|B"] == pytest.approx(0.8448, abs=1e-4)
    assert round(report["coefficients"]["gwet_ac1"]["estimate"], 5) == 0.77544
    again = run(capsys, "agreement", str(path), "--json", "--bootstrap", "300", "--seed", "4")[1]
    assert again == out
    other = json.loads(
        run(capsys, "agreement", str(path), "--json", "--bootstrap", "300", "--seed", "5")[1]
    )
    assert other["coefficients"]["krippendorff_alpha"]["ci_low"] != alpha["ci_low"]


def test_long_file_equals_wide(tmp_path, capsys):
    rows = ["unit,coder,value"]
    for line in K2011.strip().splitlines()[1:]:
        unit, *values = line.split(",")
        rows += [f"{unit},{c},{v}" for c, v in zip("ABCD", values, strict=True) if v]
    wide = json.loads(
        run(
            capsys,
            "agreement",
            str(write(tmp_path, "w.csv", K2011)),
            "--json",
            "--level",
            "ordinal",
        )[1]
    )
    long = json.loads(
        run(
            capsys,
            "agreement",
            str(write(tmp_path, "l.csv", "\n".join(rows))),
            "--json",
            "--level",
            "ordinal",
        )[1]
    )
    assert (
        long["coefficients"]["krippendorff_alpha"]["estimate"]
        == wide["coefficients"]["krippendorff_alpha"]["estimate"]
    )
    assert round(long["coefficients"]["krippendorff_alpha"]["estimate"], 3) == 0.815


def test_word_categories_in_order(tmp_path, capsys):
    text = "unit,a,b\n1,low,low\n2,mid,high\n3,high,high\n4,low,mid\n5,mid,mid\n"
    path = write(tmp_path, "w.csv", text)
    out = json.loads(
        run(
            capsys,
            "agreement",
            str(path),
            "--json",
            "--level",
            "ordinal",
            "--categories",
            "low,mid,high",
            "--weights",
            "linear",
        )[1]
    )
    assert out["categories"] == ["low", "mid", "high"]
    assert out["coefficients"]["cohen_kappa"]["weights"] == "linear"
    code, _, err = run(capsys, "agreement", str(path), "--level", "ordinal")
    assert code == 2 and "--categories" in err


def test_numeric_categories_fix_domain_and_order(tmp_path, capsys):
    path = write(tmp_path, "k.csv", K2011)
    base = json.loads(run(capsys, "agreement", str(path), "--json", "--bootstrap", "0")[1])
    wider = json.loads(
        run(
            capsys,
            "agreement",
            str(path),
            "--json",
            "--bootstrap",
            "0",
            "--categories",
            "1,2,3,4,5,6",
        )[1]
    )
    assert wider["categories"] == ["1", "2", "3", "4", "5", "6"]
    alpha = wider["coefficients"]["krippendorff_alpha"]["estimate"]
    assert (
        alpha == base["coefficients"]["krippendorff_alpha"]["estimate"]
    )  # unused value: alpha unchanged
    assert (
        wider["coefficients"]["gwet_ac1"]["estimate"]
        != base["coefficients"]["gwet_ac1"]["estimate"]
    )  # q = 6
    reverse = json.loads(
        run(
            capsys,
            "agreement",
            str(path),
            "--json",
            "--bootstrap",
            "0",
            "--level",
            "ordinal",
            "--categories",
            "5,4,3,2,1",
        )[1]
    )
    assert round(reverse["coefficients"]["krippendorff_alpha"]["estimate"], 3) == 0.815
    code, _, err = run(capsys, "agreement", str(path), "--categories", "1,2,2")
    assert code == 2 and "twice" in err


def test_table_output_and_details(tmp_path, capsys):
    path = write(tmp_path, "k.csv", K2011)
    target = tmp_path / "dis.csv"
    code, out, _ = run(
        capsys,
        "agreement",
        str(path),
        "--details",
        "--bootstrap",
        "100",
        "--disagreements",
        str(target),
    )
    assert code == 0
    assert "krippendorff_alpha" in out and "Coincidence matrix" in out and "Pairwise" in out
    lines = target.read_text().splitlines()
    assert lines[0].startswith("unit,n_values,n_distinct,disagreement")
    assert lines[1].startswith("6,4,4,")  # the unit where all four coders differ


def test_unitizing_file(tmp_path, capsys):
    text = (
        "document,coder,category,start,end\nd,a,c,75,145\nd,a,c,220,250\nd,a,k,30,90\nd,a,k,150,200\n"
        "d,b,c,70,150\nd,b,c,205,225\nd,b,c,250,270\nd,b,k,30,90\nd,b,k,150,200\n"
    )
    path = write(tmp_path, "spans.csv", text)
    code, out, _ = run(capsys, "agreement", str(path), "--unitizing", "--length", "300", "--json")
    assert code == 0
    report = json.loads(out)
    assert (
        report["level"] == "unitizing"
        and report["n_units"] == 1
        and report["n_pairable_values"] == 9
    )
    entry = report["coefficients"]["unitizing_alpha"]
    assert round(entry["by_category"]["c"]["estimate"], 4) == 0.7286
    assert round(entry["estimate"], 4) == 0.8587
    assert set(entry["span_f1"]) == {"exact", "overlap"}
    assert "c" in entry["presence_alpha"]
    code, _, err = run(capsys, "agreement", str(path), "--unitizing")
    assert code == 2 and "--length" in err


BAD_FILES = {
    "empty": ("", "is empty"),
    "header only": ("unit,a,b\n", "no data rows"),
    "long without value": ("unit,coder\n1,a\n", "'value' is missing"),
    "duplicate unit": ("unit,a,b\n1,1,2\n1,2,2\n", "line 3"),
    "two values for one coder": ("unit,coder,value\n1,a,1\n1,a,2\n", "lines 2, 3"),
    "duplicate coder column": ("unit,a,a\n1,1,2\n", "appears twice"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_exit_2_with_one_line(tmp_path, capsys, name):
    text, needle = BAD_FILES[name]
    path = write(tmp_path, "bad.csv", text)
    code, out, err = run(capsys, "agreement", str(path))
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert str(path) in err and needle in err
    assert "Traceback" not in err + out


def test_non_numeric_interval_value_names_line_and_column(tmp_path, capsys):
    path = write(tmp_path, "x.csv", "unit,a,b\n1,1.5,2\n2,3,high\n")
    code, _, err = run(capsys, "agreement", str(path), "--level", "interval")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "line 3" in err and "'b'" in err and "'high' is not a number" in err


def test_value_outside_categories(tmp_path, capsys):
    path = write(tmp_path, "x.csv", "unit,a,b\n1,low,low\n2,mid,huge\n")
    code, _, err = run(capsys, "agreement", str(path), "--categories", "low,mid,high")
    assert code == 2 and "line 3" in err and "'huge'" in err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--level", "nominalish"], "--level"),
        (["--weights", "cubic"], "--weights"),
        (["--by", "outlet"], "study mode"),
    ],
)
def test_bad_options(tmp_path, capsys, args, needle):
    path = write(tmp_path, "k.csv", K2011)
    code, _, err = run(capsys, "agreement", str(path), *args)
    assert code == 2 and needle in err


def test_missing_file_subprocess(tmp_path):
    """A real process: exit code 2 and a single error line, no traceback."""
    result = run_cli("agreement", str(tmp_path / "nope.csv"), cwd=tmp_path)
    assert result.returncode == 2
    assert "nope.csv" in result.stderr and "Traceback" not in result.stderr


def make_study(root: Path) -> None:
    ann, lengths = synthetic_study(REGISTRY, n_articles=60, n_outlets=2, seed=8)
    write_study(root, REGISTRY, ann, lengths)


def test_study_mode_writes_csv_atomically_and_reproducibly(tmp_path, capsys):
    make_study(tmp_path)
    code, out, _ = run(
        capsys, "--study", str(tmp_path), "agreement", "--bootstrap", "100", "--by", "outlet"
    )
    assert code == 0
    assert "Agreement by variable" in out and "agreement.csv" in out
    target = tmp_path / "analysis" / "agreement.csv"
    first = target.read_bytes()
    assert (
        first.decode()
        .splitlines()[0]
        .startswith("variable,dimension,metric,category,outlet,estimate")
    )
    assert "outlet1" in first.decode()
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]
    record = json.loads((tmp_path / "analysis" / "agreement.json").read_text())
    assert (record["seed"], record["bootstrap"], record["by"]) == (0, 100, "outlet")
    assert record["files"] == ["agreement.csv"]
    assert record["inputs"]["annotations/annotations.csv"] == hashlib.sha256(
        (tmp_path / "annotations" / "annotations.csv").read_bytes()
    ).hexdigest()
    run(capsys, "--study", str(tmp_path), "agreement", "--bootstrap", "100", "--by", "outlet")
    assert target.read_bytes() == first
    code, out, _ = run(
        capsys,
        "--study",
        str(tmp_path),
        "agreement",
        "--bootstrap",
        "0",
        "--json",
        "--disagreements",
        str(tmp_path / "analysis" / "dis.csv"),
    )
    records = json.loads(out)
    assert {r["variable"] for r in records} == {r["variable"] for r in REGISTRY}
    assert (tmp_path / "analysis" / "dis.csv").read_text().startswith("variable,article_id")


def test_study_mode_without_annotations(tmp_path, capsys):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "registry.json").write_text(json.dumps(REGISTRY))
    code, _, err = run(capsys, "--study", str(tmp_path), "agreement")
    assert code == 2 and "annotations.csv" in err and len(err.strip().splitlines()) == 1


def test_study_mode_without_registry(tmp_path, capsys):
    code, _, err = run(capsys, "--study", str(tmp_path), "agreement")
    assert code == 2 and "registry.json" in err and "schema build" in err


def test_study_mode_corrupt_registry_is_one_line_naming_the_field(tmp_path, capsys):
    make_study(tmp_path)
    registry = json.loads((tmp_path / "schemas" / "registry.json").read_text())
    registry[1]["level"] = "interval"
    (tmp_path / "schemas" / "registry.json").write_text(json.dumps(registry))
    code, _, err = run(capsys, "--study", str(tmp_path), "agreement", "--bootstrap", "0")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "registry.json: record 2 (legit): level = 'interval' must be 'nominal'" in err
    assert err.strip().endswith("-- rebuild it with `framestudy schema build`")


def test_study_mode_corrupt_tasks_is_one_line_naming_the_field(tmp_path, capsys):
    make_study(tmp_path)
    tasks = json.loads((tmp_path / "tasks" / "tasks.json").read_text())
    article = tasks[3]["data"]["article_id"]
    tasks[3]["data"]["text"] = None
    (tmp_path / "tasks" / "tasks.json").write_text(json.dumps(tasks))
    code, _, err = run(capsys, "--study", str(tmp_path), "agreement", "--bootstrap", "0")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert f"tasks.json: task 3 ({article}): data.text = None must be text" in err
    assert err.strip().endswith("-- run `framestudy tasks build`")


def test_study_mode_span_end_before_start_is_one_line(tmp_path, capsys):
    """The engine's AgreementInputError becomes a one-line UserError at the CLI edge."""
    ann, lengths = synthetic_study(REGISTRY, n_articles=8, seed=2)
    row = ann.index[ann["variable"] == "span"][0]
    ann.loc[row, ["span_start", "span_end"]] = [40, 10]
    write_study(tmp_path, REGISTRY, ann, lengths)
    code, _, err = run(capsys, "--study", str(tmp_path), "agreement", "--bootstrap", "0")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "annotations.csv" in err and "end 10 is before start 40" in err
    assert "Traceback" not in err


def test_engine_input_error_is_one_line_with_the_file(tmp_path, capsys, monkeypatch):
    from framestudy.analysis import json_report
    from framestudy.analysis.data import AgreementInputError

    path = tmp_path / "codes.csv"
    path.write_text("unit,a,b\n1,x,x\n2,y,x\n")

    def refuse(*args, **kwargs):
        raise AgreementInputError("something the caller can fix -- do this")

    monkeypatch.setattr(json_report, "agreement_report", refuse)
    code, _, err = run(capsys, "agreement", str(path))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "codes.csv: something the caller can fix -- do this" in err


def test_help_has_an_example(capsys):
    code, out, _ = run(capsys, "agreement", "--help")
    assert code == 0 and "Example: framestudy agreement" in out


# low/mid/high from two coders: in scale order quadratic kappa is 0.5625, alphabetically
# (high < low < mid) it would be 0.03
LMH_PAIRS = (
    [("low", "low")] * 2
    + [("mid", "mid")]
    + [("high", "high")] * 2
    + [("low", "mid")] * 3
    + [("mid", "high")] * 3
    + [("mid", "low")]
)
LMH = "unit,a,b\n" + "".join(f"{i},{a},{b}\n" for i, (a, b) in enumerate(LMH_PAIRS, 1))


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weights_on_text_values_need_their_order(tmp_path, capsys, weights):
    path = write(tmp_path, "lmh.csv", LMH)
    code, out, err = run(capsys, "agreement", str(path), "--weights", weights)
    assert code == 2, out
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(path) in err and f"--weights {weights}" in err and "--categories" in err
    for extra in (["--details"], ["--disagreements", str(tmp_path / "d.csv")]):
        code, _, err = run(capsys, "agreement", str(path), "--weights", weights, *extra)
        assert code == 2 and "--categories" in err
    assert not (tmp_path / "d.csv").exists()


def test_weights_on_text_values_in_the_given_order(tmp_path, capsys):
    from sklearn.metrics import cohen_kappa_score

    path = write(tmp_path, "lmh.csv", LMH)
    args = ["agreement", str(path), "--json", "--bootstrap", "0", "--weights", "quadratic"]
    report = json.loads(run(capsys, *args, "--categories", "low,mid,high")[1])
    rank = {"low": 0, "mid": 1, "high": 2}
    a, b = zip(*LMH_PAIRS, strict=True)
    expected = cohen_kappa_score([rank[v] for v in a], [rank[v] for v in b], weights="quadratic")
    assert report["categories"] == ["low", "mid", "high"]
    assert report["coefficients"]["cohen_kappa"]["estimate"] == pytest.approx(expected, abs=1e-12)
    assert round(expected, 4) == 0.5625
    # identity weights and plain alpha need no order
    code, out, _ = run(capsys, "agreement", str(path), "--json", "--bootstrap", "0")
    assert code == 0 and json.loads(out)["coefficients"]["cohen_kappa"]["weights"] == "identity"


def test_weights_on_numbers_need_no_categories(tmp_path, capsys):
    path = write(tmp_path, "k.csv", K2011)
    code, out, err = run(
        capsys, "agreement", str(path), "--json", "--bootstrap", "0", "--weights", "quadratic"
    )
    assert code == 0, err
    assert json.loads(out)["coefficients"]["fleiss_kappa"]["weights"] == "quadratic"


def test_details_fit_80_columns(tmp_path):
    """--details in an 80-column terminal: wide matrices (long coder names, many
    categories) are split, never cut to "…"."""
    import os
    import subprocess
    import sys

    coders = [f"coder{i}@example.org" for i in range(1, 7)]
    rng = __import__("numpy").random.default_rng(3)
    lines = ["unit," + ",".join(coders)]
    for unit in range(1, 41):
        truth = int(rng.integers(1, 13))
        row = [str(truth if rng.random() < 0.7 else int(rng.integers(1, 13))) for _ in coders]
        lines.append(f"u{unit}," + ",".join(row))
    path = write(tmp_path, "wide.csv", "\n".join(lines) + "\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "framestudy",
            "agreement",
            str(path),
            "--details",
            "--bootstrap",
            "50",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80", "NO_COLOR": "1"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "…" not in out, out
    assert max(len(line) for line in out.splitlines()) <= 80
    for name in coders:
        assert out.count(name) >= 3, name  # leave-one-out, pairwise kappa rows and columns
    for title in ("Coincidence matrix", "Per category", "Alpha without each coder"):
        assert title in out
    assert "n_distinct" in out and "disagreement" in out


def test_an_untrusted_interval_is_marked_in_the_terminal_and_the_json(tmp_path, capsys):
    """A value with 7 pairable values: the CI gets '!', the cause and one line of legend;
    --json carries ci_warning (framestudy.analysis.interval_warning)."""
    rows = ["x,x"] * 30 + ["y,y"] * 2 + ["x,y"] * 3
    path = write(tmp_path, "rare.csv", "unit,a,b\n" + "\n".join(
        f"{i},{row}" for i, row in enumerate(rows, start=1)) + "\n")
    code, out, _ = run(capsys, "agreement", str(path), "--bootstrap", "300")
    assert code == 0
    text = " ".join(out.split())
    alpha_row = next(line for line in out.splitlines() if "krippendorff_alpha" in line)
    assert "]!" in alpha_row
    assert "! only 7 pairable" in text and "'y'" in text  # the cause (wrapped in its cell)
    assert "! the data cannot support this CI or P(α<...)" in text
    assert "P(α<.667)=" in text and ")=" in text
    code, out, _ = run(capsys, "agreement", str(path), "--json", "--bootstrap", "300")
    alpha = json.loads(out)["coefficients"]["krippendorff_alpha"]
    assert alpha["ci_warning"].startswith("only 7 pairable values of 'y'")
    # Krippendorff's (2011) example: value 5 has 3 pairable values
    code, out, _ = run(capsys, "agreement", str(write(tmp_path, "k.csv", K2011)), "--json",
                       "--bootstrap", "300")
    assert "only 3 pairable values of '5'" in json.loads(out)["coefficients"][
        "krippendorff_alpha"]["ci_warning"]
