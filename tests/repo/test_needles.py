"""The one-pass needle index answers exactly what a substring search per needle answers."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import write
from mlops_maturity.repo import RepoView
from mlops_maturity.repo.view import NeedleIndex

ALPHABET = st.sampled_from(list("ab:_ \n\"é✓"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(ALPHABET, min_size=1, max_size=4), min_size=1, max_size=8), st.text(ALPHABET, max_size=60))
def test_index_finds_what_substring_search_finds(needles, text):
    assert NeedleIndex(needles).scan(text) == {n for n in needles if n in text}


def test_with_any_in_path_order_and_fallback(tmp_path: Path):
    write(tmp_path / "b.yaml", "kind: ModelMonitor\n")
    write(tmp_path / "a.yaml", "alarm: aws_cloudwatch_metric_alarm\n")
    write(tmp_path / "c.yaml", "nothing here\n")
    write(tmp_path / "d/e.yaml", "ModelMonitor and aws_cloudwatch_metric_alarm\n")
    (tmp_path / "bin.yaml").write_bytes(b"\0ModelMonitor")
    view = RepoView(tmp_path, use_git=False)
    rels = view.glob("*.yaml")
    view.index_needles(["ModelMonitor", "aws_cloudwatch_metric_alarm"])
    assert view.with_any(rels, ["ModelMonitor"]) == ["b.yaml", "d/e.yaml"]
    assert view.with_any(rels, ["aws_cloudwatch_metric_alarm", "ModelMonitor"]) == ["a.yaml", "b.yaml", "d/e.yaml"]
    # A needle the index was not told about is still searched for, file by file.
    assert view.with_any(rels, ["nothing"]) == ["c.yaml"]
    assert view.contains_any("c.yaml", ["here"]) and not view.contains_any("c.yaml", ["ModelMonitor"])
    # The binary file is never a hit, and is recorded as skipped.
    assert not view.contains_any("bin.yaml", ["ModelMonitor"])
    assert any(s.path == "bin.yaml" for s in view.skipped)


def test_bulk_read_finds_needles_in_bytes_as_in_text(tmp_path: Path):
    """`warm` leaves plain ASCII files undecoded (their needles are found in their bytes); every
    other file is decoded at once, so that what is recorded as skipped does not depend on which
    detector reads what."""
    write(tmp_path / "ascii.yaml", "kind: ModelMonitor\n")
    write(tmp_path / "utf8.yaml", "# café\nkind: ModelMonitor\n")
    (tmp_path / "utf16.txt").write_bytes("kind: ModelMonitor\n".encode("utf-16"))
    (tmp_path / "latin1.yaml").write_bytes("# caf\xe9\nkind: ModelMonitor\n".encode("latin-1"))
    (tmp_path / "nul.yaml").write_bytes(b"kind: ModelMonitor\0\n")
    view = RepoView(tmp_path, use_git=False)
    view.index_needles(["ModelMonitor", "kind:"])
    view.warm(list(view.files))
    undecoded = {r for r in view.files if ("text", r) not in view._cache}
    assert undecoded == {"ascii.yaml"}
    assert {r: view.found(r) for r in view.files} == {
        "ascii.yaml": {"ModelMonitor", "kind:"},
        "latin1.yaml": {"ModelMonitor", "kind:"},  # read with a replacement character
        "nul.yaml": frozenset(),  # binary
        "utf16.txt": {"ModelMonitor", "kind:"},
        "utf8.yaml": {"ModelMonitor", "kind:"},
    }
    assert {s.path: s.reason.split(":")[0] for s in view.skipped} == {"latin1.yaml": "invalid UTF-8", "nul.yaml": "binary file (NUL byte)"}
    assert view.text("ascii.yaml") == "kind: ModelMonitor\n"
