"""Fixtures of tests/learn: the shipped learning content, loaded and validated once."""

from __future__ import annotations

import pytest

from mlops_maturity.learn.content import default_content


@pytest.fixture(scope="session")
def content():
    return default_content()
