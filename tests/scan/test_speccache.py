"""The detector spec cache: a hit gives exactly what parsing the YAML gives; anything odd is a miss."""

from __future__ import annotations

import json
import os

import pytest

from mlops_maturity.sources.scan import registry, speccache


def _load(monkeypatch, path):
    monkeypatch.setenv(speccache.ENV_VAR, str(path) if path is not None else "")
    registry.load_specs.cache_clear()
    try:
        return registry.load_specs()
    finally:
        registry.load_specs.cache_clear()


def _facts(specs):
    return [(f, [(d.model_dump(), d.literals(), d.clauses(), d.alternative_literals(), d.regex().pattern, d.regex().flags) for d in dets]) for f, dets in specs]


@pytest.fixture
def reference(monkeypatch):
    return _facts(_load(monkeypatch, None))


def test_hit_equals_a_parse(monkeypatch, tmp_path, reference):
    path = tmp_path / "c" / "specs.json"
    assert _facts(_load(monkeypatch, path)) == reference  # miss: parsed, then written
    assert path.is_file()
    assert [p.name for p in path.parent.iterdir()] == ["specs.json"]  # no temporary file left
    entry = json.loads(path.read_text())
    assert entry["format"] == speccache.FORMAT and set(entry["files"]) == set(registry.SPEC_FILES)
    hit = _load(monkeypatch, path)
    assert all(d._rx is None for _, dets in hit for d in dets)  # not compiled until used
    assert _facts(hit) == reference


def test_hit_skips_the_yaml_parse(monkeypatch, tmp_path):
    path = tmp_path / "specs.json"
    _load(monkeypatch, path)
    monkeypatch.setattr(registry, "read_spec_text", lambda *a: pytest.fail("parsed the YAML on a hit"))
    assert _load(monkeypatch, path)


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[: len(t) // 2],  # truncated
        lambda t: "[]",
        lambda t: "\x00\xff",
        lambda t: t.replace('"key":"', '"key":"0', 1),  # another version of the files
        lambda t: t.replace('"format":1', '"format":99', 1),
        lambda t: json.dumps({**json.loads(t), "literals": {}}),
        lambda t: json.dumps({**json.loads(t), "files": {f: {"data": {}} for f in json.loads(t)["files"]}}),
    ],
)
def test_a_damaged_or_stale_cache_is_ignored_and_rewritten(monkeypatch, tmp_path, reference, damage):
    path = tmp_path / "specs.json"
    _load(monkeypatch, path)
    good = path.read_text()
    path.write_text(damage(good), encoding="utf-8", errors="surrogateescape")
    assert _facts(_load(monkeypatch, path)) == reference
    assert path.read_text() == good


def test_key_covers_files_version_and_code():
    texts = [("dev.yaml", "a"), ("team.yaml", "b")]
    key = speccache.cache_key(texts)
    assert key == speccache.cache_key(list(texts))
    assert key != speccache.cache_key([("dev.yaml", "a "), ("team.yaml", "b")])
    assert key != speccache.cache_key([("dev.yaml", "ab"), ("team.yaml", "")])
    assert key != speccache.cache_key([("team.yaml", "b"), ("dev.yaml", "a")])


def test_off_and_unwritable(monkeypatch, tmp_path, reference):
    monkeypatch.setenv(speccache.ENV_VAR, "")
    assert speccache.cache_file() is None
    blocked = tmp_path / "file"
    blocked.write_text("x")
    assert _facts(_load(monkeypatch, blocked / "specs.json")) == reference  # cannot write: no error
    assert os.listdir(tmp_path) == ["file"]


def test_only_data_json_gives_back_unchanged_is_cached():
    assert speccache.faithful({"a": [1, "x", True, None, 1.5, {"b": []}]})
    assert not speccache.faithful({1: "int key"})
    assert not speccache.faithful({"t": (1, 2)})
    assert not speccache.faithful({"n": float("nan")})
    import datetime

    assert not speccache.faithful({"d": datetime.date(2024, 1, 1)})
