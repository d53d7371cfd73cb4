"""`scan --each` / `scan --repos-from`: the CLI side of a fleet run (see `fleet/`).

Checks every input before the first repository is read, shows a progress bar of repositories
done on a terminal, streams the per-repository outputs in input order from the workers'
files, writes the summary files atomically, and turns failed repositories into error lines
and exit status 2 once every other repository has been assessed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from . import EXIT_GATE, EXIT_INPUT, fail, use_color


def read_repos_file(path: Path) -> list[Path]:
    """One repository path per line; blank lines and `#` comments skipped; relative paths are
    relative to the file's directory (to the current directory for `-`)."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text("utf-8")
    except UnicodeDecodeError:
        fail(f"{path}: not a UTF-8 text file")
    except OSError as exc:
        fail(f"{path}: cannot read ({exc.strerror})")
    base = Path.cwd() if str(path) == "-" else path.parent
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "\0" in line:
            fail(f"{path}: a line holds a NUL byte")
        p = Path(line).expanduser()
        out.append(p if p.is_absolute() else base / p)
    if not out:
        fail(f"{path}: lists no repository")
    return out


def _check_writable_file(opt: str, path: Path | None) -> None:
    if path is None:
        return
    if path.is_dir():
        fail(f"{opt} {path}: is a directory")
    if not path.parent.is_dir():
        fail(f"{opt} {path}: the directory {path.parent} does not exist")


def _stream_out(chunks, output: Path | None) -> None:  # noqa: ANN001
    """Write the concatenation of `chunks` (strings or spool files) to stdout or, atomically,
    to `output`, holding one chunk in memory at a time."""
    def pieces():
        for c in chunks:
            yield c.read_text("utf-8") if isinstance(c, Path) else c

    if output is None:
        for piece in pieces():
            click.echo(piece, nl=False)
        return
    with _written(output, "w") as fh:
        for piece in pieces():
            fh.write(piece)


@contextmanager
def _written(output: Path, mode: str) -> Iterator:
    """A file whose content replaces `output` when the block ends (through a temporary file
    and a rename where `output` is a regular file); a write error ends the run with one line."""
    from ..util import atomic

    tmp = atomic.tmp_path(output)
    try:
        with open(tmp or output, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            yield fh
        if tmp is not None:
            tmp.replace(output)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        fail(f"{output}: cannot write ({exc.strerror})")


def scan_fleet(
    fw,  # noqa: ANN001
    paths: list[Path],
    *,
    fmt: str,
    output: Path | None,
    verbose: bool,
    framework_ref: str | None,
    answers: Path | None,
    stage: str | None,
    mlflow_uri: str | None,
    jobs: int,
    save: bool,
    db: str | None,
    team: str | None,
    gate: tuple,
    summary_json: Path | None,
    summary_html: Path | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    from ..fleet.cache import CacheError, ScanCache, default_dir
    from ..fleet.run import Options, run_fleet

    per_file = fmt not in ("json", "terminal")
    if per_file and output is None:
        fail(f"--each with --format {fmt} writes one file per repository: give --output DIR")
    if not per_file:
        _check_writable_file("--output", output)
    _check_writable_file("--summary", summary_json)
    _check_writable_file("--summary-html", summary_html)
    cache = None
    if not no_cache:
        try:
            cache = ScanCache(cache_dir or default_dir(db))
            cache.prepare()
        except CacheError as exc:
            fail(f"{exc} (or run with --no-cache)")
    if save or db:
        from .history import open_store

        store = open_store(db, create=save)  # created and migrated once, before the workers
        if store is not None:
            store.close()
    if per_file:
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(f"{output}: cannot create the directory ({exc.strerror})")

    render: dict = {}
    if fmt == "terminal":
        render = {
            "color": output is None and use_color(),
            "width": 100 if output is not None or not sys.stdout.isatty() else min(shutil.get_terminal_size().columns, 140),
            "verbose": verbose,
        }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mlops-maturity-fleet-") as spool:
        options = Options(
            fmt=fmt,
            render=render,
            out_dir=output if per_file else None,
            spool=None if per_file else Path(spool),
            framework_ref=framework_ref,
            answers=answers,
            stage=stage,
            mlflow_uri=mlflow_uri,
            cache_dir=cache.directory if cache else None,
            db=db,
            save=save,
            team=team,
            gate_overall=gate[0],
            gate_dims=gate[1],
            gate_stage=gate[2],
            inner_jobs=jobs if len(paths) == 1 else 1,
        )
        if not per_file and output is not None:
            rows = _run_into(output, fmt, run_fleet, paths, options, jobs, fw)
        else:
            rows = _run_with_progress(run_fleet, paths, options, jobs, fw)
        if not per_file and output is None:
            chunks: list = ["[\n"] if fmt == "json" else []
            for i, f in enumerate(Path(r.output) for r in rows if r.output):
                if i:
                    chunks.append(",\n" if fmt == "json" else "\n")
                chunks.append(f)
            if fmt == "json":
                chunks.append("\n]\n")
            _stream_out(chunks, output)
            for r in rows:  # spool files are gone with the run: the summary names no such file
                r.output = None
    seconds = time.perf_counter() - started
    _report(rows, fw, jobs, seconds, cache, summary_json, summary_html)


def _run_into(output: Path, fmt: str, run_fleet, paths, options, jobs, fw):  # noqa: ANN001,ANN202
    """Run, writing the results into `output` (atomically) in input order as they come."""
    from ..fleet.run import Ordered

    with _written(output, "wb") as fh:
        ordered = Ordered(fh, b"[\n", b",\n", b"\n]\n") if fmt == "json" else Ordered(fh, sep=b"\n")
        rows = _run_with_progress(run_fleet, paths, options, jobs, fw, ordered)
        ordered.close()
    return rows


def _run_with_progress(run_fleet, paths, options, jobs, fw, ordered=None):  # noqa: ANN001,ANN202
    if not (sys.stderr.isatty() and not os.environ.get("CI")):
        return run_fleet(paths, options, jobs, framework=fw, ordered=ordered)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    console = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))
    columns = (TextColumn("repositories"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    # No refresh thread: the workers are forked, and a thread holding a lock at fork time
    # would leave that lock held in every worker. The bar moves when a repository is done.
    with Progress(*columns, console=console, transient=True, auto_refresh=False) as bar:
        task = bar.add_task("fleet", total=len(paths))
        bar.refresh()

        def advance(_row) -> None:  # noqa: ANN001
            bar.advance(task)
            bar.refresh()

        return run_fleet(paths, options, jobs, on_row=advance, framework=fw, ordered=ordered)


def _write_summary(fh, summary: dict) -> None:  # noqa: ANN001
    """The summary document, indented, with one line per repository (`repositories` is its
    last key): readable, easy to diff, and each line dumped by the C encoder (an indented dump
    goes through the pure-Python one, which cost a fifth of a re-scan of 1000 repositories)."""
    import json

    head = json.dumps({k: v for k, v in summary.items() if k != "repositories"}, indent=2)
    fh.write(head[: -len("\n}")] + ',\n  "repositories": [')
    for i, r in enumerate(summary["repositories"]):
        fh.write(("," if i else "") + "\n    " + json.dumps(r))
    fh.write("\n  ]\n}\n")


def _report(rows, fw, jobs, seconds, cache, summary_json, summary_html) -> None:  # noqa: ANN001
    from ..fleet.summary import build

    summary = build(rows, fw, jobs=jobs, seconds=seconds, cache_dir=str(cache.directory) if cache else None)
    if summary_json is not None:  # written piece by piece, not built as one string first
        with _written(summary_json, "w") as fh:
            _write_summary(fh, summary)
    if summary_html is not None:
        from ..reporters.fleet import render_summary

        html = render_summary(summary)
        with _written(summary_html, "w") as fh:
            fh.write(html)
    for r in rows:
        for w in r.warnings:
            click.echo(f"mlops-maturity: warning: {r.name}: {w}", err=True)
        if r.saved:
            click.echo(f"mlops-maturity: {r.name}: {r.saved}", err=True)
    failed = [r for r in rows if r.status != "ok"]
    for r in failed:
        click.echo(f"mlops-maturity: error: {r.path}: {r.error}", err=True)
    st = summary["stats"]
    click.echo(
        f"mlops-maturity: {st['repositories']} repositories in {st['seconds']:.1f} s: {st['read']} read, "
        f"{st['cached']} unchanged (cache{'' if cache else ' off'}), {st['failed']} failed",
        err=True,
    )
    missed = [f"{r.name}: {m}" for r in rows for m in r.gate]
    if missed:
        click.echo("mlops-maturity: fail-under: " + "; ".join(missed), err=True)
    if failed:
        sys.exit(EXIT_INPUT)
    if missed:
        sys.exit(EXIT_GATE)
