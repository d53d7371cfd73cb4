"""Self-contained HTML report: one file, inline CSS and SVG, no script, no external request.

It is the page people forward, so it opens with the answer (overall level, radar, one line per
dimension with its next step) and keeps the evidence one click away in <details>, which print
expanded. A Content-Security-Policy forbids scripts and every network fetch as a second line of
defence; the first is autoescaping (see templating.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..model.result import CriterionResult, CriterionStatus, DimensionResult, Result
from . import view
from .templating import render_template

# Colours per level, shared by the radar and the CSS classes lv1..lv5.
LEVEL_COLOURS = {1: "#dc2626", 2: "#ea580c", 3: "#ca8a04", 4: "#65a30d", 5: "#16a34a"}


def level_class(level: int) -> str:
    return f"lv{min(max(level, 1), 5)}"


def _wrap(text: str, width: int = 15) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines[:3] or [""]


@dataclass(frozen=True)
class RadarLabel:
    x: float
    y: float
    anchor: str
    lines: list[str]
    level: int
    previous: int | None
    css: str


def radar(result: Result, previous: Result | None, top: int) -> dict:
    """Geometry of the radar chart: one axis per dimension, level 0 at the centre, `top` at the rim."""
    size_w, size_h = 600, 450
    cx, cy, r = size_w / 2, size_h / 2 + 6, 150
    dims = result.dimensions
    n = max(len(dims), 3)

    def point(i: int, value: float, radius: float = r) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return (round(cx + radius * value / top * math.cos(angle), 1), round(cy + radius * value / top * math.sin(angle), 1))

    def polygon(values: list[float]) -> str:
        return " ".join(f"{x},{y}" for x, y in (point(i, v) for i, v in enumerate(values)))

    rings = [{"level": k, "points": polygon([k] * n), "label": point(0, k)} for k in range(1, top + 1)]
    axes = [point(i, top) for i in range(n)]
    before = view.previous_levels(previous)
    labels = []
    for i, d in enumerate(dims):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        lx, ly = point(i, top, r + 26)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        lines = _wrap(d.name)
        # Labels above the chart grow upwards, below it downwards, at the sides around the axis.
        height = 15 * len(lines) + 15
        sin = math.sin(angle)
        top_y = ly - height + 10 if sin < -0.3 else (ly + 2 if sin > 0.3 else ly - height / 2 + 10)
        labels.append(RadarLabel(lx, round(top_y, 1), anchor, lines, d.level, before.get(d.id), level_class(d.level)))
    points = [point(i, d.level) for i, d in enumerate(dims)]
    targets = [d.target_level for d in dims]
    return {
        "width": size_w,
        "height": size_h,
        "cx": cx,
        "cy": cy,
        "rings": rings,
        "axes": axes,
        "labels": labels,
        "current": polygon([d.level for d in dims]),
        "dots": [(x, y, level_class(d.level)) for (x, y), d in zip(points, dims, strict=True)],
        "previous": polygon([before.get(d.id, 0) for d in dims]) if previous is not None else "",
        "target": polygon([t or 0 for t in targets]) if all(t is not None for t in targets) and dims else "",
        "summary": "; ".join(f"{d.name} {d.level}" for d in dims),
    }


def _criterion(c: CriterionResult, practices: dict, missing: set[str], no_credit: set[str]) -> dict:
    evidence = [view.group_evidence(practices[pid]) for pid in c.practices if pid in practices]
    return {
        "c": c,
        "status": c.status.value,
        "label": view.STATUS_LABEL[c.status],
        "mark": view.STATUS_MARK[c.status],
        "basis": view.BASIS_LABEL.get(c.basis, c.basis),
        "evidence": evidence,
        "answered_at": view.when(c.answer.answered_at, time=False) if c.answer else "",
        "missing_foundation": c.id in missing,
        "no_credit": c.id in no_credit,
    }


def _dimension(result: Result, d: DimensionResult, top: int, names: dict[int, str], practices: dict, before: dict[str, int]) -> dict:
    missing = {m for s in d.skipped_foundations for m in s.missing}
    no_credit = {s.criterion for s in d.skipped_foundations}
    rungs = []
    for level in range(2, top + 1):
        crits = [c for c in d.criteria if c.level == level]
        if not crits:
            continue
        state = "reached" if level <= d.level else ("next" if level == d.next_level else "above")
        rungs.append(
            {
                "level": level,
                "heading": f"Level {level}",
                "status_text": "",
                "name": names.get(level, ""),
                "state": state,
                "css": level_class(level),
                "criteria": [_criterion(c, practices, missing, no_credit) for c in crits],
                "met": sum(1 for c in crits if c.status.satisfied),
                "total": len(crits),
            }
        )
    if d.score is not None:  # points-scored: one list of tests, each with its points
        rungs.append(
            {
                "level": d.level,
                "heading": f"Score {d.score:g} of {d.max_score or 0:g}",
                "status_text": f"{sum(1 for c in d.criteria if c.status.satisfied)} of {len(d.criteria)} at full points",
                "name": names.get(d.level, ""),
                "state": "reached",
                "css": level_class(d.level),
                "criteria": [_criterion(c, practices, missing, no_credit) for c in d.criteria],
                "met": sum(1 for c in d.criteria if c.status.satisfied),
                "total": len(d.criteria),
            }
        )
    counts = {s: sum(1 for c in d.criteria if c.status is s) for s in CriterionStatus}
    prev = before.get(d.id)
    return {
        "d": d,
        "css": level_class(d.level),
        "progress": round(d.progress * 100),
        "next_step": view.next_step(result, d),
        "pending": len(view.pending(d)),
        "rungs": rungs,
        "met": counts[CriterionStatus.MET],
        "unmet": counts[CriterionStatus.UNMET],
        "unknown": counts[CriterionStatus.UNKNOWN],
        "exempt": counts[CriterionStatus.EXEMPT] + counts[CriterionStatus.NOT_APPLICABLE],
        "previous": prev,
        "delta": view.delta(d.level, prev),
        "trend": "" if prev is None else ("up" if d.level > prev else ("down" if d.level < prev else "same")),
    }


def _first_notes(items) -> set[int]:
    """Priorities of the items that carry a note not shown on an earlier item (notes repeat per transition)."""
    seen: set[str] = set()
    firsts = set()
    for item in items:
        if item.note and item.note not in seen:
            seen.add(item.note)
            firsts.add(item.priority)
    return firsts


def render(result: Result, *, previous: Result | None = None, skipped_limit: int = 200, **_: object) -> str:
    top = view.max_level(result)
    names = view.level_names(result, previous)
    practices = view.practices_by_id(result)
    before = view.previous_levels(previous)
    dim_names = view.dimension_names(result)
    dims = [_dimension(result, d, top, names, practices, before) for d in result.dimensions]
    o = result.overall
    prev_overall = previous.overall.level if previous is not None else None
    return render_template(
        "report.html",
        r=result,
        previous=previous,
        previous_when=view.when(previous.generated_at, time=False) if previous is not None else "",
        generated=view.when(result.generated_at),
        commit=view.short_commit(result.subject.commit),
        overall_css=level_class(o.level),
        overall_delta=view.delta(o.level, prev_overall),
        overall_trend="" if prev_overall is None else ("up" if o.level > prev_overall else ("down" if o.level < prev_overall else "same")),
        weakest=[dim_names.get(w, w) for w in o.weakest],
        overall_score=view.overall_score_text(result),
        stage_summary=view.stage_summary(result),
        equivalents=[{"text": view.equivalent_text(e), "supported": e.supported} for e in result.equivalents],
        top=top,
        level_names=names,
        colours=LEVEL_COLOURS,
        radar=radar(result, previous, top),
        dims=dims,
        dim_names=dim_names,
        roadmap=view.roadmap(result),
        roadmap_notes=_first_notes(view.roadmap(result)),
        effort_label=view.EFFORT_LABEL,
        changes=view.changes(result, previous),
        failed_sources=[s for s in result.sources if s.status != "ok"],
        skipped_total=view.skipped_total(result),
        skipped_limit=skipped_limit,
        line_label=view.line_label,
        level_class=level_class,
    )
