"""SARIF 2.1.0 for code-scanning UIs (opt-in: `--format sarif`).

Rules are the framework's criteria; results are the unmet ones. A criterion is unmet because
something is missing, so its primary location is what the scan did find instead (a tool declared
as a dependency but never used) or, for a plain absence, the repository root; the evidence of the
practices that *are* present goes in `relatedLocations`. Unknown criteria are not results:
unknown is not unmet.

One run, `automationDetails.id` set, a `partialFingerprints` entry on every result that is
stable across runs (criterion id + subject name), and GitHub's upload limits respected.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from urllib.parse import quote

from ..model.evidence import Evidence
from ..model.result import CriterionResult, CriterionStatus, DimensionResult, Result
from . import view
from .text import clean

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://mlops-maturity.dev"
FINGERPRINT_KEY = "mlopsMaturityCriterion/v1"
# GitHub code scanning: at most 25,000 results per run; we keep at most 10 locations per list.
MAX_RESULTS = 25_000
MAX_LOCATIONS = 10

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:[-+].*)?$")


def fingerprint(criterion: str, subject: str) -> str:
    return hashlib.sha256(f"{criterion}\0{subject}".encode()).hexdigest()


def rule_name(criterion: str) -> str:
    """'deploy.quick-rollback' -> 'DeployQuickRollback' (SARIF names are identifiers for people)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", criterion) if part) or "Criterion"


def _uri(path: str) -> str:
    if _SCHEME.match(path):
        return path
    path = path.replace("\\", "/")
    return quote(path, safe="/") or "."


def _location(e: Evidence, index: int | None = None) -> dict:
    physical: dict = {"artifactLocation": {"uri": _uri(e.path), "uriBaseId": "%SRCROOT%"}}
    if e.line is not None and e.line >= 1 and e.cell is None:
        region: dict = {"startLine": e.line}
        if e.snippet:
            region["snippet"] = {"text": e.snippet}
        physical["region"] = region
    text = e.message or e.snippet or e.detector
    if e.cell is not None:
        text = f"cell {e.cell}" + (f", line {e.line}" if e.line is not None else "") + f": {text}"
    loc: dict = {"physicalLocation": physical, "message": {"text": clean(text, 500) or e.detector}}
    if index is not None:
        loc["id"] = index
    return loc


def _root(c: CriterionResult) -> dict:
    """An absence has no line to point at: the repository root stands for the whole repository."""
    if c.practices:
        why = f"no evidence of {', '.join(c.practices)} was found in the repository"
    elif c.answer is not None:
        why = f"answered {c.answer.value} in the questionnaire"
    else:
        why = "not met"
    return {"physicalLocation": {"artifactLocation": {"uri": ".", "uriBaseId": "%SRCROOT%"}}, "message": {"text": why}}


@cache
def _shipped_actions(framework_id: str, version: str) -> dict[str, str]:
    try:
        from ..framework.load import BUILTIN, default_catalog, load_framework

        fw = load_framework(framework_id if framework_id in BUILTIN else None, default_catalog())
    except Exception:  # noqa: BLE001 - a missing action only shortens the help text
        return {}
    if fw.id != framework_id or fw.version != version:
        return {}
    return {c.id: c.action for c in fw.criteria}


def _actions(result: Result) -> dict[str, str]:
    """The action of each criterion: the roadmap carries it for the next level; for the others,
    the shipped framework does when the result was scored with that same framework version."""
    return {**_shipped_actions(result.framework.id, result.framework.version), **{i.criterion: i.action for i in result.roadmap}}


def _rule(c: CriterionResult, d: DimensionResult, action: str) -> dict:
    title = clean(c.title or c.id)
    role = ", one of the criteria that define the overall level" if c.defining else ""
    full = f"{d.name}, level {c.level}{role}." if c.level is not None else f"{d.name}: a test worth {c.max_points or 0:g} point(s)."
    if c.evidence_rule:
        full += f" Met when: {c.evidence_rule} (practice ids, Q = the questionnaire answer)."
    help_text = action or f"Put in place: {title}"
    return {
        "id": c.id,
        "name": rule_name(c.id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": f"**{title}**\n\n{help_text}"},
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": ["mlops-maturity", d.id, f"level-{c.level}" if c.level is not None else "points"],
            "dimension": d.id,
            "level": c.level,
            "defining": c.defining,
        },
    }


def _result(result: Result, d: DimensionResult, c: CriterionResult, rule_index: int, action: str, practices: dict) -> dict:
    foundations = {m for s in d.skipped_foundations for m in s.missing}
    if c.level is None:  # points-scored: blocking when the roadmap needs it for the next level
        blocking = any(i.criterion == c.id for i in result.roadmap)
    else:
        blocking = c.id in foundations or c.level == d.next_level
    title = clean(c.title or c.id)
    if c.level is None:
        text = f"{d.name} scores {d.score or 0:g} of {d.max_score or 0:g} (level {d.level}); test at {c.points or 0:g} of {c.max_points or 0:g} points: {title}"
    else:
        text = f"{d.name} is at level {d.level}; level-{c.level} criterion not met: {title}"
    if c.id in foundations:
        text += " It is a missing foundation: criteria above it are in place without credit."
    if action:
        text += f" Next step: {clean(action)}"
    declared = [e for pid in c.practices if pid in practices for e in practices[pid].dependency_only]
    locations = [_location(e) for e in declared[:MAX_LOCATIONS]] or [_root(c)]
    present = [e for pid in c.observed if pid in practices for e in practices[pid].evidence]
    related = [_location(e, i) for i, e in enumerate(present[:MAX_LOCATIONS], start=1)]
    out: dict = {
        "ruleId": c.id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": "warning" if blocking else "note",
        "message": {"text": text},
        "locations": locations,
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(c.id, result.subject.name)},
        "properties": {
            "dimension": d.id,
            "dimensionLevel": d.level,
            "criterionLevel": c.level,
            "basis": c.basis,
            "blocksNextLevel": blocking,
        },
    }
    if related:
        out["relatedLocations"] = related
    if c.answer is not None:
        out["properties"]["answer"] = c.answer.value
    if c.disagreement:
        out["properties"]["disagreement"] = c.disagreement
    return out


def build(result: Result) -> dict:
    actions = _actions(result)
    practices = view.practices_by_id(result)
    rules: list[dict] = []
    results: list[dict] = []
    truncated = 0
    for d in result.dimensions:
        for c in d.criteria:
            index = len(rules)
            rules.append(_rule(c, d, actions.get(c.id, "")))
            if c.status is not CriterionStatus.UNMET:
                continue
            if len(results) >= MAX_RESULTS:
                truncated += 1
                continue
            results.append(_result(result, d, c, index, actions.get(c.id, ""), practices))

    notifications = []
    for s in result.sources:
        if s.status != "ok":
            notifications.append({"level": "error" if s.status == "failed" else "warning", "message": {"text": clean(f"source {s.name} {s.status}: {s.message}", 1000)}})
    skipped = view.skipped_total(result)
    if skipped:
        notifications.append({"level": "note", "message": {"text": f"{skipped} files were skipped by the scan (see the JSON result)."}})
    if truncated:
        notifications.append({"level": "warning", "message": {"text": f"{truncated} results left out (GitHub accepts at most {MAX_RESULTS} per run)."}})
    invocation: dict = {"executionSuccessful": True, "endTimeUtc": result.generated_at.isoformat().replace("+00:00", "Z")}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications

    driver: dict = {"name": result.tool.name, "version": result.tool.version, "informationUri": INFORMATION_URI, "rules": rules}
    if _SEMVER.match(result.tool.version):
        driver["semanticVersion"] = result.tool.version
    run = {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"mlops-maturity/{result.framework.id}/"},
        "invocations": [invocation],
        "results": results,
        "properties": {
            "subject": result.subject.name,
            "commit": result.subject.commit,
            "framework": {"id": result.framework.id, "version": result.framework.version},
            "overallLevel": result.overall.level,
            "dimensionLevels": {d.id: d.level for d in result.dimensions},
        },
    }
    if result.overall.score is not None:
        run["properties"]["overallScore"] = result.overall.score
        run["properties"]["dimensionScores"] = {d.id: d.score for d in result.dimensions}
    if result.equivalents:
        run["properties"]["equivalents"] = [e.model_dump(mode="json") for e in result.equivalents]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: Result, *, previous: Result | None = None, **_: object) -> str:
    return json.dumps(build(result), indent=2, ensure_ascii=False) + "\n"
