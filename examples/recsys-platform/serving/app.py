"""Online ranking service.

Loads the champion ranker from the MLflow model registry at startup, fetches the user's and
the candidate items' features from the Feast online store, and returns the top-k items.
Prometheus metrics are exposed on /metrics.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import mlflow.sklearn
import pandas as pd
from fastapi import FastAPI, HTTPException
from feast import FeatureStore
from mlflow.tracking import MlflowClient
from prometheus_client import Counter, Gauge, Histogram, make_asgi_app
from pydantic import BaseModel, Field

from recsys.features import FEATURE_COLUMNS, FEATURE_REFS

MODEL_NAME = os.environ.get("MODEL_NAME", "recsys-ranker")
MODEL_ALIAS = os.environ.get("MODEL_ALIAS", "champion")
FEAST_REPO_PATH = os.environ.get("FEAST_REPO_PATH", "feature_repo")

logger = logging.getLogger("recsys.serving")

REQUESTS = Counter(
    "recsys_requests_total", "Recommendation requests by outcome", ["endpoint", "status"]
)
LATENCY = Histogram(
    "recsys_request_latency_seconds",
    "End-to-end latency of /recommend",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0),
)
FEATURE_LATENCY = Histogram(
    "recsys_feature_fetch_seconds", "Latency of the Feast online feature lookup"
)
MISSING_FEATURES = Counter(
    "recsys_missing_features_total", "Feature values missing in the online store", ["feature"]
)
MODEL_VERSION = Gauge("recsys_model_version", "Registry version of the loaded model")


class RecommendRequest(BaseModel):
    user_id: int = Field(ge=0)
    candidate_item_ids: list[int] = Field(min_length=1, max_length=500)
    k: int = Field(default=10, ge=1, le=100)


class ScoredItem(BaseModel):
    item_id: int
    score: float


class RecommendResponse(BaseModel):
    user_id: int
    model_version: str
    items: list[ScoredItem]


def load_model() -> tuple[Any, str]:
    version = MlflowClient().get_model_version_by_alias(MODEL_NAME, MODEL_ALIAS)
    model = mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/{version.version}")
    return model, str(version.version)


def load_feature_store() -> FeatureStore:
    return FeatureStore(repo_path=FEAST_REPO_PATH)


state: dict[str, Any] = {}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    state["model"], state["version"] = load_model()
    state["store"] = load_feature_store()
    MODEL_VERSION.set(float(state["version"]))
    logger.info("loaded %s version %s (@%s)", MODEL_NAME, state["version"], MODEL_ALIAS)
    yield
    state.clear()


app = FastAPI(title="recsys ranker", version="1.4.0", lifespan=lifespan)
app.mount("/metrics", make_asgi_app())


def fetch_features(user_id: int, item_ids: list[int]) -> pd.DataFrame:
    rows = [{"user_id": user_id, "item_id": item_id} for item_id in item_ids]
    with FEATURE_LATENCY.time():
        frame = state["store"].get_online_features(features=FEATURE_REFS, entity_rows=rows).to_df()
    for column in FEATURE_COLUMNS:
        missing = int(frame[column].isna().sum())
        if missing:
            MISSING_FEATURES.labels(feature=column).inc(missing)
    return frame


@app.get("/healthz")
def healthz() -> dict[str, str]:
    if "model" not in state:
        raise HTTPException(status_code=503, detail="model not loaded")
    return {"status": "ok", "model_version": state["version"]}


@app.post("/recommend", response_model=RecommendResponse)
def recommend(request: RecommendRequest) -> RecommendResponse:
    started = time.perf_counter()
    try:
        features = fetch_features(request.user_id, request.candidate_item_ids)
        scores = state["model"].predict_proba(features[FEATURE_COLUMNS])[:, 1]
    except Exception:
        REQUESTS.labels(endpoint="recommend", status="error").inc()
        logger.exception("scoring failed for user %s", request.user_id)
        raise HTTPException(status_code=500, detail="scoring failed") from None
    finally:
        LATENCY.observe(time.perf_counter() - started)

    ranked = sorted(
        zip(request.candidate_item_ids, scores, strict=True), key=lambda pair: -pair[1]
    )[: request.k]
    REQUESTS.labels(endpoint="recommend", status="ok").inc()
    # one JSON line per request; shipped to s3://acme-recsys-data/serving-logs/ for the drift job
    logger.info(
        json.dumps(
            {
                "event": "recommend",
                "user_id": request.user_id,
                "model_version": state["version"],
                "n_candidates": len(request.candidate_item_ids),
                "features": features[FEATURE_COLUMNS].to_dict(orient="list"),
            }
        )
    )
    return RecommendResponse(
        user_id=request.user_id,
        model_version=state["version"],
        items=[ScoredItem(item_id=item_id, score=float(score)) for item_id, score in ranked],
    )
