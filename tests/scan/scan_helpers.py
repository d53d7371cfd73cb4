"""Helpers for scanner tests: where fixtures live, evidence as comparable strings."""

from __future__ import annotations

from pathlib import Path

from mlops_maturity.model.evidence import Evidence

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def describe(ev: Evidence) -> str:
    """`path:line detector` (notebooks: `path:cell N:line M detector`)."""
    return f"{ev.location} {ev.detector}"


def fixture_cases(practice: str) -> list[str]:
    """Every fixture folder of a practice (so that a new folder without a test case fails)."""
    base = FIXTURES / practice
    return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
