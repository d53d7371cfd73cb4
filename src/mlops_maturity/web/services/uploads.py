"""Uploaded results: checked against the published JSON Schema and the store's limits, then filed
under the uploader's team (the project is created on first upload)."""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from pydantic import ValidationError

from ...model.result import Result
from ...store.service import Saved, Store, UnitOfWork
from ...store.models import UploadKey
from .accounts import Principal, audit, require
from .errors import Conflict, Invalid, NotFound

PROJECT_NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
MAX_LEVEL = 100


@cache
def _validator():  # noqa: ANN202
    """The reference validator (Python): slow (~30 ms for a result), used to explain a failure."""
    import jsonschema

    from ... import schema

    return jsonschema.Draft202012Validator(schema.load())


@cache
def _fast_validator():  # noqa: ANN202
    """The same Draft 2020-12 schema, checked by jsonschema-rs (well under 1 ms for a result)."""
    import jsonschema_rs

    from ... import schema

    return jsonschema_rs.validator_for(schema.load())


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def parse_result(raw: bytes) -> Result:
    """A result from an upload's bytes, or Invalid with one line naming the first problem."""
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise Invalid("the body is not UTF-8 JSON") from None
    except (json.JSONDecodeError, ValueError, RecursionError) as exc:
        raise Invalid(f"the body is not valid JSON ({getattr(exc, 'msg', str(exc))})") from None
    try:
        valid = _fast_validator().is_valid(data)
        errors = [] if valid else sorted(_validator().iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    except (RecursionError, ValueError):
        raise Invalid("the result is nested too deeply or not representable") from None
    if not valid and not errors:
        raise Invalid("does not match the result schema")
    if errors:
        import jsonschema.exceptions

        best = jsonschema.exceptions.best_match(errors) or errors[0]
        where = "/".join(str(p) for p in best.absolute_path) or "(top level)"
        raise Invalid(f"does not match the result schema at {where}: {best.message[:300]}")
    if _has_nul(data):
        raise Invalid("the result contains a NUL character")
    try:
        result = Result.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = "/".join(str(p) for p in err["loc"]) or "(top level)"
        raise Invalid(f"does not match the result schema at {where}: {err['msg']}") from None
    _check_limits(result)
    return result


def _check_limits(r: Result) -> None:
    """What the schema allows but a stored assessment cannot hold."""
    problems = []
    if r.generated_at.tzinfo is None:
        problems.append("generated_at needs a time zone")
    elif r.generated_at.date() in (date.min, date.max):
        # The first and last representable days can leave the range once converted to UTC
        # (0001-01-01T00:00+00:02): refused whole, as the published spec says.
        problems.append("generated_at must lie between 0001-01-02 and 9999-12-30")
    if not 1 <= len(r.subject.name) <= 200:
        problems.append("subject/name must have 1 to 200 characters")
    if len(r.framework.id) > 100 or len(r.framework.version) > 50:
        problems.append("framework id or version is too long")
    if r.subject.commit is not None and len(r.subject.commit) > 64:
        problems.append("subject/commit is longer than 64 characters")
    if not 0 <= r.overall.level <= MAX_LEVEL or not math.isfinite(r.overall.mean) or abs(r.overall.mean) > MAX_LEVEL:
        problems.append(f"overall level and mean must lie between 0 and {MAX_LEVEL}")
    ids = [d.id for d in r.dimensions]
    if len(set(ids)) != len(ids):
        problems.append("dimension ids repeat")
    for d in r.dimensions:
        if not 1 <= len(d.id) <= 50:
            problems.append("a dimension id must have 1 to 50 characters")
        if not (0 <= d.level <= MAX_LEVEL and 0 <= d.potential_level <= MAX_LEVEL and 0 <= d.unknown <= 100_000):
            problems.append(f"dimensions/{d.id}: levels must lie between 0 and {MAX_LEVEL}")
    if problems:
        raise Invalid(problems[0])


def check_project_name(name: str) -> str:
    name = name.strip()
    if not PROJECT_NAME.match(name):
        raise Invalid("a project name needs 1 to 200 printable characters")
    return name


@dataclass(frozen=True)
class Uploaded:
    saved: Saved
    project_id: int


def check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise Invalid("the Idempotency-Key header needs 1 to 200 printable ASCII characters")
    return key


def upload(
    store: Store,
    principal: Principal,
    team_id: int,
    result: Result,
    project: str | None,
    ip: str,
    *,
    key: str | None = None,
    body_sha256: str = "",
) -> Uploaded:
    """File `result` under `project` (default: the result's subject name) in the team. With an
    idempotency `key`, a retry (same key, same body and project) returns the first attempt's
    assessment and another body under the same key is a Conflict."""
    require(principal, team_id, "editor")
    name = check_project_name(project if project else result.subject.name)
    key = check_idempotency_key(key)
    fingerprint = hashlib.sha256(f"{body_sha256}\n{name}".encode()).hexdigest()

    def work(uow: UnitOfWork) -> Uploaded:
        team = uow.access.team(team_id)
        if team is None:
            raise NotFound("no such team")
        if key is not None:
            seen = uow.access.upload_key(team_id, key)
            if seen is not None:
                if seen.body_sha256 != fingerprint:
                    raise Conflict("this Idempotency-Key was used for another upload")
                summary = uow.assessments.assessment(seen.assessment_id)
                if summary is not None:
                    return Uploaded(
                        Saved(id=summary.id, uid=summary.uid, project=summary.project.name, team=team.name, created=False),
                        summary.project_id,
                    )
        saved = uow.save(result, project=name, team=team.name, organization=team.organization.name, source="upload", created_by=principal.actor)
        audit(
            uow,
            principal.actor,
            "assessment.upload",
            team_id=team_id,
            target=f"{team.name}/{name} #{saved.id}",
            ip=ip,
            detail=("stored" if saved.created else "already stored") + (f" (key {key})" if key else ""),
        )
        if key is not None:
            uow.access.add_upload_key(UploadKey(team_id=team_id, key=key, body_sha256=fingerprint, assessment_id=saved.id, created_at=datetime.now(UTC)))
        return Uploaded(saved, uow.access.project_by_name(team_id, name).id)

    return store.run(work)
