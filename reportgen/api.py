"""The Python interface, for notebooks and scripts: ``reportgen.load_data``, ``league_tables`` and ``build``.

Each accepts ``str`` or ``pathlib.Path`` wherever it takes a path, and a
single path as well as a list. Bad input raises ``reportgen.InputError`` or
``reportgen.ConfigError`` with the same one sentence the command line prints.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeAlias

    import pandas as pd

    from .load import Dataset
    from .release import BuildReport

    PathLike: TypeAlias = str | Path
    Data: TypeAlias = Dataset | PathLike | Iterable[PathLike]


def load_data(paths: PathLike | Iterable[PathLike], quarter: str | None = None,
              config: PathLike | None = None) -> Dataset:
    """Read and check NHS England's published CSV files (files or folders).

    The year's rules are chosen from the quarter labels in the data unless
    ``config`` names a methodology file. ``quarter`` is needed only for files
    in the September 2025 layout, which have no Quarter column.
    """
    from .config import Config
    from .load import load

    if isinstance(paths, (str, Path)):
        paths = [paths]
    return load([Path(p) for p in paths], Config.load(config) if config else None, quarter)


def _dataset(data: Data) -> Dataset:
    from .load import Dataset

    return data if isinstance(data, Dataset) else load_data(data)


def _quarter(dataset: Dataset, quarter: str | None) -> str:
    from .errors import InputError
    from .quarters import normalise

    if quarter is None:
        return dataset.latest_quarter
    q = normalise(quarter)
    if q not in dataset.quarters:
        raise InputError(f"quarter '{quarter}': the input holds {', '.join(dataset.quarters)} only.")
    return q


def league_tables(data: Data, quarter: str | None = None, cutoffs: tuple[float, float, float] | None = None
                  ) -> pd.DataFrame:
    """The computed league tables of one quarter (default: the latest), in NHS England's league-table layout.

    ``data`` is what ``load_data`` returns, or the paths to give it.
    """
    from .league import league_frame
    from .methodology import compute_quarter

    dataset = _dataset(data)
    assert dataset.config is not None
    q = _quarter(dataset, quarter)
    result = compute_quarter(dataset.metrics, dataset.config, q, cutoffs, dataset.league)
    return league_frame(result).reset_index(drop=True)


def build(data: Data, out: PathLike, quarter: str | None = None,
          formats: Iterable[str] = ("html", "pdf", "docx"), packs: bool = True,
          trusts: Iterable[str] | None = None, national: bool = True, jobs: int | None = None,
          cutoffs: tuple[float, float, float] | None = None) -> BuildReport:
    """Write the documents of one quarter (default: the latest) under ``out``, as ``reportgen build`` does.

    ``trusts`` limits the packs to these trust codes; ``national=False`` leaves
    the national document and the quarter's data files as they were (``BuildReport.stale``
    names those left out of date); ``packs=False`` writes no packs.
    """
    from .release import build as run_build
    from .release import make_context, parse_formats

    dataset = _dataset(data)
    assert dataset.config is not None
    q = _quarter(dataset, quarter)
    chosen = parse_formats(",".join(formats))
    ctx = make_context(dataset, dataset.config, q, cutoffs)
    return run_build(ctx, Path(out), chosen, packs=packs, trusts=list(trusts) if trusts else None, jobs=jobs,
                     national=national)
