"""The pitfalls the model warns about, detected from a scored profile.

Wording lives in the framework data (`pitfalls:` templates); this module decides when each fires.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import re
from datetime import UTC, datetime

from ..framework import expr
from ..model.evidence import PracticeStatus
from ..model.framework import Framework
from ..model.result import CriterionStatus, DimensionResult, PitfallResult, PracticeResult

DEFAULT_MESSAGES = {
    "skipped_foundation": "{dimension}: '{criterion}' (level {level}) is in place but the level-{missing_level} foundation '{missing}' is not.",
    "automation_without_monitoring": "Deployment is automated (level {deploy_level}) while monitoring is at level {monitor_level}.",
    "claim_without_evidence": "{dimension}: '{criterion}' is answered {answer}, but the scan found no {practices}.",
    "stale_assessment": "The newest stored assessment is {age_days} days old (more than {max_age_days}).",
    "tools_over_process": "{dimension}: {tools} installed, but no use of it was found ({practice}).",
}


def tool_name(e) -> str:  # noqa: ANN001
    """The tool a dependency-only evidence names: 'declares dependency mlflow' -> 'mlflow'."""
    if e.message.startswith("declares dependency "):
        return e.message.removeprefix("declares dependency ").split()[0]
    m = re.match(r"[\s\"']*([A-Za-z0-9_.\-\[\]]+)", e.snippet or e.message)
    return re.sub(r"\[.*", "", m.group(1)) if m else ""


def _message(framework: Framework, pid: str, **fields: object) -> str:
    text = framework.pitfall_text(pid)
    template = text.message if text else DEFAULT_MESSAGES[pid]
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError):
        return DEFAULT_MESSAGES[pid].format(**fields)


def _setting(framework: Framework, pid: str, key: str, default: int) -> int:
    text = framework.pitfall_text(pid)
    return text.settings.get(key, default) if text else default


def detect(
    framework: Framework,
    dimensions: Sequence[DimensionResult],
    practices: Mapping[str, PracticeResult],
    last_assessed_at: datetime | None,
    now: datetime | None,
) -> tuple[PitfallResult, ...]:
    out: list[PitfallResult] = []
    by_id = {d.id: d for d in dimensions}

    for d in dimensions:
        titles = {c.id: c.title for c in d.criteria}
        # One pitfall per missing foundation, naming what sits above it without credit.
        grouped: dict[tuple[str, ...], list] = {}
        for s in d.skipped_foundations:
            grouped.setdefault(s.missing, []).append(s)
        for missing, above in grouped.items():
            first = above[0]
            names = titles[first.criterion] + (f" and {len(above) - 1} more" if len(above) > 1 else "")
            for m in missing:
                out.append(
                    PitfallResult(
                        id="skipped_foundation",
                        dimension=d.id,
                        criterion=m,
                        message=_message(
                            framework,
                            "skipped_foundation",
                            dimension=d.name,
                            criterion=names,
                            level=first.level,
                            missing=titles[m],
                            missing_level=first.missing_level,
                        ),
                    )
                )

    deploy, monitor = by_id.get("deploy"), by_id.get("monitor")
    if deploy and monitor:
        dmin = _setting(framework, "automation_without_monitoring", "deploy_min", 3)
        mmax = _setting(framework, "automation_without_monitoring", "monitor_max", 1)
        if deploy.level >= dmin and monitor.level <= mmax:
            out.append(
                PitfallResult(
                    id="automation_without_monitoring",
                    dimension="monitor",
                    message=_message(
                        framework,
                        "automation_without_monitoring",
                        deploy_level=deploy.level,
                        monitor_level=monitor.level,
                    ),
                )
            )

    for d in dimensions:
        for c in d.criteria:
            if c.answer is None or c.answer.value < 2 or not c.practices or c.status is not CriterionStatus.MET:
                continue
            looked = [practices[p] for p in c.practices if p in practices]
            if looked and all(p.status is PracticeStatus.ABSENT for p in looked):
                out.append(
                    PitfallResult(
                        id="claim_without_evidence",
                        dimension=d.id,
                        criterion=c.id,
                        message=_message(
                            framework,
                            "claim_without_evidence",
                            dimension=d.name,
                            criterion=c.title,
                            answer=c.answer.value,
                            practices=", ".join(c.practices),
                        ),
                    )
                )

    dim_names = {d.id: d.name for d in dimensions}
    used_text = " ".join(
        f"{e.message} {e.snippet}".lower() for p in practices.values() if p.status is PracticeStatus.PRESENT for e in p.evidence
    )
    for p in practices.values():
        if p.status is PracticeStatus.ABSENT and p.dependency_only:
            # A tool used for another practice (mlflow tracking, but no registry) is not "installed, never used".
            tools = sorted({tool_name(e) for e in p.dependency_only} - {""})
            tools = [t for t in tools if t.lower() not in used_text]
            if not tools:
                continue
            out.append(
                PitfallResult(
                    id="tools_over_process",
                    dimension=p.dimension,
                    message=_message(
                        framework,
                        "tools_over_process",
                        dimension=dim_names.get(p.dimension, p.dimension),
                        practice=p.title or p.id,
                        tools=", ".join(tools) or "a tool",
                    ),
                )
            )

    if last_assessed_at is not None:
        max_age = _setting(framework, "stale_assessment", "max_age_days", 90)
        now = now or datetime.now(UTC)
        age = (now - last_assessed_at).days
        if age > max_age:
            out.append(
                PitfallResult(
                    id="stale_assessment",
                    message=_message(framework, "stale_assessment", age_days=age, max_age_days=max_age),
                )
            )
    return tuple(out)


__all__ = ["detect", "expr"]
