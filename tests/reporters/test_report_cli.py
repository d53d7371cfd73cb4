"""`mlops-maturity report` and `scan --format ...` as a user runs them: real files, exit codes, one-line errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from helpers import cli as run
from helpers import one_line_error

from mlops_maturity.model.result import Result
from mlops_maturity.reporters import render


@pytest.fixture
def stored(tmp_path, sample, sample_previous):
    now = tmp_path / "result.json"
    old = tmp_path / "old.json"
    now.write_text(render(sample, "json"), encoding="utf-8")
    old.write_text(render(sample_previous, "json"), encoding="utf-8")
    return now, old


@pytest.mark.parametrize("fmt", ["terminal", "json", "markdown", "html", "sarif", "badge"])
def test_report_renders_a_stored_result_identically(stored, tmp_path, fmt):
    now, old = stored
    out = tmp_path / f"report.{fmt}"
    proc = run("report", now, "--format", fmt, "--previous", old, "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    result = Result.model_validate_json(now.read_text(encoding="utf-8"))
    previous = Result.model_validate_json(old.read_text(encoding="utf-8"))
    options = {"color": False, "width": 100, "verbose": False} if fmt == "terminal" else {}
    assert out.read_text(encoding="utf-8") == render(result, fmt, previous=previous, **options)


def test_report_to_stdout_with_verbose_terminal(stored):
    now, _ = stored
    proc = run("report", now, "-v")
    assert proc.returncode == 0, proc.stderr
    assert "src/recsys/train.py:42" in proc.stdout and "Roadmap" in proc.stdout


def test_scan_writes_every_document_format(tmp_path, validate_result):
    answers = tmp_path / "answers.yaml"
    answers.write_text("answers:\n  dev.experiment-tracking: 3\n  deploy.automated-training: 2\n  monitor.service-telemetry: 1\n", encoding="utf-8")
    for fmt, check in [
        ("html", lambda t: t.startswith("<!doctype html>") and 'class="radar"' in t),
        ("markdown", lambda t: "| Dimension | Level | Progress to next | Next step |" in t),
        ("sarif", lambda t: json.loads(t)["version"] == "2.1.0"),
        ("badge", lambda t: ET.fromstring(t).tag.endswith("svg")),
        ("json", lambda t: bool(validate_result(t))),
    ]:
        out = tmp_path / f"r.{fmt}"
        proc = run("scan", "--answers", answers, "--format", fmt, "-o", out)
        assert proc.returncode == 0, (fmt, proc.stderr)
        assert check(out.read_text(encoding="utf-8")), fmt


def _mutate(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "write, needles",
    [
        (None, ["no such file"]),
        (lambda p: p.mkdir(), ["is a directory"]),
        (lambda p: p.write_text("", encoding="utf-8"), ["empty file"]),
        (lambda p: p.write_bytes(b"\xff\xfe{}"), ["not UTF-8"]),
        (lambda p: p.write_text('{"schema_version": "1",', encoding="utf-8"), ["not valid JSON", "line 1 column 24"]),
        (lambda p: p.write_text('{"progress": NaN}', encoding="utf-8"), ["not valid JSON", "NaN"]),
        (lambda p: p.write_text("[1, 2]", encoding="utf-8"), ["not a mlops-maturity result", "found list"]),
        (lambda p: p.write_text('{"tool": {}}', encoding="utf-8"), ["no schema_version"]),
        (lambda p: p.write_text('{"schema_version": "2"}', encoding="utf-8"), ["schema_version '2' is not supported", "reads '1'"]),
    ],
)
def test_bad_input_is_one_line_naming_the_file(tmp_path, write, needles):
    path = tmp_path / "result.json"
    if write is not None:
        write(path)
    one_line_error(run("report", path, "--format", "html"), str(path), *needles)


def test_schema_mismatch_names_the_place(stored):
    now, _ = stored
    _mutate(now, lambda d: d["dimensions"][2].update(level="three"))
    one_line_error(run("report", now), str(now), "does not match the result schema at dimensions[2].level", "'three' is not of type 'integer'")
    _mutate(now, lambda d: (d["dimensions"][2].update(level=3), d.pop("overall")))
    one_line_error(run("report", now), "the top level", "'overall' is a required property")


def test_bad_previous_is_named(stored, tmp_path):
    now, _ = stored
    bad = tmp_path / "old.json"
    bad.write_text("nope", encoding="utf-8")
    one_line_error(run("report", now, "--previous", bad), str(bad), "not valid JSON")


def test_unwritable_output_is_one_line(stored, tmp_path):
    now, _ = stored
    one_line_error(run("report", now, "--format", "html", "-o", tmp_path / "missing-dir" / "r.html"), "cannot write")


def test_terminal_shows_the_change_since_previous(stored):
    now, old = stored
    proc = run("report", now, "--previous", old)
    assert proc.returncode == 0, proc.stderr
    assert "Since 2026-08-14: overall unchanged" in proc.stdout
    header = next(line for line in proc.stdout.splitlines() if line.startswith("Dimension"))
    assert "Δ" in header
    data = next(line for line in proc.stdout.splitlines() if line.startswith("Data management"))
    assert "▲+1" in data
    assert "Δ" not in run("report", now).stdout
