"""Model suggestions: text classifiers trained on the study's consensus values, measured
like a coder, and their answers pushed to Label Studio as pre-annotations (docs/model.md).

Modules, one job each: ``sentences`` (sentences with offsets), ``features`` (targets, gold
values, texts), ``evaluate`` (the model as one more coder: alpha, kappa, F1 with CIs),
``train`` (pipelines and cross-validation), ``store`` (the saved model and its
provenance), ``predictions`` (answers for articles, as Label Studio results),
``agreement`` (coders vs the model's suggestions: anchoring) and ``run`` (the commands'
reading and writing of the study's files). Nothing here is imported by the command line
until a ``framestudy model`` command runs (scikit-learn loads on use).
"""
