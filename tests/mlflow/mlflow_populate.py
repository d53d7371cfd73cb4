"""Populate a running MLflow server with the real MLflow client (run as a script, in a subprocess,
so that mlflow's import time and global state stay out of the test process).

    python mlflow_populate.py URI OUT.json

Writes the ids the tests assert on to OUT.json.
"""

from __future__ import annotations

import json
import sys
import time

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.models import infer_signature


class Doubler(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input * 2


DESCRIPTION = (
    "Churn classifier for monthly subscribers. Intended use: rank accounts for retention offers; "
    "not for pricing decisions. Trained on 2024 billing data; evaluated on a held-out quarter "
    "(val_auc 0.91). Known limitation: under-predicts churn for accounts younger than 30 days."
)


def main(uri: str, out: str) -> None:
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    ids: dict = {}

    # A tracked experiment: runs with params and metrics, one with a git commit and a dataset.
    exp = mlflow.set_experiment("churn")
    ids["churn_experiment"] = exp.experiment_id
    df = pd.DataFrame({"tenure": [1.0, 5.0, 12.0], "spend": [10.0, 20.0, 30.0]})
    for i in range(3):
        with mlflow.start_run(run_name=f"sweep-{i}") as run:
            mlflow.log_param("max_depth", 3 + i)
            mlflow.log_metric("train_loss", 0.5 - i / 10)
    dataset = mlflow.data.from_pandas(df, source="s3://bucket/churn/2024.parquet", name="churn-train")
    with mlflow.start_run(run_name="train", tags={"mlflow.source.git.commit": "0123456789abcdef0123456789abcdef01234567"}) as run:
        mlflow.log_input(dataset, context="training")
        mlflow.log_param("max_depth", 5)
        mlflow.log_metric("train_loss", 0.2)
        mlflow.log_metric("val_auc", 0.91)
        signature = infer_signature(df, df * 2)
        mlflow.pyfunc.log_model(
            name="model",
            python_model=Doubler(),
            signature=signature,
            input_example=df.head(1),
            registered_model_name="churn",
            await_registration_for=0,
        )
        ids["lineage_run"] = run.info.run_id
    # A second version, from a run with no evaluation metrics, left unpromoted.
    with mlflow.start_run(run_name="retrain") as run:
        mlflow.log_param("max_depth", 6)
        mlflow.log_metric("train_loss", 0.1)
        mlflow.pyfunc.log_model(name="model", python_model=Doubler(), registered_model_name="churn", await_registration_for=0)
        ids["retrain_run"] = run.info.run_id

    client.update_registered_model("churn", description=DESCRIPTION)
    client.set_registered_model_alias("churn", "champion", "1")
    client.set_model_version_tag("churn", "1", "approved_by", "alice@example.com")
    client.set_model_version_tag("churn", "1", "validation_status", "approved")

    # An experiment whose only run is old (created with an explicit start time).
    legacy = client.create_experiment("legacy")
    ids["legacy_experiment"] = legacy
    old = client.create_run(legacy, start_time=int((time.time() - 400 * 86400) * 1000))
    client.log_param(old.info.run_id, "lr", "0.1")
    client.log_metric(old.info.run_id, "loss", 0.3, timestamp=int((time.time() - 400 * 86400) * 1000))
    client.set_terminated(old.info.run_id, end_time=int((time.time() - 400 * 86400 + 60) * 1000))

    # A registered model without versions, with a one-word description: neither registry nor card.
    client.create_registered_model("scratch", description="todo")

    with open(out, "w", encoding="utf-8") as fh:
        json.dump(ids, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
