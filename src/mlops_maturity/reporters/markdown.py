"""GitHub-flavoured Markdown: for a pull-request comment or a CI job summary.

Compact on purpose: the table, the overall line, pitfalls and the first roadmap steps are
visible; criteria and evidence sit in collapsed <details>. Text from a repository or an answers
file is escaped for both Markdown and HTML (GitHub renders inline HTML), cannot @-mention anyone,
and cannot break out of a table cell or a code span. The whole comment stays under GitHub's
65,536-character limit by cutting the evidence first.
"""

from __future__ import annotations

import re

from ..model.result import CriterionStatus, Result
from . import view
from .text import clean

# GitHub rejects comments longer than 65,536 characters; keep room for a wrapper's own text.
MAX_CHARS = 60_000

# Characters that can start markup mid-line (backslash escapes are valid for any ASCII punctuation).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# "@team" after a non-word character is a mention on GitHub; "lead@example.com" is not.
_MENTION = re.compile(r"(?<![\w.%+-])@(?=\w)")

EMOJI = {
    CriterionStatus.MET: "✅",
    CriterionStatus.UNMET: "❌",
    CriterionStatus.UNKNOWN: "❔",
    CriterionStatus.NOT_APPLICABLE: "➖",
    CriterionStatus.EXEMPT: "➖",
}


def md(text: str, limit: int | None = None) -> str:
    """Plain text in Markdown (also inside a table cell): no markup, no HTML, no mention."""
    text = clean(text, limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # A zero-width joiner after @ keeps "@team" readable but stops GitHub from notifying it.
    return _MENTION.sub("@\u2060", text)


def code(text: str, limit: int | None = 120) -> str:
    """Literal text as an inline code span (outside tables): a fence longer than any backtick run."""
    text = clean(text, limit).strip() or " "
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _bar(fraction: float, width: int = 10) -> str:
    filled = round(fraction * width)
    return "█" * filled + "░" * (width - filled)


def _summary(result: Result, previous: Result | None) -> list[str]:
    o = result.overall
    names = view.dimension_names(result)
    before = view.previous_levels(previous)
    out = [f"### MLOps maturity: {md(result.subject.name, 120)}", ""]
    change = ""
    if previous is not None:
        d = view.delta(o.level, previous.overall.level)
        change = f" ({'unchanged' if d == '±0' else d} since {view.when(previous.generated_at, time=False)})"
    weakest = ", ".join(md(names.get(w, w)) for w in o.weakest)
    out.append(
        f"**Overall level {o.level}{' — ' + md(o.level_name) if o.level_name else ''}**{change} · "
        f"mean {o.mean:.1f} · weakest: {weakest} ({o.weakest_level})"
    )
    if o.score is not None:
        out.append("")
        out.append(md(view.overall_score_text(result)) + (f" — {md(o.level_summary)}" if o.level_summary else ""))
    meta = [f"{md(result.framework.name or result.framework.id)} {md(result.framework.version)}", view.when(result.generated_at)]
    if result.subject.commit:
        meta.append(f"commit {code(view.short_commit(result.subject.commit))}")
    if result.subject.stage:
        meta.append(f"stage {md(result.subject.stage)}")
    out += ["", "<sub>" + " · ".join(meta) + "</sub>", ""]

    delta_col = previous is not None
    head = "| Dimension | Level |" + (" Change |" if delta_col else "") + " Progress to next | Next step |"
    rule = "|---|---|" + ("---|" if delta_col else "") + "---|---|"
    out += [head, rule]
    for d in result.dimensions:
        level = f"**{d.level}**" + (f" {md(d.level_name)}" if d.level_name else "")
        if d.score is not None:
            level += f" ({d.score:g} of {d.max_score or 0:g})"
        if d.potential_level > d.level:
            level += f" (≤{d.potential_level}?)"
        if d.next_level is None:
            progress = "top level"
        else:
            progress = f"`{_bar(d.progress)}` {round(d.progress * 100)}% → {d.next_level}"
            if d.target_level is not None:
                progress += f" (target {d.target_level}{' reached' if d.target_reached else ''})"
        step = view.next_step(result, d)
        step_text = md(step.text, 110) + (" (unknown)" if step.kind == "unknown" else "")
        cells = [md(d.name), level]
        if delta_col:
            cells.append(view.delta(d.level, before.get(d.id)) or "new")
        cells += [progress, step_text]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    stage = view.stage_summary(result)
    if stage:
        out += [md(stage), ""]
    if result.equivalents:
        out += ["In the public models' terms (through the crosswalk):", ""]
        out += [f"- {md(view.equivalent_text(e), 400)}" for e in result.equivalents]
        out.append("")
    if o.unknown_criteria:
        out += [f"{o.unknown_criteria} of {o.total_criteria} criteria are unknown (not counted as unmet); answer the questionnaire to settle them.", ""]
    for s in result.sources:
        if s.status != "ok":
            out += [f"> [!WARNING]\n> Source {md(s.name)} {md(s.status)}: {md(s.message, 300)}", ""]
    return out


def _pitfalls(result: Result) -> list[str]:
    if not result.pitfalls:
        return []
    out = ["#### Pitfalls", ""]
    out += [f"- ⚠️ **{md(p.id)}**: {md(p.message, 400)}" for p in result.pitfalls]
    return out + [""]


def _roadmap(result: Result, top: int) -> list[str]:
    items = view.roadmap(result)
    if not items:
        return ["#### Roadmap", "", "Nothing to plan: every dimension is at its top level or its target.", ""]
    names = view.dimension_names(result)
    out = [f"#### Roadmap (top {min(top, len(items))} of {len(items)})", "", "| # | Dimension | Step | Action | Effort |", "|---|---|---|---|---|"]
    for i in items[:top]:
        title = md(i.title or i.criterion, 160)
        action = md(i.action, 400)
        out.append(f"| {i.priority} | {md(names.get(i.dimension, i.dimension))} | {i.from_level} → {i.to_level} | **{title}**<br>{action} | {md(i.effort)} |")
    return out + [""]


def _details(result: Result, evidence_per_criterion: int) -> list[str]:
    practices = view.practices_by_id(result)
    out = ["<details><summary>Criteria and evidence</summary>", ""]
    for d in result.dimensions:
        out += [f"**{md(d.name)}**: level {d.level}", ""]
        for c in d.criteria:
            mark = EMOJI[c.status]
            line = f"- {mark} {md(view.criterion_tag(c))} {md(c.title or c.id)} {code(c.id)} — {view.STATUS_LABEL[c.status]}, {view.BASIS_LABEL.get(c.basis, c.basis)}"
            out.append(line)
            if c.reason:
                out.append(f"  - reason: {md(c.reason, 300)}")
            if c.disagreement:
                out.append(f"  - ⚠️ {md(c.disagreement, 300)}")
            if c.answer is not None:
                who = f" by {md(c.answer.respondent, 80)}" if c.answer.respondent else ""
                note = f": {md(c.answer.note, 300)}" if c.answer.note else ""
                out.append(f"  - answered {c.answer.value}{who}{note}")
            shown = 0
            total = 0
            for pid in c.observed:
                p = practices.get(pid)
                if p is None:
                    continue
                total += len(p.evidence)
                for e in p.evidence:
                    if shown >= evidence_per_criterion:
                        break
                    snippet = f" {code(e.snippet, 100)}" if e.snippet else ""
                    msg = f" — {md(e.message, 120)}" if e.message else ""
                    out.append(f"  - {code(e.location, 160)}{snippet}{msg}")
                    shown += 1
            if total > shown:
                out.append(f"  - … and {total - shown} more locations")
        out.append("")
    if result.exemptions:
        out += ["**Exemptions**", ""]
        out += [f"- {code(e.criterion)} ({md(e.kind.replace('_', ' '))}): {md(e.reason, 300)}" for e in result.exemptions]
        out.append("")
    skipped = view.skipped_total(result)
    if skipped:
        out += [f"{skipped} file{'s' if skipped != 1 else ''} skipped by the scan (see the JSON result for the list).", ""]
    out += ["</details>", ""]
    return out


def render(result: Result, *, previous: Result | None = None, top: int = 5, evidence_per_criterion: int = 3, **_: object) -> str:
    head = _summary(result, previous) + _pitfalls(result) + _roadmap(result, top)
    footer = [f"<sub>{md(result.tool.name)} {md(result.tool.version)}</sub>", ""]
    for per in (evidence_per_criterion, 1, 0):
        text = "\n".join(head + _details(result, per) + footer)
        if len(text) <= MAX_CHARS:
            return text
    return "\n".join(head + ["<sub>Criteria and evidence left out: too long for a comment; see the HTML or JSON report.</sub>", ""] + footer)
