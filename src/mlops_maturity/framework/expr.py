"""Evidence expressions: which observations or answers meet a criterion.

Grammar (AND binds tighter than OR):
    expr   := term ("OR" term)*
    term   := factor ("AND" factor)*
    factor := PRACTICE_ID | "Q>=" INT | "Q=" INT | "(" expr ")"

Examples: ``data.pipeline OR Q>=2`` · ``dev.modular_code AND dev.config OR Q>=2`` ·
``deploy.cd AND (deploy.container OR deploy.serving) OR Q>=2`` · ``data.lineage AND Q=3``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r"\s*(?:(\()|(\))|(AND)\b|(OR)\b|Q(>=|=)(\d+)|([a-z][a-z0-9]*\.[a-z][a-z0-9_]*))")


class ExprError(ValueError):
    pass


@dataclass(frozen=True)
class PracticeAtom:
    practice: str


@dataclass(frozen=True)
class AnswerAtom:
    op: str  # ">=" or "="
    value: int

    def holds(self, answer: int) -> bool:
        return answer >= self.value if self.op == ">=" else answer == self.value


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


Node = PracticeAtom | AnswerAtom | And | Or


def _tokenize(text: str) -> list[tuple[str, object]]:
    tokens: list[tuple[str, object]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"unexpected {text[pos:].strip()[:20]!r} at column {pos + 1}")
        lp, rp, and_, or_, qop, qval, pid = m.groups()
        if lp:
            tokens.append(("(", None))
        elif rp:
            tokens.append((")", None))
        elif and_:
            tokens.append(("AND", None))
        elif or_:
            tokens.append(("OR", None))
        elif qop:
            tokens.append(("Q", AnswerAtom(qop, int(qval))))
        else:
            tokens.append(("P", PracticeAtom(pid)))
        pos = m.end()
    return tokens


@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """The expression's tree; cached, the nodes are immutable (scoring a fleet parses the same
    few hundred expressions once per repository otherwise)."""
    tokens = _tokenize(text)
    if not tokens:
        raise ExprError("empty expression")
    pos = 0

    def peek() -> str | None:
        return tokens[pos][0] if pos < len(tokens) else None

    def expr() -> Node:
        nonlocal pos
        items = [term()]
        while peek() == "OR":
            pos += 1
            items.append(term())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def term() -> Node:
        nonlocal pos
        items = [factor()]
        while peek() == "AND":
            pos += 1
            items.append(factor())
        return items[0] if len(items) == 1 else And(tuple(items))

    def factor() -> Node:
        nonlocal pos
        kind = peek()
        if kind == "(":
            pos += 1
            node = expr()
            if peek() != ")":
                raise ExprError("missing ')'")
            pos += 1
            return node
        if kind in ("P", "Q"):
            node = tokens[pos][1]
            pos += 1
            return node  # type: ignore[return-value]
        raise ExprError("expected a practice id, Q>=n, Q=n or '('" + ("" if kind is None else f", found {kind}"))

    node = expr()
    if pos != len(tokens):
        raise ExprError(f"unexpected {tokens[pos][0]} after a complete expression")
    return node


def practices_in(node: Node) -> list[str]:
    if isinstance(node, PracticeAtom):
        return [node.practice]
    if isinstance(node, AnswerAtom):
        return []
    out: list[str] = []
    for item in node.items:
        for p in practices_in(item):
            if p not in out:
                out.append(p)
    return out


def answer_atoms(node: Node) -> list[AnswerAtom]:
    if isinstance(node, AnswerAtom):
        return [node]
    if isinstance(node, PracticeAtom):
        return []
    return [a for item in node.items for a in answer_atoms(item)]


def render(node: Node) -> str:
    if isinstance(node, PracticeAtom):
        return node.practice
    if isinstance(node, AnswerAtom):
        return f"Q{node.op}{node.value}"
    sep = " AND " if isinstance(node, And) else " OR "
    parts = [f"({render(i)})" if isinstance(node, And) and isinstance(i, Or) else render(i) for i in node.items]
    return sep.join(parts)
