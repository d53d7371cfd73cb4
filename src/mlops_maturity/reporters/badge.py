"""An SVG badge in the shields.io flat style: "mlops maturity | level 3", coloured by level.

Text widths are estimated from Verdana's advance widths (what shields.io measures with), and
`textLength` pins each text to its box so another fallback font cannot overflow it.
"""

from __future__ import annotations

from ..model.result import Result
from .templating import render_template

# shields.io's named colours: red, orange, yellow, green, brightgreen.
COLOURS = {1: "#e05d44", 2: "#fe7d37", 3: "#dfb317", 4: "#97ca00", 5: "#4c1"}

# Verdana advance widths in em (lowercase, digits, space, common punctuation); others use AVERAGE.
_WIDTHS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz0123456789 -.:/|_",
        [0.601, 0.623, 0.521, 0.623, 0.596, 0.352, 0.623, 0.633, 0.274, 0.344, 0.592, 0.274, 0.973,
         0.633, 0.607, 0.623, 0.623, 0.427, 0.521, 0.394, 0.633, 0.592, 0.818, 0.592, 0.592, 0.525]
        + [0.636] * 10
        + [0.352, 0.431, 0.364, 0.454, 0.454, 0.636, 0.636],
        strict=True,
    )
)
_UPPER, _AVERAGE = 0.70, 0.62
FONT_SIZE = 11
PADDING = 6


def text_width(text: str) -> float:
    """Width in pixels of `text` in Verdana at 11px."""
    em = sum(_WIDTHS.get(ch, _UPPER if ch.isupper() else _AVERAGE) for ch in text)
    return em * FONT_SIZE


def render(result: Result, *, previous: Result | None = None, label: str = "mlops maturity", **_: object) -> str:
    level = result.overall.level
    value = f"level {level}"
    label_text = round(text_width(label))
    value_text = round(text_width(value))
    label_width = label_text + 2 * PADDING
    value_width = value_text + 2 * PADDING
    name = f" ({result.overall.level_name})" if result.overall.level_name else ""
    return render_template(
        "badge.svg",
        label=label,
        value=value,
        title=f"{label}: {value}{name}",
        colour=COLOURS[min(max(level, 1), 5)],
        width=label_width + value_width,
        label_width=label_width,
        value_width=value_width,
        # the texts are drawn at 10x scale for sub-pixel positioning, as shields.io does
        label_x=label_width * 5,
        value_x=(label_width + value_width / 2) * 10,
        label_text=label_text * 10,
        value_text=value_text * 10,
    )
