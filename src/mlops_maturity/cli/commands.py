"""Subcommands. Each imports what it needs when it runs."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click

from . import EXIT_GATE, fail, load_framework_or_fail, main, use_color

# Kept in step with reporters.FORMATS by a test (importing reporters here would slow --help).
FORMAT_NAMES = ["terminal", "json", "markdown", "html", "sarif", "badge"]



def parse_fail_under(spec: str, dimension_ids: list[str]) -> tuple[int | None, dict[str, int], bool]:
    """'3' -> overall 3; 'deploy=3,monitor=2' -> per dimension; 'stage' -> the stage's target
    per dimension; they may be mixed."""
    overall: int | None = None
    per_dim: dict[str, int] = {}
    use_stage = False
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        if part == "stage":
            use_stage = True
            continue
        key, _, value = part.rpartition("=")
        try:
            level = int(value)
        except ValueError:
            fail(f"--fail-under: {part!r} is not a level (use 3 or deploy=3,monitor=2)")
        if not key:
            overall = level
        elif key not in dimension_ids:
            fail(f"--fail-under: unknown dimension {key!r} (known: {', '.join(dimension_ids)})")
        else:
            per_dim[key] = level
    return overall, per_dim, use_stage


def gate(result, overall: int | None, per_dim: dict[str, int], use_stage: bool = False) -> list[str]:
    from ..scoring.gate import missed

    return missed(result, overall, per_dim, use_stage)


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from ..util import atomic

    try:
        atomic.write_text(output, text)
    except OSError as exc:
        fail(f"{output}: cannot write ({exc.strerror})")


def render(result, fmt: str, verbose: bool, output: Path | None, previous=None) -> str:
    from .. import reporters

    options = {}
    if fmt == "terminal":
        options["color"] = output is None and use_color()
        options["width"] = 100 if output is not None or not sys.stdout.isatty() else min(shutil.get_terminal_size().columns, 140)
        options["verbose"] = verbose
    return reporters.render(result, fmt, previous=previous, **options)


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--answers", type=click.Path(path_type=Path), help="Answers file (YAML) from `assess` or the template.")
@click.option("--mlflow-uri", metavar="URI", envvar="MLFLOW_TRACKING_URI", help="Read a running MLflow tracking server too (default: $MLFLOW_TRACKING_URI; credentials from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD).")
@click.option("--framework", "framework_ref", metavar="FILE", help="A framework file (default: the shipped model).")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="terminal", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to FILE instead of stdout (with --each and a per-repository format: a directory).")
@click.option("--each", is_flag=True, help="One result per PATH instead of one for all of them together, repositories in parallel (--jobs), with a cache and a portfolio summary.")
@click.option("--repos-from", type=click.Path(path_type=Path, allow_dash=True), metavar="FILE", help="Read the repositories from FILE, one path per line (# comments; relative to FILE's directory; - for stdin). Implies --each.")
@click.option("--summary", "summary_json", type=click.Path(path_type=Path), metavar="FILE", help="With --each: write the portfolio summary (JSON: levels per repository, failures, cache stats).")
@click.option("--summary-html", type=click.Path(path_type=Path), metavar="FILE", help="With --each: write the portfolio heatmap as one self-contained HTML file.")
@click.option("--no-cache", is_flag=True, help="With --each: read every repository, ignoring and not updating the scan cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path), metavar="DIR", help="With --each: where the scan cache lives (default: $MLOPS_MATURITY_CACHE_DIR, else scan-cache/ beside the SQLite database).")
@click.option("--fail-under", metavar="SPEC", help="Exit 1 below a level: 3 (overall), deploy=3,monitor=2, or stage (the stage's targets).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Parallel workers (default: cores); with --each, repositories scanned at once.")
@click.option("--name", help="Subject name (default: .mlops-maturity.yaml's project, else the directory name).")
@click.option("--stage", help="Project stage (prototype, production, business-critical, or one the framework defines): sets target levels.")
@click.option("-v", "--verbose", is_flag=True, help="Show every criterion with its evidence.")
@click.option("--save", is_flag=True, help="Store the result in the assessment database (see --db).")
@click.option("--db", metavar="URL", envvar="MLOPS_MATURITY_DB", help="Assessment database URL (default: $MLOPS_MATURITY_DB, else a SQLite file in your data directory).")
@click.option("--project", help="With --save: the project to store under (default: the subject name).")
@click.option("--team", help="With --save: the project's team (default: default).")
def scan(paths, answers, framework_ref, fmt, output, each, repos_from, summary_json, summary_html, no_cache, cache_dir, fail_under, jobs, name, stage, verbose, save, db, project, team, mlflow_uri):
    """Assess repositories (read, never executed) and/or an answers file.

    Several PATHs are assessed together as one subject (a team's repositories), or one by
    one with --each (or --repos-from): then repositories are scanned in parallel, an
    unchanged repository is taken from the scan cache instead of being read again, a
    repository that cannot be assessed is reported and the others go on (exit 2 at the
    end), and --summary/--summary-html write the portfolio.

    \b
    Examples:
      mlops-maturity scan examples/fraud-training
      mlops-maturity scan repo-a repo-b --answers answers.yaml -v
      mlops-maturity scan . --format json --output result.json
      mlops-maturity scan . --fail-under deploy=3,monitor=2
      mlops-maturity scan --each repos/* --format json -o results.json
      mlops-maturity scan --each repos/* --format html -o reports/
      mlops-maturity scan --each repos/* -j 8 --summary fleet.json --summary-html fleet.html
      mlops-maturity scan --repos-from repos.txt --format json -o results.json --save
      mlops-maturity scan . --mlflow-uri http://127.0.0.1:5000
    """
    import os

    fw, catalog = load_framework_or_fail(framework_ref)
    if repos_from is not None:
        from .fleet import read_repos_file

        paths = (*paths, *read_repos_file(repos_from))
        each = True
    if not each and (summary_json or summary_html or no_cache or cache_dir):
        fail("--summary, --summary-html, --no-cache and --cache-dir go with --each or --repos-from")
    if not paths and answers is None and not mlflow_uri:
        fail("nothing to assess: give one or more PATHs, --answers FILE and/or --mlflow-uri URI")
    for p in paths if not each else ():  # with --each, a bad path is that repository's error
        if not p.exists():
            fail(f"{p}: no such directory")
        if not p.is_dir():
            fail(f"{p}: not a directory")
    overall_gate, dim_gate, stage_gate = parse_fail_under(fail_under, [d.id for d in fw.dimensions]) if fail_under else (None, {}, False)
    if stage is not None and fw.stages and fw.stage(stage) is None:
        fail(f"--stage: unknown stage {stage!r} (known: {', '.join(fw.stages)})")
    if stage_gate and stage is None and not each and not _declared_stage(fw, paths):
        fail("--fail-under stage: no stage is set: give --stage or declare `stage:` in .mlops-maturity.yaml")
    if not (save or db) and (project or team):
        fail("--project and --team say where to store the result: add --save")
    jobs = jobs or (os.cpu_count() or 1)
    extra = []
    if mlflow_uri:
        from ..sources.mlflow import MlflowSource

        extra.append(MlflowSource(mlflow_uri))

    if not each:
        result = _assess(fw, catalog, list(paths), answers, name, stage, jobs, save, db, project, team, extra)
        write_output(render(result, fmt, verbose, output), output)
        _warn_failed_sources(result)
        missed = gate(result, overall_gate, dim_gate, stage_gate)
    else:
        if not paths:
            fail("--each needs PATHs (or --repos-from FILE)")
        if name or project:
            fail("--each names each result after its repository: drop --name/--project")
        from .fleet import scan_fleet

        scan_fleet(
            fw, paths, fmt=fmt, output=output, verbose=verbose, framework_ref=framework_ref, answers=answers,
            stage=stage, mlflow_uri=mlflow_uri, jobs=jobs, save=save, db=db, team=team,
            gate=(overall_gate, dim_gate, stage_gate), summary_json=summary_json, summary_html=summary_html,
            no_cache=no_cache, cache_dir=cache_dir,
        )
        missed = []
    if missed:
        click.echo("mlops-maturity: fail-under: " + "; ".join(missed), err=True)
        sys.exit(EXIT_GATE)


def _declared_stage(fw, paths) -> bool:
    from ..sources.assess import read_configs
    from ..sources.declared import InputError

    try:
        return any(c.stage for _, c in read_configs(list(paths), fw))
    except InputError as exc:
        fail(str(exc))


def _warn_failed_sources(result) -> None:
    for s in result.sources:
        if s.status == "failed":
            click.echo(f"mlops-maturity: warning: source {s.name} failed: {s.message}", err=True)


def _assess(fw, catalog, paths, answers, name, stage, jobs, save, db, project, team, extra_sources=()):
    """One subject: gather sources, score, optionally store. Input problems exit 2."""
    import os

    from ..sources.assess import Request, read_configs, run
    from ..sources.declared import InputError

    try:
        configs = read_configs(paths, fw)
    except InputError as exc:
        fail(str(exc))
    if not name and not paths and answers is None and extra_sources:
        name = extra_sources[0].subject_name
    req = Request(paths=paths, answers=answers, name=name, stage=stage, jobs=jobs, configs=configs, extra_sources=list(extra_sources))
    history = None
    if save or db:
        from .history import attach_history

        history = attach_history(req, configs, db, save=save, project=project, team=team)
    try:
        if paths and sys.stderr.isatty() and not os.environ.get("CI"):
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            label = ", ".join(p.name or str(p) for p in paths)[:40]
            # Refreshed from the progress callback rather than by Rich's own thread: the scan
            # forks its --jobs workers only when no other thread is running.
            with Progress(
                TextColumn(f"scanning {label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                transient=True, auto_refresh=False,
            ) as bar:
                task = bar.add_task("scan", total=None)
                last = [0.0]

                def tick(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)
                    now = time.monotonic()
                    if now - last[0] >= 0.1 or done >= total:
                        last[0] = now
                        bar.refresh()

                req.progress = tick
                result = run(req, fw, catalog)
        else:
            result = run(req, fw, catalog)
    except InputError as exc:
        if history is not None:
            history.close()
        fail(str(exc))
    if history is not None:
        if save:
            history.save(result, source="scan" if paths or extra_sources else "answers")
        history.close()
    return result


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--answers-out", type=click.Path(path_type=Path), default=Path("answers.yaml"), show_default=True, help="Where to write the answers.")
@click.option("--resume", type=click.Path(path_type=Path), help="Start from a partly filled answers file (default: --answers-out if it exists).")
@click.option("--framework", "framework_ref", metavar="FILE", help="A framework file (default: the shipped model).")
@click.option("--dimension", "only", multiple=True, help="Ask only this dimension (repeatable).")
@click.option("--template", is_flag=True, help="Print a commented answers template instead of asking.")
@click.option("--respondent", default="", help="Who answers (stored with each answer).")
def assess(answers_out, resume, framework_ref, only, template, respondent):
    """Answer the questionnaire in the terminal, one dimension at a time.

    Answers are saved after every question, so an interrupted session resumes where it
    stopped. Enter 0-3, `s` to skip, `?` for help, `n` to add a note, `q` to save and quit.

    \b
    Examples:
      mlops-maturity assess                              # writes answers.yaml
      mlops-maturity assess --dimension monitor --answers-out team.yaml
      mlops-maturity assess --template > answers.yaml    # fill it in an editor
    """
    from .questionnaire import run_questionnaire

    fw, _ = load_framework_or_fail(framework_ref)
    if template:
        from ..sources.declared import template as make_template

        click.echo(make_template(fw), nl=False)
        return
    run_questionnaire(fw, answers_out, resume, list(only), respondent)


@main.group(context_settings={"help_option_names": ["-h", "--help"]})
def framework():
    """Show or validate a maturity framework."""


@framework.command("show")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True)
def framework_show(file, fmt):
    """Print the model: levels, dimensions, criteria per level with their evidence rules.

    \b
    Examples:
      mlops-maturity framework show
      mlops-maturity framework show my-framework.yaml --format json
    """
    fw, _ = load_framework_or_fail(str(file) if file else None)
    if fmt == "json":
        click.echo(fw.model_dump_json(indent=2))
        return
    from .show import render_framework

    click.echo(render_framework(fw, color=use_color()), nl=False)


@framework.command("validate")
@click.argument("file", required=False, type=click.Path(path_type=Path))
def framework_validate(file):
    """Check a framework file; print every problem, one per line. Exit 0 if valid, 2 if not.

    \b
    Examples:
      mlops-maturity framework validate               # the shipped framework
      mlops-maturity framework validate custom.yaml
    """
    from ..framework.load import FrameworkError, default_catalog, load_framework, resolve

    try:
        fw = load_framework(str(file) if file else None, default_catalog())
    except FrameworkError as exc:
        for line in exc.errors:
            click.echo(f"mlops-maturity: error: {line}", err=True)
        sys.exit(2)
    click.echo(f"{resolve(str(file) if file else None)}: valid ({fw.id} {fw.version}: {len(fw.criteria)} criteria, {len(fw.dimensions)} dimensions, {len(fw.levels)} levels)")
