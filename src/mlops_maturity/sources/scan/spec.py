"""The detector spec format: detectors declared as data (see DETECTORS.md).

A spec file is one YAML document per dimension: `dimension: <id>` and `detectors: [...]`.
Each detector names one fact that is true or false of a repository (`mlflow-metric-logged`),
the practice it is evidence for, a `kind` saying how to look, and the kind's parameters.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, PrivateAttr, ValidationError, ValidationInfo, model_validator

from ...model.base import Frozen
from ...util import yamlsafe
from ...util.regexlit import SplitSearch, alternative_literals, required_clauses, required_literals

Kind = Literal["files", "content", "calls", "imports", "config_keys", "ci_commands", "check"]
ID_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class DetectorSpec(Frozen):
    id: str = Field(pattern=ID_RE)
    practice: str = Field(pattern=r"^[a-z]+\.[a-z][a-z0-9_]*$")
    kind: Kind
    # Literal evidence message; placeholders: {name} (call / import / key / file name),
    # {path}, {match} (matched text), {key}.
    message: str
    description: str = ""
    # Path filters, applied to every kind (a `check` gets them through `helpers.paths`).
    files: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ignore_case: bool = False
    tests: Literal["exclude", "include", "only"] = "exclude"
    # files
    nonempty: bool = False
    # content / ci_commands
    needle: tuple[str, ...] = ()
    pattern: str | None = None
    # calls / imports
    calls: tuple[str, ...] = ()
    kwargs: dict[str, tuple[Any, ...]] = {}
    args: str | None = None
    imports: tuple[str, ...] = ()
    notebooks: bool = True
    # config_keys
    keys: tuple[str, ...] = ()
    format: Literal["toml", "ini", "yaml", "json"] | None = None
    # check
    check: str | None = None
    params: dict[str, Any] = {}
    # Names (PyPI / conda, any spelling) whose mere declaration is dependency-only evidence.
    dependencies: tuple[str, ...] = ()
    max_evidence: int = Field(default=5, ge=1, le=50)
    aliases: tuple[str, ...] = ()
    retired: bool = False
    _rx: re.Pattern[str] | None = PrivateAttr(default=None)
    _lits: tuple[str, ...] | None = PrivateAttr(default=None)
    _clauses: tuple[tuple[str, ...], ...] | None = PrivateAttr(default=None)
    _alt_lits: frozenset[str] | None = PrivateAttr(default=None)
    _searcher: SplitSearch | None = PrivateAttr(default=None)

    def regex(self) -> re.Pattern[str]:
        """`pattern` compiled once, with the flags its kind searches with (multiline for
        `content`, whose `^` is a line start; `ignore_case` for both kinds)."""
        if self._rx is None:
            flags = (re.M if self.kind == "content" else 0) | (re.I if self.ignore_case else 0)
            self._rx = re.compile(self.pattern or "", flags)
        return self._rx

    def search(self, text: str, present: frozenset[str] | None = None) -> re.Match[str] | None:
        """`regex().search(text)`, an alternation searched one literal-led alternative at a
        time (see util/regexlit.py): the same match, found faster. `present`: which strings of
        `alternative_literals()` the text contains, to skip alternatives that cannot match."""
        return self._split().search(text, present)

    def alternative_literals(self) -> frozenset[str]:
        """The literals of each top-level alternative of `pattern` (see `search`): parsed from
        the pattern, not compiled."""
        if self._alt_lits is None:
            if not self.pattern:
                self._alt_lits = frozenset()
            else:
                flags = (re.M if self.kind == "content" else 0) | (re.I if self.ignore_case else 0)
                self._alt_lits = frozenset(x for lits in alternative_literals(self.pattern, flags) if lits for x in lits)
        return self._alt_lits

    def _split(self) -> SplitSearch:
        if self._searcher is None:
            self._searcher = SplitSearch(self.regex())
        return self._searcher

    def literals(self) -> tuple[str, ...]:
        """Strings one of which every match of `pattern` contains (derived from the pattern,
        see util/regexlit.py): a second substring pre-filter, exact by construction. Empty
        when none can be derived."""
        if self._lits is None:
            rx = self.regex() if self.pattern else None
            self._lits = (required_literals(rx.pattern, rx.flags) or ()) if rx is not None else ()
        return self._lits

    def clauses(self) -> tuple[tuple[str, ...], ...]:
        """Every derived substring pre-filter of `pattern` (`literals()` first, when there is
        one): a file with a match contains one string of each (see util/regexlit.py)."""
        if self._clauses is None:
            rx = self.regex() if self.pattern else None
            more = required_clauses(rx.pattern, rx.flags) if rx is not None else ()
            first = self.literals()
            self._clauses = ((first,) if first else ()) + tuple(c for c in more if c != first)
        return self._clauses

    def cached_literals(self) -> list[list[str]]:
        """`literals()`, then the alternatives' literals, then the other clauses: what the
        spec cache stores (lists of strings, for JSON)."""
        rest = [list(c) for c in self.clauses() if c != self.literals()]
        return [list(self.literals()), sorted(self.alternative_literals()), *rest]

    def restore_literals(self, stored: list[list[str]]) -> None:
        """Set what `cached_literals` stored, instead of deriving it again."""
        self._lits = tuple(stored[0]) if stored else ()
        self._alt_lits = frozenset(stored[1]) if len(stored) > 1 else frozenset()
        rest = tuple(tuple(c) for c in stored[2:])
        self._clauses = ((self._lits,) if self._lits else ()) + rest

    @model_validator(mode="after")
    def _kind_fields(self, info: ValidationInfo) -> DetectorSpec:
        need: dict[str, tuple[str, ...]] = {
            "files": ("files",),
            "content": ("files", "pattern"),
            "calls": ("calls",),
            "imports": ("imports",),
            "config_keys": ("files", "keys", "format"),
            "ci_commands": ("pattern",),
            "check": ("check",),
        }
        missing = [f for f in need[self.kind] if not getattr(self, f)]
        if missing:
            raise ValueError(f"kind {self.kind!r} needs {', '.join(missing)}")
        # A spec read from the spec cache compiled when it was cached (speccache.py): its
        # pattern is compiled when first used.
        compiled_before = bool(info.context and info.context.get("compiled_before"))
        if self.pattern is not None and not compiled_before:
            try:
                self.regex()
            except re.error as exc:
                raise ValueError(f"pattern does not compile: {exc}") from None
        if self.args is not None and not compiled_before:
            try:
                re.compile(self.args)
            except re.error as exc:
                raise ValueError(f"args does not compile: {exc}") from None
        return self


class SpecFile(Frozen):
    dimension: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    detectors: tuple[DetectorSpec, ...]


class SpecError(ValueError):
    """Every problem in the detector specs at once, one per line, with file and detector id."""


def parse_spec_file(name: str, text: str) -> tuple[SpecFile | None, list[str]]:
    """(spec, errors): validation errors name the file, the line and the detector id."""
    data, errors = read_spec_text(name, text)
    if data is None:
        return None, errors
    return spec_from_data(name, data, data["detectors"].item_lines)


def read_spec_text(name: str, text: str) -> tuple[Any, list[str]]:
    """(data, errors): the YAML of a spec file, a mapping with a `detectors` list (whose
    `item_lines` are the lines of its items), or None and why not."""
    try:
        data = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        return None, [f"{name}: {exc}"]
    if not isinstance(data, dict) or not isinstance(data.get("detectors"), list):
        return None, [f"{name}: expected a mapping with `dimension` and a `detectors` list"]
    return data, []


def spec_from_data(
    name: str, data: dict[str, Any], item_lines: list[int], *, compiled_before: bool = False
) -> tuple[SpecFile | None, list[str]]:
    """(spec, errors) of a spec file's data (see `read_spec_text`); `item_lines` are the lines
    of the detectors, for the errors. `compiled_before`: the same data, validated by the same
    code, had every pattern compile (the spec cache's data), so none is compiled now."""
    context = {"compiled_before": True} if compiled_before else None
    errors: list[str] = []
    dets: list[DetectorSpec] = []
    items = data["detectors"]
    for i, item in enumerate(items):
        line = item_lines[i] if i < len(item_lines) else 0
        did = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        try:
            dets.append(DetectorSpec.model_validate(yamlsafe.plain(item), context=context))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"]) or "detector"
                errors.append(f"{name}:{line}: {did}: {loc}: {err['msg']}")
    dim = data.get("dimension")
    for d in dets:
        if isinstance(dim, str) and not d.practice.startswith(dim + "."):
            errors.append(f"{name}: {d.id}: practice {d.practice} is not in dimension {dim}")
    try:
        spec = SpecFile.model_validate({"dimension": dim, "detectors": tuple(dets)}, context=context) if not errors else None
    except ValidationError as exc:
        errors.append(f"{name}: dimension: {exc.errors()[0]['msg']}")
        spec = None
    return spec, errors
