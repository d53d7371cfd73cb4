"""Shared by the quiz and CLI tests: a result whose weakest dimension is monitor, and a binomial tail."""

from __future__ import annotations

import math
from fractions import Fraction

from mlops_maturity.model.evidence import Answer
from mlops_maturity.scoring import Inputs, score


def monitor_weakest(fw, catalog):
    """Every dimension at level 3, monitor at level 1 (its level-2 telemetry unmet)."""
    values = {c.id: 3 for c in fw.active_criteria() if c.level <= 3}
    values["monitor.service-telemetry"] = 0
    values["monitor.shared-dashboards"] = 0
    result = score(fw, catalog, Inputs(answers=[Answer(question=k, value=v) for k, v in values.items()]))
    levels = {d.id: d.level for d in result.dimensions}
    assert levels["monitor"] == 1 and all(v == 3 for k, v in levels.items() if k != "monitor"), levels
    return result


def binomial_tail(k: int, n: int) -> float:
    """P(X >= k) for X ~ Binomial(n, 1/2), exactly: the chance of a share of monitor questions
    this large if each question were as likely to concern monitor as not."""
    return float(Fraction(sum(math.comb(n, i) for i in range(k, n + 1)), 2**n))
