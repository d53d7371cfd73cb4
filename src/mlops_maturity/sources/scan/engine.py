"""Runs detectors over a RepoView: the generic kinds, code checks, dependency-only evidence.

Two phases. `prefetch` reads every file some detector may look at (in parallel with `jobs`
threads: reading releases the GIL) and computes the cheap import pre-filter; then each
detector runs against the warm cache, parsing lazily only the files that pass its
pre-filter. A detector that raises is reported as an error for its practice, never fatal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...model.evidence import Evidence
from ...repo import RepoView
from ...repo.manifests import normalize
from ...repo.textutil import line_of_offset
from ...repo.textutil import snippet as make_snippet
from .helpers import Hit, args_literals, matching_calls, name_matches, paths, pattern_roots, pattern_tails, pattern_tails_by_root, python_files, split_notebooks
from .spec import DetectorSpec

CheckFn = Callable[[RepoView, DetectorSpec], Iterable[Hit]]
Progress = Callable[[int, int], None]
DEPENDENCY_DETECTOR = "dependency-declared"
MAX_DEPENDENCY_EVIDENCE = 5


@dataclass
class PracticeScan:
    """What the detectors of one practice found in one repository."""

    evidence: list[Evidence] = field(default_factory=list)
    dependency_only: list[Evidence] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    detectors: int = 0


class _Fmt(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _msg(det: DetectorSpec, **fields: Any) -> str:
    return det.message.format_map(_Fmt(fields))


# -- generic kinds ---------------------------------------------------------------------------


def _files(view: RepoView, det: DetectorSpec) -> Iterable[Hit]:
    for rel in paths(view, det):
        line = next((i for i, s in enumerate(view.lines(rel), 1) if s.strip()), None)
        if det.nonempty and line is None:
            continue
        yield Hit(rel, line, _msg(det, name=rel.rsplit("/", 1)[-1], path=rel))


def _content(view: RepoView, det: DetectorSpec) -> Iterable[Hit]:
    nbs, plain = split_notebooks(view, paths(view, det))
    clauses = det.clauses()
    for rel in nbs:  # notebooks are searched cell by cell, to cite the cell
        for cell in view.notebook(rel) or []:
            if det.needle and not any(map(cell.source.__contains__, det.needle)):
                continue
            if not all(any(map(cell.source.__contains__, c)) for c in clauses):
                continue
            m = det.search(cell.source)
            if m:
                ln = line_of_offset(cell.source, m.start())
                src = cell.source.split("\n")[ln - 1]
                yield Hit(rel, ln, _msg(det, match=m.group(0).strip(), path=rel), cell.number, make_snippet(src))
                break
    # Substring pre-filters, answered by the view's one-pass needle index: the spec's needles,
    # then each set of literals one of which a text with a match must contain.
    if det.needle:
        plain = view.with_any(plain, det.needle)
    for clause in clauses:
        if not plain:
            break
        plain = view.with_any(plain, clause)
    texts = view.texts(plain)
    alts = det.alternative_literals() if texts else frozenset()
    # Which alternatives a file can match, from the needle index, when it knows their literals.
    indexed = bool(alts) and view.indexes(alts)
    for rel, text in texts:
        m = det.search(text, view.found(rel) if indexed else None)
        if m:
            yield Hit(rel, line_of_offset(text, m.start()), _msg(det, match=m.group(0).strip(), path=rel))


def _calls(view: RepoView, det: DetectorSpec) -> Iterable[Hit]:
    roots, needles = pattern_roots(det.calls)
    tails = pattern_tails_by_root(det.calls)
    for rel in python_files(view, det, roots, needles, tails=tails, required=tuple(det.kwargs)):
        facts = view.python(rel)
        if facts is None:
            continue
        for call in matching_calls(facts, det.calls, det.kwargs, det.args):
            yield Hit(rel, call.line, _msg(det, name=call.name, path=rel), call.cell)
            break


def _imports(view: RepoView, det: DetectorSpec) -> Iterable[Hit]:
    roots, _ = pattern_roots(det.imports)
    for rel in python_files(view, det, roots):
        facts = view.python(rel)
        if facts is None:
            continue
        for imp in facts.imports:
            if imp.module.startswith("."):
                continue
            full = f"{imp.module}.{imp.name}" if imp.name and imp.name != "*" else imp.module
            if name_matches(imp.module, det.imports) or name_matches(full, det.imports):
                yield Hit(rel, imp.line, _msg(det, name=full, path=rel), imp.cell)
                break


def _lookup(data: Any, dotted: str) -> tuple[bool, Any, Any]:
    """(found, parent container, last key) for a dotted key path."""
    parent, cur, last = None, data, None
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return False, None, None
        parent, last, cur = cur, part, cur[part]
    return True, parent, last


def _config_keys(view: RepoView, det: DetectorSpec) -> Iterable[Hit]:
    for rel in paths(view, det):
        for key in det.keys:
            line: int | None = None
            if det.format == "toml":
                data = view.toml(rel)
                if data is None:
                    break
                if _lookup(data, key)[0]:
                    line = view.key_line(rel, key) or 1
            elif det.format == "ini":
                cp = view.ini(rel)
                if cp is None:
                    break
                if cp.has_section(key):
                    rx = re.compile(rf"^\s*\[\s*{re.escape(key)}\s*\]")
                    line = next((i for i, s in enumerate(view.lines(rel), 1) if rx.match(s)), 1)
            elif det.format == "yaml":
                data = view.yaml(rel)
                found, parent, last = _lookup(data, key)
                if found:
                    line = parent.line_of(last, 1) if hasattr(parent, "line_of") else 1
            elif det.format == "json":
                data = view.json(rel)
                if _lookup(data, key)[0]:
                    last = key.rsplit(".", 1)[-1]
                    line = next((i for i, s in enumerate(view.lines(rel), 1) if f'"{last}"' in s), 1)
            if line is not None:
                yield Hit(rel, line, _msg(det, key=key, name=key, path=rel))
                break


def _ci_commands(view: RepoView, det: DetectorSpec) -> Iterable[Hit]:
    rx = det.regex()
    allowed = set(paths(view, det)) if (det.files or det.exclude) else None
    for pipe in view.ci():
        if allowed is not None and pipe.path not in allowed:
            continue
        found = None
        for step in pipe.steps:
            if step.uses and rx.search(step.uses):
                found = Hit(pipe.path, step.line, _msg(det, match=step.uses, name=step.uses, path=pipe.path))
                break
            for cmd in step.commands:
                if det.needle and not any(map(cmd.text.__contains__, det.needle)):
                    continue
                m = rx.search(cmd.text)
                if m:
                    found = Hit(pipe.path, cmd.line, _msg(det, match=m.group(0).strip(), name=cmd.text, path=pipe.path))
                    break
            if found:
                break
        if found:
            yield found


KINDS: Mapping[str, CheckFn] = {
    "files": _files,
    "content": _content,
    "calls": _calls,
    "imports": _imports,
    "config_keys": _config_keys,
    "ci_commands": _ci_commands,
}


# -- running ---------------------------------------------------------------------------------


def run_detector(view: RepoView, det: DetectorSpec, checks: Mapping[str, CheckFn]) -> list[Evidence]:
    """Evidence of one detector in one repository: de-duplicated, in path order, capped."""
    fn = checks[det.check] if det.kind == "check" else KINDS[det.kind]  # type: ignore[index]
    seen: set[tuple[str, int | None, int | None]] = set()
    out: list[Evidence] = []
    for hit in fn(view, det):
        key = (hit.path, hit.cell, hit.line)
        if key in seen:
            continue
        seen.add(key)
        snip = hit.snippet if hit.snippet is not None else view.snippet(hit.path, hit.line, hit.cell)
        out.append(
            Evidence(path=view.source_path(hit.path), line=hit.line, cell=hit.cell, snippet=snip, detector=det.id,
                     message=hit.message)
        )
        if len(out) >= det.max_evidence:
            break
    return out


def prefetch_paths(view: RepoView, detectors: Sequence[DetectorSpec]) -> list[str]:
    """Every file some detector may read, so that reads can run in parallel up front."""
    want: set[str] = set()
    added: set[int] = set()  # `paths` hands out one list per distinct filter: add each once

    def add(rels: list[str]) -> None:
        if id(rels) not in added:
            added.add(id(rels))
            want.update(rels)

    for det in detectors:
        if det.kind in ("calls", "imports"):
            add(paths(view, det, ("*.py", "*.ipynb") if det.notebooks else ("*.py",)))
        elif det.kind in ("files", "content", "config_keys") or (det.kind == "check" and det.files):
            add(paths(view, det))
        elif det.kind == "ci_commands":
            add(view.ci_files())
    if any(d.dependencies for d in detectors):
        want.update(r for r in view.files if r.rsplit("/", 1)[-1] in ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile"))
    return sorted(want)


def prefilter_needles(detectors: Sequence[DetectorSpec], checks: Mapping[str, CheckFn] | None = None) -> set[str]:
    """Every literal a detector pre-filters files with, for the view's one-pass needle index:
    spec needles, the literals of call patterns, and those code checks declare (`prefilters`)."""
    out: set[str] = set()
    for det in detectors:
        out.update(det.needle)
        if det.kind == "content":
            for clause in det.clauses():
                out.update(clause)
            out.update(det.alternative_literals())
        if det.kind == "check" and checks is not None:
            out.update(getattr(checks.get(det.check or ""), "needles", ()))
        if det.kind == "calls":
            out.update(pattern_roots(det.calls)[1])
            out.update(pattern_tails(det.calls))
            out.update(det.kwargs)
            if det.args:
                out.update(args_literals(det.args))
    out.discard("")
    return out


def _warm(view: RepoView, rel: str) -> None:
    view.text(rel)
    if rel.endswith((".py", ".ipynb")):
        view.modules(rel)


def prefetch(view: RepoView, rels: Sequence[str], jobs: int, tick: Callable[[int], None]) -> None:
    chunk = 64
    if jobs <= 1:
        for i in range(0, len(rels), chunk):
            view.warm(rels[i : i + chunk])
            for rel in rels[i : i + chunk]:
                if rel.endswith((".py", ".ipynb")):
                    view.modules(rel)
            tick(len(rels[i : i + chunk]))
        return

    def work(batch: Sequence[str]) -> int:
        for rel in batch:
            _warm(view, rel)
        return len(batch)

    from concurrent.futures import ThreadPoolExecutor  # here: a serial scan does without it

    batches = [rels[i : i + chunk] for i in range(0, len(rels), chunk)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for n in pool.map(work, batches):
            tick(n)


# -- parallel warm-up --------------------------------------------------------------------------
#
# With --jobs, the per-file work that every later step shares runs in forked workers, each on
# an interleaved slice of the files: reading, the needle index and the import pre-filter, then
# the parse of every Python file some calls/imports detector will look at. Each worker sends
# back what it computed (RepoView.export_warm) and the parent merges it; a slice whose worker
# died is computed in the parent. Results are the same as a serial run's: every file is
# computed by exactly one process, from the same bytes.


def _fork_slices(view: RepoView, items: Sequence[str], jobs: int, work: Callable[[Sequence[str]], None], kinds: tuple[str, ...]) -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    slices = [items[k::jobs] for k in range(jobs)]
    procs = []
    for part in slices[1:]:
        recv, send = ctx.Pipe(duplex=False)
        try:
            proc = ctx.Process(target=_warm_child, args=(send, view, part, work, kinds), daemon=True)
            proc.start()
        except OSError:
            send.close()
            recv.close()
            work(part)  # could not fork: this slice is computed here
            continue
        send.close()
        procs.append((proc, recv, part))
    work(slices[0])
    for proc, recv, part in procs:
        try:
            payload = recv.recv()
        except (EOFError, OSError):
            payload = None
        finally:
            recv.close()
            proc.join()
        if payload is None:
            work(part)  # the worker died: its slice is computed here
        else:
            view.import_warm(payload)


def _warm_child(conn: Any, view: RepoView, part: Sequence[str], work: Callable[[Sequence[str]], None], kinds: tuple[str, ...]) -> None:
    try:
        work(part)
        conn.send(view.export_warm(part, kinds))
    finally:
        conn.close()


def _read_and_index(view: RepoView, rels: Sequence[str]) -> None:
    view.warm(rels)
    for rel in rels:
        if rel.endswith((".py", ".ipynb")):
            view.modules(rel)
        view.found(rel)


def _parse(view: RepoView, rels: Sequence[str]) -> None:
    for rel in rels:
        view.python(rel)


PARSE_HINT_FILES_PER_EVIDENCE = 4


def parse_candidates(view: RepoView, detectors: Sequence[DetectorSpec], checks: Mapping[str, CheckFn] | None = None) -> list[str]:
    """.py files and notebooks some calls/imports detector will parse (its cheap pre-filters
    pass), and those code checks declare they parse (`helpers.parses`)."""
    want: set[str] = set()
    for det in detectors:
        if det.kind == "check":
            select = getattr((checks or {}).get(det.check or ""), "parses", None)
            if select is not None:
                # A check stops at its evidence cap (or its first hit): its first files, in the
                # order it takes them, are the ones it is sure to parse.
                want.update(select(view, det)[: PARSE_HINT_FILES_PER_EVIDENCE * det.max_evidence])
        elif det.kind == "calls":
            roots, needles = pattern_roots(det.calls)
            want.update(python_files(view, det, roots, needles, tails=pattern_tails_by_root(det.calls), required=tuple(det.kwargs)))
        elif det.kind == "imports":
            want.update(python_files(view, det, pattern_roots(det.imports)[0]))
    return sorted(want)


def warm_forked(
    view: RepoView,
    rels: Sequence[str],
    detectors: Sequence[DetectorSpec],
    jobs: int,
    tick: Callable[[int], None],
    checks: Mapping[str, CheckFn] | None = None,
) -> None:
    """Read, index and parse in `jobs` processes (see above)."""
    _fork_slices(view, rels, jobs, lambda part: _read_and_index(view, part), ("modules", "notebook"))
    tick(len(rels))
    _fork_slices(view, parse_candidates(view, detectors, checks), jobs, lambda part: _parse(view, part), ("python", "notebook"))


def dependency_only(view: RepoView, names: set[str]) -> list[Evidence]:
    out: list[Evidence] = []
    seen: set[tuple[str, str]] = set()
    for dep in view.dependencies():
        if dep.name in names and (dep.path, dep.name) not in seen:
            seen.add((dep.path, dep.name))
            out.append(
                Evidence(
                    path=view.source_path(dep.path),
                    line=dep.line,
                    snippet=view.snippet(dep.path, dep.line),
                    detector=DEPENDENCY_DETECTOR,
                    message=f"declares dependency {dep.name}",
                )
            )
            if len(out) >= MAX_DEPENDENCY_EVIDENCE:
                break
    return out


# -- parallel detectors ----------------------------------------------------------------------
#
# After discovery and the prefetch, the detectors can run in forked worker processes that share
# the warm RepoView copy-on-write. Each worker claims detectors from a shared cursor: the parent
# takes them from the front of a list ordered python-first (calls, imports, then code checks),
# the children from the back (content and file kinds first), so that the expensive ast parses
# mostly happen in one process. A worker sends back plain data: per detector its Evidence list
# or its error, and the files it recorded as skipped (tagged with the detector's index, merged
# in detector order so that the first reason per file is the one a serial run records). A
# detector whose worker died is re-run in the parent: -j N never loses or changes a result.

_Outcome = tuple[list[Evidence], "str | None"]
MIN_PARALLEL_DETECTORS = 16
MIN_PARALLEL_FILES = 64
_ORDER = {"calls": 0, "imports": 0, "check": 1}


def _run_one(view: RepoView, det: DetectorSpec, checks: Mapping[str, CheckFn]) -> _Outcome:
    try:
        return run_detector(view, det, checks), None
    except Exception as exc:  # a detector bug must not lose the rest of the scan
        return [], f"{det.id}: {type(exc).__name__}: {exc}"


def _can_fork() -> bool:
    import multiprocessing
    import threading

    # fork() with other threads alive can inherit a lock held by one of them: stay serial.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _claim(cursor: Any, lock: Any, front: bool) -> int | None:
    """The next detector position: cursor[0] from the front, cursor[1] from the back."""
    with lock:
        lo, hi = cursor[0], cursor[1]
        if lo >= hi:
            return None
        if front:
            cursor[0] = lo + 1
            return lo
        cursor[1] = hi - 1
        return hi - 1


def _work(
    view: RepoView,
    active: Sequence[DetectorSpec],
    order: Sequence[int],
    checks: Mapping[str, CheckFn],
    cursor: Any,
    lock: Any,
    front: bool,
    tick: Callable[[int], None] | None,
) -> tuple[dict[int, _Outcome], list[tuple[int, int, str, str]]]:
    outcomes: dict[int, _Outcome] = {}
    notes: list[tuple[int, int, str, str]] = []
    seen = view.note_count()
    while True:
        pos = _claim(cursor, lock, front)
        if pos is None:
            break
        i = order[pos]
        outcomes[i] = _run_one(view, active[i], checks)
        new = view.notes_since(seen)
        if new:
            seen += len(new)
            notes += [(i, k, rel, reason) for k, (rel, reason) in enumerate(new)]
        if tick is not None:
            tick(1)
    return outcomes, notes


def _child(conn: Any, *args: Any) -> None:
    try:
        conn.send(_work(*args, None))
    finally:
        conn.close()


def _run_forked(
    view: RepoView,
    active: Sequence[DetectorSpec],
    checks: Mapping[str, CheckFn],
    jobs: int,
    tick: Callable[[int], None],
) -> dict[int, _Outcome] | None:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    order = sorted(range(len(active)), key=lambda i: (_ORDER.get(active[i].kind, 2), i))
    lock = ctx.Lock()
    cursor = ctx.RawArray("i", [0, len(order)])
    base = view.note_count()
    procs = []
    try:
        for _ in range(min(jobs, len(active)) - 1):
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(send, view, active, order, checks, cursor, lock, False), daemon=True)
            proc.start()
            send.close()
            procs.append((proc, recv))
    except OSError:
        if not procs:
            return None
    outcomes, notes = _work(view, active, order, checks, cursor, lock, True, tick)
    for proc, recv in procs:
        try:
            got, got_notes = recv.recv()
        except (EOFError, OSError):
            got, got_notes = {}, []
        finally:
            recv.close()
            proc.join()
        outcomes.update(got)
        notes += got_notes
        tick(len(got))
    # Files recorded as skipped: in the order a serial run would have met them.
    view.restore_notes(base, [(rel, reason) for _, _, rel, reason in sorted(notes, key=lambda n: (n[0], n[1]))])
    for i, det in enumerate(active):  # a worker died: its detectors run here
        if i not in outcomes:
            outcomes[i] = _run_one(view, det, checks)
            tick(1)
    return outcomes


def scan_view(
    view: RepoView,
    detectors: Sequence[DetectorSpec],
    checks: Mapping[str, CheckFn],
    *,
    jobs: int = 1,
    progress: Progress | None = None,
) -> dict[str, PracticeScan]:
    """Run every (non-retired) detector on one repository; results keyed by practice id."""
    active = [d for d in detectors if not d.retired]
    rels = prefetch_paths(view, active)
    view.index_needles(prefilter_needles(active, checks), texts=len(rels))
    total = len(rels) + len(active)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    parallel = jobs > 1 and len(active) >= MIN_PARALLEL_DETECTORS and len(rels) >= MIN_PARALLEL_FILES and _can_fork()
    if parallel:
        warm_forked(view, rels, active, jobs, tick, checks)
    else:
        prefetch(view, rels, jobs, tick)
    outcomes: dict[int, _Outcome] | None = None
    if parallel:
        outcomes = _run_forked(view, active, checks, jobs, tick)
    if outcomes is None:
        outcomes = {}
        for i, det in enumerate(active):
            outcomes[i] = _run_one(view, det, checks)
            tick(1)
    results: dict[str, PracticeScan] = {}
    for i, det in enumerate(active):
        ps = results.setdefault(det.practice, PracticeScan())
        ps.detectors += 1
        evidence, error = outcomes[i]
        ps.evidence += evidence
        if error is not None:
            ps.errors.append(error)
    for pid, ps in results.items():
        ps.evidence.sort(key=lambda e: (e.path, e.cell or 0, e.line or 0, e.detector))
        if not ps.evidence:
            names = {normalize(n) for d in active if d.practice == pid for n in d.dependencies}
            if names:
                try:
                    ps.dependency_only = dependency_only(view, names)
                except Exception as exc:
                    ps.errors.append(f"{DEPENDENCY_DETECTOR}: {type(exc).__name__}: {exc}")
    return results
