"""`framestudy agreement --details` pinned on Krippendorff's (2011) worked example.

Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for
Communication, University of Pennsylvania, section C (nominal data, four observers, missing
values). Expected values come from outside the code under test: the coincidence matrix as
the paper prints it; the per-category and leave-one-coder-out alphas from the `krippendorff`
package (Castro 2017) on the data recoded or without the coder; specific agreement o_cc / n_c
read off the published matrix.
"""

from __future__ import annotations

import contextlib
import io
from fractions import Fraction as F

import krippendorff
import numpy as np
import pytest

from framestudy.analysis.json_report import agreement_diagnostics
from framestudy.analysis.reliability_data import read_reliability_csv
from framestudy.cli import main

# the paper's data, coders x units (None = missing); unit 12 has a single value
CODERS = ["A", "B", "C", "D"]
MATRIX = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, None],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# the coincidence matrix o_ck as published (values 1-5; n_c = 9, 13, 10, 5, 3; n = 40)
PUBLISHED_COINCIDENCES = [
    [F(7), F(4, 3), F(1, 3), F(1, 3), F(0)],
    [F(4, 3), F(10), F(4, 3), F(1, 3), F(0)],
    [F(1, 3), F(4, 3), F(8), F(1, 3), F(0)],
    [F(1, 3), F(1, 3), F(1, 3), F(4), F(0)],
    [F(0), F(0), F(0), F(0), F(3)],
]


def reliability(rows=MATRIX) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)


def write_csv(path):
    lines = ["unit," + ",".join(CODERS)]
    for unit in range(len(MATRIX[0])):
        cells = ["" if row[unit] is None else str(row[unit]) for row in MATRIX]
        lines.append(f"{unit + 1}," + ",".join(cells))
    path.write_text("\n".join(lines) + "\n")
    return path


def alpha_of(matrix: np.ndarray) -> float:
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def binary_alpha(category: int) -> float:
    """Nominal alpha of "category" versus every other value, by the reference package."""
    data = reliability()
    recoded = np.where(np.isnan(data), np.nan, (data == category).astype(float))
    return alpha_of(recoded)


def alpha_without(coder: int) -> float:
    return alpha_of(np.delete(reliability(), coder, axis=0))


ALPHA = 0.743  # the paper's nominal alpha


def table(out: str, title: str) -> dict[str, list[str]]:
    """The rows of a --details table (first cell -> the other cells), found by its title."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    rows = {}
    for line in lines[start + 2 :]:  # skip the title and the header
        cells = line.split()
        if not cells or not cells[0][0].isalnum() or len(cells) < 2:
            break
        try:
            float(cells[1])
        except ValueError:
            break
        rows[cells[0]] = cells[1:]
    return rows


# Function-scoped on purpose: mutmut (docs/mutation.md) credits a module-scoped fixture's
# calls to the first test that uses it only, so the per-category and leave-one-coder-out
# code would be checked only against the coincidence test, which cannot see it.
@pytest.fixture
def details(tmp_path_factory) -> str:
    path = write_csv(tmp_path_factory.mktemp("k2011") / "k2011.csv")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit) as exc:
        main(["agreement", str(path), "--details", "--bootstrap", "50"])
    assert exc.value.code == 0
    return buffer.getvalue()


@pytest.fixture
def diagnostics(tmp_path_factory) -> dict:
    path = write_csv(tmp_path_factory.mktemp("k2011d") / "k2011.csv")
    return agreement_diagnostics(read_reliability_csv(path, "nominal", None), "nominal")


def test_reference_package_gives_the_papers_alpha():
    assert round(alpha_of(reliability()), 3) == ALPHA


def test_coincidence_matrix_is_the_published_one(diagnostics, details):
    o = diagnostics["coincidence"]
    assert list(o.index) == list(o.columns) == ["1", "2", "3", "4", "5"]
    expected = np.array(PUBLISHED_COINCIDENCES, dtype=float)
    np.testing.assert_allclose(o.to_numpy(), expected, rtol=0, atol=1e-12)
    printed = table(details, "Coincidence matrix")
    for i, label in enumerate(["1", "2", "3", "4", "5"]):
        assert [float(x) for x in printed[label]] == pytest.approx(expected[i], abs=5e-4)


def test_per_category_agreement(diagnostics, details):
    n_c = [sum(row) for row in PUBLISHED_COINCIDENCES]
    assert n_c == [9, 13, 10, 5, 3]
    specific = [PUBLISHED_COINCIDENCES[i][i] / n_c[i] for i in range(5)]  # 7/9, 10/13, ...
    frame = diagnostics["per_category"].set_index("category")
    printed = table(details, "Per category")
    for i, label in enumerate(["1", "2", "3", "4", "5"]):
        row = frame.loc[label]
        assert row["n_values"] == pytest.approx(float(n_c[i]), abs=1e-12)
        assert row["specific_agreement"] == pytest.approx(float(specific[i]), abs=1e-12)
        assert row["binary_alpha"] == pytest.approx(binary_alpha(i + 1), abs=1e-12)
        n_values, spec, binary = (float(x) for x in printed[label][:3])
        assert (n_values, spec, binary) == pytest.approx(
            (n_c[i], float(specific[i]), binary_alpha(i + 1)), abs=5e-4
        )


def test_leave_one_coder_out(diagnostics, details):
    """alpha_without is alpha of the other three coders; change = alpha_without - alpha, so
    a coder whose removal raises alpha (C here) has a positive change."""
    overall = alpha_of(reliability())
    frame = diagnostics["leave_one_coder_out"].set_index("coder")
    printed = table(details, "Alpha without each coder")
    for j, coder in enumerate(CODERS):
        without = alpha_without(j)
        n_values = sum(v is not None for v in MATRIX[j])
        row = frame.loc[coder]
        assert row["n_values"] == n_values
        assert row["alpha_without"] == pytest.approx(without, abs=1e-12)
        assert row["change"] == pytest.approx(without - overall, abs=1e-12)
        assert [float(x) for x in printed[coder][:3]] == pytest.approx(
            [n_values, without, without - overall], abs=5e-4
        )
    assert frame.loc["C", "change"] > 0.1  # C disagrees most: alpha rises without C
    assert (frame.drop(index="C")["change"] < 0).all()
