"""Scheduled data-drift check of live ranking traffic against the champion's training data.

Runs as a Kubernetes CronJob (deploy/k8s/drift-cronjob.yaml). Compares the features logged by
the serving service over the last day with the reference sample logged by the champion's
training run, and pushes the result to the Prometheus Pushgateway, where
monitoring/alerts.yml alerts on it.

    python monitoring/drift_job.py --date 2024-06-01
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from evidently.metric_preset import DataDriftPreset
from evidently.report import Report
from mlflow.tracking import MlflowClient
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

from recsys.features import FEATURE_COLUMNS

logger = logging.getLogger("recsys.drift")

MODEL_NAME = os.environ.get("MODEL_NAME", "recsys-ranker")
MODEL_ALIAS = os.environ.get("MODEL_ALIAS", "champion")
SERVING_LOGS = os.environ.get("SERVING_LOGS_URI", "s3://acme-recsys-data/serving-logs")
PUSHGATEWAY = os.environ.get("PUSHGATEWAY_ADDRESS", "prometheus-pushgateway.monitoring:9091")


def load_reference() -> tuple[pd.DataFrame, str]:
    version = MlflowClient().get_model_version_by_alias(MODEL_NAME, MODEL_ALIAS)
    local = mlflow.artifacts.download_artifacts(
        run_id=version.run_id, artifact_path="reference/reference.parquet"
    )
    return pd.read_parquet(local), str(version.version)


def load_live(day: date) -> pd.DataFrame:
    frame = pd.read_parquet(f"{SERVING_LOGS}/date={day.isoformat()}/")
    return frame[FEATURE_COLUMNS]


def compute_drift(reference: pd.DataFrame, current: pd.DataFrame) -> tuple[Report, dict[str, Any]]:
    report = Report(metrics=[DataDriftPreset()])
    report.run(reference_data=reference[FEATURE_COLUMNS], current_data=current[FEATURE_COLUMNS])
    results = {entry["metric"]: entry["result"] for entry in report.as_dict()["metrics"]}
    dataset = results["DatasetDriftMetric"]
    per_column = results["DataDriftTable"]["drift_by_columns"]
    return report, {
        "share_of_drifted_columns": float(dataset["share_of_drifted_columns"]),
        "dataset_drift": bool(dataset["dataset_drift"]),
        "column_scores": {name: float(col["drift_score"]) for name, col in per_column.items()},
    }


def push_metrics(summary: dict[str, Any], model_version: str, rows: int) -> None:
    registry = CollectorRegistry()
    share = Gauge(
        "recsys_drift_share_of_drifted_columns",
        "Share of ranker features whose live distribution drifted from the training reference",
        ["model_version"],
        registry=registry,
    )
    detected = Gauge(
        "recsys_dataset_drift",
        "1 when Evidently flags dataset drift",
        ["model_version"],
        registry=registry,
    )
    column = Gauge(
        "recsys_feature_drift_score", "Per-feature drift test score", ["feature"], registry=registry
    )
    live_rows = Gauge("recsys_drift_live_rows", "Rows of live traffic checked", registry=registry)
    last_run = Gauge(
        "recsys_drift_last_success_timestamp_seconds",
        "Last successful drift run",
        registry=registry,
    )
    share.labels(model_version=model_version).set(summary["share_of_drifted_columns"])
    detected.labels(model_version=model_version).set(int(summary["dataset_drift"]))
    for name, score in summary["column_scores"].items():
        column.labels(feature=name).set(score)
    live_rows.set(rows)
    last_run.set_to_current_time()
    push_to_gateway(PUSHGATEWAY, job="recsys-drift", registry=registry)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Daily feature drift check")
    parser.add_argument("--date", type=date.fromisoformat, default=date.today() - timedelta(1))
    args = parser.parse_args(argv)

    reference, model_version = load_reference()
    live = load_live(args.date)
    if live.empty:
        logger.error("no serving logs for %s", args.date)
        return 1
    report, summary = compute_drift(reference, live)
    push_metrics(summary, model_version, len(live))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"drift-{args.date.isoformat()}.html"
        report.save_html(str(path))
        mlflow.set_experiment("recsys-drift")
        with mlflow.start_run(run_name=f"drift-{args.date.isoformat()}"):
            mlflow.set_tag("job", "drift")
            mlflow.log_metric("share_of_drifted_columns", summary["share_of_drifted_columns"])
            mlflow.log_artifact(str(path), artifact_path="drift")
    logger.info("drift for %s on model v%s: %s", args.date, model_version, summary)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sys.exit(main())
