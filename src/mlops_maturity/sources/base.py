"""The source interface: every evidence source yields the same kind of result.

The scorer never knows which source an observation came from; it receives the union of
`SourceResult`s. A source that fails returns a result whose `run.status` is "failed" and
whose observations are empty (its practices stay unknown), instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..model.evidence import Answer, Exemption, Observation, SourceRun
from ..model.framework import PracticeCatalog


@dataclass(frozen=True)
class SourceResult:
    run: SourceRun
    observations: tuple[Observation, ...] = ()
    answers: tuple[Answer, ...] = ()
    exemptions: tuple[Exemption, ...] = ()
    # Facts about the subject: {"commits": {"<repo path>": "<sha>"}, "name": "..."}
    subject: dict = field(default_factory=dict)


class Source(Protocol):
    name: str

    def collect(self, catalog: PracticeCatalog) -> SourceResult:
        """Observe. Must not raise for bad subject content; report it in the result."""
        ...
