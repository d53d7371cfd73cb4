"""Presentation helpers for the pages: the reporters' radar and badge (called, not copied), and
the small trend charts. Pure functions of finished data."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ..model.result import Result
from ..reporters import badge, html, view
from ..reporters.templating import render_template
from ..store.service import AssessmentSummary


def radar_svg(result: Result, previous: Result | None) -> Markup:
    """The HTML report's radar. Its template is rendered by the reporters' own environment, with
    autoescape on, so the markup it returns is safe to embed as it is."""
    return Markup(render_template("radar.svg", radar=html.radar(result, previous, view.max_level(result))))


def badge_svg(result: Result) -> Markup:
    return Markup(badge.render(result))


@dataclass(frozen=True)
class Trend:
    id: str
    name: str
    levels: list[int | None]  # oldest first
    points: str  # SVG polyline points
    dots: list[tuple[float, float, int]]
    latest: int | None
    first: int | None
    width: int
    height: int


def trends(result: Result, history: list[AssessmentSummary], width: int = 220, height: int = 44) -> list[Trend]:
    """One small line chart per dimension of `result`, over the project's assessments (oldest first)."""
    top = view.max_level(result)
    ordered = sorted(history, key=lambda s: (s.assessed_at, s.id))[-30:]
    out = []
    n = len(ordered)
    for d in result.dimensions:
        levels = [s.levels.get(d.id) for s in ordered]
        pts = []
        for i, v in enumerate(levels):
            if v is None:
                continue
            x = 6 + (width - 12) * (i / (n - 1) if n > 1 else 0.5)
            y = height - 6 - (height - 12) * (v / top if top else 0)
            pts.append((round(x, 1), round(y, 1), v))
        known = [v for v in levels if v is not None]
        out.append(
            Trend(
                d.id,
                d.name,
                levels,
                " ".join(f"{x},{y}" for x, y, _ in pts),
                pts,
                known[-1] if known else None,
                known[0] if known else None,
                width,
                height,
            )
        )
    return out


@dataclass(frozen=True)
class HeatRow:
    """One portfolio row, its classes and texts worked out here so that the template only prints
    (1,000 rows x 6 dimensions is 6,000 cells: every call in the template shows)."""

    project_id: int
    name: str
    team: str
    overall: str
    overall_css: str
    cells: list[tuple[str, str]]  # (css class, text)
    assessed: str
    age_days: int | None
    stale: bool


def level_css(level: int | None) -> str:
    return f"lv{min(max(level, 1), 5)}" if level is not None else "none"


def heatmap(rows, dimensions: list[tuple[str, str]], stale_after_days: int) -> list[HeatRow]:  # noqa: ANN001
    ids = [did for did, _ in dimensions]
    out = []
    for r in rows:
        cells = []
        for did in ids:
            level = r.levels.get(did)
            cells.append((level_css(level), "" if level is None else str(level)))
        out.append(
            HeatRow(
                r.project_id,
                r.name,
                r.team,
                "" if r.overall is None else str(r.overall),
                level_css(r.overall),
                cells,
                view.when(r.assessed_at, time=False) if r.assessed_at else "",
                r.age_days,
                r.age_days is not None and r.age_days > stale_after_days,
            )
        )
    return out


@dataclass(frozen=True)
class Pages:
    number: int
    count: int
    start: int
    end: int
    total: int

    @classmethod
    def of(cls, total: int, number: int, size: int) -> Pages:
        count = max(1, -(-total // size))
        number = min(max(number, 1), count)
        start = (number - 1) * size
        return cls(number, count, start, min(start + size, total), total)
