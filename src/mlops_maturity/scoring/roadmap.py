"""The next step per dimension: the unmet criteria of the next level, never a leap past it.

Order: missing foundations first (criteria below something already built), then the weakest
dimensions, then defining criteria, then impact per effort.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..model.evidence import PracticeStatus
from ..model.framework import Framework
from ..model.result import CriterionStatus, DimensionResult, PracticeResult, RoadmapItem
from .pitfalls import tool_name

EFFORT_COST = {"S": 1, "M": 2, "L": 3}


def _dependency_note(pids: Sequence[str], practices: Mapping[str, PracticeResult]) -> str:
    notes = []
    for pid in pids:
        p = practices.get(pid)
        if p and p.status is PracticeStatus.ABSENT and p.dependency_only:
            e = p.dependency_only[0]
            tool = tool_name(e) or "A tool"
            notes.append(f"{tool} is declared as a dependency ({e.location}) but not used for this.")
    return " ".join(notes)


def plan(
    framework: Framework,
    dimensions: Sequence[DimensionResult],
    practices: Mapping[str, PracticeResult],
) -> tuple[RoadmapItem, ...]:
    if framework.scoring == "points":
        return _plan_points(framework, dimensions)
    by_id = {c.id: c for c in framework.criteria}
    candidates = []
    for d in dimensions:
        if d.next_level is None:
            continue
        if d.target_level is not None and d.level >= d.target_level:
            continue
        foundations = {m for s in d.skipped_foundations for m in s.missing}
        transition = next((t for t in framework.transitions if t.from_level == d.level), None)
        for c in d.criteria:
            if c.level != d.next_level or c.status not in (CriterionStatus.UNMET, CriterionStatus.UNKNOWN):
                continue
            spec = by_id[c.id]
            is_foundation = c.id in foundations
            reason = (
                "missing foundation: higher-level practices are in place without it"
                if is_foundation
                else ("not known yet: answer the question or add evidence" if c.status is CriterionStatus.UNKNOWN else "next level")
            )
            note = _dependency_note(c.practices, practices)
            if transition and not note:
                note = transition.summary
            key = (
                0 if is_foundation else 1,
                d.level,
                0 if c.defining else 1,
                0 if c.status is CriterionStatus.UNMET else 1,
                EFFORT_COST.get(spec.effort.value, 2),
                d.id,
                c.id,
            )
            candidates.append((key, d, c, spec, reason, note))
    return _items(candidates)


def _items(candidates: list) -> tuple[RoadmapItem, ...]:
    """Roadmap items from (sort key, dimension, criterion result, criterion spec, reason, note),
    ranked by the key."""
    candidates.sort(key=lambda item: item[0])
    return tuple(
        RoadmapItem(
            dimension=d.id,
            from_level=d.level,
            to_level=d.level + 1,
            criterion=c.id,
            title=c.title,
            action=spec.action,
            impact=spec.impact,
            effort=spec.effort.value,
            priority=rank,
            reason=reason,
            note=note,
            target_level=d.target_level,
        )
        for rank, (_, d, c, spec, reason, note) in enumerate(candidates, start=1)
    )


def _plan_points(framework: Framework, dimensions: Sequence[DimensionResult]) -> tuple[RoadmapItem, ...]:
    """Points-scored frameworks: per section below its target (or below the top), the tests
    that would lift its score past the next level's threshold, largest gain per effort first.
    The weakest sections come first, since the final score is their minimum."""
    by_id = {c.id: c for c in framework.criteria}
    thresholds = {lv.number: lv.score_above for lv in framework.levels}
    candidates = []
    for d in dimensions:
        if d.next_level is None or (d.target_level is not None and d.level >= d.target_level):
            continue
        gap = (thresholds.get(d.next_level) or 0.0) - (d.score or 0.0)
        open_tests = [c for c in d.criteria if (c.points or 0.0) < (c.max_points or 0.0) and not c.status.satisfied]
        open_tests.sort(key=lambda c: (0 if c.status is CriterionStatus.UNMET else 1, -((c.max_points or 0) - (c.points or 0)) / EFFORT_COST.get(by_id[c.id].effort.value, 2), c.id))
        gained = 0.0
        for c in open_tests:
            if gained > gap:
                break  # enough to pass the next threshold: never a leap
            gain = (c.max_points or 0.0) - (c.points or 0.0)
            gained += gain
            spec = by_id[c.id]
            reason = (
                "not known yet: answer the question or add evidence"
                if c.status is CriterionStatus.UNKNOWN
                else f"worth {gain:g} point{'s' if gain != 1 else ''} ({d.name}: {d.score:g} of {d.max_score:g})"
            )
            key = (d.score or 0.0, d.id, len(candidates))
            candidates.append((key, d, c, spec, reason, framework.level_summary(d.level + 1)))
    return _items(candidates)
