"""SARIF 2.1.0: valid against the official schema, one run, stable fingerprints, GitHub's limits."""

from __future__ import annotations

import json

from reporter_samples import XSS_PATH, absent, ev, present

from mlops_maturity.model.evidence import Evidence
from mlops_maturity.model.result import CriterionStatus, Subject
from mlops_maturity.reporters import render, sarif
from mlops_maturity.scoring import Inputs, score

def check(validator, text: str) -> dict:
    data = json.loads(text)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    return data


def test_sample_validates_and_maps_criteria_to_rules_and_unmet_to_results(sample, sarif_validator, validate_result):
    validate_result(sample)
    log = check(sarif_validator, render(sample, "sarif"))
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    assert run["automationDetails"]["id"] == "mlops-maturity/default/"
    driver = run["tool"]["driver"]
    assert driver["name"] == "mlops-maturity" and driver["version"] == "0.1.0" and driver["informationUri"].startswith("https://")
    criteria = [c for d in sample.dimensions for c in d.criteria]
    assert [r["id"] for r in driver["rules"]] == [c.id for c in criteria]
    rule = driver["rules"][[c.id for c in criteria].index("gov.model-documentation")]
    item = next(i for i in sample.roadmap if i.criterion == "gov.model-documentation")
    assert rule["shortDescription"]["text"] == item.title
    assert rule["help"]["text"] == item.action
    assert rule["name"] == "GovModelDocumentation"
    unmet = [c.id for c in criteria if c.status is CriterionStatus.UNMET]
    assert [r["ruleId"] for r in run["results"]] == unmet
    for r in run["results"]:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["partialFingerprints"][sarif.FINGERPRINT_KEY] == sarif.fingerprint(r["ruleId"], "acme/recsys-platform")
    by_id = {r["ruleId"]: r for r in run["results"]}
    # the next level's criterion is a warning, one two levels up a note
    assert by_id["data.shared-features"]["level"] == "warning"
    assert by_id["data.automated-validation"]["level"] == "note"
    # an absence points at the repository root; a tool declared but unused at its declaration
    assert by_id["data.shared-features"]["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": ".", "uriBaseId": "%SRCROOT%"}}
    declared = by_id["data.automated-validation"]["locations"][0]["physicalLocation"]
    assert declared["artifactLocation"]["uri"] == "pyproject.toml" and declared["region"]["startLine"] == 21
    # the failed source is reported
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any(n["level"] == "error" and "mlflow" in n["message"]["text"] for n in notes)


def test_fingerprints_are_stable_across_runs(fw, catalog, sample):
    from reporter_samples import build_result

    later = build_result(fw, catalog).model_copy(update={"generated_at": sample.generated_at.replace(year=2027)})
    a = json.loads(render(sample, "sarif"))["runs"][0]["results"]
    b = json.loads(render(later, "sarif"))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in a] == [r["partialFingerprints"] for r in b]
    other = later.model_copy(update={"subject": later.subject.model_copy(update={"name": "acme/other"})})
    c = json.loads(render(other, "sarif"))["runs"][0]["results"]
    assert all(x["partialFingerprints"] != y["partialFingerprints"] for x, y in zip(a, c, strict=True))


def test_related_evidence_and_location_limits(fw, catalog, sarif_validator):
    # CD is automated but nothing is packaged: the criterion is unmet, and the CD evidence is related.
    hits = tuple(ev(f".github/workflows/deploy{i}.yml", i + 1, "run: ./deploy.sh", "ci-deploys", "workflow deploys") for i in range(30))
    declared = tuple(Evidence(path="requirements.txt", line=i + 1, snippet=f"seldon-core=={i}", detector="dependency", message="seldon-core declared") for i in range(30))
    obs = [
        present("deploy.cd", *hits),
        absent("deploy.container"),
        absent("deploy.serving", dependency_only=declared),
        present("deploy.ci", ev(XSS_PATH, 3, "`|<>", "ci-runs-tests", "hostile path")),
    ]
    result = score(fw, catalog, Inputs(observations=obs, subject=Subject(name="s")))
    log = check(sarif_validator, render(result, "sarif"))
    r = next(x for x in log["runs"][0]["results"] if x["ruleId"] == "deploy.continuous-delivery")
    assert len(r["locations"]) == sarif.MAX_LOCATIONS and len(r["relatedLocations"]) == sarif.MAX_LOCATIONS
    assert r["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".github/workflows/deploy0.yml"
    assert r["relatedLocations"][0]["physicalLocation"]["region"] == {"startLine": 1, "snippet": {"text": "run: ./deploy.sh"}}
    assert [x["id"] for x in r["relatedLocations"]] == list(range(1, 11))


def test_hostile_paths_are_encoded_uris(fw, catalog, sarif_validator):
    obs = [present("deploy.cd", ev(XSS_PATH, 7, "<script>x</script>", "ci-deploys", "deploys")), absent("deploy.container"), absent("deploy.serving")]
    result = score(fw, catalog, Inputs(observations=obs, subject=Subject(name="s")))
    log = check(sarif_validator, render(result, "sarif"))
    r = next(x for x in log["runs"][0]["results"] if x["ruleId"] == "deploy.continuous-delivery")
    loc = r["relatedLocations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "src/%3Cimg%20src%3Dx%20onerror%3D%22document.title%3D%27pwned%27%22%3E%7C%60train%60.py"
    assert loc["region"]["snippet"]["text"] == "<script>x</script>"  # JSON string data, shown as text by viewers


def test_results_are_capped_at_githubs_limit(sample, monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    run = sarif.build(sample)["runs"][0]
    assert len(run["results"]) == 2
    assert any("left out" in n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"])
