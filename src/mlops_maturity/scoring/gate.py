"""The CI gate: which `--fail-under` thresholds a result misses (overall, per dimension, or the
targets of its stage). Shared by the single scan and the fleet run."""

from __future__ import annotations

from ..model.result import Result


def missed(result: Result, overall: int | None, per_dim: dict[str, int], use_stage: bool = False) -> list[str]:
    """One line per threshold the result misses; empty when it passes."""
    out = []
    if overall is not None and result.overall.level < overall:
        out.append(f"overall level {result.overall.level} is below {overall}")
    for d in result.dimensions:
        if d.id in per_dim and d.level < per_dim[d.id]:
            out.append(f"{d.id} level {d.level} is below {per_dim[d.id]}")
    if use_stage:
        if result.subject.stage is None:
            out.append("no stage is set (--stage or `stage:` in .mlops-maturity.yaml), so there are no targets to check")
        for d in result.dimensions:
            if d.target_level is not None and d.level < d.target_level and d.id not in per_dim:
                out.append(f"{d.id} level {d.level} is below the {result.subject.stage} target {d.target_level}")
    return out
