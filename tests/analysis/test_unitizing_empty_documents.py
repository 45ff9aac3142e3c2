"""Empty documents (text of length 0) coded by two coders: a bootstrap replicate that
draws only them has nothing to measure, so its alpha is undefined (counted in
n_undefined) -- without a RuntimeWarning on the user's terminal. Before the fix, D_o was
divided by the replicate's total length outside the errstate block and numpy printed
"invalid value encountered in divide" (found sorting mutation survivors, docs/mutation.md)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis.unitizing import unitizing_alpha
from tests.analysis import unitizing_reference as ref

COLUMNS = ["document", "coder", "category", "start", "end"]
ROWS = [("d1", "a", "X", 0, 4), ("d1", "b", "X", 1, 4), ("d1", "a", "X", 6, 9)]
LENGTHS = {"d1": 10, "e1": 0, "e2": 0}
CODERS = {d: ["a", "b"] for d in LENGTHS}


@pytest.mark.parametrize("continuous", [False, True])
def test_replicates_of_empty_documents_are_undefined_without_warnings(continuous):
    n_boot, seed = 40, 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = unitizing_alpha(pd.DataFrame(ROWS, columns=COLUMNS), LENGTHS, CODERS,
                              n_boot=n_boot, seed=seed, continuous=continuous)
    draws = np.random.default_rng(seed).multinomial(3, np.full(3, 1 / 3), size=n_boot)
    only_empty = int((draws[:, 0] == 0).sum())
    assert only_empty > 0  # the case is met
    assert res["bootstrap"]["n_undefined"] == only_empty
    expected = ref.bootstrap(ROWS, LENGTHS, CODERS, ["X"], n_boot, seed, 0.95, continuous)
    assert (res["ci_low"], res["ci_high"]) == pytest.approx(expected[None], abs=1e-12)
