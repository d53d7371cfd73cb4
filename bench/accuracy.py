#!/usr/bin/env python3
"""Scanner precision and recall against hand labels.

Labels are YAML files, one per repository, kept outside this repository (we do not commit
anything about the repositories we evaluate on):

    repo: <directory name under REPOS_DIR>
    practices:
      data.versioning: {present: true, evidence: "dvc.yaml:1", confidence: high}
      data.validation: {present: false, note: "...", confidence: medium}

Usage:
    python bench/accuracy.py LABELS_DIR REPOS_DIR [--min-confidence low|medium|high] [--show-errors]

Prints per-practice and overall precision/recall over present/absent decisions; practices the
scan reports unknown count as misses (a scanner that does not look does not find).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from mlops_maturity.framework.load import default_catalog
from mlops_maturity.model.evidence import PracticeStatus
from mlops_maturity.sources.scan import ScanSource
from mlops_maturity.util import yamlsafe

RANK = {"low": 0, "medium": 1, "high": 2}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("labels", type=Path)
    ap.add_argument("repos", type=Path)
    ap.add_argument("--min-confidence", default="low", choices=list(RANK))
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()

    catalog = default_catalog()
    per_practice: dict[str, Counter] = {}
    errors: list[str] = []
    for label_file in sorted(args.labels.glob("*.yaml")):
        labels = yamlsafe.plain(yamlsafe.load(label_file.read_bytes()))
        repo = args.repos / labels["repo"]
        if not repo.is_dir():
            print(f"{label_file.name}: no repository {repo}", file=sys.stderr)
            continue
        result = ScanSource([repo]).collect(catalog)
        found = {o.practice: o for o in result.observations}
        for pid, label in labels["practices"].items():
            if RANK.get(label.get("confidence", "high"), 2) < RANK[args.min_confidence]:
                continue
            obs = found.get(pid)
            predicted = obs is not None and obs.status is PracticeStatus.PRESENT
            truth = bool(label["present"])
            c = per_practice.setdefault(pid, Counter())
            key = {(True, True): "tp", (True, False): "fp", (False, True): "fn", (False, False): "tn"}[(predicted, truth)]
            c[key] += 1
            if key in ("fp", "fn"):
                where = ", ".join(e.location for e in (obs.evidence if obs else ())[:2])
                why = label.get("evidence") or label.get("note") or ""
                errors.append(f"{key.upper()} {labels['repo']:<26} {pid:<26} scan: {where or '-'} | label: {why}")

    total = Counter()
    print(f"{'practice':<28}{'tp':>4}{'fp':>4}{'fn':>4}{'tn':>4}  precision  recall")
    for pid in sorted(per_practice):
        c = per_practice[pid]
        total.update(c)
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
        print(f"{pid:<28}{c['tp']:>4}{c['fp']:>4}{c['fn']:>4}{c['tn']:>4}  {p:>9.2f}  {r:>6.2f}")
    p = total["tp"] / max(1, total["tp"] + total["fp"])
    r = total["tp"] / max(1, total["tp"] + total["fn"])
    print(f"{'ALL':<28}{total['tp']:>4}{total['fp']:>4}{total['fn']:>4}{total['tn']:>4}  {p:>9.3f}  {r:>6.3f}")
    if args.show_errors:
        print()
        print("\n".join(errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
