"""A scored profile read in the public models' vocabulary, through the crosswalk.

For a model with levels (Google 0-2, Microsoft 0-4) each criterion maps to the level at which
that model first expects it. The equivalent standing is the highest level whose mapped criteria,
at that level and below, are all satisfied. It stops below a level the mapping does not reach
(no criterion maps to it: the crosswalk cannot vouch for it) and below a level that rests on
unknown criteria. For a model without levels (the AWS ML Lens, the ML Test Score's tests) the
standing is the list of its ids whose mapped criteria are all met.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model.crosswalk import Crosswalk
from ..model.framework import Framework
from ..model.result import CriterionResult, CriterionStatus, DimensionResult, Equivalent


def equivalents(framework: Framework, dimensions: Sequence[DimensionResult], crosswalk: Crosswalk) -> tuple[Equivalent, ...]:
    if crosswalk.framework != framework.id:
        return tuple(
            Equivalent(
                model=m.id,
                name=m.name,
                kind=m.kind,
                supported=False,
                note=f"the crosswalk maps the {crosswalk.framework!r} framework's criteria; this result uses {framework.id!r}",
            )
            for m in crosswalk.models
            if m.id != framework.id
        )
    status = {c.id: c for d in dimensions for c in d.criteria}
    out = []
    for m in crosswalk.models:
        if m.kind == "levels":
            out.append(_levels(m, crosswalk, status))
        else:
            out.append(_catalog(m, crosswalk, status))
    return tuple(out)


def _levels(m, crosswalk: Crosswalk, status: dict[str, CriterionResult]) -> Equivalent:
    by_level: dict[int, list[CriterionResult]] = {}
    for cid, mapping in crosswalk.mappings.items():
        lv = mapping.levels.get(m.id)
        if lv is not None and cid in status:
            by_level.setdefault(lv, []).append(status[cid])
    numbers = m.level_numbers()
    base = numbers[0]
    level, note, unmet, unknown = base, "", (), ()
    for n in numbers[1:]:
        crits = [c for lv, cs in by_level.items() if lv <= n for c in cs]
        if not by_level.get(n):
            note = f"no criterion maps to {m.name} level {n}, so the crosswalk cannot place a result there"
            break
        missing = [c.id for c in crits if c.status is CriterionStatus.UNMET]
        unsure = [c.id for c in crits if c.status is CriterionStatus.UNKNOWN]
        if missing or unsure:
            unmet, unknown = tuple(missing), tuple(unsure)
            if not missing:
                note = f"level {n} rests on {len(unsure)} unknown criteria"
            break
        level = n
    return Equivalent(
        model=m.id,
        name=m.name,
        kind="levels",
        supported=len(by_level) > 0,
        level=level,
        level_name=m.level_name(level),
        unmet=unmet,
        unknown=unknown,
        note=note,
    )


def _catalog(m, crosswalk: Crosswalk, status: dict[str, CriterionResult]) -> Equivalent:
    per_item: dict[str, list[CriterionResult]] = {}
    for cid, mapping in crosswalk.mappings.items():
        for iid in mapping.ids.get(m.id, ()):
            if cid in status:
                per_item.setdefault(iid, []).append(status[cid])
    met, unmet, unknown = [], [], []
    for item in m.items:
        crits = per_item.get(item.id)
        if not crits:
            continue
        if all(c.status.satisfied for c in crits):
            met.append(item.id)
        elif any(c.status is CriterionStatus.UNMET for c in crits):
            unmet.append(item.id)
        else:
            unknown.append(item.id)
    uncovered = len(m.items) - len(per_item)
    note = "it has no levels"
    if uncovered:
        note += f"; {uncovered} of its {len(m.items)} ids have no counterpart in this framework"
    return Equivalent(
        model=m.id,
        name=m.name,
        kind="catalog",
        supported=bool(per_item),
        met=tuple(met),
        unmet=tuple(unmet),
        unknown=tuple(unknown),
        note=note,
    )
