"""Build the ranker's training set: logged impressions joined with point-in-time features.

Standalone step (also the first component of pipelines/training_pipeline.py):

    python -m recsys.data --output data/training_set.parquet [--end-date 2024-06-01] [overrides]
"""

from __future__ import annotations

import argparse
import json
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from deltalake import DeltaTable
from feast import FeatureStore
from omegaconf import DictConfig

from recsys.config import load_config
from recsys.features import ENTITY_COLUMNS, FEATURE_REFS, LABEL_COLUMN, TIMESTAMP_COLUMN
from recsys.validation import validate_training_set

logger = logging.getLogger(__name__)


def load_interactions(
    uri: str, start: date, end: date, version: int | None = None
) -> tuple[pd.DataFrame, int]:
    """Read impressions in [start, end) from the Delta table, pinned to `version` if given.

    Returns the frame and the table version actually read, so the run can record it.
    """
    table = DeltaTable(uri, version=version)
    frame = table.to_pandas(
        columns=[*ENTITY_COLUMNS, TIMESTAMP_COLUMN, LABEL_COLUMN],
        filters=[
            ("event_date", ">=", start.isoformat()),
            ("event_date", "<", end.isoformat()),
        ],
    )
    frame[TIMESTAMP_COLUMN] = pd.to_datetime(frame[TIMESTAMP_COLUMN], utc=True)
    return frame, table.version()


def join_features(interactions: pd.DataFrame, repo_path: str) -> pd.DataFrame:
    """Point-in-time join with the offline store: the same features serving reads online."""
    store = FeatureStore(repo_path=repo_path)
    job = store.get_historical_features(entity_df=interactions, features=FEATURE_REFS)
    return job.to_df()


def build_training_set(
    cfg: DictConfig, end: date | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    end = end or date.today()
    start = end - timedelta(days=cfg.data.lookback_days)
    interactions, version = load_interactions(
        cfg.data.interactions_uri, start, end, cfg.data.interactions_version
    )
    training_set = validate_training_set(join_features(interactions, cfg.data.feature_repo))
    meta = {
        "interactions_uri": cfg.data.interactions_uri,
        "interactions_version": version,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "rows": len(training_set),
    }
    logger.info("training set: %s", meta)
    return training_set, meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the ranker training set")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--end-date", type=date.fromisoformat, default=None)
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. data.lookback_days=14")
    args = parser.parse_args(argv)

    cfg = load_config(args.overrides)
    training_set, meta = build_training_set(cfg, args.end_date)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    training_set.to_parquet(args.output, index=False)
    args.output.with_suffix(".meta.json").write_text(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    main()
