"""Plain words for the packs: metric names, units, trust names and acronyms.

- ``metric_name(score_id, description)``: a metric named in plain words for
  prose ("staff sickness absence"); the published description is the fallback
  for a metric not listed here, with its capitals kept.
- ``quantity(value, units, metric_id)``: a value with its unit in words
  ("7 infections", "1 day", "44.2%", "7.24 out of 10").
- ``short_name(name)``: a trust's name without "NHS Foundation Trust".
- ``with_article(words)``: "an acute trust", "a mental health trust".
- ``Acronyms``: expands each acronym at its first use in a document.
- ``period(text)``: NHS England's free-text data period in words ("Apr 25 - Mar 26 vs
  Apr 24 - Mar 25" becomes "April 2025 to March 2026, compared with April 2024 to
  March 2025"); text it does not recognise is returned as it is.

Metric codes never appear here: they belong in tables only.
"""
from __future__ import annotations

import math
import re

from . import text as T

#: Plain names of the metrics, by score id (OF1xxx) or combined item id.
METRIC_NAMES = {
    "OF1003": "patients waiting over 52 weeks for planned treatment",
    "OF1005": "patients waiting over 52 weeks for community services",
    "OF1010": "cancer diagnosis within 4 weeks",
    "OF1011": "cancer treatment within 62 days",
    "OF1013": "A&E patients seen within 4 hours",
    "OF1014": "A&E patients there over 12 hours",
    "OF1016": "face-to-face contact within 24 hours in a mental health crisis",
    "OF1017": "ambulance response time for category 2 calls",
    "OF1020": "MRSA infections",
    "OF1023": "patients waiting 18 weeks or less for planned treatment",
    "OF1025": "days from ready to leave hospital to leaving",
    "OF1028": "ambulance patients taken to emergency departments",
    "OF1035": "CQC community mental health survey",
    "OF1041": "young people using mental health services (yearly change)",
    "OF1046": "deaths in hospital against those expected",
    "OF1048": "E. coli infections",
    "OF1057": "urgent community response within 2 hours",
    "OF1061": "staff survey: raising concerns",
    "OF1063": "inpatients staying over 60 days",
    "OF1067": "CQC safety rating",
    "OF1069": "CQC inpatient survey",
    "OF1079": "planned surplus or deficit",
    "OF1080": "finance (the plan and spending against it)",
    "OF1081": "spending against the financial plan so far this year",
    "OF1082": "staff sickness absence",
    "OF1084": "staff engagement",
    "OF1085": "productivity",
    "OF1086": "relative difference in costs",
    "OF1088": "C. difficile infections",
    "OF1106": "planned against actual waiting times",
    "HCAI": "infections caught in hospital (three kinds together)",
}

#: Acronyms that may appear in pack prose, with their expansions.
ACRONYMS = {
    "A&E": "accident and emergency",
    "CQC": "Care Quality Commission",
    "MH": "mental health",
    "MRSA": "meticillin-resistant Staphylococcus aureus",
}
# "NHS" is a name readers know (as in "NHS England"), so it is not expanded.

#: The noun of a count, by raw metric id (singular, plural).
COUNT_NOUNS = {
    "OF0020": ("infection", "infections"),
    "OF0048": ("infection", "infections"),
    "OF0088": ("infection", "infections"),
}

_UNIT_WORDS = {
    "days": ("day", "days"),
    "day": ("day", "days"),
    "mins": ("minute", "minutes"),
    "minutes": ("minute", "minutes"),
    "percentage points": ("percentage point", "percentage points"),
}


def metric_name(metric_id: str, description: str = "") -> str:
    """A metric in plain words, for prose; the published description if it is not listed."""
    if metric_id in METRIC_NAMES:
        return METRIC_NAMES[metric_id]
    text = " ".join(str(description).split()) or metric_id
    # lower-case the first letter of an ordinary word, never an acronym
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def quantity(value, units: str = "", metric_id: str = "", decimals: int = 2) -> str:
    """A raw value with its unit in words; "no data" if missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return T.NO_DATA
    if math.isnan(v):
        return T.NO_DATA
    text = T.number(v, decimals)  # the figure alone; the unit is written in words below
    one = text in ("1", "-1")
    u = (units or "").strip().lower()
    if u in ("%", "percent"):
        return f"{text}%"
    if u == "out of 10":
        return f"{text} out of 10"
    if u == "count":
        singular, plural = COUNT_NOUNS.get(metric_id, ("", ""))
        return f"{text} {singular if one else plural}" if singular else f"a count of {text}"
    if u in _UNIT_WORDS:
        singular, plural = _UNIT_WORDS[u]
        return f"{text} {singular if one else plural}"
    if u == "rate":
        return f"a rate of {text}"
    if u in ("", "score", "flag", "segment"):
        return text
    return f"{text} {units.strip()}"


_SUFFIXES = (" NHS Foundation Trust", " NHS Trust", " Foundation Trust", " Trust")


def short_name(name: str) -> str:
    """A trust's name without its legal suffix, for repeated mentions in prose."""
    text = " ".join(str(name).split())
    for suffix in _SUFFIXES:
        if text.lower().endswith(suffix.lower()) and len(text) > len(suffix) + 2:
            return text[: -len(suffix)]
    return text


def with_article(words: str) -> str:
    """ "an acute trust", "a mental health and community trust"."""
    return ("an " if words[:1].lower() in "aeiou" else "a ") + words


class Acronyms:
    """Expands each acronym the first time a document uses it: "CQC" becomes
    "Care Quality Commission (CQC)"; later uses stay short."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, text: str) -> str:
        def expand(m: re.Match) -> str:
            word = m.group(0)
            if word in self.seen:
                return word
            self.seen.add(word)
            words = ACRONYMS[word]
            before = text[:m.start()].rstrip()
            if not before or before.endswith((".", "!", "?")):  # it starts a sentence or a list item
                words = words[0].upper() + words[1:]
            return f"{words} ({word})"

        pattern = r"\b(" + "|".join(re.escape(a) for a in sorted(ACRONYMS, key=len, reverse=True)) + r")\b"
        return re.sub(pattern, expand, text)


_MONTH_ABBREVIATIONS = {m[:3]: m for m in T.MONTHS}
_MON = "(" + "|".join(_MONTH_ABBREVIATIONS) + ")"
_MONTH_RANGE = re.compile(rf"{_MON} (\d{{2}}) ?- ?{_MON} (\d{{2}})")  # "Apr 25 - Mar 26"
_MONTH_YEAR = re.compile(rf"{_MON}-(\d{{2}})")                   # "Jun-25"
_YEAR_SPAN = re.compile(r"(\d{4})/(\d{2})( plan)?")              # "2025/26", "2025/26 plan"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}}) {_MON} (\d{{2}})\b")  # "13 Feb 24" inside a longer text
_YEAR = re.compile(r"\d{4}")
_MONTH_OF_YEAR = re.compile(r"(To )?M(?:onth )?(\d{1,2}) (\d{4}(?:/\d{2})?)")  # "Month 12 2025/26", "To M12 2024/25"
_YEAR_TO_DATE = re.compile(r"Year to date (\d{2})/(\d{2})")  # "Year to date 25/26"


def _century(yy: str) -> str:
    return f"20{yy}"


def _period_part(text: str) -> str | None:
    """One period in words, or None if its pattern is not recognised."""
    if m := _MONTH_RANGE.fullmatch(text):
        first, first_year, last, last_year = m.groups()
        start = _MONTH_ABBREVIATIONS[first] + ("" if first_year == last_year else f" {_century(first_year)}")
        return f"{start} to {_MONTH_ABBREVIATIONS[last]} {_century(last_year)}"
    if m := _MONTH_YEAR.fullmatch(text):
        return f"{_MONTH_ABBREVIATIONS[m.group(1)]} {_century(m.group(2))}"
    if m := _YEAR_SPAN.fullmatch(text):
        first, last = int(m.group(1)), int(m.group(1)[:2] + m.group(2))
        if last != first + 1:
            return None
        return f"the {first} to {last} plan" if m.group(3) else f"{first} to {last}"
    if _YEAR.fullmatch(text):
        return text
    if m := _MONTH_OF_YEAR.fullmatch(text):
        year = _period_part(m.group(3))
        return None if year is None else f"{'up to ' if m.group(1) else ''}month {int(m.group(2))} of {year}"
    if m := _YEAR_TO_DATE.fullmatch(text):
        year = _period_part(f"{_century(m.group(1))}/{m.group(2)}")
        return None if year is None else f"the year to date, {year}"
    if _DAY_MONTH_YEAR.search(text):
        return _DAY_MONTH_YEAR.sub(
            lambda d: f"{int(d.group(1))} {_MONTH_ABBREVIATIONS[d.group(2)]} {_century(d.group(3))}", text)
    return None


def period(text: str) -> str:
    """A data period as NHS England writes it, in words a screen reader reads as dates: months and years in
    full, "to" for a range, ", compared with" for "vs". Text whose pattern is not recognised comes back as it
    is (plain text: every writer escapes it)."""
    original = str(text)
    clean = " ".join(original.split())
    parts = [_period_part(part.strip()) for part in re.split(r"\s+vs\.?\s+", clean)]
    if any(part is None for part in parts):
        return original
    return ", compared with ".join(p for p in parts if p is not None)
