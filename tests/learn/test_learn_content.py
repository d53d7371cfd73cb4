"""The learning content validates on load, and every problem is reported at once by file and id."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from helpers import write
from mlops_maturity.learn.content import LearnDataError, default_question_files, load_bank, load_concepts, normalize

GOOD = """\
  - id: {id}
    difficulty: easy
    concept: model.gating
    dimensions: [monitor]
    question: {question}
    options:
      - text: Level 1.
        correct: true
      - text: Level 2.
    hint: Walk up from level 2.
    solution:
      - One unmet level-2 criterion keeps the dimension at level 1.
    mistakes:
      - Counting met criteria.
"""


def bank_file(tmp_path: Path, name: str, *questions: str) -> Path:
    return write(tmp_path / name, 'version: "1"\nquestions:\n' + "".join(questions))


def load(content, *files: Path):
    return load_bank(list(files), concepts=content.concepts, framework=content.framework, catalog=content.catalog)


def errors_of(content, *files: Path) -> list[str]:
    with pytest.raises(LearnDataError) as info:
        load(content, *files)
    return info.value.errors


# ---------------------------------------------------------------- the shipped content


def test_shipped_bank_is_valid_and_large_enough(content):
    questions = content.bank.questions
    assert len(questions) >= 40
    per_level = Counter(q.difficulty.value for q in questions)
    assert set(per_level) == {"easy", "medium", "hard"}
    assert min(per_level.values()) >= 12, per_level
    concept_ids = set(content.concepts.ids())
    dims = {d.id for d in content.framework.dimensions}
    for q in questions:
        assert sum(o.correct for o in q.options) == 1, q.id
        assert q.hint.strip() and q.solution and q.mistakes, q.id
        assert q.concept in concept_ids, q.id
        assert set(q.dimensions) <= dims, q.id
    assert len({normalize(q.question) for q in questions}) == len(questions)


def test_every_dimension_has_questions_and_monitor_has_enough_to_weight(content):
    per_dim = Counter(d for q in content.bank.questions for d in q.dimensions)
    assert set(per_dim) == {d.id for d in content.framework.dimensions}
    assert per_dim["monitor"] >= 10


def test_shipped_concepts_cover_the_framework_and_the_brief(content):
    ids = set(content.concepts.ids())
    fw = content.framework
    linked = {(k, str(v)) for c in content.concepts.concepts if c.framework for k, v in c.framework.model_dump().items() if v is not None}
    assert {("level", str(lv.number)) for lv in fw.levels} <= linked
    assert {("dimension", d.id) for d in fw.dimensions} <= linked
    assert {("transition", f"{t.from_level}-{t.to_level}") for t in fw.transitions} <= linked
    # The pitfalls and myths the model is known for.
    assert {
        "pitfall.skipped-foundations",
        "pitfall.deploying-without-monitoring",
        "pitfall.one-time-checklist",
        "pitfall.tools-over-process",
        "myth.expensive-tools",
        "myth.guarantees-accuracy",
        "myth.monitoring-is-uptime",
        "mlops.what",
        "mlops.why",
        "problem.deploying-without-mlops",
    } <= ids
    # Every concept is tested by at least one question, or is the concept of generated scenarios.
    tested = {q.concept for q in content.bank.questions} | {content.bank.scenarios.dimension.concept, content.bank.scenarios.overall.concept}
    assert ids - tested <= {"problem.deploying-without-mlops"}, sorted(ids - tested)


def test_linked_concepts_do_not_copy_the_framework(content):
    """A concept that restates a level, dimension or transition takes its summary from the framework."""
    for c in content.concepts.concepts:
        link = c.framework
        if link is not None and (link.level or link.dimension or link.transition):
            assert c.summary is None, c.id


def test_default_question_files_are_the_shipped_ones():
    assert [p.name for p in default_question_files()] == sorted(p.name for p in default_question_files())
    assert len(default_question_files()) >= 2


# ---------------------------------------------------------------- broken banks, each named


def test_a_valid_custom_bank_loads(content, tmp_path):
    bank = load(content, bank_file(tmp_path, "ok.yaml", GOOD.format(id="custom-one", question="At which level is a dimension with a level-2 gap?")))
    assert [q.id for q in bank.questions] == ["custom-one"]
    assert bank.questions[0].answer == 0


def test_two_correct_options_fail_naming_the_question(content, tmp_path):
    text = GOOD.format(id="two-right", question="Which is right?").replace("      - text: Level 2.\n", "      - text: Level 2.\n        correct: true\n")
    path = bank_file(tmp_path, "bad.yaml", text)
    [error] = errors_of(content, path)
    assert str(path) in error and "'two-right'" in error and "2 correct options" in error


def test_no_correct_option_fails(content, tmp_path):
    text = GOOD.format(id="none-right", question="Which is right?").replace("        correct: true\n", "")
    [error] = errors_of(content, bank_file(tmp_path, "bad.yaml", text))
    assert "'none-right'" in error and "0 correct options" in error


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda t: t.replace("    hint: Walk up from level 2.\n", ""), "hint: missing"),
        (lambda t: t.replace("    hint: Walk up from level 2.\n", '    hint: "   "\n'), "hint: empty"),
        (lambda t: t.replace("    solution:\n      - One unmet level-2 criterion keeps the dimension at level 1.\n", ""), "solution: missing"),
        (lambda t: t.replace("    concept: model.gating\n", ""), "concept: missing"),
        (lambda t: t.replace("    mistakes:\n      - Counting met criteria.\n", "    mistakes: []\n"), "mistakes"),
    ],
    ids=["missing-hint", "blank-hint", "missing-solution", "missing-concept", "no-mistakes"],
)
def test_missing_parts_fail_naming_the_question(content, tmp_path, edit, needle):
    path = bank_file(tmp_path, "bad.yaml", edit(GOOD.format(id="incomplete", question="Which is right?")))
    errors = errors_of(content, path)
    assert any(str(path) in e and "'incomplete'" in e and needle in e for e in errors), errors


def test_unknown_concept_fails_naming_the_question(content, tmp_path):
    text = GOOD.format(id="lost", question="Which is right?").replace("concept: model.gating", "concept: model.gatting")
    [error] = errors_of(content, bank_file(tmp_path, "bad.yaml", text))
    assert "'lost'" in error and "unknown concept 'model.gatting'" in error


def test_unknown_dimension_fails(content, tmp_path):
    text = GOOD.format(id="where", question="Which is right?").replace("dimensions: [monitor]", "dimensions: [monitoring]")
    [error] = errors_of(content, bank_file(tmp_path, "bad.yaml", text))
    assert "'where'" in error and "unknown dimension 'monitoring'" in error


def test_duplicate_question_text_fails_across_files_when_only_case_and_punctuation_differ(content, tmp_path):
    a = bank_file(tmp_path, "a.yaml", GOOD.format(id="first", question="What is the level of a dimension with a gap?"))
    b = bank_file(tmp_path, "b.yaml", GOOD.format(id="second", question="what is the LEVEL of a dimension, with a gap"))
    [error] = errors_of(content, a, b)
    assert str(b) in error and "'second'" in error and "duplicate question" in error and "'first'" in error


def test_duplicate_ids_fail(content, tmp_path):
    a = bank_file(tmp_path, "a.yaml", GOOD.format(id="same", question="First question?"))
    b = bank_file(tmp_path, "b.yaml", GOOD.format(id="same", question="Second question?"))
    [error] = errors_of(content, a, b)
    assert str(b) in error and "'same'" in error and "duplicate id" in error


def test_every_problem_is_reported_at_once_with_file_line_and_id(content, tmp_path):
    path = bank_file(
        tmp_path,
        "many.yaml",
        GOOD.format(id="ok-one", question="A fine question?"),
        GOOD.format(id="two-right", question="Two right?").replace("      - text: Level 2.\n", "      - text: Level 2.\n        correct: true\n"),
        GOOD.format(id="no-hint", question="No hint?").replace("    hint: Walk up from level 2.\n", ""),
        GOOD.format(id="bad-concept", question="Bad concept?").replace("model.gating", "nope.nope"),
        GOOD.format(id="copy", question="A FINE question"),
    )
    errors = errors_of(content, path)
    named = {qid for qid in ("two-right", "no-hint", "bad-concept", "copy") for e in errors if f"'{qid}'" in e}
    assert named == {"two-right", "no-hint", "bad-concept", "copy"}, errors
    assert not any("'ok-one':" in e for e in errors)
    assert all(e.startswith(f"{path}:") for e in errors)
    # each error cites the line of its question (or of the offending field inside it)
    lines = path.read_text().splitlines()
    for e in errors:
        line = int(e.split(":")[1])
        qid = e.split("'")[1]
        start = lines.index(f"  - id: {qid}") + 1
        assert start <= line < start + 16, (e, start)


def test_malformed_yaml_and_wrong_shapes_are_one_line_each(content, tmp_path):
    broken = write(tmp_path / "broken.yaml", "questions: [\n")
    not_a_list = write(tmp_path / "shape.yaml", 'version: "1"\nquestions: {a: 1}\nextra: 2\n')
    errors = errors_of(content, broken, not_a_list)
    assert any(str(broken) in e for e in errors)
    assert any(str(not_a_list) in e and "expected a list" in e for e in errors)
    assert any(str(not_a_list) in e and "unknown top-level key 'extra'" in e for e in errors)
    assert all("\n" not in e for e in errors)


# ---------------------------------------------------------------- broken concepts and scenario wording


def test_concepts_with_problems_are_all_reported(content, tmp_path):
    from mlops_maturity.learn.content import _data_path

    text = _data_path("concepts.yaml").read_text()
    text = text.replace("see_also: [pitfall.tools-over-process]", "see_also: [pitfall.tool-over-process]")
    text = text.replace("    framework: {dimension: team}\n", "    framework: {dimension: teams}\n")
    text = text.replace("  - id: mlops.why\n    kind: foundation\n", "  - id: mlops.why\n    kind: basics\n")
    errors = []
    with pytest.raises(LearnDataError) as info:
        load_concepts(write(tmp_path / "concepts.yaml", text), framework=content.framework)
    errors = info.value.errors
    assert any("'myth.expensive-tools'" in e and "unknown concept 'pitfall.tool-over-process'" in e for e in errors), errors
    assert any("'dimension.team'" in e and "framework dimension 'teams' does not exist" in e for e in errors), errors
    assert any("framework dimension 'team' has no concept" in e for e in errors), errors
    assert any("'mlops.why'" in e and "unknown kind 'basics'" in e for e in errors), errors


def test_scenario_wording_needs_a_unique_phrase_for_every_practice_a_rule_names(content, tmp_path):
    from mlops_maturity.learn.content import _data_path

    text = _data_path("scenarios.yaml").read_text()
    text = text.replace("    present: Experiments are tracked in MLflow.\n", "    present: There is no CI.\n")
    text = text.replace("  data.lineage:\n    present: Every pipeline emits OpenLineage events to Marquez.\n    absent: No data lineage is recorded.\n", "")
    text = text.replace("option: Level {number} — {name}", "option: Level {number} — {title}")
    scen = write(tmp_path / "scenarios.yaml", text)
    with pytest.raises(LearnDataError) as info:
        load_bank(None, scen, concepts=content.concepts, framework=content.framework, catalog=content.catalog)
    errors = info.value.errors
    assert any("no phrase for 'data.lineage'" in e for e in errors), errors
    assert any("reads the same as" in e and ("dev.experiment_tracking present" in e or "deploy.ci absent" in e) for e in errors), errors
    assert any("option" in e and "unknown field {title}" in e for e in errors), errors
