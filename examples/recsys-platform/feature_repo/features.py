"""Feast definitions of the features the ranker uses (applied with `feast apply`)."""

from datetime import timedelta

from feast import Entity, FeatureView, Field, FileSource
from feast.types import Float32, Int64

user = Entity(name="user", join_keys=["user_id"], description="A signed-in shopper")
item = Entity(name="item", join_keys=["item_id"], description="A catalogue product")

user_stats_source = FileSource(
    name="user_stats_daily",
    path="s3://acme-recsys-data/features/user_stats/",
    timestamp_field="event_timestamp",
    created_timestamp_column="created_at",
)

item_stats_source = FileSource(
    name="item_stats_hourly",
    path="s3://acme-recsys-data/features/item_stats/",
    timestamp_field="event_timestamp",
    created_timestamp_column="created_at",
)

user_stats = FeatureView(
    name="user_stats",
    entities=[user],
    ttl=timedelta(days=3),
    schema=[
        Field(name="user_clicks_7d", dtype=Int64),
        Field(name="user_purchases_30d", dtype=Int64),
        Field(name="user_days_since_last_visit", dtype=Float32),
    ],
    source=user_stats_source,
    online=True,
    tags={"owner": "recsys-ml", "refresh": "daily"},
)

item_stats = FeatureView(
    name="item_stats",
    entities=[item],
    ttl=timedelta(hours=6),
    schema=[
        Field(name="item_ctr_7d", dtype=Float32),
        Field(name="item_popularity_30d", dtype=Int64),
        Field(name="item_price", dtype=Float32),
    ],
    source=item_stats_source,
    online=True,
    tags={"owner": "recsys-ml", "refresh": "hourly"},
)
