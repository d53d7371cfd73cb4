"""The HTML report as text: self-contained, escaped, complete, deterministic."""

from __future__ import annotations

import re

from reporter_samples import XSS_IMG, XSS_NOTE, XSS_SCRIPT

from mlops_maturity.model.result import Result
from mlops_maturity.reporters import html, render
from mlops_maturity.reporters.templating import environment


def test_every_template_is_autoescaped_including_svg():
    env = environment()
    names = env.list_templates()
    assert {"report.html", "radar.svg"} <= set(names)
    for name in names:
        on = env.autoescape(name) if callable(env.autoescape) else env.autoescape
        assert on is True, name
    # and it really escapes in an .svg template
    assert "&lt;b&gt;" in env.from_string("{{ x }}").render(x="<b>")


def test_html_is_self_contained(sample, sample_previous):
    page = render(sample, "html", previous=sample_previous)
    assert page.startswith("<!doctype html>")
    assert "<script" not in page
    # nothing is fetched: no src/href/url() except in-page anchors and data: URIs
    for attr in re.findall(r'\b(?:src|href|xlink:href|action)="([^"]*)"', page):
        assert attr.startswith(("#", "data:")), attr
    for url in re.findall(r"url\(([^)]*)\)", page):
        assert url.strip("'\"").startswith(("#", "data:")), url
    assert "@import" not in page
    assert "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'" in page


def test_header_radar_ladder_and_sections(sample):
    page = render(sample, "html")
    assert "<h1>acme/recsys-platform</h1>" in page
    assert "20 Nov 2026, 09:30 UTC" in page
    assert '<div class="num lv2">2</div>' in page and "Automated Training" in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="radar"') == 1
    assert page.count('<circle class="dot') == 6
    assert 'class="shape-previous"' not in page
    assert 'class="shape-target"' in page  # the subject has a stage, so targets are drawn
    for d in sample.dimensions:
        assert f'id="dim-{d.id}"' in page
    assert page.count('<details class="crit') == sum(len(d.criteria) for d in sample.dimensions)
    # evidence is grouped by file with its line and snippet
    assert '<span class="path">src/recsys/train.py</span>' in page
    assert '<span class="ln">42</span><span><code>mlflow.log_metric(&#34;ndcg_at_10&#34;, ndcg)</code>' in page
    # a tool declared but unused is cited at its location
    assert "Declared as a dependency at <code>pyproject.toml:21</code>" in page
    # exemption with its reason, pitfalls, sources and skipped files
    assert "no model here is trained on tabular data about people" in page
    for p in sample.pitfalls:
        assert f'<span class="pid">{p.id}' in page
    assert "Source mlflow failed" in page
    assert "3 skipped files and why" in page
    assert "<code>data/train.parquet</code>" in page


def test_previous_assessment_is_overlaid(sample, sample_previous):
    page = render(sample, "html", previous=sample_previous)
    assert page.count('class="shape-previous"') == 1
    assert "Changes since 14 Aug 2026" in page
    assert "(was 1)" in page  # a radar label of a dimension that moved


def test_roadmap_in_priority_order_even_if_stored_shuffled(sample):
    shuffled = sample.model_copy(update={"roadmap": tuple(reversed(sample.roadmap))})
    page = render(shuffled, "html")
    table = page[page.index('<table class="roadmap">') :]
    positions = [table.index(f'<span class="cid mono muted small">{i.criterion}</span>') for i in sorted(sample.roadmap, key=lambda i: i.priority)]
    assert positions == sorted(positions)
    prios = re.findall(r'<td class="prio">(\d+)</td>', table)
    assert prios == [str(i.priority) for i in sorted(sample.roadmap, key=lambda i: i.priority)]


def test_hostile_strings_are_text(hostile):
    page = render(hostile, "html")
    assert "<script" not in page
    assert "onerror=" not in page.replace("onerror=&#34;", "")  # only ever inside escaped text
    assert not re.search(r"<img\b", page)
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in page  # subject, snippet, note
    assert "&lt;img src=x onerror=&#34;document.title=&#39;pwned&#39;&#34;&gt;" in page  # path, reason
    # the escaped payload is where it belongs: the evidence path and the answer note
    assert XSS_IMG not in page and XSS_SCRIPT not in page and XSS_NOTE not in page


def test_rerendering_a_stored_result_is_identical(sample, sample_previous, validate_result):
    stored = sample.model_dump_json()
    validate_result(stored)
    again = Result.model_validate_json(stored)
    assert render(again, "html", previous=sample_previous) == render(sample, "html", previous=sample_previous)


def test_radar_geometry_puts_levels_on_rings(sample):
    geo = html.radar(sample, None, 5)
    first = sample.dimensions[0]
    x, y, _ = geo["dots"][0]
    assert x == geo["cx"]  # the first axis points up
    assert round(geo["cy"] - y, 1) == round(150 * first.level / 5, 1)
