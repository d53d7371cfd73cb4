"""Generated scenario questions agree with the scorer.

Each scenario is read back from its words alone: every line must be a known practice phrase or
a known questionnaire answer, the profile they describe is scored again, and the level the
scorer gives must be the option marked correct. The explanation must judge each criterion as
the scorer does.
"""

from __future__ import annotations

import re

import pytest

from mlops_maturity.framework import expr
from mlops_maturity.learn.content import _data_path
from mlops_maturity.learn.scenarios import OVERALL, scenario_item, scopes
from mlops_maturity.model.evidence import Answer, Observation, PracticeStatus
from mlops_maturity.model.result import CriterionStatus
from mlops_maturity.scoring import Inputs, score
from mlops_maturity.util import yamlsafe

SEEDS = range(500)
DIFFICULTIES = ("easy", "medium", "hard")


@pytest.fixture(scope="module")
def reader(content):
    """Line -> finding, built from the data file and the framework, not from the generator."""
    words = yamlsafe.plain(yamlsafe.load(_data_path("scenarios.yaml").read_bytes()))
    fw = content.framework
    lines: dict[str, tuple] = {}
    for pid, phrase in words["practices"].items():
        lines[phrase["present"]] = ("practice", pid, True)
        lines[phrase["absent"]] = ("practice", pid, False)
    for c in fw.active_criteria():
        for point in c.question.scale or fw.answer_scale:
            line = words["answer"].format(question=c.question.text, value=point.value, label=point.label)
            assert line not in lines
            lines[line] = ("answer", c.id, point.value)
    options = {words["option"].format(number=lv.number, name=lv.name): lv.number for lv in fw.levels}
    return lines, options


def cases():
    for seed in SEEDS:
        yield seed, DIFFICULTIES[(seed // 7) % 3], seed % 7


def rescore(content, reader, item):
    lines, _ = reader
    observations, answers = [], []
    for line in item.context:
        assert line in lines, f"scenario line not in the vocabulary: {line!r}"
        kind, key, value = lines[line]
        if kind == "practice":
            status = PracticeStatus.PRESENT if value else PracticeStatus.ABSENT
            observations.append(Observation(practice=key, status=status, source="reader"))
        else:
            answers.append(Answer(question=key, value=value))
    assert len({o.practice for o in observations}) == len(observations), "a practice described twice"
    assert len({a.question for a in answers}) == len(answers), "a question answered twice"
    return score(content.framework, content.catalog, Inputs(observations=observations, answers=answers))


def test_scenarios_agree_with_the_scorer_for_500_seeds(content, reader):
    fw = content.framework
    all_scopes = scopes(fw)
    assert len(all_scopes) == 7 and all_scopes[-1] == OVERALL
    seen_levels: dict[str, set[int]] = {}
    skipped_seen = 0
    for seed, difficulty, scope_index in cases():
        scope = all_scopes[scope_index]
        item = scenario_item(content.bank, fw, content.catalog, scope=scope, difficulty=difficulty, seed=seed)
        result = rescore(content, reader, item)
        if scope == OVERALL:
            level = result.overall.level
            judged = sorted((c for d in result.dimensions for c in d.criteria if c.defining), key=lambda c: c.level)
        else:
            dim = next(d for d in result.dimensions if d.id == scope)
            level = dim.level
            judged = list(dim.criteria)
            skipped_seen += bool(dim.skipped_foundations)
        where = f"seed {seed} {scope} {difficulty}"
        # The description is complete: nothing the answer depends on is left unknown.
        assert all(c.status in (CriterionStatus.MET, CriterionStatus.UNMET) for c in judged), where
        # The key is the scorer's level.
        assert reader[1][item.options[item.answer]] == level, where
        assert sorted(reader[1].values()) == list(range(1, fw.max_level + 1))
        # The worked solution judges each criterion as the scorer does, and concludes the level.
        details = item.solution[0].details
        assert len(details) == len(judged), where
        for line, c in zip(details, judged, strict=True):
            mark = "✓" if c.status is CriterionStatus.MET else "✗"
            assert line.startswith(f"{mark} L{c.level} {c.title.rstrip('.')}"), (where, line)
            assert f"`{c.evidence_rule}`" in line
        assert re.search(rf"\b{level} — {re.escape(fw.level_name(level))}\.$", item.solution[-1].text), where
        gate = item.solution[1].details[0]
        if level < fw.max_level:
            assert gate.startswith(f"Level {level + 1} is not reached"), where
        seen_levels.setdefault(difficulty, set()).add(level)
    # The generator exercises the whole ladder and the gating lesson, not only level 1.
    assert all(levels == set(range(1, fw.max_level + 1)) for levels in seen_levels.values()), seen_levels
    assert skipped_seen > 20


def test_easy_scenarios_have_no_skipped_foundations_and_list_findings_in_level_order(content):
    fw = content.framework
    for seed in range(60):
        scope = [d.id for d in fw.dimensions][seed % 6]
        item = scenario_item(content.bank, fw, content.catalog, scope=scope, difficulty="easy", seed=seed)
        assert not any("without credit" in s.text for s in item.solution), (seed, scope)


def test_a_scenario_is_a_pure_function_of_its_seed(content):
    a = scenario_item(content.bank, content.framework, content.catalog, scope="overall", difficulty="hard", seed=42)
    b = scenario_item(content.bank, content.framework, content.catalog, scope="overall", difficulty="hard", seed=42)
    c = scenario_item(content.bank, content.framework, content.catalog, scope="overall", difficulty="hard", seed=43)
    assert a == b
    assert a.context != c.context


def test_overall_scenarios_add_findings_that_do_not_matter(content, reader):
    """Distractors name practices of non-defining criteria only, and the solution says so."""
    fw = content.framework
    defining_practices = {p for c in fw.active_criteria() if c.defining for p in expr.practices_in(expr.parse(c.evidence))}
    lines, _ = reader
    for seed in range(30):
        item = scenario_item(content.bank, fw, content.catalog, scope="overall", difficulty="hard", seed=seed)
        extra = [lines[line][1] for line in item.context if lines[line][0] == "practice" and lines[line][1] not in defining_practices]
        assert 1 <= len(extra) <= 3
        assert any("not defining" in s.text for s in item.solution)


def test_unknown_scope_is_refused(content):
    with pytest.raises(ValueError, match="unknown scenario scope 'ops'"):
        scenario_item(content.bank, content.framework, content.catalog, scope="ops", difficulty="easy", seed=1)
