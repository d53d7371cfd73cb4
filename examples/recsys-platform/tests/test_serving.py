from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from recsys.features import FEATURE_COLUMNS
from serving import app as serving


class FakeOnlineResponse:
    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def to_df(self) -> pd.DataFrame:
        return self._frame


class FakeStore:
    """Online store where an item's CTR feature is item_id / 1000."""

    def get_online_features(
        self, features: list[str], entity_rows: list[dict[str, int]]
    ) -> FakeOnlineResponse:
        frame = pd.DataFrame(entity_rows)
        for column in FEATURE_COLUMNS:
            frame[column] = 1.0
        frame["item_ctr_7d"] = frame["item_id"] / 1000
        return FakeOnlineResponse(frame)


class CtrModel:
    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = X["item_ctr_7d"].to_numpy()
        return np.column_stack([1 - p, p])


class BrokenModel:
    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        raise ValueError("feature mismatch")


@pytest.fixture
def make_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    clients: list[TestClient] = []

    def factory(model: Any) -> TestClient:
        monkeypatch.setattr(serving, "load_model", lambda: (model, "12"))
        monkeypatch.setattr(serving, "load_feature_store", FakeStore)
        client = TestClient(serving.app, raise_server_exceptions=False)
        client.__enter__()  # runs the lifespan (model loading)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


def test_recommend_returns_top_k_by_score(make_client: Any) -> None:
    client = make_client(CtrModel())

    response = client.post(
        "/recommend", json={"user_id": 5, "candidate_item_ids": [10, 300, 20, 250], "k": 2}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == "12"
    assert [item["item_id"] for item in body["items"]] == [300, 250]


def test_invalid_request_is_rejected(make_client: Any) -> None:
    client = make_client(CtrModel())

    response = client.post("/recommend", json={"user_id": 5, "candidate_item_ids": []})

    assert response.status_code == 422


def test_scoring_error_is_counted(make_client: Any) -> None:
    client = make_client(BrokenModel())

    response = client.post("/recommend", json={"user_id": 5, "candidate_item_ids": [1, 2]})
    metrics = client.get("/metrics/").text

    assert response.status_code == 500
    assert 'recsys_requests_total{endpoint="recommend",status="error"}' in metrics
    assert "recsys_request_latency_seconds_bucket" in metrics


def test_healthz_reports_model_version(make_client: Any) -> None:
    client = make_client(CtrModel())

    assert client.get("/healthz").json() == {"status": "ok", "model_version": "12"}
