from mlops_maturity.framework import expr
from mlops_maturity.scoring.logic import V, evaluate, top


def ev(text, practices, answer=None):
    return top(evaluate(expr.parse(text), lambda p: practices.get(p, V.U), answer))


def test_practice_or_unanswered_question_is_decided_by_the_scan():
    assert ev("a.x OR Q>=2", {"a.x": V.F}) is V.F
    assert ev("a.x OR Q>=2", {"a.x": V.T}) is V.T
    assert ev("a.x OR Q>=2", {}) is V.U


def test_answer_can_meet_what_the_scan_did_not_see():
    assert ev("a.x OR Q>=2", {"a.x": V.F}, 2) is V.T
    assert ev("a.x OR Q>=2", {"a.x": V.F}, 1) is V.F


def test_conjunction_with_unanswered_question_is_unknown():
    assert ev("a.x AND Q=3", {"a.x": V.T}) is V.U
    assert ev("a.x AND Q=3", {"a.x": V.F}) is V.F
    assert ev("a.x AND Q=3", {"a.x": V.T}, 3) is V.T
    assert ev("a.x AND Q=3", {"a.x": V.T}, 2) is V.F


def test_question_only():
    assert ev("Q=3", {}) is V.U
    assert ev("Q=3", {}, 3) is V.T
    assert ev("Q=3", {}, 2) is V.F
