"""The identity of a stored assessment, and the JSON-lines record that moves it between databases.

An assessment's `uid` is the SHA-256 of where it is filed (organization, team, project) and of
its result in canonical JSON (sorted keys, no whitespace). Saving or importing the same
assessment twice therefore finds the first copy instead of storing a second one, on any
database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from ..model.result import Result

RECORD_FORMAT = "mlops-maturity.assessment"
RECORD_VERSION = 1
SOURCES = ("scan", "answers", "upload")


class RecordError(ValueError):
    """A record that cannot be imported; the message names the problem (the caller adds file:line)."""


def canonical_json(result: Result) -> str:
    return json.dumps(result.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def assessment_uid(organization: str, team: str, project: str, canonical: str) -> str:
    h = hashlib.sha256()
    for part in (organization, team, project):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    h.update(canonical.encode("utf-8"))
    return h.hexdigest()


@dataclass(frozen=True)
class AssessmentRecord:
    """One assessment as it travels: where it is filed, how it was made, and the result."""

    uid: str
    organization: str
    team: str
    project: str
    source: str
    created_by: str
    result: Result
    canonical: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": RECORD_FORMAT,
                "version": RECORD_VERSION,
                "uid": self.uid,
                "organization": self.organization,
                "team": self.team,
                "project": self.project,
                "source": self.source,
                "created_by": self.created_by,
                "assessed_at": self.result.generated_at.isoformat(),
                "result": json.loads(self.canonical),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @property
    def assessed_at(self) -> datetime:
        return self.result.generated_at


def parse_record(line: str) -> AssessmentRecord:
    """One exported line back into a record; RecordError if it is not one of ours or was altered."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
        raise RecordError(f"not an exported assessment (expected \"format\": \"{RECORD_FORMAT}\")")
    if data.get("version") != RECORD_VERSION:
        raise RecordError(f"record version {data.get('version')!r} is not supported (this version reads {RECORD_VERSION})")
    fields = {}
    for key in ("uid", "organization", "team", "project", "source"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RecordError(f"{key!r} is missing or empty")
        fields[key] = value
    if fields["source"] not in SOURCES:
        raise RecordError(f"source {fields['source']!r} is not one of {', '.join(SOURCES)}")
    created_by = data.get("created_by", "")
    if not isinstance(created_by, str):
        raise RecordError("'created_by' must be a string")
    try:
        result = Result.model_validate(data.get("result"))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise RecordError(f"result is not a valid assessment result ({where}: {err['msg']})") from None
    canonical = canonical_json(result)
    uid = assessment_uid(fields["organization"], fields["team"], fields["project"], canonical)
    if uid != fields["uid"]:
        raise RecordError(f"uid {fields['uid'][:12]}… does not match the record's content (edited or corrupted)")
    return AssessmentRecord(
        uid=uid,
        organization=fields["organization"],
        team=fields["team"],
        project=fields["project"],
        source=fields["source"],
        created_by=created_by,
        result=result,
        canonical=canonical,
    )
