"""Simulation scenarios: what is planted in a synthetic study, from YAML or from defaults.

A scenario says which outlets there are and how often each one uses each value of each
schema variable (its *propensities*), which coders there are and how reliable each one is,
and which share of the articles every coder codes (the reliability sample). Everything not
written in the scenario file gets a default drawn from the seed, so
``framestudy simulate --outlets 3 --coders 3 --seed 7`` alone gives a study with planted
outlet differences. A scenario file looks like this (every key optional)::

    name: nato-blame-contrast
    seed: 7
    articles_per_outlet: 200
    reliability_share: 0.2
    outlets:
      - id: outlet-a
        name: Outlet A
        propensities:
          relevant: {"yes": 0.95}
          blame_actors: {NATO: 0.7, RUSSIA: 0.1}        # multi-select: P(value chosen)
          legit_nato_enlargement: {"-2": 0.5, NA: 0.3}  # single/ordinal: P(value)
      - id: outlet-b
        articles: 120
        propensities:
          blame_actors: {NATO: 0.1, RUSSIA: 0.8}
    coder_defaults: {accuracy: 0.9, confusion: adjacent, skip_rate: 0.02}
    coders:
      - email: alice@example.org
        accuracy: 0.95
        variables: {relevant: {accuracy: 0.99}, span: {accuracy: 0.8}}
      - email: bob@example.org
        confusion: prevalence
    # or simply `coders: 3`

Propensity semantics (``truth.json`` records the resolved numbers):

- single-choice and ordinal variables: a distribution over the variable's values; values
  left out share what is left equally (a full list must sum to 1);
- multi-select variables: for each value, the probability that it is chosen (values left
  out get a default);
- variables other than the gate (``relevant``) describe relevant articles only: an
  irrelevant article addresses nothing (NA, NOT_MENTIONED, NONE...), and coders who judge an
  article irrelevant answer no other question, as the codebook says;
- ``blame_primary`` is derived from ``blame_actors`` so the text never contradicts itself:
  no actor blamed -> NONE, one -> that actor, several -> SHARED with probability
  ``blame_primary: {SHARED: p}`` (default 0.3), else one of the blamed actors, drawn in
  proportion to its ``blame_actors`` propensity;
- span attributes ``blame_outcome`` and ``voice`` may be planted; the other span attributes
  follow from the document-level values (a LEGITIMACY span's object and polarity from the
  legitimacy variable it evidences, and so on).

Coder model keys (``coder_defaults``, each coder, and per variable under ``variables:``;
the key ``span`` means the span labels): ``accuracy`` P(code the true value), ``confusion``
how errors fall (``adjacent``: to neighbouring values of an ordinal scale, uniform for
nominal; ``uniform``: evenly over the other values; ``prevalence``: a guess drawn from the
value distribution, which makes the true alpha of a pair of coders exactly
accuracy_1 x accuracy_2), ``skip_rate`` P(skip an article), ``span_jitter`` mean number of
words a span boundary is moved, ``missed_spans`` P(miss a span), ``lead_time`` mean seconds
per article.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from framestudy.errors import UserError, describe_validation_error, dotted_location, yaml_error

# Variables with a simulator-specific role in the framing schema (used only if present).
GATE_VARIABLE = "relevant"
GATE_VALUE = "yes"
PRIMARY_VARIABLE = "blame_primary"
ACTORS_VARIABLE = "blame_actors"
SHARED_VALUE = "SHARED"
NO_BLAME_VALUE = "NONE"
DEFAULT_SHARED = 0.3
#: value ids meaning "nothing of the kind in the article" (besides ``not_addressed``)
NULL_VALUES = ("NOT_MENTIONED", "NONE", "NONE_ADVOCATED")
#: span attributes whose values follow from document-level values (see text.py)
DERIVED_ATTRIBUTES = (
    "legitimacy_object",
    "legitimacy_polarity",
    "blame_target",
    "guarantee_arrangement",
    "guarantee_stance",
)
SPAN_ITEM = "span"  # coder-model key for the span labels

DEFAULT_CODER = {
    "accuracy": 0.9,
    "confusion": "adjacent",
    "skip_rate": 0.02,
    "span_jitter": 0.5,
    "missed_spans": 0.1,
    "lead_time": 240.0,
}
#: by default coders differ: accuracy is drawn uniformly from this range per coder
DEFAULT_ACCURACY_RANGE = (0.85, 0.95)
DEFAULT_RELEVANCE = 0.9
MAX_ARTICLES = 2_000_000
MAX_CODERS = 50


# ----------------------------------------------------------------------------------------
# the YAML file


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _ItemModel(_Strict):
    accuracy: float | None = Field(default=None, ge=0, le=1)
    confusion: Literal["adjacent", "uniform", "prevalence"] | None = None


class _CoderModel(_ItemModel):
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    skip_rate: float | None = Field(default=None, ge=0, lt=1)
    span_jitter: float | None = Field(default=None, ge=0, le=20)
    missed_spans: float | None = Field(default=None, ge=0, le=1)
    lead_time: float | None = Field(default=None, gt=0)
    variables: dict[str, _ItemModel] = {}


class _OutletModel(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str | None = None
    articles: int | None = Field(default=None, ge=0, le=MAX_ARTICLES)
    country: str = "unknown"
    language: str = "en"
    type: str = "synthetic"
    propensities: dict[str, dict[str, float]] = {}


class _ScenarioFile(_Strict):
    name: str | None = None
    description: str | None = None
    seed: int | None = Field(default=None, ge=0)
    articles_per_outlet: int | None = Field(default=None, ge=0, le=MAX_ARTICLES)
    reliability_share: float | None = Field(default=None, gt=0, le=1)
    outlets: Any = None  # a number, or a list of outlets (checked in read_scenario_file)
    coders: Any = None  # a number, or a list of coders
    coder_defaults: _CoderModel | None = None


_LISTS = {"outlets": TypeAdapter(list[_OutletModel]), "coders": TypeAdapter(list[_CoderModel])}


def read_scenario_file(path: str | Path) -> dict[str, Any]:
    """Read and validate a scenario YAML file; the result feeds :func:`resolve_scenario`.

    Raises :class:`UserError` naming the file and the field at fault.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: scenario file not found -- check the path given to --scenario")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text -- save the scenario as UTF-8") from None
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise UserError(f"{path}: a scenario is a YAML mapping (name:, outlets:, coders: ...)")
    try:
        model = _ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(path, exc, ()) from None
    data = model.model_dump(exclude_none=False)
    for key, adapter in _LISTS.items():
        value = raw.get(key)
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 1:
                raise UserError(f"{path}: {key}: give a number of at least 1, or a list of {key}")
            continue
        if not isinstance(value, list):
            raise UserError(
                f"{path}: {key}: give a number of {key} or a list of them (got {value!r})"
            )
        try:
            data[key] = [m.model_dump() for m in adapter.validate_python(value)]
        except ValidationError as exc:
            raise _validation_error(path, exc, (key,)) from None
    data["_source"] = str(path)
    return data


def _validation_error(path: Path, exc: ValidationError, prefix: tuple) -> UserError:
    text = describe_validation_error(
        exc, first=True, locate=lambda loc: dotted_location(prefix + loc),
        unknown_hint=" (see `framestudy simulate --help`)", show_input=True,
    )
    return UserError(f"{path}: {text}")


# ----------------------------------------------------------------------------------------
# the resolved scenario


@dataclass(frozen=True)
class ItemModel:
    """How one coder codes one variable (or the span labels)."""

    accuracy: float
    confusion: str


@dataclass(frozen=True)
class Coder:
    """A simulated coder and the reliability model that generates their annotations."""

    email: str
    user_id: int
    accuracy: float
    confusion: str
    skip_rate: float
    span_jitter: float
    missed_spans: float
    lead_time: float
    variables: dict[str, ItemModel] = field(default_factory=dict)

    def item(self, item_id: str) -> ItemModel:
        """The accuracy and confusion pattern for one variable, attribute or ``span``."""
        return self.variables.get(item_id) or ItemModel(self.accuracy, self.confusion)

    def as_dict(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "user_id": self.user_id,
            "accuracy": self.accuracy,
            "confusion": self.confusion,
            "skip_rate": self.skip_rate,
            "span_jitter": self.span_jitter,
            "missed_spans": self.missed_spans,
            "lead_time": self.lead_time,
            "variables": {
                k: {"accuracy": v.accuracy, "confusion": v.confusion}
                for k, v in sorted(self.variables.items())
            },
        }


@dataclass(frozen=True)
class SimulatedOutlet:
    """A simulated outlet: its registry entry and the propensities planted in it.

    ``propensities[var][value]``: for single/ordinal variables the probability of the value
    (a distribution), for multi-select variables the probability that the value is chosen;
    for every variable but the gate, among relevant articles. ``blame_primary`` holds only
    ``SHARED`` (its other values are derived, see the module doc).
    """

    id: str
    name: str
    n_articles: int
    country: str
    language: str
    type: str
    propensities: dict[str, dict[str, float]]

    def registry_entry(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "country": self.country,
            "language": self.language,
            "type": self.type,
            "domains": [f"{self.id}.example"],
            "notes": "Synthetic outlet generated by framestudy simulate.",
        }


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    reliability_share: float
    outlets: list[SimulatedOutlet]
    coders: list[Coder]
    source: str | None = None
    description: str | None = None

    @property
    def n_articles(self) -> int:
        return sum(o.n_articles for o in self.outlets)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "seed": self.seed,
            "reliability_share": self.reliability_share,
            "outlets": [
                {
                    **o.registry_entry(),
                    "articles": o.n_articles,
                    "propensities": o.propensities,
                }
                for o in self.outlets
            ],
            "coders": [c.as_dict() for c in self.coders],
        }


def stream(seed: int, *keys: str | int) -> np.random.Generator:
    """An independent random stream for one purpose (e.g. ``stream(seed, "text", article)``).

    Streams are keyed by name, so adding a coder or an outlet never changes what the other
    streams draw.
    """
    words = [seed & 0xFFFFFFFF, seed >> 32]
    for key in keys:
        if isinstance(key, int | np.integer) and not isinstance(key, bool) and 0 <= key < 2**32:
            words.append(int(key))
        else:
            words.append(zlib.crc32(str(key).encode("utf-8")))
    return np.random.default_rng(np.random.SeedSequence(words))


def _outlet_ids(n: int) -> list[str]:
    ids = []
    for i in range(n):
        letters, j = "", i
        while True:
            letters = chr(ord("a") + j % 26) + letters
            j = j // 26 - 1
            if j < 0:
                break
        ids.append(f"outlet-{letters}")
    return ids


def _round(x: float) -> float:
    return float(round(float(x), 6))


def _default_distribution(rng: np.random.Generator, values: list[str]) -> dict[str, float]:
    """A random but not extreme distribution over ``values`` (Dirichlet, concentration 2)."""
    p = rng.dirichlet(np.full(len(values), 2.0))
    p = np.maximum(p, 0.01)
    p = p / p.sum()
    out = {v: _round(x) for v, x in zip(values, p, strict=True)}
    # keep the sum exactly 1 after rounding
    out[values[-1]] = _round(1.0 - sum(out[v] for v in values[:-1]))
    return out


def _complete_distribution(
    given: dict[str, float], values: list[str], where: str
) -> dict[str, float]:
    total = sum(given.values())
    rest = [v for v in values if v not in given]
    if total > 1 + 1e-6:
        raise UserError(f"{where}: probabilities sum to {total:.4g} > 1 -- make them sum to at most 1")
    if not rest and abs(total - 1) > 1e-6:
        raise UserError(
            f"{where}: every value is listed but the probabilities sum to {total:.4g} -- make them sum to 1"
        )
    out = {}
    share = (1.0 - total) / len(rest) if rest else 0.0
    for v in values:
        out[v] = _round(given[v]) if v in given else _round(share)
    return out


class SchemaItems:
    """What the scenario needs to know about the schema's coded items."""

    def __init__(self, schema):
        self.schema = schema
        self.document = {v.id: v for v in schema.variables}
        self.attributes = {a.id: a for a in schema.attributes}

    def values(self, item_id: str) -> list[str]:
        item = self.document.get(item_id) or self.attributes[item_id]
        return [v.id for v in self.schema.values(item)]

    def kind(self, item_id: str) -> str:
        item = self.document.get(item_id) or self.attributes[item_id]
        return item.type  # single | multiple | ordinal

    @property
    def gate(self) -> str | None:
        var = self.document.get(GATE_VARIABLE)
        if var is not None and GATE_VALUE in self.values(GATE_VARIABLE):
            return GATE_VARIABLE
        return None

    @property
    def derived_primary(self) -> bool:
        p, a = self.document.get(PRIMARY_VARIABLE), self.document.get(ACTORS_VARIABLE)
        if p is None or a is None or a.type != "multiple" or p.type == "multiple":
            return False
        pv, av = set(self.values(PRIMARY_VARIABLE)), set(self.values(ACTORS_VARIABLE))
        return av <= pv and {SHARED_VALUE, NO_BLAME_VALUE} <= pv

    def planted(self) -> list[str]:
        """Items whose propensities a scenario sets (document variables + free attributes)."""
        items = list(self.document)
        items += [a for a in self.attributes if a not in DERIVED_ATTRIBUTES]
        return items


def _outlet_propensities(
    items: SchemaItems, given: dict[str, dict[str, float]], rng_seed: int, outlet_id: str, where: str
) -> dict[str, dict[str, float]]:
    planted = items.planted()
    for var, dist in given.items():
        here = f"{where}.propensities.{var}"
        if var in DERIVED_ATTRIBUTES and var in items.attributes:
            raise UserError(
                f"{here}: span attribute {var!r} follows from the document-level values in the "
                "simulator -- plant the document variable it evidences instead"
            )
        if var not in planted:
            known = ", ".join(planted)
            raise UserError(f"{here}: {var!r} is not a variable of the schema -- use one of: {known}")
        values = items.values(var)
        for value, p in dist.items():
            if value not in values:
                raise UserError(
                    f"{here}: {value!r} is not a value of {var} -- use one of: {', '.join(values)}"
                )
            if not 0 <= p <= 1:
                raise UserError(f"{here}.{value}: probability {p!r} is not between 0 and 1")
        if var == PRIMARY_VARIABLE and items.derived_primary and set(dist) - {SHARED_VALUE}:
            raise UserError(
                f"{here}: blame_primary is derived from blame_actors in the simulator -- plant "
                f"blame_actors, and set only {SHARED_VALUE} here (P(shared) when several actors "
                "are blamed)"
            )

    out: dict[str, dict[str, float]] = {}
    for var in planted:
        rng = stream(rng_seed, "propensity", outlet_id, var)
        values = items.values(var)
        dist = dict(given.get(var, {}))
        here = f"{where}.propensities.{var}"
        if var == PRIMARY_VARIABLE and items.derived_primary:
            out[var] = {SHARED_VALUE: _round(dist.get(SHARED_VALUE, DEFAULT_SHARED))}
            continue
        if items.kind(var) == "multiple":
            defaults = rng.beta(1.5, 4.0, size=len(values))
            out[var] = {
                v: _round(dist[v]) if v in dist else _round(d)
                for v, d in zip(values, defaults, strict=True)
            }
            continue
        if var == items.gate and not dist:
            other = [v for v in values if v != GATE_VALUE]
            dist = {GATE_VALUE: DEFAULT_RELEVANCE}
            if other:
                out[var] = _complete_distribution(dist, values, here)
                continue
        if dist:
            out[var] = _complete_distribution(dist, values, here)
        else:
            out[var] = _default_distribution(rng, values)
    return out


def _coder_from(
    spec: dict[str, Any], defaults: dict[str, Any], index: int, seed: int, items: SchemaItems, where: str
) -> Coder:
    merged = dict(DEFAULT_CODER)
    if defaults.get("accuracy") is None and spec.get("accuracy") is None:
        lo, hi = DEFAULT_ACCURACY_RANGE
        merged["accuracy"] = _round(stream(seed, "coder-accuracy", index).uniform(lo, hi))
    for source in (defaults, spec):
        for key in DEFAULT_CODER:
            if source.get(key) is not None:
                merged[key] = source[key]
    known = set(items.document) | set(items.attributes) | {SPAN_ITEM}
    variables: dict[str, ItemModel] = {}
    for source_name, source in (("coder_defaults", defaults), (where, spec)):
        for item_id, model in (source.get("variables") or {}).items():
            if item_id not in known:
                raise UserError(
                    f"{source_name}.variables.{item_id}: not a variable, span attribute or "
                    f"'{SPAN_ITEM}' of the schema -- use one of: {', '.join(sorted(known))}"
                )
            base = variables.get(item_id) or ItemModel(merged["accuracy"], merged["confusion"])
            variables[item_id] = ItemModel(
                accuracy=float(model["accuracy"]) if model.get("accuracy") is not None else base.accuracy,
                confusion=model.get("confusion") or base.confusion,
            )
    email = spec.get("email") or f"coder{index + 1}@example.org"
    return Coder(
        email=email.lower(),
        user_id=index + 2,  # Label Studio: user 1 is the admin who set the study up
        accuracy=float(merged["accuracy"]),
        confusion=str(merged["confusion"]),
        skip_rate=float(merged["skip_rate"]),
        span_jitter=float(merged["span_jitter"]),
        missed_spans=float(merged["missed_spans"]),
        lead_time=float(merged["lead_time"]),
        variables=variables,
    )


def resolve_scenario(
    schema,
    data: dict[str, Any] | None = None,
    *,
    outlets: int | None = None,
    articles_per_outlet: int | None = None,
    coders: int | None = None,
    seed: int | None = None,
    reliability_share: float | None = None,
) -> Scenario:
    """The complete scenario: the file's settings (``data`` from :func:`read_scenario_file`,
    or None) with command-line values and seeded defaults filled in.

    A command-line count that contradicts a list in the file is a :class:`UserError`.
    """
    data = dict(data or {})
    src = data.get("_source") or "scenario"
    seed = seed if seed is not None else (data.get("seed") if data.get("seed") is not None else 0)
    if seed < 0:
        raise UserError(f"--seed {seed}: the seed must be a non-negative integer")
    items = SchemaItems(schema)
    resolved_outlets = _resolve_outlets(data, src, items, seed, outlets, articles_per_outlet)
    resolved_coders = _resolve_coders(data, src, items, seed, coders)

    share = reliability_share if reliability_share is not None else data.get("reliability_share")
    share = 0.2 if share is None else float(share)
    if not 0 < share <= 1:
        raise UserError(f"--reliability-share {share}: give a share above 0 and at most 1")

    return Scenario(
        name=data.get("name") or "synthetic-study",
        description=data.get("description"),
        seed=int(seed),
        reliability_share=share,
        outlets=resolved_outlets,
        coders=resolved_coders,
        source=data.get("_source"),
    )


def _resolve_outlets(data: dict[str, Any], src: str, items: SchemaItems, seed: int,
                     outlets: int | None, articles_per_outlet: int | None) -> list[SimulatedOutlet]:
    """The scenario's outlets (its list, or ``outlets`` generated ones), each with its
    article count and seeded propensities."""
    per_outlet = articles_per_outlet
    if per_outlet is None:
        per_outlet = data.get("articles_per_outlet")
    if per_outlet is None:
        per_outlet = 100
    if per_outlet < 0 or per_outlet > MAX_ARTICLES:
        raise UserError(f"--articles-per-outlet {per_outlet}: give a number from 0 to {MAX_ARTICLES}")

    outlet_specs = data.get("outlets")
    if isinstance(outlet_specs, list):
        if outlets is not None and outlets != len(outlet_specs):
            raise UserError(
                f"{src}: outlets lists {len(outlet_specs)} outlet(s) but --outlets {outlets} was "
                "given -- drop --outlets or edit the scenario"
            )
        ids = [o["id"] for o in outlet_specs]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise UserError(f"{src}: outlets: id {dupes[0]!r} is listed twice -- give each outlet its own id")
    else:
        n = outlets if outlets is not None else (outlet_specs if outlet_specs is not None else 3)
        if n < 1 or n > 500:
            raise UserError(f"--outlets {n}: give a number of outlets from 1 to 500")
        outlet_specs = [{"id": i} for i in _outlet_ids(n)]

    resolved_outlets = []
    for i, spec in enumerate(outlet_specs):
        oid = spec["id"]
        where = f"{src}: outlets[{i}] ({oid})"
        n_articles = spec.get("articles")
        if n_articles is None:
            n_articles = per_outlet
        name = spec.get("name") or " ".join(w.capitalize() for w in oid.split("-"))
        resolved_outlets.append(
            SimulatedOutlet(
                id=oid,
                name=name,
                n_articles=int(n_articles),
                country=spec.get("country") or "unknown",
                language=spec.get("language") or "en",
                type=spec.get("type") or "synthetic",
                propensities=_outlet_propensities(
                    items, spec.get("propensities") or {}, seed, oid, where
                ),
            )
        )
    total = sum(o.n_articles for o in resolved_outlets)
    if total > MAX_ARTICLES:
        raise UserError(f"{src}: {total} articles in all -- the simulator makes at most {MAX_ARTICLES}")
    return resolved_outlets


def _resolve_coders(data: dict[str, Any], src: str, items: SchemaItems, seed: int,
                    coders: int | None) -> list[Coder]:
    """The scenario's coders (its list, or ``coders`` default ones), each with its seeded
    reliability model; e-mails must differ."""
    coder_specs = data.get("coders")
    if isinstance(coder_specs, list):
        if coders is not None and coders != len(coder_specs):
            raise UserError(
                f"{src}: coders lists {len(coder_specs)} coder(s) but --coders {coders} was "
                "given -- drop --coders or edit the scenario"
            )
    else:
        n = coders if coders is not None else (coder_specs if coder_specs is not None else 3)
        if n < 1 or n > MAX_CODERS:
            raise UserError(f"--coders {n}: give a number of coders from 1 to {MAX_CODERS}")
        coder_specs = [{} for _ in range(n)]
    if not coder_specs:
        raise UserError(f"{src}: coders: the list is empty -- give at least one coder")
    defaults = data.get("coder_defaults") or {}
    resolved_coders = [
        _coder_from(spec, defaults, i, seed, items, f"{src}: coders[{i}]")
        for i, spec in enumerate(coder_specs)
    ]
    emails = [c.email for c in resolved_coders]
    dupes = sorted({e for e in emails if emails.count(e) > 1})
    if dupes:
        raise UserError(f"{src}: coders: e-mail {dupes[0]!r} is listed twice -- give each coder their own")
    return resolved_coders
