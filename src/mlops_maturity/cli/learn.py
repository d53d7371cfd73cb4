"""`mlops-maturity learn`: browse the concepts of the maturity model, and quiz yourself.

In a terminal the quiz asks one question at a time: answer, commit, then see the worked
solution, and a score with the concepts to review at the end. Without a terminal (stdin or
stdout redirected), or with --format markdown or -o, it prints a quiz sheet instead: the
questions, the hints, then an answer key with worked solutions, for workshops and handouts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import CONTEXT, fail, main, use_color

SHEET_FORMATS = ["text", "markdown"]


def _content():
    from ..framework.load import FrameworkError
    from ..learn.content import LearnDataError, default_content

    try:
        return default_content()
    except (LearnDataError, FrameworkError) as exc:
        more = f" (and {len(exc.errors) - 1} more problems)" if len(exc.errors) > 1 else ""
        fail(f"{exc.errors[0]}{more}")


def _width() -> int:
    import shutil

    return max(40, min(shutil.get_terminal_size().columns, 100)) if sys.stdout.isatty() else 100


@main.group(invoke_without_command=True, context_settings=CONTEXT)
@click.pass_context
def learn(ctx: click.Context) -> None:
    """Learn the maturity model: list its concepts, read one, or take a quiz.

    \b
    Examples:
      mlops-maturity learn                              # list the concepts
      mlops-maturity learn show model.gating            # read one
      mlops-maturity learn quiz                         # 10 questions in the terminal
      mlops-maturity learn quiz --for result.json       # weighted toward your weakest dimensions
      mlops-maturity learn quiz --count 20 --seed 7 --format markdown -o handout.md
    """
    if ctx.invoked_subcommand is None:
        from ..learn.render import render_index

        c = _content()
        click.echo(render_index(c.concepts, c.framework, color=use_color()), nl=False)


@learn.command("show", context_settings=CONTEXT)
@click.argument("concept_id", metavar="CONCEPT")
@click.option("--format", "fmt", type=click.Choice(SHEET_FORMATS), default="text", show_default=True)
def learn_show(concept_id: str, fmt: str) -> None:
    """Read one concept (ids as listed by `mlops-maturity learn`).

    \b
    Examples:
      mlops-maturity learn show level.3
      mlops-maturity learn show myth.monitoring-is-uptime --format markdown
    """
    from ..learn.render import concept_view, render_concept

    c = _content()
    try:
        concept = c.concepts.get(concept_id)
    except KeyError:
        import difflib

        close = difflib.get_close_matches(concept_id, c.concepts.ids(), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        fail(f"unknown concept {concept_id!r}{hint} (list them with `mlops-maturity learn`)")
    view = concept_view(concept, c.concepts, c.framework)
    click.echo(render_concept(view, fmt=fmt, color=fmt == "text" and use_color(), width=_width()), nl=False)


@learn.command("quiz", context_settings=CONTEXT)
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]), help="Only questions of this difficulty (default: mixed).")
@click.option("--count", type=click.IntRange(1, 100), default=10, show_default=True, help="Number of questions.")
@click.option("--seed", type=int, help="The same seed gives the same quiz (default: a random one, shown in the header).")
@click.option(
    "--for",
    "result_file",
    type=click.Path(path_type=Path),
    metavar="RESULT.json",
    help="An assessment (scan --format json): weight the questions toward its weakest dimensions.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(SHEET_FORMATS),
    default="text",
    show_default=True,
    help="Format of the quiz sheet printed without a terminal (markdown always prints a sheet).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FILE", help="Write the quiz sheet to FILE.")
def learn_quiz(difficulty, count, seed, result_file, fmt, output) -> None:
    """Quiz yourself on the model, in the terminal or as a printable sheet.

    Bank questions are mixed with scenarios generated from the framework and scored by the
    scoring engine. With --for, dimensions where the assessment is weakest come up most.

    \b
    Examples:
      mlops-maturity learn quiz --difficulty hard
      mlops-maturity learn quiz --for result.json --count 15
      mlops-maturity learn quiz --count 10 --seed 1 > quiz.txt       # a sheet, reproducible
      mlops-maturity learn quiz --format markdown -o workshop.md
    """
    from ..learn.quiz import build_quiz, weights_from_result

    c = _content()
    weights = None
    if result_file is not None:
        from .report import load_result

        result = load_result(result_file)
        weights = weights_from_result(result)
        known = {d.id for d in c.framework.dimensions}
        if not known & set(weights):
            fail(f"{result_file}: none of its dimensions ({', '.join(weights) or 'none'}) are in the {c.framework.id!r} framework")
        if result.framework.id != c.framework.id:
            click.echo(
                f"mlops-maturity: warning: {result_file} was scored with framework {result.framework.id!r}, "
                f"not {c.framework.id!r}; only shared dimensions are weighted",
                err=True,
            )
    if seed is None:
        import random

        seed = random.SystemRandom().randrange(1, 1_000_000)
    quiz = build_quiz(c.bank, c.framework, c.catalog, difficulty=difficulty, count=count, seed=seed, weights=weights)

    if fmt == "text" and output is None and sys.stdin.isatty() and sys.stdout.isatty():
        _interactive(quiz, c)
        return
    from ..learn.render import render_sheet
    from .commands import write_output

    write_output(render_sheet(quiz, c.concepts, c.framework, fmt=fmt), output)


def _interactive(quiz, content) -> None:
    from ..learn.quiz import grade
    from ..learn.render import LETTERS, SHOW, answer_text, concept_title, item_text, sheet_header

    color = use_color()
    width = _width()

    def styled(text: str, **style) -> str:
        return click.style(text, **style) if color else text

    click.echo(styled("MLOps maturity quiz", bold=True) + " · " + " · ".join(sheet_header(quiz)))
    click.echo("Answer with a letter (h for a hint, q to stop); you commit to each answer before it is revealed.")
    answers: dict[str, int] = {}
    asked = []
    total = len(quiz.items)
    for number, item in enumerate(quiz.items, 1):
        click.echo()
        click.echo(item_text(item, number, total, width=width, color=color), nl=False)
        letters = LETTERS[: len(item.options)]
        choice = None
        while choice is None:
            raw = click.prompt(f"Your answer ({letters[0]}-{letters[-1]}, h hint, q quit)", default="", show_default=False).strip().upper()
            if raw == "H":
                click.echo(f"  Hint: {item.hint}")
            elif raw == "Q":
                break
            elif len(raw) == 1 and raw in letters:
                option = item.options[letters.index(raw)]
                short = option if len(option) <= 60 else option[:59] + "…"
                if click.confirm(f"Commit to {raw}) {short}", default=True):
                    choice = letters.index(raw)
            elif raw:
                click.echo(f"  Please enter one of {', '.join(letters)}, h or q.")
        if choice is None:
            break
        answers[item.id] = choice
        asked.append(item)
        if choice == item.answer:
            click.echo(styled("✓ Correct.", fg="green", bold=True))
        else:
            click.echo(styled(f"✗ Not quite: the answer is {LETTERS[item.answer]}.", fg="red", bold=True))
        click.echo(answer_text(item, None, content.concepts, content.framework, width=width, color=color), nl=False)

    click.echo()
    if not asked:
        click.echo("No questions answered.")
        return
    score = grade(quiz.model_copy(update={"items": tuple(asked)}), answers)
    click.echo(styled(f"Score: {score.correct}/{score.total} ({score.percent}%)", bold=True))
    if score.by_dimension:
        parts = [f"{d} {t.correct}/{t.total}" for d, t in sorted(score.by_dimension.items())]
        click.echo("By dimension: " + ", ".join(parts))
    if score.review:
        click.echo("Concepts to review:")
        for cid in score.review:
            title = concept_title(content.concepts.get(cid), content.framework)
            click.echo(f"  - {title} ({SHOW.format(id=cid)})")
    else:
        click.echo("Nothing to review: every answer was right.")
