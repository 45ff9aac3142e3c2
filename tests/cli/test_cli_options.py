"""Options of `agreement`, `plan` and `simulate` exercised through the command line, with
expectations that do not come from the functions the commands call."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from framestudy.cli import main
from tests.analysis.test_cli import K2011  # Krippendorff (2011)'s nominal example
from tests.simulation.conftest import SCHEMA

# Krippendorff (2004), Content Analysis, 2nd ed., the unitizing example as DKPro encodes it:
# two coders, categories c and k on a continuum of 300; alpha_U for c is .7286
SPANS = [
    ("a", "c", 75, 145), ("a", "c", 220, 250), ("a", "k", 30, 90), ("a", "k", 150, 200),
    ("b", "c", 70, 150), ("b", "c", 205, 225), ("b", "c", 250, 270), ("b", "k", 30, 90),
    ("b", "k", 150, 200),
]


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --- agreement --bootstrap-method -------------------------------------------------------


def test_agreement_bootstrap_method_krippendorff(tmp_path, capsys):
    """--bootstrap-method krippendorff (Hayes & Krippendorff's KALPHA algorithm) on a FILE:
    the method is reported, and its CI is narrower than the units bootstrap's on these data
    (docs/ci_coverage.md: D_e held fixed)."""
    path = tmp_path / "k.csv"
    path.write_text(K2011)
    common = ("agreement", str(path), "--json", "--bootstrap", "2000", "--seed", "4")
    code, out, err = run(capsys, *common, "--bootstrap-method", "krippendorff")
    assert code == 0, err
    kalpha = json.loads(out)["coefficients"]["krippendorff_alpha"]
    assert kalpha["bootstrap"]["method"] == "krippendorff"
    assert round(kalpha["estimate"], 3) == 0.743
    code, out, err = run(capsys, *common, "--bootstrap-method", "units")
    units = json.loads(out)["coefficients"]["krippendorff_alpha"]
    assert units["bootstrap"]["method"] == "units"
    assert kalpha["ci_high"] - kalpha["ci_low"] < units["ci_high"] - units["ci_low"]
    code, _, err = run(capsys, *common, "--bootstrap-method", "jackknife")
    assert code == 2 and "--bootstrap-method" in one_error_line(err)


def test_agreement_bootstrap_method_is_refused_in_study_mode(tmp_path, capsys):
    code, _, err = run(capsys, "--study", str(tmp_path), "agreement", "--bootstrap-method",
                       "krippendorff")
    assert code == 2 and "--bootstrap-method works with a FILE" in one_error_line(err)


# --- agreement --unitizing --------------------------------------------------------------


def spans_csv(path, *, length_column: bool):
    header = "document,coder,category,start,end" + (",length" if length_column else "")
    rows = [f"d,{c},{cat},{s},{e}" + (",300" if length_column else "") for c, cat, s, e in SPANS]
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


@pytest.mark.parametrize("length_column", [False, True], ids=["--length", "length column"])
def test_unitizing_with_and_without_a_length_column(tmp_path, capsys, length_column):
    path = spans_csv(tmp_path / "spans.csv", length_column=length_column)
    extra = () if length_column else ("--length", "300")
    code, out, err = run(capsys, "agreement", str(path), "--unitizing", *extra, "--json",
                         "--bootstrap", "0")
    assert code == 0, err
    entry = json.loads(out)["coefficients"]["unitizing_alpha"]
    assert round(entry["by_category"]["c"]["estimate"], 4) == 0.7286  # Krippendorff 2004


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # no length column and no --length: the continuum is unknown
        (None, "pass --length N or add a length column"),
        # a document with two lengths
        ("document,coder,category,start,end,length\nd,a,c,1,5,300\nd,b,c,2,6,200\n",
         "has two different lengths"),
        # a span that ends before it starts
        ("document,coder,category,start,end\nd,a,c,9,5\n", "line 2: end is before start"),
    ],
    ids=["no length", "two lengths", "end before start"],
)
def test_unitizing_errors(tmp_path, capsys, rows, message):
    path = tmp_path / "spans.csv"
    if rows is None:
        spans_csv(path, length_column=False)
    else:
        path.write_text(rows)
    code, _, err = run(capsys, "agreement", str(path), "--unitizing")
    line = one_error_line(err)
    assert code == 2 and message in line and "spans.csv" in line


def test_unitizing_needs_a_file(tmp_path, capsys):
    code, _, err = run(capsys, "--study", str(tmp_path), "agreement", "--unitizing")
    assert code == 2 and "--unitizing needs a spans FILE" in one_error_line(err)


# --- plan ---------------------------------------------------------------------------------

PLAN = ("plan", "--alpha", "0.9", "--prevalence", "0.25", "--units", "30,90", "--coders", "2",
        "--categories", "3", "--level", "nominal", "--alpha-min", "0.667,0.8", "--sims", "20",
        "--boot", "200", "--json")


def plan_json(capsys, *args: str) -> dict:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return json.loads(out)


def test_plan_options_reach_the_simulation(capsys):
    """--categories/--alpha-min/--target-power/--method/--seed are echoed and used; the
    closed-form reference is Krippendorff's published table (p = .25, two coders, .05):
    139 units for .800 and 81 for .667 (Content Analysis, 4th ed., 2019)."""
    def args(method="krippendorff", seed="5"):
        return (*PLAN, "--target-power", "0.5", "--method", method, "--seed", seed,
                "--no-search")

    result = plan_json(capsys, *args())
    assert result["settings"] | {} == {
        "alpha": 0.9, "prevalence": 0.25, "categories": 3, "level": "nominal", "sims": 20,
        "boot": 200, "method": "krippendorff", "seed": 5, "target_power": 0.5,
    }
    assert result["krippendorff_minimum_units_p05_two_coders"] == {"0.667": 81, "0.800": 139}
    power = pd.DataFrame(result["power"])
    assert sorted(zip(power["n_units"], power["alpha_min"], strict=True)) == [
        (30, 0.667), (30, 0.8), (90, 0.667), (90, 0.8)
    ]
    # without the search, the smallest n is the first tabulated size whose power reaches 0.5
    for row in result["smallest_n"]:
        cells = power[(power["alpha_min"] == row["alpha_min"]) & (power["n_coders"] == 2)]
        reaching = sorted(cells.loc[cells["power"] >= 0.5, "n_units"])
        assert row["smallest_n"] == (reaching[0] if reaching else None)
    # the seed is the only source of randomness
    assert plan_json(capsys, *args()) == result
    other = plan_json(capsys, *args(seed="6"))
    assert other["settings"]["seed"] == 6 and other["power"] != result["power"]
    # the method changes the bootstrap, so the power table
    units = plan_json(capsys, *args(method="units"))
    assert units["settings"]["method"] == "units" and units["power"] != result["power"]


def test_plan_search_refines_between_the_tabulated_sizes(capsys):
    args = (*PLAN, "--target-power", "0.5", "--seed", "2")
    table = plan_json(capsys, *args, "--no-search")
    searched = plan_json(capsys, *args, "--search")
    assert searched["power"] == table["power"]
    for coarse, fine in zip(table["smallest_n"], searched["smallest_n"], strict=True):
        if coarse["smallest_n"] is None:
            assert fine["smallest_n"] is None
        else:
            lower = 5 if coarse["smallest_n"] == 30 else 30
            assert lower <= fine["smallest_n"] <= coarse["smallest_n"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--categories", "3", "--prevalence", "0.4"), "--prevalence 0.4"),  # > 1/3
        (("--method", "jackknife"), "--method"),
        (("--target-power", "1.2"), "--target-power"),
        (("--alpha-min", "0.8,high"), "--alpha-min"),
    ],
)
def test_plan_option_errors(capsys, args, message):
    base = {"--alpha": "0.9", "--prevalence": "0.2"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    code, _, err = run(capsys, "plan", *[x for kv in base.items() for x in kv])
    assert code == 2 and message in one_error_line(err)


# --- simulate --reliability-share ----------------------------------------------------------


@pytest.mark.parametrize(("share", "expected"), [("0.5", 5), ("0.25", 3)])
def test_simulate_reliability_share(tmp_path, capsys, share, expected):
    """10 articles (2 outlets x 5): a share of 0.5 puts 5 in the reliability sample, 0.25
    puts 3 (2.5 rounded half up), each coded by both coders."""
    out = tmp_path / "s"
    code, stdout, err = run(capsys, "simulate", "--schema", str(SCHEMA), "--outlets", "2",
                            "--articles-per-outlet", "5", "--coders", "2", "--truth-units", "0",
                            "--reliability-share", share, "--seed", "1", "--output", str(out),
                            "--json")
    assert code == 0, err
    assert json.loads(stdout)["reliability_sample"] == expected
    tidy = pd.read_csv(out / "annotations" / "annotations.csv", dtype=str)
    coders = tidy.groupby("article_id")["coder"].nunique()
    assert int((coders == 2).sum()) <= expected  # skipped tasks can only lower it
    assert np.all(coders.reindex(coders.index).between(1, 2))
