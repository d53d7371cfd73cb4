"""Declared evidence: answers files (the questionnaire) and a repository's `.mlops-maturity.yaml`.

Both are untrusted input: parsed with the safe YAML loader, validated against the framework,
and every problem reported with the file and the entry, one line each.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from ..model.base import Frozen
from ..model.evidence import Answer, Exemption, ExemptionKind, SourceRun
from ..model.framework import Framework, PracticeCatalog
from ..util import inputfile, yamlsafe
from .base import SourceResult

CONFIG_NAME = ".mlops-maturity.yaml"
MAX_BYTES = 1024 * 1024


class InputError(ValueError):
    """Bad input file; `errors` holds one line per problem, each naming the file."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0] if len(errors) == 1 else f"{errors[0]} (and {len(errors) - 1} more)")
        self.errors = errors


class AnswerEntry(Frozen):
    value: int | None = None
    note: str = ""

    @field_validator("value", mode="before")
    @classmethod
    def _strict_int(cls, v: Any) -> Any:
        if isinstance(v, bool) or (v is not None and not isinstance(v, int)):
            raise ValueError("must be a whole number")
        return v


class ExemptionEntry(Frozen):
    status: ExemptionKind
    reason: str = Field(min_length=1)

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, v: Any) -> Any:
        if v is None or (isinstance(v, str) and not v.strip()):
            raise ValueError("an exemption needs a reason")
        return v


class AnswersFile(Frozen):
    framework: str = "default"
    respondent: str = ""
    answered_at: datetime | date | None = None
    answers: dict[str, AnswerEntry] = {}
    exemptions: dict[str, ExemptionEntry] = {}

    @field_validator("answers", mode="before")
    @classmethod
    def _short_form(cls, v: Any) -> Any:
        # `criterion: 2` is short for `criterion: {value: 2}`; `criterion: null` means skipped.
        if isinstance(v, dict):
            return {k: (x if isinstance(x, dict) else {"value": x}) for k, x in v.items()}
        return v


class RepoConfig(Frozen):
    project: str | None = None
    team: str | None = None
    stage: str | None = None
    exemptions: dict[str, ExemptionEntry] = {}


def _read(path: Path, what: str) -> Any:
    try:
        raw = inputfile.read_bytes(path, what, max_bytes=MAX_BYTES)
    except ValueError as exc:
        raise InputError([str(exc)]) from None
    try:
        data = yamlsafe.load(raw)
    except yamlsafe.YamlError as exc:
        raise InputError([f"{path}: not valid YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise InputError([f"{path}: expected a mapping at the top level, found {type(data).__name__}"])
    return yamlsafe.plain(data)


def _errors(path: Path, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        out.append(f"{path}: {loc}: {msg}")
    return out


def _check_exemptions(path: Path, fw: Framework, entries: dict[str, ExemptionEntry], errors: list[str]) -> None:
    for cid in entries:
        try:
            fw.criterion(cid)
        except KeyError:
            errors.append(f"{path}: exemptions.{cid}: unknown criterion id {cid!r}")


def load_answers(path: Path, fw: Framework) -> AnswersFile:
    data = _read(path, "an answers file")
    try:
        parsed = AnswersFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(_errors(path, exc)) from None
    errors: list[str] = []
    scale = [p.value for p in fw.answer_scale]
    for cid, entry in parsed.answers.items():
        try:
            c = fw.criterion(cid)
        except KeyError:
            errors.append(f"{path}: answers.{cid}: unknown criterion id {cid!r}")
            continue
        values = [p.value for p in c.question.scale] if c.question.scale else scale
        if entry.value is not None and entry.value not in values:
            errors.append(f"{path}: answers.{cid}: value {entry.value} is outside the scale {min(values)}..{max(values)}")
    _check_exemptions(path, fw, parsed.exemptions, errors)
    if errors:
        raise InputError(errors)
    return parsed


def load_repo_config(path: Path, fw: Framework) -> RepoConfig:
    data = _read(path, f"a {CONFIG_NAME} file")
    try:
        parsed = RepoConfig.model_validate(data)
    except ValidationError as exc:
        raise InputError(_errors(path, exc)) from None
    errors: list[str] = []
    _check_exemptions(path, fw, parsed.exemptions, errors)
    if parsed.stage is not None and fw.stages and fw.stage(parsed.stage) is None:
        errors.append(f"{path}: stage: unknown stage {parsed.stage!r} (known: {', '.join(fw.stages)})")
    if errors:
        raise InputError(errors)
    return parsed


def _when(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def answers_to_inputs(parsed: AnswersFile, fw: Framework, declared_in: str) -> tuple[list[Answer], list[Exemption]]:
    when = _when(parsed.answered_at)
    answers = [
        Answer(
            question=fw.criterion(cid).id,
            value=e.value,
            note=e.note,
            respondent=parsed.respondent,
            answered_at=when,
        )
        for cid, e in parsed.answers.items()
        if e.value is not None
    ]
    exemptions = [
        Exemption(criterion=fw.criterion(cid).id, kind=e.status, reason=e.reason, declared_in=declared_in)
        for cid, e in parsed.exemptions.items()
    ]
    return answers, exemptions


class AnswersSource:
    """An answers file as an evidence source."""

    name = "answers"

    def __init__(self, path: Path, framework: Framework) -> None:
        self.path = path
        self.framework = framework

    def collect(self, catalog: PracticeCatalog) -> SourceResult:
        parsed = load_answers(self.path, self.framework)
        answers, exemptions = answers_to_inputs(parsed, self.framework, str(self.path))
        return SourceResult(
            run=SourceRun(name="answers", status="ok", message=f"{len(answers)} answers from {self.path}"),
            answers=tuple(answers),
            exemptions=tuple(exemptions),
        )


def template(fw: Framework) -> str:
    """A commented answers file to fill in by hand: every question, the scale, and its help."""
    scale = ", ".join(f"{p.value} {p.label}" for p in fw.answer_scale)
    lines = [
        f"# mlops-maturity answers for the {fw.name} ({fw.id} {fw.version}).",
        f"# Scale: {scale}. Leave a value empty (null) to skip a question.",
        "# An exemption needs a reason: exemptions: {criterion-id: {status: not_applicable|exempt, reason: ...}}",
        f"framework: {fw.id}",
        'respondent: ""',
        "answered_at: null",
        "answers:",
    ]
    for d in fw.dimensions:
        lines.append(f"  # --- {d.name} ---")
        for c in fw.active_criteria():
            if c.dimension != d.id:
                continue
            lines.append(f"  # L{c.level}{' *' if c.defining else ''} {c.question.text}")
            if c.question.help:
                lines.append(f"  #   {' '.join(c.question.help.split())}")
            lines.append(f"  {c.id}: null")
    lines.append("exemptions: {}")
    return "\n".join(lines) + "\n"


def dump_answers(fw: Framework, values: dict[str, int | None], notes: dict[str, str], respondent: str, answered_at: datetime, exemptions: dict[str, ExemptionEntry] | None = None) -> str:
    import yaml  # a writer only; reading always goes through yamlsafe

    doc = {
        "framework": fw.id,
        "respondent": respondent,
        "answered_at": answered_at.isoformat(timespec="seconds"),
        "answers": {
            cid: ({"value": v, "note": notes[cid]} if notes.get(cid) else v) for cid, v in values.items()
        },
        "exemptions": {cid: {"status": e.status.value, "reason": e.reason} for cid, e in (exemptions or {}).items()},
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
