"""Load and validate the crosswalk and the public models it maps to.

Every id a criterion maps to must exist in that model's list shipped as data (the AWS ML Lens
ids in models/aws-ml-lens.yaml, the ML Test Score's tests in the ml-test-score framework), every
level must be one of the model's levels, and every active criterion of the framework needs an
entry, so a new criterion cannot ship unmapped. All problems are reported at once.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..model.crosswalk import Crosswalk, Mapping, ModelItem, PublicModel
from ..model.framework import Framework
from .load import FrameworkError, _data_path, _pydantic_errors, _read_yaml, default_catalog, load_framework

# Public models shipped as data files; a framework shipped with the tool can be a model too.
MODEL_FILES = {"google-mlops": "models/google-mlops.yaml", "microsoft-mlops": "models/microsoft-mlops.yaml", "aws-ml-lens": "models/aws-ml-lens.yaml"}
FRAMEWORK_MODELS = {"ml-test-score"}


def load_model(path: Path) -> PublicModel:
    data = _read_yaml(path)
    try:
        model = PublicModel.model_validate(data)
    except ValidationError as exc:
        raise FrameworkError(_pydantic_errors(path, data, exc)) from None
    errors = []
    ids = [i.id for i in model.items]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        errors.append(f"{path}: item {dup!r}: duplicate id")
    if model.kind == "levels" and len(model.levels) < 2:
        errors.append(f"{path}: levels: a model with levels needs at least two")
    if model.kind == "catalog" and not model.items:
        errors.append(f"{path}: items: a catalog model needs ids")
    if errors:
        raise FrameworkError(errors)
    return model


def framework_as_model(fw: Framework) -> PublicModel:
    """A shipped framework (the ML Test Score) as a list of ids: its criteria."""
    names = {d.id: d.name for d in fw.dimensions}
    return PublicModel(
        id=fw.id,
        name=fw.name,
        source=f"the {fw.id} framework shipped with mlops-maturity",
        version=fw.version,
        kind="catalog",
        items=tuple(ModelItem(id=c.id, title=c.title, group=names.get(c.dimension, c.dimension)) for c in fw.active_criteria()),
    )


def load_crosswalk(path: Path | None = None, framework: Framework | None = None) -> Crosswalk:
    path = path or _data_path("crosswalk.yaml")
    data = _read_yaml(path)
    where = str(path)
    errors: list[str] = []
    fw_id = data.get("framework")
    model_ids = data.get("models")
    criteria = data.get("criteria")
    if not isinstance(fw_id, str):
        errors.append(f"{where}: framework: expected a framework id")
    if not isinstance(model_ids, list) or not all(isinstance(m, str) for m in model_ids):
        errors.append(f"{where}: models: expected a list of model ids")
        model_ids = []
    if not isinstance(criteria, dict):
        errors.append(f"{where}: criteria: expected a mapping of criterion id to counterparts")
        criteria = {}
    models: list[PublicModel] = []
    for mid in model_ids:
        try:
            if mid in MODEL_FILES:
                models.append(load_model(_data_path(MODEL_FILES[mid])))
            elif mid in FRAMEWORK_MODELS:
                models.append(framework_as_model(load_framework(mid, default_catalog())))
            else:
                errors.append(f"{where}: models: unknown model {mid!r} (known: {', '.join([*MODEL_FILES, *sorted(FRAMEWORK_MODELS)])})")
        except FrameworkError as exc:
            errors += exc.errors
    if framework is None and isinstance(fw_id, str):
        try:
            framework = load_framework(fw_id, default_catalog())
        except FrameworkError as exc:
            errors += exc.errors
    by_id = {m.id: m for m in models}
    mappings: dict[str, Mapping] = {}
    known = {c.id for c in framework.active_criteria()} if framework is not None else set()
    for cid, entry in criteria.items():
        name = f"{where}: criterion {cid!r}"
        if framework is not None and cid not in known:
            errors.append(f"{name}: not a criterion of the {framework.id!r} framework")
        if not isinstance(entry, dict):
            errors.append(f"{name}: expected a mapping of model id to a level or a list of ids")
            continue
        levels: dict[str, int | None] = {}
        ids: dict[str, tuple[str, ...]] = {}
        note = entry.get("note", "")
        for mid, value in entry.items():
            if mid == "note":
                continue
            m = by_id.get(mid)
            if m is None:
                errors.append(f"{name}: {mid}: not one of the crosswalk's models")
                continue
            if m.kind == "levels":
                if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value not in m.level_numbers()):
                    errors.append(f"{name}: {mid}: {value!r} is not a level of {m.name} ({', '.join(map(str, m.level_numbers()))}, or null)")
                    continue
                levels[mid] = value
            else:
                if not isinstance(value, list):
                    errors.append(f"{name}: {mid}: expected a list of {m.name} ids")
                    continue
                for iid in value:
                    if iid not in m.item_ids():
                        errors.append(f"{name}: {mid}: unknown id {iid!r} (not in {m.name}'s list)")
                ids[mid] = tuple(str(i) for i in value)
        for m in models:
            if m.id not in entry:
                errors.append(f"{name}: no entry for {m.id} (use null or [] when it has no counterpart)")
        mappings[cid] = Mapping(levels=levels, ids=ids, note=str(note))
    for cid in sorted(known - set(criteria)):
        errors.append(f"{where}: criterion {cid!r}: missing (every criterion of the framework needs an entry)")
    if errors:
        raise FrameworkError(errors)
    return Crosswalk(framework=fw_id, models=tuple(models), mappings=mappings)


@lru_cache(maxsize=1)
def default_crosswalk() -> Crosswalk:
    return load_crosswalk()


def crosswalk_rows(cw: Crosswalk, fw: Framework) -> list[dict[str, Any]]:
    """One row per criterion: its id, level, title and counterparts per model (for the CLI)."""
    rows = []
    for c in fw.active_criteria():
        mp = cw.mappings.get(c.id)
        if mp is None:
            continue
        row: dict[str, Any] = {"criterion": c.id, "dimension": c.dimension, "level": c.level, "title": c.title}
        for m in cw.models:
            row[m.id] = mp.levels.get(m.id) if m.kind == "levels" else list(mp.ids.get(m.id, ()))
        rows.append(row)
    return rows
