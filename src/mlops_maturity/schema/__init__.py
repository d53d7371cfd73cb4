"""The published JSON Schema of the result (generated from the model; a test keeps it fresh).

Regenerate with: python -m mlops_maturity.schema
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

SCHEMA_FILE = "result.schema.json"


def generate() -> dict:
    from ..model.result import Result

    schema = Result.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://mlops-maturity.dev/schema/result-1.json"
    schema["title"] = "mlops-maturity result (schema_version 1)"
    return schema


def path() -> Path:
    return Path(str(resources.files("mlops_maturity.schema") / SCHEMA_FILE))


def load() -> dict:
    return json.loads(path().read_text(encoding="utf-8"))


def dumps(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    path().write_text(dumps(generate()), encoding="utf-8")
    print(path())
