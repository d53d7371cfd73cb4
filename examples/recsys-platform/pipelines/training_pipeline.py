"""Kubeflow Pipelines (v2) definition of the weekly ranker retraining.

prepare (Delta + Feast point-in-time join, pandera validation) -> train (MLflow run)
-> promote (evaluation gate, registry alias). A rejected candidate fails the run.

    python pipelines/training_pipeline.py compile --output training_pipeline.yaml
    python pipelines/training_pipeline.py submit --host "$KFP_HOST" --wait

The components run in the recsys-jobs image (docker/jobs.Dockerfile), which has the
`recsys` package and conf/ installed; RECSYS_JOBS_IMAGE selects the tag.
"""

from __future__ import annotations

import argparse
import os
import sys

from kfp import Client, compiler, dsl
from kfp.dsl import Dataset, Input, Metrics, Output

JOBS_IMAGE = os.environ.get("RECSYS_JOBS_IMAGE", "ghcr.io/acme-retail/recsys-jobs:latest")
MLFLOW_TRACKING_URI = os.environ.get(
    "MLFLOW_TRACKING_URI", "http://mlflow.mlflow.svc.cluster.local:5000"
)


@dsl.component(base_image=JOBS_IMAGE)
def prepare_data(end_date: str, overrides: str, training_set: Output[Dataset]):
    import datetime
    import json

    from recsys.config import load_config
    from recsys.data import build_training_set

    cfg = load_config([o for o in overrides.split(",") if o])
    end = datetime.date.fromisoformat(end_date) if end_date else None
    frame, meta = build_training_set(cfg, end)  # raises SchemaErrors on bad data
    frame.to_parquet(training_set.path, index=False)
    training_set.metadata.update({key: json.dumps(value) for key, value in meta.items()})


@dsl.component(base_image=JOBS_IMAGE)
def train_ranker(training_set: Input[Dataset], overrides: str, metrics: Output[Metrics]) -> str:
    import json

    import pandas as pd

    from recsys.config import load_config
    from recsys.train import run_training

    cfg = load_config([o for o in overrides.split(",") if o])
    data_meta = {key: json.loads(value) for key, value in training_set.metadata.items()}
    run_id, scores = run_training(pd.read_parquet(training_set.path), cfg, data_meta)
    for name, value in scores.items():
        metrics.log_metric(name, value)
    return run_id


@dsl.component(base_image=JOBS_IMAGE)
def promote_candidate(run_id: str, overrides: str) -> str:
    from recsys.config import load_config
    from recsys.promote import promote

    return promote(run_id, load_config([o for o in overrides.split(",") if o]))


@dsl.pipeline(
    name="recsys-ranker-training",
    description="Build the training set, train the ranker and promote it if it passes the gate.",
)
def training_pipeline(end_date: str = "", overrides: str = ""):
    prepare = prepare_data(end_date=end_date, overrides=overrides)
    prepare.set_memory_limit("16G").set_cpu_limit("4")

    train = train_ranker(training_set=prepare.outputs["training_set"], overrides=overrides)
    train.set_memory_limit("16G").set_cpu_limit("8")
    train.set_env_variable("MLFLOW_TRACKING_URI", MLFLOW_TRACKING_URI)

    promote = promote_candidate(run_id=train.outputs["Output"], overrides=overrides)
    promote.set_env_variable("MLFLOW_TRACKING_URI", MLFLOW_TRACKING_URI)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    compile_cmd = sub.add_parser("compile")
    compile_cmd.add_argument("--output", default="training_pipeline.yaml")
    submit_cmd = sub.add_parser("submit")
    submit_cmd.add_argument("--host", required=True)
    submit_cmd.add_argument("--end-date", default="")
    submit_cmd.add_argument("--overrides", default="", help="comma-separated Hydra overrides")
    submit_cmd.add_argument("--wait", action="store_true")
    submit_cmd.add_argument("--timeout", type=int, default=4 * 3600)
    args = parser.parse_args(argv)

    if args.command == "compile":
        compiler.Compiler().compile(pipeline_func=training_pipeline, package_path=args.output)
        return 0

    client = Client(host=args.host)
    result = client.create_run_from_pipeline_func(
        training_pipeline,
        arguments={"end_date": args.end_date, "overrides": args.overrides},
        experiment_name="recsys-retraining",
        enable_caching=False,
    )
    print(f"submitted run {result.run_id}")
    if not args.wait:
        return 0
    run = client.wait_for_run_completion(result.run_id, timeout=args.timeout)
    print(f"run {result.run_id} finished: {run.state}")
    return 0 if run.state == "SUCCEEDED" else 1


if __name__ == "__main__":
    sys.exit(main())
