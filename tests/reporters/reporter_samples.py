"""Results to render (shared by tests/reporters; a unique module name, as tests/ has no packages): a realistic assessment built by the real scorer, and a hostile one.

The sample reads like a team's platform repository: a scan found tracking, CI, a registry and a
container with `path:line` evidence; answers (with a note) settle what code cannot show; one
criterion is exempt; the scan skipped a few files. `XSS_*` strings go wherever a repository or an
answers file can put text, so every renderer can be checked for escaping.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mlops_maturity.model.evidence import (
    Answer,
    Evidence,
    Exemption,
    ExemptionKind,
    Observation,
    PracticeStatus,
    SkippedFile,
    SourceRun,
)
from mlops_maturity.model.result import Result, Subject
from mlops_maturity.scoring import Inputs, score

WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
EARLIER = datetime(2026, 8, 14, 16, 5, tzinfo=UTC)

# The payload sets document.title when it runs: a browser test checks the title is unchanged.
XSS_SCRIPT = "<script>document.title='pwned'</script>"
XSS_IMG = "<img src=x onerror=\"document.title='pwned'\">"
XSS_PATH = f"src/{XSS_IMG}|`train`.py"
XSS_NOTE = f"we use {XSS_SCRIPT} and | pipes | and `ticks`"


def ev(path: str, line: int | None, snippet: str, detector: str, message: str = "") -> Evidence:
    return Evidence(path=path, line=line, snippet=snippet, detector=detector, message=message)


def present(practice: str, *evidence: Evidence, source: str = "scan") -> Observation:
    return Observation(practice=practice, status=PracticeStatus.PRESENT, source=source, evidence=evidence)


def absent(practice: str, *, dependency_only: tuple[Evidence, ...] = ()) -> Observation:
    return Observation(practice=practice, status=PracticeStatus.ABSENT, source="scan", dependency_only=dependency_only)


def scan_observations(*, hostile: bool = False) -> list[Observation]:
    train = XSS_PATH if hostile else "src/recsys/train.py"
    snippet = XSS_SCRIPT if hostile else 'mlflow.log_metric("ndcg_at_10", ndcg)'
    obs = [
        present(
            "dev.experiment_tracking",
            ev(train, 42, snippet, "mlflow-run-logged", "calls mlflow.log_metric"),
            ev(train, 17, "mlflow.set_experiment(cfg.experiment)", "mlflow-run-logged", "calls mlflow.set_experiment"),
            ev("src/recsys/evaluate.py", 88, 'mlflow.log_artifact("confusion.png")', "mlflow-run-logged", "calls mlflow.log_artifact"),
        ),
        present("dev.modular_code", ev("src/recsys/__init__.py", 1, '"""Two-tower recommender."""', "package-layout", "importable package under src/")),
        present("dev.config", ev("configs/train.yaml", 1, "model:", "config-file", "training config in YAML"), ev(train, 12, "@hydra.main(config_path='../configs')", "hydra-config", "uses hydra")),
        present("dev.pinned_env", ev("uv.lock", 1, "version = 1", "lock-file", "lock file present")),
        present("dev.tests", ev("tests/test_features.py", 9, "def test_user_features_have_no_nulls():", "pytest-tests", "pytest test functions")),
        present("dev.code_quality", ev("pyproject.toml", 58, "[tool.ruff]", "linter-config", "ruff configured")),
        present("deploy.ci", ev(".github/workflows/ci.yml", 14, "run: pytest -q", "ci-runs-tests", "GitHub Actions job runs pytest")),
        present("deploy.training_pipeline", ev("pipelines/train_dag.py", 23, "with DAG('recsys_train', schedule='@daily') as dag:", "airflow-dag", "Airflow DAG schedules training")),
        present("deploy.registry", ev(train, 77, 'mlflow.register_model(uri, "recsys-two-tower")', "mlflow-model-registered", "calls mlflow.register_model")),
        present("deploy.container", ev("Dockerfile", 1, "FROM python:3.12-slim", "dockerfile", "container image")),
        present("deploy.cd", ev(".github/workflows/deploy.yml", 31, "run: helm upgrade --install recsys charts/recsys", "ci-deploys", "workflow deploys with helm")),
        present("deploy.iac", ev("charts/recsys/Chart.yaml", 1, "apiVersion: v2", "helm-chart", "Helm chart")),
        present("monitor.service", ev("src/recsys/serve.py", 8, "from prometheus_client import Counter, Histogram", "prometheus-metrics", "exports Prometheus metrics")),
        present("team.readme", ev("README.md", 1, "# recsys-platform", "readme", "README with setup steps")),
        present("team.ownership", ev(".github/CODEOWNERS", 1, "* @acme/recsys", "codeowners", "CODEOWNERS")),
        present("gov.security_scan", ev(".github/dependabot.yml", 1, "version: 2", "dependabot", "Dependabot configured")),
        absent("data.validation", dependency_only=(ev("pyproject.toml", 21, '"great-expectations>=1.0",', "dependency", "great-expectations declared"),)),
        absent("data.feature_store"),
        absent("monitor.model"),
        absent("monitor.alerting"),
        absent("monitor.dashboards"),
        absent("monitor.retrain_trigger"),
        absent("gov.model_card"),
        absent("gov.approval"),
        absent("deploy.progressive"),
    ]
    return obs


def build_result(fw, catalog, *, hostile: bool = False, previous: bool = False) -> Result:
    """The sample assessment; `previous=True` gives the same project three months earlier."""
    note = XSS_NOTE if hostile else "previous alias kept; one click in the deploy dashboard"
    values = {
        "data.rerunnable-pipeline": 2,
        "data.versioned-data": 2,
        "data.shared-features": 1,
        "dev.reproducible-env": 2,
        "deploy.quick-rollback": 2,
        "monitor.service-telemetry": 2,
        "monitor.shared-dashboards": 1,
        "gov.traceability": 2,
        "gov.model-documentation": 1,
        "gov.recorded-approval": 2,
        "team.shared-workflow": 2,
        "team.contribution-standards": 2,
        "team.explicit-ownership": 2,
    }
    if previous:
        values.update({"data.versioned-data": 1, "dev.reproducible-env": 1, "deploy.quick-rollback": 1, "monitor.service-telemetry": 1})
    answers = [
        Answer(
            question=q,
            value=v,
            respondent="lead@example.com",
            answered_at=WHEN if not previous else EARLIER,
            note=note if q == "deploy.quick-rollback" else "",
        )
        for q, v in values.items()
    ]
    reason = f"batch scoring only, {XSS_IMG}" if hostile else "no model here is trained on tabular data about people"
    exemptions = [Exemption(criterion="gov.responsible-ai", kind=ExemptionKind.NOT_APPLICABLE, reason=reason, declared_in=".mlops-maturity.yaml")]
    observations = scan_observations(hostile=hostile)
    if previous:
        observations = [o for o in observations if o.practice not in ("deploy.cd", "deploy.iac", "dev.pinned_env")]
    sources = [
        SourceRun(
            name="scan",
            status="ok",
            message="2,314 files read in 1 repository",
            skipped=(
                SkippedFile(path="data/train.parquet", reason="binary"),
                SkippedFile(path="notebooks/explore.ipynb" if not hostile else XSS_PATH, reason="larger than 2 MB"),
                SkippedFile(path="vendor/big.js", reason="larger than 2 MB"),
            ),
        ),
        SourceRun(name="answers", status="ok", message="13 answers from answers.yaml"),
        SourceRun(name="mlflow", status="failed", message="http://mlflow.internal:5000: connection refused"),
    ]
    subject = Subject(
        name=f"recsys {XSS_SCRIPT}" if hostile else "acme/recsys-platform",
        paths=("/src/recsys-platform",),
        commit="3f9c2a1e7b4d5c6a8f0e1d2c3b4a59687766aa01",
        stage="critical",
    )
    return score(
        fw,
        catalog,
        Inputs(
            observations=observations,
            answers=answers,
            exemptions=exemptions,
            sources=sources,
            subject=subject,
            generated_at=EARLIER if previous else WHEN,
            tool_version="0.1.0",
        ),
    )
