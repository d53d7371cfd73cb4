"""The learning content as data: concepts, the quiz bank and the scenario wording.

Everything is validated on load against the framework and the practice catalog, and every
problem is reported at once, each as `file:line: question 'id': problem`, so an author fixes a
file in one pass. Beyond the per-entry types, the checks are: exactly one correct option per
question, no duplicate question (same text once case, punctuation and spacing are ignored),
unique ids across files, concept ids that exist, dimension ids and framework links that resolve,
a phrase for every practice an evidence rule names, and templates that use only known fields.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, ValidationError, model_validator

from ..framework import expr
from ..model.base import Frozen
from ..model.framework import Framework, PracticeCatalog
from ..util import yamlsafe

# Non-empty once surrounding whitespace is stripped: a blank hint is a missing hint.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
CONCEPT_ID = r"^[a-z][a-z0-9]*(\.[a-z0-9][a-z0-9-]*)+$"
QUESTION_ID = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"


class LearnDataError(ValueError):
    """One or more problems in the learning content; `errors` lists them all."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0] if len(errors) == 1 else f"{errors[0]} (and {len(errors) - 1} more)")
        self.errors = errors


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


# ---------------------------------------------------------------- concepts


class FrameworkLink(Frozen):
    """The part of the framework a concept restates; exactly one field is set."""

    level: int | None = None
    dimension: str | None = None
    transition: str | None = Field(default=None, pattern=r"^\d+-\d+$")  # "1-2"
    pitfall: str | None = None

    @model_validator(mode="after")
    def _one(self) -> FrameworkLink:
        if sum(v is not None for v in (self.level, self.dimension, self.transition, self.pitfall)) != 1:
            raise ValueError("set exactly one of level, dimension, transition, pitfall")
        return self


class Concept(Frozen):
    id: str = Field(pattern=CONCEPT_ID)
    kind: str
    # Read from the framework when `framework` links one and these are left out.
    title: Text | None = None
    summary: Text | None = None
    body: tuple[Text, ...] = Field(min_length=1)
    myth: Text | None = None
    reality: Text | None = None
    framework: FrameworkLink | None = None
    dimensions: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()


class Kind(Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text


class Concepts(Frozen):
    version: str
    kinds: tuple[Kind, ...]
    concepts: tuple[Concept, ...]

    def get(self, cid: str) -> Concept:
        for c in self.concepts:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def ids(self) -> list[str]:
        return [c.id for c in self.concepts]


# ---------------------------------------------------------------- the question bank


class Option(Frozen):
    text: Text
    correct: bool = False


class Question(Frozen):
    id: str = Field(pattern=QUESTION_ID)
    difficulty: Difficulty
    concept: str
    dimensions: tuple[str, ...]  # may be empty: a question about the model as a whole
    question: Text
    options: tuple[Option, ...] = Field(min_length=2, max_length=6)
    hint: Text
    solution: tuple[Text, ...] = Field(min_length=1)
    mistakes: tuple[Text, ...] = Field(min_length=1)

    @property
    def answer(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.correct)


class PracticePhrase(Frozen):
    present: Text
    absent: Text


class ScenarioSteps(Frozen):
    judge: Text
    gate: Text
    blocked: Text
    all_met: Text
    skipped: Text
    conclude: Text
    others: Text | None = None


class ScenarioKind(Frozen):
    concept: str
    prompt: Text
    hint: Text
    mistakes: tuple[Text, ...] = Field(min_length=1)
    steps: ScenarioSteps


class Marks(Frozen):
    met: Text
    unmet: Text


class Findings(Frozen):
    present: Text
    absent: Text
    answer: Text
    no_answer: Text


class ScenarioText(Frozen):
    """The words of generated scenario questions; the facts come from the framework."""

    version: str
    practices: dict[str, PracticePhrase]
    answer: Text
    option: Text
    dimension: ScenarioKind
    overall: ScenarioKind
    criterion_line: Text
    marks: Marks
    findings: Findings


class Bank(Frozen):
    questions: tuple[Question, ...]
    scenarios: ScenarioText

    def get(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)


# ---------------------------------------------------------------- reading


def _data_path(*parts: str) -> Path:
    return Path(str(resources.files("mlops_maturity.learn").joinpath("data", *parts)))


def default_question_files() -> list[Path]:
    return sorted(_data_path("questions").glob("*.yaml"))


def _read(path: Path, errors: list[str]) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        errors.append(f"{path}: no such file")
        return None
    except OSError as exc:
        errors.append(f"{path}: cannot read ({exc.strerror or exc})")
        return None
    try:
        data = yamlsafe.load(raw)
    except yamlsafe.YamlError as exc:
        errors.append(f"{path}: {exc}")
        return None
    if not isinstance(data, dict):
        errors.append(f"{path}: expected a mapping at the top level")
        return None
    return data


def _line(node: Any) -> int:
    return getattr(node, "line", 0) or 0


def _loc(loc: Sequence[Any]) -> str:
    return ".".join(str(p) for p in loc) or "(entry)"


def _check_keys(path: Path, data: dict, allowed: Iterable[str], required: Iterable[str], errors: list[str]) -> None:
    allowed = set(allowed)
    for key in data:
        if key not in allowed:
            errors.append(f"{path}:{data.line_of(key, 0)}: unknown top-level key {key!r} (expected {', '.join(sorted(allowed))})")
    for key in required:
        if key not in data:
            errors.append(f"{path}: missing top-level key {key!r}")


def _entries(path: Path, data: dict, key: str, model: type[BaseModel], label: str, errors: list[str]) -> list[tuple[Any, int]]:
    """Validate each entry of `data[key]` on its own, so that every bad entry is named."""
    items = data.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        errors.append(f"{path}:{data.line_of(key, 0)}: {key}: expected a list")
        return []
    out = []
    for i, item in enumerate(items):
        line = item.line if hasattr(item, "line") else (items.item_lines[i] if hasattr(items, "item_lines") else 0)
        if not isinstance(item, dict):
            errors.append(f"{path}:{line}: {label} #{i + 1}: expected a mapping")
            continue
        name = f"{label} {item['id']!r}" if isinstance(item.get("id"), str) else f"{label} #{i + 1}"
        try:
            out.append((model.model_validate(yamlsafe.plain(item)), line))
        except ValidationError as exc:
            for err in exc.errors():
                loc = err["loc"]
                at = _line(item) if not loc else (item.line_of(loc[0], line) if isinstance(item, dict) else line)
                msg = "missing" if err["type"] == "missing" else err["msg"]
                if err["type"] == "string_too_short" and err.get("input", "x").strip() == "":
                    msg = "empty"
                errors.append(f"{path}:{at}: {name}: {_loc(loc)}: {msg}")
    return out


def _template_fields(template: str) -> set[str] | None:
    try:
        return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        return None


def _check_template(where: str, template: str | None, allowed: set[str], errors: list[str]) -> None:
    if template is None:
        return
    fields = _template_fields(template)
    if fields is None:
        errors.append(f"{where}: malformed template {template!r}")
        return
    for f in sorted(fields - allowed):
        errors.append(f"{where}: unknown field {{{f}}} (known: {', '.join(sorted(allowed)) or 'none'})")


def normalize(text: str) -> str:
    """What makes two questions the same question: case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


# ---------------------------------------------------------------- concepts


def load_concepts(path: Path | None = None, *, framework: Framework) -> Concepts:
    path = path or _data_path("concepts.yaml")
    errors: list[str] = []
    data = _read(path, errors)
    if data is None:
        raise LearnDataError(errors)
    _check_keys(path, data, ("version", "kinds", "concepts"), ("version", "kinds", "concepts"), errors)
    kinds = [k for k, _ in _entries(path, data, "kinds", Kind, "kind", errors)]
    entries = _entries(path, data, "concepts", Concept, "concept", errors)
    kind_ids = [k.id for k in kinds]
    for k in sorted({k for k in kind_ids if kind_ids.count(k) > 1}):
        errors.append(f"{path}: kind {k!r}: duplicate id")
    seen: dict[str, int] = {}
    for c, line in entries:
        if c.id in seen:
            errors.append(f"{path}:{line}: concept {c.id!r}: duplicate id (first at line {seen[c.id]})")
        seen.setdefault(c.id, line)
    dims = {d.id for d in framework.dimensions}
    levels = {level.number for level in framework.levels}
    transitions = {f"{t.from_level}-{t.to_level}" for t in framework.transitions}
    pitfalls = {p.id for p in framework.pitfalls}
    linked: set[tuple[str, str]] = set()
    for c, line in entries:
        name = f"{path}:{line}: concept {c.id!r}"
        if c.kind not in kind_ids:
            errors.append(f"{name}: unknown kind {c.kind!r} (known: {', '.join(kind_ids)})")
        link = c.framework
        if link is None and (c.title is None or (c.summary or c.reality) is None):
            errors.append(f"{name}: needs a title and a summary (or a framework link to take them from)")
        if link is not None:
            if link.level is not None and link.level not in levels:
                errors.append(f"{name}: framework level {link.level} does not exist")
            if link.dimension is not None and link.dimension not in dims:
                errors.append(f"{name}: framework dimension {link.dimension!r} does not exist")
            if link.transition is not None and link.transition not in transitions:
                errors.append(f"{name}: framework transition {link.transition!r} does not exist")
            if link.pitfall is not None:
                if link.pitfall not in pitfalls:
                    errors.append(f"{name}: framework pitfall {link.pitfall!r} does not exist")
                if c.summary is None:
                    errors.append(f"{name}: a pitfall concept needs a summary (the framework's message is a template)")
            for field, value in (("level", link.level), ("dimension", link.dimension), ("transition", link.transition), ("pitfall", link.pitfall)):
                if value is not None:
                    linked.add((field, str(value)))
        if (c.myth is None) != (c.reality is None):
            errors.append(f"{name}: a myth needs both `myth` and `reality`")
        for d in c.dimensions:
            if d not in dims:
                errors.append(f"{name}: unknown dimension {d!r}")
        for other in c.see_also:
            if other not in seen:
                errors.append(f"{name}: see_also names unknown concept {other!r}")
            elif other == c.id:
                errors.append(f"{name}: see_also names the concept itself")
    # The framework is taught in full: every level, dimension and transition has its concept.
    for number in sorted(levels):
        if ("level", str(number)) not in linked:
            errors.append(f"{path}: framework level {number} has no concept")
    for d in framework.dimensions:
        if ("dimension", d.id) not in linked:
            errors.append(f"{path}: framework dimension {d.id!r} has no concept")
    for t in sorted(transitions):
        if ("transition", t) not in linked:
            errors.append(f"{path}: framework transition {t!r} has no concept")
    if errors:
        raise LearnDataError(errors)
    return Concepts(version=str(data["version"]), kinds=tuple(kinds), concepts=tuple(c for c, _ in entries))


# ---------------------------------------------------------------- the bank


def _load_scenarios(path: Path, concepts: Concepts, framework: Framework, catalog: PracticeCatalog, errors: list[str]) -> ScenarioText | None:
    data = _read(path, errors)
    if data is None:
        return None
    try:
        text = ScenarioText.model_validate(yamlsafe.plain(data))
    except ValidationError as exc:
        for err in exc.errors():
            loc = err["loc"]
            at = data.line_of(loc[0], 0) if loc else 0
            errors.append(f"{path}:{at}: {_loc(loc)}: {'missing' if err['type'] == 'missing' else err['msg']}")
        return None
    n = len(errors)
    ids = catalog.ids()
    phrase_lines = data["practices"].key_lines if hasattr(data["practices"], "key_lines") else {}
    for pid in text.practices:
        if pid not in ids:
            errors.append(f"{path}:{phrase_lines.get(pid, 0)}: practices: unknown practice id {pid!r}")
    needed = sorted({p for c in framework.active_criteria() for p in expr.practices_in(expr.parse(c.evidence))})
    for pid in needed:
        if pid not in text.practices:
            errors.append(f"{path}: practices: no phrase for {pid!r}, which an evidence rule names")
    owners: dict[str, str] = {}
    for pid, phrase in text.practices.items():
        for state, words in (("present", phrase.present), ("absent", phrase.absent)):
            key = normalize(words)
            if key in owners:
                errors.append(f"{path}:{phrase_lines.get(pid, 0)}: practices: {pid} {state} reads the same as {owners[key]}")
            owners[key] = f"{pid} {state}"
    _check_template(f"{path}: answer", text.answer, {"question", "value", "label"}, errors)
    _check_template(f"{path}: option", text.option, {"number", "name"}, errors)
    _check_template(f"{path}: criterion_line", text.criterion_line, {"mark", "level", "title", "rule", "findings"}, errors)
    _check_template(f"{path}: findings.present", text.findings.present, {"practice"}, errors)
    _check_template(f"{path}: findings.absent", text.findings.absent, {"practice"}, errors)
    _check_template(f"{path}: findings.answer", text.findings.answer, {"value"}, errors)
    _check_template(f"{path}: findings.no_answer", text.findings.no_answer, set(), errors)
    known = set(concepts.ids())
    for kind_name, kind, scope_fields in (
        ("dimension", text.dimension, {"dimension", "dimension_name"}),
        ("overall", text.overall, set()),
    ):
        where = f"{path}: {kind_name}"
        if kind.concept not in known:
            errors.append(f"{where}: unknown concept {kind.concept!r}")
        _check_template(f"{where}.prompt", kind.prompt, scope_fields, errors)
        s = kind.steps
        _check_template(f"{where}.steps.judge", s.judge, scope_fields, errors)
        _check_template(f"{where}.steps.gate", s.gate, scope_fields, errors)
        _check_template(f"{where}.steps.blocked", s.blocked, {"level", "titles"}, errors)
        _check_template(f"{where}.steps.all_met", s.all_met, {"level"}, errors)
        _check_template(f"{where}.steps.skipped", s.skipped, {"titles"}, errors)
        _check_template(f"{where}.steps.conclude", s.conclude, scope_fields | {"level", "name"}, errors)
        _check_template(f"{where}.steps.others", s.others, set(), errors)
    if text.overall.steps.others is None:
        errors.append(f"{path}: overall.steps.others: missing")
    return text if len(errors) == n else None


def load_bank(
    question_files: Sequence[Path] | None = None,
    scenario_file: Path | None = None,
    *,
    concepts: Concepts,
    framework: Framework,
    catalog: PracticeCatalog,
) -> Bank:
    """Read and check question files (default: the shipped ones) and the scenario wording."""
    files = list(question_files) if question_files is not None else default_question_files()
    errors: list[str] = []
    entries: list[tuple[Question, Path, int]] = []
    if not files:
        errors.append("no question files")
    for path in files:
        data = _read(path, errors)
        if data is None:
            continue
        _check_keys(path, data, ("version", "questions"), ("version", "questions"), errors)
        entries += [(q, path, line) for q, line in _entries(path, data, "questions", Question, "question", errors)]

    known = set(concepts.ids())
    dims = {d.id for d in framework.dimensions}
    first_id: dict[str, str] = {}
    first_text: dict[str, str] = {}
    for q, path, line in entries:
        name = f"{path}:{line}: question {q.id!r}"
        if q.id in first_id:
            errors.append(f"{name}: duplicate id (first in {first_id[q.id]})")
        first_id.setdefault(q.id, f"{path}:{line}")
        key = normalize(q.question)
        if key in first_text:
            errors.append(f"{name}: duplicate question: same text as question {first_text[key]}")
        first_text.setdefault(key, f"{q.id!r} ({path}:{line})")
        correct = sum(o.correct for o in q.options)
        if correct != 1:
            errors.append(f"{name}: has {correct} correct options, needs exactly one")
        texts = [normalize(o.text) for o in q.options]
        for t in sorted({t for t in texts if texts.count(t) > 1}):
            errors.append(f"{name}: two options read the same ({t!r})")
        if q.concept not in known:
            errors.append(f"{name}: unknown concept {q.concept!r}")
        for d in q.dimensions:
            if d not in dims:
                errors.append(f"{name}: unknown dimension {d!r} (known: {', '.join(sorted(dims))})")
    scenarios = _load_scenarios(scenario_file or _data_path("scenarios.yaml"), concepts, framework, catalog, errors)
    if errors:
        raise LearnDataError(errors)
    assert scenarios is not None
    return Bank(questions=tuple(q for q, _, _ in entries), scenarios=scenarios)


# ---------------------------------------------------------------- the shipped content


@dataclass(frozen=True)
class Content:
    """Everything `learn` needs, loaded and cross-checked once."""

    framework: Framework
    catalog: PracticeCatalog
    concepts: Concepts
    bank: Bank


@lru_cache(maxsize=1)
def default_content() -> Content:
    from ..framework.load import default_catalog, load_framework

    catalog = default_catalog()
    framework = load_framework(None, catalog)
    concepts = load_concepts(framework=framework)
    bank = load_bank(concepts=concepts, framework=framework, catalog=catalog)
    return Content(framework=framework, catalog=catalog, concepts=concepts, bank=bank)
