"""What a quiz is made of, independent of any user interface: items, quizzes and scores.

All types are frozen pydantic models, so a quiz serializes to JSON (`model_dump_json`) and back
(`model_validate_json`); the web layer can also keep only the arguments of `build_quiz`, which
rebuilds the same quiz from the same seed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..model.base import Frozen
from .content import Difficulty


class Step(Frozen):
    """One step of a worked solution, with optional detail lines (a criterion per line)."""

    text: str
    details: tuple[str, ...] = ()


class QuizItem(Frozen):
    id: str  # a bank question id, or scenario.<scope>.<seed>
    kind: Literal["bank", "scenario"]
    difficulty: Difficulty
    prompt: str
    # A scenario's findings, one per line, shown between the prompt and the options.
    context: tuple[str, ...] = ()
    options: tuple[str, ...] = Field(min_length=2)
    answer: int  # index of the correct option
    hint: str
    solution: tuple[Step, ...]
    mistakes: tuple[str, ...]
    concept: str
    dimensions: tuple[str, ...] = ()


class Quiz(Frozen):
    seed: int
    difficulty: Difficulty | None = None
    # Per-dimension weights the draw used (None: every dimension alike).
    weights: dict[str, float] | None = None
    items: tuple[QuizItem, ...]

    def item(self, item_id: str) -> QuizItem:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)


class ItemResult(Frozen):
    id: str
    chosen: int | None  # None: not answered
    answer: int
    correct: bool
    concept: str
    dimensions: tuple[str, ...] = ()


class DimensionTally(Frozen):
    correct: int
    total: int


class Score(Frozen):
    correct: int
    total: int
    items: tuple[ItemResult, ...]
    # Concept ids of the missed items, most missed first, then in quiz order.
    review: tuple[str, ...]
    by_dimension: dict[str, DimensionTally]

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0
