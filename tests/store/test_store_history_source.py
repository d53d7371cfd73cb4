"""The history source's verdict on `team.reassessment`, from assessment times alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mlops_maturity.model.evidence import PracticeStatus
from mlops_maturity.sources.history import HistorySource, judge

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def ago(*days: int) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in days]


@pytest.mark.parametrize(
    "times, status, message",
    [
        (ago(300, 210, 120, 30), PracticeStatus.PRESENT, "assessed 4 times in the last 12 months, never more than 90 days apart"),
        # an assessment before the window still anchors the first gap
        (ago(400, 320, 230, 140, 50), PracticeStatus.PRESENT, "assessed 4 times in the last 12 months, never more than 90 days apart"),
        (ago(91, 2), PracticeStatus.PRESENT, "assessed 2 times in the last 12 months, never more than 89 days apart"),
        (ago(100, 2), PracticeStatus.ABSENT, "assessed 2 times in the last 12 months, up to 98 days apart (more than 92)"),
        (ago(250, 120, 30), PracticeStatus.ABSENT, "assessed 3 times in the last 12 months, up to 130 days apart (more than 92)"),
        (ago(200, 100), PracticeStatus.ABSENT, "assessed 2 times in the last 12 months, the newest 100 days ago (more than 92)"),
        (ago(500), PracticeStatus.ABSENT, "not assessed in the last 12 months (newest stored assessment: 2025-02-15)"),
        ([], PracticeStatus.UNKNOWN, "no stored assessment of this project yet"),
        (ago(1), PracticeStatus.UNKNOWN, "assessed 1 time since 2026-06-29: less than a quarter of history to show a regular cadence"),
        (ago(60, 1), PracticeStatus.UNKNOWN, "assessed 2 times since 2026-05-01"),
    ],
)
def test_verdicts(times, status, message):
    got_status, got_message = judge(times, NOW)
    assert (got_status, got_message[: len(message)]) == (status, message)


def test_source_observes_the_practice_with_db_evidence(catalog):
    class Log:
        def assessment_times(self, project, team=None):
            assert (project, team) == ("fraud", "ml")
            return ago(300, 210, 120, 30)

    result = HistorySource(Log(), "fraud", "ml", now=NOW).collect(catalog)
    assert result.run.status == "ok"
    (obs,) = result.observations
    assert (obs.practice, obs.status, obs.source) == ("team.reassessment", PracticeStatus.PRESENT, "history")
    (ev,) = obs.evidence
    assert (ev.path, ev.detector, ev.message) == ("db:fraud", "assessed-quarterly", "assessed 4 times in the last 12 months, never more than 90 days apart")


def test_a_failing_store_is_a_failed_source_not_a_crash(catalog):
    class Broken:
        def assessment_times(self, project, team=None):
            raise RuntimeError("database is locked")

    result = HistorySource(Broken(), "fraud", now=NOW).collect(catalog)
    assert (result.run.status, result.run.message, result.observations) == ("failed", "database is locked", ())
