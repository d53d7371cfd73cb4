"""Plain-text and Markdown renderings of concepts and quizzes: pure functions returning str.

A concept linked to the framework is shown with what the framework says (a level's summary
and criteria, a dimension's criteria per level, a transition's first steps) next to what the
concept adds, so the two are read together but written once.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from ..model.framework import Framework
from .content import Concept, Concepts
from .items import Quiz, QuizItem

LETTERS = "ABCDEFGHIJ"
SHOW = "mlops-maturity learn show {id}"


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ConceptView:
    """A concept with its framework link resolved: what every renderer shows."""

    id: str
    kind: str
    title: str
    summary: str
    lead: tuple[Section, ...]  # shown before the body (a myth and its reality)
    body: tuple[str, ...]
    sections: tuple[Section, ...]
    see_also: tuple[tuple[str, str], ...]  # (id, title)


def _criterion_line(c, with_dimension: bool) -> str:
    star = "★ " if c.defining else ""
    where = f"[{c.dimension}] " if with_dimension else ""
    return f"{star}{where}{c.title}"


def concept_title(concept: Concept, framework: Framework) -> str:
    if concept.title:
        return concept.title
    link = concept.framework
    if link is not None and link.level is not None:
        return f"Level {link.level} — {framework.level_name(link.level)}"
    if link is not None and link.dimension is not None:
        return f"{framework.dimension(link.dimension).name} ({link.dimension})"
    if link is not None and link.transition is not None:
        a, b = (int(x) for x in link.transition.split("-"))
        return f"From level {a} ({framework.level_name(a)}) to level {b} ({framework.level_name(b)})"
    if link is not None and link.pitfall is not None:
        text = framework.pitfall_text(link.pitfall)
        return text.title if text else link.pitfall
    return concept.id


def concept_view(concept: Concept, concepts: Concepts, framework: Framework) -> ConceptView:
    link = concept.framework
    # A myth is told by its Myth and Reality sections rather than a summary line.
    summary = concept.summary or ""
    sections: list[Section] = []
    lead: list[Section] = []
    active = sorted(framework.active_criteria(), key=lambda c: (c.level, c.dimension))
    if concept.myth and concept.reality:
        lead += [Section("Myth", (concept.myth,)), Section("Reality", (concept.reality,))]
    if link is not None and link.level is not None:
        level = next(lv for lv in framework.levels if lv.number == link.level)
        summary = concept.summary or level.summary
        at = [c for c in active if c.level == level.number]
        if at:
            sections.append(Section("Criteria at this level (★ defines the overall level)", tuple(_criterion_line(c, True) for c in at)))
        else:
            sections.append(Section("Criteria at this level", ("None: every team starts here.",)))
        into = next((t for t in framework.transitions if t.to_level == level.number), None)
        if into:
            sections.append(Section(f"First steps from level {into.from_level}", into.first_steps))
    elif link is not None and link.dimension is not None:
        dim = framework.dimension(link.dimension)
        summary = concept.summary or dim.description
        for lv in sorted(framework.levels, key=lambda x: x.number):
            at = [c for c in active if c.dimension == dim.id and c.level == lv.number]
            if at:
                sections.append(Section(f"Level {lv.number} — {lv.name}", tuple(_criterion_line(c, False) for c in at)))
    elif link is not None and link.transition is not None:
        a, b = (int(x) for x in link.transition.split("-"))
        tr = next(t for t in framework.transitions if t.from_level == a and t.to_level == b)
        summary = concept.summary or tr.summary
        sections.append(Section("First steps", tr.first_steps))
        sections.append(
            Section(f"Criteria to meet at level {b} (★ defines the overall level)", tuple(_criterion_line(c, True) for c in active if c.level == b))
        )
    elif link is not None and link.pitfall is not None:
        text = framework.pitfall_text(link.pitfall)
        name = f" ({text.title})" if text else ""
        sections.append(Section("In a report", (f"Reported as the pitfall `{link.pitfall}`{name}.",)))
    see = []
    for other in concept.see_also:
        see.append((other, concept_title(concepts.get(other), framework)))
    return ConceptView(
        id=concept.id,
        kind=concept.kind,
        title=concept_title(concept, framework),
        summary=summary,
        lead=tuple(lead),
        body=concept.body,
        sections=tuple(sections),
        see_also=tuple(see),
    )


def _bold(text: str, color: bool) -> str:
    return f"\x1b[1m{text}\x1b[0m" if color else text


def _dim(text: str, color: bool) -> str:
    return f"\x1b[2m{text}\x1b[0m" if color else text


def _wrap(text: str, width: int, indent: str = "", hanging: str | None = None) -> str:
    return textwrap.fill(" ".join(text.split()), width=width, initial_indent=indent, subsequent_indent=hanging if hanging is not None else indent)


def render_concept(view: ConceptView, *, fmt: str = "text", color: bool = False, width: int = 100) -> str:
    if fmt == "markdown":
        out = [f"# {view.title}", "", *([f"*{view.summary}*", ""] if view.summary else [])]
        for s in view.lead:
            out += [f"**{s.heading}:** {' '.join(' '.join(s.lines).split())}", ""]
        out += [p for para in view.body for p in (" ".join(para.split()), "")]
        for s in view.sections:
            out += [f"## {s.heading}", ""] + [f"- {line}" for line in s.lines] + [""]
        if view.see_also:
            out += ["## See also", ""] + [f"- {title} (`{SHOW.format(id=cid)}`)" for cid, title in view.see_also] + [""]
        return "\n".join(out)
    out = [_bold(view.title, color), *([_wrap(view.summary, width)] if view.summary else []), ""]
    for s in view.lead:
        out += [_wrap(f"{s.heading}: {' '.join(s.lines)}", width, "", "  "), ""]
    for para in view.body:
        out += [_wrap(para, width), ""]
    for s in view.sections:
        out.append(_bold(s.heading, color))
        out += [_wrap(line, width, "  - ", "    ") for line in s.lines]
        out.append("")
    if view.see_also:
        out.append(_bold("See also", color))
        pad = max(len(cid) for cid, _ in view.see_also)
        out += [f"  {cid:<{pad}}  {title}" for cid, title in view.see_also]
        out.append("")
    return "\n".join(out)


def render_index(concepts: Concepts, framework: Framework, *, color: bool = False) -> str:
    out = [
        _bold("Learn the MLOps maturity model", color),
        _dim("Read one concept: mlops-maturity learn show ID · test yourself: mlops-maturity learn quiz", color),
        "",
    ]
    pad = max((len(c.id) for c in concepts.concepts), default=0)
    for kind in concepts.kinds:
        members = [c for c in concepts.concepts if c.kind == kind.id]
        if not members:
            continue
        out.append(_bold(kind.title, color))
        out += [f"  {c.id:<{pad}}  {concept_title(c, framework)}" for c in members]
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- quizzes


def _tags(item: QuizItem) -> str:
    return " · ".join([item.difficulty.value, *(item.dimensions or ("general",))])


def item_text(item: QuizItem, number: int, total: int, *, width: int = 100, color: bool = False) -> str:
    """A question as the terminal and the text sheet show it."""
    out = [_bold(f"Question {number} of {total}", color) + _dim(f" · {_tags(item)}", color), _wrap(item.prompt, width, "  ")]
    out += [_wrap(line, width, "    - ", "      ") for line in item.context]
    out += [_wrap(opt, width, f"  {LETTERS[i]}) ", "     ") for i, opt in enumerate(item.options)]
    return "\n".join(out) + "\n"


def answer_text(item: QuizItem, number: int | None, concepts: Concepts, framework: Framework, *, width: int = 100, color: bool = False) -> str:
    """The answer with its worked solution, the common mistakes and the concept to review."""
    head = f"{number}. " if number is not None else ""
    out = [_bold(f"{head}{LETTERS[item.answer]}) {item.options[item.answer]}", color)]
    out.append("   Worked solution:")
    for i, step in enumerate(item.solution, 1):
        out.append(_wrap(step.text, width, f"     {i}. ", "        "))
        out += [_wrap(d, width, "        - ", "          ") for d in step.details]
    out.append("   Common mistakes:")
    out += [_wrap(m, width, "     - ", "       ") for m in item.mistakes]
    title = concept_title(concepts.get(item.concept), framework)
    out.append(f"   Concept: {title} ({SHOW.format(id=item.concept)})")
    return "\n".join(out) + "\n"


def _focus(quiz: Quiz) -> list[str]:
    if not quiz.weights:
        return []
    top = max(quiz.weights.values())
    return [d for d, w in quiz.weights.items() if w == top]


def sheet_header(quiz: Quiz) -> list[str]:
    parts = [f"{len(quiz.items)} questions", quiz.difficulty.value if quiz.difficulty else "mixed difficulty", f"seed {quiz.seed}"]
    lines = [" · ".join(parts)]
    focus = _focus(quiz)
    if focus:
        lines.append(f"Weighted toward the weakest dimensions: {', '.join(focus)}")
    return lines


def render_sheet(quiz: Quiz, concepts: Concepts, framework: Framework, *, fmt: str = "text", width: int = 100) -> str:
    """A printable quiz: the questions, the hints, then the answer key with worked solutions."""
    if fmt == "markdown":
        return _sheet_markdown(quiz, concepts, framework)
    n = len(quiz.items)
    out = ["MLOps maturity quiz", "===================", *sheet_header(quiz), "", "Questions", "---------", ""]
    for i, item in enumerate(quiz.items, 1):
        out.append(item_text(item, i, n, width=width))
    out += ["Hints", "-----", ""]
    out += [_wrap(item.hint, width, f"{i}. ", " " * (len(str(i)) + 2)) for i, item in enumerate(quiz.items, 1)]
    out += ["", "Answer key", "----------", ""]
    for i, item in enumerate(quiz.items, 1):
        out.append(answer_text(item, i, concepts, framework, width=width))
    return "\n".join(out)


def _md_list(lines: Sequence[str], bullet: str = "-") -> list[str]:
    return [f"{bullet} {' '.join(line.split())}" for line in lines]


def _sheet_markdown(quiz: Quiz, concepts: Concepts, framework: Framework) -> str:
    n = len(quiz.items)
    out = ["# MLOps maturity quiz", "", *(f"{line}  " for line in sheet_header(quiz)), "", "## Questions", ""]
    for i, item in enumerate(quiz.items, 1):
        out += [f"### Question {i} of {n}", "", f"*{_tags(item)}*", "", " ".join(item.prompt.split()), ""]
        if item.context:
            out += _md_list(item.context) + [""]
        out += [f"**{LETTERS[j]})** {' '.join(opt.split())}  " for j, opt in enumerate(item.options)] + [""]
    out += ["## Hints", ""]
    out += [f"{i}. {' '.join(item.hint.split())}" for i, item in enumerate(quiz.items, 1)] + [""]
    out += ["## Answer key", ""]
    for i, item in enumerate(quiz.items, 1):
        out += [f"### {i}. {LETTERS[item.answer]}) {' '.join(item.options[item.answer].split())}", "", "**Worked solution**", ""]
        for k, step in enumerate(item.solution, 1):
            out.append(f"{k}. {' '.join(step.text.split())}")
            out += [f"   - {' '.join(d.split())}" for d in step.details]
        out += ["", "**Common mistakes**", ""] + _md_list(item.mistakes) + [""]
        title = concept_title(concepts.get(item.concept), framework)
        out += [f"**Concept:** {title} (`{SHOW.format(id=item.concept)}`)", ""]
    return "\n".join(out)
