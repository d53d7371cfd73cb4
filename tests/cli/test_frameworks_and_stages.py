"""Both frameworks on the same repositories, every report format with --framework ml-test-score,
and stage profiles (.mlops-maturity.yaml or --stage; roadmap aims at the targets; --fail-under stage)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from helpers import cli, write

from mlops_maturity.framework.load import default_catalog, load_framework
from mlops_maturity.sources.assess import Request, run as assess


ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
RESULT_SCHEMA = json.loads((ROOT / "src/mlops_maturity/schema/result.schema.json").read_text(encoding="utf-8"))


def both(path: Path):
    catalog = default_catalog()
    default = assess(Request(paths=[path]), load_framework(None, catalog), catalog)
    mts = assess(Request(paths=[path]), load_framework("ml-test-score", catalog), catalog)
    return default, mts


def test_a_repository_with_none_of_the_practices_scores_0_and_level_1(tmp_path):
    repo = tmp_path / "bare"
    write(repo / "notes.txt", "ideas for a model\n")
    default, mts = both(repo)
    assert all(p.status.value == "absent" for p in default.practices if p.sources == ("scan",))
    assert default.overall.level == 1 and {d.level for d in default.dimensions} == {1}
    assert mts.overall.score == 0 and mts.overall.level == 1 and mts.overall.level_name == "Research project"
    assert {d.score for d in mts.dimensions} == {0}
    # the same observations: both results saw the same practices the same way
    assert [(p.id, p.status) for p in default.practices] == [(p.id, p.status) for p in mts.practices]


# Criteria of the two frameworks that rest on the same practices must agree on every repository.
SAME_EVIDENCE = [
    ("data.automated-validation", "data.1-feature-schema"),
    ("dev.automated-hpo", "model.3-hyperparameters-tuned"),
    ("dev.model-quality-gate", "infra.4-quality-validated-before-serving"),
    ("monitor.automated-retraining", "monitor.4-staleness"),
]


@pytest.mark.parametrize("example", ["churn-notebook", "fraud-training", "recsys-platform"])
def test_the_same_repository_scores_consistently_with_both_frameworks(example):
    default, mts = both(EXAMPLES / example)
    d_status = {c.id: c for d in default.dimensions for c in d.criteria}
    m_status = {c.id: c for d in mts.dimensions for c in d.criteria}
    for a, b in SAME_EVIDENCE:
        assert d_status[a].practices == m_status[b].practices
        assert d_status[a].status == m_status[b].status, (example, a, b)
        assert (m_status[b].points == 1.0) == (d_status[a].status.value == "met")
    # a test earns its full point from observed evidence only when its practices were observed
    for c in m_status.values():
        if c.basis == "observed" and c.status.value == "met":
            assert c.observed, c.id


def test_the_examples_keep_their_order_on_both_frameworks():
    scores = {e: both(EXAMPLES / e) for e in ["churn-notebook", "fraud-training", "recsys-platform"]}
    default_levels = [scores[e][0].overall.level for e in scores]
    infra = [next(d.score for d in scores[e][1].dimensions if d.id == "infra") for e in scores]
    assert default_levels == sorted(default_levels) and default_levels[0] < default_levels[-1]
    assert infra == sorted(infra) and infra[0] < infra[-1]


def test_every_format_works_with_the_ml_test_score(tmp_path, sarif_validator):
    repo = EXAMPLES / "fraud-training"
    out = {}
    for fmt in ["terminal", "json", "markdown", "html", "sarif", "badge"]:
        target = tmp_path / f"report.{fmt}"
        proc = cli("scan", repo, "--framework", "ml-test-score", "--stage", "production", "--format", fmt, "-o", target)
        assert proc.returncode == 0 and proc.stderr == "", (fmt, proc.stderr)
        out[fmt] = target.read_text(encoding="utf-8")
    result = json.loads(out["json"])
    jsonschema.validate(result, RESULT_SCHEMA)
    assert result["framework"]["id"] == "ml-test-score" and result["overall"]["method"] == "minimum_score"
    scores = {d["id"]: d["score"] for d in result["dimensions"]}
    assert result["overall"]["score"] == min(scores.values())
    assert all(c["level"] is None and c["max_points"] == 1 for d in result["dimensions"] for c in d["criteria"])

    assert "final score" in out["terminal"] and "Tests for ML infra" in out["terminal"]
    infra = next(d for d in result["dimensions"] if d["id"] == "infra")
    assert f"({infra['score']:g}/7)" in out["terminal"]
    assert f"({infra['score']:g} of 7)" in out["markdown"] and "final score" in out["markdown"]
    assert out["html"].count('<details class="crit') == 28 and f"Score {infra['score']:g} of 7" in out["html"]
    assert "<script src" not in out["html"] and "https://" not in out["html"].split("</head>")[0]
    log = json.loads(out["sarif"])
    errors = list(sarif_validator.iter_errors(log))
    assert not errors, [e.message for e in errors[:3]]
    run = log["runs"][0]
    assert run["automationDetails"]["id"] == "mlops-maturity/ml-test-score/"
    assert run["properties"]["overallScore"] == result["overall"]["score"]
    unmet = sum(1 for d in result["dimensions"] for c in d["criteria"] if c["status"] == "unmet")
    assert len(run["results"]) == unmet and all("partialFingerprints" in r for r in run["results"])
    assert len(run["tool"]["driver"]["rules"]) == 28
    assert out["badge"].lstrip().startswith("<svg") and out["badge"].rstrip().endswith("</svg>")
    assert f"level {result['overall']['level']}" in out["badge"]


def test_a_stage_from_the_repository_config_sets_targets_and_the_roadmap_aims_at_them(tmp_path):
    repo = tmp_path / "svc"
    write(repo / ".mlops-maturity.yaml", "project: svc\nstage: critical\n")  # alias of business-critical
    write(repo / "README.md", "# svc\n")
    proc = cli("scan", repo, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert r["subject"]["stage"] == "business-critical"
    targets = {d["id"]: d["target_level"] for d in r["dimensions"]}
    assert targets == {"data": 4, "dev": 4, "deploy": 4, "monitor": 5, "gov": 5, "team": 4}
    assert all(d["target_reached"] is False for d in r["dimensions"])
    assert r["roadmap"] and all(i["target_level"] == targets[i["dimension"]] for i in r["roadmap"])
    # no leaps: each step goes one level up from where the dimension is
    levels = {d["id"]: d["level"] for d in r["dimensions"]}
    assert all(i["from_level"] == levels[i["dimension"]] and i["to_level"] == i["from_level"] + 1 for i in r["roadmap"])


def test_the_roadmap_says_when_a_dimension_has_reached_its_target():
    proc = cli("scan", EXAMPLES / "recsys-platform", "--stage", "prototype", "--format", "json")
    r = json.loads(proc.stdout)
    reached = [d["id"] for d in r["dimensions"] if d["target_reached"]]
    assert reached, [(d["id"], d["level"], d["target_level"]) for d in r["dimensions"]]
    assert not any(i["dimension"] in reached for i in r["roadmap"])
    md = cli("scan", EXAMPLES / "recsys-platform", "--stage", "prototype", "--format", "markdown").stdout
    assert "Stage prototype:" in md
    assert ("target reached: " + ", ".join(reached)) in md or "every dimension has reached its target level" in md
    term = cli("scan", EXAMPLES / "recsys-platform", "--stage", "prototype").stdout
    assert "reached" in term and "Stage prototype:" in term


def test_fail_under_stage_gates_on_the_stage_targets(tmp_path):
    repo = EXAMPLES / "fraud-training"
    r = json.loads(cli("scan", repo, "--format", "json").stdout)
    levels = {d["id"]: d["level"] for d in r["dimensions"]}
    proc = cli("scan", repo, "--stage", "production", "--fail-under", "stage", "--format", "json")
    assert proc.returncode == 1
    prod = load_framework(None, default_catalog()).stages["production"].targets
    below = [d for d in levels if levels[d] < prod[d]]
    line = proc.stderr.strip().splitlines()[-1]
    for d in below:
        assert f"{d} level {levels[d]} is below the production target {prod[d]}" in line
    # a custom stage whose targets the repository meets passes the gate
    fw_text = (ROOT / "src/mlops_maturity/framework/data/default.yaml").read_text(encoding="utf-8")
    custom = tmp_path / "fw.yaml"
    custom.write_text(fw_text + "  exploration:\n    name: Exploration\n    targets: {" + ", ".join(f"{d}: {v}" for d, v in levels.items()) + "}\n", encoding="utf-8")
    ok = cli("scan", repo, "--framework", custom, "--stage", "exploration", "--fail-under", "stage", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert all(d["target_reached"] for d in json.loads(ok.stdout)["dimensions"])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--fail-under", "stage"], "--fail-under stage: no stage is set"),
        (["--stage", "moonshot"], "--stage: unknown stage 'moonshot' (known: prototype, production, business-critical)"),
    ],
)
def test_stage_input_errors_are_one_line(args, needle):
    proc = cli("scan", EXAMPLES / "fraud-training", *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in proc.stderr, proc.stderr
