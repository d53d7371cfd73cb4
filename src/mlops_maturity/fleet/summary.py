"""The portfolio summary of a fleet run: one line per repository, distributions, run stats.

A plain JSON document (`kind: "fleet-summary"`, `schema_version: "1"`); the HTML heatmap
(`reporters.fleet`) renders it and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from .. import __version__
from .run import Row

SCHEMA_VERSION = "1"


def build(rows: Sequence[Row], fw, *, jobs: int, seconds: float, cache_dir: str | None) -> dict:  # noqa: ANN001
    dims = [{"id": d.id, "name": d.name} for d in fw.dimensions]
    ok = [r for r in rows if r.status == "ok"]
    top = max((lv.number for lv in fw.levels), default=5)
    distribution = {"overall": _histogram((r.overall for r in ok), top)}
    for d in fw.dimensions:
        distribution[d.id] = _histogram((r.levels.get(d.id) for r in ok), top)
    return {
        "kind": "fleet-summary",
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mlops-maturity", "version": __version__},
        "framework": {"id": fw.id, "version": fw.version},
        "generated_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "levels": [{"level": lv.number, "name": lv.name} for lv in fw.levels],
        "dimensions": dims,
        "stats": {
            "repositories": len(rows),
            "ok": len(ok),
            "failed": len(rows) - len(ok),
            # read: scanned this run (no cache, a miss or a discarded entry); cached: not read
            "read": sum(1 for r in rows if r.status == "ok" and r.cache != "hit"),
            "cached": sum(1 for r in rows if r.cache == "hit"),
            # of those, how many had their output copied from the previous run (not scored again)
            "reused": sum(1 for r in rows if r.reused),
            "corrupt_cache_entries": sum(1 for r in rows if r.cache == "corrupt"),
            "jobs": jobs,
            "seconds": round(seconds, 3),
            "cache": cache_dir,
        },
        "distribution": distribution,
        "repositories": [_repo(r) for r in rows],
    }


def _histogram(values, top: int) -> dict[str, int]:  # noqa: ANN001
    counts = {str(k): 0 for k in range(1, top + 1)}
    for v in values:
        if v is not None:
            counts[str(v)] = counts.get(str(v), 0) + 1
    return counts


def _repo(r: Row) -> dict:
    out: dict = {"name": r.name, "path": r.path, "status": r.status}
    if r.status == "error":
        out["error"] = r.error
    out.update(
        cache=r.cache,
        commit=r.commit,
        overall={"level": r.overall, "mean": r.mean} if r.overall is not None else None,
        levels=r.levels,
        seconds=r.seconds,
    )
    if r.cache_reason:
        out["cache_reason"] = r.cache_reason
    if r.reused:
        out["reused"] = True
    if r.scan_status:
        out["scan_status"] = r.scan_status
    if r.warnings:
        out["warnings"] = r.warnings
    if r.gate:
        out["fail_under"] = r.gate
    if r.output:
        out["output"] = r.output
    return out
