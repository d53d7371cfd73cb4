"""The JSON result: the contract every other format, the store and the server consume."""

from __future__ import annotations

from ..model.result import Result


def render(result: Result, *, previous: Result | None = None, **_: object) -> str:
    return result.model_dump_json(indent=2) + "\n"
