#!/usr/bin/env python3
"""Write the fictional example data set: NHS Oversight Framework 2025/26 files for 205 invented trusts.

    python3 scripts/make_example_data.py            # writes into data/
    python3 scripts/make_example_data.py --out DIR  # writes elsewhere (tests regenerate into a tmp dir)

Every trust, name, code and figure is invented (fixed seed, so the output is
byte-for-byte reproducible). The files follow NHS England's Q3/Q4 2025/26
layouts: one data file and one league-table file per trust type, each holding
Q1 to Q4 2025/26, UTF-8 with a byte-order mark, CRLF line ends, numbers
written as floats (``2.0``).

How the figures are made:

* raw values (OF0xxx) are drawn per trust from a latent "performance" factor
  plus noise, drifting from quarter to quarter, and rounded to the published
  decimals; their within-type ranks come from the unrounded draws (as NHS
  England ranks unrounded values), their quartiles from the written values
  (``reportgen.scoring.within_type_quartiles``);
* scores (OF1xxx) come from ``reportgen.scoring.score_from_raw`` on the
  written values (so the program reproduces them from the files); metrics
  published only as scores (CQC, SHMI) get discrete scores 1 to 4;
* the deficit flag (OF5004, about 30% of trusts) and the Recovery Support
  Programme flag (OF5007, Q1 and Q2 only) are drawn;
* domain scores and segments, averages, segments and league ranks come from
  ``reportgen.methodology.compute_quarter`` with all three trust types loaded
  (pooled-quartile cut-offs recomputed);
* the likely ranges are invented "a to b" strings around the value.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reportgen import methodology, scoring  # noqa: E402
from reportgen.config import Config  # noqa: E402

SEED = 20260325
QUARTERS = ("Q1 2025/26", "Q2 2025/26", "Q3 2025/26", "Q4 2025/26")
RECOVERY_QUARTERS = ("Q1 2025/26", "Q2 2025/26")
ACUTE, MH, AMB = "Acute trust", "Mental health and community trust", "Ambulance trust"
FILE_SLUG = {ACUTE: "acute", MH: "mental-health-and-community", AMB: "ambulance"}
REGIONS = ("London", "South East", "South West", "Midlands", "East", "North West", "North East and Yorkshire")
SUBTYPES = {
    ACUTE: (("Acute - Teaching", 49), ("Acute - Large", 23), ("Acute - Medium", 20), ("Acute - Small", 19),
            ("Acute - Specialist", 16), ("Acute - Multi-Service", 7)),
    MH: (("Mental Health and Learning Disability", 44), ("Community", 14), ("Care Trust", 3)),
    AMB: (("Ambulance", 10),),
}
DATA_COLUMNS = ["Quarter", "Region", "Trust_type", "Trust_subtype", "Trust_code", "Trust_name", "Domain",
                "Sub-domain", "Metric_ID", "Metric_description", "Reporting_date", "Units", "Value",
                "Median_value", "Lower_quartile", "Upper_quartile", "Rank"]
LEAGUE_COLUMNS = ["Quarter", "Region", "Trust_type", "Trust_subtype", "Trust_code", "Trust_name", "Average_score",
                  "Likely_range_of_average_score", "Segment", "Trust_in_financial_deficit", "Rank",
                  "Likely_range_of_rank"]


# ---------------------------------------------------------------------------
# Metrics: descriptive text as NHS England publishes it, and how values are drawn

def _rolling(q: int, ends=("Jun", "Sep", "Dec", "Mar")) -> str:
    """Twelve months to the end of quarter ``q`` minus one quarter (as the infection metrics)."""
    starts = ("Jul 24", "Oct 24", "Jan 25", "Apr 25")
    stops = ("Jun 25", "Sep 25", "Dec 25", "Mar 26")
    return f"{starts[q]} - {stops[q]}"


QLAB = ("Q1 2025/26", "Q2 2025/26", "Q3 2025/26", "Q4 2025/26")
MONTH_END = ("Jun-25", "Sep-25", "Dec-25", "Mar-26")
CYP = ("Jun 24 - Jun 25 vs Jun 23 - Jun 24", "Oct 24 - Sep 25 vs Oct 23 - Sep 24",
       "Jan 25 - Dec 25 vs Jan 24 - Dec 24", "Apr 25 - Mar 26 vs Apr 24 - Mar 25")
SURVEY = ("2024", "2024", "2024", "2025")
CQC_SAFE = ("Latest published if awarded post August 2023", "Latest published if awarded post September 2023",
            "Latest published if awarded between 13 Feb 24 and 12 Feb 26",
            "Latest published if awarded between 13 May 24 and 12 May 26")


@dataclass(frozen=True)
class Metric:
    id: str
    domain: str
    sub_domain: str
    description: str
    units: str
    dates: tuple[str, str, str, str]
    decimals: int = 2
    # how values are drawn: kind, centre (per type), spread, low, high
    kind: str = "normal"
    centre: tuple[float, float, float] = (0.0, 0.0, 0.0)  # acute, MH, ambulance
    spread: float = 1.0
    low: float = -np.inf
    high: float = np.inf
    annual: bool = False  # the same value Q1 to Q3, new in Q4 (staff survey, CQC survey)
    fixed: bool = False  # the same value all year


A, P, F, W, E = ("Access to services", "Patient safety", "Finance and productivity", "People and workforce",
                 "Effectiveness and experience")
METRICS = {m.id: m for m in (
    Metric("OF0003", A, "Elective care", "Percentage of patients waiting over 52 weeks for elective treatment",
           "%", MONTH_END, kind="lognormal", centre=(1.9, 0, 0), spread=0.75, low=0, high=12),
    Metric("OF0005", A, "Elective care", "Percentage of patients waiting over 52 weeks for community services",
           "%", MONTH_END, kind="zero-lognormal", centre=(1.2, 1.0, 0), spread=1.4, low=0, high=70),
    Metric("OF0010", A, "Cancer care",
           "Percentage of urgent referrals to receive a definitive diagnosis within 4 weeks",
           "%", QLAB, centre=(77.5, 0, 0), spread=4.5, low=55, high=95),
    Metric("OF0011", A, "Cancer care", "Percentage of patients treated for cancer within 62 days of referral",
           "%", QLAB, centre=(70.5, 0, 0), spread=7.5, low=40, high=92),
    Metric("OF0013", A, "Urgent and emergency care",
           "Percentage of emergency department attendances admitted, transferred or discharged within four hours",
           "%", QLAB, decimals=1, centre=(76.5, 0, 0), spread=5.5, low=50, high=98),
    Metric("OF0014", A, "Urgent and emergency care",
           "Percentage of emergency department attendances spending over 12 hours in the department",
           "%", QLAB, kind="lognormal", centre=(8.0, 0, 0), spread=0.45, low=0.3, high=30),
    Metric("OF0016", P, "Patient safety",
           "Percentage of patients in mental health crisis to receive face-to-face contact within 24 hours",
           "%", QLAB, centre=(58, 60, 0), spread=14, low=15, high=100),
    Metric("OF0017", A, "Urgent and emergency care", "Average Category 2 ambulance response time",
           "mins", QLAB, centre=(26, 0, 32), spread=5, low=18, high=55),
    Metric("OF0020", P, "Patient safety", "Number of MRSA infections", "count", tuple(_rolling(q) for q in range(4)),
           decimals=0, kind="poisson", centre=(2.6, 0, 0), spread=0.5, low=0, high=30),
    Metric("OF0023", A, "Elective care",
           "Percentage of cases where a patient is waiting 18 weeks or less for elective treatment",
           "%", MONTH_END, centre=(60.5, 0, 0), spread=6, low=38, high=88),
    Metric("OF0025", E, "Effective flow and discharge",
           "Average number of days from discharge ready date to actual discharge date (including zero days)",
           "days", MONTH_END, decimals=1, kind="lognormal", centre=(0.8, 0, 0), spread=0.55, low=0, high=6),
    Metric("OF0028", E, "Effective out of hospital care",
           "Percentage of ambulance patients conveyed to emergency departments", "%",
           ("Year to date 25/26",) * 4, centre=(56, 0, 51.5), spread=4, low=38, high=66),
    Metric("OF0041", A, "Mental health care",
           "Annual change in the number of children and young people accessing NHS-funded MH services",
           "percentage points", CYP, centre=(7, 6, 0), spread=11, low=-25, high=45),
    Metric("OF0048", P, "Patient safety", "Rate of E-Coli infections", "rate", tuple(_rolling(q) for q in range(4)),
           kind="lognormal", centre=(1.15, 0, 0), spread=0.18, low=0.55, high=2.4),
    Metric("OF0057", E, "Effective out of hospital care", "Urgent Community Response 2-hour performance",
           "%", QLAB, centre=(84, 84, 0), spread=8, low=35, high=99.5),
    Metric("OF0061", P, "Patient safety", "NHS Staff survey - raising concerns sub-score", "out of 10",
           SURVEY, centre=(6.42, 6.8, 6.05), spread=0.25, low=5.2, high=7.8, annual=True),
    Metric("OF0063", E, "Effective flow and discharge", "Percentage of inpatients with >60 day length of stay",
           "%", QLAB, centre=(27, 25, 0), spread=5.5, low=8, high=45),
    Metric("OF0079", F, "Finance", "Planned surplus/deficit", "%", ("2025/26", "2025/26", "2025/26", "2025/26 plan"),
           kind="plan", fixed=True),
    Metric("OF0081", F, "Finance", "Variance year-to-date to financial plan", "%",
           ("Month 3 2025", "Month 6 2025", "Month 9 2025", "Month 12 2025/26"), kind="variance"),
    Metric("OF0082", W, "Retention and culture", "Sickness absence rate", "%",
           ("Q4 2024-25", "Q1 2025/26", "Q2 2025/26", "Q3 2025/26"), centre=(5.2, 5.7, 6.8), spread=0.6,
           low=3.0, high=9.5),
    Metric("OF0084", W, "Retention and culture", "NHS staff survey engagement theme sub-score ", "out of 10",
           SURVEY, centre=(6.88, 7.08, 6.3), spread=0.22, low=5.6, high=7.8, annual=True),
    Metric("OF0085", F, "Productivity", "Implied productivity level", "%", ("To M12 2024/25 vs 2023/24",) * 4,
           centre=(2.9, 0, 0), spread=3.8, low=-12, high=16, fixed=True),
    Metric("OF0086", F, "Productivity", "Relative difference in costs", "%",
           ("2023/24", "2024/25", "2024/25", "2024/25"), centre=(0, 104, 101), spread=11, low=72, high=145,
           fixed=True),
    Metric("OF0088", P, "Patient safety", "Rate of C-Difficile infections", "rate",
           tuple(_rolling(q) for q in range(4)), kind="lognormal", centre=(1.22, 0, 0), spread=0.18,
           low=0.55, high=2.6),
    Metric("OF0106", A, "Elective care", "Difference between planned and actual 18 week performance",
           "percentage points", MONTH_END, centre=(1.0, 0, 0), spread=2.8, low=-9, high=10),
)}
# Published only as scores: (domain, sub-domain, description, dates, score probabilities for 1..4)
SCORE_ONLY = {
    "OF1035": (E, "Patient experience", "CQC community mental health survey satisfaction rate", SURVEY,
               (0.06, 0.86, 0.04, 0.04)),
    "OF1046": (E, "Patient experience", "Summary Hospital Level Mortality Indicator",
               ("Apr 24 - Mar 25", "Jul 24 - Jun 25", "Oct 24 - Sep 25", "Jan 25 - Dec 25"), (0.08, 0.84, 0.08, 0.0)),
    "OF1067": (P, "Patient safety", "CQC safe inspection", CQC_SAFE, (0.05, 0.35, 0.5, 0.1)),
    "OF1069": (E, "Patient experience", "CQC inpatient survey satisfaction rate", ("2023", "2023", "2023", "2024"),
               (0.09, 0.82, 0.06, 0.03)),
}
FINANCE_ID, FINANCE_TEXT = "OF1080", "Combined finance"

# Which trusts report which metrics: every trust of the type, or a count of them.
COVERAGE = {
    ACUTE: {"OF0003": 131, "OF0005": 80, "OF0010": 118, "OF0011": 118, "OF0013": 123, "OF0014": 123,
            "OF0020": 134, "OF0023": 131, "OF0025": 126, "OF0041": 22, "OF0048": 134, "OF0057": 51,
            "OF0061": 134, "OF0079": 134, "OF0081": 134, "OF0082": 134, "OF0084": 134, "OF0085": 134,
            "OF0088": 134, "OF0106": 131, "OF1046": 118, "OF1069": 130, "OF1067": 15,
            # a few multi-service acute trusts also run other services
            "OF0016": 1, "OF0017": 1, "OF0028": 1, "OF0063": 1, "OF1035": 2},
    MH: {"OF0005": 41, "OF0016": 46, "OF0041": 48, "OF0057": 38, "OF0061": 61, "OF0063": 47, "OF0079": 61,
         "OF0081": 61, "OF0082": 61, "OF0084": 61, "OF0086": 60, "OF1035": 47, "OF1067": 4},
    AMB: {"OF0017": 10, "OF0028": 10, "OF0061": 10, "OF0079": 10, "OF0081": 10, "OF0082": 10, "OF0084": 10,
          "OF0086": 10},
}
# Metrics a trust may occasionally lack in a quarter ("a few trusts missing a metric or two").
DROPPABLE = ("OF0003", "OF0010", "OF0011", "OF0013", "OF0014", "OF0016", "OF0023", "OF0025", "OF0041",
             "OF0057", "OF0063", "OF0106", "OF0005", "OF0017", "OF0028")


# ---------------------------------------------------------------------------
# Trusts

PLACE_A = ("Amber", "Bram", "Copper", "Dapple", "Ember", "Fallow", "Gorse", "Heath", "Juni", "Kestrel",
           "Larch", "Marram", "Nettle", "Osier", "Pebble", "Quill", "Rowan", "Sorrel", "Teasel", "Umber", "Vetch",
           "Willow", "Yarrow", "Bracken", "Cinder", "Drift", "Flint", "Hazel", "Linnet", "Mallow", "Plover",
           "Rush", "Sedge", "Tansy", "Wren")
PLACE_B = ("by", "combe", "dale", "ford", "holm", "mere", "moor", "ness", "vale", "wick", "wold", "ton")
# Short names keep the files near the size of NHS England's own.
ACUTE_KINDS = ("NHS Trust", "NHS Foundation Trust", "Hospitals NHS Trust", "NHS Trust",
               "University Hospitals NHS Trust", "NHS Trust")
SPECIALIST_KINDS = ("Eye Hospital NHS Trust", "Orthopaedic NHS Trust", "Heart Hospital NHS Trust",
                    "Cancer Centre NHS Trust")
MH_KINDS = {
    "Mental Health and Learning Disability": ("Mental Health NHS Trust", "NHS Foundation Trust",
                                              "NHS Trust", "Partnership NHS Trust"),
    "Community": ("Community NHS Trust", "Community Health NHS Trust"),
    "Care Trust": ("Care NHS Trust",),
}
# Names that exercise escaping and encoding: an ampersand, an apostrophe, a
# non-ASCII letter and a comma (quoted in the CSV).
SPECIAL_NAMES = {
    (ACUTE, "Acute - Specialist", 0): "Example St Brannoc's Children's Hospital NHS Trust",
    (ACUTE, "Acute - Teaching", 0): "Example Marram, Sedge and Wold NHS Trust",
    (MH, "Community", 0): "Example Hill & Dale Community NHS Trust",
    (MH, "Mental Health and Learning Disability", 0): "Example Ynys Môn Health and Care NHS Trust",
}


def make_trusts(rng: np.random.Generator) -> pd.DataFrame:
    places = [a + b for a in PLACE_A for b in PLACE_B]
    order = rng.permutation(len(places))
    places = [places[i] for i in order]
    rows = []
    n3 = 0
    code5 = iter(range(5101, 9999, 17))
    for ttype in (ACUTE, MH, AMB):
        for subtype, count in SUBTYPES[ttype]:
            for i in range(count):
                place = places.pop()
                if (ttype, subtype, i) in SPECIAL_NAMES:
                    name = SPECIAL_NAMES[(ttype, subtype, i)]
                elif ttype == ACUTE:
                    kinds = SPECIALIST_KINDS if subtype == "Acute - Specialist" else ACUTE_KINDS
                    name = f"Example {place} {kinds[i % len(kinds)]}"
                elif ttype == MH:
                    kinds = MH_KINDS[subtype]
                    name = f"Example {place} {kinds[i % len(kinds)]}"
                else:
                    name = f"Example {place} Ambulance {'Service NHS Trust' if i % 2 else 'NHS Trust'}"
                # Codes that cannot be real trust codes: X plus digits, 3 or 5 characters.
                if ttype == AMB or (ttype == MH and i % 4 == 0):
                    code = f"X{70 + n3:02d}"
                    n3 += 1
                else:
                    code = f"X{next(code5):04d}"
                rows.append({"trust_type": ttype, "trust_subtype": subtype, "trust_name": name, "trust_code": code})
    trusts = pd.DataFrame(rows)
    trusts["region"] = [REGIONS[i] for i in rng.integers(0, len(REGIONS), len(trusts))]
    trusts["quality"] = rng.normal(0.0, 1.0, len(trusts))  # latent: positive = better
    trusts["trend"] = rng.normal(0.0, 0.12, len(trusts))  # drift per quarter, in quality units
    assert trusts["trust_code"].is_unique and trusts["trust_name"].is_unique
    return trusts.reset_index(drop=True)


# ---------------------------------------------------------------------------
# Raw values


def _coverage(rng, trusts: pd.DataFrame, ttype: str) -> dict[str, set[str]]:
    of_type = trusts[trusts["trust_type"] == ttype]
    out = {}
    for mid, n in COVERAGE[ttype].items():
        pool = of_type
        if ttype == ACUTE and mid in ("OF0016", "OF0017", "OF0028", "OF0063", "OF1035"):
            pool = of_type[of_type["trust_subtype"] == "Acute - Multi-Service"]
        elif ttype == ACUTE and n < len(of_type) and mid in ("OF0003", "OF0010", "OF0011", "OF0013", "OF0014",
                                                             "OF0023", "OF0025", "OF0106", "OF1046", "OF1069"):
            # the trusts without these are specialist ones (no emergency department, no cancer pathway ...)
            spec = of_type[of_type["trust_subtype"] == "Acute - Specialist"]
            missing = set(spec["trust_code"].iloc[: len(of_type) - n])
            out[mid] = set(of_type["trust_code"]) - missing
            continue
        elif ttype == MH and mid in ("OF0005", "OF0057"):
            # community trusts first
            first = of_type[of_type["trust_subtype"] != "Mental Health and Learning Disability"]
            rest = of_type[of_type["trust_subtype"] == "Mental Health and Learning Disability"]
            chosen = list(first["trust_code"]) + list(rest["trust_code"].iloc[rng.permutation(len(rest))])
            out[mid] = set(chosen[:n])
            continue
        elif ttype == MH and mid in ("OF0016", "OF0063", "OF1035"):
            pool = of_type[of_type["trust_subtype"] != "Community"]
        codes = list(pool["trust_code"])
        pick = rng.permutation(len(codes))[: min(n, len(codes))]
        out[mid] = {codes[i] for i in sorted(pick)}
    return out


def _draw(rng, m: Metric, t: int, q: np.ndarray, better: str) -> np.ndarray:
    """Unrounded values for quality ``q`` (positive = better) for trust type index ``t``."""
    sign = 1.0 if better == "higher" else -1.0
    noise = rng.normal(0.0, 1.0, len(q))
    z = 0.55 * q + 0.85 * noise
    c = m.centre[t]
    if m.kind == "normal":
        v = c + sign * m.spread * z
    elif m.kind == "lognormal":
        v = c * np.exp(sign * m.spread * z)
    elif m.kind == "zero-lognormal":
        v = c * np.exp(sign * m.spread * z)
        v[rng.random(len(q)) < 0.25 + 0.1 * (q > 0.5)] = 0.0
    elif m.kind == "poisson":
        v = rng.poisson(c * np.exp(-0.35 * q)).astype(float)
    elif m.kind == "plan":
        u = rng.random(len(q)) + 0.12 * q
        v = np.where(u > 0.55, 0.0, -np.exp(rng.normal(0.1, 0.8, len(q))))
        v = np.where(u > 0.92, rng.uniform(0.1, 2.5, len(q)), v)
    elif m.kind == "variance":
        u = rng.random(len(q)) + 0.1 * q
        v = np.where(u > 0.5, 0.0, rng.normal(-0.15, 0.7, len(q)))
        v = np.where(u > 0.85, np.abs(rng.normal(0.4, 0.6, len(q))), v)
    else:
        raise ValueError(m.kind)
    return np.clip(v, m.low, m.high)


def make_raw(rng, trusts: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Raw metric rows (value unrounded in ``value_exact``, rounded in ``value``) and score-only rows."""
    rows = []
    type_index = {ACUTE: 0, MH: 1, AMB: 2}
    drops = set()
    for ttype in (ACUTE, MH, AMB):
        of_type = trusts[trusts["trust_type"] == ttype].reset_index(drop=True)
        cover = _coverage(rng, trusts, ttype)
        for mid in sorted(cover):
            members = of_type[of_type["trust_code"].isin(cover[mid])].reset_index(drop=True)
            if members.empty:
                continue
            if mid in SCORE_ONLY:
                probs = SCORE_ONLY[mid][4]
                base = rng.choice(4, size=len(members), p=probs) + 1.0
                for qi, quarter in enumerate(QUARTERS):
                    vals = base.copy()
                    if qi == 3 or mid == "OF1046":  # a new survey or mortality period: some move
                        move = rng.random(len(vals)) < (0.25 if qi == 3 else 0.1 * qi)
                        vals = np.where(move, rng.choice(4, size=len(vals), p=probs) + 1.0, vals)
                    for k, tr in members.iterrows():
                        rows.append(_row(tr, quarter, mid, SCORE_ONLY[mid][0], SCORE_ONLY[mid][1],
                                         SCORE_ONLY[mid][2], SCORE_ONLY[mid][3][qi], "score", vals[k], vals[k]))
                continue
            m = METRICS[mid]
            better = config.metric(mid)["better"]
            values = None
            for qi, quarter in enumerate(QUARTERS):
                qual = members["quality"].to_numpy() + qi * members["trend"].to_numpy()
                new = _draw(rng, m, type_index[ttype], qual, better)
                if values is None or (m.annual and qi == 3):
                    values = new
                elif not (m.fixed or m.annual):
                    # drift: keep most of last quarter's position
                    values = np.clip(0.6 * values + 0.4 * new, m.low, m.high)
                    if m.kind == "poisson":
                        values = np.round(values)
                    if m.kind in ("plan", "variance", "zero-lognormal"):
                        values = np.where(new == 0.0, 0.0, values)
                rounded = scoring.round_half_up(values, m.decimals)
                for k, tr in members.iterrows():
                    if mid in DROPPABLE and rng.random() < 0.006:
                        drops.add((quarter, tr.trust_code, mid))
                        continue
                    units = m.units
                    value, exact = rounded[k], values[k]
                    if mid in ("OF0048", "OF0088") and tr.trust_subtype == "Acute - Specialist" and k % 4 == 1:
                        # specialist trusts with no rate: a count row instead
                        units = "count"
                        exact = value = float(min(3, int(rng.poisson(1.0))))
                    rows.append(_row(tr, quarter, mid, m.domain, m.sub_domain, m.description, m.dates[qi],
                                     units, value, exact))
    return pd.DataFrame(rows)


def _row(tr, quarter, mid, domain, sub_domain, description, date, units, value, exact) -> dict:
    return {"quarter": quarter, "region": tr.region, "trust_type": tr.trust_type,
            "trust_subtype": tr.trust_subtype, "trust_code": tr.trust_code, "trust_name": tr.trust_name,
            "domain": domain, "sub_domain": sub_domain, "metric_id": mid, "metric_description": description,
            "reporting_date": date, "units": units, "value": float(value), "value_exact": float(exact)}


# ---------------------------------------------------------------------------
# Quartiles, ranks and scores


def add_quartiles_and_ranks(raw: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Quartiles of the written values; within-type ranks of the unrounded ones."""
    is_raw = raw["metric_id"].str.startswith(config.raw_prefix)
    key = ["quarter", "trust_type", "trust_code", "metric_id", "units"]
    quart = scoring.within_type_quartiles(raw[is_raw], config, decimals=2)
    exact = raw[is_raw].drop(columns=["value"]).rename(columns={"value_exact": "value"})
    ranks = scoring.within_type_quartiles(exact, config)[key + ["rank"]]
    out = raw.merge(quart[key + ["median_value", "lower_quartile", "upper_quartile"]], on=key, how="left")
    out = out.merge(ranks, on=key, how="left")
    return out


def add_scores(frame: pd.DataFrame, config: Config) -> pd.DataFrame:
    """OF1xxx rows from reportgen.scoring on the written values (published ranks order the 2 dp ties)."""
    raw = frame[frame["metric_id"].str.startswith(config.raw_prefix)]
    scores = scoring.score_from_raw(raw, config)
    raw_rank = raw.drop_duplicates(["quarter", "trust_code", "metric_id"]).set_index(
        ["quarter", "trust_code", "metric_id"])["rank"]
    rows = scores.copy()
    rows["value"] = rows["score"]
    rows["units"] = "score"
    idx = pd.MultiIndex.from_arrays([rows["quarter"], rows["trust_code"], rows["raw_metric_id"]])
    rows["rank"] = raw_rank.reindex(idx).to_numpy()
    fin = rows["metric_id"] == FINANCE_ID
    rows.loc[fin, "rank"] = np.nan
    rows.loc[fin, "metric_description"] = FINANCE_TEXT
    rows.loc[fin, "reporting_date"] = rows.loc[fin, "quarter"]
    for c in ("median_value", "lower_quartile", "upper_quartile"):
        rows[c] = np.nan
    rows = rows[[c for c in frame.columns if c in rows.columns]]
    return pd.concat([frame, rows], ignore_index=True)


def add_flags(rng, frame: pd.DataFrame, trusts: pd.DataFrame, config: Config) -> pd.DataFrame:
    """OF5004 deficit flag (~30% of trusts, mostly those planning a deficit) and OF5007 (Q1, Q2)."""
    ids = config.summary_ids
    plan = frame[frame["metric_id"] == "OF0079"].drop_duplicates("trust_code").set_index("trust_code")["value"]
    t = trusts.set_index("trust_code")
    p = np.where(plan.reindex(t.index).fillna(0).to_numpy() < 0, 0.55, 0.04)
    deficit = rng.random(len(t)) < p
    # Recovery Support Programme: a few of the weakest acute and MH/community trusts
    weak = t["quality"].rank(ascending=True)
    rsp = set()
    for ttype, n in ((ACUTE, 8), (MH, 3)):
        cand = t[(t["trust_type"] == ttype)].assign(w=weak).sort_values("w").index[: 3 * n]
        rsp |= set(cand[np.sort(rng.permutation(len(cand))[:n])])
    rows = []
    for qi, quarter in enumerate(QUARTERS):
        flip = rng.random(len(t)) < 0.03  # a few trusts move in or out of deficit during the year
        d = np.where(flip & (qi > 0), ~deficit, deficit)
        for k, (code, tr) in enumerate(t.iterrows()):
            tr = tr.copy()
            tr["trust_code"] = code
            rows.append(_row(tr, quarter, ids["deficit"], "Summary", "Summary", "Financial override", quarter,
                             "flag", float(d[k]), float(d[k])))
            if quarter in RECOVERY_QUARTERS:
                flag = float(code in rsp)
                rows.append(_row(tr, quarter, ids["recovery_flag"], "Summary", "Summary",
                                 "Is the organisation in the Recovery Support Programme?", quarter, "flag",
                                 flag, flag))
    flags = pd.DataFrame(rows).drop(columns=["value_exact"])
    return pd.concat([frame, flags], ignore_index=True)


# ---------------------------------------------------------------------------
# Summary rows and league tables: the project's methodology stage


def summarise(rng, frame: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Domain, average and segment rows for the data files, and the league-table rows.

    One call of ``reportgen.methodology.compute_quarter`` per quarter, with all
    three trust types in ``frame`` (so the pooled cut-offs are recomputed).
    """
    ids = config.summary_ids
    domain_rows, league_rows = [], []
    for quarter in QUARTERS:
        result = methodology.compute_quarter(frame, config, quarter)
        t = result.trusts.set_index("trust_code")
        info = t[["region", "trust_type", "trust_subtype", "trust_name"]]
        average_rank = t.groupby("trust_type")["average_score"].rank(method="min")

        def add(code, metric_id, domain, sub_domain, description, units, value, rank=np.nan,
                info=info, quarter=quarter):
            r = info.loc[code]
            domain_rows.append({"quarter": quarter, "region": r.region, "trust_type": r.trust_type,
                                "trust_subtype": r.trust_subtype, "trust_code": code, "trust_name": r.trust_name,
                                "domain": domain, "sub_domain": sub_domain, "metric_id": metric_id,
                                "metric_description": description, "reporting_date": quarter, "units": units,
                                "value": float(value), "rank": rank})

        for d in result.domains.itertuples(index=False):
            add(d.trust_code, d.score_id, d.domain, f"{d.domain} domain score", f"{d.domain} domain score",
                "score", d.score, float(d.rank))
            add(d.trust_code, d.segment_id, d.domain, f"{d.domain} domain segment", f"{d.domain} domain segment",
                "segment", d.segment)
        for code, r in t.iterrows():
            add(code, ids["adjusted_segment"], "Summary", "Summary", "Adjusted segment", "segment",
                r.adjusted_segment, float(r.league_rank))
            add(code, ids["average"], "Summary", "Summary", "Average metric score", "score", r.average_score,
                float(average_rank[code]))
            add(code, ids["unadjusted_segment"], "Summary", "Summary", "Unadjusted segment", "segment",
                r.unadjusted_segment)
            if quarter in RECOVERY_QUARTERS:
                add(code, ids["final_segment"], "Summary", "Summary", "Final segment score override", "segment",
                    r.final_segment)
        sizes = t.groupby("trust_type").size()
        for code, r in t.iterrows():
            avg = float(r.average_score)
            w_lo, w_hi = rng.uniform(0.18, 0.42), rng.uniform(0.18, 0.42)
            lo = scoring.round_half_up(max(1.0, avg - w_lo), 2)
            hi = scoring.round_half_up(min(4.0, avg + w_hi), 2)
            size = int(sizes[r.trust_type])
            k_lo = int(rng.integers(2, max(3, size // 6)))
            k_hi = int(rng.integers(2, max(3, size // 6)))
            rank = int(r.league_rank)
            league_rows.append({
                "Quarter": quarter, "Region": r.region, "Trust_type": r.trust_type,
                "Trust_subtype": r.trust_subtype, "Trust_code": code, "Trust_name": r.trust_name,
                "Average_score": avg, "Likely_range_of_average_score": f"{_num(lo)} to {_num(hi)}",
                "Segment": float(r.adjusted_segment),
                "Trust_in_financial_deficit": "Yes" if r.deficit else "No",
                "Rank": float(rank), "Likely_range_of_rank": f"{max(1, rank - k_lo)} to {min(size, rank + k_hi)}",
            })
    return pd.DataFrame(domain_rows), pd.DataFrame(league_rows)


# ---------------------------------------------------------------------------
# Writing


def _num(x) -> str:
    """A number as NHS England writes it: a float with at least one decimal (``2.0``, ``9.03``); blank if missing."""
    if x is None or (isinstance(x, float) and np.isnan(x)) or pd.isna(x):
        return ""
    return repr(float(scoring.round_half_up(float(x), 2)))


def _csv_bytes(rows: list[list[str]], header: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def data_file(frame: pd.DataFrame) -> bytes:
    f = frame.sort_values(["quarter", "metric_id", "trust_code", "units"], kind="mergesort")
    rows = [[r.quarter, r.region, r.trust_type, r.trust_subtype, r.trust_code, r.trust_name, r.domain,
             r.sub_domain, r.metric_id, r.metric_description, r.reporting_date, r.units, _num(r.value),
             _num(r.median_value), _num(r.lower_quartile), _num(r.upper_quartile), _num(r.rank)]
            for r in f.itertuples(index=False)]
    return _csv_bytes(rows, DATA_COLUMNS)


def league_file(league: pd.DataFrame) -> bytes:
    f = league.sort_values(["Quarter", "Rank", "Trust_name"], kind="mergesort")
    rows = [[r["Quarter"], r["Region"], r["Trust_type"], r["Trust_subtype"], r["Trust_code"], r["Trust_name"],
             _num(r["Average_score"]), r["Likely_range_of_average_score"], _num(r["Segment"]),
             r["Trust_in_financial_deficit"], _num(r["Rank"]), r["Likely_range_of_rank"]]
            for _, r in f.iterrows()]
    return _csv_bytes(rows, LEAGUE_COLUMNS)


def build(config: Config, seed: int = SEED) -> dict[str, bytes]:
    """Every example file, by name."""
    rng = np.random.default_rng(seed)
    trusts = make_trusts(rng)
    raw = make_raw(rng, trusts, config)
    frame = add_quartiles_and_ranks(raw, config).drop(columns=["value_exact"])
    frame = add_scores(frame, config)
    frame = add_flags(rng, frame, trusts, config)
    summary, league = summarise(rng, frame, config)
    frame = pd.concat([frame, summary], ignore_index=True)
    files = {}
    for ttype, slug in FILE_SLUG.items():
        files[f"example-{slug}-trust-data.csv"] = data_file(frame[frame["trust_type"] == ttype])
        files[f"example-{slug}-trust-league-table.csv"] = league_file(
            league[league["Trust_type"] == ttype])
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "data", help="folder to write into (default: data/)")
    ap.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = ap.parse_args(argv)
    config = Config.load()
    files = build(config, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, payload in files.items():
        (args.out / name).write_bytes(payload)
        total += len(payload)
    print(f"wrote {len(files)} files, {total / 1e6:.1f} MB, into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
