"""LazyRegex: a re.Pattern compiled on first use, behaving as re.compile's."""

from __future__ import annotations

import copy
import gc
import pickle
import re

import pytest

from mlops_maturity.util.lazyre import LazyRegex, lazy_re

CASES = [
    (r"(?P<k>\w+)\s*=\s*(\d+)", 0, "a = 1\nbb=22 c =x\n"),
    (r"^foo|bar$", re.M, "foo\nxbar\nfoo bar"),
    (r"MLflow", re.I, "mlflow MLFLOW mlFlow"),
    (r"(?i)x(y)?", 0, "XyxYX"),
    (r"[,;]\s*", 0, "a, b;c ,d"),
]


def test_not_compiled_until_used() -> None:
    rx = lazy_re(r"a(", 0)  # invalid: an error only when used
    assert isinstance(rx, LazyRegex)
    assert rx.pattern == r"a("
    with pytest.raises(re.error):
        rx.search("a")


@pytest.mark.parametrize(("pattern", "flags", "text"), CASES)
def test_same_as_re_compile(pattern: str, flags: int, text: str) -> None:
    want = re.compile(pattern, flags)
    for make_first in ("search", "flags", "pattern"):
        lazy = lazy_re(pattern, flags)
        getattr(lazy, make_first)  # the first use may be any attribute
        assert lazy.pattern == want.pattern
        assert lazy.flags == want.flags
        assert lazy.groups == want.groups
        assert dict(lazy.groupindex) == dict(want.groupindex)
        assert lazy.compiled() is lazy.compiled()
        for _ in range(2):  # before and after the bound methods replace the class's
            assert _m(lazy.search(text)) == _m(want.search(text))
            assert _m(lazy.search(text, 2)) == _m(want.search(text, 2))
            assert _m(lazy.match(text)) == _m(want.match(text))
            assert _m(lazy.match(text, pos=1, endpos=5)) == _m(want.match(text, pos=1, endpos=5))
            assert _m(lazy.fullmatch(text)) == _m(want.fullmatch(text))
            assert [_m(m) for m in lazy.finditer(text)] == [_m(m) for m in want.finditer(text)]
            assert lazy.findall(text) == want.findall(text)
            assert lazy.sub("<>", text) == want.sub("<>", text)
            assert lazy.sub(lambda m: m.group(0).upper(), text, count=1) == want.sub(lambda m: m.group(0).upper(), text, count=1)
            assert lazy.subn("-", text) == want.subn("-", text)
            assert lazy.split(text) == want.split(text)
            assert lazy.split(text, maxsplit=1) == want.split(text, maxsplit=1)


def _m(m: re.Match[str] | None) -> tuple | None:
    return None if m is None else (m.span(), m.group(0), m.groups())


def test_compiled_methods_are_bound_after_first_use() -> None:
    lazy = lazy_re(r"\d+")
    lazy.search("x1")
    assert lazy.search == lazy.compiled().search  # no wrapper on the hot path


def test_pickle_and_copy() -> None:
    lazy = lazy_re(r"a+b", re.I)
    back = pickle.loads(pickle.dumps(lazy))
    assert isinstance(back, LazyRegex)
    assert (back.pattern, back.flags) == (lazy.pattern, lazy.flags)
    lazy.search("aab")
    back = pickle.loads(pickle.dumps(lazy))
    assert back.search("xAAB").group(0) == "AAB"
    assert copy.copy(lazy) is lazy and copy.deepcopy(lazy) is lazy
    assert "a+b" in repr(lazy)


def test_every_lazy_regex_of_the_scan_compiles() -> None:
    """Patterns are compiled on first use, not at import: compile all of them here, so a broken
    one fails a test rather than a scan that happens to need it."""
    from mlops_maturity.sources.scan import registry  # noqa: F401  (imports every check module)

    lazies = [o for o in gc.get_objects() if isinstance(o, LazyRegex)]
    assert len(lazies) > 100
    for rx in lazies:
        assert isinstance(rx.compiled(), re.Pattern), rx
