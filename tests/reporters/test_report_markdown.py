"""Markdown for PR comments and job summaries: the table, the order, the escaping, the size."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from reporter_samples import XSS_NOTE

from mlops_maturity.model.evidence import Evidence
from mlops_maturity.reporters import markdown, render


def to_html(text: str) -> str:
    """Render as GitHub would (CommonMark + tables, inline HTML allowed) to see what a reader gets."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def table_rows(text: str, header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_summary_table_overall_and_sections(sample):
    text = render(sample, "markdown")
    assert text.startswith("### MLOps maturity: acme/recsys-platform\n")
    assert "**Overall level 2 — Automated Training** · mean 2.5 · weakest: Data management, Monitoring and observability, Governance and compliance (2)" in text
    rows = table_rows(text, "| Dimension | Level | Progress to next | Next step |")
    assert [r[0] for r in rows] == [d.name for d in sample.dimensions]
    data = rows[0]
    assert data[1] == "**2** Automated Training"
    assert data[2] == "`░░░░░░░░░░` 0% → 3 (target 4)"
    assert data[3] == "Features are defined once and used by both training and serving, through a feature store or equivalent."
    deploy = rows[2]
    assert deploy[2].startswith("`█████░░░░░` 50% → 4")
    assert "#### Pitfalls" in text and text.count("- ⚠️ **") == len(sample.pitfalls)
    assert "<details><summary>Criteria and evidence</summary>" in text and text.rstrip().endswith("</sub>")
    # evidence as path:line with the snippet, inside the collapsed part
    details = text[text.index("<details>") :]
    assert '- `src/recsys/train.py:42` `mlflow.log_metric("ndcg_at_10", ndcg)` — calls mlflow.log\\_metric' in details
    html = to_html(text)
    assert html.count("<tr>") == 1 + len(sample.dimensions) + 1 + 5  # two tables with their header rows


def test_roadmap_top_five_in_priority_order(sample):
    shuffled = sample.model_copy(update={"roadmap": tuple(reversed(sample.roadmap))})
    text = render(shuffled, "markdown")
    assert f"#### Roadmap (top 5 of {len(sample.roadmap)})" in text
    rows = table_rows(text, "| # | Dimension | Step | Action | Effort |")
    expected = sorted(sample.roadmap, key=lambda i: i.priority)[:5]
    assert [r[0] for r in rows] == [str(i.priority) for i in expected]
    assert rows[0][2] == f"{expected[0].from_level} → {expected[0].to_level}"


def test_previous_adds_a_change_column(sample, sample_previous):
    text = render(sample, "markdown", previous=sample_previous)
    rows = table_rows(text, "| Dimension | Level | Change | Progress to next | Next step |")
    assert [r[2] for r in rows] == ["+1", "+2", "+1", "±0", "±0", "±0"]
    assert "(unchanged since 14 Aug 2026)" in text


def test_escaping_of_repository_and_answer_strings(hostile):
    text = render(hostile, "markdown")
    html = to_html(text)
    # nothing becomes markup: no element from the payload, no broken table
    assert "<script" not in html and not re.search(r"<img\b", html)
    assert "&lt;script&gt;" in html
    rows = table_rows(text, "| Dimension | Level | Progress to next | Next step |")
    assert all(len(r) == 4 for r in rows)
    # the note with pipes and backticks stays one line of text
    note = next(line for line in text.splitlines() if "answered 2 by" in line and "pipes" in line)
    assert "\\| pipes \\|" in note and "\\`ticks\\`" in note and "&lt;script&gt;" in note
    assert XSS_NOTE not in text
    # a hostile path with a backtick and a pipe stays inside its code span
    assert "``src/<img src=x onerror=\"document.title='pwned'\">|`train`.py:42``" in text


def test_md_and_code_escapers():
    assert markdown.md("a|b <i>x</i> `y` *z* [l](u) & _u_") == r"a\|b &lt;i&gt;x&lt;/i&gt; \`y\` \*z\* \[l\](u) &amp; \_u\_"
    assert markdown.md("ping @acme/recsys, mail lead@example.com") == "ping @\u2060acme/recsys, mail lead@example.com"
    assert markdown.md("line\nbreak\x1b[31m") == "line break?\\[31m"
    assert markdown.code("a `b` c") == "``a `b` c``"
    assert markdown.code("`x`") == "`` `x` ``"


def test_stays_under_githubs_comment_limit(sample):
    many = tuple(Evidence(path=f"src/m{i}.py", line=i + 1, snippet="x" * 90, detector="d", message="m" * 100) for i in range(3000))
    practices = tuple(p.model_copy(update={"evidence": many}) if p.evidence else p for p in sample.practices)
    big = sample.model_copy(update={"practices": practices})
    text = render(big, "markdown")
    assert len(text) <= markdown.MAX_CHARS
    assert "| Dimension | Level |" in text
