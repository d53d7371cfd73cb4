"""`scan --each`: one result per repository."""

import json
from pathlib import Path
from helpers import cli as run


ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def test_each_json_is_one_result_per_repository(tmp_path, validate_result):
    out = tmp_path / "all.json"
    proc = run("scan", "--each", EXAMPLES / "churn-notebook", EXAMPLES / "fraud-training", "--format", "json", "-o", out)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(out.read_text())
    assert [r["subject"]["name"] for r in results] == ["churn-notebook", "fraud-training"]
    for r in results:
        validate_result(json.dumps(r))
    together = json.loads(run("scan", EXAMPLES / "churn-notebook", EXAMPLES / "fraud-training", "--format", "json").stdout)
    assert together["subject"]["name"] == "churn-notebook + fraud-training"


def test_each_per_file_formats_need_a_directory(tmp_path):
    proc = run("scan", "--each", EXAMPLES / "churn-notebook", "--format", "markdown")
    assert proc.returncode == 2 and "--output DIR" in proc.stderr
    proc = run("scan", "--each", EXAMPLES / "churn-notebook", EXAMPLES / "fraud-training", "--format", "badge", "-o", tmp_path / "badges")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "badges").iterdir()) == ["churn-notebook.svg", "fraud-training.svg"]


def test_each_gate_names_the_repository():
    proc = run("scan", "--each", EXAMPLES / "churn-notebook", "--format", "json", "--fail-under", "2")
    assert proc.returncode == 1
    assert "churn-notebook: overall level 1 is below 2" in proc.stderr
