"""The JSON API (/api/v1) that CI and scripts use: upload a result, read projects, assessments and
the portfolio. Authenticated with a team's API token (`Authorization: Bearer mm_…`); a signed-in
browser may read too."""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ... import schema
from ...store.service import AssessmentSummary
from ..deps import MAX_ID, ApiCaller, ClientIp, FrameworkDep, PathId, SettingsDep, StoreDep
from ..services import portfolio as portfolio_service
from ..services import projects as project_service
from ..services import uploads
from ..services.errors import Forbidden, Invalid, TooLarge, UnsupportedEncoding

router = APIRouter(tags=["api"])

# A project name (the `project` parameter, or the result's subject name): printable, not blank.
PRINTABLE_NAME = r"^[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f\s][^\x00-\x1f\x7f]*$"


class Error(BaseModel):
    detail: str


class Uploaded(BaseModel):
    id: int
    uid: str
    team: str
    project: str
    created: bool


class AssessmentInfo(BaseModel):
    id: int
    uid: str
    organization: str
    team: str
    project: str
    assessed_at: datetime
    stored_at: datetime
    source: str
    commit: str | None
    created_by: str
    framework_id: str
    framework_version: str
    overall_level: int
    overall_mean: float
    levels: dict[str, int]


class AssessmentFull(BaseModel):
    assessment: AssessmentInfo
    result: dict[str, Any]


class ProjectInfo(BaseModel):
    id: int
    name: str
    team_id: int
    team: str
    organization: str
    assessments: int
    latest_assessment_id: int | None
    overall_level: int | None
    levels: dict[str, int]
    assessed_at: datetime | None


class DimensionInfo(BaseModel):
    id: str
    name: str


class PortfolioInfo(BaseModel):
    dimensions: list[DimensionInfo]
    projects: list[ProjectInfo]
    distribution: dict[str, dict[str, int]]


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Error, "description": "No valid API token"},
    403: {"model": Error, "description": "The token's team may not do this"},
    404: {"model": Error, "description": "Not found, or not visible to this token"},
}


def _info(s: AssessmentSummary) -> AssessmentInfo:
    return AssessmentInfo(**{k: getattr(s, k) for k in AssessmentInfo.model_fields})


async def _body(request: Request, limit: int) -> bytes:
    """The request body, decompressed when it is gzip, and never more than `limit` bytes of
    either kind held: a larger body (or a gzip bomb) is refused as soon as it passes the limit."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower() or "identity"
    if encoding not in ("identity", "gzip"):
        raise UnsupportedEncoding(f"unsupported Content-Encoding {encoding[:40]!r} (use gzip or none)")
    too_large = TooLarge(f"the result is larger than {limit} bytes")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS) if encoding == "gzip" else None
    chunks: list[bytes] = []
    received = produced = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise too_large
            if inflate is not None:
                # At most one byte past the limit comes out: enough to know the body is too large.
                chunk = inflate.decompress(chunk, limit - produced + 1)
            produced += len(chunk)
            if produced > limit:
                raise too_large
            chunks.append(chunk)
        if inflate is not None:
            tail = inflate.flush(limit - produced + 1)
            produced += len(tail)
            if produced > limit:
                raise too_large
            chunks.append(tail)
            if not inflate.eof:
                raise Invalid("the gzip body is truncated")
    except zlib.error:
        raise Invalid("the body is not valid gzip") from None
    return b"".join(chunks)


@router.post(
    "/assessments",
    status_code=201,
    response_model=Uploaded,
    summary="Upload a result (mlops-maturity scan --format json) for the token's team",
    responses={**ERRORS, 200: {"model": Uploaded, "description": "The same result (or the same Idempotency-Key) was stored already"}, 409: {"model": Error, "description": "The Idempotency-Key was used for another upload"}, 413: {"model": Error, "description": "Larger than the limit, compressed or not"}, 415: {"model": Error, "description": "A Content-Encoding other than gzip"}, 422: {"model": Error, "description": "Not a valid result: the first schema error or limit (also: dimension ids repeat, a string holds NUL)"}},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Upload"}}}}},
)
async def upload(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    caller: ApiCaller,
    ip: ClientIp,
    project: Annotated[str | None, Query(min_length=1, max_length=200, json_schema_extra={"pattern": PRINTABLE_NAME}, description="Project name (default: the result's subject name)")] = None,
    team_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="The token's team (optional; any other is refused)")] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200, json_schema_extra={"pattern": r"^[\x21-\x7e]{1,200}$"}, description="A retry with the same key and body stores nothing new (1 to 200 printable ASCII characters)")] = None,
) -> JSONResponse:
    if caller.kind != "token":
        raise Forbidden("uploads need an API token")
    (token_team,) = caller.roles
    if team_id is not None and team_id != token_team:
        raise Forbidden("this token uploads to its own team only")
    key = uploads.check_idempotency_key(idempotency_key)
    raw = await _body(request, settings.max_upload_bytes)
    result = await run_in_threadpool(uploads.parse_result, raw)
    digest = hashlib.sha256(raw).hexdigest()
    saved = (await run_in_threadpool(uploads.upload, store, caller, token_team, result, project, ip, key=key, body_sha256=digest)).saved
    body = Uploaded(id=saved.id, uid=saved.uid, team=saved.team, project=saved.project, created=saved.created)
    return JSONResponse(body.model_dump(), status_code=201 if saved.created else 200)


@router.get("/projects", response_model=list[ProjectInfo], responses=ERRORS, summary="Projects visible to the caller")
def list_projects(
    store: StoreDep,
    fw: FrameworkDep,
    caller: ApiCaller,
    team_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[ProjectInfo]:
    return [_project(r) for r in portfolio_service.portfolio(store, caller, fw, team_id).rows]


def _project(r: portfolio_service.PortfolioRow) -> ProjectInfo:
    return ProjectInfo(
        id=r.project_id,
        name=r.name,
        team_id=r.team_id,
        team=r.team,
        organization=r.organization,
        assessments=r.assessments,
        latest_assessment_id=r.assessment_id,
        overall_level=r.overall,
        levels=r.levels,
        assessed_at=r.assessed_at,
    )


@router.get("/projects/{project_id}/assessments", response_model=list[AssessmentInfo], responses=ERRORS, summary="A project's assessments, newest first")
def project_assessments(project_id: PathId, store: StoreDep, caller: ApiCaller) -> list[AssessmentInfo]:
    _, rows = project_service.assessment_list(store, caller, project_id)
    return [_info(s) for s in rows]


@router.get("/assessments/{assessment_id}", response_model=AssessmentFull, responses=ERRORS, summary="One assessment with its full result")
def get_assessment(assessment_id: PathId, store: StoreDep, caller: ApiCaller) -> AssessmentFull:
    summary, result, _ = project_service.assessment(store, caller, assessment_id, with_previous=False)
    return AssessmentFull(assessment=_info(summary), result=json.loads(result.model_dump_json()))


@router.get("/portfolio", response_model=PortfolioInfo, responses=ERRORS, summary="Every visible project's newest levels, and their distribution")
def get_portfolio(
    store: StoreDep,
    fw: FrameworkDep,
    caller: ApiCaller,
    team_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> PortfolioInfo:
    p = portfolio_service.portfolio(store, caller, fw, team_id)
    return PortfolioInfo(
        dimensions=[DimensionInfo(id=i, name=n) for i, n in p.dimensions],
        projects=[_project(r) for r in p.rows],
        distribution={d: {str(k): v for k, v in levels.items()} for d, levels in p.distribution.items()},
    )


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" and isinstance(v, str) else _rewrite_refs(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


# What `uploads.parse_result` checks beyond the result schema, published so that a client (or a
# fuzzer) knows the limits; the few it cannot express (unique dimension ids, NUL characters in
# any string) are in the 422 answer's description.
UPLOAD_LIMITS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "subject": {"type": "object", "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": PRINTABLE_NAME}, "commit": {"type": ["string", "null"], "maxLength": 64}}},
        "framework": {"type": "object", "properties": {"id": {"type": "string", "maxLength": 100}, "version": {"type": "string", "maxLength": 50}}},
        "generated_at": {"type": "string", "pattern": "(Z|z|[+-][0-9]{2}:?[0-9]{2})$", "not": {"pattern": "^(0001-01-01|9999-12-31)"}},
        "overall": {"type": "object", "properties": {"level": {"type": "integer", "minimum": 0, "maximum": uploads.MAX_LEVEL}, "mean": {"type": "number", "minimum": -uploads.MAX_LEVEL, "maximum": uploads.MAX_LEVEL}}},
        "dimensions": {
            "type": "array",
            "items": {"type": "object", "properties": {
                "id": {"type": "string", "minLength": 1, "maxLength": 50},
                "level": {"type": "integer", "minimum": 0, "maximum": uploads.MAX_LEVEL},
                "potential_level": {"type": "integer", "minimum": 0, "maximum": uploads.MAX_LEVEL},
                "unknown": {"type": "integer", "minimum": 0, "maximum": 100_000},
            }},
        },
    },
}


def openapi_schema(app) -> dict:  # noqa: ANN001
    """FastAPI's spec of the API routes, with the published result schema as the upload's body."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    spec = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
    result = dict(schema.load())
    defs = result.pop("$defs", {})
    for key in ("$schema", "$id"):
        result.pop(key, None)
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, body in defs.items():
        schemas.setdefault(name, _rewrite_refs(body))
    schemas["Result"] = _rewrite_refs(result)
    # Request validation answers in the same one-line shape as every other error (app.bad_request).
    schemas["HTTPValidationError"] = {"title": "HTTPValidationError", "type": "object", "properties": {"detail": {"type": "string", "title": "Detail"}}, "required": ["detail"]}
    schemas.pop("ValidationError", None)
    schemas["Upload"] = {"allOf": [{"$ref": "#/components/schemas/Result"}, UPLOAD_LIMITS], "description": "A result, within what the server stores"}
    components["securitySchemes"] = {"token": {"type": "http", "scheme": "bearer", "description": "A team's API token (mm_…)"}}
    spec["security"] = [{"token": []}]
    app.openapi_schema = spec
    return spec


__all__ = ["router", "openapi_schema", "Invalid"]
