"""The scan cache: an unchanged repository is not read again.

One entry per repository (by its real path), in a directory beside the assessment database.
An entry holds the scan's observations and a *snapshot* of the repository taken just before
that scan:

- in a git work tree: the HEAD commit, and the size and mtime of every file git lists
  (tracked, plus untracked files it does not ignore) and the mtime of every directory that
  is not ignored (a file added anywhere changes its directory's mtime);
- outside git: the size and mtime of every file and directory (vendored directories such as
  `node_modules/` or a virtualenv excepted, as the scan skips them too).

The entry is reused only when the detector set (a hash of the scanner's code and detector
data), the practice catalog, the size cap and the snapshot all match. Checking a snapshot runs
no git command and reads no file, except files modified within `RACY_WINDOW_NS` of the
snapshot: a second write in the same timestamp tick would not show in the mtime, so for those
the snapshot keeps a content hash and the check compares it (git's "racily clean" rule).

The entry also keeps the *rendered output* of the last fleet run that can reuse one (a format
whose text does not depend on the time of the run but for JSON's `generated_at`, no live
source, no database), with the repository's summary row. A later run with the same output key
(the package's files, the detector set, the framework, the answers file, the stage, the
format and its options, the gate) finds the repository unchanged in the parent process and
copies that text: no worker, no scoring, no rendering (`ScanCache.reuse`).

Entries are written to a temporary file, flushed and renamed, so a crash leaves the old entry
or the new one. Each entry starts with the SHA-256 of its body: an entry that does not match
its hash, does not parse or does not validate is deleted and the repository scanned again.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..model.evidence import Observation, SourceRun
from ..model.framework import PracticeCatalog
from ..repo import DEFAULT_MAX_FILE_BYTES
from ..repo import gitinfo
from ..repo.discovery import vendored_reason
from ..sources.base import SourceResult
from ..sources.declared import CONFIG_NAME

FORMAT = 2
CACHE_DIR_NAME = "scan-cache"
ENV_VAR = "MLOPS_MATURITY_CACHE_DIR"
# Files and directories modified this close to the snapshot get their content checked too.
RACY_WINDOW_NS = 2_000_000_000
RACY_HASH_LIMIT = 64 << 20

_PACKAGE = Path(__file__).resolve().parents[1]
# What decides a scan's observations besides the repository: the scanner's code and data.
_FINGERPRINTED = ("sources/scan", "repo", "model")


class CacheError(Exception):
    """The cache directory cannot be used (one line, for the user)."""


# The entry-point group of plug-in detectors (`sources.scan.registry.ENTRY_POINT_GROUP`, equal
# by a test): named here so that the fingerprint does not load the registry and every spec.
PLUGIN_GROUP = "mlops_maturity.detectors"


def _hash_tree(h, base: Path, label: str) -> None:  # noqa: ANN001
    for p in sorted(base.rglob("*")):
        if p.suffix in (".py", ".yaml", ".yml", ".json") and "__pycache__" not in p.parts and p.is_file():
            h.update(f"{label}/{p.relative_to(base).as_posix()}".encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())


@lru_cache(maxsize=1)
def detector_fingerprint() -> str:
    """A hash of the detector set: the tool version, every file of the scanner, the
    repository view and the model, and the installed plug-in detectors (each one's entry
    point, distribution version and package files: its specs and its checks). Any change to a
    detector, a parser or a spec gives a new fingerprint, and every entry made with the old
    one is ignored. Plug-ins are located, not imported (nor the built-in registry loaded): a
    run that finds every repository unchanged does not pay for loading the detectors."""
    import importlib.util
    from importlib import metadata

    h = hashlib.sha256(f"mlops-maturity {__version__} cache {FORMAT}\n".encode())
    for sub in _FINGERPRINTED:
        _hash_tree(h, _PACKAGE / sub, sub)
    for ep in sorted(metadata.entry_points(group=PLUGIN_GROUP), key=lambda e: (e.name, e.value)):
        version = ep.dist.version if ep.dist is not None else ""
        h.update(f"plugin {ep.name}={ep.value} {version}\n".encode())
        try:
            spec = importlib.util.find_spec(ep.module)
        except (ImportError, ValueError):
            spec = None
        for loc in (spec.submodule_search_locations or []) if spec is not None else []:
            _hash_tree(h, Path(loc), ep.module)
        if spec is not None and spec.origin and not spec.submodule_search_locations:
            h.update(hashlib.sha256(Path(spec.origin).read_bytes()).digest())
    return h.hexdigest()


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """A hash of every file of the installed package (code, framework data, templates): what
    turns observations into a rendered output besides the inputs of the run. Reusing a
    rendered output needs this to match, not just the detector set."""
    h = hashlib.sha256(f"mlops-maturity {__version__} output {FORMAT}\n".encode())
    for p in sorted(_PACKAGE.rglob("*")):
        if "__pycache__" not in p.parts and p.is_file():
            h.update(p.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def fingerprint(catalog: PracticeCatalog, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """The part of the key that is not the repository: detector set, catalog, size cap."""
    h = hashlib.sha256(detector_fingerprint().encode())
    h.update(catalog.model_dump_json().encode())
    h.update(str(max_file_bytes).encode())
    return h.hexdigest()


def default_dir(db_url: str | None) -> Path:
    """Beside the database: next to the SQLite file, else in the user's data directory."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    from ..store.db import StoreError, parse_url, resolve_url

    try:
        u = parse_url(resolve_url(db_url))
    except StoreError as exc:
        raise CacheError(str(exc)) from None
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        return Path(u.database).expanduser().parent / CACHE_DIR_NAME
    from platformdirs import user_data_dir

    return Path(user_data_dir("mlops-maturity", appauthor=False)) / CACHE_DIR_NAME


# -- snapshots -----------------------------------------------------------------------------


def _sig(abs_path: str) -> list[int] | None:
    """Size and mtime (of the link and its target, for a symlink); None when missing."""
    try:
        st = os.lstat(abs_path)
    except OSError:
        return None
    sig = [st.st_size, st.st_mtime_ns]
    if stat.S_ISLNK(st.st_mode):
        try:
            t = os.stat(abs_path)
            sig += [t.st_size, t.st_mtime_ns]
        except OSError:
            sig += [-1, -1]
    return sig


def _content_hash(abs_path: str) -> str | None:
    try:
        with open(abs_path, "rb") as fh:
            data = fh.read(RACY_HASH_LIMIT + 1)
    except OSError:
        return None
    if len(data) > RACY_HASH_LIMIT:
        return None  # never verifiable: the entry will not be trusted
    return hashlib.sha256(data).hexdigest()


def _names_hash(abs_dir: str) -> str | None:
    try:
        names = sorted(os.listdir(abs_dir))
    except OSError:
        return None
    return hashlib.sha256("\0".join(names).encode()).hexdigest()


def _dirs(root: str, ignored: set[str], git: bool) -> Iterator[tuple[str, str]]:
    """(rel, abs) of every directory the scan could find a file in, root included as ""."""
    stack = [("", root)]
    while stack:
        rel, abs_dir = stack.pop()
        yield rel, abs_dir
        try:
            entries = list(os.scandir(abs_dir))
        except OSError:
            continue
        for e in entries:
            if e.name == ".git":
                continue
            try:
                if not e.is_dir(follow_symlinks=False):
                    continue
            except OSError:
                continue
            r = f"{rel}/{e.name}" if rel else e.name
            if git:
                if r + "/" in ignored or os.path.lexists(os.path.join(e.path, ".git")):
                    continue  # ignored, or a nested repository git does not list into
            elif vendored_reason(e.name, e.path):
                continue
            stack.append((r, e.path))


def _walk_files(root: str) -> list[str]:
    files: list[str] = []
    for rel, abs_dir in _dirs(root, set(), git=False):
        try:
            entries = list(os.scandir(abs_dir))
        except OSError:
            continue
        for e in entries:
            try:
                if e.name != ".git" and not e.is_dir(follow_symlinks=False):
                    files.append(f"{rel}/{e.name}" if rel else e.name)
            except OSError:
                continue
    return files


def take_snapshot(root: Path) -> dict:
    """The state a scan of `root` starting now will see. Taken *before* the scan: a file
    modified during the scan then differs from the snapshot next time, and is re-read."""
    taken = time.time_ns()
    top = str(root.resolve())
    snap: dict = {"kind": "walk", "commit": None, "taken_ns": taken}
    files: list[str] | None = None
    ignored: set[str] = set()
    found = gitinfo.find_git_dir(root)
    if found is not None:
        try:
            files = gitinfo.list_files(root)
            out = gitinfo.run_git(root, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", "--", ".")
            ignored = {os.fsdecode(n) for n in out.split(b"\0") if n.endswith(b"/")}
            snap["kind"] = "git"
            snap["commit"] = gitinfo.head_commit(root)
            snap["exclude"] = _sig(str(found[1] / "info" / "exclude"))
        except gitinfo.GitError:
            files = None
    if files is None:
        files = _walk_files(top)
    git = snap["kind"] == "git"
    snap["files"] = {rel: _sig(os.path.join(top, rel)) for rel in files}
    snap["dirs"] = {rel: _sig(abs_dir) for rel, abs_dir in _dirs(top, ignored, git)}
    limit = taken - RACY_WINDOW_NS
    snap["racy_files"] = {
        rel: _content_hash(os.path.join(top, rel)) for rel, s in snap["files"].items() if s is not None and s[1] >= limit
    }
    snap["racy_dirs"] = {rel: _names_hash(os.path.join(top, rel)) for rel, s in snap["dirs"].items() if s is not None and s[1] >= limit}
    return snap


def changed(root: Path, snap: dict) -> str | None:
    """Why `root` no longer matches `snap` (the first difference found), or None."""
    top = str(root.resolve())
    found = gitinfo.find_git_dir(root)
    if (found is not None) != (snap["kind"] == "git"):
        return "git work tree appeared or disappeared"
    if found is not None:
        if gitinfo.head_commit(root) != snap["commit"]:
            return "HEAD moved"
        if _sig(str(found[1] / "info" / "exclude")) != snap.get("exclude"):
            return ".git/info/exclude changed"
    for rel, sig in snap["files"].items():
        if _sig(os.path.join(top, rel)) != sig:
            return f"{rel} changed"
    for rel, sig in snap["dirs"].items():
        if _sig(os.path.join(top, rel) if rel else top) != sig:
            return f"{rel or '.'}/ changed"
    for rel, h in snap["racy_files"].items():
        if h is None or _content_hash(os.path.join(top, rel)) != h:
            return f"{rel} changed"
    for rel, h in snap["racy_dirs"].items():
        if h is None or _names_hash(os.path.join(top, rel) if rel else top) != h:
            return f"{rel or '.'}/ changed"
    return None


# -- entries ------------------------------------------------------------------------------
#
# An entry file is the SHA-256 (hex) of its body, a newline, then the body: three parts
# separated by newlines (compact JSON never holds a raw newline):
#   1. meta: format, root, fingerprint, snapshot, and `output` (below) or null;
#   2. the scan's observations;
#   3. the rendered output of the last fleet run that can reuse one (empty without `output`).
# `output` says what part 3 was made with: the run's output key (everything besides the
# repository that decides the rendered text: see `fleet.run.output_key`), the path the
# repository was named by, the hash of its `.mlops-maturity.yaml`, the repository's summary
# row, and for JSON the generation time as written in the text.


def _encode(result: SourceResult) -> dict:
    return {
        "run": result.run.model_dump(mode="json"),
        "observations": [o.model_dump(mode="json") for o in result.observations],
        "subject": result.subject,
    }


def _decode(data: dict) -> SourceResult:
    return SourceResult(
        run=SourceRun.model_validate(data["run"]),
        observations=tuple(Observation.model_validate(o) for o in data["observations"]),
        subject=dict(data["subject"]),
    )


def config_hash(root: Path) -> str | None:
    """The repository's `.mlops-maturity.yaml` as an assessment reads it (a regular file, not
    a symlink): the hash of its content, None when there is none. An output depends on it,
    and the snapshot does not cover it when it is git-ignored."""
    cfg = os.path.join(root, CONFIG_NAME)
    try:
        if not stat.S_ISREG(os.lstat(cfg).st_mode):
            return None
    except OSError:
        return None
    try:
        with open(cfg, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return "unreadable"  # equal to no stored hash: never reused


@dataclass
class Lookup:
    """What the cache said about one repository: hit, miss (with why) or corrupt."""

    result: SourceResult | None
    outcome: str  # "hit" | "miss" | "corrupt"
    reason: str = ""
    snapshot: dict | None = None


def _split(raw: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(meta, observations, output) of an entry whose hash matches its body, else None."""
    digest, _, body = raw.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        return None
    meta, _, rest = body.partition(b"\n")
    observations, _, output = rest.partition(b"\n")
    return meta, observations, output


class ScanCache:
    """Entries under `directory`/v<FORMAT>/, one per repository real path."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.base = self.directory / f"v{FORMAT}"

    def prepare(self) -> None:
        """Create the directory; CacheError (one line) when that is impossible."""
        try:
            self.base.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"{self.directory}: cannot create the scan cache directory ({exc.strerror})") from None
        if not os.access(self.base, os.W_OK | os.X_OK):
            raise CacheError(f"{self.directory}: the scan cache directory is not writable")

    def entry_path(self, root: Path) -> Path:
        return self._entry_path(str(root.resolve()))

    def _entry_path(self, top: str) -> Path:
        key = hashlib.sha256(os.fsencode(top)).hexdigest()
        return self.base / key[:2] / f"{key}.json"

    def lookup(self, root: Path, fp: str) -> Lookup:
        path = self.entry_path(root)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return Lookup(None, "miss", "not cached")
        except OSError as exc:
            return Lookup(None, "miss", f"cache entry unreadable ({exc.strerror})")
        try:
            parts = _split(raw)
            if parts is None:
                raise ValueError("hash mismatch")
            entry = json.loads(parts[0])
            if entry["format"] != FORMAT or entry["root"] != str(root.resolve()):
                raise ValueError("not an entry for this repository")
            snap = entry["snapshot"]
            result = _decode(json.loads(parts[1]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            path.unlink(missing_ok=True)
            return Lookup(None, "corrupt", f"corrupt cache entry discarded ({str(exc).splitlines()[0][:80]})")
        if entry["fingerprint"] != fp:
            return Lookup(None, "miss", "detector set or catalog changed")
        try:
            why = changed(root, snap)
        except (KeyError, TypeError, AttributeError, ValueError):
            path.unlink(missing_ok=True)
            return Lookup(None, "corrupt", "corrupt cache entry discarded (bad snapshot)")
        if why:
            return Lookup(None, "miss", why)
        return Lookup(result, "hit", snapshot=snap)

    def reuse(self, root: Path, key: str) -> tuple[dict, bytes] | None:
        """The rendered output a run with output key `key` left for the repository at `root`
        (named by that same path), when nothing it depends on has changed; else None, and a
        worker takes the repository (and tells a miss from a corrupt entry, which it discards).
        Reads one file and checks the snapshot: no scan, no scoring, no rendering."""
        try:
            top = str(root.resolve())
            raw = self._entry_path(top).read_bytes()
        except (OSError, RuntimeError):
            return None
        parts = _split(raw)
        if parts is None:
            return None
        try:
            meta = json.loads(parts[0])
            out = meta["output"]
            if not out or meta["format"] != FORMAT or meta["root"] != top or out["key"] != key or out["path"] != str(root):
                return None
            if changed(root, meta["snapshot"]) is not None or config_hash(root) != out["config"]:
                return None
            out["row"]["name"]  # noqa: B018  (a row without a name is no row)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        return out, parts[2]

    def store(self, root: Path, fp: str, snap: dict, result: SourceResult, output: dict | None = None, text: bytes = b"") -> None:
        """Write the entry atomically. A cache that cannot be written is not an error for the
        scan: the next run just scans again."""
        meta = {"format": FORMAT, "root": str(root.resolve()), "fingerprint": fp, "snapshot": snap, "output": output}
        parts = [json.dumps(meta, separators=(",", ":"), ensure_ascii=False).encode(), json.dumps(_encode(result), separators=(",", ":"), ensure_ascii=False).encode()]
        body = b"\n".join(parts) + b"\n" + (text if output is not None else b"")
        path = self.entry_path(root)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass


class CachedScan:
    """The scan of one repository through the cache. Satisfies `sources.base.Source`.

    `outcome` tells afterwards what happened: "hit" (not read), "miss" or "corrupt" (read,
    with `reason`), "off" (no cache). Only complete scans (status ok) are stored, by `finish`
    once the run knows its output: a partial one (an unreadable directory, a detector error)
    may have a cause the snapshot cannot see.
    """

    name = "scan"

    def __init__(self, path: Path, cache: ScanCache | None, *, jobs: int = 1, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> None:
        self.path = Path(path)
        self.cache = cache
        self.jobs = jobs
        self.max_file_bytes = max_file_bytes
        self.outcome = "off"
        self.reason = ""
        self._keep: tuple[str, dict, SourceResult] | None = None  # fingerprint, snapshot, result

    def collect(self, catalog: PracticeCatalog) -> SourceResult:
        from ..sources.scan import ScanSource

        scan = ScanSource([self.path], jobs=self.jobs, max_file_bytes=self.max_file_bytes)
        if self.cache is None:
            return scan.collect(catalog)
        fp = fingerprint(catalog, self.max_file_bytes)
        found = self.cache.lookup(self.path, fp)
        self.outcome, self.reason = found.outcome, found.reason
        if found.result is not None:
            r = found.result
            self._keep = (fp, found.snapshot or {}, r)
            commit = next(iter(r.subject.get("commits", {}).values()), None)
            # The same repository may be named by another path this time.
            subject = {**r.subject, "paths": [str(self.path)], "commits": {str(self.path): commit}}
            return SourceResult(run=r.run, observations=r.observations, subject=subject)
        snap = take_snapshot(self.path)
        result = scan.collect(catalog)
        if result.run.status == "ok":
            self._keep = (fp, snap, result)
        return result

    def finish(self, output: dict | None = None, text: bytes = b"") -> None:
        """Store the entry: after a complete scan, and after a hit when this run's rendered
        output (`output`, see the entry layout above) is to be kept for the next run."""
        if self.cache is None or self._keep is None or (self.outcome == "hit" and output is None):
            return
        fp, snap, result = self._keep
        self.cache.store(self.path, fp, snap, result, output, text)
