"""Build stage: runs the whole release for one quarter.

Writes, under ``OUT/<quarter-slug>/``: the national league-table document,
one briefing pack per trust (in worker processes, kept for the whole build
unless one grows past a memory limit), the site that links them and
``manifest.json`` (every file with its SHA-256); and ``OUT/index.html`` listing
the quarters built. Every file is written atomically, and only when its key
changed (``reportgen.incremental``). One pack failing is reported with the
trust's code and the reason; the rest are still built. A worker process that dies stops the build
within seconds: the trusts not built are named and the site is written for
the rest. Workers end with the main process, however it ends.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from .collector import paused
from .config import Config
from .content.national import NATIONAL_NAME, Context, national_document
from .downloads import DATA_DIR, data_folders, trust_csv, write_downloads
from .errors import TRUST_CODE, TRUST_CODE_RULE, InputError, printable
from .incremental import KeepAsTheyAre, Ledger, Output, document_key, document_model
from .methodology import QuarterResult, compute_quarter
from .model import Document
from .outputs import PACKS_DIR, OutsideOutput, inside, remove_stale_temporaries
from .quarters import slug as quarter_slug
from .reconcile import Reconciliation, compare_raw, compare_result

T = TypeVar("T")

FORMATS = ("html", "pdf", "docx")
#: A worker whose peak resident memory has reached this is replaced before its next pack. Workers are
#: otherwise kept for the whole build: starting one costs imports and font set-up, and memory stays flat.
WORKER_MEMORY_LIMIT_KB = 300 * 1024


def render(doc, fmt: str) -> bytes:
    """The one place a document becomes bytes in a format."""
    if fmt == "html":
        from .render.html import render_html

        return render_html(doc).encode("utf-8")
    if fmt == "pdf":
        from .render.pdf import render_pdf

        return render_pdf(doc)
    if fmt == "docx":
        from .render.docx import render_docx

        return render_docx(doc)
    raise ValueError(f"unknown format {fmt!r}")


def parse_formats(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise InputError(f"--formats '{value}': choose from {', '.join(FORMATS)}, separated by commas.")
    return chosen


def check_trust_code(code: str) -> str:
    """A trust code is never trusted as a path: only a plain ODS-style code is accepted."""
    if not TRUST_CODE.fullmatch(code or ""):
        raise InputError(f"--trust '{printable(code)}' is not a trust code ({TRUST_CODE_RULE}).")
    return code


@dataclass
class BuildReport:
    out_dir: Path
    written: list[Path] = field(default_factory=list)  # files written by this build
    outputs: dict[str, Output] = field(default_factory=dict)  # name in the quarter's folder -> output
    failures: list[tuple[str, str]] = field(default_factory=list)  # (trust code, reason)
    packs: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    worker_peak_kb: int = 0  # the largest peak resident memory of any worker (packs, national document, downloads)
    national_peak_kb: int = 0  # the peak resident memory of the worker that built the national document
    stopped: str | None = None  # why the build stopped early (a worker process died)
    not_built: list[str] = field(default_factory=list)  # trusts whose packs were not built because it stopped
    national_doc: Document | None = None  # the national document's content, from the worker job that made it
    stale: list[str] = field(default_factory=list)  # files left as they were though out of date (--no-national)


def _compare_raw(metrics, config: Config, quarter: str):
    """The comparison of the raw metrics with NHS England's figures; None without the scoring stage."""
    try:
        return compare_raw(metrics, config, [quarter])
    except ImportError:  # the scoring stage is optional for documents
        return None


def beside(fn: Callable[..., T], *args) -> Callable[[], T]:
    """Start ``fn(*args)`` in a forked process and return a function that waits for its result.

    The main process works alone until the workers start, so a second core is free for work that does
    not depend on its own. The child inherits the arguments by the fork; only the result is pickled
    back. An exception in the child is raised by the waiting function. Where a process cannot be
    forked, or the child dies, ``fn`` runs in this process when its result is asked for. So it does
    while this process runs other threads: one of them could hold a lock (the import lock, a logging
    handler's) that the child would then wait for forever."""
    import threading

    if sys.platform == "win32" or threading.active_count() > 1:
        return lambda: fn(*args)
    mp = multiprocessing.get_context("fork")
    try:
        receive, send = mp.Pipe(duplex=False)
        child = mp.Process(target=_beside_child, args=(send, os.getpid(), fn, args), daemon=True)
        child.start()
    except OSError:
        return lambda: fn(*args)
    send.close()

    def result() -> T:
        try:
            ok, value = receive.recv()
        except (EOFError, OSError):  # the child died without an answer
            ok, value = None, None
        finally:
            receive.close()
            child.join()
        if ok is None:
            return fn(*args)
        if not ok:
            raise value
        return value

    return result


def _beside_child(send, parent: int, fn: Callable, args: tuple) -> None:
    _child_of(parent)
    try:
        answer = (True, fn(*args))
    except Exception as exc:
        answer = (False, exc)
    try:
        send.send(answer)
    except Exception:  # an answer that cannot be pickled: the main process works it out itself
        pass
    send.close()


def make_context(dataset, config: Config, quarter: str, cutoffs=None) -> Context:
    """Every quarter's results and the chosen quarter's comparison with NHS England's figures, with the
    cycle collector paused meanwhile (``reportgen.collector``)."""
    with paused():
        return _make_context(dataset, config, quarter, cutoffs)


def _make_context(dataset, config: Config, quarter: str, cutoffs=None) -> Context:
    # The raw metrics' comparison needs none of the quarters' results: it is worked out beside them.
    raw_comparison = beside(_compare_raw, dataset.metrics, config, quarter)
    results: dict[str, QuarterResult] = {
        q: compute_quarter(dataset.metrics, config, q, cutoffs, dataset.league) for q in dataset.quarters
    }
    rec = Reconciliation(compare_result(results[quarter]))
    raw = raw_comparison()
    if raw is not None and not raw.empty:
        import pandas as pd

        rec = Reconciliation(pd.concat([rec.detail, raw], ignore_index=True))
    sources = tuple(sorted({f.path.name for f in dataset.files}))
    return Context(config=config, results=results, quarter=quarter, reconciliation=rec,
                   fictional=dataset.fictional, sources=sources, metrics=dataset.metrics)


def placed(doc, ctx: Context, name: str, packs: bool = False):
    """The document with where it is written (from the site root) and the site's address."""
    folder = f"{quarter_slug(ctx.quarter)}/{PACKS_DIR}" if packs else quarter_slug(ctx.quarter)
    return replace(doc, path=f"{folder}/{name}", site_url=ctx.site_url)


def national_content(ctx: Context, formats: tuple[str, ...], report: BuildReport,
                     packs: frozenset[str] | None = None) -> Document:
    """The national document's content, linking to every one of ``formats`` and to the packs in ``packs``."""
    t0, c0 = time.perf_counter(), time.process_time()
    doc = placed(national_document(ctx, formats, packs=packs), ctx, NATIONAL_NAME)
    report.seconds["national content"] = time.perf_counter() - t0
    report.seconds["national content cpu"] = time.process_time() - c0
    return doc


def build_national(ctx: Context, folder: Path, formats: tuple[str, ...], report: BuildReport,
                   ledger: Ledger | None = None, packs: frozenset[str] | None = None,
                   only: tuple[str, ...] | None = None, doc: Document | None = None) -> None:
    """Write the national document in each format whose key changed (of ``only`` those formats, when given:
    the document still links to every one of ``formats``).

    ``packs``: the trusts whose packs the folder will hold, so the document links only to those (None: all).
    ``doc``: its content, when already made (``national_content``)."""
    ledger = ledger or Ledger(folder)
    if doc is None:
        doc = national_content(ctx, formats, report, packs)
    model = document_model(doc)
    for fmt in formats if only is None else [f for f in formats if f in only]:
        t0, c0 = time.perf_counter(), time.process_time()
        name = f"{NATIONAL_NAME}.{fmt}"
        key = document_key(doc, fmt, model)
        out = ledger.current(name, key) or ledger.write(name, render(doc, fmt), key)
        report.outputs[name] = out
        if out.written:
            report.written.append(folder / name)
            report.seconds[f"national {fmt}"] = time.perf_counter() - t0
            report.seconds[f"national {fmt} cpu"] = time.process_time() - c0


# ---------------------------------------------------------------------------
# Packs, in worker processes

_WORKER_CTX: Context | None = None


def _worker_ctx() -> Context:
    if _WORKER_CTX is None:
        raise RuntimeError("a worker task ran before its worker was given the build's context")
    return _WORKER_CTX


#: True in a worker process: what outlives each pack there is frozen out of the collector's reach.
_FREEZE_SURVIVORS = False


def _init_worker(ctx: Context, parent: int) -> None:
    global _WORKER_CTX, _FREEZE_SURVIVORS
    _WORKER_CTX = ctx
    _FREEZE_SURVIVORS = True
    _child_of(parent)


def _child_of(parent: int) -> None:
    """A process forked by the build's main process: Ctrl-C is the main process's to handle (it stops its
    children), SIGTERM (the main process's terminate()) ends it at once, and it ends with the main process."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent)


def _die_with(parent: int) -> None:
    """End this worker when the build's main process ends, however it ends (even SIGKILL)."""
    import signal
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            PR_SET_PDEATHSIG = 1
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
        else:
            if os.getppid() != parent:  # the parent died before the signal was asked for
                os._exit(1)
            return

    def watch() -> None:  # elsewhere: look every half second
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def pack_file(code: str, fmt: str) -> str:
    """A pack's name in the quarter's folder."""
    return f"{PACKS_DIR}/{code}.{fmt}"


def _time_stage(timings: dict[str, float], stage: str, t0: float, c0: float) -> None:
    """Add the wall and CPU seconds since ``t0`` and ``c0`` to ``stage`` (CPU as ``"<stage> cpu"``)."""
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - t0
    timings[f"{stage} cpu"] = timings.get(f"{stage} cpu", 0.0) + time.process_time() - c0


def build_pack(ctx: Context, code: str, folder: Path, formats: tuple[str, ...],
               timings: dict[str, float] | None = None, ledger: Ledger | None = None) -> dict[str, Output]:
    """Write one trust's pack in ``folder`` in each format whose key changed; describe each file.

    ``ledger`` (of the quarter's folder, which holds ``folder``) says which files are current."""
    from .content.pack import pack_document

    if not TRUST_CODE.fullmatch(code):  # codes are checked at load; a file name is made from no other
        raise OutsideOutput(f"refusing to name a file after {printable(code)!r}: not a trust code.")
    t0, c0 = time.perf_counter(), time.process_time()
    doc = placed(pack_document(ctx, code, formats), ctx, code, packs=True)
    if timings is not None:
        _time_stage(timings, "content", t0, c0)
    ledger = ledger or Ledger(folder.parent)
    outputs: dict[str, Output] = {}
    rendered: dict[str, tuple[str, bytes]] = {}
    model = document_model(doc)
    for fmt in formats:  # every format is made before any is written: a failure leaves no part of the pack
        key = document_key(doc, fmt, model)
        kept = ledger.current(pack_file(code, fmt), key)
        if kept is not None:
            outputs[fmt] = kept
            continue
        t0, c0 = time.perf_counter(), time.process_time()
        rendered[fmt] = key, render(doc, fmt)
        if timings is not None:
            _time_stage(timings, fmt, t0, c0)
    try:
        for fmt, (key, data) in rendered.items():
            outputs[fmt] = ledger.write(pack_file(code, fmt), data, key)
    except BaseException:
        remove_pack(folder, code, formats)
        raise
    return {fmt: outputs[fmt] for fmt in formats}


def remove_pack(folder: Path, code: str, formats: tuple[str, ...]) -> None:
    """Remove a pack's files, so that a pack that failed leaves none behind (the site says "not built")."""
    if not TRUST_CODE.fullmatch(code):
        return
    for fmt in formats:
        try:
            inside(folder, f"{code}.{fmt}").unlink(missing_ok=True)
        except (OSError, OutsideOutput):
            pass


def _pack_task(args) -> tuple[str, dict[str, Output] | None, str | None, dict[str, float], int]:
    code, folder, formats, ledger = args
    timings: dict[str, float] = {}
    try:
        outputs = build_pack(_worker_ctx(), code, Path(folder), formats, timings, ledger)
        return code, outputs, None, timings, _peak_rss_kb()
    except Exception as exc:  # reported with the trust's code; the other packs go on
        remove_pack(Path(folder), code, formats)
        return code, None, f"{type(exc).__name__}: {exc}", timings, _peak_rss_kb()
    finally:
        if _FREEZE_SURVIVORS:
            freeze_survivors()


def freeze_survivors() -> None:
    """Keep what outlived a pack for the worker's life, out of the cycle collector's reach.

    What survives a full collection after a pack is what a worker keeps (the fonts, each trust type's
    shared content, WeasyPrint's caches). Frozen, it is no longer walked by every collection the next
    packs' short-lived objects cause: measured on 21 example packs, the PDF stage took 14% less CPU."""
    gc.collect()
    gc.freeze()


def _peak_rss_kb() -> int:
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except (ImportError, OSError):
        return 0


def _national_task(folder: str, formats: tuple[str, ...], ledger: Ledger,
                   packs: frozenset[str] | None = None, only: tuple[str, ...] | None = None,
                   doc: Document | None = None) -> BuildReport:
    part = BuildReport(out_dir=Path(folder))
    build_national(_worker_ctx(), Path(folder), formats, part, ledger, packs, only, doc)
    part.worker_peak_kb = part.national_peak_kb = _peak_rss_kb()
    return part


def _national_content_task(folder: str, formats: tuple[str, ...],
                           packs: frozenset[str] | None = None) -> BuildReport:
    """The national document's content, made once for the jobs that write its formats (it is small to send)."""
    part = BuildReport(out_dir=Path(folder))
    part.national_doc = national_content(_worker_ctx(), formats, part, packs)
    part.worker_peak_kb = part.national_peak_kb = _peak_rss_kb()
    return part


def national_parts(formats: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The national document's formats split in two jobs for two workers: its PDF, the longest job of a build,
    and the others. With two parts, a first job makes the document's content once, for both."""
    if "pdf" not in formats or len(formats) == 1:
        return [formats]
    return [("pdf",), tuple(f for f in formats if f != "pdf")]


def build_downloads(ctx: Context, folder: Path, ledger: Ledger, report: BuildReport) -> None:
    """Write the quarter's data downloads (``downloads.write_downloads``) whose key changed."""
    t0, c0 = time.perf_counter(), time.process_time()
    downloads = write_downloads(ctx, folder, ledger)
    report.outputs.update(downloads)
    report.written += [folder / n for n, o in downloads.items() if o.written]
    report.seconds["downloads"] = time.perf_counter() - t0
    report.seconds["downloads cpu"] = time.process_time() - c0


def _downloads_task(folder: str, ledger: Ledger) -> BuildReport:
    part = BuildReport(out_dir=Path(folder))
    build_downloads(_worker_ctx(), Path(folder), ledger, part)
    part.stale = list(ledger.stale)
    part.worker_peak_kb = _peak_rss_kb()
    return part


class _Worker:
    """One worker process (a one-process executor), replaced when it dies or has grown past the memory limit."""

    def __init__(self, mp, ctx: Context):
        self.mp, self.ctx = mp, ctx
        self.executor: ProcessPoolExecutor | None = None
        self.processes: list = []
        self.tasks = 0
        self.peak_kb = 0  # the peak resident memory its last pack reported

    def submit(self, fn, *args) -> Future:
        if self.executor is not None and self.peak_kb >= WORKER_MEMORY_LIMIT_KB:
            self.close()
        if self.executor is None:
            self.executor = ProcessPoolExecutor(1, mp_context=self.mp, initializer=_init_worker,
                                                initargs=(self.ctx, os.getpid()))
            self.tasks = 0
            self.peak_kb = 0
        self.tasks += 1
        future = self.executor.submit(fn, *args)
        self.processes = list(getattr(self.executor, "_processes", {}).values())
        return future

    def death(self) -> str:
        """How the worker died, for the message.

        The executor is shut down first: its manager thread reaps the dead process and records its exit
        code. Reaping it here as well would race with that thread, and the loser of the race reads no exit
        code at all."""
        import signal

        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
        for p in self.processes:
            p.join(timeout=5)
            if p.exitcode is not None and p.exitcode < 0:
                try:
                    return f"killed by {signal.Signals(-p.exitcode).name}"
                except ValueError:
                    return f"killed by signal {-p.exitcode}"
            if p.exitcode:
                return f"exit code {p.exitcode}"
        return "ended unexpectedly"

    def close(self, kill: bool = False) -> None:
        if self.executor is None:
            self.processes = []
            return
        if kill:
            for p in self.processes:
                if p.is_alive():
                    p.terminate()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = None
        self.processes = []


def build_packs(ctx: Context, codes: list[str], folder: Path, formats: tuple[str, ...], jobs: int,
                progress: Callable[[int, int], None] | None, report: BuildReport,
                national_folder: Path | None = None, ledger: Ledger | None = None,
                linked_packs: frozenset[str] | None = None,
                downloads_folder: Path | None = None) -> dict[str, dict[str, int]]:
    """Build the packs; with ``national_folder``, the national document is built by workers alongside them
    (linking to ``linked_packs``), and with ``downloads_folder`` (the quarter's folder) the data downloads are
    written by a worker too. The workers take, in turn: the national PDF (the longest job, so it does not end
    last), the downloads, the national document's other formats, then the packs. An error in the national
    document or the downloads stops the build, as an error here does; a worker that dies while writing the
    downloads leaves them to the caller (``report.outputs`` then has none).

    ``ledger`` (of the quarter's folder) says which outputs are current: the others are left as they are.

    A worker that dies (the out-of-memory killer, a crash in a renderer) is noticed at once: no further
    pack is started, the packs in hand are finished, and ``report.stopped`` says which worker died and
    ``report.not_built`` which trusts were not built, so the site can still be written for the rest.
    """
    sizes: dict[str, dict[str, int]] = {}
    ledger = ledger or Ledger(folder.parent)
    tasks = [(code, str(folder), formats, ledger.subset(pack_file(code, f) for f in formats)) for code in codes]
    done = 0
    if jobs <= 1:
        _init_worker_inline(ctx)
        results = map(_pack_task, tasks)
        for code, s, err, timings, rss in results:
            done += 1
            _record(code, s, err, timings, rss, sizes, report)
            if progress:
                progress(done, len(tasks))
        return sizes
    mp = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    if "pdf" in formats:  # imported once, here, for every worker forked from this process (half a second each)
        try:
            import weasyprint  # noqa: F401
        except (OSError, ImportError):  # no Pango: each PDF then fails with the reason, as it would alone
            pass
    workers = [_Worker(mp, ctx) for _ in range(jobs)]
    # The build's data, frozen out of the collector's reach before the workers fork: a worker's collections
    # then never touch (and copy) the pages it shares with this process.
    gc.collect()
    gc.freeze()
    idle = list(reversed(workers))
    # Each job: what it is (a trust's code, NATIONAL or DOWNLOADS), the task and its arguments; in order
    jobs_in_order: list[tuple[str, Callable, tuple]] = []
    parts = national_parts(formats)

    def national_jobs(doc: Document | None = None) -> list[tuple[str, Callable, tuple]]:
        """The jobs writing the national document's formats, the PDF first."""
        return [(_NATIONAL, _national_task, (str(national_folder), formats,
                                             ledger.subset(f"{NATIONAL_NAME}.{f}" for f in part),
                                             linked_packs, part, doc)) for part in parts]

    if national_folder is not None:
        if len(parts) == 1:  # one job: content and formats
            jobs_in_order += national_jobs()
        else:  # its content first; the formats' jobs go to the front of the queue when it is made
            jobs_in_order.append((_NATIONAL, _national_content_task, (str(national_folder), formats, linked_packs)))
    if downloads_folder is not None:
        data = ledger.subset(n for n in ledger.entries if n.startswith(f"{DATA_DIR}/"))
        jobs_in_order.insert(1, (_DOWNLOADS, _downloads_task, (str(downloads_folder), data)))
    jobs_in_order += [(task[0], _pack_task, (task,)) for task in tasks]
    pending = list(reversed(jobs_in_order))
    running: dict[Future, tuple[_Worker, str]] = {}  # the job in hand
    lost: list[str] = []
    temporaries = [folder, *([national_folder] if national_folder is not None else []),
                   *([downloads_folder, *data_folders(downloads_folder)] if downloads_folder is not None else [])]
    try:
        while running or (pending and not report.stopped):
            while idle and pending and not report.stopped:
                w = idle.pop()
                job = pending.pop()
                try:
                    running[w.submit(job[1], *job[2])] = (w, job[0])
                except BrokenProcessPool:  # it died between two jobs
                    report.stopped = f"a worker process died ({w.death()}) between two packs"
                    w.close(kill=True)
                    idle.append(w)
                    pending.append(job)
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                w, job = running.pop(future)
                idle.append(w)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    what = {_NATIONAL: "building the national document",
                            _DOWNLOADS: "writing the data downloads"}.get(job, f"building the pack of trust {job}")
                    report.stopped = f"a worker process died ({w.death()}) while {what}"
                    w.close(kill=True)
                    if job not in (_NATIONAL, _DOWNLOADS):
                        lost.append(job)
                    continue
                if job in (_NATIONAL, _DOWNLOADS):
                    # Its peak counts as a pack's would: past the limit, the worker is replaced before a pack.
                    w.peak_kb = result.worker_peak_kb
                    report.worker_peak_kb = max(report.worker_peak_kb, result.worker_peak_kb)
                    report.national_peak_kb = max(report.national_peak_kb, result.national_peak_kb)
                    for stage, seconds in result.seconds.items():  # the national document's two parts add up
                        report.seconds[stage] = report.seconds.get(stage, 0.0) + seconds
                    report.written += result.written
                    report.outputs.update(result.outputs)
                    report.stale += result.stale
                    if result.national_doc is not None:
                        pending += reversed(national_jobs(result.national_doc))
                else:
                    done += 1
                    code, s, err, timings, rss = result
                    w.peak_kb = rss
                    _record(code, s, err, timings, rss, sizes, report)
                    if progress:
                        progress(done, len(tasks))
    except BaseException:  # Ctrl-C, SIGTERM or an error: stop the workers, leave no temporary
        for w in workers:
            w.close(kill=True)
        remove_stale_temporaries(*temporaries)
        raise
    finally:
        gc.unfreeze()
    for w in workers:
        w.close()
    if report.stopped:
        remove_stale_temporaries(*temporaries)
        report.not_built = lost + [job[0] for job in reversed(pending) if job[0] not in (_NATIONAL, _DOWNLOADS)]
        for code in lost:
            remove_pack(folder, code, formats)
    return sizes


#: The jobs a worker may have in hand besides a trust's pack (a trust code is never either: see TRUST_CODE).
_NATIONAL, _DOWNLOADS = "the national document", "the data downloads"


def _init_worker_inline(ctx: Context) -> None:
    global _WORKER_CTX
    _WORKER_CTX = ctx


def _record(code, outputs, err, timings, rss, sizes, report: BuildReport) -> None:
    for stage, seconds in (timings or {}).items():
        key = f"pack {stage}"
        report.seconds[key] = report.seconds.get(key, 0.0) + seconds
    report.worker_peak_kb = max(report.worker_peak_kb, rss)
    if err is None:
        sizes[code] = {fmt: o.bytes for fmt, o in outputs.items()}
        for fmt, o in outputs.items():
            report.outputs[pack_file(code, fmt)] = o
            if o.written:
                report.written.append(report.out_dir / pack_file(code, fmt))
        report.packs += 1
    else:
        report.failures.append((code, err))


# ---------------------------------------------------------------------------
# The whole release


def build(ctx: Context, out_dir: Path, formats: tuple[str, ...] = FORMATS, packs: bool = True,
          trusts: list[str] | None = None, jobs: int | None = None,
          progress: Callable[[int, int], None] | None = None, force: bool = False,
          request: str = "", national: bool = True, site_url: str = "") -> BuildReport:
    """Build the quarter's release, writing only the outputs whose key changed (all with ``force``).

    ``request`` is the key of the whole request (``incremental.request_key``), recorded in the
    manifest when every pack was built, so that the same request again needs no work at all.
    ``national=False`` leaves the national document as it is. ``site_url`` (``--site-url``) is where
    the site is published: PDF and Word files link to the other documents there."""
    if site_url:
        from .render.links import check_site_url

        ctx = replace(ctx, site_url=check_site_url(site_url))
    folder = out_dir / quarter_slug(ctx.quarter)
    report = BuildReport(out_dir=folder)
    available = list(ctx.result.trusts["trust_code"])
    codes = available
    if trusts:  # checked before anything is written
        for code in trusts:
            check_trust_code(code)
        missing = [c for c in trusts if c not in set(available)]
        if missing:
            raise InputError(f"--trust {missing[0]}: no such trust in {ctx.quarter} in the input.")
        codes = list(dict.fromkeys(trusts))
    remove_stale_temporaries(out_dir, folder, folder / PACKS_DIR, *data_folders(folder))
    t_all = time.perf_counter()
    jobs = jobs or os.cpu_count() or 1
    if packs:  # no more workers than there is work: the packs, and the national document alongside them
        jobs = max(1, min(jobs, len(codes) + 1))
    # With worker processes, the national document and the downloads are built by them alongside the packs.
    in_workers = packs and jobs > 1
    alongside = national and in_workers
    ledger = Ledger.open(folder, force)
    if not national:  # the quarter's data files go with the national document; a pack's own CSV with the pack
        ledger.keep = KeepAsTheyAre((DATA_DIR,), frozenset(filter(None, map(trust_csv, codes if packs else []))))
    if not in_workers:  # with worker processes, a worker writes them while the others build
        build_downloads(ctx, folder, ledger, report)
    # The national document links to the packs this build writes and those left from earlier builds.
    earlier = {name[len(PACKS_DIR) + 1:].rpartition(".")[0] for name in ledger.entries
               if name.startswith(f"{PACKS_DIR}/")}
    linked_packs = frozenset(earlier | (set(codes) if packs else set()))
    if national and not alongside:
        build_national(ctx, folder, formats, report, ledger, linked_packs)
    if packs:
        t0 = time.perf_counter()
        build_packs(ctx, codes, folder / PACKS_DIR, formats, jobs, progress, report,
                    national_folder=folder if alongside else None, ledger=ledger, linked_packs=linked_packs,
                    downloads_folder=folder if in_workers else None)
        report.seconds["packs"] = time.perf_counter() - t0
        if in_workers and "downloads" not in report.seconds:  # the worker writing them died: written here
            build_downloads(ctx, folder, ledger, report)
    t0 = time.perf_counter()
    from .content.site import write_site_if_changed

    # The site lists every pack in the folder: this build's and those left from earlier builds.
    others = ledger.others(report.outputs)
    sizes: dict[str, dict[str, int]] = {}
    for name, out in {**others, **report.outputs}.items():
        if name.startswith(f"{PACKS_DIR}/"):
            code, _, fmt = name[len(PACKS_DIR) + 1:].rpartition(".")
            sizes.setdefault(code, {})[fmt] = out.bytes
    site = write_site_if_changed(ctx, out_dir, ledger, formats, sizes)
    report.outputs.update(site)
    report.written += [folder / n for n, o in site.items() if o.written]
    report.seconds["site"] = time.perf_counter() - t0
    report.stale = sorted({*ledger.stale, *report.stale})
    # A request that left files out of date is not recorded as done: made again, it says so again.
    complete = not report.failures and not report.stopped and not report.stale
    ledger.save(report.outputs, request if complete else "", {n: o for n, o in others.items() if n not in site})
    report.seconds["total"] = time.perf_counter() - t_all
    return report
