"""Study design tools: synthetic studies with known truth, and reliability-sample planning.

- :mod:`.scenario`          what is planted (outlets' propensities, coders' reliability models),
                            from a YAML scenario file or seeded defaults;
- :mod:`.true_codes`        each article's true codes and their exact distribution per outlet;
- :mod:`.text`              generated article text with an evidence sentence for every value;
- :mod:`.coders`            the coder reliability model (confusion, skips, span jitter, misses);
- :mod:`.export`            codings -> a Label Studio JSON export in the server's exact shape;
- :mod:`.truth`             the exact population alpha implied by the coder model;
- :mod:`.synthetic_study`   writes the complete study (``framestudy simulate``);
- :mod:`.planning`          power of the reliability test by simulation (``framestudy plan``).

Library use::

    from framestudy.schema import load_schema
    from framestudy.simulation import resolve_scenario, read_scenario_file, simulate_study

    schema = load_schema("schemas/framing.yaml")
    scenario = resolve_scenario(schema, read_scenario_file("scenario.yaml"), seed=7)
    result = simulate_study("synthetic", scenario, "schemas/framing.yaml")
"""

from framestudy.lazy import lazy_exports

# The public names, imported from their modules on first use: ``framestudy plan`` needs only
# :mod:`.planning`, not the whole study writer and the pipeline stages it imports.
__getattr__, __dir__ = lazy_exports(__name__, {
    "Scenario": "scenario",
    "read_scenario_file": "scenario",
    "resolve_scenario": "scenario",
    "SimulationResult": "synthetic_study",
    "simulate_study": "synthetic_study",
})

__all__ = [
    "Scenario",
    "SimulationResult",
    "read_scenario_file",
    "resolve_scenario",
    "simulate_study",
]
