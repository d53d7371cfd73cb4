"""Literals derived from a regex are a sound pre-filter: every match contains one of them."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_maturity.sources.scan import registry
from mlops_maturity.util.regexlit import required_clauses, required_literals


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"mlflow\s+models\s+serve\b|tritonserver\s+--model-(repository|store)", ("--model-repository", "--model-store", "mlflow")),
        (r"(abc)+x?", ("abc",)),
        (r"kind:\s*(CronJob|CronWorkflow)", ("CronJob", "CronWorkflow")),
        (r"from\s+great_expectations", ("great_expectations",)),
    ],
)
def test_derived_literals(pattern, expected):
    assert required_literals(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"a|bcd",  # a branch with only a short literal
        r"(?i)tritonserver",  # case-insensitive: a case-sensitive search would miss matches
        r"(abc)?def|xyz?",  # the optional group requires nothing, `xy` is too short
        r"\w+\s*:",  # no literal at all
        r"(abc)*",  # zero repeats match the empty string
        r"(",  # not a regex
    ],
)
def test_nothing_derived_where_a_match_needs_no_literal(pattern):
    assert required_literals(pattern) is None


def _content_patterns():
    out = []
    for det in registry.detectors():
        if det.kind == "content" and not det.retired and det.literals():
            out.append((det.id, det.regex(), det.literals()))
    return out


PATTERNS = _content_patterns()


def test_most_content_detectors_get_a_derived_prefilter():
    content = [d for d in registry.detectors() if d.kind == "content" and not d.retired]
    assert len(PATTERNS) >= 0.8 * len(content)


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_every_match_of_every_detector_pattern_contains_a_derived_literal(data):
    det_id, rx, lits = data.draw(st.sampled_from(PATTERNS), label="detector")
    text = data.draw(st.from_regex(rx, fullmatch=False), label="text")
    for m in rx.finditer(text):
        assert any(x in m.group(0) for x in lits), (det_id, m.group(0), lits)


def _clause_patterns():
    return [(d.id, d.regex(), d.clauses()) for d in registry.detectors()
            if d.kind == "content" and not d.retired and len(d.clauses()) > 1]


CLAUSE_PATTERNS = _clause_patterns()


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"task:\s*(CredScan|trivy)@", (("CredScan@", "trivy@"), ("task:",))),
        (r"(?s)(^kind:\s*Workflow\b|pipelineInfo)(?=.*\btrain)", (("Workflow", "pipelineInfo"), ("train",))),
        (r"abc(?!def)", (("abc",),)),  # a negative lookahead requires nothing
        (r"(?i)abc", ()),
    ],
)
def test_derived_clauses(pattern, expected):
    assert required_clauses(pattern) == expected


def test_several_content_detectors_get_more_than_one_clause():
    assert len(CLAUSE_PATTERNS) >= 10


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_every_text_with_a_match_contains_one_literal_of_every_clause(data):
    det_id, rx, clauses = data.draw(st.sampled_from(CLAUSE_PATTERNS), label="detector")
    text = data.draw(st.from_regex(rx, fullmatch=False), label="text")
    if rx.search(text):
        for clause in clauses:
            assert any(x in text for x in clause), (det_id, text, clause)


# -- one alternative at a time ------------------------------------------------------------------

from mlops_maturity.util.regexlit import SplitSearch, alternative_literals, split_alternatives  # noqa: E402


@pytest.mark.parametrize(
    ("pattern", "parts"),
    [
        (r"a|b(c|d)|[|]x|\|y", ["a", "b(c|d)", "[|]x", r"\|y"]),
        (r"[]|]z|w", ["[]|]z", "w"]),
        (r"[^]|]z|w", ["[^]|]z", "w"]),
        (r"(a|b)", None),
        (r"(a)|\1", None),  # a backreference ties the alternatives together
    ],
)
def test_split_alternatives(pattern, parts):
    assert split_alternatives(pattern) == parts


@pytest.mark.parametrize("pattern", [r"kind: CronJob|Cron\w+|apiVersion", r"Cron|CronJob\w*|kind"])
def test_split_search_keeps_leftmost_then_first_alternative(pattern):
    rx = re.compile(pattern)
    ss = SplitSearch(rx)
    assert ss.alts is not None
    for text in ["x apiVersion: v1\nkind: CronJob", "kind: CronJob", "CronWorkflow then kind: CronJob", "CronJobs", "none"]:
        a, b = rx.search(text), ss.search(text)
        assert (a is None and b is None) or (a.span() == b.span() and a.group(0) == b.group(0))


SPLIT = [(d.id, d.regex()) for d in registry.detectors() if d.kind == "content" and not d.retired and SplitSearch(d.regex()).alts]


def test_some_detector_patterns_are_searched_split():
    assert len(SPLIT) >= 5


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_split_search_finds_the_same_match_as_the_pattern(data):
    det_id, rx = data.draw(st.sampled_from(SPLIT), label="detector")
    pieces = data.draw(st.lists(st.one_of(st.from_regex(rx, fullmatch=True), st.text(max_size=12)), min_size=1, max_size=4))
    text = "\n".join(pieces)
    a, b = rx.search(text), SplitSearch(rx).search(text)
    assert (a is None) == (b is None), det_id
    if a is not None:
        assert (a.span(), a.group(0)) == (b.span(), b.group(0)), det_id


SPLIT_SPECS = [d for d in registry.detectors() if d.kind == "content" and not d.retired and SplitSearch(d.regex()).alts]


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_split_search_told_which_literals_occur_finds_the_same_match(data):
    det = data.draw(st.sampled_from(SPLIT_SPECS), label="detector")
    rx = det.regex()
    pieces = data.draw(st.lists(st.one_of(st.from_regex(rx, fullmatch=True), st.text(max_size=12)), min_size=1, max_size=4))
    text = "\n".join(pieces)
    present = frozenset(x for x in det.alternative_literals() if x in text)
    a, b = rx.search(text), det.search(text, present)
    assert (a is None) == (b is None), det.id
    if a is not None:
        assert (a.span(), a.group(0)) == (b.span(), b.group(0)), det.id


def test_an_alternative_whose_literals_are_absent_is_skipped():
    rx = re.compile(r"tritonserver --model-repository|mlflow models serve")
    ss = SplitSearch(rx)
    text = "mlflow models serve -m x"
    assert ss.search(text, frozenset({"mlflow models serve"})).group(0) == "mlflow models serve"
    # Told (wrongly) that no literal occurs, it searches nothing: the skip is real.
    assert ss.search(text, frozenset()) is None


def test_alternative_literals_follow_the_patterns_inline_flags():
    assert alternative_literals(r"(?i)abc|def") == (None, None)
    assert alternative_literals(r"abc|de") == (("abc",), None)
