"""A JSON cache of the built-in detector spec files as parsed, so a run skips the YAML parse.

Reading the shipped spec files costs a YAML parse of ~100 KB (~20 ms) and deriving the literal
pre-filter of every `pattern` (util/regexlit.py, ~20 ms), each run, for the same result each
time. The cache keeps both: the spec files' data (plain JSON, the detector list's item lines
beside it) and each pattern's literals. It is a cache, never an input that can differ:

- its key hashes the spec files' text, the package version, the Python version (the regex
  parser the literals come from) and the source of the code that parses YAML and derives
  literals, so any change there misses it;
- the data is validated as on a miss (same DetectorSpec validation, same errors);
- data is cached only if JSON gives it back equal (no tuple, int key or date changed in
  transit), and only for spec files without errors;
- it is JSON (never pickle), written to a temporary file then renamed, and ignored when
  unreadable, corrupt or of another key; failing to write it is not an error.

It lives in the user cache directory (`detector-specs.json`), or at the path in
$MLOPS_MATURITY_SPEC_CACHE; an empty value there turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 3  # 3: per detector, literals(), alternative_literals(), then the other clauses
ENV_VAR = "MLOPS_MATURITY_SPEC_CACHE"
FILE_NAME = "detector-specs.json"


def cache_file() -> Path | None:
    """Where the cache lives, or None when it is turned off."""
    env = os.environ.get(ENV_VAR)
    if env is not None:
        return Path(env) if env else None
    try:
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("mlops-maturity", appauthor=False)) / FILE_NAME
    except Exception:  # noqa: BLE001  (no cache directory: no cache)
        return None


def _code_sources() -> list[bytes]:
    """The source of the code whose output is cached; raises OSError if it cannot be read."""
    from ...util import regexlit, yamlsafe
    from . import spec

    return [Path(m.__file__ or "").read_bytes() for m in (yamlsafe, regexlit, spec)]


def cache_key(texts: list[tuple[str, str]]) -> str | None:
    """The key for these (file name, text) spec files, or None if it cannot be made."""
    from ... import __version__

    try:
        code = _code_sources()
    except OSError:
        return None
    h = hashlib.sha256()
    head = json.dumps([FORMAT, __version__, list(sys.version_info[:3]), sys.implementation.name])
    for part in (head.encode(), *code):
        h.update(len(part).to_bytes(8, "little") + part)
    for name, text in texts:
        for part in (name.encode(), text.encode("utf-8", "surrogatepass")):
            h.update(len(part).to_bytes(8, "little") + part)
    return h.hexdigest()


def read(path: Path, key: str) -> dict[str, Any] | None:
    """The cached entry for `key`: {"files": {name: {"data", "item_lines"}}, "literals":
    {name: [[literals, alternatives' literals, *other clauses] or None per detector]}}, or None (missing, corrupt, another key)."""
    try:
        got = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(got, dict) or got.get("key") != key or got.get("format") != FORMAT:
        return None
    files, lits = got.get("files"), got.get("literals")
    if not isinstance(files, dict) or not isinstance(lits, dict):
        return None
    for name, entry in files.items():
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("data"), dict)
            and isinstance(entry["data"].get("detectors"), list)
            and isinstance(entry.get("item_lines"), list)
            and isinstance(lits.get(name), list)
            and len(lits[name]) == len(entry["data"]["detectors"])
            and all(x is None or (isinstance(x, list) and all(isinstance(c, list) and all(isinstance(s, str) for s in c) for c in x)) for x in lits[name])
        ):
            return None
    return {"files": files, "literals": lits}


def faithful(value: Any) -> bool:
    """Whether JSON gives `value` back equal (and with the same types)."""
    try:
        back = json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError, RecursionError):
        return False
    return _same(value, back)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def write(path: Path, key: str, files: dict[str, Any], literals: dict[str, list[list[list[str]] | None]]) -> None:
    """Store the entry atomically (temporary file, then rename); errors are ignored."""
    text = json.dumps({"format": FORMAT, "key": key, "files": files, "literals": literals}, separators=(",", ":"))
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
