"""The explicit detector registry: which spec files and which code checks exist.

Built-in detectors are listed here; third-party detectors come from installed plug-ins through
the `mlops_maturity.detectors` entry-point group (see DETECTORS.md, "Plug-in detectors"), with
the same spec format and the same validation. Nothing registers itself by being imported. To add detectors for a dimension, add its spec
file name to SPEC_FILES and its checks module's CHECKS to the merge below; the meta-tests in
tests/scan/test_registry.py then check that ids are unique, every check exists, every
practice id is in the catalog, and every scan-observable practice has a detector.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata, resources
from types import ModuleType
from typing import Any

from .checks import data as data_checks
from .checks import deploy as deploy_checks
from .checks import dev as dev_checks
from .checks import gov as gov_checks
from .checks import monitor as monitor_checks
from .checks import team as team_checks
from ...util import yamlsafe
from . import speccache
from .engine import CheckFn
from .spec import DetectorSpec, SpecError, parse_spec_file, read_spec_text, spec_from_data

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


@lru_cache(maxsize=4)  # parsed once per process: the built-in specs do not change while it runs
def load_specs(spec_files: tuple[str, ...] = SPEC_FILES) -> list[tuple[str, list[DetectorSpec]]]:
    """Parse and validate the spec files; raises SpecError listing every problem at once.

    The YAML parse and the patterns' literals come from the spec cache when it has this
    version of the files (see speccache.py); the validation runs either way."""
    errors: list[str] = []
    out: list[tuple[str, list[DetectorSpec]]] = []
    base = resources.files(__package__).joinpath("detectors")
    texts: list[tuple[str, str]] = []
    for fname in spec_files:
        try:
            texts.append((fname, base.joinpath(fname).read_text(encoding="utf-8")))
        except OSError as exc:
            errors.append(f"{fname}: cannot read: {exc}")
    cache = speccache.cache_file() if not errors else None
    key = speccache.cache_key(texts) if cache is not None else None
    cached = speccache.read(cache, key) if cache is not None and key is not None else None
    fresh: dict[str, Any] = {}
    for fname, text in texts:
        entry = cached["files"].get(fname) if cached is not None else None
        if entry is not None:
            spec, errs = spec_from_data(fname, entry["data"], entry["item_lines"], compiled_before=True)
            if spec is not None:
                for d, lits in zip(spec.detectors, cached["literals"][fname]):  # type: ignore[index]
                    if lits is not None:
                        d.restore_literals(lits)
        else:
            data, errs = read_spec_text(fname, text)
            spec = None
            if data is not None:
                spec, errs = spec_from_data(fname, data, data["detectors"].item_lines)
                plain = yamlsafe.plain(data)
                if spec is not None and key is not None and speccache.faithful(plain):
                    fresh[fname] = {"data": plain, "item_lines": list(data["detectors"].item_lines)}
        errors += errs
        if spec is not None:
            out.append((fname, list(spec.detectors)))
    errors += validate(out, CHECKS)
    if errors:
        raise SpecError("\n".join(errors))
    if cache is not None and key is not None and cached is None and len(fresh) == len(texts):
        literals = {f: [d.cached_literals() if d.pattern else None for d in dets] for f, dets in out}
        speccache.write(cache, key, fresh, literals)
    return out


ENTRY_POINT_GROUP = "mlops_maturity.detectors"


def _plugin_specs() -> tuple[list[tuple[str, list[DetectorSpec]]], dict[str, CheckFn], list[str]]:
    """Spec files and checks of every installed plug-in, and every problem with them.

    An entry point names a package; every `detectors/*.yaml` inside it is a spec file, and an
    optional `CHECKS` mapping in the package provides its `kind: check` functions.
    """
    specs: list[tuple[str, list[DetectorSpec]]] = []
    checks: dict[str, CheckFn] = {}
    errors: list[str] = []
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        label = f"plug-in {ep.name!r} ({ep.value})"
        try:
            obj = ep.load()
        except Exception as exc:  # noqa: BLE001  (a broken plug-in is reported, never a crash)
            errors.append(f"{label}: cannot be loaded: {type(exc).__name__}: {exc}")
            continue
        if not isinstance(obj, ModuleType) or not getattr(obj, "__path__", None):
            errors.append(f"{label}: must name a package holding a detectors/ folder of spec files")
            continue
        folder = resources.files(obj).joinpath("detectors")
        files = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name) if folder.is_dir() else []
        if not files:
            errors.append(f"{label}: no spec files in {obj.__name__}/detectors/*.yaml")
        for f in files:
            fname = f"{obj.__name__}/detectors/{f.name}"
            spec, errs = parse_spec_file(fname, f.read_text(encoding="utf-8"))
            errors += errs
            if spec is not None:
                specs.append((fname, list(spec.detectors)))
        extra = getattr(obj, "CHECKS", {})
        if not isinstance(extra, Mapping):
            errors.append(f"{label}: CHECKS must be a mapping of check name to function")
            continue
        for name, fn in extra.items():
            if name in CHECKS or name in checks:
                errors.append(f"{label}: check {name!r} is already defined")
            checks[name] = fn
    return specs, checks, errors


@lru_cache(maxsize=1)
def _registry() -> tuple[tuple[DetectorSpec, ...], Mapping[str, CheckFn], tuple[str, ...]]:
    builtin = load_specs()
    plugin_specs, plugin_checks, errors = _plugin_specs()
    all_checks = {**CHECKS, **plugin_checks}
    # Plug-in ids must not collide with built-in ids (nor with each other).
    errors += [e for e in validate(builtin + plugin_specs, all_checks) if any(e.startswith(f + ":") for f, _ in plugin_specs)]
    if errors:
        return tuple(d for _, dets in builtin for d in dets), CHECKS, tuple(errors)
    return tuple(d for _, dets in builtin + plugin_specs for d in dets), all_checks, ()


def detectors() -> tuple[DetectorSpec, ...]:
    """Every registered detector, built-in then plug-ins, in spec-file order."""
    return _registry()[0]


def checks() -> Mapping[str, CheckFn]:
    """The code checks of the built-in detectors and of the plug-ins."""
    return _registry()[1]


def plugin_errors() -> tuple[str, ...]:
    """Problems with installed plug-ins, one line each naming the plug-in or its spec file.
    While there are any, no plug-in detector runs."""
    return _registry()[2]


def check_detectors() -> str | None:
    """None when every detector is usable; else one line for the user (plug-ins' problems, or a
    plug-in detector citing a practice the catalog does not have)."""
    errors = list(plugin_errors())
    if not errors:
        from ...framework.load import default_catalog

        catalog = default_catalog()
        known = catalog.ids() | {a for p in catalog.practices for a in p.aliases}
        builtin = {d.id for _, dets in load_specs() for d in dets}
        for d in detectors():
            if d.id not in builtin and d.practice not in known:
                errors.append(f"plug-in detector {d.id!r}: unknown practice {d.practice!r}")
    if not errors:
        return None
    return errors[0] + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
