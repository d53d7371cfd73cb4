"""Train the ranker and log the run (params, metrics, model, reference sample) to MLflow.

Usage: python -m recsys.train --data data/training_set.parquet model.params.max_iter=800
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from pathlib import Path
from typing import Any, cast

import mlflow
import mlflow.sklearn
import pandas as pd
from mlflow.models import infer_signature
from omegaconf import DictConfig, OmegaConf
from sklearn.ensemble import HistGradientBoostingClassifier

from recsys.config import load_config
from recsys.evaluate import evaluate_ranker
from recsys.features import FEATURE_COLUMNS, LABEL_COLUMN, TIMESTAMP_COLUMN

logger = logging.getLogger(__name__)


def time_split(frame: pd.DataFrame, valid_fraction: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate on the most recent impressions, as the model will be used on future ones."""
    cutoff = frame[TIMESTAMP_COLUMN].quantile(1.0 - valid_fraction)
    return frame[frame[TIMESTAMP_COLUMN] < cutoff], frame[frame[TIMESTAMP_COLUMN] >= cutoff]


def fit_ranker(
    train: pd.DataFrame, params: dict[str, Any], seed: int
) -> HistGradientBoostingClassifier:
    model = HistGradientBoostingClassifier(random_state=seed, **params)
    model.fit(train[FEATURE_COLUMNS], train[LABEL_COLUMN])
    return model


def run_training(
    frame: pd.DataFrame, cfg: DictConfig, data_meta: dict[str, Any] | None = None
) -> tuple[str, dict[str, float]]:
    """Train, evaluate and log one run. Returns the MLflow run id and the metrics."""
    params = cast(dict[str, Any], OmegaConf.to_container(cfg.model.params, resolve=True))
    train, valid = time_split(frame, cfg.data.valid_fraction)

    mlflow.set_experiment(cfg.mlflow.experiment)
    with mlflow.start_run() as run:
        mlflow.set_tag("model_type", cfg.model.type)
        mlflow.log_params({f"model.{key}": value for key, value in params.items()})
        mlflow.log_params({"seed": cfg.seed, "train_rows": len(train), "valid_rows": len(valid)})
        if data_meta:
            mlflow.log_params({f"data.{key}": value for key, value in data_meta.items()})
        mlflow.log_dict(OmegaConf.to_container(cfg, resolve=True), "config.json")

        model = fit_ranker(train, params, cfg.seed)
        metrics = evaluate_ranker(model, valid, k=cfg.evaluation.k)
        mlflow.log_metrics(metrics)

        # Reference sample for the drift job (monitoring/drift_job.py).
        reference = train.sample(
            n=min(len(train), cfg.monitoring.reference_rows), random_state=cfg.seed
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "reference.parquet"
            reference[FEATURE_COLUMNS].to_parquet(path, index=False)
            mlflow.log_artifact(str(path), artifact_path="reference")

        sample = valid[FEATURE_COLUMNS].head(100)
        mlflow.sklearn.log_model(
            model,
            artifact_path="model",
            signature=infer_signature(sample, model.predict_proba(sample)),
            input_example=sample.head(3),
        )
        logger.info("run %s: %s", run.info.run_id, json.dumps(metrics))
        return run.info.run_id, metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the ranker")
    parser.add_argument("--data", type=Path, required=True, help="output of recsys.data")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. seed=3")
    args = parser.parse_args(argv)

    cfg = load_config(args.overrides)
    meta_path = args.data.with_suffix(".meta.json")
    data_meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
    run_id, metrics = run_training(pd.read_parquet(args.data), cfg, data_meta)
    print(json.dumps({"run_id": run_id, **metrics}))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    main()
