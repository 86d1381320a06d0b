"""reportgen: NHS Oversight Framework league tables and segments as accessible documents.

From Python (a notebook, a script)::

    import reportgen
    data = reportgen.load_data("nof-data/")
    table = reportgen.league_tables(data)            # a pandas DataFrame
    reportgen.build(data, "site/", trusts=["RYY"], formats=["html"])
"""

from .api import build, league_tables, load_data
from .errors import ConfigError, InputError

__version__ = "0.1.0"

__all__ = ["ConfigError", "InputError", "__version__", "build", "league_tables", "load_data"]
