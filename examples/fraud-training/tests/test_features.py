import numpy as np
import pytest

from fraud.features import FEATURE_COLUMNS, build_features


def test_build_features_returns_every_feature_without_missing_values(transactions):
    features = build_features(transactions)

    assert set(FEATURE_COLUMNS) <= set(features.columns)
    assert not features[FEATURE_COLUMNS].isna().any().any()
    assert len(features) == len(transactions)


def test_time_features(transactions):
    features = build_features(transactions).set_index("transaction_id")

    assert features.loc["t1", "hour"] == 10
    assert features.loc["t2", "is_night"] == 1
    assert features.loc["t1", "is_night"] == 0
    assert features.loc["t2", "is_weekend"] == 1
    assert features.loc["t4", "is_weekend"] == 0


def test_amount_ratio_only_uses_earlier_transactions(transactions):
    features = build_features(transactions).set_index("transaction_id")

    # first transaction of a customer has nothing to compare with
    assert features.loc["t1", "amount_vs_customer_median"] == pytest.approx(1.0)
    assert features.loc["t1", "customer_tx_count"] == 0
    # t2 (40) vs median of [20]
    assert features.loc["t2", "amount_vs_customer_median"] == pytest.approx(2.0)
    # t4 (300) vs median of [20, 40]; the later t4 itself must not be part of the median
    assert features.loc["t4", "amount_vs_customer_median"] == pytest.approx(10.0)
    assert features.loc["t4", "customer_tx_count"] == 2


def test_foreign_flag_uses_home_country(transactions):
    default = build_features(transactions).set_index("transaction_id")
    french = build_features(transactions, home_country="FR").set_index("transaction_id")

    assert default.loc["t3", "is_foreign"] == 1
    assert french.loc["t3", "is_foreign"] == 0


def test_log_amount_is_monotonic(transactions):
    features = build_features(transactions).sort_values("amount")

    assert np.all(np.diff(features["log_amount"].to_numpy()) >= 0)


def test_build_features_does_not_modify_input(transactions):
    before = transactions.copy()
    build_features(transactions)

    assert transactions.equals(before)
