"""The SVG badge: valid XML, the level as text, the colour of the level, the label escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from mlops_maturity.reporters import badge, render
from mlops_maturity.reporters.templating import environment

SVG = "{http://www.w3.org/2000/svg}"


def with_level(result, level: int):
    return result.model_copy(update={"overall": result.overall.model_copy(update={"level": level, "level_name": f"name {level}"})})


@pytest.mark.parametrize("level, colour", [(1, "#e05d44"), (2, "#fe7d37"), (3, "#dfb317"), (4, "#97ca00"), (5, "#4c1")])
def test_badge_is_valid_svg_coloured_by_level(sample, level, colour):
    text = render(with_level(sample, level), "badge")
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg" and root.get("height") == "20"
    assert root.get("aria-label") == f"mlops maturity: level {level}"
    assert root.find(f"{SVG}title").text == f"mlops maturity: level {level} (name {level})"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["mlops maturity", "mlops maturity", f"level {level}", f"level {level}"]
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    assert colour in fills
    width = int(root.get("width"))
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("fill") in ("#555", colour)]
    assert sum(int(r.get("width")) for r in rects) == width


def test_badge_label_is_escaped(sample):
    env = environment()
    assert "badge.svg" in env.list_templates() and env.autoescape is True
    text = badge.render(sample, label='<script>"x"</script> & co')
    assert "<script" not in text
    root = ET.fromstring(text)
    assert [t.text for t in root.iter(f"{SVG}text")][0] == '<script>"x"</script> & co'


def test_text_width_grows_with_the_text():
    assert badge.text_width("level 3") < badge.text_width("mlops maturity") < badge.text_width("MLOPS MATURITY")
