"""Small text helpers shared by the parsers and the detectors."""

from __future__ import annotations

import re

from ..util.lazyre import lazy_re

SNIPPET_MAX = 120


def snippet(line: str, limit: int = SNIPPET_MAX) -> str:
    """A source line as evidence: stripped, and truncated with an ellipsis."""
    s = line.strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


def line_of_offset(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1


def find_line(lines: list[str], needle: str, start: int = 0) -> int | None:
    """1-based line of the first line (from 0-based `start`) containing `needle`."""
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i + 1
    return None


_MD_HEADING = lazy_re(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_RST_UNDERLINE = lazy_re(r"^([=\-~^\"'`#*+:.])\1{2,}\s*$")


def headings(lines: list[str]) -> list[tuple[int, str]]:
    """Markdown (ATX and setext) and reStructuredText headings as (line, text)."""
    out: list[tuple[int, str]] = []
    in_code = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            continue
        m = _MD_HEADING.match(line)
        if m:
            out.append((i + 1, m.group(2)))
            continue
        if i > 0 and _RST_UNDERLINE.match(line) and lines[i - 1].strip():
            prev = lines[i - 1].strip()
            if not _RST_UNDERLINE.match(prev) and len(line.strip()) >= min(len(prev), 3):
                out.append((i, prev))
    html = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.I)
    for i, line in enumerate(lines):
        for m in html.finditer(line):
            out.append((i + 1, re.sub(r"<[^>]+>", "", m.group(1)).strip()))
    out.sort()
    return out
