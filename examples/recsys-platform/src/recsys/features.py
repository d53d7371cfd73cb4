"""Feature names shared by training (offline store) and serving (online store).

The feature views themselves are defined in feature_repo/features.py; this module only
lists which of their features the ranker uses, in the column order the model expects.
"""

from __future__ import annotations

USER_FEATURES = ("user_clicks_7d", "user_purchases_30d", "user_days_since_last_visit")
ITEM_FEATURES = ("item_ctr_7d", "item_popularity_30d", "item_price")

FEATURE_COLUMNS: list[str] = [*USER_FEATURES, *ITEM_FEATURES]
FEATURE_REFS: list[str] = [f"user_stats:{name}" for name in USER_FEATURES] + [
    f"item_stats:{name}" for name in ITEM_FEATURES
]
ENTITY_COLUMNS = ["user_id", "item_id"]
TIMESTAMP_COLUMN = "event_timestamp"
LABEL_COLUMN = "clicked"
