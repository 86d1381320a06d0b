"""The per-year methodology configuration (``reportgen/years/nof-YYYY-YY.toml``).

The TOML file is the one source of truth for every rule; this module only
reads it into a typed, read-only value.
"""
from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

YEARS_DIR = Path(__file__).parent / "years"
DEFAULT_YEAR = "nof-2025-26"


@dataclass(frozen=True)
class Domain:
    name: str
    score_id: str
    segment_id: str


@dataclass(frozen=True)
class Combined:
    name: str
    id: str
    members: tuple[str, ...]
    method: str  # "replace" or "mean"
    basis: str


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


class Config:
    """Read-only view of one year's methodology file."""

    def __init__(self, raw: Mapping[str, Any], path: Path):
        self.raw = _freeze(dict(raw))
        self.path = path

    def __reduce__(self):
        # Read-only mappings do not pickle; worker processes get a plain copy.
        return (Config, (_thaw(self.raw), self.path))

    @classmethod
    def load(cls, path: str | Path | None = None) -> Config:
        p = Path(path) if path else YEARS_DIR / f"{DEFAULT_YEAR}.toml"
        with open(p, "rb") as fh:
            return cls(tomllib.load(fh), p)

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    @property
    def title(self) -> str:
        return self.raw["year"]["title"]

    @property
    def quarters(self) -> tuple[str, ...]:
        return self.raw["year"]["quarters"]

    @cached_property
    def trust_types(self) -> tuple[str, ...]:
        return tuple(self.raw["trust_types"].keys())

    @cached_property
    def type_aliases(self) -> Mapping[str, str]:
        """Every accepted spelling of a trust type, mapped to its canonical name."""
        out = {}
        for name, spec in self.raw["trust_types"].items():
            out[name] = name
            for alias in spec.get("aliases", ()):
                out[alias] = name
        return MappingProxyType(out)

    def plural(self, trust_type: str) -> str:
        return self.raw["trust_types"][trust_type]["plural"]

    @cached_property
    def domains(self) -> tuple[Domain, ...]:
        return tuple(Domain(d["name"], d["score_id"], d["segment_id"]) for d in self.raw["domains"])

    @cached_property
    def combined(self) -> tuple[Combined, ...]:
        return tuple(
            Combined(c["name"], c["id"], tuple(c["members"]), c["method"], c.get("basis", "inferred"))
            for c in self.raw.get("combined", ())
        )

    @property
    def summary_ids(self) -> Mapping[str, str]:
        return self.raw["summary"]

    @property
    def score_prefix(self) -> str:
        return self.raw["scores"]["prefix"]

    @property
    def raw_prefix(self) -> str:
        return self.raw["scores"]["raw_prefix"]

    def score_id_of(self, raw_id: str) -> str:
        """The score ID of raw metric ``raw_id`` (OF0061 -> OF1061)."""
        return self.score_prefix + raw_id[len(self.raw_prefix):]

    def raw_id_of(self, score_id: str) -> str:
        return self.raw_prefix + score_id[len(self.score_prefix):]

    @property
    def score_range(self) -> tuple[float, float]:
        s = self.raw["scores"]
        return float(s["minimum"]), float(s["maximum"])

    @property
    def decimals(self) -> int:
        return int(self.raw["average"]["decimals"])

    @property
    def tolerance(self) -> float:
        return float(self.raw["reconcile"]["rounding_tolerance"])

    def metric(self, raw_id: str) -> Mapping[str, Any]:
        return self.raw["metrics"].get(raw_id, MappingProxyType({}))

    def basis(self, section: str) -> str:
        return self.raw[section].get("basis", "inferred")

    @cached_property
    def publisher(self) -> Publisher:
        p = self.raw.get("publisher", {})
        return Publisher(name=str(p.get("name", "")).strip(), contact=str(p.get("contact", "")).strip(),
                         response_time=str(p.get("response_time", "")).strip(),
                         data_publisher=str(p.get("data_publisher", "NHS England")).strip() or "NHS England")

    @property
    def change_threshold(self) -> float:
        """The move in average score above which a segment change counts as a change in score (inferred)."""
        return float(self.raw["changes"]["average_threshold"])


NOT_CONFIGURED = "not yet configured"


@dataclass(frozen=True)
class Publisher:
    """Who publishes the documents, from the year's ``[publisher]`` table.

    Empty values mean not configured: ``name_text`` and ``contact_text`` then say
    so in words rather than inventing a publisher or an address."""

    name: str
    contact: str
    response_time: str
    data_publisher: str

    @property
    def configured(self) -> bool:
        return bool(self.name and self.contact)

    @property
    def name_text(self) -> str:
        return self.name or f"publisher {NOT_CONFIGURED} (set publisher.name in the year's configuration)"

    @property
    def contact_text(self) -> str:
        return self.contact or f"contact {NOT_CONFIGURED} (set publisher.contact in the year's configuration)"
