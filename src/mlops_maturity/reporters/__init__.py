"""Pure renderers: a finished Result in, a string out. They never see the engine.

The registry maps each format name to its module; every module has
`render(result, *, previous=None, **options) -> str`. Modules are imported on use.
"""

from __future__ import annotations

from importlib import import_module

from ..model.result import Result

# format name -> module under mlops_maturity.reporters (explicit, no discovery)
FORMATS: dict[str, str] = {
    "terminal": "terminal",
    "json": "json",
    "markdown": "markdown",
    "html": "html",
    "sarif": "sarif",
    "badge": "badge",
}


def render(result: Result, fmt: str, *, previous: Result | None = None, **options) -> str:
    try:
        module = import_module(f"{__name__}.{FORMATS[fmt]}")
    except KeyError:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})") from None
    return module.render(result, previous=previous, **options)
