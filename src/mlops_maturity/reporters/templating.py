"""The one Jinja environment of the reporters.

Autoescape is on for every template whatever its extension (`autoescape=True`, not
`select_autoescape`, whose defaults leave `.svg` unescaped): repository paths, snippets and
answer notes are data, never markup. Undefined names are errors, not empty strings.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("mlops_maturity.reporters", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def render_template(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)
