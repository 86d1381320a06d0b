"""The per-year methodology configuration (``reportgen/years/nof-YYYY-YY.toml``).

The TOML file is the one source of truth for every rule; this module reads it,
checks it against ``reportgen.config_schema`` and holds it as a read-only
value. A year is a file: the year's rules are chosen from the quarter labels
in the data (``for_quarters``), so adding a year means adding a file.
"""
from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import quarters as Q
from .errors import ConfigError

YEARS_DIR = Path(__file__).parent / "years"
DEFAULT_YEAR = "nof-2025-26"
ADDING_A_YEAR = "docs/adding-a-year.md"


def year_file_name(year: str) -> str:
    """``"2026/27"`` -> ``"nof-2026-27"``."""
    start, end = year.split("/")
    return f"nof-{start}-{end}"


def configured_years() -> dict[str, Path]:
    """Every year with a methodology file beside the default one: ``{"2025/26": path, ...}``, oldest first."""
    out = {}
    for p in sorted(YEARS_DIR.glob("nof-*.toml")):
        parts = p.stem.split("-")
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            out[f"{parts[1]}/{parts[2]}"] = p
    return out


def year_of(label: str) -> str | None:
    """``"Q1 2026/27"`` -> ``"2026/27"``; None if ``label`` is not a quarter label."""
    norm = Q.normalise(label)
    return norm.split()[1] if norm else None


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
        """Read and check one methodology file; raise ``ConfigError`` with one sentence if it cannot be used."""
        from .config_schema import validate

        p = Path(path) if path else YEARS_DIR / f"{DEFAULT_YEAR}.toml"
        try:
            with open(p, "rb") as fh:
                raw = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"{p}: no such methodology configuration file.") from None
        except IsADirectoryError:
            raise ConfigError(f"{p}: is a folder, not a methodology configuration file.") from None
        except OSError as exc:
            raise ConfigError(f"{p}: cannot read the methodology configuration ({exc.strerror or exc}).") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{p}: the methodology configuration is not valid TOML ({exc}).") from None
        validate(raw, p)
        return cls(raw, p)

    @classmethod
    def for_year(cls, year: str, quarter: str | None = None) -> Config:
        """The configured rules of ``year`` ("2026/27"); ``ConfigError`` naming the configured years if none."""
        years = configured_years()
        if year not in years:
            have = ", ".join(years) or "none"
            example = year_file_name(year)
            held = f"{quarter}, a quarter of {year}" if quarter else f"quarters of {year}"
            raise ConfigError(
                f"the input holds {held}, but reportgen has methodology rules for {have} only: to add "
                f"{year}, copy reportgen/years/{year_file_name(list(years)[-1]) if years else DEFAULT_YEAR}.toml "
                f"to reportgen/years/{example}.toml and set that year's rules (see {ADDING_A_YEAR}), "
                f"or give a configuration file with --config."
            )
        config = cls.load(years[year])
        if config.year != year:
            raise ConfigError(f"{years[year]}: the file name says {year} but [year] name says {config.year}.")
        return config

    @classmethod
    def for_quarters(cls, labels: Iterable[str]) -> Config:
        """The rules of the year the quarter labels belong to (the latest configured year if none is given)."""
        by_year: dict[str, str] = {}
        for label in labels:
            y = year_of(label)
            if y and (y not in by_year or Q.sort_key(label) < Q.sort_key(by_year[y])):
                by_year[y] = Q.normalise(label) or label
        years = sorted(by_year)
        if not years:
            configured = configured_years()
            return cls.for_year(list(configured)[-1]) if configured else cls.load()
        if len(years) > 1:
            raise ConfigError(
                f"the input holds quarters of {' and '.join(years)}, and each year has its own rules: "
                f"give one year's files (or choose the rules with --config)."
            )
        return cls.for_year(years[0], by_year[years[0]])

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    @property
    def year(self) -> str:
        """The year these rules are for, such as "2025/26"."""
        return self.raw["year"]["name"]

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
        return self.name or f"the publisher, {NOT_CONFIGURED} (set publisher.name in the year's file)"

    @property
    def contact_text(self) -> str:
        return self.contact or f"address {NOT_CONFIGURED} (set publisher.contact in the year's file)"
