"""The shape of a year's methodology file (``reportgen/years/nof-YYYY-YY.toml``).

Every key the program reads is declared here with its type, so a file with a
missing, misspelt or wrongly typed key is refused with one sentence naming the
key and the file, before any data is read. The models only check: the program
goes on reading the file's own values through ``reportgen.config.Config``.

Sections that other parts of the program may grow (``[year]`` and the top
level) accept keys they do not know; the rule sections refuse them, so a
misspelt rule is never silently ignored.
"""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from . import quarters as Q
from .errors import ConfigError

Basis = Literal["NHSE", "verified", "inferred"]
PERCENTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf",
                      "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
                      "hazen", "weibull", "median_unbiased", "normal_unbiased")


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class _Open(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow", frozen=True)


class Year(_Open):
    name: str = Field(pattern=r"^\d{4}/\d{2}$")
    title: str = Field(min_length=1)
    quarters: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _quarters_of_the_year(self) -> Year:
        for label in self.quarters:
            norm = Q.normalise(label)
            if norm != label:
                raise ValueError(f"'{label}' in quarters is not a quarter label such as 'Q1 {self.name}'")
            if label.split()[1] != self.name:
                raise ValueError(f"'{label}' in quarters is not a quarter of the year {self.name}")
        if len(set(self.quarters)) != len(self.quarters):
            raise ValueError("quarters lists a quarter twice")
        return self


class TrustType(_Strict):
    plural: str
    aliases: list[str] = []
    subtypes: list[str] = []


class Domain(_Strict):
    name: str
    score_id: str
    segment_id: str


class Summary(_Strict):
    average: str
    unadjusted_segment: str
    deficit: str
    adjusted_segment: str
    recovery_flag: str
    final_segment: str


class Scores(_Strict):
    prefix: str = Field(min_length=1)
    raw_prefix: str = Field(min_length=1)
    minimum: float
    maximum: float
    decimals: int = Field(ge=0, le=6)
    basis: Basis = "inferred"

    @model_validator(mode="after")
    def _rising(self) -> Scores:
        if not self.minimum < self.maximum:
            raise ValueError("minimum must be below maximum")
        return self


class Combined(_Strict):
    name: str
    id: str
    members: list[str] = Field(min_length=2)
    method: Literal["replace", "mean"]
    basis: Basis = "inferred"


class Average(_Strict):
    decimals: int = Field(ge=0, le=6)
    basis: Basis = "inferred"
    use_published: bool = True


class Segmentation(_Strict):
    method: Literal["pooled-quartiles", "fixed"]
    percentile_method: Literal[PERCENTILE_METHODS] = "linear"  # type: ignore[valid-type]
    boundary: Literal["upper-inclusive", "lower-inclusive"]
    cutoffs: list[float] = []
    basis: Basis = "inferred"

    @model_validator(mode="after")
    def _fixed_needs_cutoffs(self) -> Segmentation:
        if self.method == "fixed":
            c = self.cutoffs
            if len(c) != 3 or not c[0] < c[1] < c[2]:
                raise ValueError("cutoffs must be three rising average scores when method is \"fixed\"")
        return self


class Override(_Strict):
    deficit_segments: list[int] = Field(min_length=1)
    to_segment: int = Field(ge=1, le=4)
    basis: Basis = "inferred"


class RecoverySupport(_Strict):
    segment: int = Field(ge=1)
    basis: Basis = "inferred"


class Ranking(_Strict):
    key: list[str]
    ties: Literal["min"]
    order_ties_by: str
    basis: Basis = "inferred"


class DomainRanking(_Strict):
    ties: Literal["min"]
    basis: Basis = "inferred"


class Reconcile(_Strict):
    rounding_tolerance: float = Field(ge=0)


class Publisher(_Strict):
    """Who publishes the documents; empty means not yet configured (the documents say so)."""

    name: str = ""
    contact: str = ""
    response_time: str = ""
    data_publisher: str = Field(default="NHS England", min_length=1)


class Changes(_Strict):
    """The move in average score above which a segment change is a change in score (inferred)."""

    average_threshold: float = Field(ge=0)
    basis: Basis = "inferred"


class Metric(_Strict):
    rule: Literal["rank", "target", "floor", "steps", "unknown"]
    better: Literal["higher", "lower"] | None = None
    population: Any = "type"
    target: float | None = None
    target_inclusive: bool = True
    floor: float | None = None
    steps: list[float] | None = None
    units: str | None = None
    fallback_units: str | None = None
    fallback_rule: Literal["count_plus_one"] | None = None
    zero_scores_best: bool = False
    score_only: bool = False
    published_rank_basis: Basis | None = None
    basis: Basis = "inferred"

    @field_validator("population")
    @classmethod
    def _population(cls, value: Any) -> Any:
        if value == "type" or (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            return value
        raise ValueError("should be \"type\" or a list of trust types")

    @model_validator(mode="after")
    def _rule_needs(self) -> Metric:
        needs = {"target": "target", "floor": "floor", "steps": "steps"}.get(self.rule)
        if needs and getattr(self, needs) is None:
            raise ValueError(f"rule \"{self.rule}\" needs {needs}")
        if self.rule == "steps" and len(self.steps or ()) != 3:
            raise ValueError("steps must hold three values")
        if self.rule != "unknown" and self.better is None and self.rule != "steps":
            raise ValueError(f"rule \"{self.rule}\" needs better (\"higher\" or \"lower\")")
        if self.fallback_units and not self.fallback_rule:
            raise ValueError("fallback_units needs fallback_rule")
        return self


class FinanceCombination(_Strict):
    id: str
    description: str = "Combined finance"
    variance_score: str
    plan_value: str
    plan_score: str
    method: Literal["simple", "capped"] = "simple"
    basis: Basis = "inferred"


class YearFile(_Open):
    year: Year
    trust_types: dict[str, TrustType] = Field(min_length=1)
    domains: list[Domain] = Field(min_length=1)
    summary: Summary
    scores: Scores
    combined: list[Combined] = []
    average: Average
    segmentation: Segmentation
    override: Override
    recovery_support: RecoverySupport
    ranking: Ranking
    domain_ranking: DomainRanking
    reconcile: Reconcile
    publisher: Publisher = Publisher()
    changes: Changes
    metrics: dict[str, Metric] = {}
    finance_combination: FinanceCombination | None = None

    @model_validator(mode="after")
    def _known_types(self) -> YearFile:
        known = set(self.trust_types)
        for raw_id, metric in self.metrics.items():
            if isinstance(metric.population, list):
                unknown = [t for t in metric.population if t not in known]
                if unknown:
                    raise ValueError(f"metrics.{raw_id}.population names '{unknown[0]}', which is not one of "
                                     f"the configured trust_types")
        lo, hi = self.scores.minimum, self.scores.maximum
        if any(not lo <= c <= hi for c in self.segmentation.cutoffs):
            raise ValueError(f"segmentation.cutoffs must lie between scores.minimum ({lo:g}) and "
                             f"scores.maximum ({hi:g})")
        return self


def _where(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a TOML key: ("metrics", "OF0048", "target") -> metrics.OF0048.target."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if part.replace("_", "").replace("-", "").isalnum() else f'"{part}"'
            out += f".{text}" if out else text
    return out


def _problem(error: ErrorDetails) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a key reportgen knows (is it misspelt?)"
    if kind == "too_short":
        n = int((error.get("ctx") or {}).get("min_length", 1))
        have = len(value) if isinstance(value, (list, dict, str)) else 0
        return f"should hold at least {n} value{'s' if n != 1 else ''}, but holds {have}"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Input "):
        message = message.removeprefix(prefix)
    if kind == "value_error":
        return message
    shown = f", not {value!r}" if isinstance(value, (str, int, float, bool)) else ""
    return f"{message[0].lower()}{message[1:]}{shown}"


def validate(raw: Any, path: Path) -> None:
    """Check a year's methodology file; raise ``ConfigError`` naming the first bad key and the file."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the methodology configuration is not a TOML table of keys.")
    try:
        YearFile.model_validate(raw)
    except ValidationError as exc:
        errors = list(exc.errors())
        # A misspelt key shows as an unknown key and a missing one: name the misspelling first.
        errors.sort(key=lambda e: e["type"] != "extra_forbidden")
        first = errors[0]
        key = _where(tuple(first["loc"]))
        if first["type"] == "extra_forbidden":
            parent = tuple(first["loc"])[:-1]
            missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and tuple(e["loc"])[:-1] == parent]
            close = difflib.get_close_matches(str(first["loc"][-1]), missing, n=1)
            if close:
                more = len(errors) - 2
                extra = f" (and {more} more problem{'s' if more != 1 else ''})" if more else ""
                raise ConfigError(f"{path}: in the methodology configuration, {key} is not a key reportgen "
                                  f"knows (did you mean {close[0]}?){extra}.") from None
        more = len(errors) - 1
        extra = f" (and {more} more problem{'s' if more != 1 else ''})" if more else ""
        if key:
            raise ConfigError(f"{path}: in the methodology configuration, {key} {_problem(first)}{extra}.") from None
        raise ConfigError(f"{path}: the methodology configuration {_problem(first)}{extra}.") from None
