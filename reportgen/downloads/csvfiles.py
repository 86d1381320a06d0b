"""The quarter's CSV files and their data dictionary, every text cell made safe by ``csvsafe``."""
from __future__ import annotations

import pandas as pd

from . import columns as C


def dictionary_frame(files: dict[str, dict[str, str]]) -> pd.DataFrame:
    """One row for each column of each file: ``files`` maps a file name to its columns' descriptions."""
    rows = [(name, column, text) for name, described in files.items() for column, text in described.items()]
    return pd.DataFrame(rows, columns=list(C.DICTIONARY))
