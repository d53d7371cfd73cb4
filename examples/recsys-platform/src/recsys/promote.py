"""Evaluation gate: register a candidate run and make it the champion only if it is better.

The candidate must (1) reach the configured minimum on the promotion metric and (2) beat the
current champion by at least `promotion.min_improvement`. Otherwise nothing is registered and
the process exits non-zero, which fails the training pipeline and the retraining workflow.

    python -m recsys.promote --run-id <mlflow run id>
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig

from recsys.config import load_config

logger = logging.getLogger(__name__)


class PromotionRejected(RuntimeError):
    """The candidate did not pass the gate."""


@dataclass(frozen=True)
class Decision:
    promote: bool
    reason: str


def decide(
    candidate: float, champion: float | None, min_value: float, min_improvement: float
) -> Decision:
    if candidate < min_value:
        return Decision(False, f"candidate {candidate:.4f} is below the minimum {min_value:.4f}")
    if champion is not None and candidate < champion + min_improvement:
        return Decision(
            False,
            f"candidate {candidate:.4f} does not beat champion {champion:.4f} "
            f"by {min_improvement:.4f}",
        )
    baseline = "no champion yet" if champion is None else f"champion {champion:.4f}"
    return Decision(True, f"candidate {candidate:.4f} passes ({baseline})")


def champion_metric(client: MlflowClient, model_name: str, alias: str, metric: str) -> float | None:
    try:
        version = client.get_model_version_by_alias(model_name, alias)
    except MlflowException:
        return None  # first model, or the alias was removed on purpose
    return client.get_run(version.run_id).data.metrics.get(metric)


def promote(run_id: str, cfg: DictConfig, client: MlflowClient | None = None) -> str:
    """Gate the run; on success register it and point the champion alias at it."""
    client = client or MlflowClient()
    metric = cfg.promotion.metric
    name, alias = cfg.registry.model_name, cfg.registry.alias

    run_metrics = client.get_run(run_id).data.metrics
    if metric not in run_metrics:
        raise PromotionRejected(f"run {run_id} has no metric {metric!r}")
    decision = decide(
        run_metrics[metric],
        champion_metric(client, name, alias, metric),
        cfg.promotion.min_value,
        cfg.promotion.min_improvement,
    )
    logger.info("gate for run %s on %s: %s", run_id, metric, decision.reason)
    if not decision.promote:
        raise PromotionRejected(decision.reason)

    version = mlflow.register_model(f"runs:/{run_id}/model", name)
    client.set_model_version_tag(name, version.version, "gate", decision.reason)
    client.set_registered_model_alias(name, alias, version.version)
    logger.info("%s version %s is now @%s", name, version.version, alias)
    return str(version.version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Promote a training run if it passes the gate")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    try:
        promote(args.run_id, load_config(args.overrides))
    except PromotionRejected as exc:
        logger.error("promotion rejected: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sys.exit(main())
