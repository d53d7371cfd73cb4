"""The public maturity models and the crosswalk from a framework's criteria to them, as types.

The data lives in `framework/data/models/*.yaml` (one file per public model: its levels or its
list of ids) and `framework/data/crosswalk.yaml` (per criterion, its counterparts). The loader in
`mlops_maturity.framework.crosswalk` checks that every mapped id exists in the model's list.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Frozen


class ModelLevel(Frozen):
    number: int = Field(ge=0, le=9)
    name: str
    summary: str = ""


class ModelItem(Frozen):
    id: str
    title: str
    group: str = ""  # the pillar (AWS) or section (ML Test Score) it belongs to


class PublicModel(Frozen):
    """A public model the crosswalk maps to: with levels (Google, Microsoft) or a list of ids."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str
    source: str
    version: str = ""
    note: str = ""
    kind: Literal["levels", "catalog"]
    levels: tuple[ModelLevel, ...] = ()
    items: tuple[ModelItem, ...] = ()

    def item_ids(self) -> set[str]:
        return {i.id for i in self.items}

    def level_numbers(self) -> list[int]:
        return sorted(lv.number for lv in self.levels)

    def level_name(self, number: int) -> str:
        return next((lv.name for lv in self.levels if lv.number == number), str(number))


class Mapping(Frozen):
    """One criterion's counterparts: per model, a level (models with levels; None: no
    counterpart) or a list of ids (an empty list: no counterpart)."""

    levels: dict[str, int | None] = {}
    ids: dict[str, tuple[str, ...]] = {}
    note: str = ""


class Crosswalk(Frozen):
    framework: str
    models: tuple[PublicModel, ...]
    mappings: dict[str, Mapping]

    def model(self, mid: str) -> PublicModel:
        for m in self.models:
            if m.id == mid:
                return m
        raise KeyError(mid)
