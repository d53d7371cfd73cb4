"""`scan PATH --format json` on the bundled examples: every practice of the catalog is listed with
its status, evidence and sources, the result validates, and the examples land where they should."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_OVERALL = {"churn-notebook": 1, "fraud-training": 2, "recsys-platform": 4}


def scan_json(path: Path) -> dict:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "mlops_maturity", "scan", str(path), "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("example", sorted(EXPECTED_OVERALL))
def test_every_practice_is_listed_and_the_result_validates(example, catalog, validate_result):
    data = scan_json(ROOT / "examples" / example)
    validate_result(json.dumps(data))
    listed = {p["id"]: p for p in data["practices"]}
    assert set(listed) == {p.id for p in catalog.practices if not p.retired}
    for p in catalog.practices:
        entry = listed[p.id]
        if "scan" in p.observed_by:
            assert entry["status"] in ("present", "absent"), (p.id, entry)
            assert entry["sources"] == ["scan"]
        if entry["status"] == "present":
            assert entry["present"] is True and entry["evidence"], p.id
            for e in entry["evidence"]:
                assert e["path"] and e["detector"] and (e["line"] is None or e["line"] >= 1)


def test_examples_are_at_clearly_different_maturity():
    got = {name: scan_json(ROOT / "examples" / name)["overall"]["level"] for name in EXPECTED_OVERALL}
    assert got == EXPECTED_OVERALL
