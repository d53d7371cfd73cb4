import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def training_frame() -> pd.DataFrame:
    """A small, valid training set: 40 users x 5 impressions over two weeks."""
    rng = np.random.default_rng(11)
    n_users, per_user = 40, 5
    n = n_users * per_user
    return pd.DataFrame(
        {
            "user_id": np.repeat(np.arange(n_users), per_user),
            "item_id": np.tile(np.arange(100, 100 + per_user), n_users),
            "event_timestamp": pd.Timestamp("2024-06-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 14 * 24 * 3600, n), unit="s"),
            "clicked": rng.integers(0, 2, n),
            "user_clicks_7d": rng.integers(0, 50, n).astype(float),
            "user_purchases_30d": rng.integers(0, 5, n).astype(float),
            "user_days_since_last_visit": rng.uniform(0, 30, n),
            "item_ctr_7d": rng.uniform(0, 0.2, n),
            "item_popularity_30d": rng.integers(0, 10_000, n).astype(float),
            "item_price": rng.uniform(1, 300, n),
        }
    )
