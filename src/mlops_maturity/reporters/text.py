"""Helpers shared by the text renderers."""

from __future__ import annotations

import re

# C0 and C1 controls (ANSI escapes start with ESC or CSI), and the bidirectional overrides and
# isolates that make text display in another order than it is stored ("Trojan Source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str, limit: int | None = None) -> str:
    """Repository content never reaches a terminal raw: control characters (ANSI escapes) and bidirectional overrides become '?'."""
    text = _CONTROL.sub("?", text.replace("\t", " ").replace("\n", " "))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
