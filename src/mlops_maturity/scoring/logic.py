"""Evaluation of evidence expressions in a four-valued logic.

T true, F false, U unknown (a practice no source could observe), N no claim (the criterion's
question was not answered). An unanswered question is an alternative nobody invoked: in an OR it
drops out, so "data.pipeline OR Q>=2" with the pipeline absent and no answer is unmet (the scan
looked). In an AND it is unknown, so "data.lineage AND Q=3" with lineage present and no answer
is unknown, not met and not unmet. At the top, N means unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from ..framework import expr


class V(Enum):
    T = "T"
    F = "F"
    U = "U"
    N = "N"


def evaluate(node: expr.Node, practice: Callable[[str], V], answer: int | None) -> V:
    if isinstance(node, expr.PracticeAtom):
        return practice(node.practice)
    if isinstance(node, expr.AnswerAtom):
        if answer is None:
            return V.N
        return V.T if node.holds(answer) else V.F
    values = [evaluate(i, practice, answer) for i in node.items]
    if isinstance(node, expr.Or):
        values = [v for v in values if v is not V.N]
        if not values:
            return V.N
        if V.T in values:
            return V.T
        if all(v is V.F for v in values):
            return V.F
        return V.U
    # And
    if V.F in values:
        return V.F
    if all(v is V.T for v in values):
        return V.T
    if all(v is V.N for v in values):
        return V.N
    return V.U


def top(value: V) -> V:
    return V.U if value is V.N else value
