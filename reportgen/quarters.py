"""Quarter labels such as "Q4 2025/26": parsing, ordering and slugs."""
from __future__ import annotations

import re
from functools import lru_cache

_QUARTER = re.compile(r"^\s*Q([1-4])\s+(\d{4})/(\d{2})\s*$", re.IGNORECASE)


@lru_cache(maxsize=4096)  # a file names a few quarters on tens of thousands of rows
def parse(label: str) -> tuple[int, int] | None:
    """``"Q4 2025/26"`` -> ``(2025, 4)``; None if it is not a quarter label."""
    m = _QUARTER.match(str(label))
    if not m:
        return None
    start, end = int(m.group(2)), int(m.group(3))
    if (start + 1) % 100 != end:
        return None
    return start, int(m.group(1))


@lru_cache(maxsize=4096)
def normalise(label: str) -> str | None:
    p = parse(label)
    if p is None:
        return None
    year, q = p
    return f"Q{q} {year}/{(year + 1) % 100:02d}"


def sort_key(label: str) -> tuple[int, int]:
    p = parse(label)
    if p is None:
        raise ValueError(f"not a quarter label: {label!r}")
    return p


def slug(label: str) -> str:
    """``"Q4 2025/26"`` -> ``"2025-26-q4"``."""
    year, q = sort_key(label)
    return f"{year}-{(year + 1) % 100:02d}-q{q}"


def previous(label: str, available: list[str] | tuple[str, ...]) -> str | None:
    """The latest quarter in ``available`` before ``label``."""
    earlier = [a for a in available if sort_key(a) < sort_key(label)]
    return max(earlier, key=sort_key) if earlier else None


def end_date(label: str) -> str:
    """The last day of the quarter, ISO format: ``"Q4 2025/26"`` -> ``"2026-03-31"``."""
    year, q = sort_key(label)
    return {1: f"{year}-06-30", 2: f"{year}-09-30", 3: f"{year}-12-31", 4: f"{year + 1}-03-31"}[q]
