"""Observations + answers + exemptions, judged against a framework.

Levels are gated: a dimension is at level N only when every criterion of levels 2..N is met (or
declared not applicable / exempt, with a reason). Unknown criteria block a level, since nothing
shows they hold, but they are never counted as unmet: progress leaves them out of its
denominator, and `potential_level` says where the dimension would be if they all held.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..framework import expr
from ..model.evidence import Answer, Exemption, Observation, PracticeStatus, SourceRun
from ..model.crosswalk import Crosswalk
from ..model.framework import Criterion, Dimension, Framework, PracticeCatalog
from ..model.result import (
    CriterionResult,
    CriterionStatus,
    DeclaredAnswer,
    DimensionResult,
    ExemptionResult,
    FrameworkRef,
    Overall,
    PracticeResult,
    Result,
    SkippedFoundation,
    Subject,
    ToolInfo,
)
from . import crosswalk as crosswalk_mod
from . import pitfalls as pitfalls_mod
from . import roadmap as roadmap_mod
from .logic import V, evaluate, top


@dataclass(frozen=True)
class Inputs:
    observations: Sequence[Observation] = ()
    answers: Sequence[Answer] = ()
    exemptions: Sequence[Exemption] = ()
    sources: Sequence[SourceRun] = ()
    subject: Subject = field(default_factory=lambda: Subject(name="unnamed"))
    # When the project's newest stored assessment was made (for stale_assessment), if known.
    last_assessed_at: datetime | None = None
    generated_at: datetime | None = None
    tool_version: str = "0"
    # The mapping to the public models; with it the result carries `equivalents`.
    crosswalk: Crosswalk | None = None


def merge_observations(catalog: PracticeCatalog, observations: Iterable[Observation]) -> dict[str, PracticeResult]:
    """One verdict per practice over all sources: present wins, then absent, else unknown."""
    by_id: dict[str, list[Observation]] = {}
    for o in observations:
        pid = o.practice
        try:
            pid = catalog.get(pid).id  # resolve aliases
        except KeyError:
            continue
        by_id.setdefault(pid, []).append(o)
    merged: dict[str, PracticeResult] = {}
    for p in catalog.practices:
        if p.retired:
            continue
        obs = by_id.get(p.id, [])
        present = [o for o in obs if o.status is PracticeStatus.PRESENT]
        absent = [o for o in obs if o.status is PracticeStatus.ABSENT]
        if present:
            status, chosen = PracticeStatus.PRESENT, present
        elif absent:
            status, chosen = PracticeStatus.ABSENT, absent
        else:
            status, chosen = PracticeStatus.UNKNOWN, obs
        merged[p.id] = PracticeResult(
            id=p.id,
            dimension=p.dimension,
            title=p.title,
            status=status,
            present=None if status is PracticeStatus.UNKNOWN else status is PracticeStatus.PRESENT,
            sources=tuple(dict.fromkeys(o.source for o in chosen)),
            evidence=tuple(e for o in present for e in o.evidence),
            dependency_only=tuple(e for o in obs for e in o.dependency_only) if not present else (),
        )
    return merged


def _practice_value(practices: Mapping[str, PracticeResult], catalog: PracticeCatalog):
    canonical = {a: p.id for p in catalog.practices for a in (*p.aliases, p.id)}

    def value(pid: str) -> V:
        pid = canonical.get(pid)
        if pid is None:
            return V.U
        p = practices.get(pid)
        if p is None or p.status is PracticeStatus.UNKNOWN:
            return V.U
        return V.T if p.status is PracticeStatus.PRESENT else V.F

    return value


def judge_criterion(
    c: Criterion,
    practices: Mapping[str, PracticeResult],
    catalog: PracticeCatalog,
    answer: Answer | None,
    exemption: Exemption | None,
) -> CriterionResult:
    node = expr.parse(c.evidence)
    pids = tuple(expr.practices_in(node))
    value_of = _practice_value(practices, catalog)
    observed = tuple(p for p in pids if value_of(p) is V.T)
    declared = (
        DeclaredAnswer(value=answer.value, respondent=answer.respondent, answered_at=answer.answered_at, note=answer.note)
        if answer is not None
        else None
    )
    common = dict(
        id=c.id,
        level=c.level,
        title=c.title,
        defining=c.defining,
        evidence_rule=c.evidence,
        practices=pids,
        observed=observed,
        answer=declared,
    )
    if exemption is not None:
        status = CriterionStatus(exemption.kind.value)
        return CriterionResult(**common, status=status, met=True, basis="exemption", reason=exemption.reason)

    full = top(evaluate(node, value_of, answer.value if answer else None))
    code_only = evaluate(node, value_of, None)  # N where only an answer could decide
    answer_holds = answer is not None and any(a.holds(answer.value) for a in expr.answer_atoms(node))
    if full is V.U and answer is not None and not answer_holds:
        # A declared "no" settles what no source could observe.
        def value_or_absent(pid: str) -> V:
            v = value_of(pid)
            return V.F if v is V.U else v

        full = top(evaluate(node, value_or_absent, answer.value))
    if full is V.T:
        status, met = CriterionStatus.MET, True
        if code_only is V.T:
            basis = "observed"
        else:
            basis = "observed+declared" if observed else "declared"
    elif full is V.F:
        if answer is None:
            basis = "observed"
        elif code_only is V.F:
            basis = "observed+declared"
        else:
            basis = "declared"
        status, met = CriterionStatus.UNMET, False
    else:
        status, met, basis = CriterionStatus.UNKNOWN, None, "none"

    disagreement = ""
    if answer is not None and pids:
        if answer_holds and code_only is V.F:
            disagreement = f"answered {answer.value}, but no source found {', '.join(pids)}"
        elif not answer_holds and code_only is V.T:
            disagreement = f"answered {answer.value}, but {', '.join(observed)} was observed"
    return CriterionResult(**common, status=status, met=met, basis=basis, disagreement=disagreement)


def _gated_level(criteria: Sequence[CriterionResult], max_level: int, *, unknown_passes: bool) -> int:
    level = 1
    for n in range(2, max_level + 1):
        at = [c for c in criteria if c.level == n]
        ok = all(c.status.satisfied or (unknown_passes and c.status is CriterionStatus.UNKNOWN) for c in at)
        if not ok:
            break
        level = n
    return level


def _skipped(criteria: Sequence[CriterionResult]) -> tuple[SkippedFoundation, ...]:
    unmet = [c for c in criteria if c.status is CriterionStatus.UNMET]
    if not unmet:
        return ()
    out = []
    for c in criteria:
        if c.status is not CriterionStatus.MET:
            continue
        below = [u for u in unmet if u.level < c.level]
        if below:
            lowest = min(u.level for u in below)
            out.append(
                SkippedFoundation(
                    criterion=c.id,
                    level=c.level,
                    missing=tuple(u.id for u in below if u.level == lowest),
                    missing_level=lowest,
                )
            )
    return tuple(out)


def score(framework: Framework, catalog: PracticeCatalog, inputs: Inputs) -> Result:
    practices = merge_observations(catalog, inputs.observations)
    answers = {}
    for a in inputs.answers:
        try:
            answers[framework.criterion(a.question).id] = a
        except KeyError:
            continue  # input validation reports unknown ids before scoring
    exemptions = {}
    for e in inputs.exemptions:
        try:
            exemptions[framework.criterion(e.criterion).id] = e
        except KeyError:
            continue

    found = framework.stage(inputs.subject.stage) if inputs.subject.stage else None
    stage_targets = found[1].targets if found else {}
    subject = inputs.subject.model_copy(update={"stage": found[0]}) if found else inputs.subject
    max_level = framework.max_level
    dimensions: list[DimensionResult] = []
    for d in framework.dimensions:
        crits = sorted((c for c in framework.active_criteria() if c.dimension == d.id), key=lambda c: c.level or 0)
        results = [judge_criterion(c, practices, catalog, answers.get(c.id), exemptions.get(c.id)) for c in crits]
        if framework.scoring == "points":
            results = [award_points(c, r, practices, catalog, answers.get(c.id)) for c, r in zip(crits, results, strict=True)]
            dimensions.append(_points_dimension(framework, d, results, stage_targets.get(d.id)))
            continue
        level = _gated_level(results, max_level, unknown_passes=False)
        potential = _gated_level(results, max_level, unknown_passes=True)
        next_level = level + 1 if level < max_level else None
        if next_level is None:
            progress = 1.0
        else:
            decided = [
                c
                for c in results
                if c.level == next_level and c.status in (CriterionStatus.MET, CriterionStatus.UNMET)
            ]
            met = sum(1 for c in decided if c.status is CriterionStatus.MET)
            progress = met / len(decided) if decided else 0.0
        dimensions.append(
            DimensionResult(
                id=d.id,
                name=d.name,
                level=level,
                level_name=framework.level_name(level),
                potential_level=potential,
                next_level=next_level,
                progress=round(progress, 4),
                unknown=sum(1 for c in results if c.status is CriterionStatus.UNKNOWN),
                criteria=tuple(results),
                skipped_foundations=_skipped(results),
                target_level=stage_targets.get(d.id),
                target_reached=(level >= stage_targets[d.id]) if d.id in stage_targets else None,
            )
        )

    overall = _overall(framework, dimensions)
    result_practices = tuple(practices.values())
    pitfalls = pitfalls_mod.detect(framework, dimensions, practices, inputs.last_assessed_at, inputs.generated_at)
    roadmap = roadmap_mod.plan(framework, dimensions, practices)
    equivalents = crosswalk_mod.equivalents(framework, dimensions, inputs.crosswalk) if inputs.crosswalk is not None else ()
    return Result(
        tool=ToolInfo(version=inputs.tool_version),
        framework=FrameworkRef(id=framework.id, version=framework.version, name=framework.name),
        subject=subject,
        generated_at=inputs.generated_at or datetime.now(UTC),
        sources=tuple(inputs.sources),
        practices=result_practices,
        dimensions=tuple(dimensions),
        overall=overall,
        pitfalls=pitfalls,
        roadmap=roadmap,
        exemptions=tuple(
            ExemptionResult(criterion=cid, kind=e.kind.value, reason=e.reason, declared_in=e.declared_in)
            for cid, e in exemptions.items()
        ),
        equivalents=equivalents,
    )


def _overall(framework: Framework, dimensions: Sequence[DimensionResult]) -> Overall:
    levels = [d.level for d in dimensions]
    weakest_level = min(levels)
    all_criteria = [c for d in dimensions for c in d.criteria]
    if framework.aggregation.method == "defining_criteria":
        level = 1
        for n in range(2, framework.max_level + 1):
            defining = [c for c in all_criteria if c.level == n and c.defining]
            if not all(c.status.satisfied for c in defining):
                break
            level = n
    elif framework.aggregation.method == "minimum_score":
        score = min(d.score or 0.0 for d in dimensions)
        level = framework.level_for_score(score)
    else:  # weakest_dimension
        level = weakest_level
    points = framework.scoring == "points"
    return Overall(
        level=level,
        level_name=framework.level_name(level),
        method=framework.aggregation.method,
        mean=round(sum(levels) / len(levels), 2),
        weakest=tuple(d.id for d in dimensions if d.level == weakest_level),
        weakest_level=weakest_level,
        unknown_criteria=sum(1 for c in all_criteria if c.status is CriterionStatus.UNKNOWN),
        total_criteria=len(all_criteria),
        level_summary=framework.level_summary(level),
        score=min(d.score or 0.0 for d in dimensions) if points else None,
        max_score=min(d.max_score or 0.0 for d in dimensions) if points else None,
    )


def award_points(
    c: Criterion,
    judged: CriterionResult,
    practices: Mapping[str, PracticeResult],
    catalog: PracticeCatalog,
    answer: Answer | None,
) -> CriterionResult:
    """Points-scored frameworks: full points when the criterion is met (or does not apply),
    else the first partial credit whose evidence holds, else 0. An unanswered question claims
    nothing, so partial credit needs a declared answer or an observed practice; an unknown
    criterion earns 0 now and is shown as unknown, never as a failure."""
    if judged.status.satisfied:
        return judged.model_copy(update={"points": c.points, "max_points": c.points})
    earned = 0.0
    value_of = _practice_value(practices, catalog)
    for p in sorted(c.partial, key=lambda p: -p.points):
        if evaluate(expr.parse(p.evidence), value_of, answer.value if answer else None) is V.T:
            earned = p.points
            break
    return judged.model_copy(update={"points": earned, "max_points": c.points})


def _points_dimension(framework: Framework, d: Dimension, results: list[CriterionResult], target: int | None) -> DimensionResult:
    score = sum(c.points or 0.0 for c in results)
    max_score = sum(c.max_points or 0.0 for c in results)
    potential = sum((c.max_points or 0.0) if c.status is CriterionStatus.UNKNOWN else (c.points or 0.0) for c in results)
    level = framework.level_for_score(score)
    max_level = framework.max_level
    next_level = level + 1 if level < max_level else None
    if next_level is None:
        progress = 1.0
    else:
        # Scores move in steps (0.5 in the ML Test Score): a level "above t" starts at t + step.
        step = min([c.max_points or 1.0 for c in results] + [p.points for c in framework.active_criteria() for p in c.partial] or [1.0])
        above = {lv.number: lv.score_above for lv in framework.levels}
        low = 0.0 if above.get(level) is None else above[level] + step
        high = (above.get(next_level) or 0.0) + step
        progress = min(max((score - low) / (high - low), 0.0), 1.0) if high > low else 0.0
    return DimensionResult(
        id=d.id,
        name=d.name,
        level=level,
        level_name=framework.level_name(level),
        potential_level=framework.level_for_score(potential),
        next_level=next_level,
        progress=round(progress, 4),
        unknown=sum(1 for c in results if c.status is CriterionStatus.UNKNOWN),
        criteria=tuple(results),
        target_level=target,
        target_reached=(level >= target) if target is not None else None,
        score=score,
        max_score=max_score,
        potential_score=potential,
    )
