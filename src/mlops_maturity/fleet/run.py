"""Assess many repositories: worker processes, one result per repository streamed to disk.

The parent first asks the cache whether a repository's rendered result from the previous run
can be reused (nothing it depends on changed: `ScanCache.reuse`); if so it copies that output
and takes the summary row kept with it, with no worker, scoring or rendering. It hands the
other repository paths to worker processes (started on the first of them) and keeps one small
row per repository (name, levels, status, cache outcome); each worker scans (through the
cache), scores, writes the rendered result to its own file and, with a database, saves it.
Memory therefore does not grow with the number of repositories beyond those rows (about 2 KB
each with the repository's path, measured with bench/fleet_bench.py), and a repository that fails (cannot be read, a bad `.mlops-maturity.yaml`,
a worker that dies) becomes a row with its error while the others go on.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

EXTENSIONS = {"terminal": "txt", "json": "json", "markdown": "md", "html": "html", "sarif": "sarif", "badge": "svg"}
# A repository whose worker died this many times is reported as failed instead of retried.
MAX_ATTEMPTS = 2


@dataclass(frozen=True)
class Options:
    """Everything a worker needs, picklable."""

    fmt: str = "json"
    render: dict = field(default_factory=dict)
    out_dir: Path | None = None  # per-repository files land here, named after the repository
    spool: Path | None = None  # or here, by index, for the parent to concatenate in order
    framework_ref: str | None = None
    answers: Path | None = None
    stage: str | None = None
    mlflow_uri: str | None = None
    cache_dir: Path | None = None  # None: no cache
    db: str | None = None  # with save or for history: the assessment database
    save: bool = False
    team: str | None = None
    gate_overall: int | None = None
    gate_dims: dict = field(default_factory=dict)
    gate_stage: bool = False
    inner_jobs: int = 1
    output_key: str | None = None  # set by run_fleet when rendered outputs can be reused
    answers_digest: str | None = None  # the answers file's content that output_key was made with


@dataclass(slots=True)
class Row:
    """One repository's line in the summary. The parent keeps one per repository until the
    summary is written, so it is kept small (slots)."""

    index: int
    path: str
    name: str
    status: str = "ok"  # "ok" | "error"
    error: str = ""
    cache: str = "off"  # "hit" | "miss" | "corrupt" | "off"
    cache_reason: str = ""
    reused: bool = False  # the output of a previous run copied: not scored nor rendered again
    commit: str | None = None
    overall: int | None = None
    mean: float | None = None
    levels: dict = field(default_factory=dict)
    scan_status: str = ""
    warnings: list = field(default_factory=list)
    gate: list = field(default_factory=list)
    saved: str = ""
    output: str | None = None
    seconds: float = 0.0


# -- the worker ----------------------------------------------------------------------------

_state: dict = {}
# The framework the parent loaded (ref, catalog, framework): forked workers start with it.
_loaded: tuple | None = None


def _framework(ref: str | None):  # noqa: ANN202
    global _loaded
    from ..framework.load import default_catalog, load_framework

    if _loaded is None or _loaded[0] != ref:
        catalog = default_catalog()
        _loaded = (ref, catalog, load_framework(ref, catalog))
    return _loaded[1], _loaded[2]


def _init(options: Options) -> None:
    """Once per worker process: the framework, the cache and (lazily) the database."""
    catalog, framework = _framework(options.framework_ref)
    _state.clear()
    _state.update(options=options, catalog=catalog, framework=framework, store=None)
    if options.cache_dir is not None:
        from .cache import ScanCache

        _state["cache"] = ScanCache(options.cache_dir)
    else:
        _state["cache"] = None


def _store():
    if _state["store"] is None:
        from ..store.service import Store

        o: Options = _state["options"]
        _state["store"] = Store.open(o.db, create=o.save)
    return _state["store"]


def _preflight(path: Path) -> str | None:
    """Why `path` cannot be scanned at all, or None."""
    import errno
    import stat

    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return "a broken symbolic link" if os.path.islink(path) else "no such directory"
        return f"cannot open ({exc.strerror or exc})"
    if not stat.S_ISDIR(st.st_mode):
        return "not a directory"
    try:
        with os.scandir(path) as it:
            next(it, None)
    except OSError as exc:
        return f"cannot read the directory ({exc.strerror or exc})"
    return None


def assess_one(task: tuple[int, str, str]) -> Row:
    """Scan, score, write and (maybe) save one repository; never raises."""
    index, path_s, slot = task
    started = time.perf_counter()
    row = Row(index=index, path=path_s, name=slot)
    try:
        _assess_into(row, Path(path_s), slot)
    except Exception as exc:  # noqa: BLE001  (one repository's bug must not stop the fleet)
        row.status = "error"
        row.error = f"internal error: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
    row.seconds = round(time.perf_counter() - started, 4)
    return row


def _assess_into(row: Row, path: Path, slot: str) -> None:
    from ..scoring.gate import missed as gate_missed
    from ..sources.assess import Request, read_configs, run, subject_name
    from ..sources.declared import InputError
    from ..store.db import StoreError
    from .cache import CachedScan, config_hash

    o: Options = _state["options"]
    fw, catalog = _state["framework"], _state["catalog"]
    problem = _preflight(path)
    if problem:
        row.status, row.error = "error", problem
        return
    config = config_hash(path) if o.output_key else None  # before it is read: a later change shows
    try:
        configs = read_configs([path], fw)
    except InputError as exc:
        row.status, row.error = "error", str(exc)
        return
    scan = CachedScan(path, _state["cache"], jobs=o.inner_jobs)
    extra = []
    if o.mlflow_uri:
        from ..sources.mlflow import MlflowSource

        extra.append(MlflowSource(o.mlflow_uri))
    req = Request(paths=[path], answers=o.answers, stage=o.stage, configs=configs, scan=scan, extra_sources=extra, jobs=o.inner_jobs)
    name = subject_name(req, configs)
    store = None
    if o.save or o.db:
        from ..sources.history import HistorySource

        try:
            store = _store()
            req.last_assessed_at = store.last_assessed_at(name, o.team)
        except StoreError as exc:
            row.status, row.error = "error", str(exc)
            return
        req.extra_sources = [*req.extra_sources, HistorySource(store, name, o.team, now=req.now)]
    try:
        result = run(req, fw, catalog)
    except InputError as exc:
        row.status, row.error = "error", str(exc)
        return
    row.name = result.subject.name
    row.cache, row.cache_reason = scan.outcome, scan.reason
    row.commit = result.subject.commit
    row.overall, row.mean = result.overall.level, result.overall.mean
    row.levels = {d.id: d.level for d in result.dimensions}
    for s in result.sources:
        if s.name == "scan":
            row.scan_status = s.status
        if s.status == "failed":
            row.warnings.append(f"source {s.name} failed: {s.message}")
    if row.scan_status == "failed":
        row.status, row.error = "error", next((s.message for s in result.sources if s.name == "scan"), "scan failed")
        return
    row.gate = gate_missed(result, o.gate_overall, o.gate_dims, o.gate_stage)
    row.output, text = _write(result, o, row.index, slot)
    when = _time_in(text, o.fmt) if text is not None else None
    # Kept only if made from the answers the key names (the file may change during the run).
    if o.output_key and when is not None and answers_digest(o) == o.answers_digest:
        scan.finish({"key": o.output_key, "path": str(path), "config": config, "row": {k: getattr(row, k) for k in ROW_KEPT}, "time": when}, text)
    else:
        scan.finish()
    if o.save and store is not None:
        try:
            saved = store.save(result, project=name, team=o.team, source="scan", created_by=_who())
        except StoreError as exc:
            row.warnings.append(f"not saved: {exc}")
        else:
            row.saved = f"{'saved as' if saved.created else 'already stored as'} assessment #{saved.id}"


def _who() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def _target(o: Options, index: int, slot: str) -> Path | None:
    if o.out_dir is not None:
        return o.out_dir / f"{slot}.{EXTENSIONS[o.fmt]}"
    if o.spool is not None:
        return o.spool / f"{index:07d}.{EXTENSIONS[o.fmt]}"
    return None


def _put(o: Options, target: Path, data: bytes) -> None:
    from ..util import atomic

    if o.out_dir is not None:
        atomic.write_text(target, data.decode("utf-8"))
    else:  # the spool is the run's private directory: no one reads a file before the row says so
        with open(target, "wb") as fh:
            fh.write(data)


def _write(result, o: Options, index: int, slot: str) -> tuple[str | None, bytes | None]:  # noqa: ANN001
    """Render and write one result; (where, the bytes written)."""
    from .. import reporters

    target = _target(o, index, slot)
    if target is None:
        return None, None
    text = result.model_dump_json(indent=2) if o.fmt == "json" else reporters.render(result, o.fmt, **o.render)
    data = text.encode("utf-8")
    _put(o, target, data)
    return str(target), data


# -- reusing a rendered output ----------------------------------------------------------------
#
# The formats whose text can be copied from one run to the next: nothing in them depends on when
# the run happens, except JSON's `generated_at`, which is replaced exactly (in an indented dump
# only a top-level key starts a line with two spaces, and JSON escapes every newline inside a
# string). Markdown, HTML and SARIF print the time in their own ways: with those, an unchanged
# repository is still not read (its observations are cached) but is scored and rendered again.
REUSABLE_FORMATS = ("json", "terminal", "badge")
# What a reused output brings back for the summary.
ROW_KEPT = ("name", "commit", "overall", "mean", "levels", "scan_status", "warnings", "gate")
_TIME_LINE = b'\n  "generated_at": "'
# The environment a terminal rendering may consult besides its explicit options.
_RENDER_ENV = ("NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM", "COLUMNS", "LINES")


def output_key(o: Options, framework, catalog) -> str | None:  # noqa: ANN001
    """Everything besides the repository that decides a rendered output, hashed; None when the
    outputs of this run cannot be reused (no cache, a format that prints the time, a live
    source, or a database whose history feeds the result)."""
    import hashlib
    import json

    from .cache import fingerprint, package_fingerprint

    if o.cache_dir is None or o.fmt not in REUSABLE_FORMATS or o.mlflow_uri or o.db or o.save:
        return None
    h = hashlib.sha256()
    parts = [
        package_fingerprint(),
        fingerprint(catalog),
        framework.model_dump_json(),
        o.fmt,
        json.dumps(o.render, sort_keys=True),
        json.dumps({k: os.environ.get(k) for k in _RENDER_ENV}, sort_keys=True) if o.fmt == "terminal" else "",
        o.stage or "",
        json.dumps([o.gate_overall, sorted(o.gate_dims.items()), o.gate_stage]),
    ]
    if o.answers is not None:
        if o.answers_digest is None:
            return None  # unreadable: the workers report it
        parts += [str(o.answers), o.answers_digest]
    for part in parts:
        h.update(hashlib.sha256(part.encode()).digest())
    return h.hexdigest()


def answers_digest(o: Options) -> str | None:
    import hashlib

    try:
        return hashlib.sha256(Path(o.answers).read_bytes()).hexdigest() if o.answers is not None else ""
    except OSError:
        return None


def _time_in(text: bytes, fmt: str) -> str | None:
    """The generation time as written in a JSON result ("" for the other formats), None when
    it cannot be found (the output is then not kept: its time could not be replaced)."""
    if fmt != "json":
        return ""
    i = text.find(_TIME_LINE)
    j = text.find(b'"', i + len(_TIME_LINE)) if i >= 0 else -1
    return text[i + len(_TIME_LINE) : j].decode() if j >= 0 else None


@lru_cache(maxsize=1)
def _time_adapter():  # noqa: ANN202
    from datetime import datetime

    from pydantic import TypeAdapter

    return TypeAdapter(datetime)


def _now() -> bytes:
    """The current time as the JSON result writes `generated_at` (pydantic's serialization)."""
    from datetime import UTC, datetime

    return _time_adapter().dump_json(datetime.now(UTC))[1:-1]


def reuse_one(task: tuple[int, str, str], o: Options, cache, ordered: Ordered | None = None) -> Row | None:  # noqa: ANN001
    """In the parent: the row of a repository whose output a previous run left and nothing it
    depends on has changed, with that output copied into place; None to give it to a worker."""
    index, path_s, slot = task
    started = time.perf_counter()
    path = Path(path_s)
    if _preflight(path) is not None:
        return None
    found = cache.reuse(path, o.output_key)
    if found is None:
        return None
    kept, text = found
    if kept.get("time"):
        old = _TIME_LINE + kept["time"].encode() + b'"'
        i = text.find(old)
        if i < 0:
            return None
        text = text[:i] + _TIME_LINE + _now() + b'"' + text[i + len(old) :]
    try:
        r = kept["row"]
        # Interned: every row has the same dimension ids and status, one copy of each will do.
        r["levels"] = {sys.intern(k): v for k, v in r["levels"].items()}
        r["scan_status"] = sys.intern(r["scan_status"])
        row = Row(index=index, path=path_s, cache="hit", reused=True, **r)
    except (TypeError, KeyError, AttributeError):
        return None
    # Written to the output in its place when it is next in order (an error writing the
    # output ends the run); else to its own file.
    if ordered is None or not ordered.emit(index, text):
        target = _target(o, index, slot)
        if target is not None:
            try:
                _put(o, target, text)
            except OSError:
                return None
            row.output = str(target)
    row.seconds = round(time.perf_counter() - started, 4)
    return row


class Ordered:
    """The per-repository outputs of a run written into one file in input order as they become
    ready: the next one in order goes straight to the file, one ready early waits in the spool
    (on disk, not in memory) until its turn. An output reused in the parent is thus written
    once, not spooled and copied."""

    def __init__(self, fh: BinaryIO, head: bytes = b"", sep: bytes = b"", tail: bytes = b"") -> None:
        self.fh, self.sep, self.tail = fh, sep, tail
        self.next = 0
        self.items = 0
        self.ready: dict[int, str | None] = {}
        fh.write(head)

    def _write(self, data: bytes) -> None:
        if self.items:
            self.fh.write(self.sep)
        self.fh.write(data)
        self.items += 1

    def emit(self, index: int, data: bytes) -> bool:
        """Write `data` now if repository `index` is next in order; False to spool it."""
        if index != self.next:
            return False
        self._write(data)
        return True

    def done(self, index: int, spooled: str | None) -> None:
        """Repository `index` is finished: its output is in the spool file `spooled`, or was
        emitted, or there is none (it failed)."""
        self.ready[index] = spooled
        while self.next in self.ready:
            path = self.ready.pop(self.next)
            if path is not None:
                with open(path, "rb") as fh:
                    self._write(fh.read())
                os.unlink(path)
            self.next += 1

    def close(self) -> None:
        self.fh.write(self.tail)


# -- the parent ----------------------------------------------------------------------------


def slots(paths: Sequence[Path]) -> list[str]:
    """A file-safe name per repository, from its directory name, unique in the run."""
    import re

    seen: set[str] = set()
    out = []
    for p in paths:
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", p.resolve().name if p.name in ("", ".", "..") else p.name).strip("._") or "repo"
        name, n = base, 2
        while name in seen:
            name, n = f"{base}-{n}", n + 1
        seen.add(name)
        out.append(name)
    return out


def run_fleet(
    paths: Sequence[Path],
    options: Options,
    jobs: int,
    on_row: Callable[[Row], None] | None = None,
    framework=None,  # noqa: ANN001  (the caller's, loaded from options.framework_ref)
    ordered: Ordered | None = None,
) -> list[Row]:
    """Assess every path; rows in input order. `on_row` sees each row as it completes.

    The parent first tries to reuse each repository's output from the cache (`reuse_one`);
    only the others go to the workers, which are started on the first of them: a run where
    nothing changed starts none."""
    from dataclasses import replace

    tasks = [(i, str(p), s) for i, (p, s) in enumerate(zip(paths, slots(paths)))]
    rows: list[Row | None] = [None] * len(tasks)
    global _loaded
    if framework is not None:
        from ..framework.load import default_catalog

        _loaded = (options.framework_ref, default_catalog(), framework)
    catalog, framework = _framework(options.framework_ref)
    options = replace(options, answers_digest=answers_digest(options))
    options = replace(options, output_key=output_key(options, framework, catalog))
    reuse: Callable[[tuple], Row | None] | None = None
    if options.output_key is not None:
        from .cache import ScanCache

        cache = ScanCache(options.cache_dir)
        reuse = lambda t: reuse_one(t, options, cache, ordered)  # noqa: E731

    def done(row: Row) -> None:
        rows[row.index] = row
        if ordered is not None:
            ordered.done(row.index, row.output)
            row.output = None
        if on_row is not None:
            on_row(row)

    if jobs <= 1 or len(tasks) <= 1:
        _init(options)
        for t in tasks:
            done((reuse(t) if reuse else None) or assess_one(t))
    else:
        _parallel(tasks, options, min(jobs, len(tasks)), done, reuse)
    return [r for r in rows if r is not None]


def _context():
    # fork shares the imported modules and the loaded framework with every worker at no
    # cost; the parent starts no thread before the pool exists (the progress bar comes after).
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform == "linux" else "spawn")


def _parallel(tasks: list, options: Options, jobs: int, done: Callable[[Row], None], reuse: Callable[[tuple], Row | None] | None) -> None:
    attempts: dict[int, int] = {}
    pending: Iterator = iter(tasks)
    retry: list = []

    def handle(fut: Future, t: tuple) -> bool:
        """Report the row; False when the pool broke under this task (it is retried once)."""
        try:
            done(fut.result())
            return True
        except BrokenProcessPool:
            attempts[t[0]] = attempts.get(t[0], 0) + 1
            if attempts[t[0]] >= MAX_ATTEMPTS:
                done(Row(index=t[0], path=t[1], name=t[2], status="error", error="the worker process scanning it died"))
            else:
                retry.append(t)
            return False

    while True:
        broken = False
        pool: ProcessPoolExecutor | None = None
        running: dict[Future, tuple] = {}

        def submit_next() -> bool:
            nonlocal pool
            while True:
                t = retry.pop() if retry else next(pending, None)
                if t is None:
                    return False
                if reuse is not None and t[0] not in attempts:
                    row = reuse(t)
                    if row is not None:
                        done(row)
                        continue
                if pool is None:
                    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_init, initargs=(options,))
                running[pool.submit(assess_one, t)] = t
                return True

        try:
            # A bounded window of submitted tasks: memory stays flat in the number of repositories.
            for _ in range(jobs * 2):
                if not submit_next():
                    break
            while running and not broken:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    if not handle(fut, running.pop(fut)):
                        broken = True
                while not broken and len(running) < jobs * 2 and submit_next():
                    pass
            if broken:  # every other task of this pool ends too: finished ones keep their rows
                wait(running)
                for fut, t in running.items():
                    handle(fut, t)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        if not broken:
            return
