"""The `mlops-maturity` command: a thin layer over sources, scoring and reporters.

Heavy modules are imported inside the commands so that `--help` stays fast.
Exit codes: 0 success, 1 a --fail-under threshold was missed, 2 usage or input error.
"""

from __future__ import annotations

import gc
import os
import sys

import click

EXIT_GATE = 1
EXIT_INPUT = 2


class InputProblem(click.ClickException):
    """A one-line error about the user's input; exit 2, no traceback."""

    exit_code = EXIT_INPUT

    def show(self, file=None) -> None:  # noqa: ANN001
        click.echo(f"mlops-maturity: error: {self.format_message()}", err=True)


def fail(message: str) -> None:
    raise InputProblem(message)


def load_framework_or_fail(ref: str | None):
    from ..framework.load import FrameworkError, default_catalog, load_framework

    try:
        catalog = default_catalog()
        return load_framework(ref, catalog), catalog
    except FrameworkError as exc:
        fail(exc.errors[0] if len(exc.errors) == 1 else f"{exc.errors[0]} (and {len(exc.errors) - 1} more problems; run `mlops-maturity framework validate`)")


def use_color(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="mlops-maturity", prog_name="mlops-maturity")
def main() -> None:
    """Where an ML team stands on the MLOps maturity model, the evidence, and the next step.

    \b
    Examples:
      mlops-maturity scan .                          # scan this repository, terminal report
      mlops-maturity scan . --answers answers.yaml   # add the questionnaire's answers
      mlops-maturity scan . --format json -o result.json --fail-under 2
      mlops-maturity assess --answers-out answers.yaml
      mlops-maturity framework show
    """


from . import commands, crosswalk, history, learn, report, serve, upload  # noqa: E402,F401  (registers the subcommands on `main`)


def run() -> None:
    """Console entry point: a bug shows one line (and the traceback only when asked for)."""
    if sys.argv[1:2] == ["scan"]:
        # A scan is a short batch run that builds many objects which live to its end (file
        # lists, texts, parse results): the cyclic collector's repeated passes over them cost
        # 10-15% of its time and free little. Rarer collections, for this process only (not
        # for `serve`, which runs for days).
        gc.set_threshold(100_000, 50, 100)
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("mlops-maturity: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001  (last resort: the user gets a line, not a traceback)
        if os.environ.get("MLOPS_MATURITY_DEBUG"):
            raise
        click.echo(
            f"mlops-maturity: internal error: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]} "
            "(this is a bug; set MLOPS_MATURITY_DEBUG=1 to see the traceback)",
            err=True,
        )
        sys.exit(3)
