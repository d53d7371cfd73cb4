"""-j N forks workers that share the warm view: the result must be the serial one, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_maturity.repo import RepoView
from mlops_maturity.sources.scan import engine, registry
from mlops_maturity.sources.scan.spec import DetectorSpec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _summary(results):
    return {
        pid: (
            [e.model_dump() for e in ps.evidence],
            [e.model_dump() for e in ps.dependency_only],
            ps.errors,
            ps.detectors,
        )
        for pid, ps in results.items()
    }


@pytest.fixture
def small_thresholds(monkeypatch):
    monkeypatch.setattr(engine, "MIN_PARALLEL_DETECTORS", 1)
    monkeypatch.setattr(engine, "MIN_PARALLEL_FILES", 0)
    if not engine._can_fork():
        pytest.skip("no fork here")


@pytest.mark.parametrize("case", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())[:12])
def test_forked_equals_serial(case, small_thresholds):
    dets = [d for d in registry.detectors() if not d.retired]
    for sub in sorted((FIXTURES / case).iterdir()):
        serial = RepoView(sub, use_git=False)
        forked = RepoView(sub, use_git=False)
        a = engine.scan_view(serial, dets, registry.CHECKS, jobs=1)
        b = engine.scan_view(forked, dets, registry.CHECKS, jobs=3)
        assert _summary(a) == _summary(b), sub
        assert serial.skipped == forked.skipped


def test_forked_reports_errors_per_detector(tmp_path, small_thresholds):
    (tmp_path / "a.py").write_text("import os\n")

    def boom(view, det):
        raise RuntimeError("bad check")
        yield  # pragma: no cover

    def fine(view, det):
        yield engine.Hit("a.py", 1, "ok")

    dets = [
        DetectorSpec(id=f"d-{i}", practice="dev.tests", kind="check", check="boom" if i % 3 == 0 else "fine", message="m")
        for i in range(9)
    ]
    results = engine.scan_view(RepoView(tmp_path, use_git=False), dets, {"boom": boom, "fine": fine}, jobs=2)
    ps = results["dev.tests"]
    assert ps.detectors == 9
    assert sorted(ps.errors) == [f"d-{i}: RuntimeError: bad check" for i in (0, 3, 6)]
    assert [e.detector for e in ps.evidence] == [f"d-{i}" for i in range(9) if i % 3]
