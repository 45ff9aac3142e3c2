"""Study design tools: synthetic studies with known truth, and reliability-sample planning.

- :mod:`.scenario`  what is planted (outlets' propensities, coders' reliability models),
                    from a YAML scenario file or seeded defaults;
- :mod:`.articles`  each article's true codes and their exact distribution per outlet;
- :mod:`.text`      generated article text with an evidence sentence for every value;
- :mod:`.coders`    the coder reliability model (confusion, skips, span jitter, misses);
- :mod:`.export`    codings -> a Label Studio JSON export in the server's exact shape;
- :mod:`.truth`     the exact population alpha implied by the coder model;
- :mod:`.study`     writes the complete study (``framestudy simulate``);
- :mod:`.planning`  power of the reliability test by simulation (``framestudy plan``).

Library use::

    from framestudy.schema import load_schema
    from framestudy.simulation import resolve_scenario, read_scenario_file, simulate_study

    schema = load_schema("schemas/framing.yaml")
    scenario = resolve_scenario(schema, read_scenario_file("scenario.yaml"), seed=7)
    result = simulate_study("synthetic", scenario, "schemas/framing.yaml")
"""

# The public names, imported from their modules on first use (PEP 562): ``framestudy plan``
# needs only :mod:`.planning`, not the whole study writer and the pipeline stages it imports.
_EXPORTS = {
    "Scenario": "scenario",
    "read_scenario_file": "scenario",
    "resolve_scenario": "scenario",
    "SimulationResult": "study",
    "simulate_study": "study",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'framestudy.simulation' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"framestudy.simulation.{module}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Scenario",
    "SimulationResult",
    "read_scenario_file",
    "resolve_scenario",
    "simulate_study",
]
