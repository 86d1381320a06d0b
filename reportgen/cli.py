"""Command line: thin; parses options and calls the stages.

Exit codes: 0 success; 1 the work ran but found a problem (a reconciliation
mismatch, a pack that failed); 2 bad input or options (one plain sentence on
standard error, nothing written).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .config import Config
from .errors import ConfigError, InputError, printable

EXIT_PROBLEM = 1
EXIT_BAD_INPUT = 2
DEFAULT_DATA = "data"
NO_DATA = (f"no --data was given and there is no {DEFAULT_DATA}/ folder here: pass --data with NHS England's "
           f"NHS Oversight Framework CSV files (a file or a folder of them, from the segmentation and league "
           f"tables pages of england.nhs.uk), or write the fictional example data with "
           f"'reportgen example-data {DEFAULT_DATA}' and build from that.")


class Say:
    """Messages for a person: on standard error, silenced by --quiet."""

    def __init__(self, quiet: bool):
        self.quiet = quiet

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(printable(message), err=True)

    def warn(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"reportgen: warning: {printable(message)}", err=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    click.echo(f"reportgen: error: {printable(message)}", err=True)
    sys.exit(code)


def _cutoffs(value: str | None, score_range: tuple[float, float] = (1.0, 4.0)) -> tuple[float, float, float] | None:
    """Three finite, rising average scores within the score range."""
    if value is None:
        return None
    import math

    try:
        parts = tuple(float(x) for x in value.split(","))
    except ValueError:
        parts = ()
    lo, hi = score_range
    if (len(parts) != 3 or not all(math.isfinite(p) and lo <= p <= hi for p in parts)
            or not parts[0] <= parts[1] <= parts[2]):
        raise ConfigError(f"--cutoffs '{value}' must be three rising average scores from {lo:g} to {hi:g} "
                          f"separated by commas, for example --cutoffs 2.05,2.32,2.60.")
    return parts[0], parts[1], parts[2]


def common(f):
    # Applied last to first, so that --help lists them in this order.
    options = [
        click.option("--data", "data", multiple=True, type=click.Path(path_type=Path), metavar="FILE_OR_FOLDER",
                     help="A published CSV file or a folder of them (repeatable). Default: data/."),
        click.option("--quarter", metavar="QUARTER",
                     help='The quarter, for example "Q4 2025/26". Default: the latest in the input.'),
        click.option("--config", "config_path", type=click.Path(path_type=Path), metavar="FILE",
                     help="A methodology configuration file. Default: the rules of the year the data's quarters "
                          "belong to (reportgen/years/nof-YYYY-YY.toml)."),
        click.option("--cutoffs", metavar="A,B,C", help="Segment cut-offs to use instead of the configured rule: "
                                                       "three average scores, e.g. 2.05,2.32,2.60."),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def data_paths(data) -> list[Path]:
    """The --data paths, or the default folder; with neither, what to pass."""
    if not data and not Path(DEFAULT_DATA).exists():
        raise InputError(NO_DATA)
    return list(data) or [Path(DEFAULT_DATA)]


class Inputs:
    """What every command starts from: the configuration, the checked data and the quarter."""

    def __init__(self, data, quarter, config_path, cutoffs, quiet, announce_quarter: bool = True):
        from .load import load

        self.say = Say(quiet)
        # Without --config, the year's rules are chosen from the quarters in the data.
        chosen = Config.load(config_path) if config_path else None
        _cutoffs(cutoffs)  # refused before the data is read
        paths = data_paths(data)
        self.dataset = load(paths, chosen, quarter)
        self.config = self.dataset.config or Config.load()
        self.cutoffs = _cutoffs(cutoffs, self.config.score_range)
        if quarter:
            self.quarter = self._given_quarter(quarter)
        else:
            self.quarter = self.dataset.latest_quarter
        for w in self.dataset.warnings + self.dataset.quarter_warnings(self.quarter):
            self.say.warn(w)
        if self.dataset.fictional:
            self.say.info("The input is fictional example data: nothing built from it describes a real trust.")
        if not quarter and announce_quarter:
            self.say.info(f"Using {self.quarter}, the latest quarter in the input (choose another with --quarter).")

    def _given_quarter(self, quarter: str) -> str:
        from .quarters import normalise

        q = normalise(quarter)
        if q is None or q not in self.dataset.quarters:
            raise InputError(f"--quarter '{quarter}': the input holds {', '.join(self.dataset.quarters)} only.")
        return q

    def compute(self, quarter: str | None = None):
        from .methodology import compute_quarter

        return compute_quarter(self.dataset.metrics, self.config, quarter or self.quarter, self.cutoffs,
                               self.dataset.league)


def output_file(value: str) -> Path:
    """--out of league and check: a regular file or a new one, checked before any work is done."""
    from .outputs import refusal

    reason = refusal(value)
    if reason:
        raise InputError(reason)
    return Path(value)


def not_in_data(out: Path, data) -> None:
    """A CSV written into a --data folder would be read next time as one of NHS England's files."""
    for given in list(data) or [Path(DEFAULT_DATA)]:
        try:
            target, d = out.resolve(), Path(given).resolve()
            inside = target == d or (d.is_dir() and target.parent == d)
        except (OSError, RuntimeError):  # a path that cannot be resolved is refused when it is read
            continue
        if inside:
            raise InputError(f"--out {out} is in the --data folder {d}, where the next run would read it as one "
                             f"of NHS England's files; write it somewhere else.")


def output_folder(value: str) -> Path:
    """--out of build: a folder, or a path where one can be made."""
    if value == "":
        raise InputError("--out '' is empty: give the folder to write into.")
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise InputError(f"--out {value} is not a folder: give the folder to write into.")
    return path


def guarded(fn):
    """Turn bad input into one sentence and exit code 2, never a traceback."""
    import functools

    from .outputs import OutputRefused

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (InputError, ConfigError) as exc:
            fail(str(exc))
        except OutputRefused as exc:
            fail(str(exc), EXIT_PROBLEM)
        except OSError as exc:  # for example an output folder that cannot be written
            where = f" {exc.filename}" if exc.filename else ""
            fail(f"cannot write{where}: {exc.strerror or exc}.", EXIT_PROBLEM)
        except KeyboardInterrupt:
            click.echo("reportgen: interrupted; no partial file was left.", err=True)
            sys.exit(130)
        except MemoryError:
            fail("there is not enough memory for this input; nothing partial was left (try a smaller input, "
                 "or a machine with more memory).", EXIT_PROBLEM)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # never a traceback: one sentence, and the traceback only when asked for
            if os.environ.get("REPORTGEN_TRACEBACK"):
                raise
            fail(f"unexpected failure: {type(exc).__name__}: {exc} (set REPORTGEN_TRACEBACK=1 to see where).",
                 EXIT_PROBLEM)

    return wrapper


EXIT_CODES = """\b
Exit codes:
  0    done
  1    the work ran but found a problem (a mismatch against a verified rule,
       a pack that failed, an output that could not be written)
  2    bad input, configuration or options: one sentence on standard error,
       nothing written
  130  interrupted (Ctrl-C or SIGTERM); no partial file is left"""

MAIN_EPILOG = f"""\b
Examples:
  reportgen check --data nof-data/
  reportgen league --data nof-data/ --out league.csv
  reportgen build --data nof-data/ --out site/
  reportgen build --data nof-data/ --trust RYY RXT --no-national

Run "reportgen COMMAND --help" for a command's options.

{EXIT_CODES}"""

BUILD_EPILOG = f"""\b
Examples:
  Every document of the latest quarter:
    reportgen build --data nof-data/ --out site/
  Two trusts' packs, web pages only, leaving the national document and the data files as they are:
    reportgen build --data nof-data/ --trust RYY RXT --no-national --formats html
  The national document and the site of an earlier quarter, no packs:
    reportgen build --data nof-data/ --quarter "Q3 2025/26" --no-packs

{EXIT_CODES}"""


def spread_option(args: list[str], flag: str) -> list[str]:
    """``--trust A B`` as ``--trust A --trust B``: the words after the flag's value that are not options."""
    out: list[str] = []
    state = ""  # "value": the next word is the flag's value; "more": bare words are further values
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        if state == "value":
            out.append(arg)
            state = "more"
            continue
        if state == "more" and not arg.startswith("-"):
            out += [flag, arg]
            continue
        out.append(arg)
        state = "value" if arg == flag else "more" if arg.startswith(flag + "=") else ""
    return out


class SpreadTrustsCommand(click.Command):
    """A command whose ``--trust`` takes several codes after one flag as well as repeated flags."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread_option(list(args), "--trust"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=MAIN_EPILOG)
@click.version_option(__version__, prog_name="reportgen")
def main() -> None:
    """NHS Oversight Framework league tables and segments, as accessible documents."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        os.environ.setdefault("NO_COLOR", "1")


@main.command(epilog=EXIT_CODES, short_help="Compare recomputed figures with NHS England's published ones.")
@common
@click.option("--out", type=click.Path(), default="output/reconciliation.csv",
              show_default=True, help="Where to write every comparison as CSV.")
@click.option("--all-quarters/--one-quarter", default=True, show_default=True,
              help="Check every quarter in the input, or only --quarter.")
@guarded
def check(data, quarter, config_path, cutoffs, quiet, out, all_quarters):
    """Compare every recomputed figure with NHS England's published one."""
    from .csvsafe import write_csv
    from .methodology import compute_quarter
    from .reconcile import MISMATCH, reconcile

    out = output_file(out)
    not_in_data(out, data)
    inp = Inputs(data, quarter, config_path, cutoffs, quiet, announce_quarter=not all_quarters)
    quarters = inp.dataset.quarters if (all_quarters and not quarter) else (inp.quarter,)
    results = {q: compute_quarter(inp.dataset.metrics, inp.config, q, inp.cutoffs, inp.dataset.league)
               for q in quarters}
    rec = reconcile(results, inp.dataset.metrics, inp.config)
    write_csv(out, rec.detail)
    say = inp.say
    for q, r in results.items():
        c = r.cutoffs
        where = ("recomputed as pooled quartiles of all trusts" if c.source == "pooled" else
                 "not recomputed: not every trust type is loaded, so NHS England's published unadjusted "
                 "segments are used" if c.source == "published" else f"given by the {c.source}")
        say.info(f"{q}: {len(r.trusts)} trusts; segment cut-offs {where}.")
    summary = rec.summary()
    if not quiet:
        click.echo(summary.to_string(index=False))
    n = len(rec.detail)
    bad = rec.mismatches
    say.info(f"{n} comparisons written to {out}: {(rec.detail.status == 'match').sum()} match, "
             f"{(rec.detail.status == 'rounding').sum()} differ by rounding only, "
             f"{(rec.detail.status == MISMATCH).sum()} mismatch "
             f"({len(bad)} of them against a verified rule).")
    if not rec.ok:
        first = bad.iloc[0]
        click.echo(printable(f"reportgen: mismatch: {first.quarter} {first.trust_code} {first.figure}: published "
                   f"{first.published:g}, recomputed {first.recomputed:g}."), err=True)
        sys.exit(EXIT_PROBLEM)


@main.command(epilog=EXIT_CODES, short_help="Write the computed league tables as CSV.")
@common
@click.option("--out", type=click.Path(), required=True, help="The CSV file to write.")
@guarded
def league(data, quarter, config_path, cutoffs, quiet, out):
    """Write the computed league tables in NHS England's league-table layout."""
    from .league import league_csv
    from .outputs import write_atomic

    out = output_file(out)
    not_in_data(out, data)
    inp = Inputs(data, quarter, config_path, cutoffs, quiet)
    result = inp.compute()
    write_atomic(out, league_csv(result))
    inp.say.info(f"Wrote the {result.quarter} league tables of {len(result.trusts)} trusts to {out} "
                 f"(segment cut-offs: {result.cutoffs.source}).")


@main.command("example-data", short_help="Write the fictional example data into a folder.")
@click.argument("folder", type=click.Path(path_type=Path), default=Path(DEFAULT_DATA))
@guarded
def example_data(folder):
    """Write the fictional example data shipped with reportgen into FOLDER (default: data)."""
    from .outputs import write_atomic
    from .resources import example_data_files

    files = example_data_files()
    names = {p.name for p in files}
    if folder.is_dir():
        others = sorted(p.name for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.name not in names)
        if others:
            raise InputError(f"{folder}: the folder already holds other CSV files ({', '.join(others[:3])}); "
                             f"write the example data into an empty folder so the two are never read together.")
    for src in files:
        write_atomic(folder / src.name, src.read_bytes())
    click.echo(printable(f"Wrote {len(files)} files of fictional example data to {folder}; "
                         f"build from them with: reportgen build --data {folder}"), err=True)


def _check_pango() -> None:
    """WeasyPrint loads Pango when imported: without it, one sentence on what to install."""
    try:
        import weasyprint  # noqa: F401
    except (OSError, ImportError) as exc:
        fail(f"PDF output needs the Pango library, which could not be loaded ({str(exc).splitlines()[0]}): "
             f"install it (Debian and Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
             f"libharfbuzz-subset0, as scripts/setup.sh does; macOS: brew install pango), "
             f"or leave PDF out with --formats html,docx.", EXIT_PROBLEM)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Progress:
    """Packs done and time left: a bar on a terminal, plain lines otherwise, nothing with --quiet."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar = None
        self.last_line = -1
        self.start = 0.0

    def __enter__(self):
        import time

        self.start = time.monotonic()
        if not self.quiet and sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            console = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))
            self.bar = Bar(TextColumn("Trust packs"), BarColumn(), MofNCompleteColumn(), TextColumn("time left"),
                           TimeRemainingColumn(), console=console, transient=False)
            self.bar.__enter__()
            self.task = None
        return self

    def __call__(self, done: int, total: int) -> None:
        import time

        if self.quiet:
            return
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task("packs", total=total)
            self.bar.update(self.task, completed=done)
            return
        step = max(1, total // 10)
        if done == total or done // step != self.last_line:
            self.last_line = done // step
            elapsed = time.monotonic() - self.start
            left = elapsed / done * (total - done) if done else 0
            click.echo(f"Trust packs: {done} of {total} done, about {left:.0f} s left.", err=True)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


@main.command(cls=SpreadTrustsCommand, epilog=BUILD_EPILOG,
              short_help="Write the national document, the trust packs and the site.",
              options_metavar="[OPTIONS] [--trust CODE [CODE ...]]")
@common
@click.option("--out", type=click.Path(), default="output", show_default=True,
              help="The folder to write into; each quarter gets a folder of its own.")
@click.option("--formats", default="html,pdf,docx", show_default=True, help="Which formats to write.")
@click.option("--no-packs", is_flag=True, help="Write only the national document and the site, no trust packs.")
@click.option("--no-national", is_flag=True, help="Leave the national document and the quarter's data files as "
                                                     "they are (the site links those already in the output "
                                                     "folder); a missing data file is written.")
@click.option("--trust", "trusts", multiple=True, metavar="CODE [CODE ...]",
              help="Build only these trusts' packs: --trust RYY RXT, or --trust RYY --trust RXT.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for the packs. Default: the number of cores.")
@click.option("--force", is_flag=True,
              help="Write every file again, even those whose inputs have not changed since the last build.")
@click.option("--site-url", default="", metavar="URL",
              help="The address the site is published at, e.g. https://example.org/nof/: PDF and Word files "
                   "then link to the other documents there. Without it they name them in words.")
@guarded
def build(data, quarter, config_path, cutoffs, quiet, out, formats, no_packs, no_national, trusts, jobs, force,
          site_url):
    """Write the national league-table document, every trust's briefing pack and the site.

    A file is written only when something it depends on changed since the last build into --out."""
    import signal

    from .incremental import request_key, up_to_date
    from .load import find_csv_files
    from .release import build as run_build
    from .release import check_trust_code, parse_formats
    from .render.links import check_site_url

    # SIGTERM stops the build as Ctrl-C does: workers stopped, no temporary left behind.
    signal.signal(signal.SIGTERM, _interrupt)
    chosen = parse_formats(formats)
    if "pdf" in chosen:
        _check_pango()
    codes = [check_trust_code(c) for value in trusts for c in (value.replace(",", " ").split() or [value])]
    if codes and no_packs:
        raise InputError(f"--trust {codes[0]} asks for a pack but --no-packs asks for none: give one or the other.")
    site_url = check_site_url(site_url)
    out = output_folder(out)
    request = request_key(find_csv_files(data_paths(data)), config_path, {
        "quarter": quarter, "cutoffs": cutoffs, "formats": chosen, "packs": not no_packs, "trusts": codes,
        "national": not no_national, "site_url": site_url})
    current = None if force else up_to_date(out, request)
    if current is not None:
        Say(quiet).info(f"Nothing changed since the last build: every file in {current} is current "
                        f"(--force writes them again).")
        return
    from .release import make_context

    inp = Inputs(data, quarter, config_path, cutoffs, quiet)
    ctx = make_context(inp.dataset, inp.config, inp.quarter, inp.cutoffs)
    with Progress(quiet) as progress:
        report = run_build(ctx, out, chosen, packs=not no_packs, trusts=codes or None, jobs=jobs,
                           progress=progress, force=force, request=request,
                           national=not no_national, site_url=site_url)
    for code, reason in report.failures:
        click.echo(f"reportgen: error: the pack of trust {code} failed: {printable(reason)}", err=True)
    if report.stopped:
        n = len(report.not_built)
        lost = (f"{n} trust pack{'s were' if n != 1 else ' was'} not built ({', '.join(report.not_built)})"
                if n else "every trust pack was built")
        click.echo(printable(f"reportgen: error: {report.stopped}, so the build stopped; {lost}, and the site "
                             f"lists only what was built."), err=True)
    kept = sum(1 for o in report.outputs.values() if not o.written)
    national = "" if no_national else "the national document, "
    inp.say.info(f"Wrote {report.out_dir}: {national}{report.packs} trust "
                 f"pack{'s' if report.packs != 1 else ''} in {', '.join(chosen)}, and the site "
                 f"({report.seconds['total']:.1f} s; {len(report.outputs) - kept} files written, "
                 f"{kept} unchanged and left as they were).")
    if report.stale:
        n = len(report.stale)
        inp.say.warn(f"--no-national left the national document and the quarter's data files as they were, but "
                     f"{n} of those data files ({', '.join(report.stale[:3])}{', ...' if n > 3 else ''}) "
                     f"no longer match{'es' if n == 1 else ''} the input: build without --no-national to bring "
                     f"them up to date.")
    if report.failures or report.stopped:
        sys.exit(EXIT_PROBLEM)


if __name__ == "__main__":  # pragma: no cover
    main()
