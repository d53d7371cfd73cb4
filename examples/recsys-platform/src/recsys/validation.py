"""Schema and content checks for the training set, run before every training."""

from __future__ import annotations

import pandas as pd
from pandera import Check, Column, DataFrameSchema

from recsys.features import FEATURE_COLUMNS, LABEL_COLUMN

MIN_CLICK_RATE = 0.001
MAX_NULL_SHARE = 0.2


def _count(nullable: bool = True) -> Column:
    return Column(float, Check.ge(0), nullable=nullable, coerce=True)


TRAINING_SET_SCHEMA = DataFrameSchema(
    columns={
        "user_id": Column(int, Check.ge(0), coerce=True),
        "item_id": Column(int, Check.ge(0), coerce=True),
        "event_timestamp": Column(pd.DatetimeTZDtype(tz="UTC"), coerce=True),
        LABEL_COLUMN: Column(int, Check.isin([0, 1]), coerce=True),
        "user_clicks_7d": _count(),
        "user_purchases_30d": _count(),
        "user_days_since_last_visit": Column(
            float, Check.in_range(0, 3650), nullable=True, coerce=True
        ),
        "item_ctr_7d": Column(float, Check.in_range(0.0, 1.0), nullable=True, coerce=True),
        "item_popularity_30d": _count(),
        "item_price": Column(float, Check.gt(0), nullable=False, coerce=True),
    },
    checks=[
        Check(
            lambda df: df[LABEL_COLUMN].mean() >= MIN_CLICK_RATE,
            error=f"click rate below {MIN_CLICK_RATE}: label join is probably broken",
        ),
        Check(
            lambda df: df[FEATURE_COLUMNS].isna().mean().max() <= MAX_NULL_SHARE,
            error=f"a feature is missing in more than {MAX_NULL_SHARE:.0%} of rows",
        ),
    ],
    unique=["user_id", "item_id", "event_timestamp"],
    strict=False,
    name="recsys_training_set",
)


def validate_training_set(df: pd.DataFrame) -> pd.DataFrame:
    """Return the coerced frame, or raise pandera.errors.SchemaErrors listing every failure."""
    return TRAINING_SET_SCHEMA.validate(df, lazy=True)


__all__ = ["TRAINING_SET_SCHEMA", "validate_training_set"]
