"""Building blocks shared by the generic detector kinds and the code checks.

A check is `def check(view: RepoView, det: DetectorSpec) -> Iterable[Hit]`; it should use
`paths()` (applies the spec's files/exclude/tests filters) and `python_files()` (cheap import
pre-filter before any parse) so that it honours the same conventions as the data detectors.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from ...repo import RepoView
from ...repo.view import brace_expand
from ...repo.python import Call, PyFacts
from ...util.regexlit import required_literals
from .spec import DetectorSpec


F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Hit:
    """One finding of a detector, before it becomes Evidence: location and literal message.
    `line` is 1-based (within `cell` for notebooks); `snippet` defaults to that source line."""

    path: str
    line: int | None
    message: str
    cell: int | None = None
    snippet: str | None = None


def prefilters(*needles: str) -> Callable[[F], F]:
    """Declare the substrings a code check tests files for with `view.contains_any`: the scan
    adds them to its one-pass needle index, so each file is searched for all of them at once."""

    def mark(fn: F) -> F:
        fn.needles = tuple(needles)  # type: ignore[attr-defined]
        return fn

    return mark


def parses(select: Callable[[RepoView, DetectorSpec], list[str]]) -> Callable[[F], F]:
    """Declare the files a code check parses (`view.python`), chosen without parsing: with
    --jobs the scanner parses them up front, split between processes and once for every
    detector, instead of in whichever process runs the check. The check iterates over
    `select(view, det)` itself (memoise it with `selected`), so hint and use cannot drift; a
    file left out is parsed when the check asks for it, so results never depend on the hint."""

    def mark(fn: F) -> F:
        fn.parses = select  # type: ignore[attr-defined]
        return fn

    return mark


def selected(view: RepoView, det: DetectorSpec, name: str, make: Callable[[], Iterable[str]]) -> list[str]:
    """`list(make())`, computed once per scan for this detector (the check and its `parses`
    hint share it)."""
    key = ("selected", name, det.id)
    got = view.memo.get(key)
    if got is None:
        got = view.memo[key] = list(make())
    return got


def apply_test_policy(view: RepoView, rels: Iterable[str], policy: str) -> list[str]:
    """Keep test files (`only`), drop them (`exclude`) or keep everything (`include`) among
    files of the view."""
    if policy == "include":
        return list(rels)
    tests = view.test_files()
    if policy == "only":
        return [r for r in rels if r in tests]
    return [r for r in rels if r not in tests]


def paths(view: RepoView, det: DetectorSpec, default: Iterable[str] | None = None) -> list[str]:
    """Candidate files for a detector: its `files` globs (else `default` globs, else all files),
    minus `exclude` globs, filtered by its `tests` policy. Path order."""
    globs = det.files or tuple(default or ())
    key = (globs, det.exclude, det.ignore_case, det.tests)
    cached = view.memo.get(("paths", key))
    if cached is not None:
        return cached
    rels = view.globs(globs, ignore_case=det.ignore_case) if globs else list(view.files)
    if det.exclude:
        excluded = set(view.globs(det.exclude, ignore_case=det.ignore_case))
        rels = [r for r in rels if r not in excluded]
    out = apply_test_policy(view, rels, det.tests)
    view.memo[("paths", key)] = out
    return out


def split_notebooks(view: RepoView, rels: list[str]) -> tuple[list[str], list[str]]:
    """(notebooks, other files) of a candidate list from `paths`, in path order; computed
    once per list (a content detector's candidates are often every file of the repository)."""
    nbs = view.memo.get("__notebooks__")
    if nbs is None:
        nbs = view.memo["__notebooks__"] = [r for r in view.files if r.endswith(".ipynb")]
    if not nbs:
        return [], rels
    key = ("split_notebooks", id(rels))
    got = view.memo.get(key)
    if got is None or got[0] is not rels:  # the list is kept alive with its split: its id is not reused
        # `rels` is in path order: look each notebook up by bisection, and copy the list only
        # when it holds one.
        n = len(rels)
        mine = [nb for nb in nbs if (i := bisect_left(rels, nb)) < n and rels[i] == nb]
        if mine:
            keep = set(mine)
            got = (rels, mine, [r for r in rels if r not in keep])
        else:
            got = (rels, [], rels)
        view.memo[key] = got
    return got[1], got[2]


def pattern_roots(patterns: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(module roots, substring needles) that a file must import / contain to possibly match
    any of the dotted-name patterns. `mlflow.log_*` → root mlflow; `*.add_argument` → needle."""
    roots: set[str] = set()
    needles: list[str] = []
    for p in (x for pat in patterns for x in brace_expand(pat)):
        root = p.split(".", 1)[0]
        if any(c in root for c in "*?["):
            literal = [s for s in re.split(r"[*?\[\]]", p.rsplit(".", 1)[-1]) if s]
            needles.append(max(literal, key=len) if literal else "")
        else:
            roots.add(root)
    return frozenset(roots), tuple(needles)


def pattern_tails(patterns: Iterable[str]) -> tuple[str, ...]:
    """For each dotted-name pattern, the longest literal piece of its last literal component
    (`mlflow.log_*` → `log_`, `optuna.integration.*` → `integration`): a file can only call a
    matching name if its text contains one of these. Empty when some pattern has none."""
    tails: list[str] = []
    for p in (x for pat in patterns for x in brace_expand(pat)):
        best = ""
        for seg in reversed(p.split(".")):
            pieces = [s for s in re.split(r"[*?\[\]()]", seg) if s]
            if pieces:
                best = max(pieces, key=len)
                break
        if not best:
            return ()
        tails.append(best)
    return tuple(dict.fromkeys(tails))


def pattern_tails_by_root(patterns: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """`pattern_tails` per module root, for the patterns with a literal root: a call resolved
    through an import of `sklearn` can only match the `sklearn.*` patterns, so a file importing
    only sklearn needs one of their tails, not one of every root's (`arize.*.log*` made every
    file with the word `log` a candidate of a detector that also names evidently). A root with a
    pattern without a literal tail maps to () (no filter for it)."""
    by_root: dict[str, list[str]] = {}
    for p in (x for pat in patterns for x in brace_expand(pat)):
        root = p.split(".", 1)[0]
        if not any(c in root for c in "*?["):
            by_root.setdefault(root, []).append(p)
    return {root: pattern_tails(pats) for root, pats in by_root.items()}


def _tails_of(view: RepoView, rel: str, tails: Mapping[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """The tails a file importing some of `tails`' roots must contain one of; None: no filter."""
    out: list[str] = []
    for mod in view.modules(rel):
        t = tails.get(mod)
        if t is None:
            continue
        if not t:
            return None
        out += t
    return tuple(out)


def python_files(
    view: RepoView,
    det: DetectorSpec,
    roots: frozenset[str] | set[str] = frozenset(),
    needles: Iterable[str] = (),
    *,
    notebooks: bool | None = None,
    tails: Iterable[str] | Mapping[str, tuple[str, ...]] = (),
    required: Iterable[str] = (),
) -> Iterator[str]:
    """.py files (and notebooks, unless disabled) passing the spec's path filters that import
    one of `roots` or contain one of `needles` — checked without parsing. With neither given,
    every candidate is yielded. A file importing a root must also contain one of `tails`
    (when given; a mapping gives each root its own, `pattern_tails_by_root`) and every string
    in `required` (keyword names), again without parsing."""
    if isinstance(tails, Mapping):
        by_root: Mapping[str, tuple[str, ...]] | None = tails
        tails = ()
    else:
        by_root = None
        tails = tuple(tails)
    required = tuple(required)
    text_rx = _args_text_rx(det.args) if det.args else None
    nb = det.notebooks if notebooks is None else notebooks
    default = ("*.py", "*.ipynb") if nb else ("*.py",)
    cands = paths(view, det, default)
    if det.files:
        cands = [r for r in cands if r.endswith(".py") or (nb and r.endswith(".ipynb"))]
    needles = tuple(n for n in needles if n is not None)
    if roots or needles:
        # Set operations on the view's indexes rather than a test per file: files importing a
        # root (then `tails` / `required` on those few), else files containing a needle.
        keep = set(cands)
        importing = view.importing(frozenset(roots)) & keep if roots else frozenset()
        hits = {
            r for r in importing
            if not (tails and not view.contains_any(r, tails)) and _contains_all(view, r, required)
        }
        if by_root is not None:
            hits = {r for r in hits if (t := _tails_of(view, r, by_root)) is None or view.contains_any(r, t)}
        if needles:
            # A wildcard-rooted pattern (`*.add_argument`) matches whatever the file imports: a
            # file importing a root whose own tails it lacks (a TensorFlow script using argparse)
            # is still a candidate through the needles.
            hits.update(r for r in view.with_any(cands, needles) if r not in hits and _contains_all(view, r, required))
        cands = sorted(hits)
    if text_rx is not None:
        # Every filter is a test per file, so the costliest, the args regex, runs last, on the
        # few files left; its literals first, a cheap exact cut.
        lits = args_literals(det.args or "")
        if lits:
            cands = view.with_any(cands, lits)
        cands = [r for r in cands if _args_hit(view, det.args or "", text_rx, r)]
    yield from cands


def _args_hit(view: RepoView, args: str, text_rx: re.Pattern[str], rel: str) -> bool:
    """Does the file (a notebook: its cells' sources, as its JSON escapes the quotes) contain a
    string literal matching `args`? Memoised per scan."""
    key = ("args-hit", args, rel)
    hit = view.memo.get(key)
    if hit is None:
        hit = view.memo[key] = text_rx.search(view.source_text(rel) or "") is not None
    return hit


def _contains_all(view: RepoView, rel: str, required: tuple[str, ...]) -> bool:
    return all(view.contains_any(rel, (x,)) for x in required)


def args_literals(args: str) -> tuple[str, ...]:
    """Literals every match of the `args` text pre-filter contains (see util/regexlit.py)."""
    rx = _args_text_rx(args)
    return required_literals(rx.pattern, rx.flags) or ()


@lru_cache(maxsize=256)
def _args_text_rx(args: str) -> re.Pattern[str]:
    """The `args` regex as a text pre-filter: the same pattern inside a string literal."""
    inner = args[1:] if args.startswith("^") else args
    inner = inner[:-1] if inner.endswith("$") and not inner.endswith("\\$") else inner
    return re.compile(rf"[\"'](?:{inner})[\"']")


@lru_cache(maxsize=4096)
def _name_rx(pattern: str) -> re.Pattern[str]:
    alts = [re.escape(p).replace(r"\*", ".*").replace(r"\?", ".") for p in brace_expand(pattern)]
    return re.compile("^(?:" + "|".join(alts) + ")$")


@lru_cache(maxsize=4096)
def _name_test(pattern: str) -> Callable[[str], bool]:
    """A matcher for one name pattern: plain string tests for a literal (`mlflow.log_metric`)
    or a prefix (`mlflow.*`), the regex otherwise."""
    if not any(c in pattern for c in "*?[{"):
        return pattern.__eq__
    head = pattern[:-1]
    if pattern.endswith("*") and not any(c in head for c in "*?[{"):
        return lambda name: name.startswith(head)
    return lambda name: _name_rx(pattern).match(name) is not None


def name_matches(name: str, patterns: Iterable[str]) -> str | None:
    """The first pattern matching a dotted name (`*` spans dots, `{a,b}` alternates), or None."""
    for p in patterns:
        if _name_test(p)(name):
            return p
    return None


def _kw_ok(value: Any, allowed: tuple[Any, ...]) -> bool:
    if value is None:
        return False
    values = value if isinstance(value, tuple) else (value,)
    banned = {str(a)[1:].lower() for a in allowed if str(a).startswith("!")}
    if banned and any(isinstance(v, str) and v.lower() in banned for v in values):
        return False
    if "*" in allowed:
        return True
    low = {str(a).lower() for a in allowed}
    return any(isinstance(v, (str, bool, int)) and str(v).lower() in low for v in values)


def matching_calls(
    facts: PyFacts,
    patterns: Iterable[str],
    kwargs: dict[str, tuple[Any, ...]] | None = None,
    args: str | None = None,
) -> Iterator[Call]:
    """Calls of `facts` whose name matches a pattern. A pattern with a literal root matches
    only calls resolved through an import; a pattern starting with `*` matches any call
    (`*.add_argument`). `kwargs` requires each named keyword to have a literal value in the
    list (`"*"`: any non-None value; `"!x"`: anything but the literal x); `args` requires a
    literal string positional argument matching the regex."""
    pats = tuple(patterns)
    anchored = tuple(p for p in pats if not p.startswith("*"))
    floating = tuple(p for p in pats if p.startswith("*"))
    arx = re.compile(args) if args else None
    for call in facts.calls:
        ok = name_matches(call.name, anchored) if call.resolved else None
        if ok is None and floating:
            ok = name_matches(call.name, floating)
        if ok is None:
            continue
        if kwargs and not all(_kw_ok(call.kwarg(k), tuple(v)) for k, v in kwargs.items()):
            continue
        if arx is not None and not any(isinstance(a, str) and arx.search(a) for a in call.args):
            continue
        yield call


def local_module_file(view: RepoView, dotted: str, importer: str = "") -> str | None:
    """The repository file a dotted module name refers to, if any: the longest prefix of
    `dotted` that is a module (`pkg.mod.func` -> `pkg/mod.py`), at the root, under src/, or
    under a folder above the importing file (the package root of one app of a monorepo,
    apps/api/src/api/...)."""
    parts = dotted.split(".")
    roots = ["", "src/"]
    folders = importer.split("/")[:-1]
    roots += ["/".join(folders[:i]) + "/" for i in range(len(folders), 0, -1)]
    for end in range(len(parts), 0, -1):
        base = "/".join(parts[:end])
        for root in roots:
            for cand in (f"{root}{base}.py", f"{root}{base}/__init__.py"):
                if view.exists(cand):
                    return cand
    return None


def own_package(view: RepoView, root: str, rel: str | None = None) -> bool:
    """Whether the repository itself defines the top-level package `root` (at the root or under
    src/), and, given `rel`, whether that file is inside it: then it is that library's own
    source, and its calls to `root.*` are the library's internals, not a use of the tool by a
    project (NannyML's own CLI running NannyML). The library's examples outside the package
    use it as a project would."""
    for base in (f"{root}/", f"src/{root}/"):
        if view.exists(base + "__init__.py") and (rel is None or rel.startswith(base)):
            return True
    return False


# A sphinx-gallery example's module docstring opens with a reST title ("Title\n=====").
_GALLERY_TITLE = re.compile(
    r"""\A(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*[rRuU]?(?:\"\"\"|\'\'\')[ \t]*\n"""
    r"""(?:[ \t]*([=\-~^*#+])\1{2,}[ \t]*\n)?[ \t]*[^\s][^\n]*\n[ \t]*([=\-~^*#+])\2{2,}[ \t]*\n""")
_GALLERY_HEADERS = ("README.txt", "README.rst", "GALLERY_HEADER.rst")


def gallery_example(view: RepoView, rel: str) -> bool:
    """Whether `rel` is a sphinx-gallery example: a script whose docstring opens with a reST
    title, in a folder with the gallery's header file (README.txt / README.rst /
    GALLERY_HEADER.rst). The documentation builds and shows it: a library's usage example, not
    a step of the project's own pipeline."""
    folder = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
    if not any(view.exists(folder + h) for h in _GALLERY_HEADERS):
        return False
    text = view.text(rel) or ""
    return _GALLERY_TITLE.match(text[:2000]) is not None


def norm_path(rel: str) -> str:
    """A relative path with `.`, empty segments and `..` resolved (`..` never above the root),
    backslashes read as slashes: `a/./b/../c` -> `a/c`."""
    parts: list[str] = []
    for seg in rel.replace("\\", "/").split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts:
                parts.pop()
        else:
            parts.append(seg)
    return "/".join(parts)


def first_content_line(view: RepoView, rel: str) -> int | None:
    """Line of the first non-blank line, or None for an empty / unreadable file."""
    for i, line in enumerate(view.lines(rel), start=1):
        if line.strip():
            return i
    return None


def meaningful_lines(view: RepoView, rel: str, comment: str = "#") -> list[tuple[int, str]]:
    """(line, text) of non-blank lines that are not comments."""
    return [
        (i, line)
        for i, line in enumerate(view.lines(rel), start=1)
        if line.strip() and not line.lstrip().startswith(comment)
    ]
