#!/usr/bin/env python3
"""Where a scan's time goes, phase by phase and detector by detector (one process, --jobs 1).

A new or changed detector can cost a large repository far more than its fixtures show (a YAML
parse of every large spec, a regex over every file): run this on the bench repositories after
adding one, and look at the slowest detectors.

Usage:
    python bench/detector_costs.py REPO [--top 15]

Phases: start-up (imports and detector specs), discovery, candidate paths, reading and the
needle index, the up-front parses (what --jobs splits between processes), then each detector.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("repo", type=Path)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from mlops_maturity.repo import RepoView
    from mlops_maturity.sources.scan import engine, registry

    dets = [d for d in registry.detectors() if not d.retired]
    checks = registry.checks()
    phases = [("start-up", time.perf_counter() - t0)]

    def phase(name, fn):
        t = time.perf_counter()
        out = fn()
        phases.append((name, time.perf_counter() - t))
        return out

    view = phase("discovery", lambda: RepoView(args.repo))
    rels = phase("candidate paths", lambda: engine.prefetch_paths(view, dets))

    def read():
        view.index_needles(engine.prefilter_needles(dets, checks), texts=len(rels))
        engine._read_and_index(view, rels)

    phase("read + needle index", read)
    parse = phase("choose up-front parses", lambda: engine.parse_candidates(view, dets, checks))
    phase(f"parse {len(parse)} files", lambda: [view.python(r) for r in parse])
    costs = []
    for det in dets:
        t = time.perf_counter()
        engine._run_one(view, det, checks)
        costs.append((time.perf_counter() - t, det.id, det.kind))
    phases.append(("detectors", sum(c[0] for c in costs)))

    print(f"{args.repo}: {len(view.files)} files, {len(rels)} read, {len(dets)} detectors")
    for name, s in phases:
        print(f"  {name:<28}{s:8.3f} s")
    print(f"  {'total':<28}{sum(s for _, s in phases):8.3f} s")
    by_kind = Counter()
    for s, _, kind in costs:
        by_kind[kind] += s
    print("detectors by kind: " + ", ".join(f"{k} {v:.3f} s" for k, v in by_kind.most_common()))
    print(f"slowest {args.top}:")
    for s, ident, kind in sorted(costs, reverse=True)[: args.top]:
        print(f"  {s * 1000:8.1f} ms  {kind:<12}{ident}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
