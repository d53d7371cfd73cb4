"""The command as a user runs it: a real subprocess, real files, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import cli as run
from helpers import one_line_error, write


def test_validate_shipped_framework():
    proc = run("framework", "validate")
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout


def test_validate_framework_with_unknown_practice_id(tmp_path, fw):
    from mlops_maturity.framework.load import resolve

    text = resolve(None).read_text().replace("data.pipeline OR Q>=2", "data.pipelines OR Q>=2", 1)
    bad = write(tmp_path / "bad.yaml", text)
    line = one_line_error(run("framework", "validate", bad), str(bad), "data.pipelines", "data.rerunnable-pipeline")
    assert "unknown practice id" in line


def test_validate_reports_every_problem(tmp_path):
    from mlops_maturity.framework.load import resolve

    text = resolve(None).read_text()
    text = text.replace("data.pipeline OR Q>=2", "data.nope OR Q>=2", 1).replace("dev.hpo OR Q>=2", "dev.hpo OR", 1)
    bad = write(tmp_path / "bad.yaml", text)
    proc = run("framework", "validate", bad)
    assert proc.returncode == 2
    assert "data.nope" in proc.stderr and "malformed evidence" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 2


@pytest.mark.parametrize(
    "mutation, needle",
    [
        (lambda t: t.replace("  level: 2\n", "  level: 1\n", 1), "level 1 has no criteria"),
        (lambda t: t.replace("id: data.versioned-data", "id: data.rerunnable-pipeline", 1), "duplicate id"),
        (lambda t: t.replace("data.lineage AND Q=3", "data.lineage AND Q=4", 1), "can never"),
    ],
)
def test_validate_semantic_errors(tmp_path, mutation, needle):
    from mlops_maturity.framework.load import resolve

    text = resolve(None).read_text()
    mutated = mutation(text)
    assert mutated != text
    proc = run("framework", "validate", write(tmp_path / "f.yaml", mutated))
    assert proc.returncode == 2 and needle in proc.stderr, proc.stderr


def test_framework_show_lists_every_criterion(fw):
    proc = run("framework", "show")
    assert proc.returncode == 0
    for c in fw.criteria:
        assert c.id in proc.stdout


def answers_file(tmp_path, body: str) -> Path:
    return write(tmp_path / "answers.yaml", body)


STORY = """
respondent: lead@example.com
answered_at: 2026-11-20
answers:
  data.rerunnable-pipeline: 2
  data.versioned-data: 2
  data.shared-features: 2
  dev.experiment-tracking: 3
  dev.scripted-training: 2
  dev.reproducible-env: 2
  dev.tested-code: 2
  deploy.automated-training: 3
  deploy.continuous-integration: 3
  deploy.model-registry: 2
  deploy.continuous-delivery: 2
  deploy.quick-rollback: {value: 2, note: "previous alias kept for one click rollback"}
  monitor.service-telemetry: 1
"""


def test_scan_with_answers_json_validates(tmp_path, validate_result):
    proc = run("scan", "--answers", answers_file(tmp_path, STORY), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = validate_result(proc.stdout)
    assert data["overall"]["level"] == 3
    assert {d["id"]: d["level"] for d in data["dimensions"]}["monitor"] == 1
    assert "automation_without_monitoring" in [p["id"] for p in data["pitfalls"]]
    crit = next(c for d in data["dimensions"] for c in d["criteria"] if c["id"] == "deploy.quick-rollback")
    assert crit["answer"]["respondent"] == "lead@example.com" and crit["basis"] == "declared"


def test_fail_under(tmp_path):
    a = answers_file(tmp_path, STORY)
    assert run("scan", "--answers", a, "--fail-under", "3").returncode == 0
    proc = run("scan", "--answers", a, "--fail-under", "4")
    assert proc.returncode == 1 and "overall level 3 is below 4" in proc.stderr
    proc = run("scan", "--answers", a, "--fail-under", "deploy=3,monitor=2")
    assert proc.returncode == 1 and "monitor level 1 is below 2" in proc.stderr and "deploy" not in proc.stderr.split("fail-under:")[1]
    one_line_error(run("scan", "--answers", a, "--fail-under", "deploi=3"), "unknown dimension 'deploi'")
    one_line_error(run("scan", "--answers", a, "--fail-under", "high"), "'high' is not a level")


@pytest.mark.parametrize(
    "body, needles",
    [
        ("answers:\n  dev.experiment-tracking: 7\n", ["answers.yaml", "dev.experiment-tracking", "value 7"]),
        ("answers:\n  dev.no-such-thing: 2\n", ["answers.yaml", "unknown criterion id 'dev.no-such-thing'"]),
        ("answers: [1, 2\n", ["answers.yaml", "not valid YAML"]),
        ("", ["answers.yaml", "empty file"]),
        ("- 1\n- 2\n", ["answers.yaml", "expected a mapping"]),
        ("answers:\n  dev.experiment-tracking: yes\n", ["answers.yaml", "whole number"]),
        ("a: &x [1]\nb: *x\n", ["answers.yaml", "aliases"]),
        ("exemptions:\n  dev.hpo: {status: exempt}\n", ["answers.yaml", "exemptions.dev.hpo", "reason"]),
        ("exemptions:\n  dev.hpo: {status: exempt, reason: ''}\n", ["answers.yaml", "reason"]),
    ],
)
def test_malformed_answers(tmp_path, body, needles):
    one_line_error(run("scan", "--answers", answers_file(tmp_path, body)), *needles)


def test_missing_answers_file(tmp_path):
    one_line_error(run("scan", "--answers", tmp_path / "nope.yaml"), "nope.yaml", "no such file")


def test_exemption_appears_in_terminal_and_json(tmp_path, validate_result):
    body = STORY + "exemptions:\n  monitor.service-telemetry: {status: not_applicable, reason: offline batch scoring only}\n"
    a = answers_file(tmp_path, body)
    text = run("scan", "--answers", a)
    assert text.returncode == 0
    assert "monitor.service-telemetry (not_applicable): offline batch scoring only" in text.stdout
    data = validate_result(run("scan", "--answers", a, "--format", "json").stdout)
    assert {"criterion": "monitor.service-telemetry", "kind": "not_applicable", "reason": "offline batch scoring only", "declared_in": str(a)} in data["exemptions"]
    monitor = next(d for d in data["dimensions"] if d["id"] == "monitor")
    assert monitor["level"] >= 2  # the exempt criterion no longer blocks level 2


def test_repo_config_exemption_without_reason_is_an_input_error(tmp_path):
    repo = tmp_path / "repo"
    write(repo / ".mlops-maturity.yaml", "stage: production\nexemptions:\n  deploy.online-comparison: {status: exempt}\n")
    one_line_error(run("scan", repo), ".mlops-maturity.yaml", "reason")


def test_output_file_and_no_traceback_on_unwritable(tmp_path):
    a = answers_file(tmp_path, STORY)
    out = tmp_path / "r.json"
    assert run("scan", "--answers", a, "--format", "json", "-o", out).returncode == 0
    assert json.loads(out.read_text())["schema_version"] == "1"
    one_line_error(run("scan", "--answers", a, "-o", tmp_path / "nodir" / "r.txt"), "cannot write")


def test_nothing_to_assess():
    one_line_error(run("scan"), "nothing to assess")


def test_missing_path(tmp_path):
    one_line_error(run("scan", tmp_path / "nope"), "no such directory")


def test_help_has_examples():
    proc = run("scan", "--help")
    assert proc.returncode == 0 and "Examples:" in proc.stdout and "--fail-under" in proc.stdout


def test_assess_template_round_trips(tmp_path, fw):
    proc = run("assess", "--template")
    assert proc.returncode == 0
    t = write(tmp_path / "t.yaml", proc.stdout)
    for c in fw.active_criteria():
        assert f"  {c.id}: null" in proc.stdout
    # an untouched template is valid input and yields an all-unknown profile
    data = json.loads(run("scan", "--answers", t, "--format", "json").stdout)
    assert data["overall"]["unknown_criteria"] == data["overall"]["total_criteria"]


def test_assess_without_terminal_points_to_template(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "mlops_maturity", "assess", "--answers-out", str(tmp_path / "a.yaml")], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 2 and "--template" in proc.stderr
