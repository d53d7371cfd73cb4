"""Literal strings a regex cannot match without: a substring pre-filter derived from a pattern.

`required_literals(pattern)` returns alternatives of which every match contains at least one
(`mlflow\\s+models\\s+serve|tritonserver` -> ("mlflow", "tritonserver") or longer pieces), or
None when no such set can be derived (a branch without a literal, case-insensitive matching,
or pieces too short to be worth a search). The derivation follows the parsed pattern: a run of
literal characters in a sequence is required as a whole; a group or a repeat of at least one
passes on what its body requires; an alternation requires one of what each branch requires.
Anything else (classes, optional parts, lookarounds, backreferences) requires nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

try:  # Python 3.11+: the parser moved to re._parser
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

MIN_LENGTH = 3
MAX_ALTERNATIVES = 64
_REPEATS = tuple(op for op in (getattr(_c, n, None) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")) if op is not None)
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)

Alts = frozenset[str]


def _score(alts: Alts) -> tuple[int, int]:
    """Better pre-filters have longer shortest pieces, then fewer alternatives."""
    return (min(len(a) for a in alts), -len(alts))


def _best(cands: list[Alts]) -> Alts | None:
    ok = [c for c in cands if c and len(c) <= MAX_ALTERNATIVES and min(len(a) for a in c) >= MIN_LENGTH]
    return max(ok, key=_score) if ok else None


def _exact(items: list) -> Alts | None:
    """The strings a literal-only piece matches exactly (`Cron(Job|Workflow)`), or None."""
    out: set[str] = {""}
    for op, av in items:
        if op is _c.LITERAL:
            out = {x + chr(av) for x in out}
            continue
        if op is _c.SUBPATTERN and not av[1] & re.IGNORECASE:
            got = _exact(list(av[3]))
        elif op is _c.BRANCH:
            alts: set[str] = set()
            for body in av[1]:
                b = _exact(list(body))
                if b is None:
                    return None
                alts |= b
            got = frozenset(alts)
        else:
            return None
        if got is None:
            return None
        out = {x + y for x in out for y in got}
        if len(out) > MAX_ALTERNATIVES:
            return None
    return frozenset(out)


def _sequence(items: list) -> Alts | None:
    """What a sequence requires: the best of its literal runs and of its items' requirements."""
    return _best(_requirements(items))


def _requirements(items: list, lookarounds: bool = False) -> list[Alts]:
    """Everything a sequence requires, each a set of alternatives: its literal runs (a run is
    a maximal stretch of literal-only items, kept as the exact strings it matches) and its
    items' requirements. With `lookarounds`, what a positive lookahead / lookbehind requires
    too: in the text around the match rather than in it."""
    cands: list[Alts] = []
    run: set[str] = {""}

    def flush() -> None:
        nonlocal run
        if run != {""}:
            cands.append(frozenset(run))
        run = {""}

    for op, av in items:
        exact = _exact([(op, av)])
        if exact is not None and len(run) * len(exact) <= MAX_ALTERNATIVES:
            run = {x + y for x in run for y in exact}
            continue
        flush()
        if exact is not None:
            run = set(exact)
            continue
        if op is _c.SUBPATTERN:
            _group, add_flags, del_flags, body = av
            got = None if add_flags & re.IGNORECASE else _sequence(list(body))
        elif op is _c.BRANCH:
            got = _branch(av[1])
        elif op in _REPEATS:
            lo, _hi, body = av
            got = _sequence(list(body)) if lo >= 1 else None
        elif _ATOMIC is not None and op is _ATOMIC:
            got = _sequence(list(av))
        elif lookarounds and op is _c.ASSERT:
            got = _sequence(list(av[1]))
        else:
            got = None  # classes, anchors, lookarounds, backreferences: nothing required here
        if got:
            cands.append(got)
    flush()
    return cands


def _branch(branches: list) -> Alts | None:
    out: set[str] = set()
    for body in branches:
        got = _sequence(list(body))
        if not got:
            return None  # this branch can match without any literal we know of
        out |= got
    return frozenset(out) if len(out) <= MAX_ALTERNATIVES else None


@lru_cache(maxsize=1024)
def required_literals(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Sorted alternatives one of which every match of `pattern` contains, or None."""
    try:
        parsed = _p.parse(pattern, flags)
    except (re.error, RecursionError, OverflowError):
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    got = _sequence(list(parsed))
    return tuple(sorted(got)) if got else None


@lru_cache(maxsize=1024)
def required_clauses(pattern: str, flags: int = 0) -> tuple[tuple[str, ...], ...]:
    """Every set of alternatives that a text with a match of `pattern` contains one of (each
    requirement of the pattern's top-level sequence, positive lookarounds included), best
    first: a conjunction of substring pre-filters, each exact. Empty when none."""
    try:
        parsed = _p.parse(pattern, flags)
    except (re.error, RecursionError, OverflowError):
        return ()
    if parsed.state.flags & re.IGNORECASE:
        return ()
    ok = [c for c in _requirements(list(parsed), lookarounds=True) if _best([c]) is not None]
    out: list[tuple[str, ...]] = []
    for c in sorted(ok, key=_score, reverse=True):
        t = tuple(sorted(c))
        if t not in out:
            out.append(t)
    return tuple(out)


# -- searching a top-level alternation one alternative at a time -------------------------------
#
# The regex engine scans for a pattern that starts with a literal with a fast substring search,
# but tries an alternation of literals position by position. `split_search` searches each
# alternative on its own and keeps the leftmost match (the earliest alternative on a tie):
# the same match the whole pattern finds, since at every position the alternatives are tried
# in order.

_UNSPLITTABLE = re.compile(r"\(\?P=|\(\?\(|\\[1-9]")


def split_alternatives(pattern: str) -> list[str] | None:
    """The top-level alternatives of a pattern's text, or None if it has none (or uses
    backreferences or conditionals, which tie alternatives together)."""
    if _UNSPLITTABLE.search(pattern):
        return None
    parts: list[str] = []
    depth, start, i, n = 0, 0, 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            # `]` right after `[` or `[^` is a literal member of the class
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                i = j
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts if len(parts) > 1 else None


@lru_cache(maxsize=1024)
def alternative_literals(pattern: str, flags: int = 0) -> tuple[tuple[str, ...] | None, ...]:
    """For each top-level alternative of `pattern` (see `split_alternatives`), the literals one
    of which its every match contains, or None where none can be derived; () when the pattern
    is not an alternation. Parsed, never compiled; the pattern's inline flags apply to every
    alternative (a case-insensitive pattern gives None everywhere)."""
    parts = split_alternatives(pattern)
    if parts is None:
        return ()
    try:
        flags = _p.parse(pattern, flags).state.flags & ~re.UNICODE
    except (re.error, RecursionError, OverflowError):
        return ()
    return tuple(required_literals(p, flags) for p in parts)


def _literal_led(alt: str, flags: int) -> bool:
    try:
        parsed = _p.parse(alt, flags)
    except (re.error, RecursionError, OverflowError):
        return False
    items = list(parsed)
    return bool(items) and items[0][0] is _c.LITERAL and not parsed.state.flags & re.IGNORECASE


class SplitSearch:
    """`search(text)` giving what `rx.search(text)` gives (the match's span and text), faster
    for an alternation of literal-led alternatives. Falls back to the pattern itself."""

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.alts: list[re.Pattern[str]] | None = None
        self.alt_literals: tuple[tuple[str, ...] | None, ...] = ()
        if rx.flags & re.VERBOSE:
            return
        parts = split_alternatives(rx.pattern)
        if parts is None:
            return
        flags = rx.flags & ~re.UNICODE
        slow = sum(1 for p in parts if not _literal_led(p, flags))
        if slow > 1:
            return
        try:
            self.alts = [re.compile(p, flags) for p in parts]
        except re.error:
            self.alts = None
            return
        # Per alternative, literals one of which its every match contains (None: unknown).
        self.alt_literals = alternative_literals(rx.pattern, rx.flags)
        if len(self.alt_literals) != len(self.alts):
            self.alt_literals = (None,) * len(self.alts)

    def search(self, text: str, present: frozenset[str] | None = None) -> re.Match[str] | None:
        """The match `rx.search(text)` finds. `present`, when given, must say which of
        `literals()` occur in `text`: an alternative none of whose literals occurs is not
        searched."""
        if self.alts is None:
            return self.rx.search(text)
        best = None
        for alt, lits in zip(self.alts, self.alt_literals):
            if present is not None and lits and present.isdisjoint(lits):
                continue
            m = alt.search(text)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        return best
