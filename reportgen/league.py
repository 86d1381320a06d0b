"""The computed league tables in NHS England's league-table file layout (Q3/Q4 columns)."""
from __future__ import annotations

import pandas as pd

from .csvsafe import csv_text
from .methodology import QuarterResult

COLUMNS = ["Quarter", "Region", "Trust_type", "Trust_subtype", "Trust_code", "Trust_name", "Average_score",
           "Likely_range_of_average_score", "Segment", "Trust_in_financial_deficit", "Rank",
           "Likely_range_of_rank"]


def league_frame(result: QuarterResult) -> pd.DataFrame:
    """Rows by trust type then rank, ties by trust name; Segment is the 1 to 4 adjusted segment."""
    t = result.trusts
    return pd.DataFrame({
        "Quarter": t["quarter"],
        "Region": t["region"],
        "Trust_type": t["trust_type"],
        "Trust_subtype": t["trust_subtype"],
        "Trust_code": t["trust_code"],
        "Trust_name": t["trust_name"],
        "Average_score": t["average_score"].astype(float),
        "Likely_range_of_average_score": t["likely_range_of_average_score"].astype(object).fillna(""),
        "Segment": t["adjusted_segment"].astype(float),
        "Trust_in_financial_deficit": t["deficit"].map({True: "Yes", False: "No"}),
        "Rank": t["league_rank"].astype(float),
        "Likely_range_of_rank": t["likely_range_of_rank"].astype(object).fillna(""),
    })[COLUMNS]


def league_csv(result: QuarterResult) -> bytes:
    """UTF-8 with a byte-order mark and numbers written as floats, as NHS England publishes;
    text cells are safe to open in a spreadsheet."""
    return ("\ufeff" + csv_text(league_frame(result))).encode("utf-8")
