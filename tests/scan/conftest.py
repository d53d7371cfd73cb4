"""Fixtures for scanner tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from scan_helpers import FIXTURES

from mlops_maturity.model.evidence import Observation
from mlops_maturity.sources.scan import ScanSource


@pytest.fixture
def scan(catalog):
    """scan(fixture name or path, **ScanSource options) -> {practice id: Observation}."""

    def run(target: str | Path, **kwargs) -> dict[str, Observation]:
        path = FIXTURES / target if isinstance(target, str) else target
        result = ScanSource([path], **kwargs).collect(catalog)
        assert result.run.status in ("ok", "partial"), result.run.message
        return {o.practice: o for o in result.observations}

    return run
