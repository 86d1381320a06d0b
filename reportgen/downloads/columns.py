"""What every column of the data downloads holds: the one source of the data
dictionary CSV and of the spreadsheet's column notes."""
from __future__ import annotations

from ..league import COLUMNS as LEAGUE_COLUMNS

#: Shorthand used in the spreadsheets for a cell without a figure (Analysis Function symbols).
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"

_TRUST = {
    "Quarter": "The quarter the figures are for, for example Q4 2025/26.",
    "Region": "The NHS England region of the trust.",
    "Trust_type": "The trust type. A trust is ranked only against trusts of the same type.",
    "Trust_subtype": "The trust subtype, as NHS England publishes it.",
    "Trust_code": "The trust's organisation (ODS) code.",
    "Trust_name": "The trust's name, as NHS England publishes it.",
}

LEAGUE = {
    **_TRUST,
    "Average_score": "The average metric score: the mean of the trust's metric scores after combining, from 1 "
                     "(best) to 4 (worst), to 2 decimal places.",
    "Likely_range_of_average_score": "NHS England's published likely range of the average score, passed "
                                     "through. Empty where the input holds none.",
    "Segment": "The segment from 1 (fewest challenges) to 4 (most) after the financial deficit rule; the "
               "league rank uses it. Recovery Support Programme placements (segment 5) are not shown here.",
    "Trust_in_financial_deficit": "Yes if the trust is in financial deficit, otherwise No.",
    "Rank": "The league rank among trusts of the same type: by segment, then by average score to 2 decimal "
            "places; tied trusts share the lowest rank and the next rank is skipped.",
    "Likely_range_of_rank": "NHS England's published likely range of the rank, passed through. Empty where "
                            "the input holds none.",
}
assert tuple(LEAGUE) == tuple(LEAGUE_COLUMNS)

DOMAINS = {
    "Quarter": _TRUST["Quarter"],
    "Trust_type": _TRUST["Trust_type"],
    "Trust_code": _TRUST["Trust_code"],
    "Trust_name": _TRUST["Trust_name"],
    "Domain": "The domain (service area) of the NHS Oversight Framework.",
    "Domain_score": "The domain score: the mean of the trust's metric scores in the domain, from 1 (best) to 4 "
                    "(worst), to 2 decimal places.",
    "Score_source": "published: NHS England's published domain score; recomputed: computed by reportgen "
                    "because the input holds no published one.",
    "Scores_in_domain": "How many scores count in the domain score.",
    "Domain_segment": "The domain segment from 1 (fewest challenges) to 4 (most). Empty where it could not "
                      "be found from the input.",
    "Rank": "The rank on the domain score among trusts of the same type scored in the domain; 1 is best and "
            "tied trusts share the lowest rank.",
    "Trusts_ranked": "How many trusts of the same type are ranked in the domain.",
}

METRICS = {
    "Quarter": _TRUST["Quarter"],
    "Trust_type": _TRUST["Trust_type"],
    "Trust_code": _TRUST["Trust_code"],
    "Trust_name": _TRUST["Trust_name"],
    "Domain": DOMAINS["Domain"],
    "Metric_ID": "The identifier of the metric's score (OF1xxx). One row for each metric scored for any trust "
                 "of the trust's type this quarter.",
    "Value_metric_ID": "The identifier of the metric's value (OF0xxx). Empty for metrics published only as "
                       "scores.",
    "Metric_description": "What the metric measures, as NHS England describes it.",
    "Value": "The trust's value of the metric. Where a metric has a rate and a count, the rate. Empty where "
             "the input holds none.",
    "Units": "The units of the value.",
    "Data_period": "The period the value covers, as NHS England publishes it.",
    "Score": "The trust's score on the metric, from 1 (best) to 4 (worst). Empty where the trust is not "
             "scored on the metric.",
    "Counts_in_average": "Yes if the score counts in the average metric score (on its own or as part of a "
                         "combined score), otherwise No.",
    "Combined_into": "The combined score this score is part of, or the combined score that stands in for it. "
                     "Empty where none.",
    "Peer_median": "The median value among trusts of the same type reporting the metric.",
    "Peer_lower_quartile": "The lower quartile of the value among trusts of the same type.",
    "Peer_upper_quartile": "The upper quartile of the value among trusts of the same type.",
    "Rank": "The trust's rank on the value among trusts of the same type; 1 is best.",
    "Trusts_reporting": "How many trusts of the same type report a value of the metric.",
}

COMPARISON = {
    "Quarter": _TRUST["Quarter"],
    "Trust_type": _TRUST["Trust_type"],
    "Trust_code": _TRUST["Trust_code"],
    "Trust_name": _TRUST["Trust_name"],
    "Figure": "The figure compared.",
    "Published": "NHS England's published figure.",
    "Recomputed": "reportgen's figure, recomputed from the input by the year's rules.",
    "Difference": "Recomputed minus published.",
    "Status": "match: equal as published; rounding: differs only because the published components are "
              "rounded; mismatch: differs by more.",
    "Rule_basis": "rule: the rule is stated by NHS England or verified on the published files, and a "
                  "mismatch is an error; assumption: the rule is inferred, and the comparison is reported "
                  "only.",
}

COMPARISON_SUMMARY = {
    "Quarter": _TRUST["Quarter"],
    "Figure": "The kind of figure compared.",
    "Rule_basis": COMPARISON["Rule_basis"],
    "Match": "How many comparisons of this kind are equal as published.",
    "Rounding": "How many differ only because the published components are rounded.",
    "Mismatch": "How many differ by more.",
}

DICTIONARY = {
    "File": "The download the column belongs to.",
    "Column": "The column's name in the file.",
    "Description": "What the column holds.",
}


def header(column: str) -> str:
    """A column's header in the spreadsheets: its name in words ("Average score")."""
    return column.replace("_", " ")
