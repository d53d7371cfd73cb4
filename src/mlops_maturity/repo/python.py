"""Python source and notebooks as facts with line numbers: imports, calls, classes, functions.

Parsed with `ast` (never imported or executed). Names are resolved through the file's imports,
so `import mlflow as mf; mf.log_metric(...)` and `from mlflow import log_metric; log_metric(...)`
both yield the call `mlflow.log_metric`. A file that does not parse (Python 2, a template, a
syntax error) falls back to a tolerant line-based regex, marked `parsed=False`.

Notebooks are parsed cell by cell (IPython magics and shell escapes blanked out), so one broken
cell does not hide the others; imports from any cell resolve names in every cell, and every
fact carries its cell number (1-based, counting all cells) and its line within that cell.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import warnings
from dataclasses import dataclass, field
from collections.abc import Iterator
from typing import Any

from ..util.lazyre import lazy_re

# A cheap pre-filter: the top-level modules a file imports, without parsing it.
_IMPORT_RE = lazy_re(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import|import[ \t]+([\w., \t]+))", re.M)
_NB_EXPORT_RE = lazy_re(r"^# In\[[ \d]*\]:?\s*$", re.M)
_CALL_RE = lazy_re(r"(?<![\w.])([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*\(")
_DEF_RE = lazy_re(r"^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)|^([ \t]*)class[ \t]+(\w+)\s*(?:\(([^)]*)\))?", re.M)


def imported_modules(text: str) -> frozenset[str]:
    """Top-level names of the modules a Python source imports (regex, no parse)."""
    mods: set[str] = set()
    for m in _IMPORT_RE.finditer(text):
        if m.group(1) is not None:
            if m.group(1) and not m.group(1).startswith("."):
                mods.add(m.group(1).split(".", 1)[0])
        else:
            for part in m.group(2).split(","):
                name = part.strip().split(" ", 1)[0].split(".", 1)[0]
                if name.isidentifier():
                    mods.add(name)
    return frozenset(mods)


def is_notebook_export(text: str) -> bool:
    """True for `jupyter nbconvert --to script` output (`# In[1]:` cell markers)."""
    return _NB_EXPORT_RE.search(text) is not None


@dataclass(frozen=True)
class Import:
    module: str  # "mlflow.sklearn" for `import mlflow.sklearn`; "mlflow" for `from mlflow import x`
    name: str | None  # the imported name for `from` imports
    bound: str  # the local name it binds
    line: int
    cell: int | None = None


@dataclass(frozen=True)
class Call:
    """A call (or a decorator). `name` is resolved through imports when its root is an
    imported name (`resolved=True`), else the dotted text as written (`parser.add_argument`)."""

    name: str
    line: int
    resolved: bool
    args: tuple[Any, ...] = ()  # literal positional args (str/int/float/bool/None), else ...
    kwargs: tuple[tuple[str, Any], ...] = ()  # literal keyword values, else ...
    cell: int | None = None

    def kwarg(self, key: str, default: Any = None) -> Any:
        for k, v in self.kwargs:
            if k == key:
                return v
        return default

    @property
    def attr(self) -> str:
        """The last component: `fit` for `model.fit`."""
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class ClassDef:
    name: str
    bases: tuple[str, ...]  # resolved like call names
    line: int
    cell: int | None = None


@dataclass(frozen=True)
class FunctionDef:
    name: str
    line: int
    trivial: bool  # body is only pass / ... / a docstring / `assert True`
    cell: int | None = None
    end: int | None = None  # last line of the body; None from the regex fallback


@dataclass
class PyFacts:
    path: str
    parsed: bool = True  # False: regex fallback (some cells, for notebooks)
    imports: list[Import] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    classes: list[ClassDef] = field(default_factory=list)
    functions: list[FunctionDef] = field(default_factory=list)
    modules: frozenset[str] = frozenset()  # top-level imported module names
    notebook_export: bool = False

    def imports_any(self, roots: set[str] | frozenset[str]) -> bool:
        return not self.modules.isdisjoint(roots)


# -- resolution ------------------------------------------------------------------------------


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        elif isinstance(node, ast.Call):
            inner = _dotted(node.func)
            if inner is None:
                return None
            parts.append(inner + "()")
            break
        else:
            return None
    return ".".join(reversed(parts))


def _literal(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool, type(None))):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        vals = [_literal(e) for e in node.elts]
        return tuple(vals)
    return ...


class _Resolver:
    def __init__(self, imports: list[Import]) -> None:
        self.aliases: dict[str, str] = {}
        for imp in imports:
            if imp.name is None:
                # `import a.b` binds `a` to module a; `import a.b as x` binds x to a.b
                self.aliases[imp.bound] = imp.module if imp.bound != imp.module.split(".")[0] else imp.bound
            elif imp.name != "*":
                self.aliases[imp.bound] = f"{imp.module}.{imp.name}"

    def resolve(self, dotted: str) -> tuple[str, bool]:
        root, _, rest = dotted.partition(".")
        target = self.aliases.get(root)
        if target is None:
            return dotted, False
        return (f"{target}.{rest}" if rest else target), True


# -- ast collection --------------------------------------------------------------------------


@dataclass
class _Raw:
    imports: list[Import] = field(default_factory=list)
    calls: list[tuple[str, int, tuple, tuple, int | None]] = field(default_factory=list)
    classes: list[tuple[str, tuple[str, ...], int, int | None]] = field(default_factory=list)
    functions: list[FunctionDef] = field(default_factory=list)
    # `arg = parser.add_argument`: a name bound to a method (a dotted attribute, not a call's
    # result), so that `arg("--lr")` is read as `parser.add_argument("--lr")`. A name bound
    # twice to different things is ambiguous and dropped (None).
    method_aliases: dict[str, str | None] = field(default_factory=dict)


def _trivial(body: list[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring or `...`
        if isinstance(stmt, ast.Assert) and isinstance(stmt.test, ast.Constant) and stmt.test.value:
            continue
        return False
    return True


_SKIP_FIELDS = frozenset({"ctx", "type_comment"})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _concrete(*bases: type) -> frozenset[type]:
    out: set[type] = set()
    todo = list(bases)
    while todo:
        cls = todo.pop()
        out.add(cls)
        todo += cls.__subclasses__()
    return frozenset(out)


# Node types that hold nothing `_collect_ast` looks for: operators and contexts, constants,
# a Name, an import alias (read from its Import node). Names are about a third of all nodes.
_LEAF_TYPES = _concrete(ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop, ast.Constant, ast.Name, ast.alias)


def _walk(tree: ast.AST) -> Iterator[ast.AST]:
    """ast.walk without the generic iter_fields machinery and without leaves (`_LEAF_TYPES`,
    tested by exact type): the walk, not the parse, dominated the time on real repositories."""
    stack = [tree]
    leaves = _LEAF_TYPES
    fields_of = _FIELDS
    while stack:
        node = stack.pop()
        yield node
        cls = node.__class__
        fields = fields_of.get(cls)
        if fields is None:
            fields = fields_of[cls] = tuple(f for f in cls._fields if f not in _SKIP_FIELDS)
        for name in fields:
            v = getattr(node, name, None)
            if v is None:
                continue
            if v.__class__ is list:
                for x in v:
                    if x.__class__ not in leaves and isinstance(x, ast.AST):
                        stack.append(x)
            elif v.__class__ not in leaves and isinstance(v, ast.AST):
                stack.append(v)


def _collect_ast(tree: ast.AST, raw: _Raw, cell: int | None, line_offset: int = 0) -> None:
    call_t, import_t, import_from_t, assign_t, attribute_t = ast.Call, ast.Import, ast.ImportFrom, ast.Assign, ast.Attribute
    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for node in _walk(tree):
        cls = node.__class__
        if cls is assign_t:
            targets = node.targets
            if len(targets) == 1 and targets[0].__class__ is ast.Name:
                key = targets[0].id
                target = _dotted(node.value) if node.value.__class__ is attribute_t else None
                if key in raw.method_aliases and raw.method_aliases[key] != target:
                    raw.method_aliases[key] = None
                else:
                    raw.method_aliases[key] = target
        elif cls is call_t:
            name = _dotted(node.func)
            if name is not None:
                args = tuple(_literal(a) for a in node.args[:8])
                kwargs = tuple((k.arg, _literal(k.value)) for k in node.keywords if k.arg)
                raw.calls.append((name, node.lineno + line_offset, args, kwargs, cell))
        elif cls is import_from_t:
            mod = "." * (node.level or 0) + (node.module or "")
            for a in node.names:
                raw.imports.append(Import(mod, a.name, a.asname or a.name, node.lineno + line_offset, cell))
        elif cls is import_t:
            for a in node.names:
                bound = a.asname or a.name.split(".", 1)[0]
                raw.imports.append(Import(a.name, None, bound, node.lineno + line_offset, cell))
        elif cls in defs:
            raw.method_aliases[node.name] = None  # a def or class of that name: not an alias
            for dec in node.decorator_list:
                if not isinstance(dec, ast.Call):  # decorator calls are visited as calls
                    name = _dotted(dec)
                    if name is not None:
                        raw.calls.append((name, dec.lineno + line_offset, (), (), cell))
            if cls is ast.ClassDef:
                bases = tuple(b for b in (_dotted(x) for x in node.bases) if b)
                raw.classes.append((node.name, bases, node.lineno + line_offset, cell))
            else:
                raw.functions.append(
                    FunctionDef(node.name, node.lineno + line_offset, _trivial(node.body), cell,
                                (node.end_lineno or node.lineno) + line_offset)
                )


def _collect_regex(text: str, raw: _Raw, cell: int | None, line_offset: int = 0) -> None:
    """Tolerant fallback for sources that do not parse."""
    for i, line in enumerate(text.splitlines()):
        ln = i + 1 + line_offset
        s = line.strip()
        if s.startswith("#"):
            continue
        m = re.match(r"from\s+(\.*[\w.]*)\s+import\s+\(?\s*([\w\s,]+)", s)
        if m:
            for part in m.group(2).split(","):
                bits = part.split()
                if bits:
                    bound = bits[2] if len(bits) >= 3 and bits[1] == "as" else bits[0]
                    raw.imports.append(Import(m.group(1), bits[0], bound, ln, cell))
            continue
        m = re.match(r"import\s+([\w.,\s]+)", s)
        if m:
            for part in m.group(1).split(","):
                bits = part.split()
                if bits and re.match(r"^[\w.]+$", bits[0]):
                    bound = bits[2] if len(bits) >= 3 and bits[1] == "as" else bits[0].split(".")[0]
                    raw.imports.append(Import(bits[0], None, bound, ln, cell))
            continue
        for cm in _CALL_RE.finditer(line):
            name = re.sub(r"\s+", "", cm.group(1))
            if name not in ("def", "class", "if", "while", "for", "print", "return"):
                raw.calls.append((name, ln, (), (), cell))
    for m in _DEF_RE.finditer(text):
        ln = text.count("\n", 0, m.start()) + 1 + line_offset
        if m.group(2):
            raw.functions.append(FunctionDef(m.group(2), ln, False, cell))
        elif m.group(4):
            bases = tuple(b.strip() for b in (m.group(5) or "").split(",") if b.strip())
            raw.classes.append((m.group(4), bases, ln, cell))


# Python 3.12 (PEP 701) lets an f-string's replacement fields hold the f-string's own quotes and
# span lines: `f"{os.path.join(d, "model.pkl")}"`. Older parsers reject the whole file. Such a
# file is parsed again with every f-string's content blanked (line numbers kept): what the
# program does outside its f-strings is still read.
_FSTRING_HINT = lazy_re(r"(?<![\w])[rR]?[fF][rR]?['\"]")


_STRING_SPECIAL = lazy_re(r"[\\\\'\"{}\n]")
_CODE_SPECIAL = lazy_re(r"[#'\"]")


def _prefix_before(text: str, i: int) -> str:
    """The string prefix (f, rb, Rf ...) just before the quote at `i`; "" when the letters there
    end a name (`elif"x"` is not an f-string)."""
    k = i
    while k > 0 and text[k - 1] in "rRbBuUfF" and i - k < 2:
        k -= 1
    if k > 0 and (text[k - 1].isalnum() or text[k - 1] == "_"):
        return ""
    return text[k:i]


def _string_end(text: str, i: int, quote: str, fmt: bool) -> int | None:
    """The index just past the string whose content starts at `i` (after its opening quote),
    or None when it is not closed. In an f-string, quotes inside replacement fields open
    strings of their own (PEP 701)."""
    depth = 0
    while True:
        m = _STRING_SPECIAL.search(text, i)
        if m is None:
            return None
        i = m.start()
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if depth == 0:
            if text.startswith(quote, i):
                return i + len(quote)
            if c == "\n" and len(quote) == 1:
                return None
            if fmt and c == "{":
                if text.startswith("{{", i):
                    i += 2
                    continue
                depth = 1
            i += 1
            continue
        if c in "'\"":
            q = text[i : i + 3] if text.startswith(c * 3, i) else c
            end = _string_end(text, i + len(q), q, "f" in _prefix_before(text, i).lower())
            if end is None:
                return None
            i = end
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1


def blank_fstrings(text: str) -> str | None:
    """`text` with the content of every f-string replaced by spaces (newlines kept, a
    single-quoted f-string spanning lines made triple-quoted), or None when it has no f-string,
    a string is not closed, or strings nest too deep."""
    if _FSTRING_HINT.search(text) is None:
        return None
    try:
        return _blank_fstrings(text)
    except RecursionError:
        return None


def _blank_fstrings(text: str) -> str | None:
    out: list[str] = []
    i = last = 0
    while True:
        m = _CODE_SPECIAL.search(text, i)
        if m is None:
            break
        i = m.start()
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            if j < 0:
                break
            i = j
            continue
        prefix = _prefix_before(text, i)
        k = i - len(prefix)
        quote = text[i : i + 3] if text.startswith(c * 3, i) else c
        fmt = "f" in prefix.lower()
        end = _string_end(text, i + len(quote), quote, fmt)
        if end is None:
            return None
        if fmt:
            body = text[i + len(quote) : end - len(quote)]
            blank = re.sub(r"[^\n]", " ", body)
            q = quote * 3 if len(quote) == 1 and "\n" in body else quote
            out.append(text[last:k] + prefix.replace("f", "").replace("F", "") + q + blank + q)
            last = end
        i = end
    out.append(text[last:])
    return "".join(out)


# PEP 695 (Python 3.12): type parameter lists after a def / class name (`class Box[T: Model]:`,
# `def first[T](xs: list[T]) -> T:`) and `type` alias statements (`type Rows[T] = list[T]`).
_TYPE_PARAMS_HINT = lazy_re(r"^[ \t]*(?:(?:async[ \t]+)?def|class)[ \t]+\w+\[|^[ \t]*type[ \t]+\w+[ \t]*[\[=]", re.M)
_TYPE_PARAMS_HEAD = lazy_re(r"^([ \t]*(?:(?:async[ \t]+)?def|class)[ \t]+\w+)\[", re.M)
_TYPE_ALIAS = lazy_re(r"^([ \t]*)type[ \t]+(\w+)(?:[ \t]*\[[^\]\n]*\])?(?=[ \t]*=)", re.M)


def blank_type_params(text: str) -> str | None:
    """`text` with PEP 695 syntax made readable by an older parser, line numbers kept: the
    type parameter list of a def / class replaced by spaces, a `type X[T] = ...` alias turned
    into the assignment `X = ...`; None when it has none."""
    if _TYPE_PARAMS_HINT.search(text) is None:
        return None
    out = list(text)
    for m in _TYPE_PARAMS_HEAD.finditer(text):
        depth, k = 0, m.end() - 1
        while k < len(text):
            ch = text[k]
            depth += (ch == "[") - (ch == "]")
            if depth == 0:
                break
            k += 1
        if depth:
            return None
        for j in range(m.end() - 1, k + 1):
            if out[j] != "\n":
                out[j] = " "
    blanked = "".join(out)

    def alias(m: re.Match[str]) -> str:
        return m.group(1) + m.group(2) + " " * (len(m.group(0)) - len(m.group(1)) - len(m.group(2)))

    return _TYPE_ALIAS.sub(alias, blanked)


# PEP 758 (Python 3.14): `except A, B:` / `except* A, B:` without parentheses (and without
# `as`). One line, no comment or string holding a colon: enough for what is written.
_BARE_EXCEPT_TUPLE = lazy_re(r"^([ \t]*except\*?[ \t]*)(?!\()([\w.]+(?:[ \t]*,[ \t]*[\w.]+)+)[ \t]*:", re.M)


def parenthesize_excepts(text: str) -> str | None:
    """`text` with PEP 758 except clauses (`except A, B:`) parenthesized for an older parser,
    line numbers kept; None when it has none."""
    if "except" not in text:
        return None
    out, n = _BARE_EXCEPT_TUPLE.subn(r"\1(\2):", text)
    return out if n else None


def parse_source(source: str) -> ast.Module | None:
    """The syntax tree of a Python source, reading Python 3.12 f-strings and type parameter
    syntax, and Python 3.14 unparenthesized except tuples, on an older parser too; None when
    it does not parse."""
    for attempt in range(2):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.
                return ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
            if attempt or sys.version_info >= (3, 14):
                return None
            rewritten = source
            if sys.version_info < (3, 12):
                rewritten = blank_fstrings(rewritten) or rewritten
                rewritten = blank_type_params(rewritten) or rewritten
            rewritten = parenthesize_excepts(rewritten) or rewritten
            if rewritten == source:
                return None
            source = rewritten
    return None


def _parse_into(source: str, raw: _Raw, cell: int | None) -> bool:
    tree = parse_source(source)
    if tree is None:
        _collect_regex(source, raw, cell)
        return False
    try:
        _collect_ast(tree, raw, cell)
    except RecursionError:
        _collect_regex(source, raw, cell)
        return False
    return True


def _finish(path: str, raw: _Raw, parsed: bool, export: bool) -> PyFacts:
    resolver = _Resolver(raw.imports)
    calls = []
    for name, line, args, kwargs, cell in raw.calls:
        method = raw.method_aliases.get(name) if "." not in name else None
        if method is not None and name not in resolver.aliases:
            name = method
        full, ok = resolver.resolve(name)
        calls.append(Call(full, line, ok, args, kwargs, cell))
    classes = [
        ClassDef(n, tuple(resolver.resolve(b)[0] for b in bases), line, cell)
        for n, bases, line, cell in raw.classes
    ]
    mods = frozenset(
        i.module.split(".", 1)[0] for i in raw.imports if i.module and not i.module.startswith(".")
    )
    calls.sort(key=lambda c: (c.cell or 0, c.line))
    return PyFacts(
        path=path,
        parsed=parsed,
        imports=sorted(raw.imports, key=lambda i: (i.cell or 0, i.line)),
        calls=calls,
        classes=sorted(classes, key=lambda c: (c.cell or 0, c.line)),
        functions=sorted(raw.functions, key=lambda f: (f.cell or 0, f.line)),
        modules=mods,
        notebook_export=export,
    )


# Project templates (copier, cookiecutter) keep Jinja in their Python files: block tags on their
# own lines (`{%- if tuning %}`), inline tags, and expressions inside names (`{{name}}_training`).
# Such a file does not parse; read as code with the tags blanked and each expression replaced by
# its variable's name (line numbers kept), it usually does, so its imports and calls resolve.
_JINJA_NEEDLES = ("{%", "{{")
_JINJA_TAG = lazy_re(r"\{%-?.*?-?%\}|\{#.*?#\}")
_JINJA_EXPR = lazy_re(r"\{\{-?\s*([A-Za-z_][\w.]*)?[^{}\n]*?-?\}\}")


def _unjinja(text: str) -> str | None:
    """`text` with Jinja tags removed and expressions turned into identifiers, or None when the
    text has no Jinja markers."""
    if not any(n in text for n in _JINJA_NEEDLES):
        return None
    out = _JINJA_TAG.sub("", text)
    return _JINJA_EXPR.sub(lambda m: (m.group(1) or "jinja_value").replace(".", "_"), out)


def parse_python(path: str, text: str) -> PyFacts:
    raw = _Raw()
    parsed = _parse_into(text, raw, None)
    if not parsed:
        plain = _unjinja(text)
        if plain is not None:
            templ = _Raw()
            if _parse_into(plain, templ, None):
                raw, parsed = templ, True
    return _finish(path, raw, parsed, is_notebook_export(text))


# -- notebooks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based position among all cells
    kind: str  # "code", "markdown", "raw"
    source: str


class NotebookError(ValueError):
    pass


def notebook_cells(text: str) -> list[Cell]:
    """The cells of an .ipynb (nbformat 3 or 4). Raises NotebookError when not a notebook."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise NotebookError("not valid JSON") from None
    if not isinstance(data, dict):
        raise NotebookError("not a notebook (top level is not an object)")
    cells = data.get("cells")
    if cells is None and isinstance(data.get("worksheets"), list):
        cells = [c for ws in data["worksheets"] if isinstance(ws, dict) for c in ws.get("cells") or []]
    if not isinstance(cells, list):
        raise NotebookError("not a notebook (no cells)")
    out: list[Cell] = []
    for i, c in enumerate(cells, start=1):
        if not isinstance(c, dict):
            continue
        src = c.get("source", c.get("input", ""))
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
        if not isinstance(src, str):
            src = ""
        out.append(Cell(i, str(c.get("cell_type", "code")), src))
    return out


_MAGIC = lazy_re(r"^\s*[%!?]|^\s*\w+\s*=\s*!|.*\?\s*$")
# Cell magics whose body is Python run in the kernel (timed, captured, profiled).
_PYTHON_CELL_MAGIC = lazy_re(r"^\s*%%(time|timeit|capture|prun|debug|python3?)\b")


def _blank_magics(source: str) -> str:
    """Replace IPython magics, shell escapes and help lines with blank lines (keeps line numbers)."""
    lines = source.split("\n")
    if lines and lines[0].lstrip().startswith("%%") and not _PYTHON_CELL_MAGIC.match(lines[0]):
        return ""  # a cell magic: the whole cell is another language (or a file written out)
    return "\n".join("" if _MAGIC.match(line) else line for line in lines)


def parse_notebook(path: str, cells: list[Cell]) -> PyFacts:
    raw = _Raw()
    parsed = True
    for cell in cells:
        if cell.kind != "code" or not cell.source.strip():
            continue
        parsed &= _parse_into(_blank_magics(cell.source), raw, cell.number)
    return _finish(path, raw, parsed, False)
