"""Terminal report (Rich): the profile, pitfalls and the first steps of the roadmap.

Colour only on a terminal and never with NO_COLOR; repository strings are rendered as plain
text (no Rich markup, no control characters).
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..model.result import CriterionStatus, Result
from . import view
from .text import clean

STATUS_STYLE = {
    CriterionStatus.MET: ("✔", "green"),
    CriterionStatus.UNMET: ("✘", "red"),
    CriterionStatus.UNKNOWN: ("?", "yellow"),
    CriterionStatus.NOT_APPLICABLE: ("–", "cyan"),
    CriterionStatus.EXEMPT: ("–", "cyan"),
}
LEVEL_STYLE = {1: "red", 2: "dark_orange", 3: "yellow", 4: "green", 5: "bright_green"}


def _bar(fraction: float, width: int = 10) -> str:
    filled = round(fraction * width)
    return "█" * filled + "░" * (width - filled)


def _ladder(level: int, max_level: int) -> str:
    return "■" * level + "□" * (max_level - level)


def render(result: Result, *, previous: Result | None = None, verbose: bool = False, color: bool = False, width: int = 100, top: int = 5) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False, emoji=False)
    max_level = max([d.level for d in result.dimensions] + [d.next_level or 0 for d in result.dimensions] + [5])

    subject = clean(result.subject.name)
    head = Text()
    head.append("MLOps maturity: ", style="bold")
    head.append(subject, style="bold")
    head.append(f"  ({result.framework.name or result.framework.id} {result.framework.version})", style="dim")
    console.print(head)
    o = result.overall
    line = Text()
    line.append(f"Overall level {o.level} — {o.level_name}", style=f"bold {LEVEL_STYLE.get(o.level, 'white')}")
    line.append(f"   mean {o.mean:.1f} · weakest: {', '.join(o.weakest)} ({o.weakest_level})")
    console.print(line)
    if o.score is not None:
        console.print(Text(view.overall_score_text(result) + (f" · {o.level_summary}" if o.level_summary else ""), style="dim"))
    if o.unknown_criteria:
        console.print(
            Text(
                f"{o.unknown_criteria} of {o.total_criteria} criteria are unknown (no evidence either way); "
                "answer the questionnaire (--answers) to settle them.",
                style="yellow",
            )
        )

    before = {d.id: d.level for d in previous.dimensions} if previous is not None else {}
    if previous is not None:
        diff = o.level - previous.overall.level
        change = "unchanged" if diff == 0 else f"{'▲' if diff > 0 else '▼'} {diff:+d} (was {previous.overall.level})"
        console.print(Text(f"Since {previous.generated_at:%Y-%m-%d}: overall {change}", style="dim"))

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("Dimension", no_wrap=True, max_width=30)
    table.add_column("Level", justify="left", no_wrap=True)
    if previous is not None:
        table.add_column("Δ", justify="left", no_wrap=True, min_width=3)
    table.add_column("Next level", justify="left", no_wrap=True)
    table.add_column("Next unmet criterion", no_wrap=True, overflow="ellipsis", max_width=max(20, width - 64))
    for d in result.dimensions:
        style = LEVEL_STYLE.get(d.level, "white")
        if d.score is not None:  # points-scored: the level and the section score, no ladder
            level = Text(f"{d.level} ({d.score:g}/{d.max_score or 0:g})", style=style)
        else:
            level = Text(f"{_ladder(d.level, max_level)} {d.level}", style=style)
        if d.potential_level > d.level:
            level.append(f" ≤{d.potential_level}?", style="yellow")
        if d.next_level is None:
            nxt = Text("top level", style="green")
            crit = Text("")
        else:
            nxt = Text(f"{_bar(d.progress, 8)} {round(d.progress * 100):>3}% → {d.next_level}")
            pending = view.pending(d)
            crit = Text(clean(pending[0].title) if pending else "", style="" if not pending or pending[0].status is CriterionStatus.UNMET else "yellow")
            if len(pending) > 1:
                crit.append(f" (+{len(pending) - 1})", style="dim")
        if d.target_level is not None:
            nxt.append(f"  target {d.target_level}" + (" reached" if d.target_reached else ""), style="green" if d.target_reached else "dim")
        cells = [d.name, level]
        if previous is not None:
            diff = d.level - before[d.id] if d.id in before else None
            cells.append(Text("new" if diff is None else ("=" if diff == 0 else f"{'▲' if diff > 0 else '▼'}{diff:+d}"), style="dim" if not diff else ("green" if diff > 0 else "red")))
        table.add_row(*cells, nxt, crit)
    console.print(table)

    if verbose:
        for d in result.dimensions:
            console.print(Text(f"{d.name} — level {d.level}", style="bold"))
            for c in d.criteria:
                mark, style = STATUS_STYLE[c.status]
                row = Text(f"  {mark} {view.criterion_tag(c):<4} ", style=style)
                row.append(clean(c.title))
                row.append(f"  [{c.basis}]", style="dim")
                console.print(row)
                if c.reason:
                    console.print(Text(f"      {c.status.value}: {clean(c.reason)}", style="cyan"))
                if c.answer is not None:
                    who = f" by {clean(c.answer.respondent)}" if c.answer.respondent else ""
                    note = f" — {clean(c.answer.note, 100)}" if c.answer.note else ""
                    console.print(Text(f"      answered {c.answer.value}{who}{note}", style="dim"))
                if c.disagreement:
                    console.print(Text(f"      ! {clean(c.disagreement)}", style="magenta"))
                for pid in c.observed:
                    p = next((p for p in result.practices if p.id == pid), None)
                    for e in (p.evidence if p else ())[:3]:
                        ev = Text(f"      {clean(e.location)}", style="blue")
                        ev.append(f"  {clean(e.message or e.snippet, 70)}", style="dim")
                        console.print(ev)

    if result.exemptions:
        console.print(Text("Exemptions", style="bold"))
        for e in result.exemptions:
            console.print(Text(f"  – {e.criterion} ({e.kind}): {clean(e.reason)}", style="cyan"))

    if result.pitfalls:
        console.print(Text("Pitfalls", style="bold"))
        for p in result.pitfalls:
            t = Text("  ⚠ ", style="magenta")
            t.append(f"{p.id}: ", style="bold magenta")
            t.append(clean(p.message))
            console.print(t)

    if result.roadmap:
        console.print(Text(f"Roadmap (top {min(top, len(result.roadmap))} of {len(result.roadmap)})", style="bold"))
        shown_notes: set[str] = set()
        for item in result.roadmap[:top]:
            t = Text(f"  {item.priority}. ", style="bold")
            t.append(f"[{item.dimension} {item.from_level}→{item.to_level}, effort {item.effort}] ", style="dim")
            t.append(clean(item.action))
            console.print(t)
            if item.note and item.note not in shown_notes:
                shown_notes.add(item.note)
                console.print(Text(f"     {clean(item.note)}", style="dim"))

    stage = view.stage_summary(result)
    if stage:
        console.print(Text(stage, style="green" if "every dimension" in stage else "dim"))
    if result.equivalents:
        console.print(Text("In the public models' terms", style="bold"))
        for e in result.equivalents:
            console.print(Text(f"  {clean(view.equivalent_text(e))}", style="" if e.supported else "dim"))

    failed = [s for s in result.sources if s.status != "ok"]
    for s in failed:
        console.print(Text(f"source {s.name} {s.status}: {clean(s.message)}", style="red"))
    skipped = sum(len(s.skipped) for s in result.sources)
    if skipped:
        console.print(Text(f"{skipped} files skipped (see --format json for the list and reasons).", style="dim"))
    return buf.getvalue()


__all__ = ["render", "Group"]
