"""Offline ranking metrics for the ranker."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd
from sklearn.metrics import ndcg_score, roc_auc_score

from recsys.features import FEATURE_COLUMNS, LABEL_COLUMN


class Scorer(Protocol):
    def predict_proba(self, X: pd.DataFrame) -> np.ndarray: ...


def ndcg_at_k(frame: pd.DataFrame, scores: np.ndarray, k: int) -> float:
    """Mean NDCG@k over users that saw at least two items and clicked at least one."""
    scored = frame.assign(_score=scores)
    per_user = []
    for _, group in scored.groupby("user_id"):
        labels = group[LABEL_COLUMN].to_numpy()
        if len(group) < 2 or labels.sum() == 0:
            continue
        per_user.append(ndcg_score([labels], [group["_score"].to_numpy()], k=k))
    return float(np.mean(per_user)) if per_user else 0.0


def evaluate_ranker(model: Scorer, frame: pd.DataFrame, k: int) -> dict[str, float]:
    scores = model.predict_proba(frame[FEATURE_COLUMNS])[:, 1]
    return {
        "auc": float(roc_auc_score(frame[LABEL_COLUMN], scores)),
        f"ndcg_at_{k}": ndcg_at_k(frame, scores, k),
        "eval_rows": float(len(frame)),
    }
