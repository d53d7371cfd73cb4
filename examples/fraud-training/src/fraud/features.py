"""Feature engineering shared by training and evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd

FEATURE_COLUMNS = [
    "log_amount",
    "amount_vs_customer_median",
    "customer_tx_count",
    "hour",
    "is_night",
    "is_weekend",
    "card_present",
    "is_foreign",
]
TARGET = "is_fraud"


def add_time_features(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    ts = pd.to_datetime(out["timestamp"], utc=True)
    out["hour"] = ts.dt.hour
    out["is_night"] = (out["hour"] < 6).astype(int)
    out["is_weekend"] = (ts.dt.dayofweek >= 5).astype(int)
    return out


def add_customer_history(df: pd.DataFrame) -> pd.DataFrame:
    """Compare each amount with the customer's *earlier* transactions only.

    Using the full history would leak information from the future into training rows.
    A customer's first transaction gets a ratio of 1.0 and a count of 0.
    """
    out = df.copy()
    out["_ts"] = pd.to_datetime(out["timestamp"], utc=True)
    out = out.sort_values(["customer_id", "_ts"], kind="stable")
    by_customer = out.groupby("customer_id")["amount"]
    past_median = by_customer.transform(lambda s: s.expanding().median().shift(1))
    out["amount_vs_customer_median"] = (out["amount"] / past_median).fillna(1.0)
    out["customer_tx_count"] = by_customer.cumcount()
    return out.drop(columns="_ts").sort_index()


def build_features(df: pd.DataFrame, home_country: str = "DE") -> pd.DataFrame:
    """Return a frame with all FEATURE_COLUMNS (plus the input columns)."""
    out = add_customer_history(add_time_features(df))
    out["log_amount"] = np.log1p(out["amount"])
    out["is_foreign"] = (out["country"] != home_country).astype(int)
    out["card_present"] = out["card_present"].astype(int)
    return out
