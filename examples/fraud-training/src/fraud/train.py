"""Train the fraud model and log the run to MLflow.

Parameters come from the `train` section of params.yaml; command-line flags override them:

    python -m fraud.train --data data/processed --model-dir models --learning-rate 0.05
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
from pathlib import Path
from typing import Any

import joblib
import mlflow
import mlflow.sklearn
import pandas as pd
import yaml
from sklearn.ensemble import HistGradientBoostingClassifier

from fraud.evaluate import compute_metrics
from fraud.features import FEATURE_COLUMNS, TARGET, build_features

logger = logging.getLogger(__name__)

# command-line flag -> key in params["train"]["model"]
MODEL_OVERRIDES = {
    "learning_rate": "learning_rate",
    "max_iter": "max_iter",
    "max_depth": "max_depth",
    "l2_regularization": "l2_regularization",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Train the fraud detection model")
    parser.add_argument("--data", type=Path, default=Path("data/processed"))
    parser.add_argument("--model-dir", type=Path, default=Path("models"))
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--metrics-out", type=Path, default=Path("reports/train_metrics.json"))
    parser.add_argument("--run-name", default=None)
    parser.add_argument("--learning-rate", type=float, default=None)
    parser.add_argument("--max-iter", type=int, default=None)
    parser.add_argument("--max-depth", type=int, default=None)
    parser.add_argument("--l2-regularization", type=float, default=None)
    parser.add_argument("--seed", type=int, default=None)
    return parser.parse_args(argv)


def load_params(path: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Read params.yaml and apply command-line overrides (flags left unset keep the file value)."""
    all_params = yaml.safe_load(path.read_text())
    params = copy.deepcopy(all_params["train"])
    params["home_country"] = all_params["prepare"]["home_country"]
    for flag, key in MODEL_OVERRIDES.items():
        value = getattr(args, flag)
        if value is not None:
            params["model"][key] = value
    if args.seed is not None:
        params["seed"] = args.seed
    return params


def split_train_valid(df: pd.DataFrame, valid_fraction: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    ordered = df.sort_values("timestamp")
    n_valid = max(1, int(len(ordered) * valid_fraction))
    return ordered.iloc[:-n_valid], ordered.iloc[-n_valid:]


def train_model(
    X: pd.DataFrame, y: pd.Series, model_params: dict[str, Any], seed: int
) -> HistGradientBoostingClassifier:
    model = HistGradientBoostingClassifier(random_state=seed, **model_params)
    model.fit(X, y)
    return model


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    params = load_params(args.params, args)

    data = build_features(pd.read_csv(args.data / "train.csv"), params["home_country"])
    train, valid = split_train_valid(data, params["valid_fraction"])

    mlflow.set_experiment(params["experiment"])
    with mlflow.start_run(run_name=args.run_name) as run:
        mlflow.log_params(params["model"])
        mlflow.log_params(
            {"seed": params["seed"], "train_rows": len(train), "valid_rows": len(valid)}
        )

        model = train_model(train[FEATURE_COLUMNS], train[TARGET], params["model"], params["seed"])
        scores = model.predict_proba(valid[FEATURE_COLUMNS])[:, 1]
        metrics = compute_metrics(valid[TARGET].to_numpy(), scores)
        for name, value in metrics.items():
            mlflow.log_metric(f"valid_{name}", value)

        mlflow.sklearn.log_model(
            model, artifact_path="model", input_example=valid[FEATURE_COLUMNS].head(5)
        )
        logger.info("run %s: valid AP %.4f", run.info.run_id, metrics["average_precision"])

    args.model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, args.model_dir / "model.joblib")
    args.metrics_out.parent.mkdir(parents=True, exist_ok=True)
    args.metrics_out.write_text(json.dumps(metrics, indent=2) + "\n")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    main()
