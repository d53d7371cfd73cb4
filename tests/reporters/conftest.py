"""Fixtures of tests/reporters: the sample results of reporter_samples, built once per session."""

from __future__ import annotations

import pytest
from reporter_samples import build_result

from mlops_maturity.model.result import Result


@pytest.fixture(scope="session")
def sample(fw, catalog) -> Result:
    return build_result(fw, catalog)


@pytest.fixture(scope="session")
def sample_previous(fw, catalog) -> Result:
    return build_result(fw, catalog, previous=True)


@pytest.fixture(scope="session")
def hostile(fw, catalog) -> Result:
    return build_result(fw, catalog, hostile=True)
