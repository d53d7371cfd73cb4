import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def transactions() -> pd.DataFrame:
    """A few hand-written transactions for two customers."""
    return pd.DataFrame(
        {
            "transaction_id": ["t1", "t2", "t3", "t4", "t5"],
            "customer_id": ["c1", "c1", "c2", "c1", "c2"],
            "timestamp": [
                "2024-05-03T10:00:00Z",  # Friday
                "2024-05-04T02:30:00Z",  # Saturday night
                "2024-05-04T12:00:00Z",
                "2024-05-06T09:15:00Z",
                "2024-05-07T23:59:00Z",
            ],
            "amount": [20.0, 40.0, 15.0, 300.0, 15.0],
            "merchant_category": ["grocery", "electronics", "fuel", "electronics", "fuel"],
            "country": ["DE", "DE", "FR", "US", "DE"],
            "card_present": [1, 0, 1, 0, 1],
            "is_fraud": [0, 0, 0, 1, 0],
        }
    )


@pytest.fixture
def synthetic_training_frame() -> pd.DataFrame:
    """Larger random frame where fraud is driven by amount, night time and a foreign country."""
    rng = np.random.default_rng(0)
    n = 2_000
    timestamps = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
        np.sort(rng.integers(0, 60 * 24 * 3600, n)), unit="s"
    )
    amount = rng.lognormal(mean=3.0, sigma=1.0, size=n)
    country = rng.choice(["DE", "FR", "US"], size=n, p=[0.8, 0.1, 0.1])
    risk = (amount > 150).astype(int) + (timestamps.hour < 6).astype(int) + (country != "DE")
    is_fraud = (risk + rng.normal(0, 0.3, n) > 1.5).astype(int)
    return pd.DataFrame(
        {
            "transaction_id": [f"t{i}" for i in range(n)],
            "customer_id": rng.choice([f"c{i}" for i in range(50)], size=n),
            "timestamp": timestamps.astype(str),
            "amount": amount,
            "merchant_category": "misc",
            "country": country,
            "card_present": rng.integers(0, 2, n),
            "is_fraud": is_fraud,
        }
    )
