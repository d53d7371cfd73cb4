"""The scorer's gating, progress, aggregation and pitfalls, on the shipped framework."""

from datetime import UTC, datetime, timedelta

import pytest

from mlops_maturity.model.evidence import Answer, Evidence, Exemption, ExemptionKind, Observation, PracticeStatus
from mlops_maturity.model.result import CriterionStatus
from mlops_maturity.scoring import Inputs, score

# "Model training is automated and tracked, deployment goes through CI/CD with tests, a registry
# and rollback, features are shared between training and serving, monitoring is manual and
# infrequent."
LEVEL3_STORY = {
    "data.rerunnable-pipeline": 2,
    "data.versioned-data": 2,
    "data.shared-features": 2,
    "data.automated-validation": 1,
    "dev.experiment-tracking": 3,
    "dev.scripted-training": 2,
    "dev.reproducible-env": 2,
    "dev.tested-code": 2,
    "deploy.automated-training": 3,
    "deploy.continuous-integration": 3,
    "deploy.model-registry": 2,
    "deploy.continuous-delivery": 2,
    "deploy.quick-rollback": 2,
    "deploy.online-comparison": 0,
    "monitor.service-telemetry": 1,
    "monitor.shared-dashboards": 0,
    "monitor.model-and-drift": 0,
    "monitor.actionable-alerts": 0,
    "monitor.automated-retraining": 0,
}


def answers(values: dict) -> list[Answer]:
    return [Answer(question=k, value=v) for k, v in values.items()]


def dim(result, did):
    return next(d for d in result.dimensions if d.id == did)


def crit(result, cid):
    return next(c for d in result.dimensions for c in d.criteria if c.id == cid)


def test_level3_story_gives_overall_3_with_automation_without_monitoring(fw, catalog, validate_result):
    result = score(fw, catalog, Inputs(answers=answers(LEVEL3_STORY)))
    validate_result(result)
    assert result.overall.level == 3
    assert dim(result, "deploy").level >= 3
    assert dim(result, "monitor").level == 1
    assert [p.id for p in result.pitfalls] == ["automation_without_monitoring"]
    assert "monitor" in result.overall.weakest


def test_all_level4_but_one_level2_criterion_gives_level1_and_a_skipped_foundation(fw, catalog):
    monitor = {c.id: 3 for c in fw.active_criteria() if c.dimension == "monitor" and c.level <= 4}
    monitor["monitor.service-telemetry"] = 0
    result = score(fw, catalog, Inputs(answers=answers(monitor)))
    d = dim(result, "monitor")
    assert d.level == 1
    skipped = [p for p in result.pitfalls if p.id == "skipped_foundation"]
    assert [(p.dimension, p.criterion) for p in skipped] == [("monitor", "monitor.service-telemetry")]
    assert fw.criterion("monitor.service-telemetry").title in skipped[0].message
    assert {s.criterion for s in d.skipped_foundations} == {
        "monitor.shared-dashboards",
        "monitor.model-and-drift",
        "monitor.actionable-alerts",
        "monitor.automated-retraining",
    }
    assert all(s.missing == ("monitor.service-telemetry",) for s in d.skipped_foundations)


def test_gating_takes_the_highest_fully_met_level(fw, catalog):
    values = {c.id: 3 for c in fw.active_criteria() if c.dimension == "data" and c.level <= 3}
    result = score(fw, catalog, Inputs(answers=answers(values)))
    d = dim(result, "data")
    assert d.level == 3
    assert d.next_level == 4


def test_progress_counts_decided_criteria_of_the_next_level(fw, catalog):
    # dev level 2 has three criteria: meet one, fail one, leave one unknown.
    values = {"dev.experiment-tracking": 3, "dev.scripted-training": 0}
    result = score(fw, catalog, Inputs(answers=answers(values)))
    d = dim(result, "dev")
    assert d.level == 1
    assert crit(result, "dev.reproducible-env").status is CriterionStatus.UNKNOWN
    assert d.progress == pytest.approx(0.5)  # the unknown one is not in the denominator
    assert d.unknown >= 1


def test_unknown_blocks_a_level_but_is_reported_as_potential(fw, catalog):
    values = {"dev.experiment-tracking": 3, "dev.scripted-training": 3}  # reproducible-env unknown
    d = dim(score(fw, catalog, Inputs(answers=answers(values))), "dev")
    assert d.level == 1
    assert d.potential_level >= 2


def test_exemption_no_longer_blocks_and_is_shown(fw, catalog):
    values = {"dev.experiment-tracking": 3, "dev.scripted-training": 3}
    ex = Exemption(criterion="dev.reproducible-env", kind=ExemptionKind.EXEMPT, reason="uses a vendor image we do not control")
    result = score(fw, catalog, Inputs(answers=answers(values), exemptions=[ex]))
    assert dim(result, "dev").level == 2
    c = crit(result, "dev.reproducible-env")
    assert c.status is CriterionStatus.EXEMPT and c.reason == "uses a vendor image we do not control"
    assert [(e.criterion, e.reason) for e in result.exemptions] == [("dev.reproducible-env", "uses a vendor image we do not control")]


def test_overall_uses_defining_criteria_only(fw, catalog):
    defining = {c.id: 3 for c in fw.active_criteria() if c.defining and c.level <= 2}
    result = score(fw, catalog, Inputs(answers=answers(defining)))
    assert result.overall.level == 2
    assert result.overall.method == "defining_criteria"
    # a non-defining level-2 criterion left unmet does not lower the overall level
    assert any(d.level == 1 for d in result.dimensions)


def test_mean_and_weakest(fw, catalog):
    values = {c.id: 3 for c in fw.active_criteria() if c.dimension == "team" and c.level <= 3}
    result = score(fw, catalog, Inputs(answers=answers(values)))
    assert dim(result, "team").level == 3
    assert result.overall.mean == pytest.approx((3 + 1 * 5) / 6, abs=0.01)
    assert "team" not in result.overall.weakest and result.overall.weakest_level == 1


def obs(pid, status, **kw):
    return Observation(practice=pid, status=status, source="scan", **kw)


def test_observation_meets_a_criterion_with_observed_basis(fw, catalog):
    ev = Evidence(path="train.py", line=12, snippet="mlflow.log_metric('auc', auc)", detector="mlflow-metric-logged", message="calls mlflow.log_metric")
    result = score(fw, catalog, Inputs(observations=[obs("dev.experiment_tracking", PracticeStatus.PRESENT, evidence=(ev,))]))
    c = crit(result, "dev.experiment-tracking")
    assert c.status is CriterionStatus.MET and c.basis == "observed" and c.observed == ("dev.experiment_tracking",)
    p = next(p for p in result.practices if p.id == "dev.experiment_tracking")
    assert p.present is True and p.evidence[0].location == "train.py:12"


def test_absent_practice_without_answer_is_unmet_not_unknown(fw, catalog):
    result = score(fw, catalog, Inputs(observations=[obs("data.pipeline", PracticeStatus.ABSENT)]))
    assert crit(result, "data.rerunnable-pipeline").status is CriterionStatus.UNMET


def test_claim_without_evidence(fw, catalog):
    result = score(
        fw,
        catalog,
        Inputs(observations=[obs("data.versioning", PracticeStatus.ABSENT)], answers=answers({"data.versioned-data": 2})),
    )
    c = crit(result, "data.versioned-data")
    assert c.status is CriterionStatus.MET and c.basis == "declared"
    assert "no source found data.versioning" in c.disagreement
    pits = [p for p in result.pitfalls if p.id == "claim_without_evidence"]
    assert [(p.dimension, p.criterion) for p in pits] == [("data", "data.versioned-data")]


def test_no_claim_without_evidence_when_the_scan_did_not_look(fw, catalog):
    result = score(fw, catalog, Inputs(answers=answers({"data.versioned-data": 2})))
    assert not [p for p in result.pitfalls if p.id == "claim_without_evidence"]


def test_tools_over_process(fw, catalog):
    dep = Evidence(path="requirements.txt", line=4, snippet="mlflow==2.17.2", detector="dependency-declared", message="declares dependency mlflow")
    result = score(fw, catalog, Inputs(observations=[obs("dev.experiment_tracking", PracticeStatus.ABSENT, dependency_only=(dep,))]))
    pits = [p for p in result.pitfalls if p.id == "tools_over_process"]
    assert len(pits) == 1 and "mlflow" in pits[0].message and pits[0].dimension == "dev"
    item = next(i for i in result.roadmap if i.criterion == "dev.experiment-tracking")
    assert "requirements.txt:4" in item.note and item.note.startswith("mlflow is declared")


def test_a_tool_used_for_another_practice_is_not_tools_over_process(fw, catalog):
    dep = Evidence(path="requirements.txt", line=4, snippet="mlflow==2.17.2", detector="dependency-declared", message="declares dependency mlflow")
    used = Evidence(path="train.py", line=9, snippet="mlflow.log_metric('auc', auc)", detector="mlflow-run-logged", message="calls mlflow.log_metric")
    result = score(
        fw,
        catalog,
        Inputs(
            observations=[
                obs("deploy.registry", PracticeStatus.ABSENT, dependency_only=(dep,)),
                obs("dev.experiment_tracking", PracticeStatus.PRESENT, evidence=(used,)),
                obs("deploy.training_pipeline", PracticeStatus.PRESENT),  # deploy at level 2: registry is next
            ]
        ),
    )
    assert not [p for p in result.pitfalls if p.id == "tools_over_process"]
    item = next(i for i in result.roadmap if i.criterion == "deploy.model-registry")
    assert item.note.startswith("mlflow is declared as a dependency (requirements.txt:4) but not used for this")


def test_stale_assessment(fw, catalog):
    now = datetime(2026, 11, 24, tzinfo=UTC)
    fresh = score(fw, catalog, Inputs(last_assessed_at=now - timedelta(days=30), generated_at=now))
    stale = score(fw, catalog, Inputs(last_assessed_at=now - timedelta(days=120), generated_at=now))
    assert not [p for p in fresh.pitfalls if p.id == "stale_assessment"]
    assert [p.id for p in stale.pitfalls if p.id == "stale_assessment"] == ["stale_assessment"]
    assert "120" in next(p.message for p in stale.pitfalls if p.id == "stale_assessment")


def test_roadmap_never_leaps_and_puts_skipped_foundation_first(fw, catalog):
    monitor = {c.id: 3 for c in fw.active_criteria() if c.dimension == "monitor" and c.level <= 4}
    monitor["monitor.service-telemetry"] = 0
    result = score(fw, catalog, Inputs(answers=answers({**LEVEL3_STORY, **monitor})))
    levels = {d.id: d.level for d in result.dimensions}
    assert result.roadmap[0].criterion == "monitor.service-telemetry"
    assert result.roadmap[0].reason.startswith("missing foundation")
    for item in result.roadmap:
        assert item.from_level == levels[item.dimension]
        assert item.to_level == levels[item.dimension] + 1
        assert fw.criterion(item.criterion).level == item.to_level
    assert [i.priority for i in result.roadmap] == list(range(1, len(result.roadmap) + 1))


def test_everything_met_reaches_the_top(fw, catalog):
    all_obs = [obs(p.id, PracticeStatus.PRESENT) for p in catalog.practices]
    result = score(fw, catalog, Inputs(observations=all_obs, answers=answers({c.id: 3 for c in fw.active_criteria()})))
    assert result.overall.level == 5
    assert all(d.level == 5 and d.next_level is None and d.progress == 1.0 for d in result.dimensions)
    assert result.roadmap == ()
