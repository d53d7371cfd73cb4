"""Prepare raw card transactions for training.

Reads the raw export tracked by DVC, removes unusable rows and writes a time-based
train/test split. Run as a script (it is the `prepare` stage in dvc.yaml):

    python -m fraud.data --input data/raw/transactions.csv --output data/processed
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd
import yaml

logger = logging.getLogger(__name__)

RAW_COLUMNS = [
    "transaction_id",
    "customer_id",
    "timestamp",
    "amount",
    "merchant_category",
    "country",
    "card_present",
    "is_fraud",
]


def clean(raw: pd.DataFrame, min_amount: float) -> pd.DataFrame:
    """Drop duplicates, unparsable timestamps and zero/negative amounts (refunds)."""
    df = raw[RAW_COLUMNS].drop_duplicates(subset="transaction_id", keep="last").copy()
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, errors="coerce")
    df = df.dropna(subset=["timestamp", "amount", "customer_id"])
    df = df[df["amount"] >= min_amount]
    df["card_present"] = df["card_present"].astype(bool).astype(int)
    df["is_fraud"] = df["is_fraud"].astype(int)
    return df.sort_values("timestamp").reset_index(drop=True)


def time_split(df: pd.DataFrame, test_fraction: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split by time so that the test set only contains later transactions."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    cutoff = df["timestamp"].quantile(1.0 - test_fraction)
    return df[df["timestamp"] < cutoff], df[df["timestamp"] >= cutoff]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)

    params = yaml.safe_load(args.params.read_text())["prepare"]
    raw = pd.read_csv(args.input)
    df = clean(raw, min_amount=params["min_amount"])
    train, test = time_split(df, params["test_fraction"])

    args.output.mkdir(parents=True, exist_ok=True)
    train.to_csv(args.output / "train.csv", index=False)
    test.to_csv(args.output / "test.csv", index=False)
    logger.info(
        "kept %d of %d rows: %d train, %d test (fraud rate %.4f)",
        len(df),
        len(raw),
        len(train),
        len(test),
        df["is_fraud"].mean(),
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    main()
