"""Offline evaluation of a trained model on the held-out test split.

Usage: python -m fraud.evaluate --model models/model.joblib --data data/processed/test.csv
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import average_precision_score, precision_score, recall_score, roc_auc_score

from fraud.features import FEATURE_COLUMNS, TARGET, build_features


def compute_metrics(y_true: np.ndarray, scores: np.ndarray, threshold: float = 0.5) -> dict:
    predicted = (scores >= threshold).astype(int)
    return {
        "roc_auc": float(roc_auc_score(y_true, scores)),
        "average_precision": float(average_precision_score(y_true, scores)),
        "precision": float(precision_score(y_true, predicted, zero_division=0)),
        "recall": float(recall_score(y_true, predicted, zero_division=0)),
        "review_rate": float(predicted.mean()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Evaluate the fraud model on a held-out split")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--output", type=Path, default=Path("reports/test_metrics.json"))
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args(argv)

    home_country = yaml.safe_load(args.params.read_text())["prepare"]["home_country"]
    model = joblib.load(args.model)
    test = build_features(pd.read_csv(args.data), home_country=home_country)
    scores = model.predict_proba(test[FEATURE_COLUMNS])[:, 1]
    metrics = compute_metrics(test[TARGET].to_numpy(), scores, args.threshold)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(metrics, indent=2) + "\n")
    for name, value in metrics.items():
        print(f"{name:>18}: {value:.4f}")


if __name__ == "__main__":
    main()
