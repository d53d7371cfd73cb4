"""The web's Jinja environment: autoescape on for every template whatever its extension (`.svg`
included; not `select_autoescape`), undefined names are errors."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse


@cache
def environment() -> Environment:
    from ..reporters.view import when

    env = Environment(
        loader=PackageLoader("mlops_maturity.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["day"] = lambda dt: when(dt, time=False)
    env.globals["lv"] = lambda level: f"lv{min(max(int(level), 1), 5)}" if level is not None else "lv0"
    return env


def render(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)


def page(name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(render(name, **context), status_code=status_code)
