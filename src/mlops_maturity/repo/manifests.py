"""Dependency manifests, read statically, each dependency with its file and line.

requirements*.txt (with `-r`/`-c` includes), pyproject.toml (PEP 621, PEP 735 dependency
groups, Poetry, PDM, uv), setup.cfg, setup.py (via `ast`, never executed), conda
environment files, Pipfile. Lock files are recognised by name.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from ..util import yamlsafe
from ..util.lazyre import lazy_re

LOCK_FILE_NAMES = frozenset(
    {"poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "conda-lock.yml", "conda-lock.yaml", "pixi.lock",
     # R (renv::restore) and Julia (Pkg.instantiate) projects pin their environment the same way
     "renv.lock", "Manifest.toml"}
)
_LOCK_SUFFIXES = (".conda-lock.yml", ".conda-lock.yaml")


def is_lock_file(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base in LOCK_FILE_NAMES or base.endswith(_LOCK_SUFFIXES) or bool(
        re.fullmatch(r"conda-[\w.-]+\.lock", base)
    )


def normalize(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Dependency:
    name: str  # PEP 503 normalized
    raw: str  # the requirement as written
    path: str
    line: int
    pinned: bool  # an exact version (==, ===, conda `=x.y`), or a VCS URL at a ref
    kind: str  # requirements | pyproject | setup.py | setup.cfg | conda | pipfile
    group: str = ""  # "" for the main dependencies, else the group/extra/section name


@dataclass(frozen=True)
class RequirementsFile:
    path: str
    deps: tuple[Dependency, ...]
    includes: tuple[tuple[str, int], ...]  # (-r target as written, line)
    constraints: tuple[tuple[str, int], ...]  # (-c target, line)
    local: tuple[int, ...]  # lines installing local paths (-e ., ./pkg)


_REQ_NAME = lazy_re(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


# Refs that name a moving branch, not a fixed revision: a VCS URL at one installs whatever the
# branch holds on the day (`pkg @ git+https://host/org/pkg@master`).
_MOVING_REF = lazy_re(r"(?i)main|master|develop|development|dev|trunk|head|default|nightly|latest")


def _vcs_ref_pinned(url: str) -> bool:
    """A VCS URL at an explicit ref that is not a moving branch name (a commit, a tag). The user
    of an ssh URL (`git+ssh://git@host/org/pkg.git`) is not a ref."""
    rest = url.split("#", 1)[0].split("://", 1)[-1]
    if "@" in rest.split("/", 1)[0]:
        rest = rest.split("@", 1)[1]
    m = re.search(r"@([\w.\-/]+)$", rest)
    return bool(m) and not _MOVING_REF.fullmatch(m.group(1))


def _pinned_spec(spec: str) -> bool:
    spec = spec.split(";", 1)[0].strip()
    if spec.startswith("@"):
        url = spec[1:].strip()
        # a VCS URL at a fixed ref, or a direct archive URL
        return _vcs_ref_pinned(url) or url.endswith((".whl", ".tar.gz", ".zip"))
    m = re.search(r"===?\s*([^,\s;]+)", spec)
    return bool(m) and "*" not in m.group(1) and "," not in spec


def parse_requirement(text: str) -> tuple[str, bool] | None:
    """(normalized name, pinned) for one PEP 508 requirement string, None if not one."""
    m = _REQ_NAME.match(text)
    if not m:
        return None
    return normalize(m.group(1)), _pinned_spec(m.group(3))


def parse_requirements(path: str, text: str) -> RequirementsFile:
    deps: list[Dependency] = []
    includes: list[tuple[str, int]] = []
    constraints: list[tuple[str, int]] = []
    local: list[int] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start = i
        line = lines[i]
        while line.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line.rstrip()[:-1] + " " + lines[i]
        i += 1
        s = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not s:
            continue
        ln = start + 1
        if s.startswith(("-r", "--requirement")):
            includes.append((re.sub(r"^(-r|--requirement)[\s=]*", "", s).strip(), ln))
            continue
        if s.startswith(("-c", "--constraint")):
            constraints.append((re.sub(r"^(-c|--constraint)[\s=]*", "", s).strip(), ln))
            continue
        if s.startswith(("-e", "--editable")):
            target = re.sub(r"^(-e|--editable)[\s=]*", "", s).strip()
            if target.startswith((".", "/", "file:")):
                local.append(ln)
                continue
            m = re.search(r"#egg=([\w.-]+)", line)
            name = normalize(m.group(1)) if m else target
            deps.append(Dependency(name, s, path, ln, _vcs_ref_pinned(target), "requirements"))
            continue
        if s.startswith("-"):
            continue  # --index-url, --hash only lines, --find-links ...
        if s.startswith((".", "/")) or s.startswith("file:"):
            local.append(ln)
            continue
        if re.match(r"^(git\+|hg\+|svn\+|bzr\+|https?://)", s):
            m = re.search(r"#egg=([\w.-]+)", s)
            if m:
                deps.append(Dependency(normalize(m.group(1)), s, path, ln, _pinned_spec("@" + s), "requirements"))
            continue
        s = s.split(" --hash", 1)[0].strip()
        parsed = parse_requirement(s)
        if parsed:
            deps.append(Dependency(parsed[0], s, path, ln, parsed[1], "requirements"))
    return RequirementsFile(path, tuple(deps), tuple(includes), tuple(constraints), tuple(local))


def _line_for(lines: list[str], needles: list[str], default: int = 1) -> int:
    for needle in needles:
        for i, line in enumerate(lines):
            if needle in line:
                return i + 1
    return default


def _pep508_deps(items: Any, path: str, lines: list[str], kind: str, group: str) -> list[Dependency]:
    out = []
    if not isinstance(items, list):
        return out
    for item in items:
        if not isinstance(item, str):
            continue
        parsed = parse_requirement(item)
        if parsed:
            ln = _line_for(lines, [f'"{item}"', f"'{item}'", item])
            out.append(Dependency(parsed[0], item, path, ln, parsed[1], kind, group))
    return out


def _poetry_deps(table: Any, path: str, lines: list[str], group: str) -> list[Dependency]:
    out = []
    if not isinstance(table, dict):
        return out
    for name, spec in table.items():
        if not isinstance(name, str) or name.lower() == "python":
            continue
        version = spec.get("version", "") if isinstance(spec, dict) else spec
        pinned = False
        if isinstance(spec, dict) and ("rev" in spec or "tag" in spec):
            pinned = True
        elif isinstance(version, str):
            v = version.strip()
            pinned = bool(re.fullmatch(r"(==\s*)?\d[\w.+-]*", v)) and "*" not in v
        ln = _line_for(lines, [f"{name} =", f'"{name}" =', f"{name}="])
        out.append(Dependency(normalize(name), f"{name} = {spec!r}", path, ln, pinned, "pyproject", group))
    return out


def parse_pyproject(path: str, text: str) -> list[Dependency]:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return []
    lines = text.splitlines()
    out: list[Dependency] = []
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    out += _pep508_deps(project.get("dependencies"), path, lines, "pyproject", "")
    opt = project.get("optional-dependencies")
    if isinstance(opt, dict):
        for g, items in opt.items():
            out += _pep508_deps(items, path, lines, "pyproject", str(g))
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for g, items in groups.items():
            out += _pep508_deps(items, path, lines, "pyproject", str(g))
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    out += _poetry_deps(poetry.get("dependencies"), path, lines, "")
    out += _poetry_deps(poetry.get("dev-dependencies"), path, lines, "dev")
    if isinstance(poetry.get("group"), dict):
        for g, tbl in poetry["group"].items():
            if isinstance(tbl, dict):
                out += _poetry_deps(tbl.get("dependencies"), path, lines, str(g))
    pdm = tool.get("pdm") if isinstance(tool.get("pdm"), dict) else {}
    if isinstance(pdm.get("dev-dependencies"), dict):
        for g, items in pdm["dev-dependencies"].items():
            out += _pep508_deps(items, path, lines, "pyproject", str(g))
    uv = tool.get("uv") if isinstance(tool.get("uv"), dict) else {}
    out += _pep508_deps(uv.get("dev-dependencies"), path, lines, "pyproject", "dev")
    return out


def parse_setup_cfg(path: str, text: str) -> list[Dependency]:
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cp.read_string(text)
    except (configparser.Error, ValueError):
        return []
    lines = text.splitlines()
    out: list[Dependency] = []

    def items(value: str, group: str) -> None:
        for item in value.splitlines():
            item = item.split("#", 1)[0].strip()
            parsed = parse_requirement(item) if item else None
            if parsed:
                out.append(Dependency(parsed[0], item, path, _line_for(lines, [item]), parsed[1], "setup.cfg", group))

    if cp.has_option("options", "install_requires"):
        items(cp.get("options", "install_requires"), "")
    if cp.has_section("options.extras_require"):
        for g, v in cp.items("options.extras_require"):
            items(v, g)
    return out


def parse_setup_py(path: str, text: str) -> list[Dependency]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    assigned: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned[node.targets[0].id] = node.value
    out: list[Dependency] = []

    def strings(node: ast.AST | None, group: str) -> None:
        if isinstance(node, ast.Name):
            node = assigned.get(node.id)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for elt in node.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    parsed = parse_requirement(elt.value)
                    if parsed:
                        out.append(Dependency(parsed[0], elt.value, path, elt.lineno, parsed[1], "setup.py", group))
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and isinstance(k.value, str):
                    strings(v, k.value)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fname = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if fname != "setup":
                continue
            for kw in node.keywords:
                if kw.arg == "install_requires":
                    strings(kw.value, "")
                elif kw.arg == "extras_require":
                    strings(kw.value, "extras")
                elif kw.arg == "tests_require":
                    strings(kw.value, "test")
    return out


def _conda_pinned(spec: str) -> bool:
    spec = spec.split("::", 1)[-1].strip()
    m = re.match(r"^[A-Za-z0-9][\w.-]*\s*(.*)$", spec)
    if not m:
        return False
    rest = m.group(1).strip()
    return bool(re.match(r"^(==?|\s)\s*\d", rest)) and not re.search(r"[<>]|\*$", rest)


def parse_environment_yml(path: str, text: str) -> list[Dependency] | None:
    """None when the file is not a conda environment (no `dependencies` list)."""
    try:
        data = yamlsafe.load(text)
    except yamlsafe.YamlError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        return None
    items = data["dependencies"]
    out: list[Dependency] = []
    lines_ = getattr(items, "item_lines", [])
    for idx, item in enumerate(items):
        ln = lines_[idx] if idx < len(lines_) else 1
        if isinstance(item, str):
            name = re.split(r"[\s=<>!~]", item.split("::", 1)[-1].strip(), 1)[0]
            if name:
                out.append(Dependency(normalize(name), item, path, ln, _conda_pinned(item), "conda"))
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            pip = item["pip"]
            pl = getattr(pip, "item_lines", [])
            for j, p in enumerate(pip):
                if not isinstance(p, str):
                    continue
                pln = pl[j] if j < len(pl) else ln
                if p.strip().startswith("-"):
                    continue
                parsed = parse_requirement(p)
                if parsed:
                    out.append(Dependency(parsed[0], p, path, pln, parsed[1], "conda", "pip"))
    return out


def parse_pipfile(path: str, text: str) -> list[Dependency]:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return []
    lines = text.splitlines()
    out: list[Dependency] = []
    for section, group in (("packages", ""), ("dev-packages", "dev")):
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        for name, spec in table.items():
            version = spec.get("version", "") if isinstance(spec, dict) else spec
            pinned = isinstance(version, str) and bool(re.fullmatch(r"==\s*[\w.+-]+", version.strip()))
            ln = _line_for(lines, [f"{name} =", f'"{name}" =', f"{name}="])
            out.append(Dependency(normalize(name), f"{name} = {spec!r}", path, ln, pinned, "pipfile", group))
    return out


def is_requirements_name(rel: str) -> bool:
    """requirements.txt, requirements-dev.txt, dev-requirements.txt, requirements/base.txt,
    requirements.in (pip-tools input)."""
    base = rel.rsplit("/", 1)[-1].lower()
    parent = rel.rsplit("/", 2)[-2].lower() if "/" in rel else ""
    if base.endswith((".txt", ".in")) and "requirement" in base:
        return True
    return parent in ("requirements", "reqs") and base.endswith((".txt", ".in"))


def is_environment_name(rel: str) -> bool:
    base = rel.rsplit("/", 1)[-1].lower()
    return base.endswith((".yml", ".yaml")) and (
        base.startswith(("environment", "conda", "env")) and "lock" not in base
    )
