""".gitignore matching for the non-git walk, fast enough to run on every path.

Semantics follow gitignore(5): blank lines and `#` comments are skipped, `!` negates, a
trailing `/` matches directories only, a pattern with a `/` other than a trailing one is
anchored to the .gitignore's directory, otherwise it matches a name at any depth; `*`, `?`,
`[...]` stay within a component and `**` spans components. The last matching pattern wins.
An ignored directory is not descended into, so its contents need no check.

Why not pathspec alone: its per-pattern regexes start with `^(?:.+/)?`, which backtracks, and
evaluating every pattern in Python for every file cost more than reading the files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _translate(glob: str) -> str:
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("/**", i) and i + 3 == n:
            out.append("/.*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = glob.find("]", i + 2)
            if j == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = glob[i + 1 : j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j + 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class _Rule:
    rx: re.Pattern[str]
    negate: bool
    dir_only: bool
    on_name: bool  # matched against the last component; else against the relative path


class GitIgnore:
    """The rules of one .gitignore file, matched against paths relative to its directory."""

    def __init__(self, lines: list[str]) -> None:
        rules: list[_Rule] = []
        quick_name: list[str] = []
        quick_path: list[str] = []
        for raw in lines:
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            # trailing spaces are ignored unless escaped
            while line.endswith(" ") and not line.endswith("\\ "):
                line = line[:-1]
            negate = line.startswith("!")
            if negate:
                line = line[1:]
            elif line.startswith("\\!") or line.startswith("\\#"):
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            if not line:
                continue
            anchored = "/" in line
            line = line.lstrip("/")
            try:
                body = _translate(line)
                rx = re.compile(f"(?:{body})\\Z")
            except re.error:
                continue
            rules.append(_Rule(rx, negate, dir_only, not anchored))
            if not negate:
                (quick_name if not anchored else quick_path).append(body)
        self.rules = tuple(rules)
        self._quick_name = re.compile("(?:" + "|".join(quick_name) + ")\\Z") if quick_name else None
        self._quick_path = re.compile("(?:" + "|".join(quick_path) + ")\\Z") if quick_path else None

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """Whether `rel` (relative to this file's directory, no trailing slash) is ignored."""
        name = rel.rsplit("/", 1)[-1]
        if not (
            (self._quick_name is not None and self._quick_name.match(name))
            or (self._quick_path is not None and self._quick_path.match(rel))
        ):
            return False
        result = False
        for r in self.rules:
            if r.dir_only and not is_dir:
                continue
            if r.rx.match(name if r.on_name else rel):
                result = not r.negate
        return result
