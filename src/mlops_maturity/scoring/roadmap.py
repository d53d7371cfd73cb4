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
        )
        for rank, (_, d, c, spec, reason, note) in enumerate(candidates, start=1)
    )
