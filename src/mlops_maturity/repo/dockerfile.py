"""Dockerfiles / Containerfiles as instructions with their first line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..util.lazyre import lazy_re

# `dockerfile`: the lower-case name `docker build` falls back to when there is no Dockerfile.
_NAME = lazy_re(r"(^|/)(Dockerfile|Containerfile)([.\w-]*)$|(^|/)[\w.-]+\.(dockerfile|Dockerfile)$|(^|/)dockerfile$")


def is_dockerfile(rel: str) -> bool:
    if "ockerfile" not in rel and "ontainerfile" not in rel:  # the common answer, without the regex
        return False
    return _NAME.search(rel) is not None


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper-case: FROM, RUN, COPY, CMD, ENTRYPOINT, ...
    args: str  # continuation lines joined
    line: int  # line of the keyword


def parse_dockerfile(text: str) -> list[Instruction]:
    out: list[Instruction] = []
    lines = text.splitlines()
    escape = "\\"
    m = re.match(r"#\s*escape\s*=\s*(\S)", lines[0]) if lines else None
    if m:
        escape = m.group(1)
    i = 0
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if not s or s.startswith("#"):
            i += 1
            continue
        start = i + 1
        parts = [s]
        while parts[-1].endswith(escape) and i + 1 < len(lines):
            parts[-1] = parts[-1][:-1]
            i += 1
            nxt = lines[i].strip()
            if nxt.startswith("#"):
                parts.append(escape)  # comment lines inside a continuation are dropped
                continue
            parts.append(nxt)
        i += 1
        joined = re.sub(r"\s+", " ", " ".join(p for p in parts if p != escape)).strip()
        kw, _, args = joined.partition(" ")
        if re.fullmatch(r"[A-Za-z]+", kw):
            out.append(Instruction(kw.upper(), args.strip(), start))
    return out
