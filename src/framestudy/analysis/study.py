"""Transitional re-export: the study-wide agreement now lives in
:mod:`framestudy.analysis.variable_agreement`.

Only ``framestudy.simulation.study`` and ``tests/simulation/test_truth.py`` still import this
name (they belong to another part of issue 9); delete this module once they import
``framestudy.analysis.variable_agreement`` (or ``from framestudy.analysis import
study_agreement``).
"""

from framestudy.analysis.variable_agreement import (  # noqa: F401
    RESULT_COLUMNS,
    study_agreement,
    study_disagreements,
)
