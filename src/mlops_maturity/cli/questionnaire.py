"""The interactive questionnaire: one dimension at a time, saved after every answer."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from . import fail


def _save(fw, path: Path, values, notes, respondent, exemptions) -> None:
    from ..sources.declared import dump_answers

    text = dump_answers(fw, values, notes, respondent, datetime.now(UTC), exemptions)
    from ..util import atomic

    try:
        atomic.write_text(path, text)
    except OSError as exc:
        fail(f"{path}: cannot write ({exc.strerror})")


def run_questionnaire(fw, answers_out: Path, resume: Path | None, only: list[str], respondent: str) -> None:
    from ..sources.declared import InputError, load_answers

    if not sys.stdin.isatty():
        fail("assess asks questions in a terminal; without one, use `mlops-maturity assess --template > answers.yaml` and fill it in")
    dims = [d for d in fw.dimensions if not only or d.id in only]
    unknown = [o for o in only if o not in {d.id for d in fw.dimensions}]
    if unknown:
        fail(f"--dimension: unknown dimension {unknown[0]!r} (known: {', '.join(d.id for d in fw.dimensions)})")

    values: dict[str, int | None] = {}
    notes: dict[str, str] = {}
    exemptions = {}
    source = resume or (answers_out if answers_out.exists() else None)
    if source is not None:
        try:
            prior = load_answers(source, fw)
        except InputError as exc:
            fail(str(exc))
        for cid, e in prior.answers.items():
            values[fw.criterion(cid).id] = e.value
            if e.note:
                notes[fw.criterion(cid).id] = e.note
        exemptions = dict(prior.exemptions)
        respondent = respondent or prior.respondent
        answered = sum(1 for v in values.values() if v is not None)
        click.echo(f"Resuming from {source}: {answered} answered.")
    if not respondent:
        respondent = click.prompt("Your name or e-mail (stored with the answers)", default="", show_default=False)

    scale = {p.value: p.label for p in fw.answer_scale}
    scale_line = "  ".join(f"{v} {label}" for v, label in scale.items())
    for d in dims:
        pending = [c for c in fw.active_criteria() if c.dimension == d.id and values.get(c.id) is None]
        if not pending:
            continue
        click.secho(f"\n{d.name}", bold=True)
        click.echo(f"  {d.description}")
        for c in sorted(pending, key=lambda c: c.level):
            choices = {p.value: p.label for p in c.question.scale} if c.question.scale else scale
            line = "  ".join(f"{v} {label}" for v, label in choices.items()) if c.question.scale else scale_line
            click.echo(f"\n[L{c.level}] {c.question.text}")
            click.echo(f"  {line}")
            while True:
                raw = click.prompt("  answer (0-3, s skip, ? help, n note, q quit)", default="s", show_default=False).strip().lower()
                if raw == "?":
                    click.echo(f"  {' '.join(c.question.help.split()) or 'No help for this question.'}")
                    continue
                if raw == "n":
                    notes[c.id] = click.prompt("  note", default="", show_default=False)
                    continue
                if raw == "q":
                    _save(fw, answers_out, values, notes, respondent, exemptions)
                    click.echo(f"Saved to {answers_out}. Run `mlops-maturity assess --answers-out {answers_out}` to resume.")
                    return
                if raw in ("s", ""):
                    values.setdefault(c.id, None)
                    break
                if raw.isdigit() and int(raw) in choices:
                    values[c.id] = int(raw)
                    break
                click.echo(f"  please enter one of {', '.join(str(v) for v in choices)}, s, ?, n or q")
            _save(fw, answers_out, values, notes, respondent, exemptions)
    _save(fw, answers_out, values, notes, respondent, exemptions)
    answered = sum(1 for v in values.values() if v is not None)
    click.echo(f"\nSaved {answered} answers to {answers_out}. Next: mlops-maturity scan PATH --answers {answers_out}")
