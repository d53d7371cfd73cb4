"""The one way this project reads YAML.

`yaml.safe_load` is not enough: a few hundred bytes of aliases expand to millions of nodes.
This loader rejects aliases outright, caps the input size, the node count and the nesting
depth, refuses non-standard tags (SafeLoader already does), and rejects duplicate keys.
Mappings come back as `LineDict`, which remembers the 1-based line of each key, so that
callers can cite `path:line` evidence.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 100


class YamlError(ValueError):
    """Input that is not acceptable YAML; the message is one line, without a traceback."""


class LineDict(dict):
    """A dict that also knows the line of each of its keys (1-based) and its own line."""

    __slots__ = ("key_lines", "line", "value_lines")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}
        self.line: int = 0
        # Line where each value's content starts: the line after the key for block scalars
        # (`run: |`), so that callers can cite the exact line of a multi-line command.
        self.value_lines: dict[Any, int] = {}

    def line_of(self, key: Any, default: int | None = None) -> int | None:
        return self.key_lines.get(key, default)


class LineList(list):
    __slots__ = ("item_lines", "line")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []
        self.line: int = 0


class _Loader(yaml.SafeLoader):
    def __init__(self, stream: str, max_aliases: int = 0) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0
        self._aliases = 0
        self._max_aliases = max_aliases

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            if self._max_aliases <= 0:
                raise YamlError(f"line {event.start_mark.line + 1}: YAML aliases are not accepted")
            self._aliases += 1
            if self._aliases > self._max_aliases:
                raise YamlError(f"line {event.start_mark.line + 1}: more than {self._max_aliases} YAML aliases")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise YamlError(f"more than {MAX_NODES} YAML nodes")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlError(f"YAML nested deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        if not isinstance(node, MappingNode):  # `!!set a`, `!!set [x]`: a mapping's tag on something else
            raise YamlError(f"line {node.start_mark.line + 1}: expected a mapping, found {node.id}")
        self.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise YamlError(f"line {key_node.start_mark.line + 1}: unhashable mapping key") from None
            if key in result:
                raise YamlError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
            block = isinstance(value_node, ScalarNode) and value_node.style in ("|", ">")
            result.value_lines[key] = value_node.start_mark.line + (2 if block else 1)
        return result

    def construct_sequence(self, node: Node, deep: bool = False) -> LineList:  # type: ignore[override]
        if not isinstance(node, SequenceNode):
            raise YamlError(f"line {node.start_mark.line + 1}: expected a sequence, found {node.id}")
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        result.line = node.start_mark.line + 1
        return result


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_sequence)


class _TolerantLoader(_Loader):
    """Reads application tags (GitLab `!reference`, CloudFormation `!Ref`) as plain data."""


def _construct_unknown(loader: _Loader, suffix: str, node: Node) -> Any:
    if isinstance(node, MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_TolerantLoader.add_multi_constructor("!", _construct_unknown)


def _expanded_size(root: Node, limit: int) -> int:
    """Nodes counted as many times as aliases repeat them: what a consumer walking the
    data would visit. Raises on a recursive alias, which would make that walk endless."""
    memo: dict[int, int] = {}
    on_stack: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        if key in on_stack:
            raise YamlError(f"line {node.start_mark.line + 1}: recursive YAML alias")
        on_stack.add(key)
        total = 1
        if isinstance(node, MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
                if total > limit:
                    break
        elif isinstance(node, SequenceNode):
            for child in node.value:
                total += size(child)
                if total > limit:
                    break
        on_stack.discard(key)
        memo[key] = total
        return total

    return size(root)


_CLoader = getattr(yaml, "CSafeLoader", None)


def _check_graph(root: Node, max_aliases: int) -> int:
    """Limits for a node graph composed by libyaml: an alias shows there as a node met twice.

    Counts nodes and depth without recursion, rejects aliases (or allows `max_aliases` of them,
    the expansion then being checked by `_expanded_size`). Returns how many aliases it met."""
    seen: set[int] = set()
    aliases = 0
    nodes = 0
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        key = id(node)
        if key in seen:
            if max_aliases <= 0:
                raise YamlError(f"line {node.start_mark.line + 1}: YAML aliases are not accepted")
            aliases += 1
            if aliases > max_aliases:
                raise YamlError(f"line {node.start_mark.line + 1}: more than {max_aliases} YAML aliases")
            continue
        seen.add(key)
        nodes += 1
        if nodes > MAX_NODES:
            raise YamlError(f"more than {MAX_NODES} YAML nodes")
        if depth > MAX_DEPTH:
            raise YamlError(f"YAML nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, MappingNode):
            for k, v in node.value:
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
        elif isinstance(node, SequenceNode):
            for child in node.value:
                stack.append((child, depth + 1))
    return aliases


def _fast_docs(text: str, *, single: bool, max_aliases: int, tolerate_tags: bool, max_documents: int = 1000) -> list[Any]:
    """Parse and compose in C (libyaml), check the graph, construct in Python (line-aware)."""
    parser = _CLoader(text)  # type: ignore[misc]
    constructor = (_TolerantLoader if tolerate_tags else _Loader)("", max_aliases)
    try:
        nodes: list[Node] = []
        if single:
            node = parser.get_single_node()
            nodes = [node] if node is not None else []
        else:
            while parser.check_node():
                nodes.append(parser.get_node())
                if len(nodes) > max_documents:
                    raise YamlError(f"more than {max_documents} YAML documents")
        out = []
        for node in nodes:
            # Without aliases the graph is a tree of at most MAX_NODES nodes: nothing to expand.
            if _check_graph(node, max_aliases) and _expanded_size(node, MAX_NODES) > MAX_NODES:
                raise YamlError(f"YAML aliases expand to more than {MAX_NODES} nodes")
            out.append(constructor.construct_document(node))
        if single:
            return out or [None]
        return out
    finally:
        parser.dispose()
        constructor.dispose()


def _single(loader: _Loader, max_aliases: int) -> Any:
    if max_aliases <= 0:
        return loader.get_single_data()
    node = loader.get_single_node()
    if node is None:
        return None
    if _expanded_size(node, MAX_NODES) > MAX_NODES:
        raise YamlError(f"YAML aliases expand to more than {MAX_NODES} nodes")
    return loader.construct_document(node)


def load(
    text: str | bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_aliases: int = 0,
    tolerate_tags: bool = False,
) -> Any:
    """Parse one YAML document. Raises YamlError with a one-line message.

    Strict by default. For files from scanned repositories that legitimately use anchors
    (`.gitlab-ci.yml`), `max_aliases` allows that many aliases, provided the document they
    expand to stays under MAX_NODES nodes. `tolerate_tags` reads application tags
    (`!reference`, `!Ref`) as plain strings, lists and dicts instead of rejecting them.
    """
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise YamlError(f"larger than {max_bytes} bytes")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise YamlError("not valid UTF-8") from None
    if len(text) > max_bytes:
        raise YamlError(f"larger than {max_bytes} bytes")
    loader = None
    try:
        if _CLoader is not None:
            return _fast_docs(text, single=True, max_aliases=max_aliases, tolerate_tags=tolerate_tags)[0]
        loader = (_TolerantLoader if tolerate_tags else _Loader)(text, max_aliases)
        return _single(loader, max_aliases)
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise YamlError(f"{where}{exc.problem or exc.context or 'invalid YAML'}") from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML") from None
    except RecursionError:
        raise YamlError("YAML nested too deeply") from None
    except UnicodeEncodeError:  # a str holding a lone surrogate
        raise YamlError("not valid Unicode (a lone surrogate)") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_all(
    text: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_documents: int = 1000,
    max_aliases: int = 0,
    tolerate_tags: bool = False,
) -> list[Any]:
    """Parse a multi-document stream (Kubernetes manifests). Same limits, per stream;
    `max_aliases` and `tolerate_tags` as in `load` (the alias budget is per stream)."""
    if len(text) > max_bytes:
        raise YamlError(f"larger than {max_bytes} bytes")
    loader = None
    docs: list[Any] = []
    try:
        if _CLoader is not None:
            return _fast_docs(text, single=False, max_aliases=max_aliases, tolerate_tags=tolerate_tags, max_documents=max_documents)
        loader = (_TolerantLoader if tolerate_tags else _Loader)(text, max_aliases)
        while loader.check_node():
            node = loader.get_node()
            if max_aliases > 0 and _expanded_size(node, MAX_NODES) > MAX_NODES:
                raise YamlError(f"YAML aliases expand to more than {MAX_NODES} nodes")
            docs.append(loader.construct_document(node))
            if len(docs) > max_documents:
                raise YamlError(f"more than {max_documents} YAML documents")
        return docs
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise YamlError(f"{where}{exc.problem or exc.context or 'invalid YAML'}") from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML") from None
    except RecursionError:
        raise YamlError("YAML nested too deeply") from None
    except UnicodeEncodeError:  # a str holding a lone surrogate
        raise YamlError("not valid Unicode (a lone surrogate)") from None
    finally:
        if loader is not None:
            loader.dispose()


def plain(value: Any) -> Any:
    """LineDict/LineList back to plain dict/list (for pydantic or JSON)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
