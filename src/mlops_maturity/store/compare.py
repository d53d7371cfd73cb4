"""What changed between two assessments, and how levels moved over a series of them. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model.result import CriterionResult, Result

SPARK = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class LevelChange:
    dimension: str  # a dimension id, or "overall"
    name: str
    old: int | None
    new: int | None

    @property
    def delta(self) -> int:
        return (self.new or 0) - (self.old or 0)


@dataclass(frozen=True)
class CriterionChange:
    id: str
    dimension: str
    level: int
    title: str
    old: str | None  # status, or None when the criterion is not in that assessment's framework
    new: str | None


@dataclass(frozen=True)
class ResultDiff:
    levels: tuple[LevelChange, ...]  # every dimension of either side, changed or not
    newly_met: tuple[CriterionChange, ...]
    lost: tuple[CriterionChange, ...]
    # Neither met before nor after, but the status moved (unknown → unmet, …): worth knowing.
    other: tuple[CriterionChange, ...]
    framework_changed: bool

    @property
    def changed_levels(self) -> tuple[LevelChange, ...]:
        return tuple(c for c in self.levels if c.old != c.new)


def _criteria(result: Result) -> dict[str, tuple[str, CriterionResult]]:
    return {c.id: (d.id, c) for d in result.dimensions for c in d.criteria}


def _met(c: CriterionResult | None) -> bool:
    return c is not None and c.met is True


def compare(old: Result, new: Result) -> ResultDiff:
    levels = [LevelChange("overall", "Overall", old.overall.level, new.overall.level)]
    old_dims = {d.id: d for d in old.dimensions}
    new_dims = {d.id: d for d in new.dimensions}
    for did in [*new_dims, *(d for d in old_dims if d not in new_dims)]:
        o, n = old_dims.get(did), new_dims.get(did)
        levels.append(LevelChange(did, (n or o).name, o.level if o else None, n.level if n else None))

    before, after = _criteria(old), _criteria(new)
    newly_met, lost, other = [], [], []
    order = [*after, *(c for c in before if c not in after)]
    for cid in order:
        (dim_o, o) = before.get(cid, (None, None))
        (dim_n, n) = after.get(cid, (None, None))
        ref = n or o
        change = CriterionChange(
            id=cid,
            dimension=dim_n or dim_o,
            level=ref.level,
            title=ref.title,
            old=o.status.value if o else None,
            new=n.status.value if n else None,
        )
        if _met(n) and not _met(o):
            newly_met.append(change)
        elif _met(o) and not _met(n):
            lost.append(change)
        elif change.old != change.new and not (_met(o) and _met(n)):
            other.append(change)
    return ResultDiff(
        levels=tuple(levels),
        newly_met=tuple(newly_met),
        lost=tuple(lost),
        other=tuple(other),
        framework_changed=(old.framework.id, old.framework.version) != (new.framework.id, new.framework.version),
    )


def sparkline(levels: Sequence[int | None], low: int = 1, high: int = 5) -> str:
    """One block per assessment, its height the level (a space where the dimension is absent)."""
    span = max(high - low, 1)
    out = []
    for v in levels:
        if v is None:
            out.append(" ")
            continue
        v = min(max(v, low), high)
        out.append(SPARK[round((v - low) * (len(SPARK) - 1) / span)])
    return "".join(out)
