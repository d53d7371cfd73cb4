"""The quiz engine: reproducible draws, weighting toward weak dimensions, grading."""

from __future__ import annotations

import pytest
from learn_samples import binomial_tail, monitor_weakest

from mlops_maturity.learn import Quiz, build_quiz, grade, weights_from_result


def build(content, **kw):
    return build_quiz(content.bank, content.framework, content.catalog, **kw)


def test_same_seed_same_quiz_and_another_seed_another(content):
    a, b = build(content, count=10, seed=1), build(content, count=10, seed=1)
    assert a == b
    assert [it.id for it in build(content, count=10, seed=2).items] != [it.id for it in a.items]


def test_count_difficulty_and_mix(content):
    quiz = build(content, count=12, seed=3, difficulty="hard")
    assert len(quiz.items) == 12
    assert {it.difficulty.value for it in quiz.items} == {"hard"}
    kinds = [it.kind for it in quiz.items]
    assert kinds.count("scenario") == 4 and kinds.count("bank") == 8
    assert len({it.id for it in quiz.items}) == 12
    mixed = build(content, count=30, seed=3)
    order = [it.difficulty.value for it in mixed.items]
    assert order == sorted(order, key=["easy", "medium", "hard"].index)  # easy first


def test_more_questions_than_the_bank_holds_are_filled_with_scenarios(content):
    easy = sum(q.difficulty.value == "easy" for q in content.bank.questions)
    quiz = build(content, count=easy + 20, seed=5, difficulty="easy")
    assert len(quiz.items) == easy + 20
    assert sum(it.kind == "bank" for it in quiz.items) == easy


def test_options_are_shuffled_so_the_answer_is_not_always_first(content):
    quiz = build(content, count=30, seed=9)
    bank = [it for it in quiz.items if it.kind == "bank"]
    assert len({it.answer for it in bank}) > 1
    for it in bank:
        q = content.bank.get(it.id)
        assert it.options[it.answer] == q.options[q.answer].text


def test_weights_from_a_result_favour_the_weakest_dimension(content):
    w = weights_from_result(monitor_weakest(content.framework, content.catalog))
    assert w["monitor"] == 1.0
    assert all(w[d] < 0.1 for d in w if d != "monitor")


SEEDS = range(120)


def _monitor_share(content, weights, difficulty=None, seeds=SEEDS) -> tuple[int, int, int]:
    hits = total = majority = 0
    for seed in seeds:
        quiz = build(content, count=10, seed=seed, weights=weights, difficulty=difficulty)
        k = sum("monitor" in it.dimensions for it in quiz.items)
        hits, total, majority = hits + k, total + len(quiz.items), majority + (k > len(quiz.items) / 2)
    return hits, total, majority


def test_a_result_weakest_in_monitor_makes_monitor_the_majority(content):
    weights = weights_from_result(monitor_weakest(content.framework, content.catalog))
    hits, total, majority = _monitor_share(content, weights)
    base_hits, base_total, _ = _monitor_share(content, None)
    # Without weights monitor is a minority; with them, a clear majority, far beyond chance.
    assert base_hits / base_total < 0.4
    assert hits / total > 0.6
    assert binomial_tail(hits, total) < 1e-9
    assert majority >= 0.9 * len(SEEDS)


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_weighting_holds_within_each_difficulty(content, difficulty):
    weights = weights_from_result(monitor_weakest(content.framework, content.catalog))
    hits, total, _ = _monitor_share(content, weights, difficulty, seeds=range(50))
    assert hits / total > 0.55 and binomial_tail(hits, total) < 1e-3


def test_bad_arguments_are_refused(content):
    with pytest.raises(ValueError, match="count"):
        build(content, count=0)
    with pytest.raises(ValueError):
        build(content, difficulty="impossible")
    with pytest.raises(ValueError, match="positive"):
        build(content, weights={"monitor": -1})
    # dimensions of another framework are ignored, not an error
    assert len(build(content, count=3, weights={"elsewhere": 2.0}).items) == 3


def test_grade_counts_right_wrong_and_unanswered_and_lists_concepts_to_review(content):
    quiz = build(content, count=6, seed=11)
    items = quiz.items
    answers = {items[0].id: items[0].answer, items[1].id: (items[1].answer + 1) % len(items[1].options), items[2].id: None}
    answers.update({it.id: it.answer for it in items[3:]})
    score = grade(quiz, answers)
    assert (score.correct, score.total) == (4, 6)
    assert score.percent == 67
    assert [r.correct for r in score.items] == [True, False, False, True, True, True]
    assert list(score.review) == list(dict.fromkeys([items[1].concept, items[2].concept]))
    for d, tally in score.by_dimension.items():
        assert tally.total == sum(d in it.dimensions for it in items)
    perfect = grade(quiz, {it.id: it.answer for it in items})
    assert perfect.review == () and perfect.percent == 100


def test_review_puts_the_most_missed_concept_first(content):
    quiz = build(content, count=30, seed=4)
    score = grade(quiz, {})
    counts = {}
    for it in quiz.items:
        counts[it.concept] = counts.get(it.concept, 0) + 1
    assert counts[score.review[0]] == max(counts.values())


def test_grade_refuses_unknown_items_and_out_of_range_choices(content):
    quiz = build(content, count=3, seed=1)
    with pytest.raises(ValueError, match="no item 'nope'"):
        grade(quiz, {"nope": 0})
    with pytest.raises(ValueError, match="not one of"):
        grade(quiz, {quiz.items[0].id: 99})


def test_a_quiz_round_trips_through_json_for_the_web_layer(content):
    weights = weights_from_result(monitor_weakest(content.framework, content.catalog))
    quiz = build(content, count=8, seed=21, weights=weights)
    again = Quiz.model_validate_json(quiz.model_dump_json())
    assert again == quiz
    assert grade(again, {it.id: it.answer for it in again.items}).correct == 8
