"""Pure scoring: observations, answers and exemptions + a framework -> a Result."""

from .engine import Inputs, score

__all__ = ["Inputs", "score"]
