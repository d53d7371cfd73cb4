"""The repository scan source: practices present or absent, with path:line evidence.

`ScanSource(paths).collect(catalog)` scans one or several local repositories as one subject
(a practice is present if present in any of them) and returns one SourceResult. `scan_path`
scans a single repository, for `--each`. Nothing here executes, imports or unpickles code from
a scanned repository, prints, or writes outside temporary/cache space.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ...model.evidence import Evidence, Observation, PracticeStatus, SkippedFile, SourceRun
from ...model.framework import PracticeCatalog
from ...repo import DEFAULT_MAX_FILE_BYTES, RepoView
from ..base import SourceResult
from . import registry
from .engine import CheckFn, PracticeScan, scan_view
from .spec import DetectorSpec, SpecError

__all__ = ["ScanSource", "scan_path"]

SOURCE_NAME = "scan"


def _check_path(p: Path) -> str | None:
    try:
        if not p.exists():
            return f"scan: {p}: does not exist"
        if not p.is_dir():
            return f"scan: {p}: is not a directory"
    except OSError as exc:
        return f"scan: {p}: {exc.strerror or exc}"
    return None


def _repo_names(paths: Sequence[Path]) -> list[str]:
    names: list[str] = []
    for p in paths:
        base = p.resolve().name or "repo"
        name, n = base, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names


def _prefixed(ev: Evidence, prefix: str | None) -> Evidence:
    return ev if not prefix else ev.model_copy(update={"path": f"{prefix}/{ev.path}"})


class ScanSource:
    """Scans local repositories. Satisfies `sources.base.Source`."""

    name = SOURCE_NAME

    def __init__(
        self,
        paths: Sequence[Path],
        *,
        jobs: int = 1,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        progress: Callable[[int, int], None] | None = None,
        detectors: Sequence[DetectorSpec] | None = None,
        checks: Mapping[str, CheckFn] | None = None,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        self.jobs = max(1, int(jobs))
        self.max_file_bytes = max_file_bytes
        self.progress = progress
        # For tests and for framework variants; the registry is the default.
        self._detectors = detectors
        self._checks = checks

    def collect(self, catalog: PracticeCatalog) -> SourceResult:
        if not self.paths:
            return self._failed("scan: no path given")
        for p in self.paths:
            problem = _check_path(p)
            if problem:
                return self._failed(problem)
        try:
            dets = tuple(self._detectors) if self._detectors is not None else registry.detectors()
        except SpecError as exc:
            return self._failed(f"scan: invalid detector specs: {str(exc).splitlines()[0]}")
        checks = self._checks if self._checks is not None else registry.checks()

        wanted = [p for p in catalog.practices if not p.retired and "scan" in p.observed_by]
        wanted_ids = {p.id for p in wanted}
        # A detector may cite a practice by an alias; report under the catalog's id.
        canonical: dict[str, str] = {}
        for p in catalog.practices:
            for ident in (p.id, *p.aliases):
                canonical[ident] = p.id
        active = [d for d in dets if canonical.get(d.practice) in wanted_ids]
        active = [d.model_copy(update={"practice": canonical[d.practice]}) for d in active]

        names = _repo_names(self.paths)
        several = len(self.paths) > 1
        per_repo: list[tuple[str, dict[str, PracticeScan]]] = []
        skipped: list[SkippedFile] = []
        commits: dict[str, str | None] = {}
        incomplete: list[str] = []
        n_files = 0
        n_repos = len(self.paths)
        for idx, (path, name) in enumerate(zip(self.paths, names)):
            progress = None
            if self.progress is not None:
                outer = self.progress

                def progress(done: int, total: int, _i: int = idx) -> None:
                    # Each repository gets an equal share of a 0..1000 bar.
                    outer(_i * 1000 + (done * 1000) // max(total, 1), n_repos * 1000)

            view = RepoView(path, name=name, max_file_bytes=self.max_file_bytes)
            results = scan_view(view, active, checks, jobs=self.jobs, progress=progress)
            prefix = name if several else None
            per_repo.append((name, results))
            n_files += len(view.files)
            commits[str(path)] = view.commit
            for s in view.skipped:
                skipped.append(SkippedFile(path=f"{prefix}/{s.path}" if prefix else s.path, reason=s.reason))
            incomplete += [f"{prefix}/{p}" if prefix else p for p in view.incomplete]

        observations: list[Observation] = []
        errors: list[str] = []
        for practice in wanted:
            evidence: list[Evidence] = []
            dep_only: list[Evidence] = []
            p_errors: list[str] = []
            n_det = 0
            for name, results in per_repo:
                ps = results.get(practice.id)
                if ps is None:
                    continue
                prefix = name if several else None
                n_det = max(n_det, ps.detectors)
                evidence += [_prefixed(e, prefix) for e in ps.evidence]
                dep_only += [_prefixed(e, prefix) for e in ps.dependency_only]
                p_errors += [f"{name}: {e}" if several else e for e in ps.errors]
            if n_det == 0:
                observations.append(
                    Observation(
                        practice=practice.id,
                        status=PracticeStatus.UNKNOWN,
                        source=SOURCE_NAME,
                        note="no scan detector for this practice",
                    )
                )
                continue
            if evidence:
                status = PracticeStatus.PRESENT
                dep_only = []
            elif p_errors:
                status = PracticeStatus.UNKNOWN
            else:
                status = PracticeStatus.ABSENT
            errors += p_errors
            observations.append(
                Observation(
                    practice=practice.id,
                    status=status,
                    source=SOURCE_NAME,
                    evidence=tuple(evidence),
                    dependency_only=tuple(dep_only),
                    note="; ".join(p_errors) if p_errors else "",
                )
            )

        if errors or incomplete:
            status, parts = "partial", []
            if errors:
                parts.append(f"{len(errors)} detector error(s): {errors[0]}")
            if incomplete:
                parts.append(f"could not read {len(incomplete)} path(s), e.g. {incomplete[0]}")
            message = "; ".join(parts)
        else:
            status = "ok"
            message = f"scanned {n_files} files in {', '.join(names)}"
        subject: dict = {
            "name": names[0] if not several else ", ".join(names),
            "paths": [str(p) for p in self.paths],
            "commits": commits,
        }
        return SourceResult(
            run=SourceRun(name=SOURCE_NAME, status=status, message=message, skipped=tuple(skipped)),
            observations=tuple(observations),
            subject=subject,
        )

    def _failed(self, message: str) -> SourceResult:
        return SourceResult(
            run=SourceRun(name=SOURCE_NAME, status="failed", message=message),
            subject={"name": "", "paths": [str(p) for p in self.paths], "commits": {}},
        )


def scan_path(
    path: Path,
    catalog: PracticeCatalog,
    *,
    jobs: int = 1,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> SourceResult:
    """Scan one repository on its own (the CLI's `--each`)."""
    return ScanSource([path], jobs=jobs, max_file_bytes=max_file_bytes, progress=progress).collect(catalog)
