"""Regexes compiled on first use, so that importing a module full of them costs nothing.

`_X = lazy_re(r"...", re.I)` stands for `_X = re.compile(r"...", re.I)` in a module whose
regexes need not all be compiled at import: `re.compile` parses in Python, and the scan's check
modules hold a few hundred patterns, many of them used only for some repositories. The first
use of a `re.Pattern` method or attribute compiles the pattern (with `re.compile`, so through
its cache too) and puts the compiled pattern's bound methods on the instance, so later calls
go straight to them. `pattern` is known without compiling; `flags`, `groups` and `groupindex`
are the compiled pattern's (`flags` includes `re.UNICODE` and inline flags, as with
`re.compile`). `compiled()` is the `re.Pattern` itself, for code that needs one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner")


class LazyRegex:
    """A `re.Pattern` compiled on first use (see the module docstring). Immutable, like one."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags
        self._rx: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now if it was not yet); re.error if it is invalid."""
        rx = self._rx
        if rx is None:
            rx = re.compile(self.pattern, self._flags)
            # The instance's attributes shadow the methods below from now on.
            for name in _METHODS:
                setattr(self, name, getattr(rx, name))
            self._rx = rx
        return rx

    # The methods of re.Pattern: each runs only before the first compile.
    def search(self, *args: Any, **kwargs: Any) -> re.Match[str] | None:
        return self.compiled().search(*args, **kwargs)

    def match(self, *args: Any, **kwargs: Any) -> re.Match[str] | None:
        return self.compiled().match(*args, **kwargs)

    def fullmatch(self, *args: Any, **kwargs: Any) -> re.Match[str] | None:
        return self.compiled().fullmatch(*args, **kwargs)

    def finditer(self, *args: Any, **kwargs: Any) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(*args, **kwargs)

    def findall(self, *args: Any, **kwargs: Any) -> list[Any]:
        return self.compiled().findall(*args, **kwargs)

    def sub(self, *args: Any, **kwargs: Any) -> str:
        return self.compiled().sub(*args, **kwargs)

    def subn(self, *args: Any, **kwargs: Any) -> tuple[str, int]:
        return self.compiled().subn(*args, **kwargs)

    def split(self, *args: Any, **kwargs: Any) -> list[Any]:
        return self.compiled().split(*args, **kwargs)

    def scanner(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().scanner(*args, **kwargs)

    @property
    def flags(self) -> int:
        return self.compiled().flags

    @property
    def groups(self) -> int:
        return self.compiled().groups

    @property
    def groupindex(self) -> Any:
        return self.compiled().groupindex

    def __repr__(self) -> str:
        return f"lazy_re({self.pattern!r}, {self._flags!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyRegex, (self.pattern, self._flags))

    def __copy__(self) -> LazyRegex:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> LazyRegex:
        return self


def lazy_re(pattern: str, flags: int = 0) -> LazyRegex:
    """`re.compile(pattern, flags)`, compiled when first used."""
    return LazyRegex(pattern, flags)
