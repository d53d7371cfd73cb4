"""Building and grading quizzes: pure functions, no input or output.

A quiz mixes questions drawn from the bank with scenario questions generated from the
framework (one item in three, more when the bank has too few questions of the asked
difficulty). The draw is weighted by dimension: with `weights` from an assessment
(`weights_from_result`), questions about the weakest dimensions come up most. Everything is
decided by `seed`, so the same arguments always build the same quiz.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence

from ..model.framework import Framework, PracticeCatalog
from ..model.result import Result
from .content import Bank, Difficulty, Question
from .items import DimensionTally, ItemResult, Quiz, QuizItem, Score, Step
from .scenarios import OVERALL, scenario_item, scopes

# A dimension one level stronger than the weakest is drawn a quarter as often, two levels
# stronger a sixteenth: strong enough that a clear weakness dominates the quiz, soft enough
# that the rest of the model still comes up.
FOCUS = 4.0
# One item in SCENARIO_EVERY is a generated scenario.
SCENARIO_EVERY = 3
# In a hard scenario slot, the overall level weighs as much as this many general questions.
OVERALL_WEIGHT = 3.0
ORDER = {Difficulty.EASY: 0, Difficulty.MEDIUM: 1, Difficulty.HARD: 2}


def weights_from_result(result: Result) -> dict[str, float]:
    """Per-dimension draw weights from an assessment: 1 for the weakest dimension, falling by
    FOCUS per level above it (progress toward the next level counts as a fraction of one)."""
    standing = {d.id: d.level + (d.progress if d.next_level is not None else 0.0) for d in result.dimensions}
    if not standing:
        return {}
    low = min(standing.values())
    return {did: FOCUS ** -(s - low) for did, s in standing.items()}


def bank_item(question: Question, rng: random.Random) -> QuizItem:
    """A bank question as a quiz item, its options shuffled (the correct one is not always A)."""
    order = list(range(len(question.options)))
    rng.shuffle(order)
    return QuizItem(
        id=question.id,
        kind="bank",
        difficulty=question.difficulty,
        prompt=question.question,
        options=tuple(question.options[i].text for i in order),
        answer=order.index(question.answer),
        hint=question.hint,
        solution=tuple(Step(text=s) for s in question.solution),
        mistakes=question.mistakes,
        concept=question.concept,
        dimensions=question.dimensions,
    )


def _checked_weights(framework: Framework, weights: Mapping[str, float] | None) -> dict[str, float]:
    out = {d.id: 1.0 for d in framework.dimensions}
    for did, w in (weights or {}).items():
        if not (isinstance(w, int | float) and math.isfinite(w) and w > 0):
            raise ValueError(f"weight for {did!r} must be a positive number, got {w!r}")
        if did in out:  # a result from another framework may name other dimensions
            out[did] = float(w)
    return out


def build_quiz(
    bank: Bank,
    framework: Framework,
    catalog: PracticeCatalog,
    *,
    difficulty: Difficulty | str | None = None,
    count: int = 10,
    seed: int = 0,
    weights: Mapping[str, float] | None = None,
) -> Quiz:
    """Draw `count` items: bank questions of `difficulty` (all when None) weighted by the
    dimensions they concern, and one in SCENARIO_EVERY generated scenarios whose dimension is
    drawn by the same weights. `weights` maps dimension ids to positive numbers (unknown ids
    are ignored); a question about the model as a whole weighs as much as the least weighted
    dimension. Items come easy first, shuffled within a difficulty. Raises ValueError on a bad
    count, difficulty or weight."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    level = Difficulty(difficulty) if difficulty is not None else None
    dim_w = _checked_weights(framework, weights)
    general = min(dim_w.values())  # a question about the model as a whole

    def weight(dimensions: Sequence[str]) -> float:
        return max((dim_w.get(d, general) for d in dimensions), default=general)

    rng = random.Random(seed)
    pool = [q for q in bank.questions if level is None or q.difficulty is level]
    n_bank = min(count - count // SCENARIO_EVERY, len(pool))
    # Weighted sampling without replacement (Efraimidis-Spirakis): key u ** (1 / w), largest first.
    keyed = sorted(((rng.random() ** (1.0 / weight(q.dimensions)), i) for i, q in enumerate(pool)), reverse=True)
    items = [bank_item(pool[i], rng) for _, i in keyed[:n_bank]]

    seen = {it.id for it in items}
    for _ in range(count - n_bank):
        d = level or rng.choice(list(Difficulty))
        candidates = [s for s in scopes(framework) if s != OVERALL or d is Difficulty.HARD]
        scope = rng.choices(candidates, weights=[general * OVERALL_WEIGHT if s == OVERALL else dim_w[s] for s in candidates])[0]
        while True:
            sub = rng.randrange(2**31)
            if f"scenario.{scope}.{sub}" not in seen:
                break
        item = scenario_item(bank, framework, catalog, scope=scope, difficulty=d, seed=sub)
        seen.add(item.id)
        items.append(item)

    rng.shuffle(items)
    items.sort(key=lambda it: ORDER[it.difficulty])  # stable: easy first, shuffled within
    return Quiz(seed=seed, difficulty=level, weights=dict(weights) if weights else None, items=tuple(items))


def grade(quiz: Quiz, answers: Mapping[str, int | None]) -> Score:
    """Score chosen option indexes by item id; an item missing from `answers` counts as wrong."""
    ids = {it.id for it in quiz.items}
    for key in answers:
        if key not in ids:
            raise ValueError(f"no item {key!r} in this quiz")
    results = []
    for it in quiz.items:
        chosen = answers.get(it.id)
        if chosen is not None and not (isinstance(chosen, int) and 0 <= chosen < len(it.options)):
            raise ValueError(f"item {it.id!r}: choice {chosen!r} is not one of 0..{len(it.options) - 1}")
        results.append(ItemResult(id=it.id, chosen=chosen, answer=it.answer, correct=chosen == it.answer, concept=it.concept, dimensions=it.dimensions))
    missed = Counter(r.concept for r in results if not r.correct)
    first = {}
    for i, r in enumerate(results):
        first.setdefault(r.concept, i)
    review = tuple(sorted(missed, key=lambda c: (-missed[c], first[c])))
    tally: dict[str, list[int]] = {}
    for r in results:
        for d in r.dimensions:
            t = tally.setdefault(d, [0, 0])
            t[0] += r.correct
            t[1] += 1
    return Score(
        correct=sum(r.correct for r in results),
        total=len(results),
        items=tuple(results),
        review=review,
        by_dimension={d: DimensionTally(correct=c, total=n) for d, (c, n) in tally.items()},
    )
