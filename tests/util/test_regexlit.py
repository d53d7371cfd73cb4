"""Literals derived from a regex are a sound pre-filter: every match contains one of them."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_maturity.sources.scan import registry
from mlops_maturity.util.regexlit import required_literals


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
