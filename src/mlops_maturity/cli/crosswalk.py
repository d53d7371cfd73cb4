"""`framework crosswalk`: the default framework's criteria beside their counterparts in the
public models (Google, Microsoft, AWS ML Lens, ML Test Score)."""

from __future__ import annotations

import io
import json
import sys

import click

from .commands import framework


@framework.command("crosswalk")
@click.option("--format", "fmt", type=click.Choice(["terminal", "markdown", "json"]), default="terminal", show_default=True)
def framework_crosswalk(fmt):
    """Print each criterion's counterparts in the public MLOps models.

    Google's MLOps levels 0-2 and Microsoft's maturity levels 0-4 give the level at which that
    model first expects the criterion; the AWS ML Lens and the ML Test Score give ids. "-" means
    the model has no counterpart. Every id is checked against the model's list shipped as data.

    \b
    Examples:
      mlops-maturity framework crosswalk
      mlops-maturity framework crosswalk --format markdown > crosswalk.md
      mlops-maturity framework crosswalk --format json
    """
    from ..framework.crosswalk import crosswalk_rows, load_crosswalk
    from ..framework.load import FrameworkError, default_catalog, load_framework

    try:
        cw = load_crosswalk()
        fw = load_framework(cw.framework, default_catalog())
    except FrameworkError as exc:
        for line in exc.errors:
            click.echo(f"mlops-maturity: error: {line}", err=True)
        sys.exit(2)
    rows = crosswalk_rows(cw, fw)
    if fmt == "json":
        doc = {
            "framework": {"id": fw.id, "version": fw.version},
            "models": [m.model_dump(mode="json", exclude_defaults=True) for m in cw.models],
            "criteria": rows,
        }
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    if fmt == "markdown":
        click.echo(_markdown(cw, rows), nl=False)
        return
    from . import use_color

    click.echo(_table(cw, rows, color=use_color()), nl=False)


def _cell(value) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _markdown(cw, rows) -> str:
    from ..reporters.markdown import md

    names = [m.name for m in cw.models]
    out = [
        f"# Crosswalk: {cw.framework} framework → public MLOps models",
        "",
        "Levels: the level at which that model first expects the criterion. `-`: no counterpart.",
        "",
        "| criterion | level | " + " | ".join(md(n) for n in names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for r in rows:
        cells = [f"`{r['criterion']}` {md(r['title'])}", str(r["level"])] + [md(_cell(r[m.id])) for m in cw.models]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    for m in cw.models:
        out.append(f"- **{md(m.name)}**: {md(m.source)}" + (f" ({md(m.version)})" if m.version else ""))
    return "\n".join(out) + "\n"


def _table(cw, rows, *, color: bool) -> str:
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=160, highlight=False)
    table = Table(title=f"Crosswalk: {cw.framework} framework → public MLOps models", show_lines=False)
    table.add_column("criterion", no_wrap=True)
    table.add_column("L", justify="right")
    for m in cw.models:
        table.add_column(m.name, overflow="fold")
    for r in rows:
        table.add_row(r["criterion"], str(r["level"]), *(_cell(r[m.id]) for m in cw.models))
    console.print(table)
    console.print("Google and Microsoft: the level at which that model first expects the criterion; '-': no counterpart.")
    return buf.getvalue()
