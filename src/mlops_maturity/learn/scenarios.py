"""Scenario questions generated from the framework, with the scoring engine as the oracle.

A scenario is a random practice profile (scan findings, present or absent, plus questionnaire
answers where a rule needs one) for one dimension, or for the defining criteria when the
question is the overall level. The profile is described in the words of `scenarios.yaml`,
scored by `scoring.score`, and the correct option is the level the scorer gives. The worked
solution is written from the scorer's own verdict on each criterion, so neither the answer nor
its explanation can drift from the model.

Profiles are not uniform noise, which would almost always be level 1: a target level is drawn
first, criteria up to it are made to hold and at least one above it to fail; in medium and
hard scenarios criteria further up may hold too (skipped foundations), and hard ones also meet
or fail criteria through answers that disagree with the scan. Shared practices can defeat a
wish (one canary rollout meets two deploy criteria); the scorer decides in every case.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from ..framework import expr
from ..model.evidence import Answer, Observation, PracticeStatus
from ..model.framework import Criterion, Framework, PracticeCatalog
from ..model.result import CriterionResult, Result, Subject
from ..scoring import Inputs, score
from ..scoring.logic import V, evaluate, top
from .content import Bank, Difficulty
from .items import QuizItem, Step

OVERALL = "overall"
SOURCE = "scenario"
_SCORED_AT = datetime(2024, 1, 1, tzinfo=UTC)  # fixed, so a scenario is a pure function of its seed


@dataclass(frozen=True)
class Profile:
    """What a scenario says about a team: practices seen or not, and declared answers."""

    practices: dict[str, bool]  # practice id -> present
    answers: dict[str, int]  # criterion id -> answer value
    order: tuple[tuple[str, str], ...]  # ("practice", id) / ("answer", id), as described

    def inputs(self) -> Inputs:
        return Inputs(
            observations=tuple(
                Observation(practice=p, status=PracticeStatus.PRESENT if present else PracticeStatus.ABSENT, source=SOURCE)
                for p, present in self.practices.items()
            ),
            answers=tuple(Answer(question=cid, value=v) for cid, v in self.answers.items()),
            subject=Subject(name="scenario"),
            generated_at=_SCORED_AT,
        )


@lru_cache(maxsize=512)
def _rule(evidence: str) -> expr.Node:
    return expr.parse(evidence)


def scopes(framework: Framework) -> list[str]:
    """What a scenario can ask about: each dimension, and the overall level when it follows
    defining criteria (a weakest-dimension overall would need every criterion described)."""
    out = [d.id for d in framework.dimensions]
    if framework.aggregation.method == "defining_criteria":
        out.append(OVERALL)
    return out


def in_scope(framework: Framework, scope: str) -> list[Criterion]:
    active = framework.active_criteria()
    chosen = [c for c in active if c.defining] if scope == OVERALL else [c for c in active if c.dimension == scope]
    return sorted(chosen, key=lambda c: c.level)


def _scale(framework: Framework, c: Criterion) -> list[int]:
    return [p.value for p in (c.question.scale or framework.answer_scale)]


def _wishes(criteria: list[Criterion], difficulty: Difficulty, rng: random.Random, max_level: int) -> dict[str, bool]:
    target = rng.randint(1, max_level)
    wish: dict[str, bool] = {}
    for c in criteria:
        if c.level <= target:
            wish[c.id] = True
        elif c.level == target + 1 or difficulty is Difficulty.EASY:
            wish[c.id] = difficulty is not Difficulty.EASY and rng.random() < 0.5
        else:
            wish[c.id] = rng.random() < 0.5
    blockers = [c.id for c in criteria if c.level == target + 1]
    if blockers and all(wish[b] for b in blockers):
        wish[rng.choice(blockers)] = False
    return wish


def _realize(
    framework: Framework, criteria: list[Criterion], wish: dict[str, bool], difficulty: Difficulty, rng: random.Random
) -> Profile:
    practices: dict[str, bool] = {}
    answers: dict[str, int] = {}
    order: list[tuple[str, str]] = []
    for c in criteria:
        node = _rule(c.evidence)
        pids = expr.practices_in(node)
        free = [p for p in pids if p not in practices]
        goal = V.T if wish[c.id] else V.F
        options: list[tuple[tuple[bool, ...], int | None]] = []
        for assignment in itertools.product((True, False), repeat=len(free)):
            state = {**practices, **dict(zip(free, assignment, strict=True))}
            for answer in (None, *_scale(framework, c)):
                if top(evaluate(node, lambda p, s=state: V.T if s[p] else V.F, answer)) is goal:
                    options.append((assignment, answer))
        if not options:
            # Shared practices already decide this criterion against the wish: keep them, and
            # answer only if the rule cannot be decided without an answer.
            assignment = tuple(wish[c.id] for _ in free)
            state = {**practices, **dict(zip(free, assignment, strict=True))}
            needs = top(evaluate(node, lambda p, s=state: V.T if s[p] else V.F, None)) is V.U
            options = [(assignment, rng.choice(_scale(framework, c)) if needs else None)]
        elif difficulty is Difficulty.HARD:
            # Half the time, declare: an answer that meets or fails the rule beside the scan.
            declared = [o for o in options if o[1] is not None]
            observed = [o for o in options if o[1] is None]
            options = declared if declared and (not observed or rng.random() < 0.5) else observed
        else:
            # Prefer scan findings alone, and the plainest of them: present for a met
            # criterion, absent for an unmet one.
            def cost(o: tuple[tuple[bool, ...], int | None], want: bool = wish[c.id]) -> tuple[int, int]:
                return (o[1] is not None, sum(1 for v in o[0] if v != want))

            best = min(cost(o) for o in options)
            options = [o for o in options if cost(o) == best]
        assignment, answer = rng.choice(options)
        for p, present in zip(free, assignment, strict=True):
            practices[p] = present
            order.append(("practice", p))
        if answer is not None:
            answers[c.id] = answer
            order.append(("answer", c.id))
    return Profile(practices=practices, answers=answers, order=tuple(order))


def _add_distractors(framework: Framework, profile: Profile, rng: random.Random) -> tuple[Profile, int]:
    """Findings about non-defining criteria: true facts that do not move the overall level."""
    pool = sorted(
        {p for c in framework.active_criteria() if not c.defining for p in expr.practices_in(_rule(c.evidence))}
        - set(profile.practices)
    )
    picked = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
    practices = dict(profile.practices)
    order = list(profile.order)
    for p in picked:
        practices[p] = rng.random() < 0.5
        order.append(("practice", p))
    return Profile(practices=practices, answers=profile.answers, order=tuple(order)), len(picked)


def describe(bank: Bank, framework: Framework, profile: Profile) -> tuple[str, ...]:
    words = bank.scenarios
    lines = []
    for kind, key in profile.order:
        if kind == "practice":
            phrase = words.practices[key]
            lines.append(phrase.present if profile.practices[key] else phrase.absent)
        else:
            c = framework.criterion(key)
            value = profile.answers[key]
            label = next((p.label for p in (c.question.scale or framework.answer_scale) if p.value == value), str(value))
            lines.append(words.answer.format(question=c.question.text, value=value, label=label))
    return tuple(lines)


def _titles(results: list[CriterionResult]) -> str:
    return "; ".join(r.title.rstrip(".") for r in results)


def explain(bank: Bank, framework: Framework, scope: str, profile: Profile, result: Result, others: int) -> tuple[int, tuple[Step, ...]]:
    """The level the scorer gives, and the worked solution written from its verdicts."""
    words = bank.scenarios
    kind = words.overall if scope == OVERALL else words.dimension
    verdicts = {c.id: c for d in result.dimensions for c in d.criteria}
    judged = [verdicts[c.id] for c in in_scope(framework, scope)]
    if scope == OVERALL:
        level = result.overall.level
        fields: dict[str, str] = {}
        unmet_below = [r for r in judged if not r.status.satisfied]
        skipped = [r for r in judged if r.status.satisfied and any(u.level < r.level for u in unmet_below)]
    else:
        dim = next(d for d in result.dimensions if d.id == scope)
        level = dim.level
        fields = {"dimension": dim.id, "dimension_name": dim.name[:1].lower() + dim.name[1:]}
        skipped_ids = {s.criterion for s in dim.skipped_foundations}
        skipped = [r for r in judged if r.id in skipped_ids]

    lines = []
    for r in judged:
        node = _rule(r.evidence_rule)
        found = [
            (words.findings.present if profile.practices[p] else words.findings.absent).format(practice=p)
            for p in expr.practices_in(node)
        ]
        if expr.answer_atoms(node):
            value = profile.answers.get(r.id)
            found.append(words.findings.no_answer if value is None else words.findings.answer.format(value=value))
        mark = words.marks.met if r.status.satisfied else words.marks.unmet
        lines.append(words.criterion_line.format(mark=mark, level=r.level, title=r.title.rstrip("."), rule=r.evidence_rule, findings=", ".join(found)))

    blocking = [r for r in judged if r.level == level + 1 and not r.status.satisfied]
    gate_detail = (
        kind.steps.blocked.format(level=level + 1, titles=_titles(blocking)) if blocking else kind.steps.all_met.format(level=level)
    )
    steps = [Step(text=kind.steps.judge.format(**fields), details=tuple(lines)), Step(text=kind.steps.gate.format(**fields), details=(gate_detail,))]
    if skipped:
        steps.append(Step(text=kind.steps.skipped.format(titles=_titles(skipped))))
    if others and kind.steps.others:
        steps.append(Step(text=kind.steps.others))
    steps.append(Step(text=kind.steps.conclude.format(**fields, level=level, name=framework.level_name(level))))
    return level, tuple(steps)


def scenario_item(
    bank: Bank,
    framework: Framework,
    catalog: PracticeCatalog,
    *,
    scope: str,
    difficulty: Difficulty | str,
    seed: int,
) -> QuizItem:
    """One generated question: the same (scope, difficulty, seed) always gives the same item."""
    difficulty = Difficulty(difficulty)
    if scope not in scopes(framework):
        raise ValueError(f"unknown scenario scope {scope!r} (known: {', '.join(scopes(framework))})")
    rng = random.Random(seed)
    criteria = in_scope(framework, scope)
    profile = _realize(framework, criteria, _wishes(criteria, difficulty, rng, framework.max_level), difficulty, rng)
    others = 0
    if scope == OVERALL:
        profile, others = _add_distractors(framework, profile, rng)
    if difficulty is not Difficulty.EASY:
        shuffled = list(profile.order)
        rng.shuffle(shuffled)
        profile = Profile(practices=profile.practices, answers=profile.answers, order=tuple(shuffled))
    result = score(framework, catalog, profile.inputs())
    level, solution = explain(bank, framework, scope, profile, result, others)

    words = bank.scenarios
    kind = words.overall if scope == OVERALL else words.dimension
    levels = sorted(framework.levels, key=lambda lv: lv.number)
    fields = {}
    if scope != OVERALL:
        d = framework.dimension(scope)
        fields = {"dimension": d.id, "dimension_name": d.name[:1].lower() + d.name[1:]}
    return QuizItem(
        id=f"scenario.{scope}.{seed}",
        kind="scenario",
        difficulty=difficulty,
        prompt=kind.prompt.format(**fields),
        context=describe(bank, framework, profile),
        options=tuple(words.option.format(number=lv.number, name=lv.name) for lv in levels),
        answer=[lv.number for lv in levels].index(level),
        hint=kind.hint,
        solution=solution,
        mistakes=kind.mistakes,
        concept=kind.concept,
        dimensions=() if scope == OVERALL else (scope,),
    )
