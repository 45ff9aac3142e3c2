"""Inter-coder agreement: pure functions from reliability data to coefficients.

Modules, one job each: ``data`` (encode units x coders tables), ``distances`` (delta
functions and kappa weights), ``alpha`` (Krippendorff's alpha and its coincidence-matrix
diagnostics), ``chance`` (percent agreement and the kappa family with Gwet's standard
errors), ``bootstrap`` (vectorised bootstrap of alpha), ``unitizing`` (spans),
``diagnostics`` (ranked disagreements), ``report`` (the ``--json`` contract), ``study``
(every schema variable of a study) and ``reliability_data`` (the only module that reads
files). See docs/agreement.md.
"""

from framestudy.analysis.alpha import (
    alpha_by_group,
    category_agreement,
    coincidence_matrix,
    krippendorff_alpha,
    leave_one_coder_out,
    set_value_alphas,
)
from framestudy.analysis.bootstrap import bootstrap_alpha
from framestudy.analysis.data import Coded, encode
from framestudy.analysis.diagnostics import disagreements
from framestudy.analysis.report import agreement_diagnostics, agreement_report, unitizing_report
from framestudy.analysis.unitizing import match_spans, presence_indicators, span_f1, unitizing_alpha

__all__ = [
    "Coded",
    "agreement_diagnostics",
    "agreement_report",
    "alpha_by_group",
    "bootstrap_alpha",
    "category_agreement",
    "coincidence_matrix",
    "disagreements",
    "encode",
    "krippendorff_alpha",
    "leave_one_coder_out",
    "match_spans",
    "presence_indicators",
    "set_value_alphas",
    "span_f1",
    "unitizing_alpha",
    "unitizing_report",
]
