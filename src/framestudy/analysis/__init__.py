"""Inter-coder agreement: pure functions from reliability data to coefficients.

Modules, one job each: ``data`` (encode units x coders tables), ``distances`` (delta
functions and kappa weights), ``alpha`` (Krippendorff's alpha and its coincidence-matrix
diagnostics), ``kappa`` (percent agreement and the kappa family with Gwet's standard
errors), ``bootstrap`` (vectorised bootstrap of alpha), ``unitizing`` (spans),
``diagnostics`` (ranked disagreements), ``json_report`` (the ``--json`` contract),
``variable_agreement`` (every schema variable of a study), ``reliability_data`` (the only
module that reads files) and ``vocabulary`` (the names the engine accepts, without numpy).
See docs/agreement.md. The outlet comparison (docs/outlets.md; import from the modules):
``consensus`` (one analysis value per article and variable, with its provenance), ``gate``
(the reliability gate), ``outlet_stats`` (prevalence, contingency tests, Cramér's V,
pairwise and across-variable corrections), ``outlet_models`` (logistic, multinomial and
ordinal regressions on outlet), ``correspondence`` (correspondence analysis) and
``outlets`` (the study's comparison, as ``framestudy outlets`` runs it).
"""

from framestudy.lazy import lazy_exports

# The public functions, imported from their modules on first use (PEP 562), so that importing
# one light module (``framestudy.analysis.vocabulary``) does not load numpy and pandas. No
# module is named like a function it exports: importing the module would set the package
# attribute to the module and shadow the function.
_EXPORTS = {
    "alpha_by_group": "alpha",
    "category_agreement": "alpha",
    "coincidence_matrix": "alpha",
    "krippendorff_alpha": "alpha",
    "leave_one_coder_out": "alpha",
    "set_value_alphas": "alpha",
    "bootstrap_alpha": "bootstrap",
    "AgreementInputError": "data",
    "CategoryOrderError": "data",
    "Coded": "data",
    "encode": "data",
    "units_by_coders": "data",
    "disagreements": "diagnostics",
    "agreement_diagnostics": "json_report",
    "agreement_report": "json_report",
    "unitizing_report": "json_report",
    "brennan_prediger": "kappa",
    "cohen_kappa": "kappa",
    "conger_kappa": "kappa",
    "fleiss_kappa": "kappa",
    "gwet_ac": "kappa",
    "percent_agreement": "kappa",
    "scott_pi": "kappa",
    "match_spans": "unitizing",
    "presence_indicators": "unitizing",
    "span_f1": "unitizing",
    "unitizing_alpha": "unitizing",
    "study_agreement": "variable_agreement",

    "study_disagreements": "variable_agreement",
}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = sorted(_EXPORTS)
