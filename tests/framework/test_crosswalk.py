"""The crosswalk: every default criterion mapped, every mapped id in the model's shipped list,
bad mappings reported all at once, and results read in each public model's terms."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlops_maturity.framework.crosswalk import default_crosswalk, load_crosswalk
from mlops_maturity.framework.load import FrameworkError, default_catalog, load_framework
from mlops_maturity.model.evidence import Answer, Observation, PracticeStatus
from mlops_maturity.scoring import Inputs, score

DATA = Path(__file__).resolve().parents[2] / "src/mlops_maturity/framework/data"


def test_every_mapped_id_exists_in_the_models_list_shipped_as_data():
    # read the files directly, independently of the loader
    cw = yaml.safe_load((DATA / "crosswalk.yaml").read_text(encoding="utf-8"))
    aws = {i["id"] for i in yaml.safe_load((DATA / "models/aws-ml-lens.yaml").read_text(encoding="utf-8"))["items"]}
    mts = {c["id"] for c in yaml.safe_load((DATA / "ml-test-score.yaml").read_text(encoding="utf-8"))["criteria"]}
    google = {lv["number"] for lv in yaml.safe_load((DATA / "models/google-mlops.yaml").read_text(encoding="utf-8"))["levels"]}
    microsoft = {lv["number"] for lv in yaml.safe_load((DATA / "models/microsoft-mlops.yaml").read_text(encoding="utf-8"))["levels"]}
    assert google == {0, 1, 2} and microsoft == {0, 1, 2, 3, 4}
    default = {c["id"] for c in yaml.safe_load((DATA / "default.yaml").read_text(encoding="utf-8"))["criteria"] if not c.get("retired")}
    assert set(cw["criteria"]) == default
    for cid, m in cw["criteria"].items():
        assert set(m) == {"google-mlops", "microsoft-mlops", "aws-ml-lens", "ml-test-score"}, cid
        assert m["google-mlops"] is None or m["google-mlops"] in google, cid
        assert m["microsoft-mlops"] is None or m["microsoft-mlops"] in microsoft, cid
        assert set(m["aws-ml-lens"]) <= aws, (cid, set(m["aws-ml-lens"]) - aws)
        assert set(m["ml-test-score"]) <= mts, (cid, set(m["ml-test-score"]) - mts)
    # and the loader agrees
    loaded = default_crosswalk()
    assert len(loaded.mappings) == len(default) == 41


def test_bad_mappings_are_all_reported_with_the_file(tmp_path):
    text = (DATA / "crosswalk.yaml").read_text(encoding="utf-8")
    text = text.replace("aws-ml-lens: [MLREL-05], ml-test-score: [infra.1-training-reproducible]}", "aws-ml-lens: [MLOE-99], ml-test-score: [infra.9-nothing]}", 1)
    text = text.replace("dev.experiment-tracking:      {google-mlops: 1, microsoft-mlops: 2,", "dev.experiment-tracking:      {google-mlops: 1, microsoft-mlops: 7,", 1)
    text = "\n".join(line for line in text.splitlines() if not line.startswith("  team.written-decisions:")) + "\n"
    bad = tmp_path / "crosswalk.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_crosswalk(bad)
    errors = info.value.errors
    assert all(e.startswith(str(bad)) for e in errors), errors
    joined = "\n".join(errors)
    assert "unknown id 'MLOE-99'" in joined and "unknown id 'infra.9-nothing'" in joined
    assert "microsoft-mlops: 7 is not a level" in joined
    assert "'team.written-decisions': missing" in joined
    assert len(errors) == 4, errors


def run(*args):
    return subprocess.run([sys.executable, "-m", "mlops_maturity", *args], capture_output=True, text=True, timeout=60, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})


def test_framework_crosswalk_command_in_three_formats():
    doc = json.loads(run("framework", "crosswalk", "--format", "json").stdout)
    assert [m["id"] for m in doc["models"]] == ["google-mlops", "microsoft-mlops", "aws-ml-lens", "ml-test-score"]
    rows = {r["criterion"]: r for r in doc["criteria"]}
    assert len(rows) == 41
    assert rows["dev.experiment-tracking"]["google-mlops"] == 1 and rows["dev.experiment-tracking"]["microsoft-mlops"] == 2
    assert rows["dev.automated-hpo"]["ml-test-score"] == ["model.3-hyperparameters-tuned"]
    assert rows["team.written-decisions"]["aws-ml-lens"] == []
    md = run("framework", "crosswalk", "--format", "markdown").stdout
    assert "| criterion | level | Google MLOps levels | Microsoft MLOps maturity model | AWS ML Lens | ML Test Score |" in md
    assert md.count("\n| `") == 41
    term = run("framework", "crosswalk")
    assert term.returncode == 0 and "dev.experiment-tracking" in term.stdout and "Google" in term.stdout


@pytest.fixture(scope="module")
def fw():
    return load_framework(None, default_catalog())


def eq(result, model):
    return next(e for e in result.equivalents if e.model == model)


def test_equivalent_standing_follows_the_criteria(fw):
    cw = default_crosswalk()
    nothing = score(fw, default_catalog(), Inputs(crosswalk=cw, answers=[Answer(question=c.id, value=0) for c in fw.active_criteria()]))
    assert eq(nothing, "google-mlops").level == 0 and eq(nothing, "microsoft-mlops").level == 0
    assert eq(nothing, "aws-ml-lens").met == ()
    all_present = [Observation(practice=p.id, status=PracticeStatus.PRESENT, source="scan") for p in default_catalog().practices]
    everything = score(fw, default_catalog(), Inputs(crosswalk=cw, observations=all_present, answers=[Answer(question=c.id, value=3) for c in fw.active_criteria()]))
    assert eq(everything, "google-mlops").level == 2 and eq(everything, "microsoft-mlops").level == 4
    aws = eq(everything, "aws-ml-lens")
    assert aws.supported and "MLOE-12" in aws.met and "14 of its 48 ids have no counterpart" in aws.note

    # Microsoft level 1 is CI and tests and telemetry; Google needs its level-1 set for level 1
    some = {c.id: 3 for c in fw.active_criteria() if c.id in cw.mappings and cw.mappings[c.id].levels.get("microsoft-mlops") == 1}
    partial = score(fw, default_catalog(), Inputs(crosswalk=cw, answers=[Answer(question=c.id, value=some.get(c.id, 0)) for c in fw.active_criteria()]))
    assert eq(partial, "microsoft-mlops").level == 1
    assert eq(partial, "google-mlops").level == 0 and "data.rerunnable-pipeline" in eq(partial, "google-mlops").unmet


def test_other_frameworks_say_the_mapping_does_not_support_them():
    mts = load_framework("ml-test-score", default_catalog())
    r = score(mts, default_catalog(), Inputs(crosswalk=default_crosswalk()))
    assert [e.model for e in r.equivalents] == ["google-mlops", "microsoft-mlops", "aws-ml-lens"]
    assert all(not e.supported and "maps the 'default' framework" in e.note for e in r.equivalents)
