"""A rating result's value in the tidy table: the number as text, a whole number without
".0"; anything that is not a finite number (true/false, NaN, infinity, text, nothing) is a
malformed result with one message (survivors of issue 15's mutation run in tidy.py)."""

from __future__ import annotations

import pytest

from framestudy.annotations.tidy import _values

NOT_A_NUMBER = "value.rating is not a number"


@pytest.mark.parametrize(
    ("rating", "expected"),
    [
        (4, ["4"]),
        (4.0, ["4"]),
        (3.5, ["3.5"]),
        (-2.0, ["-2"]),
        (0.1, ["0.1"]),
        (10**20, [str(10**20)]),
    ],
)
def test_a_rating_is_its_number_as_text(rating, expected):
    assert _values("rating", {"rating": rating}) == expected


@pytest.mark.parametrize(
    "rating", [True, False, float("nan"), float("inf"), float("-inf"), "4", None, [4]]
)
def test_a_rating_that_is_not_a_finite_number_is_refused(rating):
    assert _values("rating", {"rating": rating}) == NOT_A_NUMBER


def test_a_rating_result_without_its_number_is_refused():
    assert _values("rating", {}) == NOT_A_NUMBER
