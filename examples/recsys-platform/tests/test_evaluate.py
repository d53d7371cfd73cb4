import numpy as np
import pandas as pd
import pytest

from recsys.evaluate import evaluate_ranker, ndcg_at_k
from recsys.features import FEATURE_COLUMNS


def impressions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": [1, 1, 1, 2, 2, 2, 3, 3],
            "clicked": [1, 0, 0, 0, 1, 0, 0, 0],
        }
    )


def test_perfect_ranking_scores_one() -> None:
    frame = impressions()
    scores = np.array([0.9, 0.2, 0.1, 0.1, 0.8, 0.3, 0.5, 0.4])

    assert ndcg_at_k(frame, scores, k=10) == pytest.approx(1.0)


def test_worse_ranking_scores_lower() -> None:
    frame = impressions()
    good = np.array([0.9, 0.2, 0.1, 0.1, 0.8, 0.3, 0.5, 0.4])
    bad = np.array([0.1, 0.2, 0.9, 0.9, 0.1, 0.3, 0.5, 0.4])

    assert ndcg_at_k(frame, bad, k=10) < ndcg_at_k(frame, good, k=10)


def test_users_without_clicks_are_ignored() -> None:
    frame = impressions()
    scores = np.array([0.9, 0.2, 0.1, 0.1, 0.8, 0.3, 0.0, 1.0])

    assert ndcg_at_k(frame, scores, k=10) == pytest.approx(1.0)


class ConstantModel:
    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = X["item_ctr_7d"].to_numpy()
        return np.column_stack([1 - p, p])


def test_evaluate_ranker_reports_auc_and_ndcg(training_frame: pd.DataFrame) -> None:
    metrics = evaluate_ranker(ConstantModel(), training_frame, k=5)

    assert set(metrics) == {"auc", "ndcg_at_5", "eval_rows"}
    assert 0.0 <= metrics["auc"] <= 1.0
    assert 0.0 <= metrics["ndcg_at_5"] <= 1.0
    assert metrics["eval_rows"] == len(training_frame)
    assert set(FEATURE_COLUMNS) <= set(training_frame.columns)
