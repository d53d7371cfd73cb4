"""The fleet summary as one self-contained HTML page: the portfolio heatmap.

Input is the summary document (`fleet.summary.build`), not results: the page must stay small
and quick to write for a thousand repositories. Same rules as the report: inline CSS, no
script, a CSP that forbids every fetch, autoescaped values.
"""

from __future__ import annotations

from .html import level_class
from .templating import render_template


def render_summary(summary: dict) -> str:
    dims = summary["dimensions"]
    ok = [r for r in summary["repositories"] if r["status"] == "ok"]
    failed = [r for r in summary["repositories"] if r["status"] != "ok"]
    # Weakest first: the page is for deciding where to help.
    ok.sort(key=lambda r: (r["overall"]["level"], r["overall"]["mean"], r["name"]))
    rows = []
    for r in ok:
        cells = [(level_class(r["levels"][d["id"]]), r["levels"][d["id"]]) if r["levels"].get(d["id"]) is not None else ("none", "–") for d in dims]
        rows.append({"name": r["name"], "path": r["path"], "overall": r["overall"]["level"], "overall_css": level_class(r["overall"]["level"]), "mean": r["overall"]["mean"], "cells": cells, "cache": r["cache"], "commit": (r.get("commit") or "")[:12]})
    n_ok = max(len(ok), 1)
    dist = []
    for key, name in [("overall", "Overall"), *[(d["id"], d["name"]) for d in dims]]:
        counts = summary["distribution"][key]
        segs = [{"level": int(k), "css": level_class(int(k)), "count": v, "pct": round(100 * v / n_ok, 2)} for k, v in counts.items() if v]
        dist.append({"name": name, "segs": segs})
    return render_template("fleet.html", s=summary, dims=dims, rows=rows, failed=failed, dist=dist)
