"""RepoView: a read-only, bounded, cached view of one scanned repository.

Discovery runs once. Each file is read at most once (bounded by the size cap, never following
a symlink out of the root), and every parse (Python facts, notebook cells, YAML, TOML, JSON,
manifests, CI pipelines, Dockerfiles) is computed lazily on first request and cached. Reads
and parses never raise for bad content: a file that cannot be used is recorded in `skipped`
with a reason and the accessor returns None.
"""

from __future__ import annotations

import configparser
from bisect import bisect_right
import json
import os
import re
import stat
import threading
import tomllib
from collections import defaultdict
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from ..model.evidence import SkippedFile
from ..util import yamlsafe
from ..util.lazyre import lazy_re
from . import ci as ci_mod
from . import dockerfile as docker_mod
from . import manifests as man
from . import python as py
from .discovery import DEFAULT_MAX_FILE_BYTES, Discovery, discover, size_cap
from .textutil import snippet as make_snippet
from .textutil import untemplate

try:  # a compiled Aho-Corasick automaton: every pre-filter string found in one pass over a file
    import ahocorasick_rs as _acr
except ImportError:  # pragma: no cover - the plain search below gives the same answers, slower
    _acr = None

T = TypeVar("T")
_MISSING = object()
_BINARY_PROBE = 8192
_TEST_DIRS = frozenset({"tests", "test", "testing", "__tests__", "unittests", "unit_tests", "integration_tests",
                        "testdata", "test_data", "test-data"})  # a test suite's inputs (Go's testdata/)
_TEST_FILE = lazy_re(r"^(test_.*|.*_test|conftest|tests)\.py$")


def is_test_path(rel: str) -> bool:
    """A test file or anything under a test directory."""
    if "test" not in rel.lower():
        return False
    parts = rel.split("/")
    if any(p.lower() in _TEST_DIRS for p in parts[:-1]):
        return True
    return _TEST_FILE.match(parts[-1]) is not None


# A program only named like a test (data_gen_test.py, model_test.py outside any test folder,
# run as `python data_gen_test.py --epochs 50`): a `__main__` entry point and nothing a test
# runner would collect or use.
_SUFFIX_TEST_FILE = lazy_re(r"^.+_test\.py$")
_TEST_MARKERS = lazy_re(r"^\s*(async\s+)?def\s+test|^\s*class\s+\w*Test|TestCase|\b(pytest|unittest|absltest|doctest|nose2?)\b"
                        r"|\btf\.test\b|@given\b", re.M)
_MAIN_GUARD = lazy_re(r"^if\s+__name__\s*==\s*[\"']__main__[\"']\s*:", re.M)


def script_named_like_test(rel: str, text: str | None) -> bool:
    """A `*_test.py` file outside test folders that is a program, not a test: it has a
    `__main__` entry point and no test function, test class or test framework."""
    parts = rel.split("/")
    if _SUFFIX_TEST_FILE.match(parts[-1]) is None or any(p.lower() in _TEST_DIRS for p in parts[:-1]):
        return False
    return text is not None and _MAIN_GUARD.search(text) is not None and _TEST_MARKERS.search(text) is None


# Project templates keep a file's own name before a template suffix (`train.py.tmpl` of a
# Databricks bundle template, `ci.yml.jinja` of copier, `values.yaml.j2`): the scan reads such a
# file as the file it renders to, and reports evidence at its real path. `.tpl` is left alone:
# Helm's helpers and Grafana templates are globbed under that name.
TEMPLATE_SUFFIXES = (".tmpl", ".jinja", ".jinja2", ".j2")
_EXTENSIONLESS_NAMES = frozenset({"Dockerfile", "Containerfile", "Makefile", "Jenkinsfile", "Procfile", "Pipfile",
                                  "CODEOWNERS", "LICENSE", "README", "MLproject"})


# Copier / cookiecutter conditional names: a file or folder that exists only when an answer is
# set is named `{% if tuning %}hp_search.py{% endif %}`; it renders to the name inside.
_JINJA_IF_NAME = re.compile(r"\{%-?\s*if\s[^%]*%\}([^{}/%]+)\{%-?\s*endif\s*-?%\}")


def rendered_path(rel: str) -> str:
    """The path a template file renders to (`a/train.py.tmpl` -> `a/train.py`,
    `a/{% if x %}train.py{% endif %}` -> `a/train.py`), else `rel`."""
    if "{%" in rel:
        rel = _JINJA_IF_NAME.sub(r"\1", rel)
    if not rel.endswith(TEMPLATE_SUFFIXES):
        return rel
    stem = rel[: rel.rfind(".")]
    base = stem.rpartition("/")[2]
    if base in _EXTENSIONLESS_NAMES or base.rfind(".") > 0 and not base.endswith(TEMPLATE_SUFFIXES):
        return stem
    return rel


def brace_expand(pattern: str) -> list[str]:
    m = re.search(r"\{([^{}]*)\}", pattern)
    if not m:
        return [pattern]
    out = []
    for alt in m.group(1).split(","):
        out += brace_expand(pattern[: m.start()] + alt + pattern[m.end() :])
    return out


_GLOB_WILD = lazy_re(r"\*\*/|\*+|\?|\[[^\]]*\]")


@lru_cache(maxsize=2048)
def _longest_literal(pattern: str) -> str | None:
    """The longest run of at least 3 literal characters in a brace-free glob: every path the
    glob matches contains it (`**/` may match nothing, so the `/` after it is not part of a
    literal). None when there is no such run."""
    best = max(_GLOB_WILD.split(pattern), key=len)
    return best if len(best) >= 3 else None


@lru_cache(maxsize=2048)
def glob_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """Translate a glob to a regex over repo-relative posix paths.

    A pattern without `/` matches a file name at any depth (`Dockerfile`, `*.ipynb`); one with
    `/` is anchored at the repository root (`.github/workflows/*.yml`, `/README.md` for the
    root only); `**` spans directories,
    `*` and `?` stay within one path component, `{a,b}` is alternation.
    """
    alts = []
    for pat in brace_expand(pattern):
        anchored = "/" in pat
        pat = pat.lstrip("/")
        i, out = 0, []
        while i < len(pat):
            c = pat[i]
            if pat.startswith("**/", i):
                out.append("(?:[^/]+/)*")
                i += 3
            elif pat.startswith("**", i):
                out.append(".*")
                i += 2
            elif c == "*":
                out.append("[^/]*")
                i += 1
            elif c == "?":
                out.append("[^/]")
                i += 1
            else:
                out.append(re.escape(c))
                i += 1
        body = "".join(out)
        alts.append(body if anchored else f"(?:[^/]+/)*{body}")
    return re.compile("^(?:" + "|".join(alts) + ")$", re.I if ignore_case else 0)


_NO_NEEDLES: frozenset[str] = frozenset()
_FIRST = itemgetter(0)


class NeedleIndex:
    """Which of a fixed set of literal strings (detector pre-filters) a text contains, found in
    one pass over the text rather than one search per string."""

    # From this many texts on, a DFA pays for its longer build (about 10 ms for 1,000 needles)
    # with a search about 1.5x faster than the default automaton's.
    DFA_FROM = 2000

    def __init__(self, needles: Iterable[str], texts: int = 0) -> None:
        self.needles = frozenset(n for n in needles if n)
        self._order = sorted(self.needles)
        self._auto = None
        if _acr is not None and self.needles:
            impl = _acr.Implementation.DFA if texts >= self.DFA_FROM else None
            # Searched as UTF-8 bytes: a str haystack costs the automaton 8 bytes of offset map
            # per character (128 MB for a 16 MB notebook), and a needle occurs in a text exactly
            # when its UTF-8 form occurs in the text's. Overlapping matches, so that a needle
            # inside another needle's match is found too.
            self._auto = _acr.BytesAhoCorasick(
                [n.encode("utf-8", "surrogatepass") for n in self._order],
                matchkind=_acr.MatchKind.Standard,
                implementation=impl,
            )

    def covers(self, needles: Iterable[str]) -> bool:
        return self.needles.issuperset(needles)

    def scan(self, text: str) -> frozenset[str]:
        if self._auto is not None:
            return self.scan_bytes(text.encode("utf-8", "surrogatepass"))
        return frozenset(n for n in self.needles if n in text)

    def scan_bytes(self, data: bytes) -> frozenset[str]:
        """The needles in a text given as its UTF-8 bytes."""
        if self._auto is not None:
            hits = self._auto.find_matches_as_indexes(data, overlapping=True)
            return frozenset(map(self._order.__getitem__, set(map(_FIRST, hits)))) if hits else _NO_NEEDLES
        return self.scan(data.decode("utf-8", "surrogateescape"))




class RepoView:
    """One repository, discovered and ready to be read. Thread-safe for concurrent reads of
    different files (the scanner prefetches in parallel)."""

    def __init__(
        self,
        root: Path,
        *,
        name: str | None = None,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        discovery: Discovery | None = None,
        use_git: bool = True,
    ) -> None:
        self.root = Path(root)
        self.name = name or self.root.resolve().name
        self.max_file_bytes = max_file_bytes
        self._disc = discovery or discover(self.root, max_file_bytes=max_file_bytes, use_git=use_git)
        self._info = self._disc.files
        # Template files under the name they render to (unless a real file has that name).
        self._source: dict[str, str] = {}
        if any(r.endswith(TEMPLATE_SUFFIXES) or "{%" in r for r in self._info):
            info = dict(self._info)
            for rel in self._info:
                out = rendered_path(rel)
                if out != rel and out not in self._info and out not in self._source:
                    info[out] = info.pop(rel)
                    self._source[out] = rel
            self._info = info
        self.files: tuple[str, ...] = tuple(sorted(self._info))
        # File name and extension indexes, in path order (one pass; tight: a large repository
        # has tens of thousands of files).
        by_name: dict[str, list[str]] = {}
        by_ext: dict[str, list[str]] = {}
        for rel in self.files:
            base = rel.rpartition("/")[2]
            got = by_name.get(base)
            if got is None:
                by_name[base] = [rel]
            else:
                got.append(rel)
        for base, rels in by_name.items():
            dot = base.rfind(".")
            if dot > 0:
                ext = base[dot:]
                got = by_ext.get(ext)
                if got is None:
                    by_ext[ext] = list(rels)
                else:
                    got += rels
        self._by_name = by_name
        self._by_ext_exact = {e: sorted(rels) for e, rels in by_ext.items()}
        by_name_lower: dict[str, list[str]] = defaultdict(list)
        for base, rels in by_name.items():
            by_name_lower[base.lower()] += rels
        self._by_name_lower = {b: sorted(rels) if len(rels) > 1 else rels for b, rels in by_name_lower.items()}
        by_ext_lower: dict[str, list[str]] = defaultdict(list)
        for ext, rels in self._by_ext_exact.items():
            by_ext_lower[ext.lower()] += rels
        self._by_ext = {e: sorted(rels) for e, rels in by_ext_lower.items()}
        self._name_blobs: dict[tuple[bool, bool], tuple[str, list[int], list[str], Any]] = {}
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], Any] = {}
        self._glob_cache: dict[tuple[str, bool], list[str]] = {}
        self._named_cache: dict[tuple[str, bool, bool], frozenset[str]] = {}
        self._skipped_read: dict[str, str] = {}
        self._test_cache: dict[str, bool] = {}
        # Free-form per-scan memo for callers (detector helpers cache path lists here).
        self.memo: dict[Any, Any] = {}
        self._ci_files: list[str] | None = None
        self._ci_sniffed: set[str] = set()
        self._needles: NeedleIndex | None = None
        self._found: dict[str, frozenset[str]] = {}
        self._by_needle: dict[str, set[str]] | None = None
        self._indexed_lists: dict[int, list[str]] = {}  # lists whose every file `found` has seen

    # -- facts about the repository --------------------------------------------------------
    @property
    def commit(self) -> str | None:
        return self._disc.commit

    @property
    def via_git(self) -> bool:
        return self._disc.via_git

    @property
    def incomplete(self) -> list[str]:
        """Paths (directories or files) that could not be looked at at all."""
        return list(self._disc.incomplete) + [p for p, r in self._skipped_read.items() if r.startswith("unreadable")]

    @property
    def skipped(self) -> list[SkippedFile]:
        """Files not scanned, or not fully used, with the reason: from discovery and from reads."""
        with self._lock:
            extra = [SkippedFile(path=self.source_path(p), reason=r) for p, r in sorted(self._skipped_read.items())]
        return list(self._disc.skipped) + extra

    def _note(self, rel: str, reason: str) -> None:
        with self._lock:
            self._skipped_read.setdefault(rel, reason)

    # For a scan split between forked processes: what a worker recorded, and the merge.
    def note_count(self) -> int:
        return len(self._skipped_read)

    def notes_since(self, n: int) -> list[tuple[str, str]]:
        """(path, reason) recorded as skipped after the first `n`, in recording order."""
        with self._lock:
            return list(self._skipped_read.items())[n:] if len(self._skipped_read) > n else []

    def restore_notes(self, n: int, notes: list[tuple[str, str]]) -> None:
        """Keep the first `n` records, then record `notes` in order (first reason per path wins)."""
        with self._lock:
            kept = list(self._skipped_read.items())[:n]
            self._skipped_read = dict(kept)
            for rel, reason in notes:
                self._skipped_read.setdefault(rel, reason)

    # For reads and parses split between forked processes: what a worker computed, and the merge.
    def export_warm(self, rels: Iterable[str], kinds: tuple[str, ...] = ("text", "modules", "python")) -> dict[str, Any]:
        """The cached results of `kinds` (and needle sets and skip records) for `rels`. A
        notebook's raw text (JSON with its outputs, often megabytes) stays behind: its parsed
        cells travel, and the text is read again if something asks for it."""
        cache, found, notes = self._cache, self._found, self._skipped_read
        out_cache = {}
        out_found = {}
        out_notes = {}
        for rel in rels:
            nb = rel.endswith(".ipynb")
            for kind in kinds:
                if nb and kind == "text":
                    continue
                val = cache.get((kind, rel), _MISSING)
                if val is not _MISSING:
                    out_cache[(kind, rel)] = val
            if rel in found:
                out_found[rel] = found[rel]
            if rel in notes:
                out_notes[rel] = notes[rel]
        return {"cache": out_cache, "found": out_found, "notes": out_notes}

    def import_warm(self, payload: dict[str, Any]) -> None:
        """Merge what `export_warm` gave in another process (first skip reason per file wins)."""
        with self._lock:
            for key, val in payload["cache"].items():
                self._cache.setdefault(key, val)
            for rel, reason in payload["notes"].items():
                self._skipped_read.setdefault(rel, reason)
        for rel, got in payload["found"].items():
            if rel not in self._found:
                self._found[rel] = got
                if self._by_needle is not None:
                    for n in got:
                        self._by_needle[n].add(rel)

    # -- file lookup -----------------------------------------------------------------------
    def _untemplated(self, rel: str, text: str) -> str | None:
        """The text a project template's file renders to (see `textutil.untemplate`), for a
        file of a template only: one with a template suffix, or under a folder named by a
        template expression (`{{cookiecutter.slug}}/`). Helm's templates/ keep their syntax."""
        if self.source_path(rel) == rel and "{{" not in rel and "{%" not in rel:
            return None
        return untemplate(text)

    def source_path(self, rel: str) -> str:
        """The repository path of a scanned file: a template's own path (`train.py.tmpl`) for
        the name it is scanned under (`train.py`), else `rel`."""
        return self._source.get(rel, rel)

    def exists(self, rel: str) -> bool:
        return rel in self._info

    def size(self, rel: str) -> int:
        return self._info[rel].size

    def by_name(self, name: str, *, ignore_case: bool = False) -> list[str]:
        return list((self._by_name_lower.get(name.lower(), []) if ignore_case else self._by_name.get(name, [])))

    def by_ext(self, *exts: str) -> list[str]:
        """Files by extension (`.py`, `.ipynb`; case-insensitive), in path order."""
        out: list[str] = []
        for e in exts:
            out += self._by_ext.get(e.lower(), [])
        return sorted(out) if len(exts) > 1 else out

    def glob(self, pattern: str, *, ignore_case: bool = False) -> list[str]:
        """Files matching a glob (see `glob_regex`), in path order. Cached per pattern."""
        key = (pattern, ignore_case)
        cached = self._glob_cache.get(key)
        if cached is not None:
            return cached
        pats = brace_expand(pattern)
        result: set[str] = set()
        for pat in pats:
            base = pat.rsplit("/", 1)[-1]
            ext = ""  # the extension every candidate has (from the extension index)
            if not re.search(r"[*?\[]", base):
                cands = self.by_name(base, ignore_case=ignore_case)
                if "/" not in pat:  # the name index is the whole answer
                    result.update(cands)
                    continue
            elif re.fullmatch(r"\*\.[\w-]+", pat):  # `*.ext`: the extension index, no regex
                ext = pat[1:]
                result.update(self._by_ext.get(ext.lower(), []) if ignore_case else self._by_ext_exact.get(ext, []))
                continue
            elif re.search(r"\.[\w-]+$", base):  # `*model_card*.md`: only files with that extension
                ext = "." + base.rsplit(".", 1)[-1]
                cands = self._by_ext.get(ext.lower(), [])
            else:
                cands = self.files
            if len(cands) > 64:
                # A literal every match contains, looked up among the distinct file names (or,
                # for a pattern with directories, among the paths) rather than file by file;
                # not the extension when the candidates already have it.
                in_path = "/" in pat
                src = pat.lstrip("/") if in_path else base
                lit = _longest_literal(src[: -len(ext)] if ext else src)
                if lit is not None:
                    named = self._named(lit.lower() if ignore_case else lit, ignore_case, in_path)
                    cands = named if cands is self.files else [f for f in cands if f in named]
            if cands:  # compiled only when needed: a regex compile costs more than most lookups
                rx = glob_regex(pat, ignore_case)
                result.update(f for f in cands if rx.match(f))
        out = self._ordered(result)
        self._glob_cache[key] = out
        return out

    def _ordered(self, subset: set[str]) -> list[str]:
        """A subset of the files in path order: a pass over the sorted file list is cheaper
        than sorting when the subset is a large part of the repository."""
        if len(subset) * 16 > len(self.files):
            return [f for f in self.files if f in subset]
        return sorted(subset)

    def _named(self, lit: str, ignore_case: bool, in_path: bool = False) -> frozenset[str]:
        """Files whose name (or, `in_path`, whose path) contains `lit` (lower-case when
        `ignore_case`): a C substring search in one string of every distinct name or path."""
        key = (lit, ignore_case, in_path)
        got = self._named_cache.get(key)
        if got is None:
            blob = self._name_blobs.get((ignore_case, in_path))
            if blob is None:
                if in_path:  # one line per file: k-th line, k-th file
                    names = [f.lower() for f in self.files] if ignore_case else list(self.files)
                    index = None
                else:
                    index = self._by_name_lower if ignore_case else self._by_name
                    names = list(index)
                starts = [0, *accumulate(len(n) + 1 for n in names)][:-1]
                blob = self._name_blobs[(ignore_case, in_path)] = ("\n".join(names), starts, names, index)
            text, starts, names, index = blob
            hits: set[str] = set()
            i = text.find(lit)
            while i != -1:
                k = bisect_right(starts, i) - 1
                if index is None:
                    hits.add(self.files[k])
                else:
                    hits.update(index[names[k]])
                nxt = starts[k + 1] if k + 1 < len(starts) else len(text)
                i = text.find(lit, nxt)
            got = self._named_cache[key] = frozenset(hits)
        return got

    def globs(self, patterns: list[str] | tuple[str, ...], *, ignore_case: bool = False) -> list[str]:
        if len(patterns) == 1:
            return list(self.glob(patterns[0], ignore_case=ignore_case))
        out: set[str] = set()
        for p in patterns:
            out.update(self.glob(p, ignore_case=ignore_case))
        return self._ordered(out)

    def test_files(self) -> frozenset[str]:
        """Every file `is_test` accepts (computed once)."""
        tests = self.memo.get("__test_files__")
        if tests is None:
            tests = self.memo["__test_files__"] = frozenset(r for r in self.files if self.is_test(r))
        return tests

    def is_test(self, rel: str) -> bool:
        """A test file or a file under a test directory (see `is_test_path`), unless it is a
        program only named like a test (`script_named_like_test`). Cached."""
        hit = self._test_cache.get(rel)
        if hit is None:
            hit = is_test_path(rel)
            if hit and rel.endswith("_test.py") and script_named_like_test(rel, self.text(rel)):
                hit = False
            self._test_cache[rel] = hit
        return hit

    # -- bounded reads ---------------------------------------------------------------------
    def _cached(self, kind: str, rel: str, make: Callable[[], T]) -> T:
        key = (kind, rel)
        val = self._cache.get(key, _MISSING)
        if val is _MISSING:
            val = make()
            with self._lock:
                self._cache[key] = val
        return val  # type: ignore[return-value]

    def read_bytes(self, rel: str) -> bytes | None:
        """The file's bytes (at most the size cap), or None (recorded as skipped)."""
        return self._cached("bytes", rel, lambda: self._read(rel))

    def _read(self, rel: str) -> bytes | None:
        info = self._info.get(rel)
        if info is None:
            return None
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = _open(info.real, flags)
        except OSError as exc:
            self._note(rel, f"unreadable: {exc.strerror or exc}")
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self._note(rel, "not a regular file (FIFO, socket or device)")
                return None
            cap = size_cap(rel, self.max_file_bytes)
            if st.st_size > cap:
                self._note(rel, f"over size cap ({st.st_size} bytes > {cap})")
                return None
            # One read of size+1 bytes: a short read of a regular file is its end, so the
            # common case costs a single syscall; a file that grew keeps reading up to the cap.
            want = st.st_size + 1
            data = os.read(fd, want)
            if len(data) < want:
                return data
            chunks, total = [data], len(data)
            while total <= cap:
                chunk = os.read(fd, cap + 1 - total)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            if total > cap:  # grew after the stat
                self._note(rel, f"over size cap (more than {cap} bytes)")
                return None
            return b"".join(chunks)
        except OSError as exc:
            self._note(rel, f"unreadable: {exc.strerror or exc}")
            return None
        finally:
            os.close(fd)

    def text(self, rel: str) -> str | None:
        """The file as text, or None for binary / unreadable files (recorded as skipped).
        Invalid UTF-8 is decoded with replacement characters (and recorded)."""
        val = self._cache.get(("text", rel), _MISSING)
        if val is not _MISSING:
            return val  # type: ignore[return-value]
        return self._cached("text", rel, lambda: self._decode(rel))

    def warm(self, rels: Iterable[str]) -> None:
        """Read files into the cache in one tight loop (the scanner's bulk read), with less
        per-file overhead than `text` file by file. A file that is plain ASCII is decoded only
        when something asks for its text (its needles are found in its bytes, `found`); any
        other is decoded now, so that binary files and invalid UTF-8 are recorded as skipped
        whether or not a detector reads them."""
        cache = self._cache
        for rel in rels:
            if ("text", rel) in cache:
                continue
            data = cache.get(("bytes", rel), _MISSING)
            if data is _MISSING:
                data = cache[("bytes", rel)] = self._read(rel)
            if data is None or not data.isascii() or b"\0" in data[:_BINARY_PROBE]:
                cache[("text", rel)] = self._decoded(rel, data)  # type: ignore[arg-type]

    def _decode(self, rel: str) -> str | None:
        return self._decoded(rel, self.read_bytes(rel))

    def _decoded(self, rel: str, data: bytes | None) -> str | None:
        if data is None:
            return None
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            # UTF-16 with a BOM: what `pip freeze > requirements.txt` writes in Windows PowerShell.
            try:
                text = data.decode("utf-16")  # the codec drops the BOM
                if "\0" not in text[:_BINARY_PROBE]:
                    return text
            except UnicodeDecodeError:
                pass
        if b"\0" in data[:_BINARY_PROBE]:
            self._note(rel, "binary file (NUL byte)")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
            self._note(rel, "invalid UTF-8: read with replacement characters")
        if text.startswith("\ufeff"):
            text = text[1:]
        return text

    def texts(self, rels: list[str]) -> list[tuple[str, str]]:
        """(path, text) for each readable file of `rels`, in order: one call for a bulk scan."""
        cache = self._cache
        out = []
        for rel in rels:
            t = cache.get(("text", rel), _MISSING)
            if t is _MISSING:
                t = self.text(rel)
            if t is not None:
                out.append((rel, t))
        return out

    # -- substring pre-filters -------------------------------------------------------------
    def index_needles(self, needles: Iterable[str], texts: int = 0) -> None:
        """Declare the literal strings detectors pre-filter files with: each file's text is
        then searched for all of them at once (`found`), at most once per file. `texts`: about
        how many files will be searched (a large number picks a faster automaton)."""
        self._needles = NeedleIndex(needles, texts)
        self._found = {}
        self._by_needle = None
        self._indexed_lists = {}

    def indexes(self, needles: Iterable[str]) -> bool:
        """Whether `found` reports on every one of `needles` (they were declared)."""
        return self._needles is not None and self._needles.covers(needles)

    def found(self, rel: str) -> frozenset[str]:
        """The declared needles that occur in the file's text (empty for unreadable files); for
        a notebook, in its cells' sources (not its outputs, not JSON-escaped)."""
        got = self._found.get(rel)
        if got is None:
            idx = self._needles
            raw = None if rel.endswith(".ipynb") or ("text", rel) in self._cache else self._cache.get(("bytes", rel))
            if raw is not None and raw.isascii() and b"\0" not in raw[:_BINARY_PROBE]:
                # Plain ASCII (read by `warm`), not decoded yet: its bytes are its text.
                got = idx.scan_bytes(raw) if (idx is not None and raw) else _NO_NEEDLES
            else:
                t = self.source_text(rel)
                got = idx.scan(t) if (idx is not None and t) else _NO_NEEDLES
            self._found[rel] = got
            if self._by_needle is not None:
                for n in got:
                    self._by_needle[n].add(rel)
        return got

    def source_text(self, rel: str) -> str | None:
        """The text a reader means: a notebook's cell sources joined (not its JSON with outputs
        and escapes), any other file's text."""
        if rel.endswith(".ipynb"):
            cells = self.notebook(rel)
            return None if cells is None else "\n".join(c.source for c in cells)
        return self.text(rel)

    def contains_any(self, rel: str, needles: Iterable[str]) -> bool:
        """Does the file's text (a notebook's cell sources) contain one of `needles`? From the
        index when it covers them."""
        needles = tuple(needles)
        if self._needles is not None and self._needles.covers(needles):
            return not self.found(rel).isdisjoint(needles)
        t = self.source_text(rel)
        return bool(t) and any(map(t.__contains__, needles))

    def with_any(self, rels: list[str], needles: Iterable[str]) -> list[str]:
        """The files of `rels` (a list in path order) whose text contains one of `needles`,
        in path order."""
        needles = tuple(needles)
        idx = self._needles
        if idx is None or not idx.covers(needles):
            return [r for r in rels if self.contains_any(r, needles)]
        found = self._found
        by_needle = self._by_needle
        if by_needle is None:
            by_needle = defaultdict(set)
            for r, fs in list(found.items()):
                for n in fs:
                    by_needle[n].add(r)
            self._by_needle = by_needle
        if self._indexed_lists.get(id(rels)) is not rels:  # once per list (kept alive here)
            for r in [r for r in rels if r not in found]:
                self.found(r)
            self._indexed_lists[id(rels)] = rels
        hits: set[str] = set()
        for n in needles:
            hits.update(by_needle.get(n, ()))
        if len(hits) * 8 < len(rels):  # few hits: sort them rather than walk every candidate
            keep = set(rels)
            return sorted(r for r in hits if r in keep)
        return [r for r in rels if r in hits]

    def lines(self, rel: str) -> list[str]:
        """The file's lines (no line endings); empty for unreadable files."""
        return self._cached("lines", rel, lambda: (self.text(rel) or "").splitlines())

    def line(self, rel: str, line: int, cell: int | None = None) -> str:
        """One line (1-based) of a file, or of a notebook cell."""
        if cell is not None:
            cells = self.notebook(rel) or []
            for c in cells:
                if c.number == cell:
                    src = c.source.split("\n")
                    return src[line - 1] if 0 < line <= len(src) else ""
            return ""
        ls = self.lines(rel)
        return ls[line - 1] if 0 < line <= len(ls) else ""

    def snippet(self, rel: str, line: int | None, cell: int | None = None) -> str:
        return make_snippet(self.line(rel, line, cell)) if line else ""

    # -- parsers ---------------------------------------------------------------------------
    def modules(self, rel: str) -> frozenset[str]:
        """Top-level modules a .py file or notebook imports, by a cheap regex (no parse)."""

        def make() -> frozenset[str]:
            if rel.endswith(".ipynb"):
                cells = self.notebook(rel) or []
                return py.imported_modules("\n".join(c.source for c in cells if c.kind == "code"))
            t = self.text(rel)
            return py.imported_modules(t) if t else frozenset()

        val = self._cache.get(("modules", rel), _MISSING)
        return val if val is not _MISSING else self._cached("modules", rel, make)  # type: ignore[return-value]

    def importing(self, roots: frozenset[str]) -> frozenset[str]:
        """The .py files and notebooks whose import pre-filter (`modules`) names one of
        `roots`: from an index over every such file, built once."""
        index = self.memo.get("__modules_index__")
        if index is None:
            index = defaultdict(set)
            for rel in self.by_ext(".py", ".ipynb"):
                for mod in self.modules(rel):
                    index[mod].add(rel)
            self.memo["__modules_index__"] = index
        out: set[str] = set()
        for root in roots:
            out.update(index.get(root, ()))
        return frozenset(out)

    def python(self, rel: str) -> py.PyFacts | None:
        """Imports, calls, classes, functions of a .py file or an .ipynb notebook."""

        def make() -> py.PyFacts | None:
            if rel.endswith(".ipynb"):
                cells = self.notebook(rel)
                return None if cells is None else py.parse_notebook(rel, cells)
            t = self.text(rel)
            return None if t is None else py.parse_python(rel, t)

        return self._cached("python", rel, make)

    def notebook(self, rel: str) -> list[py.Cell] | None:
        def make() -> list[py.Cell] | None:
            t = self.text(rel)
            if t is None:
                return None
            try:
                return py.notebook_cells(t)
            except py.NotebookError as exc:
                self._note(rel, f"not a valid notebook: {exc}")
                return None

        return self._cached("notebook", rel, make)

    def yaml(self, rel: str, *, max_aliases: int = 0, tolerate_tags: bool = False) -> Any:
        """The parsed YAML document (LineDict/LineList with key lines), or None."""
        return self._cached(f"yaml:{max_aliases}:{tolerate_tags}", rel,
                            lambda: self._load_yaml(rel, yamlsafe.load, None, max_aliases, tolerate_tags))

    def yaml_all(self, rel: str, *, max_aliases: int = 0, tolerate_tags: bool = False) -> list[Any]:
        """Every document of a multi-document YAML stream (Kubernetes manifests); [] on error."""
        return self._cached(f"yaml_all:{max_aliases}:{tolerate_tags}", rel,
                            lambda: self._load_yaml(rel, yamlsafe.load_all, [], max_aliases, tolerate_tags))

    def _load_yaml(self, rel: str, load: Any, failed: Any, max_aliases: int, tolerate_tags: bool) -> Any:
        """`load` of the file's text, or of its rendering when it is a project template whose
        YAML does not parse as it stands; `failed` (and a note) when neither parses."""
        t = self.text(rel)
        if t is None:
            return failed
        try:
            return load(t, max_aliases=max_aliases, tolerate_tags=tolerate_tags)
        except yamlsafe.YamlError as exc:
            rendered = self._untemplated(rel, t)
            if rendered is not None:
                try:
                    return load(rendered, max_aliases=max_aliases, tolerate_tags=tolerate_tags)
                except yamlsafe.YamlError:
                    pass
            self._note(rel, f"not parsed: {exc}")
            return failed

    def toml(self, rel: str) -> dict[str, Any] | None:
        def make() -> dict[str, Any] | None:
            t = self.text(rel)
            if t is None:
                return None
            try:
                return tomllib.loads(t)
            except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
                self._note(rel, f"not parsed: {str(exc).splitlines()[0] if str(exc) else 'invalid TOML'}")
                return None

        return self._cached("toml", rel, make)

    def json(self, rel: str) -> Any:
        def make() -> Any:
            t = self.text(rel)
            if t is None:
                return None
            try:
                return json.loads(t)
            except (ValueError, RecursionError):
                self._note(rel, "not parsed: invalid JSON")
                return None

        return self._cached("json", rel, make)

    def ini(self, rel: str) -> configparser.ConfigParser | None:
        """setup.cfg / tox.ini / .flake8 style files (no interpolation)."""

        def make() -> configparser.ConfigParser | None:
            t = self.text(rel)
            if t is None:
                return None
            cp = configparser.ConfigParser(interpolation=None, strict=False)
            try:
                cp.read_string(t)
            except (configparser.Error, ValueError):
                self._note(rel, "not parsed: invalid INI")
                return None
            return cp

        return self._cached("ini", rel, make)

    def key_line(self, rel: str, key_path: str) -> int | None:
        """Line of a TOML table/key (`tool.ruff`) or an INI section (`flake8`): by text search,
        since tomllib keeps no positions. `tool.ruff` matches `[tool.ruff]`, `[tool.ruff.lint]`
        and a dotted `ruff.x =` under `[tool]`."""
        esc = re.escape(key_path)
        rx = re.compile(rf"^\s*\[\s*{esc}(\s*\]|\.)|^\s*{esc}\s*=")
        for i, line in enumerate(self.lines(rel), start=1):
            if rx.match(line):
                return i
        return None

    # -- manifests -------------------------------------------------------------------------
    def requirements_files(self) -> dict[str, man.RequirementsFile]:
        def make() -> dict[str, man.RequirementsFile]:
            out = {}
            for rel in self.by_ext(".txt", ".in"):
                if man.is_requirements_name(rel):
                    t = self.text(rel)
                    if t is not None:
                        out[rel] = man.parse_requirements(rel, t)
            return out

        return self._cached("requirements", ".", make)

    def environment_files(self) -> dict[str, list[man.Dependency]]:
        def make() -> dict[str, list[man.Dependency]]:
            out = {}
            for rel in self.by_ext(".yml", ".yaml"):
                if man.is_environment_name(rel):
                    t = self.text(rel)
                    deps = man.parse_environment_yml(rel, t) if t is not None else None
                    if deps is not None:
                        out[rel] = deps
            return out

        return self._cached("environments", ".", make)

    def lock_files(self) -> list[str]:
        """Lock files, those over the size cap included: a lock file pins the environment by
        being there, its content is never read (a large project's poetry.lock or pixi.lock is
        often over 1 MB)."""
        found = [f for f in self.files if man.is_lock_file(f)]
        found += [s.path for s in self._disc.skipped if s.reason.startswith("over size cap") and man.is_lock_file(s.path)]
        return found

    def dependencies(self) -> list[man.Dependency]:
        """Every declared dependency in every manifest, in path and line order."""

        def make() -> list[man.Dependency]:
            deps: list[man.Dependency] = []
            for rf in self.requirements_files().values():
                deps += rf.deps
            for env in self.environment_files().values():
                deps += env
            parsers = {
                "pyproject.toml": man.parse_pyproject,
                "setup.cfg": man.parse_setup_cfg,
                "setup.py": man.parse_setup_py,
                "Pipfile": man.parse_pipfile,
            }
            for name, parse in parsers.items():
                for rel in self.by_name(name):
                    t = self.text(rel)
                    if t is not None:
                        deps += parse(rel, t)
            deps.sort(key=lambda d: (d.path, d.line))
            return deps

        return self._cached("dependencies", ".", make)

    # -- CI and containers -----------------------------------------------------------------
    def ci_files(self) -> list[str]:
        """Paths of CI configurations of every supported system."""
        if self._ci_files is None:
            # The path hints are looked up in one string of every path, not file by file.
            hinted: set[str] = set()
            for hint in ci_mod.CI_PATH_HINTS:
                hinted |= self._named(hint, True, True)
            found = [f for f in hinted if ci_mod.maybe_ci(f) and ci_mod.ci_system(f)]
            # Azure Pipelines definitions with free names, recognised by content.
            maybe_azure: set[str] = set()
            for hint in ci_mod.AZURE_PATH_HINTS:
                maybe_azure |= self._named(hint, True, True)
            self._ci_sniffed = {
                f for f in sorted(maybe_azure)
                if ci_mod.maybe_azure_pipeline(f) and ci_mod.sniff_azure_pipeline(self.text(f) or "")
            }
            self._ci_files = sorted(set(found) | self._ci_sniffed)
        return self._ci_files

    def ci(self) -> list[ci_mod.CiPipeline]:
        """Every CI pipeline; unparseable files are recorded as skipped and left out."""

        def make() -> list[ci_mod.CiPipeline]:
            out = []
            for rel in self.ci_files():
                t = self.text(rel)
                if t is None:
                    continue
                p = ci_mod.parse_ci(rel, t, "azure" if rel in self._ci_sniffed else None)
                if p is not None and p.error and (rendered := self._untemplated(rel, t)) is not None:
                    p = ci_mod.parse_ci(rel, rendered, "azure" if rel in self._ci_sniffed else None) or p
                if p is None:
                    continue
                if p.error:
                    self._note(rel, f"not parsed: {p.error}")
                    continue
                out.append(p)
            return out

        return self._cached("ci", ".", make)

    def dockerfiles(self) -> dict[str, list[docker_mod.Instruction]]:
        def make() -> dict[str, list[docker_mod.Instruction]]:
            out = {}
            for rel in self.files:
                if docker_mod.is_dockerfile(rel):
                    t = self.text(rel)
                    if t is not None:
                        out[rel] = docker_mod.parse_dockerfile(t)
            return out

        return self._cached("dockerfiles", ".", make)


# Indirection so that tests can simulate an unreadable file when running as root.
_open = os.open
