import numpy as np
import pandas as pd
import pytest
from pandera.errors import SchemaErrors

from recsys.validation import MAX_NULL_SHARE, validate_training_set


def failed_checks(exc: SchemaErrors) -> set[str]:
    return set(exc.failure_cases["check"].astype(str))


def dataframe_level_failures(exc: SchemaErrors) -> int:
    return int((exc.failure_cases["schema_context"] == "DataFrameSchema").sum())


def test_valid_training_set_passes(training_frame: pd.DataFrame) -> None:
    validated = validate_training_set(training_frame)

    assert len(validated) == len(training_frame)
    assert str(validated["event_timestamp"].dtype) == "datetime64[ns, UTC]"


def test_non_binary_label_is_rejected(training_frame: pd.DataFrame) -> None:
    training_frame.loc[0, "clicked"] = 2

    with pytest.raises(SchemaErrors) as excinfo:
        validate_training_set(training_frame)

    assert any("isin" in check for check in failed_checks(excinfo.value))


def test_ctr_outside_unit_interval_is_rejected(training_frame: pd.DataFrame) -> None:
    training_frame.loc[3, "item_ctr_7d"] = 1.5

    with pytest.raises(SchemaErrors):
        validate_training_set(training_frame)


def test_missing_price_is_rejected(training_frame: pd.DataFrame) -> None:
    training_frame.loc[5, "item_price"] = np.nan

    with pytest.raises(SchemaErrors):
        validate_training_set(training_frame)


def test_missing_feature_column_is_rejected(training_frame: pd.DataFrame) -> None:
    with pytest.raises(SchemaErrors):
        validate_training_set(training_frame.drop(columns=["user_clicks_7d"]))


def test_mostly_missing_feature_is_rejected(training_frame: pd.DataFrame) -> None:
    n_missing = int(len(training_frame) * (MAX_NULL_SHARE + 0.1))
    training_frame.loc[: n_missing - 1, "user_days_since_last_visit"] = np.nan

    with pytest.raises(SchemaErrors) as excinfo:
        validate_training_set(training_frame)

    # the column itself is nullable; it is the share of missing values that fails
    assert dataframe_level_failures(excinfo.value) >= 1


def test_all_negative_labels_are_rejected(training_frame: pd.DataFrame) -> None:
    training_frame["clicked"] = 0

    with pytest.raises(SchemaErrors) as excinfo:
        validate_training_set(training_frame)

    assert dataframe_level_failures(excinfo.value) >= 1


def test_duplicate_impressions_are_rejected(training_frame: pd.DataFrame) -> None:
    duplicated = pd.concat([training_frame, training_frame.head(1)], ignore_index=True)

    with pytest.raises(SchemaErrors):
        validate_training_set(duplicated)
