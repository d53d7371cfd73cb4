"""Helpers shared by the text renderers."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str, limit: int | None = None) -> str:
    """Repository content never reaches a terminal raw: control characters (ANSI escapes) become '?'."""
    text = _CONTROL.sub("?", text.replace("\t", " ").replace("\n", " "))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
