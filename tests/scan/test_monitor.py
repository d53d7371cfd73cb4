"""monitor dimension detectors against their fixture repositories: exact evidence, near misses."""

from __future__ import annotations

import pytest
from scan_helpers import check_case, check_fixture_folders

# (practice, fixture case) -> (status, evidence, dependency-only evidence)
CASES: dict[tuple[str, str], tuple[str, list[str], list[str]]] = {
    ("monitor.alerting", "absent-recording-rules"): ("absent", [], []),
    ("monitor.alerting", "absent-release-announcement"): ("absent", [], []),
    ("monitor.alerting", "absent-slack-chatbot"): ("absent", [], []),
    # A Sentry cron monitor configured in code alerts on a failed or missed run; a bare check-in
    # feeds a monitor whose rules live elsewhere.
    ("monitor.alerting", "present-sentry-cron-monitor"): (
        "present", ["jobs/nightly_forecast.py:13 sentry-cron-monitor-configured"], []),
    ("monitor.alerting", "absent-sentry-checkin-without-config"): ("absent", [], []),
    # A step run always() that sends the needed job's result to a chat webhook (a shared action of
    # the team's own): it reports the failure. A release announcement always() sends no status.
    ("monitor.alerting", "present-ci-always-sends-job-status"): (
        "present", [".github/workflows/deploy.yml:16 ci-notifies-on-failure"], []),
    ("monitor.alerting", "absent-ci-always-announces-release"): ("absent", [], []),
    ("monitor.alerting", "present-stack-alerter-on-failure"): (
        "present", ["steps/hooks.py:13 stack-alerter-notifies"], []),
    ("monitor.alerting", "absent-stack-alerter-success-only"): ("absent", [], []),
    ("monitor.alerting", "present-smtp-drift-alert"): (
        "present", ["monitoring/notify.py:12 alert-notification-sent"], []),
    ("monitor.alerting", "absent-smtp-weekly-report"): ("absent", [], []),
    # An alert module naming its channels ("slack", "notifications") without a chat client still
    # mails its drift alerts; a summary mailer with the same channel names alerts about nothing.
    ("monitor.alerting", "present-smtp-alert-with-channel-names"): (
        "present", ["monitoring/alerts.py:24 alert-notification-sent"], []),
    ("monitor.alerting", "absent-smtp-report-with-channel-names"): ("absent", [], []),
    ("monitor.alerting", "absent-webhook-config-only"): ("absent", [], []),
    ("monitor.alerting", "present-configured-slack-webhook"): (
        "present", ["monitoring/notify.py:16 alert-notification-sent"], []),
    ("monitor.alerting", "present-alertmanager-config"): ("present", ['monitoring/alertmanager.yml:4 alertmanager-routes-configured'], []),
    ("monitor.alerting", "present-build-failure-sns"): ("present", ['buildspec.yml:10 build-failure-published'], []),
    ("monitor.alerting", "present-ci-failure-notification"): ("present", ['.github/workflows/nightly.yml:11 ci-notifies-on-failure'], []),
    ("monitor.alerting", "present-vertex-alert-config-dict"): (
        "present", ["pipeline/batch_predict.py:8 vertex-monitoring-alert-config-set"], []),
    ("monitor.alerting", "absent-vertex-alert-config-mentioned"): ("absent", [], []),
    ("monitor.alerting", "present-cloudwatch-alarm"): ("present", ['infra/monitoring.tf:5 cloud-metric-alarm-defined'], []),
    ("monitor.alerting", "present-prometheus-rules"): ("present", ['monitoring/alerts.yml:4 prometheus-alert-rules-defined'], []),
    ("monitor.alerting", "present-alert-rules-module"): ("present", ['service/alert_rules.py:8 metric-alert-rules-in-code'], []),
    ("monitor.alerting", "absent-prediction-alert-queue"): ("absent", [], []),
    ("monitor.alerting", "present-slack-on-drift"): ("present", ['monitoring/notify.py:10 alert-notification-sent'], []),
    ("monitor.alerting", "present-azure-monitor-sdk"): ("present", ['ops/create_alerts.py:12 cloud-alarm-created-in-code'], []),
    ("monitor.alerting", "present-telegram-notifier-on-drift"): (
        "present", ["flows/daily_check.py:20 alert-notification-sent"], []),
    ("monitor.alerting", "absent-telegram-progress-messages"): ("absent", [], []),
    ("monitor.alerting", "absent-azure-metrics-read"): ("absent", [], []),
    ("monitor.dashboards", "absent-datasource-only"): ("absent", [], []),
    ("monitor.dashboards", "absent-panels-not-grafana"): ("absent", [], []),
    ("monitor.dashboards", "absent-streamlit-app"): ("absent", [], []),
    ("monitor.dashboards", "present-evidently-ui"): ("present", ['monitoring/project.py:6 dashboard-generated-in-code'], []),
    ("monitor.dashboards", "present-grafana-json"): ("present", ['grafana/dashboards/model.json:5 grafana-dashboard-defined'], []),
    # A file provider counts when the repository holds dashboards for it; alone it provisions nothing.
    ("monitor.dashboards", "present-grafana-provisioning"): ("present", ['grafana/dashboards/model.json:5 grafana-dashboard-defined', 'grafana/provisioning/dashboards/default.yaml:3 grafana-dashboards-provisioned'], []),
    ("monitor.dashboards", "absent-provider-without-dashboards"): ("absent", [], []),
    ("monitor.dashboards", "present-databricks-lakeview"): (
        "present", ["dashboards/model_quality.lvdash.json:1 databricks-dashboard-exported"], []),
    ("monitor.dashboards", "absent-dashboard-screenshot"): ("absent", [], []),
    ("monitor.dashboards", "present-provider-in-configmap"): (
        "present", ["k8s/monitoring/grafana-dashboards.yaml:9 grafana-dashboards-provisioned"], []),
    ("monitor.dashboards", "absent-indented-providers-other-tool"): ("absent", [], []),
    ("monitor.dashboards", "present-cloudwatch-body"): (
        "present", ["monitoring/endpoint-dashboard.json:1 cloudwatch-dashboard-body-defined"], []),
    ("monitor.dashboards", "absent-widgets-ui-config"): ("absent", [], []),
    ("monitor.model", "absent-dependency-only"): ("absent", [], ['requirements.txt:1 dependency-declared']),
    ("monitor.model", "absent-one-off-report"): ("absent", [], []),
    ("monitor.model", "present-zenml-drift-step-in-inference"): (
        "present", ["pipelines/inference.py:12 drift-monitored-continuously"], []),
    ("monitor.model", "absent-zenml-integrity-check-step"): ("absent", [], []),
    # A service that imports the drift check from the package re-exporting it (from monitoring
    # import FeatureShiftCheck) runs it; importing only another name of the package does not.
    ("monitor.model", "present-drift-check-via-package"): (
        "present", ["monitoring/feature_shift.py:15 drift-monitored-continuously"], []),
    ("monitor.model", "absent-service-imports-other-package-name"): ("absent", [], []),
    ("monitor.model", "present-drift-polling-thread"): ("present", ['watch/shift.py:11 drift-monitored-continuously'], []),
    ("monitor.model", "absent-drift-once-with-retry"): ("absent", [], []),
    ("monitor.model", "present-custom-psi-from-database"): (
        "present", ["monitoring/drift.py:19 drift-monitored-continuously"], []),
    # the same statistic computed once on two split files
    ("monitor.model", "absent-custom-psi-on-files"): ("absent", [], []),
    ("monitor.model", "present-databricks-bundle-quality-monitor"): (
        "present", ['resources/monitoring.yml:2 databricks-quality-monitor-defined'], []),
    ("monitor.model", "absent-databricks-bundle-monitor-commented"): ("absent", [], []),
    # A scheduled CI job scores the model in use on newly labelled rows; a scheduled job that
    # only predicts, and a scheduled refit scoring the model it has just fitted, stay out.
    ("monitor.model", "present-scheduled-ci-evaluation"): ("present", [
        ".github/workflows/model-health.yml:4 scheduled-ci-evaluates-model",
        "monitoring/check_model.py:14 scheduled-ci-evaluates-model"], []),
    ("monitor.model", "absent-scheduled-scoring-only"): ("absent", [], []),
    ("monitor.model", "absent-scheduled-refit-scores"): ("absent", [], []),
    # A scheduled script defining a model class first and fitting it later scores what it has
    # just fitted (a weekly integration test); one that defines the class to load the weights in
    # use and scores them counts.
    ("monitor.model", "present-scheduled-ci-evaluates-torch-model"): ("present", [
        ".github/workflows/model-health.yml:4 scheduled-ci-evaluates-model",
        "monitoring/evaluate_live_model.py:24 scheduled-ci-evaluates-model"], []),
    ("monitor.model", "absent-scheduled-integration-test-defines-and-fits"): ("absent", [], []),
    # An application schedules the monitoring library's estimator; the library's own repository,
    # whose CLI schedules its own runner, is not monitoring a model.
    ("monitor.model", "present-app-schedules-nannyml-estimator"): (
        "present", ["loanmon/nightly.py:9 drift-monitored-continuously"], []),
    ("monitor.model", "absent-monitoring-library-own-scheduler"): ("absent", [], []),
    # The same library's example outside its package uses it as a project would.
    ("monitor.model", "present-library-example-monitors-on-schedule"): (
        "present", ["examples/nightly_loan_monitoring.py:9 drift-monitored-continuously"], []),
    # A scheduled DAG whose task publishes the population stability index of live features.
    ("monitor.model", "present-scheduled-dag-psi-task"): ("present", ["dags/serving_monitoring.py:12 drift-job-scheduled"], []),
    ("monitor.model", "present-drift-gauge"): ("present", ['monitoring/exporter.py:5 drift-metrics-exported'], []),
    # A histogram of the scores the model returns, observed on every request; request counts,
    # latencies and a worker's health gauge measure the service, not the model.
    ("monitor.model", "present-output-score-histogram"): (
        "present", ['app/metrics.py:5 drift-metrics-exported'], []),
    ("monitor.model", "absent-scoring-service-latency"): ("absent", [], []),
    ("monitor.model", "present-evidently-prefect"): ("present", ['monitoring/drift_flow.py:15 drift-monitored-continuously', 'monitoring/drift_flow.py:21 drift-job-scheduled'], []),
    # A scheduled DAG whose task is named for drift detects it; a training DAG that only leaves a
    # data_drift_score column empty does not.
    ("monitor.model", "present-scheduled-dag-drift-task"): ("present", ['dags/monitoring_dag.py:9 drift-job-scheduled'], []),
    ("monitor.model", "absent-scheduled-training-dag-drift-column"): ("absent", [], []),
    ("monitor.model", "present-sagemaker-model-monitor"): ("present", ['monitor.py:3 managed-model-monitor-configured'], []),
    ("monitor.model", "present-vertex-batch-monitoring"): ("present", ['components/batch_predict.py:10 vertex-monitoring-config-set'], []),
    ("monitor.retrain_trigger", "present-mage-trigger"): (
        "present", ["ml/pipelines/training/triggers.yaml:2 mage-trigger-retrains"], []),
    ("monitor.retrain_trigger", "absent-mage-trigger-inactive"): ("absent", [], []),
    ("monitor.retrain_trigger", "present-prefect-deployment-schedule"): (
        "present", ["prefect.yaml:10 schedule-config-runs-training"], []),
    ("monitor.retrain_trigger", "absent-prefect-schedule-inactive"): ("absent", [], []),
    ("monitor.retrain_trigger", "present-databricks-schedule"): (
        "present", ["databricks.yml:9 schedule-config-runs-training"], []),
    ("monitor.retrain_trigger", "absent-databricks-paused"): ("absent", [], []),
    ("monitor.retrain_trigger", "absent-cron-runs-tests"): ("absent", [], []),
    ("monitor.retrain_trigger", "absent-cron-smoke-training"): ("absent", [], []),
    ("monitor.retrain_trigger", "absent-drift-report-and-manual-training"): ("absent", [], []),
    ("monitor.retrain_trigger", "absent-monitor-schedule-in-template"): ("absent", [], []),
    ("monitor.retrain_trigger", "absent-scheduled-data-refresh"): ("absent", [], []),
    ("monitor.retrain_trigger", "absent-train-on-push"): ("absent", [], []),
    ("monitor.retrain_trigger", "present-argo-events-calendar-sensor"): ("present", ['k8s/nightly-events.yaml:32 event-sensor-submits-training'], []),
    ("monitor.retrain_trigger", "absent-argo-events-ingestion-sensor"): ("absent", [], []),
    ("monitor.retrain_trigger", "absent-argo-events-git-push-sensor"): ("absent", [], []),
    ("monitor.retrain_trigger", "absent-unscheduled-dag"): ("absent", [], []),
    ("monitor.retrain_trigger", "present-airflow-dag"): ("present", ['dags/retrain_dag.py:8 orchestrator-schedules-training'], []),
    # Drift that decides a launch counts; a flow that retrains and then measures drift, run from its
    # main guard, launches nothing by drift.
    ("monitor.retrain_trigger", "present-drift-wrapper-launches-training"): ("present", ['monitoring/watch.py:19 drift-launches-retraining'], []),
    ("monitor.retrain_trigger", "absent-flow-measures-drift-after-training"): ("absent", [], []),
    ("monitor.retrain_trigger", "present-ci-cron-train"): ("present", ['.github/workflows/retrain.yml:4 scheduled-ci-trains-model', '.github/workflows/retrain.yml:12 scheduled-ci-trains-model'], []),
    ("monitor.retrain_trigger", "present-drift-triggers-retraining"): ("present", ['monitoring/drift_check.py:14 drift-launches-retraining'], []),
    ("monitor.retrain_trigger", "present-drift-check-then-retrain"): ("present", ['jobs/nightly_drift.py:13 drift-launches-retraining'], []),
    ("monitor.retrain_trigger", "present-drift-trigger-runs-training"): ("present", ["workers/refresh.py:19 drift-launches-retraining"], []),
    ("monitor.retrain_trigger", "absent-drift-trigger-placeholder"): ("absent", [], []),
    ("monitor.retrain_trigger", "absent-drift-retrain-flag-only"): ("absent", [], []),
    ("monitor.retrain_trigger", "present-k8s-cronjob"): ("present", ['k8s/retrain-cronjob.yaml:2 schedule-config-runs-training'], []),
    # The CronJob names no training: its image's CMD (the Dockerfile beside it) runs a script
    # that fits a model; a scheduled scoring script that only predicts stays out.
    ("monitor.retrain_trigger", "present-cronjob-image-refits"): (
        "present", ["jobs/demand/cronjob.yaml:6 cronjob-runs-training-script"], []),
    # A systemd timer (unit files shipped as templates) whose service runs a retraining script;
    # a timer for backups, or a training service no timer starts, is no trigger.
    ("monitor.retrain_trigger", "present-systemd-timer-retrains"): (
        "present", ["deploy/systemd/recs-retrain.timer.template:5 systemd-timer-runs-training"], []),
    ("monitor.retrain_trigger", "absent-systemd-timer-backs-up"): ("absent", [], []),
    ("monitor.retrain_trigger", "absent-cronjob-scores-only"): ("absent", [], []),
    ("monitor.retrain_trigger", "present-modal-schedule"): ("present", ['train_app.py:6 orchestrator-schedules-training'], []),
    ("monitor.retrain_trigger", "present-named-retrain-workflow"): ("present", ['.github/workflows/weekly.yml:4 scheduled-ci-trains-model', '.github/workflows/weekly.yml:11 scheduled-ci-trains-model'], []),
    # Only the step is named for retraining: the scheduled script scores a batch and refits
    # when accuracy drops. Steps named for training data or checks stay out.
    ("monitor.retrain_trigger", "present-step-named-retrain"): ("present", ['.github/workflows/score.yml:5 scheduled-ci-trains-model', '.github/workflows/score.yml:14 scheduled-ci-trains-model'], []),
    ("monitor.retrain_trigger", "absent-step-named-training-data"): ("absent", [], []),
    ("monitor.service", "absent-dependency-only"): ("absent", [], ['requirements.txt:2 dependency-declared']),
    ("monitor.service", "absent-drift-gauge-only"): ("absent", [], []),
    ("monitor.service", "absent-opik-offline-eval"): ("absent", [], []),
    # A Databricks serving endpoint logging its requests, responses, status codes and latency
    # to an inference table; the same capture config turned off logs nothing.
    ("monitor.service", "present-serving-inference-table"): (
        "present", ["resources/serving.yml:11 serving-inference-table-enabled"], []),
    ("monitor.service", "absent-serving-inference-table-disabled"): ("absent", [], []),
    ("monitor.service", "present-opik-traced-llm-service"): ("present", ['app.py:14 llm-tracing-configured'], []),
    # LangSmith tracing of the chains turned on in the env template; turned off, or only
    # mentioned in the README, it is not.
    ("monitor.service", "present-langsmith-tracing-env"): ("present", [".env.example:3 llm-tracing-enabled-by-env"], []),
    ("monitor.service", "absent-langsmith-tracing-off"): ("absent", [], []),
    ("monitor.service", "present-torchserve-handler-metrics"): (
        "present", ['handler.py:14 torchserve-handler-metrics-emitted'], []),
    ("monitor.service", "absent-plain-basicconfig"): ("absent", [], []),
    ("monitor.service", "absent-plain-lambda-logging"): ("absent", [], []),
    ("monitor.service", "absent-training-logging"): ("absent", [], []),
    ("monitor.service", "absent-mlflow-system-metrics-off"): ("absent", [], []),
    ("monitor.service", "present-mlflow-run-system-metrics"): (
        "present", ["jobs/training.py:16 mlflow-system-metrics-logged"], []),
    ("monitor.service", "present-mlflow-system-metrics-enabled"): ("present", ["train.py:4 mlflow-system-metrics-logged"], []),
    ("monitor.service", "present-mlflow-system-metrics-env"): (
        "present", ["Dockerfile:7 mlflow-system-metrics-enabled-by-env"], []),
    ("monitor.service", "absent-mlflow-system-metrics-env-off"): ("absent", [], []),
    ("monitor.service", "present-json-log-format"): ("present", ['server.py:7 request-logging-in-serving'], []),
    ("monitor.service", "present-opentelemetry"): ("present", ['serve.py:6 opentelemetry-instrumented'], []),
    ("monitor.service", "present-prometheus-fastapi"): ("present", ['app/main.py:7 prometheus-service-metrics-defined'], []),
    ("monitor.service", "present-request-middleware"): ("present", ['service/api.py:13 request-logging-in-serving'], []),
    # A /health route reading CPU and memory use is resource telemetry; the same psutil call in a
    # start-up log line, outside any route, is not.
    ("monitor.service", "present-health-route-resources"): (
        "present", ["service/main.py:16 service-route-reports-resource-use"], []),
    ("monitor.service", "absent-resource-log-outside-routes"): ("absent", [], []),
    ("monitor.service", "absent-path-rewrite-middleware"): ("absent", [], []),
    ("monitor.service", "present-multiline-json-request-log"): ("present", ['api/app.py:17 request-logging-in-serving'], []),
    ("monitor.service", "absent-multiline-plain-log"): ("absent", [], []),
    # A handler's latency logged by a logging call whose f-strings span lines; latency only
    # returned in the response (and a multi-line log of the model path) is not telemetry.
    ("monitor.service", "present-multiline-latency-log"): ("present", ["src/api.py:17 request-logging-in-serving"], []),
    ("monitor.service", "absent-latency-in-response-only"): ("absent", [], []),
    ("monitor.service", "present-structured-request-log"): ("present", ['lambda_function.py:14 request-logging-in-serving'], []),
}


@pytest.mark.parametrize(("practice", "case"), sorted(CASES), ids=lambda x: x)
def test_fixture(scan, practice, case):
    check_case(scan, CASES, practice, case)


@pytest.mark.parametrize("practice", ['monitor.service', 'monitor.model', 'monitor.alerting', 'monitor.dashboards', 'monitor.retrain_trigger'])
def test_every_fixture_folder_has_a_case(practice):
    check_fixture_folders(CASES, practice)


def test_drift_metrics_are_model_monitoring_not_service_telemetry(scan):
    obs = scan("monitor.model/present-drift-gauge")
    assert obs["monitor.service"].status.value == "absent"
    (ev,) = obs["monitor.model"].evidence
    assert ev.message == "exports drift/quality metric data_drift_share: calls prometheus_client.Gauge"


@pytest.mark.parametrize(
    ("command", "trains"),
    [
        ("python src/train.py --config configs/prod.yaml", True),
        ("cd training && python -m churn.train", True),
        ("dvc repro", True),
        ("bash scripts/retrain.sh", True),
        ("pytest tests/test_train.py", False),
        ("pip install -r requirements-train.txt", False),
        ("b=runs/train/exp/weights/best", False),
        ('echo "training done"', False),
        ("python train.py --epochs 1 --data coco128.yaml", False),
        ("python -m pytest -k train", False),
    ],
)
def test_training_command_recognition(command, trains):
    from mlops_maturity.sources.scan.checks.monitor import _trains

    assert _trains(command) is trains
