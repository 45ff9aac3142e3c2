"""The names the agreement engine accepts: levels of measurement, weights, bootstrap methods.

Kept free of numpy and pandas so that the command line can offer them as choices (and
validate them) without importing the engine: ``framestudy agreement --help`` starts at once.
"""

# Krippendorff's levels of measurement (Krippendorff 2011, "Computing Krippendorff's
# alpha-reliability", section C).
LEVELS = ("nominal", "ordinal", "interval", "ratio")

# Weights on the category values' numeric distances (Cohen 1968; Gwet 2014, ch. 3).
WEIGHTS = ("identity", "linear", "quadratic")

# R irr's kappa2 weights: linear/quadratic in the rank of each level among the levels the
# data used, so a scale point nobody used is not a step (Gamer et al., irr 0.84.1, kappa2).
RANK_WEIGHTS = {"equal": "linear", "squared": "quadratic"}

# Every weight scheme the kappa family takes.
KAPPA_WEIGHTS = (*WEIGHTS, *RANK_WEIGHTS)

# How alpha's confidence interval is bootstrapped: resampling units (the default) or
# Krippendorff/Hayes' resampling of pairable values (Hayes & Krippendorff 2007).
BOOTSTRAP_METHODS = ("units", "krippendorff")

# The mark of a confidence interval (and its P(alpha < ...)) that carries a ``ci_warning``
# (framestudy.analysis.interval_warning), and the line that explains it, in the terminal
# and in the report alike.
UNTRUSTED_MARK = "!"
# A nominal value with fewer pairable values than this makes alpha's interval unreliable
# (the rule and its calibration: framestudy.analysis.interval_warning).
MIN_RAREST_VALUES = 12
UNTRUSTED_LEGEND = (
    f"{UNTRUSTED_MARK} the data cannot support this CI or P(α<...): it would cover the true α "
    "less often than it says (docs/ci_coverage.md)"
)
