"""Presentation facts shared by the document renderers (HTML, Markdown, SARIF, badge).

Everything here is derived from the Result alone, so a stored result re-renders identically.
Nothing here escapes: each renderer escapes for its own output language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..model.evidence import Evidence
from ..model.result import CriterionResult, CriterionStatus, DimensionResult, PracticeResult, Result, RoadmapItem

STATUS_LABEL = {
    CriterionStatus.MET: "met",
    CriterionStatus.UNMET: "not met",
    CriterionStatus.UNKNOWN: "unknown",
    CriterionStatus.NOT_APPLICABLE: "not applicable",
    CriterionStatus.EXEMPT: "exempt",
}
STATUS_MARK = {
    CriterionStatus.MET: "✓",
    CriterionStatus.UNMET: "✗",
    CriterionStatus.UNKNOWN: "?",
    CriterionStatus.NOT_APPLICABLE: "–",
    CriterionStatus.EXEMPT: "–",
}
BASIS_LABEL = {
    "observed": "observed",
    "declared": "declared",
    "observed+declared": "observed + declared",
    "exemption": "exemption",
    "none": "no evidence",
}
EFFORT_LABEL = {"S": "small", "M": "medium", "L": "large"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def when(dt: datetime | None, *, time: bool = True) -> str:
    """A fixed, locale-free date: '20 Nov 2026, 09:30 UTC'."""
    if dt is None:
        return ""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    day = f"{dt.day} {MONTHS[dt.month - 1]} {dt.year}"
    return f"{day}, {dt:%H:%M} UTC" if time else day


def short_commit(commit: str | None) -> str:
    return (commit or "")[:12]


def max_level(result: Result) -> int:
    """The framework's top level as far as the result shows it (criteria exist up to the top)."""
    levels = [c.level for d in result.dimensions for c in d.criteria if c.level is not None]
    return max([2, *levels, *(d.level for d in result.dimensions), *(d.next_level or 0 for d in result.dimensions)])


def level_names(*results: Result | None) -> dict[int, str]:
    """The level names a result carries (its own levels only; the framework is not consulted)."""
    names: dict[int, str] = {}
    for r in results:
        if r is None:
            continue
        if r.overall.level_name:
            names.setdefault(r.overall.level, r.overall.level_name)
        for d in r.dimensions:
            if d.level_name:
                names.setdefault(d.level, d.level_name)
    return names


def roadmap(result: Result) -> list[RoadmapItem]:
    """Roadmap items in priority order (a stored result may list them in any order)."""
    return sorted(result.roadmap, key=lambda i: (i.priority, i.dimension, i.criterion))


def practices_by_id(result: Result) -> dict[str, PracticeResult]:
    return {p.id: p for p in result.practices}


def pending(d: DimensionResult) -> list[CriterionResult]:
    """Criteria of the next level that still stand between the dimension and that level
    (points-scored frameworks: the criteria that can still earn points, unmet before unknown)."""
    if d.next_level is None:
        return []
    if d.score is not None:
        open_ = [c for c in d.criteria if (c.points or 0) < (c.max_points or 0) and not c.status.satisfied]
        return sorted(open_, key=lambda c: 0 if c.status is CriterionStatus.UNMET else 1)
    return [c for c in d.criteria if c.level == d.next_level and c.status in (CriterionStatus.UNMET, CriterionStatus.UNKNOWN)]


def criterion_tag(c: CriterionResult) -> str:
    """'L3★' for a gated criterion, '0.5/1' for a points-scored one."""
    if c.level is None:
        return f"{c.points or 0:g}/{c.max_points or 0:g}"
    return f"L{c.level}{'★' if c.defining else ''}"


def score_text(d: DimensionResult) -> str:
    """'score 1.5 of 7' for a points-scored dimension, else ''."""
    if d.score is None:
        return ""
    return f"score {d.score:g} of {d.max_score or 0:g}"


def overall_score_text(result: Result) -> str:
    o = result.overall
    if o.score is None:
        return ""
    return f"final score {o.score:g} (the lowest section score; each section out of {o.max_score or 0:g})"


def stage_summary(result: Result) -> str:
    """Where the dimensions stand against the stage's targets: what the roadmap aims at."""
    if not result.subject.stage:
        return ""
    with_target = [d for d in result.dimensions if d.target_level is not None]
    if not with_target:
        return ""
    reached = [d.id for d in with_target if d.level >= (d.target_level or 0)]
    below = [f"{d.id} {d.level}→{d.target_level}" for d in with_target if d.level < (d.target_level or 0)]
    text = f"Stage {result.subject.stage}: "
    if not below:
        return text + "every dimension has reached its target level."
    text += "below target: " + ", ".join(below)
    if reached:
        text += "; target reached: " + ", ".join(reached)
    return text + "."


def equivalent_text(e) -> str:  # noqa: ANN001
    """One line per public model: the equivalent standing, or why the mapping cannot say."""
    if not e.supported:
        return f"{e.name}: not supported ({e.note})"
    if e.kind == "levels":
        text = f"{e.name}: level {e.level} ({e.level_name})"
        if e.unmet:
            text += f"; next level needs {', '.join(e.unmet[:3])}" + (f" +{len(e.unmet) - 3}" if len(e.unmet) > 3 else "")
        if e.note:
            text += f"; {e.note}"
        return text
    mapped = len(e.met) + len(e.unmet) + len(e.unknown)
    text = f"{e.name}: {len(e.met)} of {mapped} mapped ids met"
    if e.met:
        text += f" ({', '.join(e.met[:6])}{' …' if len(e.met) > 6 else ''})"
    text += f", {len(e.unmet)} not met, {len(e.unknown)} unknown"
    return text + (f"; {e.note}" if e.note else "")


@dataclass(frozen=True)
class NextStep:
    text: str
    kind: str  # "roadmap" | "unknown" | "target" | "top"
    criterion: str = ""


def next_step(result: Result, d: DimensionResult) -> NextStep:
    first = next((i for i in roadmap(result) if i.dimension == d.id), None)
    if first is not None:
        return NextStep(first.title or first.criterion, "roadmap", first.criterion)
    if d.next_level is None:
        return NextStep("top level reached", "top")
    if d.target_level is not None and d.level >= d.target_level:
        return NextStep(f"target level {d.target_level} reached", "target")
    rest = pending(d)
    if rest:
        c = rest[0]
        return NextStep(c.title or c.id, "unknown" if c.status is CriterionStatus.UNKNOWN else "roadmap", c.id)
    return NextStep("", "top")


@dataclass
class FileEvidence:
    path: str
    items: list[Evidence] = field(default_factory=list)


@dataclass
class PracticeEvidence:
    id: str
    title: str
    status: str
    sources: tuple[str, ...]
    files: list[FileEvidence]
    shown: int
    total: int
    dependency_only: list[Evidence]


def group_evidence(p: PracticeResult, limit: int = 25) -> PracticeEvidence:
    """Evidence of one practice, grouped by file in first-seen order, at most `limit` locations."""
    files: dict[str, FileEvidence] = {}
    shown = 0
    for e in p.evidence:
        if shown >= limit:
            break
        files.setdefault(e.path, FileEvidence(e.path)).items.append(e)
        shown += 1
    for f in files.values():
        f.items.sort(key=lambda e: (e.cell or 0, e.line or 0))
    return PracticeEvidence(
        id=p.id,
        title=p.title or p.id,
        status=p.status.value,
        sources=p.sources,
        files=list(files.values()),
        shown=shown,
        total=len(p.evidence),
        dependency_only=list(p.dependency_only[:limit]),
    )


def line_label(e: Evidence) -> str:
    if e.cell is not None:
        return f"cell {e.cell}" + (f":{e.line}" if e.line is not None else "")
    return str(e.line) if e.line is not None else ""


@dataclass(frozen=True)
class Change:
    criterion: str
    title: str
    dimension: str
    before: str
    after: str
    better: bool


def changes(result: Result, previous: Result | None) -> list[Change]:
    """Criteria whose status moved between two assessments of the same framework."""
    if previous is None:
        return []
    before = {c.id: c for d in previous.dimensions for c in d.criteria}
    rank = {
        CriterionStatus.UNMET: 0,
        CriterionStatus.UNKNOWN: 1,
        CriterionStatus.MET: 2,
        CriterionStatus.NOT_APPLICABLE: 2,
        CriterionStatus.EXEMPT: 2,
    }
    out = []
    for d in result.dimensions:
        for c in d.criteria:
            old = before.get(c.id)
            if old is None or old.status is c.status:
                continue
            out.append(Change(c.id, c.title or c.id, d.name, STATUS_LABEL[old.status], STATUS_LABEL[c.status], rank[c.status] >= rank[old.status]))
    return out


def previous_levels(previous: Result | None) -> dict[str, int]:
    return {d.id: d.level for d in previous.dimensions} if previous is not None else {}


def delta(now: int, before: int | None) -> str:
    if before is None:
        return ""
    diff = now - before
    return "±0" if diff == 0 else f"{diff:+d}"


def skipped_total(result: Result) -> int:
    return sum(len(s.skipped) for s in result.sources)


def dimension_names(result: Result) -> dict[str, str]:
    return {d.id: d.name for d in result.dimensions}
