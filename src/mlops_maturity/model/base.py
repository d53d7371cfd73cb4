from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Base of every model type: immutable, and unknown fields are an error, not silence."""

    model_config = ConfigDict(frozen=True, extra="forbid")
