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


# -- project templates: configuration files written in a template language ---------------------
#
# A copier / cookiecutter (Jinja) or Databricks bundle (Go template) project keeps template
# syntax in its YAML: block tags on their own lines (`{{ if .x }}`, `{%- if x %}`), values that
# start with an expression (`name: {{ .project }}-job`), both branches of an if / else. Such a
# file does not parse as YAML. Read as the project it renders to, the first branch of each
# conditional is kept, tags are dropped and expressions become plain words; newlines are kept,
# so line numbers stay those of the file. GitHub's own `${{ ... }}` expressions are left alone.
_TEMPLATE_TOKEN = lazy_re(
    r"\{\{-?\s*`(?P<raw>[^`]*)`\s*-?\}\}"                      # Go raw string: its content, verbatim
    r"|\{%-?\s*(?P<stmt>\w+)?[^%]*?-?%\}"                      # Jinja statement
    r"|\{#.*?#\}|\{\{-?\s*/\*.*?\*/\s*-?\}\}"                      # Jinja / Go comment
    r"|(?<!\$)\{\{-?\s*\.?(?P<expr>[A-Za-z_]\w*)?[^\n]*?-?\}\}",  # expression or Go action
    re.S,
)
_OPENERS = frozenset({"if", "range", "with", "define", "block", "for", "macro", "call", "filter", "raw"})
_BRANCHES = frozenset({"else", "elif"})


def _alone_on_line(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return not text[line_start:start].strip() and not text[end:line_end if line_end >= 0 else len(text)].strip()


def untemplate(text: str) -> str | None:
    """`text` rendered with the first branch of every conditional, or None when it has no
    template markers."""
    if "{{" not in text and "{%" not in text:
        return None
    out: list[str] = []
    frames: list[bool] = []  # per open block: is its current branch skipped?
    pos = 0
    for m in _TEMPLATE_TOKEN.finditer(text):
        chunk = text[pos:m.start()]
        out.append(chunk if not any(frames) else "\n" * chunk.count("\n"))
        pos = m.end()
        token = m.group(0)
        word = m.group("stmt") or (m.group("expr") if token.startswith("{{") and m.group("raw") is None else None)
        keyword = (word or "").lower()
        is_tag = token.startswith("{%") or keyword in _OPENERS | _BRANCHES | {"end"}
        if keyword in _OPENERS and is_tag:
            # A definition's body (Go define, a Jinja macro) renders where it is used, not here.
            frames.append(keyword in ("define", "macro"))
        elif keyword == "set" and token.startswith("{%") and "=" not in token:
            frames.append(True)  # a Jinja block set: its body is captured, not rendered
        elif keyword in _BRANCHES and frames:
            frames[-1] = True
        elif (keyword == "end" or keyword.startswith("end") and keyword[3:] in _OPENERS | {"set"}) and is_tag and frames:
            frames.pop()
        elif not is_tag and not any(frames):
            if m.group("raw") is not None:
                out.append(m.group("raw"))
            elif not token.startswith("{#") and "/*" not in token and not _alone_on_line(text, m.start(), m.end()):
                # An action alone on its line (`{{ $x := .y }}`) renders to nothing there.
                out.append(m.group("expr") or "tpl_value")
        out.append("\n" * token.count("\n"))
    tail = text[pos:]
    out.append(tail if not any(frames) else "\n" * tail.count("\n"))
    return "".join(out)
