"""An injection corpus through every report: each payload is put where a repository, an answers
file or a user writes (file paths, snippets, skipped-file names, answer notes, exemption reasons,
the project name). In the HTML report, its radar SVG, the badge and the Markdown report (rendered
to HTML as a forge would, raw HTML allowed) no element, handler or URL comes from a payload; in
the terminal report no escape sequence, control or bidirectional-override character does."""

from __future__ import annotations

import html.parser
import re

import pytest
import reporter_samples
from markdown_it import MarkdownIt

from mlops_maturity.reporters import badge, html as html_report, markdown, terminal

MARK = "pwn3d"
CORPUS = [
    f"<script>document.title='{MARK}'</script>",
    f"<img src=x onerror=\"document.title='{MARK}'\">",
    f"\"><svg/onload=alert('{MARK}')>",
    f"'><iframe srcdoc='<script>{MARK}</script>'>",
    f"</title></style></textarea><script>{MARK}</script>",
    f"<a href=\"javascript:alert('{MARK}')\">x</a>",
    f"[click](javascript:alert('{MARK}')) ![i](x \"{MARK}\" onerror=alert(1))",
    f"]]><![CDATA[<script>{MARK}</script>]]>",
    f"{{{{7*7}}}}{{% print('{MARK}') %}}",
    f"<math><mtext><table><mglyph><style><img src=x onerror=alert('{MARK}')>",
    f"\x1b[31m{MARK}\x1b[0m\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07\x1b[2J",
    f"ok\r{MARK}\x08\x07\x9b31m",
    f"\u202e{MARK}txt.exe\u2066",
]

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


class _Elements(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def assert_inert(markup: str, where: str) -> None:
    parser = _Elements()
    parser.feed(markup)
    for tag, attrs in parser.tags:
        assert tag not in ("iframe", "math", "mglyph", "object", "embed"), f"{where}: <{tag}> from a payload"
        if tag == "script":
            assert ("src", None) not in attrs
        for name, value in attrs:
            assert not name.startswith("on"), f"{where}: <{tag} {name}={value!r}>"
            assert MARK not in (value or "") or name in ("title", "alt", "aria-label", "data-path", "value"), f"{where}: <{tag} {name}={value!r}>"
            if name in ("href", "src", "xlink:href", "action", "formaction"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:text/html")), f"{where}: {name}={value!r}"
    assert not any(MARK in s for s in parser.scripts), f"{where}: a payload inside <script>"


@pytest.fixture(params=range(len(CORPUS)), ids=lambda i: f"payload{i}")
def corpus_result(request, fw, catalog, monkeypatch):
    payload = CORPUS[request.param]
    monkeypatch.setattr(reporter_samples, "XSS_SCRIPT", payload)
    monkeypatch.setattr(reporter_samples, "XSS_IMG", payload)
    monkeypatch.setattr(reporter_samples, "XSS_PATH", f"src/{payload}/train.py")
    monkeypatch.setattr(reporter_samples, "XSS_NOTE", f"note {payload}")
    result = reporter_samples.build_result(fw, catalog, hostile=True)
    previous = reporter_samples.build_result(fw, catalog, previous=True)
    return payload, result, previous


def test_html_report_and_radar_keep_payloads_as_text(corpus_result):
    payload, result, previous = corpus_result
    page = html_report.render(result, previous=previous)
    assert MARK in page, "the payload must reach the report (as text)"
    assert_inert(page, "html report")
    for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S):
        assert_inert(svg, "radar svg")


def test_badge_keeps_payloads_as_text(corpus_result):
    payload, result, _ = corpus_result
    svg = badge.render(result, label=payload)
    assert_inert(svg, "badge")
    assert "<script" not in svg.lower() or "&lt;script" in svg.lower()


def test_markdown_report_renders_payloads_as_text(corpus_result):
    payload, result, previous = corpus_result
    text = markdown.render(result, previous=previous)
    assert MARK in text
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert_inert(rendered, "markdown")
    assert "\x1b" not in text and not _BIDI.search(text)


@pytest.mark.parametrize("color", [False, True], ids=["plain", "color"])
def test_terminal_report_never_passes_escapes_or_controls_through(corpus_result, color):
    payload, result, previous = corpus_result
    out = terminal.render(result, previous=previous, verbose=True, color=color)
    assert MARK in out
    if not color:
        assert "\x1b" not in out
    # Whatever Rich adds itself, nothing of the payload's own sequences survives.
    for seq in ("\x1b[31m" + MARK, "\x1b]8;;https://evil", "\x1b[2J", "\r" + MARK, "\x07", "\x08", "\x9b"):
        assert seq not in out, repr(seq)
    assert not _BIDI.search(out), "a bidirectional override reached the terminal"
