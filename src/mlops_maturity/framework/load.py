"""Load and validate frameworks and the practice catalog.

Validation reports every problem at once, each naming the file, the entry and the problem,
so a team editing its own framework fixes everything in one pass.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..model.framework import Framework, PracticeCatalog
from ..util import inputfile, yamlsafe
from . import expr

BUILTIN = {"default": "default.yaml", "ml-test-score": "ml-test-score.yaml"}


class FrameworkError(ValueError):
    """One or more problems in a framework or catalog file; `errors` lists them all."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0] if len(errors) == 1 else f"{errors[0]} (and {len(errors) - 1} more)")
        self.errors = errors


def _data_path(name: str) -> Path:
    return Path(str(resources.files("mlops_maturity.framework") / "data" / name))


def _read_yaml(path: Path) -> Any:
    try:
        raw = inputfile.read_bytes(path, "a framework file")
    except ValueError as exc:
        raise FrameworkError([str(exc)]) from None
    try:
        data = yamlsafe.load(raw)
    except yamlsafe.YamlError as exc:
        raise FrameworkError([f"{path}: {exc}"]) from None
    if not isinstance(data, dict):
        raise FrameworkError([f"{path}: expected a mapping at the top level"])
    return data


def _entry_name(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic location into 'criterion data.x: field' when the entry has an id."""
    parts: list[str] = []
    node = data
    for i, key in enumerate(loc):
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            parts.append(".".join(str(k) for k in loc[i:]))
            break
        if isinstance(key, int) and isinstance(node, dict) and "id" in node:
            parts[-1] = f"{parts[-1].rstrip('s')} {node['id']!r}" if parts else str(node["id"])
        else:
            parts.append(str(key))
    return ".".join(parts) or "(top level)"


def _pydantic_errors(path: Path, data: Any, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        where = _entry_name(data, tuple(err["loc"]))
        out.append(f"{path}: {where}: {err['msg']}")
    return out


def load_catalog(path: Path | None = None) -> PracticeCatalog:
    path = path or _data_path("practices.yaml")
    data = _read_yaml(path)
    try:
        catalog = PracticeCatalog.model_validate(yamlsafe.plain(data))
    except ValidationError as exc:
        raise FrameworkError(_pydantic_errors(path, data, exc)) from None
    errors: list[str] = []
    seen: set[str] = set()
    for p in catalog.practices:
        for pid in (p.id, *p.aliases):
            if pid in seen:
                errors.append(f"{path}: practice {pid!r}: duplicate id")
            seen.add(pid)
        if not p.id.startswith(p.dimension + "."):
            errors.append(f"{path}: practice {p.id!r}: id does not start with its dimension {p.dimension!r}")
    if errors:
        raise FrameworkError(errors)
    return catalog


@lru_cache(maxsize=1)
def default_catalog() -> PracticeCatalog:
    return load_catalog()


def resolve(ref: str | Path | None) -> Path:
    """A framework reference: None or a built-in id ('default'), or a file path."""
    if ref is None:
        return _data_path(BUILTIN["default"])
    if isinstance(ref, str) and ref in BUILTIN:
        return _data_path(BUILTIN[ref])
    return Path(ref)


def load_framework(ref: str | Path | None = None, catalog: PracticeCatalog | None = None) -> Framework:
    path = resolve(ref)
    catalog = catalog or default_catalog()
    data = _read_yaml(path)
    try:
        framework = Framework.model_validate(yamlsafe.plain(data))
    except ValidationError as exc:
        raise FrameworkError(_pydantic_errors(path, data, exc)) from None
    errors = check(framework, catalog, str(path))
    if errors:
        raise FrameworkError(errors)
    return framework


def check(fw: Framework, catalog: PracticeCatalog, where: str) -> list[str]:
    """Cross-reference checks that the types alone cannot express."""
    errors: list[str] = []
    levels = sorted(level.number for level in fw.levels)
    if levels != list(range(1, len(levels) + 1)):
        errors.append(f"{where}: levels: must be numbered 1..N without gaps, got {levels}")
    if len(levels) < 2:
        errors.append(f"{where}: levels: a framework needs at least two levels")
    max_level = max(levels) if levels else 1
    dims = [d.id for d in fw.dimensions]
    for d in sorted({d for d in dims if dims.count(d) > 1}):
        errors.append(f"{where}: dimension {d!r}: duplicate id")
    practice_ids = catalog.ids() | {a for p in catalog.practices for a in p.aliases}
    scale = [p.value for p in fw.answer_scale]
    if not scale:
        errors.append(f"{where}: answer_scale: must have at least one value")
    points = fw.scoring == "points"
    errors += _check_scoring(fw, where, levels)
    seen: dict[str, str] = {}
    for c in fw.criteria:
        name = f"{where}: criterion {c.id!r}"
        for cid in (c.id, *c.aliases):
            if cid in seen:
                errors.append(f"{name}: duplicate id {cid!r}")
            seen[cid] = c.id
            if cid in practice_ids:
                errors.append(f"{name}: id {cid!r} is also a practice id")
        if c.dimension not in dims:
            errors.append(f"{name}: unknown dimension {c.dimension!r}")
        if points:
            if c.level is not None:
                errors.append(f"{name}: a points-scored framework's criteria have no level (drop `level`)")
            for p in c.partial:
                if p.points >= c.points:
                    errors.append(f"{name}: partial credit {p.points} must be below the criterion's {c.points} points")
        else:
            if c.partial:
                errors.append(f"{name}: partial credit needs `scoring: points`")
            if c.level is None:
                errors.append(f"{name}: missing level")
            elif c.level == 1:
                errors.append(f"{name}: level 1 has no criteria (everyone starts there)")
            elif not 2 <= c.level <= max_level:
                errors.append(f"{name}: level {c.level} is outside the framework's levels 2..{max_level}")
        qscale = [p.value for p in c.question.scale] if c.question.scale else scale
        rules = [("evidence", c.evidence)] + [(f"partial {p.points} evidence", p.evidence) for p in c.partial]
        for label, rule in rules:
            try:
                node = expr.parse(rule)
            except expr.ExprError as exc:
                errors.append(f"{name}: malformed {label} {rule!r}: {exc}")
                continue
            for pid in expr.practices_in(node):
                if pid not in practice_ids:
                    errors.append(f"{name}: unknown practice id {pid!r} in {label}")
            for atom in expr.answer_atoms(node):
                if qscale and not any(atom.holds(v) for v in qscale):
                    errors.append(f"{name}: Q{atom.op}{atom.value} can never hold on the answer scale {min(qscale)}..{max(qscale)}")
            if qscale and not _satisfiable(node, qscale):
                errors.append(f"{name}: {label} {rule!r} can never be met")
    if not points:
        for d in dims:
            for level in range(2, max_level + 1):
                if not any(c.dimension == d and c.level == level and not c.retired for c in fw.criteria):
                    errors.append(f"{where}: dimension {d!r}: level {level} has no criteria (it would be granted for free)")
    else:
        for d in dims:
            if not any(c.dimension == d and not c.retired for c in fw.criteria):
                errors.append(f"{where}: dimension {d!r}: has no criteria (its score would always be 0)")
    for t in fw.transitions:
        if t.to_level != t.from_level + 1 or t.from_level not in levels or t.to_level not in levels:
            errors.append(f"{where}: transition {t.from_level}->{t.to_level}: must join two consecutive levels")
    stage_names: dict[str, str] = {}
    for stage, st in fw.stages.items():
        for ident in (stage, *st.aliases):
            if ident in stage_names:
                errors.append(f"{where}: stage {stage!r}: name {ident!r} already used by stage {stage_names[ident]!r}")
            stage_names[ident] = stage
        if not st.targets:
            errors.append(f"{where}: stage {stage!r}: no target levels")
        for d, level in st.targets.items():
            if d not in dims:
                errors.append(f"{where}: stage {stage!r}: unknown dimension {d!r}")
            elif not 1 <= level <= max_level:
                errors.append(f"{where}: stage {stage!r}: target level {level} for {d!r} is outside 1..{max_level}")
    return errors


def _check_scoring(fw: Framework, where: str, levels: list[int]) -> list[str]:
    """The scoring style and the aggregation and level thresholds it needs agree."""
    errors: list[str] = []
    thresholds = [(lv.number, lv.score_above) for lv in sorted(fw.levels, key=lambda x: x.number)]
    if fw.scoring == "points":
        if fw.aggregation.method == "defining_criteria":
            errors.append(f"{where}: aggregation: defining_criteria needs gated levels; a points-scored framework uses minimum_score or weakest_dimension")
        previous = None
        for number, above in thresholds:
            if number == 1:
                if above is not None:
                    errors.append(f"{where}: level 1: has no score_above (every score starts there)")
                continue
            if above is None:
                errors.append(f"{where}: level {number}: a points-scored framework needs score_above on every level above 1")
            elif previous is not None and above <= previous:
                errors.append(f"{where}: level {number}: score_above {above} must be higher than level {number - 1}'s {previous}")
            previous = above if above is not None else previous
    else:
        if fw.aggregation.method == "minimum_score":
            errors.append(f"{where}: aggregation: minimum_score needs `scoring: points`")
        for number, above in thresholds:
            if above is not None:
                errors.append(f"{where}: level {number}: score_above needs `scoring: points`")
    return errors


def _satisfiable(node: expr.Node, scale: list[int]) -> bool:
    """True if some answer value, with every practice present, meets the expression."""

    def ev(n: expr.Node, answer: int) -> bool:
        if isinstance(n, expr.PracticeAtom):
            return True
        if isinstance(n, expr.AnswerAtom):
            return n.holds(answer)
        if isinstance(n, expr.And):
            return all(ev(i, answer) for i in n.items)
        return any(ev(i, answer) for i in n.items)

    return any(ev(node, v) for v in scale)
