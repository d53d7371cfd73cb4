"""History source: is maturity reassessed regularly? Read from the project's stored assessments.

The store is handed in by the caller (`AssessmentLog`, which `store.service.Store` satisfies):
sources and store are sibling layers and do not import each other.

Verdict for practice `team.reassessment`, over the last 12 months, counting the assessment
being made now as the newest point:
- present: no two consecutive assessments more than a quarter (92 days) apart, and the record
  covers at least a quarter;
- absent: a gap of more than a quarter (including since the newest stored assessment);
- unknown: the project has no stored assessment, or less than a quarter of history without a
  gap: nothing yet shows either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from ..model.evidence import Evidence, Observation, PracticeStatus, SourceRun
from ..model.framework import PracticeCatalog
from .base import SourceResult

PRACTICE = "team.reassessment"
DETECTOR = "assessed-quarterly"
WINDOW = timedelta(days=365)
MAX_GAP = timedelta(days=92)  # a quarter, rounded up to the longest one
MIN_SPAN = timedelta(days=90)


class AssessmentLog(Protocol):
    def assessment_times(self, project: str, team: str | None = None) -> Sequence[datetime]:
        """When the project was assessed, any order."""
        ...


def judge(times: Sequence[datetime], now: datetime) -> tuple[PracticeStatus, str]:
    """The verdict and its literal message from assessment times (the rule in the module doc)."""
    past = sorted(t for t in times if t <= now)
    if not past:
        return PracticeStatus.UNKNOWN, "no stored assessment of this project yet"
    start = now - WINDOW
    recent = [t for t in past if t >= start]
    before = [t for t in past if t < start]
    points = ([before[-1]] if before else []) + recent + [now]
    gaps = [(b - a).days for a, b in zip(points, points[1:], strict=False)]
    widest = max(gaps)
    n = len(recent)
    times_text = f"{n} time{'s' if n != 1 else ''}"
    if not recent:
        return PracticeStatus.ABSENT, f"not assessed in the last 12 months (newest stored assessment: {past[-1]:%Y-%m-%d})"
    if widest > MAX_GAP.days:
        since_newest = (now - recent[-1]).days
        if since_newest > MAX_GAP.days:
            return PracticeStatus.ABSENT, f"assessed {times_text} in the last 12 months, the newest {since_newest} days ago (more than {MAX_GAP.days})"
        return PracticeStatus.ABSENT, f"assessed {times_text} in the last 12 months, up to {widest} days apart (more than {MAX_GAP.days})"
    if now - points[0] < MIN_SPAN:
        return PracticeStatus.UNKNOWN, f"assessed {times_text} since {points[0]:%Y-%m-%d}: less than a quarter of history to show a regular cadence"
    return PracticeStatus.PRESENT, f"assessed {times_text} in the last 12 months, never more than {widest} days apart"


@dataclass
class HistorySource:
    log: AssessmentLog
    project: str
    team: str | None = None
    now: datetime | None = None
    name: str = "history"

    def collect(self, catalog: PracticeCatalog) -> SourceResult:
        try:
            catalog.get(PRACTICE)
        except KeyError:  # a catalog without the practice: nothing to observe
            return SourceResult(run=SourceRun(name=self.name, status="ok", message=f"{PRACTICE} is not in the catalog"))
        try:
            times = list(self.log.assessment_times(self.project, self.team))
        except Exception as exc:  # noqa: BLE001 — a source reports its failure instead of raising
            return SourceResult(run=SourceRun(name=self.name, status="failed", message=str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
        status, message = judge(times, self.now or datetime.now(UTC))
        evidence = (Evidence(path=f"db:{self.project}", detector=DETECTOR, message=message),)
        observation = Observation(practice=PRACTICE, status=status, source=self.name, evidence=evidence, note=message)
        return SourceResult(run=SourceRun(name=self.name, status="ok"), observations=(observation,))
