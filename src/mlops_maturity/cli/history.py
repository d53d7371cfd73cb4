"""Stored assessments: `history`, `diff`, `export`, `import`, and what `scan --save/--db` needs.

Like every command module, it imports SQLAlchemy, Rich and pydantic only inside the commands.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from . import fail, main, use_color

DB_HELP = "Assessment database: a SQLAlchemy URL (default: $MLOPS_MATURITY_DB, else a SQLite file in your data directory)."
db_option = click.option("--db", metavar="URL", envvar="MLOPS_MATURITY_DB", help=DB_HELP)


def _notify(message: str) -> None:
    click.echo(f"mlops-maturity: {message}", err=True)


def open_store(db: str | None, *, create: bool):  # noqa: ANN201
    """The store, migrated; one-line error (exit 2) on any database problem. With
    `create=False`, None when the SQLite file does not exist (nothing stored yet)."""
    from ..store.db import NoDatabase, StoreError
    from ..store.service import Store

    try:
        return Store.open(db, create=create, notify=_notify)
    except NoDatabase:
        if create:
            raise
        return None
    except StoreError as exc:
        fail(str(exc))


def _location(db: str | None) -> str:
    from ..store.db import StoreError, display, resolve_url

    try:
        return display(resolve_url(db))
    except StoreError as exc:
        fail(str(exc))


def _who() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


# -- scan --save / scan --db ----------------------------------------------------------------


class _NoHistory:
    """The log of a database that does not exist yet: no assessments."""

    def assessment_times(self, project: str, team: str | None = None) -> list:
        return []


@dataclass
class ScanHistory:
    store: object | None
    project: str
    team: str | None

    def save(self, result, source: str) -> None:  # noqa: ANN001
        from ..store.db import StoreError

        try:
            saved = self.store.save(result, project=self.project, team=self.team, source=source, created_by=_who())
        except StoreError as exc:
            fail(str(exc))
        finally:
            self.close()
        what = "saved as" if saved.created else "already stored as"
        _notify(f"{what} assessment #{saved.id} of project {saved.project!r} (team {saved.team!r}) in {self.store.location}")

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def attach_history(req, configs, db: str | None, *, save: bool, project: str | None, team: str | None) -> ScanHistory:  # noqa: ANN001
    """Open the database for a scan: the project's newest stored assessment feeds the
    stale_assessment pitfall, and its stored history the team.reassessment practice."""
    from ..sources.assess import subject_name
    from ..sources.history import HistorySource
    from ..store.db import StoreError

    store = open_store(db, create=save)
    name = project or subject_name(req, configs)
    if store is not None:
        try:
            req.last_assessed_at = store.last_assessed_at(name, team)
        except StoreError as exc:
            store.close()
            fail(str(exc))
    req.extra_sources = [*req.extra_sources, HistorySource(store or _NoHistory(), name, team, now=req.now)]
    return ScanHistory(store, name, team)


# -- history --------------------------------------------------------------------------------


def _iso(dt) -> str:  # noqa: ANN001
    return dt.isoformat().replace("+00:00", "Z")


def _summary_json(s) -> dict:  # noqa: ANN001
    return {
        "id": s.id,
        "uid": s.uid,
        "organization": s.organization,
        "team": s.team,
        "project": s.project,
        "assessed_at": _iso(s.assessed_at),
        "source": s.source,
        "commit": s.commit,
        "created_by": s.created_by,
        "framework": {"id": s.framework_id, "version": s.framework_version},
        "overall": {"level": s.overall_level, "mean": s.overall_mean},
        "levels": s.levels,
    }


def _dimension_ids(summaries) -> list[str]:  # noqa: ANN001
    ids: dict[str, None] = {}
    for s in summaries:
        ids.update(dict.fromkeys(s.levels))
    return list(ids)


def _trend(summaries) -> dict[str, dict]:  # noqa: ANN001
    series = {"overall": [s.overall_level for s in summaries]}
    for did in _dimension_ids(summaries):
        series[did] = [s.levels.get(did) for s in summaries]
    out = {}
    for key, levels in series.items():
        present = [v for v in levels if v is not None]
        first, last = (present[0], present[-1]) if present else (None, None)
        out[key] = {"levels": levels, "first": first, "last": last, "change": (last - first) if present else 0}
    return out


def _console(width: int | None = None):  # noqa: ANN202
    import io

    from rich.console import Console

    color = use_color()
    width = width or (min(shutil.get_terminal_size().columns, 140) if sys.stdout.isatty() else 100)
    buf = io.StringIO()
    return buf, Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False, emoji=False)


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else ("±0" if n == 0 else str(n))


def _render_projects(projects, location: str) -> str:  # noqa: ANN001
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from ..reporters.text import clean

    buf, console = _console()
    console.print(Text(f"{len(projects)} project{'s' if len(projects) != 1 else ''} in {location}", style="bold"))
    dims = _dimension_ids([p.latest for p in projects if p.latest])
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    widest = max((len(p.name) for p in projects), default=7)
    for col in ("Project", "Team", "Stored", "Latest", "Overall", *dims):
        table.add_column(col, no_wrap=True, overflow="ellipsis", min_width=min(widest, 32) if col == "Project" else None)
    for p in projects:
        a = p.latest
        team = clean(p.team if p.organization == "default" else f"{p.organization}/{p.team}")
        if a is None:
            table.add_row(clean(p.name), team, "0", "", "", *[""] * len(dims))
            continue
        table.add_row(
            clean(p.name),
            team,
            str(p.assessments),
            f"{a.assessed_at:%Y-%m-%d}",
            str(a.overall_level),
            *[str(a.levels[d]) if d in a.levels else "" for d in dims],
        )
    console.print(table)
    console.print(Text("Show one project's trend with `mlops-maturity history PROJECT`.", style="dim"))
    return buf.getvalue()


def _render_history(summaries, location: str) -> str:  # noqa: ANN001
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from ..reporters.text import clean
    from ..store.compare import sparkline

    first = summaries[0]
    buf, console = _console()
    head = Text(f"History of {clean(first.project)}", style="bold")
    head.append(f"  (team {clean(first.team)}, {len(summaries)} assessment{'s' if len(summaries) != 1 else ''}, {location})", style="dim")
    console.print(head)
    dims = _dimension_ids(summaries)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for col in ("#", "Assessed", "Source", "Commit", "Overall", *dims):
        table.add_column(col, no_wrap=True, justify="right" if col == "#" else "left")
    previous = None
    for s in summaries:
        cells = []
        for did in ("overall", *dims):
            value = s.overall_level if did == "overall" else s.levels.get(did)
            before = None if previous is None else (previous.overall_level if did == "overall" else previous.levels.get(did))
            if value is None:
                cells.append(Text(""))
            elif before is not None and value != before:
                cells.append(Text(f"{value} ({_signed(value - before)})", style="green" if value > before else "red"))
            else:
                cells.append(Text(str(value)))
        table.add_row(str(s.id), f"{s.assessed_at:%Y-%m-%d %H:%M}", s.source, clean((s.commit or "")[:10]), *cells)
        previous = s
    console.print(table)

    trend = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=None)
    for col in ("Trend", "First → last", "Change", ""):
        trend.add_column(col, no_wrap=True)
    for key, t in _trend(summaries).items():
        change = Text(_signed(t["change"]), style="green" if t["change"] > 0 else ("red" if t["change"] < 0 else ""))
        trend.add_row(key, f"{t['first']} → {t['last']}", change, sparkline(t["levels"]))
    console.print(trend)
    return buf.getvalue()


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("project", required=False)
@db_option
@click.option("--team", help="The project's team, when several teams have a project of that name.")
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True)
def history(project, db, team, fmt):
    """Show how a project's maturity moved over its stored assessments.

    Without PROJECT, list the stored projects with their latest levels.

    \b
    Examples:
      mlops-maturity scan . --save                 # store an assessment
      mlops-maturity history                       # every project, latest levels
      mlops-maturity history fraud-training        # one row per assessment, trend per dimension
      mlops-maturity history fraud-training --format json --db postgresql+psycopg://host/mm
    """
    from ..store.db import StoreError

    store = open_store(db, create=False)
    location = store.location if store else _location(db)
    if store is None:
        if project:
            fail(f"no project named {project!r}: nothing is stored in {location} yet")
        if fmt == "json":
            click.echo(json.dumps({"database": location, "projects": []}, indent=2))
        else:
            click.echo(f"No assessments stored in {location} yet; save one with `mlops-maturity scan PATH --save`.")
        return
    try:
        with store:
            if project is None:
                projects = store.projects()
                if fmt == "json":
                    data = {
                        "database": location,
                        "projects": [
                            {"organization": p.organization, "team": p.team, "name": p.name, "assessments": p.assessments, "latest": _summary_json(p.latest) if p.latest else None}
                            for p in projects
                        ],
                    }
                    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
                elif not projects:
                    click.echo(f"No assessments stored in {location} yet; save one with `mlops-maturity scan PATH --save`.")
                else:
                    click.echo(_render_projects(projects, location), nl=False)
                return
            summaries = store.history(project, team)
    except StoreError as exc:
        fail(str(exc))
    if fmt == "json":
        first = summaries[0]
        data = {
            "database": location,
            "organization": first.organization,
            "team": first.team,
            "project": first.project,
            "assessments": [_summary_json(s) for s in summaries],
            "trend": _trend(summaries),
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(_render_history(summaries, location), nl=False)


# -- diff -----------------------------------------------------------------------------------


def _load(ref: str, db: str | None, stores: dict):  # noqa: ANN001, ANN202
    """A result and its label, from a JSON file or from the database (id or uid prefix)."""
    from pydantic import ValidationError

    from ..model.result import Result
    from ..store.db import StoreError

    path = Path(ref)
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})")
        try:
            return Result.model_validate_json(text), str(path)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            fail(f"{path}: not an assessment result ({where + ': ' if where else ''}{err['msg']})")
    if "store" not in stores:
        stores["store"] = open_store(db, create=False)
    store = stores["store"]
    if store is None:
        fail(f"{ref}: no such file, and no assessment database at {_location(db)}")
    try:
        found = store.get(ref)
    except StoreError as exc:
        fail(f"{ref}: {exc}" if not str(exc).startswith(repr(ref)) else str(exc))
    s = found.summary
    return found.result, f"#{s.id} {s.project} {s.assessed_at:%Y-%m-%d}"


def _render_diff(d, old_label: str, new_label: str) -> str:  # noqa: ANN001
    from rich.text import Text

    from ..reporters.text import clean

    buf, console = _console()
    console.print(Text(f"{clean(old_label)} → {clean(new_label)}", style="bold"))
    if d.framework_changed:
        console.print(Text("The two assessments use different frameworks: some changes may come from the framework.", style="yellow"))
    changed = d.changed_levels
    if not changed and not d.newly_met and not d.lost and not d.other:
        console.print("No change in levels or criteria.")
        return buf.getvalue()
    if changed:
        console.print(Text("Levels changed", style="bold"))
        for c in changed:
            style = "green" if c.delta > 0 else "red"
            console.print(Text(f"  {c.dimension:<8} {c.old if c.old is not None else '–'} → {c.new if c.new is not None else '–'}  ({_signed(c.delta)})", style=style))
    else:
        console.print(Text("Levels unchanged", style="bold"))
    for title, items, mark, style in (("Newly met", d.newly_met, "+", "green"), ("Lost", d.lost, "-", "red")):
        if items:
            console.print(Text(f"{title} ({len(items)})", style="bold"))
            for c in items:
                line = Text(f"  {mark} {c.id}", style=style)
                line.append(f"  L{c.level}  ")
                line.append(f"{c.old or 'absent'} → {c.new or 'absent'}  ", style="dim")
                line.append(clean(c.title))
                console.print(line, no_wrap=True, overflow="ellipsis")
    if d.other:
        console.print(Text(f"Other status changes ({len(d.other)})", style="bold"))
        for c in d.other:
            line = Text(f"  ~ {c.id}", style="yellow")
            line.append(f"  L{c.level}  ")
            line.append(f"{c.old or 'absent'} → {c.new or 'absent'}  ", style="dim")
            line.append(clean(c.title))
            console.print(line, no_wrap=True, overflow="ellipsis")
    return buf.getvalue()


def _diff_json(d, old_label: str, new_label: str) -> dict:  # noqa: ANN001
    def crit(c) -> dict:  # noqa: ANN001
        return {"id": c.id, "dimension": c.dimension, "level": c.level, "title": c.title, "old": c.old, "new": c.new}

    return {
        "old": old_label,
        "new": new_label,
        "framework_changed": d.framework_changed,
        "levels": [{"dimension": c.dimension, "old": c.old, "new": c.new, "change": c.delta} for c in d.levels],
        "newly_met": [crit(c) for c in d.newly_met],
        "lost": [crit(c) for c in d.lost],
        "other": [crit(c) for c in d.other],
    }


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("old")
@click.argument("new")
@db_option
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True)
def diff(old, new, db, fmt):
    """Compare two assessments: levels changed, criteria newly met and lost.

    OLD and NEW are each a result JSON file or a stored assessment (its id from `history`,
    or the first 8+ digits of its uid).

    \b
    Examples:
      mlops-maturity diff 12 15
      mlops-maturity diff last-quarter.json result.json
      mlops-maturity diff 12 result.json --format json
    """
    from ..store.compare import compare

    stores: dict = {}
    try:
        old_result, old_label = _load(old, db, stores)
        new_result, new_label = _load(new, db, stores)
    finally:
        if stores.get("store") is not None:
            stores["store"].close()
    d = compare(old_result, new_result)
    if fmt == "json":
        click.echo(json.dumps(_diff_json(d, old_label, new_label), indent=2, ensure_ascii=False))
    else:
        click.echo(_render_diff(d, old_label, new_label), nl=False)


# -- export / import ------------------------------------------------------------------------


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@click.option("--project", help="Only this project's assessments.")
def export(db, output, project):
    """Write stored assessments as JSON lines, one assessment per line (for `import`).

    \b
    Examples:
      mlops-maturity export -o assessments.jsonl
      mlops-maturity export --db sqlite:///old.db | mlops-maturity import - --db postgresql+psycopg://host/mm
    """
    from ..store.db import StoreError

    store = open_store(db, create=False)
    if store is None:
        fail(f"nothing to export: no assessment database at {_location(db)}")
    n = 0
    from ..util import atomic

    tmp = atomic.tmp_path(output) if output else None
    if output is not None and tmp is None:  # a device or pipe: write it in place
        tmp = output
    try:
        with store:
            out = tmp.open("w", encoding="utf-8") if tmp else None
            try:
                for rec in store.export(project):
                    line = rec.to_json() + "\n"
                    if out:
                        out.write(line)
                    else:
                        click.echo(line, nl=False)
                    n += 1
            finally:
                if out:
                    out.close()
        if tmp and tmp != output:
            tmp.replace(output)
    except StoreError as exc:
        if tmp and tmp != output:
            tmp.unlink(missing_ok=True)
        fail(str(exc))
    except OSError as exc:
        if tmp and tmp != output:
            tmp.unlink(missing_ok=True)
        fail(f"{output}: cannot write ({exc.strerror})")
    _notify(f"exported {n} assessment{'s' if n != 1 else ''} from {store.location}" + (f" to {output}" if output else ""))


@main.command("import", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", type=click.Path(path_type=Path, allow_dash=True))
@db_option
def import_(file, db):
    """Store the assessments of an `export` file (JSON lines; - for stdin).

    Importing the same assessments again stores nothing new. A file with any bad line is
    refused whole: nothing is stored.

    \b
    Examples:
      mlops-maturity import assessments.jsonl
      mlops-maturity import assessments.jsonl --db postgresql+psycopg://mm@db.internal/mm
    """
    from ..store.db import StoreError
    from ..store.records import RecordError, parse_record

    name = "<stdin>" if str(file) == "-" else str(file)
    records, errors = [], []
    try:
        stream = sys.stdin if str(file) == "-" else file.open(encoding="utf-8")
        with stream:
            for n, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    records.append(parse_record(line))
                except RecordError as exc:
                    errors.append(f"{name}:{n}: {exc}")
    except FileNotFoundError:
        fail(f"{name}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{name}: cannot read ({getattr(exc, 'strerror', None) or exc})")
    if errors:
        more = f" (and {len(errors) - 1} more bad lines; nothing imported)" if len(errors) > 1 else " (nothing imported)"
        fail(errors[0] + more)
    if not records:
        fail(f"{name}: no assessments in this file")
    store = open_store(db, create=True)
    try:
        with store:
            report = store.import_records(records)
    except StoreError as exc:
        fail(str(exc))
    _notify(
        f"imported {report.added} assessment{'s' if report.added != 1 else ''} into {store.location}"
        + (f" ({report.already_present} already present)" if report.already_present else "")
    )
