from pathlib import Path

import pytest
import yaml

from fraud.evaluate import compute_metrics
from fraud.features import FEATURE_COLUMNS, TARGET, build_features
from fraud.train import load_params, parse_args, split_train_valid, train_model

PARAMS = {
    "prepare": {"test_fraction": 0.2, "min_amount": 0.01, "home_country": "DE"},
    "train": {
        "experiment": "test",
        "seed": 1,
        "valid_fraction": 0.25,
        "model": {"learning_rate": 0.1, "max_iter": 50, "max_depth": 3},
    },
}


@pytest.fixture
def params_file(tmp_path: Path) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(PARAMS))
    return path


def test_params_file_values_are_used_when_no_flags(params_file):
    params = load_params(params_file, parse_args([]))

    assert params["model"] == PARAMS["train"]["model"]
    assert params["seed"] == 1
    assert params["home_country"] == "DE"


def test_command_line_overrides_params_file(params_file):
    args = parse_args(["--learning-rate", "0.02", "--max-iter", "500", "--seed", "7"])
    params = load_params(params_file, args)

    assert params["model"]["learning_rate"] == 0.02
    assert params["model"]["max_iter"] == 500
    assert params["model"]["max_depth"] == 3
    assert params["seed"] == 7


def test_split_keeps_later_transactions_for_validation(synthetic_training_frame):
    train, valid = split_train_valid(synthetic_training_frame, valid_fraction=0.25)

    assert len(valid) == 500
    assert train["timestamp"].max() <= valid["timestamp"].min()


def test_trained_model_separates_fraud_from_normal(synthetic_training_frame):
    data = build_features(synthetic_training_frame)
    train, valid = split_train_valid(data, valid_fraction=0.25)

    model = train_model(train[FEATURE_COLUMNS], train[TARGET], PARAMS["train"]["model"], seed=0)
    scores = model.predict_proba(valid[FEATURE_COLUMNS])[:, 1]
    metrics = compute_metrics(valid[TARGET].to_numpy(), scores)

    assert metrics["roc_auc"] > 0.9
    assert 0.0 <= metrics["review_rate"] <= 1.0


def test_training_is_reproducible_with_a_seed(synthetic_training_frame):
    data = build_features(synthetic_training_frame)
    X, y = data[FEATURE_COLUMNS], data[TARGET]

    first = train_model(X, y, PARAMS["train"]["model"], seed=3).predict_proba(X)
    second = train_model(X, y, PARAMS["train"]["model"], seed=3).predict_proba(X)

    assert (first == second).all()
