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


def check_case(scan, cases: dict, practice: str, case: str) -> None:  # noqa: ANN001
    """Scan one fixture repository and compare its observation with the expected
    (status, evidence, dependency-only evidence), exactly."""
    status, evidence, *rest = cases[(practice, case)]
    dep_only = rest[0] if rest else []
    obs = scan(f"{practice}/{case}")[practice]
    assert obs.status.value == status
    assert [describe(e) for e in obs.evidence] == evidence
    assert [describe(e) for e in obs.dependency_only] == dep_only


def check_fixture_folders(cases: dict, practice: str) -> None:
    """Every fixture folder of the practice has a case, and it has a present and an absent one."""
    folders = fixture_cases(practice)
    assert folders, f"no fixtures for {practice}"
    assert sorted(c for p, c in cases if p == practice) == folders
    assert any(f.startswith("present-") for f in folders) and any(f.startswith("absent-") for f in folders)
