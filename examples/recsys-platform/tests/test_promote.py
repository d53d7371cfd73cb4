from dataclasses import dataclass, field
from typing import Any

import pytest
from mlflow.exceptions import MlflowException
from omegaconf import OmegaConf

from recsys import promote as promote_module
from recsys.promote import PromotionRejected, decide, main, promote

CFG = OmegaConf.create(
    {
        "registry": {"model_name": "recsys-ranker", "alias": "champion"},
        "promotion": {"metric": "ndcg_at_10", "min_value": 0.30, "min_improvement": 0.002},
    }
)


@dataclass
class FakeRun:
    metrics: dict[str, float]

    @property
    def data(self) -> "FakeRun":
        return self


@dataclass
class FakeVersion:
    version: str
    run_id: str


@dataclass
class FakeClient:
    """Just enough of MlflowClient for the gate."""

    runs: dict[str, dict[str, float]]
    champion_run: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def get_run(self, run_id: str) -> FakeRun:
        return FakeRun(self.runs[run_id])

    def get_model_version_by_alias(self, name: str, alias: str) -> FakeVersion:
        if self.champion_run is None:
            raise MlflowException(f"Registered model alias {alias} not found.")
        return FakeVersion(version="7", run_id=self.champion_run)

    def set_model_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        self.tags[key] = value

    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None:
        self.aliases[alias] = version


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []

    def fake_register(model_uri: str, name: str) -> Any:
        calls.append((model_uri, name))
        return FakeVersion(version="8", run_id=model_uri.split("/")[1])

    monkeypatch.setattr(promote_module.mlflow, "register_model", fake_register)
    return calls


@pytest.mark.parametrize(
    ("candidate", "champion", "expected"),
    [
        (0.35, None, True),  # first model above the floor
        (0.25, None, False),  # below the floor
        (0.36, 0.35, True),  # beats the champion by more than min_improvement
        (0.351, 0.35, False),  # better, but not by enough
        (0.34, 0.35, False),  # worse than the champion
    ],
)
def test_decide(candidate: float, champion: float | None, expected: bool) -> None:
    assert decide(candidate, champion, min_value=0.30, min_improvement=0.002).promote is expected


def test_better_candidate_becomes_champion(registered: list[tuple[str, str]]) -> None:
    client = FakeClient(runs={"new": {"ndcg_at_10": 0.40}, "old": {"ndcg_at_10": 0.35}})
    client.champion_run = "old"

    version = promote("new", CFG, client=client)  # type: ignore[arg-type]

    assert version == "8"
    assert registered == [("runs:/new/model", "recsys-ranker")]
    assert client.aliases == {"champion": "8"}
    assert "passes" in client.tags["gate"]


def test_worse_candidate_is_not_registered(registered: list[tuple[str, str]]) -> None:
    client = FakeClient(runs={"new": {"ndcg_at_10": 0.33}, "old": {"ndcg_at_10": 0.35}})
    client.champion_run = "old"

    with pytest.raises(PromotionRejected, match="does not beat champion"):
        promote("new", CFG, client=client)  # type: ignore[arg-type]

    assert registered == []
    assert client.aliases == {}


def test_first_model_only_needs_the_floor(registered: list[tuple[str, str]]) -> None:
    client = FakeClient(runs={"new": {"ndcg_at_10": 0.31}})

    assert promote("new", CFG, client=client) == "8"  # type: ignore[arg-type]


def test_run_without_the_metric_is_rejected(registered: list[tuple[str, str]]) -> None:
    client = FakeClient(runs={"new": {"auc": 0.9}})

    with pytest.raises(PromotionRejected, match="no metric"):
        promote("new", CFG, client=client)  # type: ignore[arg-type]
    assert registered == []


def test_cli_exits_non_zero_when_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    def reject(run_id: str, cfg: Any) -> str:
        raise PromotionRejected("candidate 0.2000 is below the minimum 0.3000")

    monkeypatch.setattr(promote_module, "promote", reject)
    monkeypatch.setattr(promote_module, "load_config", lambda overrides: CFG)

    assert main(["--run-id", "abc"]) == 1
