"""The explicit detector registry: which spec files and which code checks exist.

Nothing registers itself by being imported. To add detectors for a dimension, add its spec
file name to SPEC_FILES and its checks module's CHECKS to the merge below; the meta-tests in
tests/scan/test_registry.py then check that ids are unique, every check exists, every
practice id is in the catalog, and every scan-observable practice has a detector.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

from .checks import data as data_checks
from .checks import deploy as deploy_checks
from .checks import dev as dev_checks
from .checks import gov as gov_checks
from .checks import monitor as monitor_checks
from .checks import team as team_checks
from .engine import CheckFn
from .spec import DetectorSpec, SpecError, parse_spec_file

# One YAML file per dimension, under detectors/.
SPEC_FILES: tuple[str, ...] = ("dev.yaml", "team.yaml", "monitor.yaml", "gov.yaml", "data.yaml", "deploy.yaml")

CHECKS: Mapping[str, CheckFn] = {
    **dev_checks.CHECKS,
    **team_checks.CHECKS,
    **monitor_checks.CHECKS,
    **gov_checks.CHECKS,
    **data_checks.CHECKS,
    **deploy_checks.CHECKS,
}


def validate(specs: list[tuple[str, list[DetectorSpec]]], checks: Mapping[str, CheckFn]) -> list[str]:
    """Cross-spec errors: duplicate ids or aliases, unknown checks."""
    errors: list[str] = []
    seen: dict[str, str] = {}
    for fname, dets in specs:
        for d in dets:
            for ident in (d.id, *d.aliases):
                if ident in seen:
                    errors.append(f"{fname}: {d.id}: id {ident} already used in {seen[ident]}")
                seen[ident] = fname
            if d.kind == "check" and d.check not in checks:
                errors.append(f"{fname}: {d.id}: unknown check {d.check!r}")
    return errors


def load_specs(spec_files: tuple[str, ...] = SPEC_FILES) -> list[tuple[str, list[DetectorSpec]]]:
    """Parse and validate the spec files; raises SpecError listing every problem at once."""
    errors: list[str] = []
    out: list[tuple[str, list[DetectorSpec]]] = []
    base = resources.files(__package__).joinpath("detectors")
    for fname in spec_files:
        try:
            text = base.joinpath(fname).read_text(encoding="utf-8")
        except OSError as exc:
            errors.append(f"{fname}: cannot read: {exc}")
            continue
        spec, errs = parse_spec_file(fname, text)
        errors += errs
        if spec is not None:
            out.append((fname, list(spec.detectors)))
    errors += validate(out, CHECKS)
    if errors:
        raise SpecError("\n".join(errors))
    return out


@lru_cache(maxsize=1)
def detectors() -> tuple[DetectorSpec, ...]:
    """Every registered detector, in spec-file order."""
    return tuple(d for _, dets in load_specs() for d in dets)
