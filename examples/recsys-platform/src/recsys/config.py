"""Hydra configuration loading shared by the CLI entry points and the pipeline components."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

_DEFAULT_CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


def conf_dir() -> Path:
    """`conf/` of the checkout, or RECSYS_CONF_DIR inside the container images."""
    return Path(os.environ.get("RECSYS_CONF_DIR", _DEFAULT_CONF_DIR))


def load_config(overrides: Sequence[str] = ()) -> DictConfig:
    """Compose conf/config.yaml with Hydra overrides such as `model.params.max_iter=800`."""
    with initialize_config_dir(config_dir=str(conf_dir()), version_base=None):
        return compose(config_name="config", overrides=list(overrides))
