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


# The practices whose code checks declare the files they parse (helpers.parses).
HINTED = ["dev.modular_code", "dev.config", "deploy.training_pipeline", "data.pipeline"]


@pytest.mark.parametrize("case", HINTED)
def test_forked_equals_serial_with_parse_hints(case, small_thresholds):
    test_forked_equals_serial(case, small_thresholds)


def test_parse_hints_put_the_checks_files_among_the_up_front_parses():
    dets = [d for d in registry.detectors() if not d.retired]
    view = RepoView(FIXTURES / "dev.modular_code" / "present-torch-module", use_git=False)
    view.index_needles(engine.prefilter_needles(dets, registry.CHECKS))
    without = engine.parse_candidates(view, dets)
    hinted = engine.parse_candidates(view, dets, registry.CHECKS)
    extra = set(hinted) - set(without)
    assert extra, "the training-module check's files are not among the up-front parses"
    assert all(r.endswith(".py") for r in extra)


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


def _awkward_repo(root: Path) -> Path:
    """Enough files to fork for, with every kind of skip a read can record."""
    for i in range(40):
        (root / "pkg").mkdir(parents=True, exist_ok=True)
        (root / "pkg" / f"m{i}.py").write_text(f"import mlflow\n\ndef train_{i}():\n    mlflow.log_metric('auc', {i})\n")
    for i in range(30):
        (root / "conf").mkdir(exist_ok=True)
        (root / "conf" / f"c{i}.yaml").write_text(f"learning_rate: 0.{i}\nbatch_size: {i}\n")
    (root / "train.py").write_bytes(b"\x00\x01binary")
    (root / "bad.py").write_bytes(b"import mlflow\nx = '\xff\xfe'\n")
    (root / "nb.ipynb").write_text('{"cells": [{"cell_type": "code", "source": ["import mlflow\\n", "mlflow.log_param(\'a\', 1)"]}]}')
    (root / "broken.ipynb").write_text("not json")
    return root


def test_parallel_warm_up_equals_serial_with_skips(tmp_path, small_thresholds):
    repo = _awkward_repo(tmp_path)
    dets = [d for d in registry.detectors() if not d.retired]
    serial, forked = RepoView(repo, use_git=False), RepoView(repo, use_git=False)
    a = engine.scan_view(serial, dets, registry.checks(), jobs=1)
    b = engine.scan_view(forked, dets, registry.checks(), jobs=2)
    assert _summary(a) == _summary(b)
    assert serial.skipped == forked.skipped
    reasons = {s.path: s.reason for s in forked.skipped}
    assert reasons["train.py"].startswith("binary") and reasons["bad.py"].startswith("invalid UTF-8")
    assert "broken.ipynb" in reasons


def test_a_dead_warm_up_worker_loses_nothing(tmp_path, small_thresholds, monkeypatch):
    """A worker that dies mid warm-up: its slice is read and parsed in the parent instead."""
    import os

    repo = _awkward_repo(tmp_path)
    parent = os.getpid()
    real = engine._read_and_index

    def dying(view, rels):
        if os.getpid() != parent:
            os._exit(3)
        real(view, rels)

    monkeypatch.setattr(engine, "_read_and_index", dying)
    dets = [d for d in registry.detectors() if not d.retired]
    serial, forked = RepoView(repo, use_git=False), RepoView(repo, use_git=False)
    a = engine.scan_view(serial, dets, registry.checks(), jobs=1)
    b = engine.scan_view(forked, dets, registry.checks(), jobs=3)
    assert _summary(a) == _summary(b)
    assert serial.skipped == forked.skipped


def test_call_tails_are_per_module_root(tmp_path):
    """A file importing one root is parsed for a calls detector only if it names a tail of that
    root's patterns: the word `log` (a tail of arize.*.log*) does not make a file that imports
    only evidently a candidate, and the detector still finds the arize call elsewhere."""
    (tmp_path / "report.py").write_text("import evidently\nimport logging\nlogging.info('x')\n")
    (tmp_path / "collect.py").write_text("import evidently\nevidently.collector.run()\n")
    (tmp_path / "send.py").write_text("import arize\narize.pandas.log(frame)\n")
    det = DetectorSpec.model_validate({
        "id": "per-root-tails", "practice": "monitor.model", "kind": "calls", "message": "calls {name}",
        "calls": ["evidently.collector.*", "arize.*.log*"],
    })
    view = RepoView(tmp_path)
    assert engine.parse_candidates(view, [det]) == ["collect.py", "send.py"]
    assert [(h.path, h.line) for h in engine._calls(view, det)] == [("collect.py", 2), ("send.py", 2)]
