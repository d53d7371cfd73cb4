"""Run an assessment: gather every requested source, then score. Used by the CLI and the server."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..model.evidence import Exemption, SourceRun
from ..model.framework import Framework, PracticeCatalog
from ..model.result import Result, Subject
from ..scoring import Inputs, score
from .base import Source, SourceResult
from .declared import CONFIG_NAME, AnswersSource, RepoConfig, load_repo_config


@dataclass
class Request:
    paths: Sequence[Path] = ()
    answers: Path | None = None
    name: str | None = None
    stage: str | None = None
    jobs: int = 1
    extra_sources: Sequence[Source] = ()
    progress: Callable[[int, int], None] | None = None
    last_assessed_at: datetime | None = None
    now: datetime | None = None
    configs: list[tuple[Path, RepoConfig]] = field(default_factory=list)
    # The source that scans `paths` (default: a ScanSource over them); the fleet passes one
    # that goes through its cache.
    scan: Source | None = None


def read_configs(paths: Sequence[Path], fw: Framework) -> list[tuple[Path, RepoConfig]]:
    """Each scanned repository may declare its name, stage and exemptions. Raises InputError."""
    out = []
    for p in paths:
        cfg = p / CONFIG_NAME
        if cfg.is_file() and not cfg.is_symlink():
            out.append((cfg, load_repo_config(cfg, fw)))
    return out


def subject_name(req: Request, configs: Sequence[tuple[Path, RepoConfig]]) -> str:
    """--name, else a repository config's project, else the directory names (also the default
    project an assessment is stored under, known before the run)."""
    name = req.name or next((c.project for _, c in configs if c.project), None)
    if not name:
        name = " + ".join(Path(p).resolve().name for p in req.paths) if req.paths else "questionnaire"
    return name


def run(req: Request, fw: Framework, catalog: PracticeCatalog) -> Result:
    results: list[SourceResult] = []
    if req.scan is not None:
        results.append(req.scan.collect(catalog))
    elif req.paths:
        from .scan import ScanSource  # imported here: the scanner is the heavy part
        from .scan.registry import check_detectors

        problem = check_detectors()  # a broken plug-in is an input error, not a silent failure
        if problem:
            from .declared import InputError

            raise InputError([problem])

        results.append(ScanSource(list(req.paths), jobs=req.jobs, progress=req.progress).collect(catalog))
    if req.answers is not None:
        results.append(AnswersSource(req.answers, fw).collect(catalog))
    for src in req.extra_sources:
        results.append(src.collect(catalog))

    configs = req.configs or read_configs(req.paths, fw)
    exemptions: list[Exemption] = []
    for cfg_path, cfg in configs:
        for cid, e in cfg.exemptions.items():
            exemptions.append(Exemption(criterion=cid, kind=e.status, reason=e.reason, declared_in=str(cfg_path)))
    for r in results:
        exemptions.extend(r.exemptions)

    commits: dict[str, str] = {}
    for r in results:
        commits.update({k: v for k, v in r.subject.get("commits", {}).items() if v})
    name = subject_name(req, configs)
    stage = req.stage or next((c.stage for _, c in configs if c.stage), None)
    commit = next(iter(commits.values())) if len(commits) == 1 else None
    subject = Subject(
        name=name,
        paths=tuple(str(p) for p in req.paths),
        commit=commit,
        commits=commits,
        stage=stage,
    )
    inputs = Inputs(
        observations=[o for r in results for o in r.observations],
        answers=[a for r in results for a in r.answers],
        exemptions=exemptions,
        sources=[r.run for r in results],
        subject=subject,
        last_assessed_at=req.last_assessed_at,
        generated_at=req.now or datetime.now(UTC),
        tool_version=__version__,
        crosswalk=_crosswalk(),
    )
    return score(fw, catalog, inputs)


def _crosswalk():
    """The shipped crosswalk; it was validated by its tests, so a failure here is a bug."""
    from ..framework.crosswalk import default_crosswalk

    return default_crosswalk()


__all__ = ["Request", "run", "read_configs", "subject_name", "SourceRun"]
