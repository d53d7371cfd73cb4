"""The ML Test Score as a second, points-scored framework: 28 tests in four sections of seven,
0 / 0.5 / 1 per test, section = sum, final = minimum of the sections, the paper's bands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mlops_maturity.framework.load import FrameworkError, default_catalog, load_framework, resolve
from mlops_maturity.model.evidence import Answer
from mlops_maturity.scoring import Inputs, score


@pytest.fixture(scope="module")
def mts():
    return load_framework("ml-test-score", default_catalog())


def test_28_tests_in_four_sections_of_seven(mts):
    assert mts.scoring == "points" and mts.aggregation.method == "minimum_score"
    assert [d.id for d in mts.dimensions] == ["data", "model", "infra", "monitor"]
    assert len(mts.active_criteria()) == 28
    for d in mts.dimensions:
        tests = [c for c in mts.active_criteria() if c.dimension == d.id]
        assert len(tests) == 7, d.id
        # numbered 1..7 within the section, as in the paper
        assert sorted(int(c.id.split(".")[1].split("-")[0]) for c in tests) == list(range(1, 8))
    for c in mts.active_criteria():
        assert c.level is None and c.points == 1.0
        assert [p.points for p in c.partial] == [0.5], c.id
    assert [p.value for p in mts.answer_scale] == [0, 1, 2]
    # the bands: 0, (0,1], (1,2], (2,3], (3,5], >5
    assert [(lv.number, lv.score_above) for lv in mts.levels] == [(1, None), (2, 0), (3, 1), (4, 2), (5, 3), (6, 5)]


def answers_for(mts, per_section: dict[str, list[int]]) -> list[Answer]:
    out = []
    for sec, values in per_section.items():
        tests = sorted((c for c in mts.active_criteria() if c.dimension == sec), key=lambda c: c.id)
        out += [Answer(question=c.id, value=v) for c, v in zip(tests, values, strict=True)]
    return out


def test_section_sums_and_the_minimum_of_sections_rule(mts):
    answers = answers_for(mts, {
        "data": [2, 2, 2, 2, 2, 2, 2],     # 7
        "model": [2, 1, 0, 0, 0, 0, 0],    # 1.5
        "infra": [1, 1, 1, 1, 1, 1, 1],    # 3.5
        "monitor": [2, 2, 1, 0, 0, 0, 0],  # 2.5
    })
    r = score(mts, default_catalog(), Inputs(answers=answers))
    by = {d.id: d for d in r.dimensions}
    assert {k: d.score for k, d in by.items()} == {"data": 7.0, "model": 1.5, "infra": 3.5, "monitor": 2.5}
    assert {k: d.level for k, d in by.items()} == {"data": 6, "model": 3, "infra": 5, "monitor": 4}
    assert all(d.max_score == 7.0 for d in r.dimensions)
    assert r.overall.score == 1.5 and r.overall.level == 3
    assert r.overall.level_name == "First pass at productionization"
    assert r.overall.weakest == ("model",)
    # half a point per manual test, a full point per automated one
    model = {c.id: c.points for c in by["model"].criteria}
    assert sorted(model.values()) == [0, 0, 0, 0, 0, 0.5, 1.0]
    # the roadmap works on the weakest section first (the final score is its score)
    assert r.roadmap and r.roadmap[0].dimension == "model"

    # raising another section does not move the final score; raising the weakest does
    better_data = score(mts, default_catalog(), Inputs(answers=answers + answers_for(mts, {"infra": [2] * 7})))
    assert better_data.overall.score == 1.5
    better_model = score(mts, default_catalog(), Inputs(answers=answers_for(mts, {
        "data": [2] * 7, "model": [2, 2, 2, 0, 0, 0, 0], "infra": [1] * 7, "monitor": [2, 2, 1, 0, 0, 0, 0]})))
    assert better_model.overall.score == 2.5 and better_model.overall.level == 4


@pytest.mark.parametrize(("points", "level"), [(0, 1), (0.5, 2), (1, 2), (1.5, 3), (2, 3), (3, 4), (3.5, 5), (5, 5), (5.5, 6), (7, 6)])
def test_the_interpretation_bands(mts, points, level):
    assert mts.level_for_score(points) == level


def test_unanswered_question_only_tests_are_unknown_not_zero_credit_failures(mts):
    r = score(mts, default_catalog(), Inputs())
    assert r.overall.score == 0 and r.overall.level == 1
    statuses = {c.status.value for d in r.dimensions for c in d.criteria}
    assert statuses == {"unknown"}  # nothing observed and nothing answered
    assert all(d.potential_score == 7.0 for d in r.dimensions)


def test_points_schema_errors_are_reported_all_at_once(tmp_path):
    text = resolve("ml-test-score").read_text(encoding="utf-8")
    text = text.replace("    score_above: 2\n", "", 1)  # level 4 loses its threshold
    text = text.replace("- id: data.2-features-beneficial\n  dimension: data\n", "- id: data.2-features-beneficial\n  dimension: data\n  level: 2\n", 1)
    text = text.replace("  - points: 0.5\n    evidence: Q>=1\n", "  - points: 1.5\n    evidence: Q>=1\n", 1)
    bad = tmp_path / "bad-mts.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(bad, default_catalog())
    errors = info.value.errors
    assert any("level 4: a points-scored framework needs score_above" in e for e in errors), errors
    assert any("'data.2-features-beneficial': a points-scored framework's criteria have no level" in e for e in errors), errors
    assert any("partial credit 1.5 must be below" in e for e in errors), errors
    assert all(e.startswith(str(bad)) for e in errors)

    proc = subprocess.run([sys.executable, "-m", "mlops_maturity", "framework", "validate", str(bad)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == len(errors) >= 3


def test_framework_validate_accepts_the_shipped_ml_test_score():
    proc = subprocess.run([sys.executable, "-m", "mlops_maturity", "framework", "validate", "ml-test-score"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "ml-test-score 1.0: 28 criteria, 4 dimensions, 6 levels" in proc.stdout
