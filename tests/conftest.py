from __future__ import annotations

import json
import jsonschema
import pytest

from mlops_maturity import schema
from mlops_maturity.framework.load import default_catalog, load_framework


@pytest.fixture(autouse=True, scope="session")
def _scan_cache_in_tmp(tmp_path_factory):
    """`scan --each` caches beside the database; the tests never write to the real home."""
    import os

    old = os.environ.get("MLOPS_MATURITY_CACHE_DIR")
    os.environ["MLOPS_MATURITY_CACHE_DIR"] = str(tmp_path_factory.mktemp("scan-cache"))
    yield
    if old is None:
        os.environ.pop("MLOPS_MATURITY_CACHE_DIR", None)
    else:
        os.environ["MLOPS_MATURITY_CACHE_DIR"] = old


@pytest.fixture(autouse=True, scope="session")
def _spec_cache_in_tmp(tmp_path_factory):
    """The detector spec cache lives in the user cache directory; the tests use their own."""
    import os

    old = os.environ.get("MLOPS_MATURITY_SPEC_CACHE")
    os.environ["MLOPS_MATURITY_SPEC_CACHE"] = str(tmp_path_factory.mktemp("spec-cache") / "detector-specs.json")
    yield
    if old is None:
        os.environ.pop("MLOPS_MATURITY_SPEC_CACHE", None)
    else:
        os.environ["MLOPS_MATURITY_SPEC_CACHE"] = old


@pytest.fixture(scope="session")
def catalog():
    return default_catalog()


@pytest.fixture(scope="session")
def fw(catalog):
    return load_framework(None, catalog)


@pytest.fixture(scope="session")
def sarif_validator():
    """The official SARIF 2.1.0 schema (tests/data), formats checked too."""
    from pathlib import Path

    path = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
    return jsonschema.Draft7Validator(json.loads(path.read_text(encoding="utf-8")), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


@pytest.fixture(scope="session")
def result_validator():
    return jsonschema.Draft202012Validator(schema.load())


@pytest.fixture
def validate_result(result_validator):
    """Every produced result is checked against the published schema."""

    def check(result_or_text) -> dict:
        if isinstance(result_or_text, str):
            data = json.loads(result_or_text)
        else:
            data = json.loads(result_or_text.model_dump_json())
        errors = sorted(result_validator.iter_errors(data), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
        return data

    return check

