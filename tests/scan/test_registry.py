"""Meta-tests of the explicit detector registry against the practice catalog."""

from __future__ import annotations

import pytest

from mlops_maturity.sources.scan import registry
from mlops_maturity.sources.scan.spec import DetectorSpec, parse_spec_file

# Dimensions whose detectors are written; the others are added by their own change, which
# then moves the dimension here.
IMPLEMENTED = {"dev", "team", "monitor", "gov", "data", "deploy"}


def test_specs_load_and_ids_are_unique():
    dets = registry.detectors()
    ids = [d.id for d in dets]
    assert len(ids) == len(set(ids))


def test_every_detector_cites_a_catalog_practice(catalog):
    known = {i for p in catalog.practices for i in (p.id, *p.aliases)}
    unknown = sorted({d.practice for d in registry.detectors()} - known)
    assert not unknown, unknown


def test_every_scan_practice_of_implemented_dimensions_has_a_detector(catalog):
    covered = {d.practice for d in registry.detectors() if not d.retired}
    wanted = {
        p.id for p in catalog.practices
        if "scan" in p.observed_by and not p.retired and p.dimension in IMPLEMENTED
    }
    assert sorted(wanted - covered) == []


def test_practices_without_detectors_are_reported_unknown(scan):
    obs = scan("team.ownership/present-codeowners")
    covered = {d.practice for d in registry.detectors()}
    for pid, o in obs.items():
        if pid not in covered:
            assert o.status.value == "unknown" and o.note == "no scan detector for this practice"


def test_every_check_is_used_and_exists():
    used = {d.check for d in registry.detectors() if d.kind == "check"}
    assert used <= set(registry.CHECKS)
    assert set(registry.CHECKS) <= used, "a check no detector uses"


def test_detector_ids_are_facts_not_commands():
    for d in registry.detectors():
        assert not d.id.startswith(("check-", "detect-", "has-")), d.id


def test_spec_errors_are_all_reported_with_file_line_and_id():
    text = """
dimension: dev
detectors:
  - id: Bad_Id
    practice: dev.tests
    kind: files
    message: x
  - id: content-without-pattern
    practice: dev.tests
    kind: content
    files: ["*.py"]
    message: x
  - id: wrong-dimension
    practice: team.readme
    kind: files
    files: [README.md]
    message: x
"""
    spec, errors = parse_spec_file("dev.yaml", text)
    assert spec is None
    joined = "\n".join(errors)
    assert "dev.yaml:4: Bad_Id: id:" in joined
    assert "dev.yaml:8: content-without-pattern" in joined and "needs pattern" in joined
    assert "wrong-dimension: practice team.readme is not in dimension dev" in joined


def test_duplicate_ids_and_unknown_checks_are_rejected():
    a = DetectorSpec(id="x-present", practice="dev.tests", kind="check", check="nope", message="m")
    b = DetectorSpec(id="x-present", practice="dev.tests", kind="files", files=("a",), message="m")
    errors = registry.validate([("dev.yaml", [a]), ("team.yaml", [b])], registry.CHECKS)
    assert any("unknown check 'nope'" in e for e in errors)
    assert any("id x-present already used in dev.yaml" in e for e in errors)


@pytest.mark.parametrize("kind", ["files", "content", "calls", "imports", "config_keys", "ci_commands", "check"])
def test_each_kind_states_its_required_fields(kind):
    with pytest.raises(ValueError, match=f"kind '{kind}' needs"):
        DetectorSpec(id="a-b", practice="dev.tests", kind=kind, message="m")
