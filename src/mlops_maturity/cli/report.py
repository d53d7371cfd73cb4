"""`mlops-maturity report`: render a stored result (the JSON of `scan --format json`) again.

Every format is rendered from the JSON alone, so a stored result re-renders identically. The
file is checked against the published schema first; anything wrong with it is one line naming
the file and the problem, exit 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import fail, main
from .commands import FORMAT_NAMES, render, write_output

# A result is a few hundred kilobytes; anything far larger is not one (and is not read whole).
MAX_RESULT_BYTES = 64 * 1024 * 1024


def _where(path_parts) -> str:
    out = ""
    for part in path_parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the top level"


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def load_result(path: Path):
    """Read, parse, check against the schema and build a Result, or fail with one line."""
    import json

    from .. import schema
    from ..model.result import SCHEMA_VERSION, Result

    if path.is_dir():
        fail(f"{path}: is a directory, not a result file")
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_RESULT_BYTES + 1)
    except FileNotFoundError:
        raw = None
    except OSError as exc:
        fail(f"{path}: cannot read ({exc.strerror or exc})")
    if raw is None:
        fail(f"{path}: no such file")
    if len(raw) > MAX_RESULT_BYTES:
        fail(f"{path}: too large for a result (more than {MAX_RESULT_BYTES // (1024 * 1024)} MB)")
    if not raw.strip():
        fail(f"{path}: empty file, expected a JSON result (mlops-maturity scan --format json)")
    problem = None
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        problem = "not UTF-8 text, expected a JSON result"
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
    except (ValueError, RecursionError) as exc:
        problem = f"not valid JSON ({_one_line(str(exc))})"
    if problem:
        fail(f"{path}: {problem}")
    if not isinstance(data, dict):
        fail(f"{path}: not a mlops-maturity result (expected a JSON object, found {type(data).__name__})")
    if "schema_version" not in data:
        fail(f"{path}: not a mlops-maturity result (no schema_version; produce one with `scan --format json`)")
    version = data["schema_version"]
    if version != SCHEMA_VERSION:
        fail(f"{path}: schema_version {_one_line(repr(version), 40)} is not supported (this version of mlops-maturity reads {SCHEMA_VERSION!r})")

    import jsonschema
    from jsonschema.exceptions import best_match

    validator = jsonschema.Draft202012Validator(schema.load())
    errors = list(validator.iter_errors(data))
    if errors:
        first = best_match(errors)
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        fail(f"{path}: does not match the result schema at {_where(first.absolute_path)}: {_one_line(first.message)}{more}")

    from pydantic import ValidationError

    try:
        return Result.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        fail(f"{path}: not a valid result at {_where(err['loc'])}: {_one_line(err['msg'])}")


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("result_file", metavar="RESULT.json", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="terminal", show_default=True)
@click.option("--previous", type=click.Path(path_type=Path), metavar="OLD.json", help="An earlier result of the same project, to show what changed.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to FILE instead of stdout.")
@click.option("-v", "--verbose", is_flag=True, help="Show every criterion with its evidence (terminal format).")
def report(result_file, fmt, previous, output, verbose):
    """Render a stored result (from `scan --format json`) as a report.

    \b
    Examples:
      mlops-maturity report result.json                      # terminal
      mlops-maturity report result.json --format html -o report.html
      mlops-maturity report result.json --previous last-quarter.json --format html -o report.html
      mlops-maturity report result.json --format markdown >> "$GITHUB_STEP_SUMMARY"
      mlops-maturity report result.json --format sarif -o mlops.sarif
      mlops-maturity report result.json --format badge -o maturity.svg
    """
    result = load_result(result_file)
    old = load_result(previous) if previous is not None else None
    if old is not None:
        if old.framework.id != result.framework.id:
            click.echo(f"mlops-maturity: warning: {previous} was scored with framework {old.framework.id!r}, not {result.framework.id!r}; criteria may not compare", err=True)
        elif old.subject.name != result.subject.name:
            click.echo(f"mlops-maturity: warning: {previous} is about {_one_line(old.subject.name, 60)!r}, not {_one_line(result.subject.name, 60)!r}", err=True)
    write_output(render(result, fmt, verbose, output, previous=old), output)
