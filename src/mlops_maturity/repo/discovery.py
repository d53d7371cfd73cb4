"""Which files of a repository are its own: discovery with the safety rules applied.

In a git work tree the file list comes from git (tracked + untracked-not-ignored); elsewhere,
or when git fails, from an `os.scandir` walk honouring `.gitignore` files (gitignore.py). Either way the same
rules then apply: vendored and generated trees are skipped (counted, with a reason), symlinks
that leave the root are not followed, loops are detected, special files are skipped, and files
over the size cap are listed as skipped without being read. Nothing here is fatal.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..model.evidence import SkippedFile
from . import gitinfo
from .gitignore import GitIgnore
from .manifests import normalize

DEFAULT_MAX_FILE_BYTES = 1 << 20
# Notebooks carry their outputs (images as base64): their code cells fit the normal cap, the
# file often does not. They get a larger cap of their own.
NOTEBOOK_MAX_BYTES = 16 << 20


def size_cap(rel: str, max_file_bytes: int) -> int:
    """The byte cap for one file: the scan's cap, or the notebook cap for .ipynb files."""
    return max(max_file_bytes, NOTEBOOK_MAX_BYTES) if rel.lower().endswith(".ipynb") else max_file_bytes

# Directory names that are never the project's own code. Checked on every path component.
VENDORED_DIRS: dict[str, str] = {
    ".git": "version control metadata",
    ".hg": "version control metadata",
    ".svn": "version control metadata",
    "node_modules": "vendored dependencies (node_modules)",
    "bower_components": "vendored dependencies (bower_components)",
    "site-packages": "installed packages (site-packages)",
    "dist-packages": "installed packages (dist-packages)",
    ".venv": "virtual environment",
    "venv": "virtual environment",
    "__pycache__": "bytecode cache",
    ".tox": "tool cache (.tox)",
    ".nox": "tool cache (.nox)",
    ".mypy_cache": "tool cache (.mypy_cache)",
    ".pytest_cache": "tool cache (.pytest_cache)",
    ".ruff_cache": "tool cache (.ruff_cache)",
    ".hypothesis": "tool cache (.hypothesis)",
    ".ipynb_checkpoints": "notebook checkpoints",
    ".eggs": "build output (.eggs)",
    "build": "build output",
    "dist": "build output",
    "_build": "build output",
    ".idea": "editor settings",
    ".vscode-test": "editor test downloads",
}
_VENDORED_SUFFIXES = (".egg-info", ".dist-info")
# Top-level packages of widely used ML libraries. A package of that name nested inside the
# project (annotator/uniformer/mmcv/__init__.py) is a copy of the library, not the project's
# code; at the root or under src/ (the library's own repository or a fork of it) it is kept.
# Only names a project would not give a package of its own: not `transformers` (a project's
# scikit-learn-style feature transformers, mypkg/features/transformers/) nor `apex`.
VENDORED_LIBRARIES = frozenset(
    """mmcv mmdet mmseg mmpose mmengine mmcls mmpretrain mmaction mmocr mmdet3d timm detectron2
    fairseq diffusers pytorch_lightning torchvision tensorboardX basicsr kornia
    segmentation_models_pytorch open_clip fastai""".split()
)
_LIBRARY_PARENTS_KEPT = frozenset({"src", "lib", "python", "packages"})
# The distribution name a root setup.py / setup.cfg / pyproject.toml declares (`name="DeOldify"`).
_PROJECT_NAME = re.compile(r"""^\s*name\s*=\s*["']?([A-Za-z0-9][\w.-]*)""", re.M)
_PACKAGING_FILES = ("setup.py", "setup.cfg", "pyproject.toml")



class FileInfo:
    """A discovered regular file. `real` is where to open it (a symlink's resolved target).
    A plain slotted class: one is built per file, and a frozen dataclass costs 3x more."""

    __slots__ = ("rel", "real", "size")

    def __init__(self, rel: str, real: str, size: int) -> None:
        self.rel = rel
        self.real = real
        self.size = size

    def __repr__(self) -> str:
        return f"FileInfo({self.rel!r}, size={self.size})"


@dataclass
class Discovery:
    root: Path
    files: dict[str, FileInfo] = field(default_factory=dict)
    skipped: list[SkippedFile] = field(default_factory=list)
    commit: str | None = None
    via_git: bool = False
    # Problems that mean part of the repository could not be looked at (unreadable dirs).
    incomplete: list[str] = field(default_factory=list)


def vendored_reason(name: str, abs_dir: str | None = None) -> str | None:
    """Why a directory named `name` is skipped, or None. `abs_dir` lets a virtualenv with an
    ordinary name (`env/`, `.env3/`) be recognised by its pyvenv.cfg."""
    reason = VENDORED_DIRS.get(name)
    if reason:
        return reason
    if name.endswith(_VENDORED_SUFFIXES):
        return "packaging metadata"
    if abs_dir is not None and os.path.isfile(os.path.join(abs_dir, "pyvenv.cfg")):
        return "virtual environment"
    return None


def _within(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


class _Walker:
    def __init__(self, root: Path, max_file_bytes: int) -> None:
        self.root = root
        self.root_real = os.path.realpath(root)
        self.max = max_file_bytes
        self.result = Discovery(root=root)
        self._venv_cache: dict[str, str | None] = {}
        # Folders holding a packaging file, when the listing is known up front (git): the others
        # need no look for a library repository's copy.
        self._packaging_dirs: set[str] | None = None

    # -- shared per-file rules -------------------------------------------------------------
    def skip(self, rel: str, reason: str) -> None:
        self.result.skipped.append(SkippedFile(path=rel, reason=reason))

    def add_file(self, rel: str, abs_path: str, entry: os.DirEntry[str] | None = None) -> None:
        try:
            st = entry.stat(follow_symlinks=False) if entry is not None else os.lstat(abs_path)
        except FileNotFoundError:
            return  # listed by git but deleted from the work tree: nothing to read
        except OSError as exc:
            self.skip(rel, f"unreadable: {exc.strerror or exc}")
            self.result.incomplete.append(rel)
            return
        real = abs_path
        if stat.S_ISLNK(st.st_mode):
            try:
                target = os.path.realpath(abs_path, strict=True)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    self.skip(rel, "symlink loop")
                else:
                    self.skip(rel, "broken symlink")
                return
            if not _within(target, self.root_real):
                self.skip(rel, "symlink outside the repository (not followed)")
                return
            try:
                st = os.stat(target)
            except OSError as exc:
                self.skip(rel, f"unreadable: {exc.strerror or exc}")
                return
            if stat.S_ISDIR(st.st_mode):
                self.skip(rel, "symlink to a directory (not followed)")
                return
            real = target
        if stat.S_ISDIR(st.st_mode):
            return  # a submodule (gitlink) listed by git: not this repository's files
        if not stat.S_ISREG(st.st_mode):
            self.skip(rel, "not a regular file (FIFO, socket or device)")
            return
        if st.st_size > self.max:  # the notebook cap is larger: only then worth computing
            cap = size_cap(rel, self.max)
            if st.st_size > cap:
                self.skip(rel, f"over size cap ({st.st_size} bytes > {cap})")
                return
        self.result.files[rel] = FileInfo(rel, real, st.st_size)

    def project_name(self) -> str | None:
        """The distribution name the repository root's packaging declares, or None (read once,
        bounded, only when a root folder is named for a known library)."""
        if not hasattr(self, "_project_name"):
            self._project_name: str | None = self._declared_name("")
        return self._project_name

    def _declared_name(self, rel_dir: str) -> str | None:
        """The distribution name the packaging file of directory `rel_dir` declares, or None."""
        for fname in _PACKAGING_FILES:
            try:  # never through a symlink, never anything but a regular file
                fd = os.open(os.path.join(self.root, rel_dir, fname), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
            except OSError:
                continue
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    continue
                text = os.read(fd, 64 << 10).decode("utf-8", "replace")
            except OSError:
                continue
            finally:
                os.close(fd)
            m = _PROJECT_NAME.search(text)
            if m:
                return m.group(1)
        return None

    def vendored(self, rel_dir: str) -> str | None:
        """Reason to skip the directory `rel_dir` (posix, relative), or None. Cached."""
        if rel_dir in self._venv_cache:
            return self._venv_cache[rel_dir]
        parent, _, name = rel_dir.rpartition("/")
        reason = vendored_reason(name, os.path.join(self.root, rel_dir))
        if (reason is None and name in VENDORED_LIBRARIES
                and (not parent or parent.rsplit("/", 1)[-1] not in _LIBRARY_PARENTS_KEPT)
                and os.path.isfile(os.path.join(self.root, rel_dir, "__init__.py"))):
            # At the root it is the library's own repository (or a fork), unless the root's
            # packaging names another project (DeOldify shipping a copy of fastai/).
            declared = self.project_name() if not parent else None
            if parent or (declared is not None and not normalize(declared).startswith(normalize(name))):
                reason = f"vendored copy of a library ({name})"
        elif reason is None and rel_dir and (self._packaging_dirs is None or rel_dir in self._packaging_dirs):
            # A whole copy of such a library's repository pasted into a folder (fairseq_lib/ with
            # its setup.py naming fairseq, beside fairseq/, examples/, docs/): its examples, docs
            # and cards are the library's, not the project's.
            declared = self._declared_name(rel_dir)
            lib = normalize(declared).replace("-", "_") if declared else None
            if lib in VENDORED_LIBRARIES and os.path.isfile(os.path.join(self.root, rel_dir, lib, "__init__.py")):
                reason = f"vendored copy of a library repository ({lib})"
        self._venv_cache[rel_dir] = reason
        return reason

    # -- git listing -----------------------------------------------------------------------
    def from_git(self, names: list[str]) -> None:
        skipped_dirs: dict[str, tuple[str, int]] = {}
        # Whether a file is skipped depends only on its directory: decided once per directory.
        decided: dict[str, tuple[str, str] | None] = {"": None}
        self._packaging_dirs = {rel.rsplit("/", 1)[0] for rel in names
                                if "/" in rel and rel.rsplit("/", 1)[1] in _PACKAGING_FILES}
        prefix = os.path.join(os.fspath(self.root), "")
        add = self.add_file
        for rel in names:
            slash = rel.rfind("/")
            parent = rel[:slash] if slash > 0 else ""
            verdict = decided.get(parent, False)
            if verdict is False:
                verdict = self._dir_verdict(parent, decided)
            if verdict is not None:
                d, reason = verdict
                r, n = skipped_dirs.get(d, (reason, 0))
                skipped_dirs[d] = (r, n + 1)
                continue
            add(rel, prefix + rel)
        for d, (reason, n) in sorted(skipped_dirs.items()):
            self.skip(d + "/", f"{reason}: {n} file{'s' if n != 1 else ''} not scanned")

    def _dir_verdict(self, rel_dir: str, decided: dict[str, tuple[str, str] | None]) -> tuple[str, str] | None:
        """(skipped ancestor-or-self directory, reason) for files directly in `rel_dir`, or None."""
        got = decided.get(rel_dir, False)
        if got is not False:
            return got  # type: ignore[return-value]
        slash = rel_dir.rfind("/")
        parent, name = (rel_dir[:slash], rel_dir[slash + 1 :]) if slash > 0 else ("", rel_dir)
        verdict = self._dir_verdict(parent, decided)
        if verdict is None:
            reason = self.vendored(rel_dir)
            if reason and reason.startswith("build output") and name in ("build", "dist", "out"):
                # Files git lists under build/ are the project's own (Cloud Build configs,
                # deployment scripts): generated output is what .gitignore keeps out.
                reason = None
            verdict = (rel_dir, reason) if reason else None
        decided[rel_dir] = verdict
        return verdict

    # -- walk ------------------------------------------------------------------------------
    def walk(self) -> None:
        visited: set[tuple[int, int]] = set()
        try:
            st = os.stat(self.root)
            visited.add((st.st_dev, st.st_ino))
        except OSError:
            pass
        self._walk_dir(str(self.root), "", [], visited)

    def _load_ignore(self, abs_dir: str, rel_dir: str) -> GitIgnore | None:
        path = os.path.join(abs_dir, ".gitignore")
        try:
            with open(path, "rb") as fh:
                data = fh.read(1 << 20)
        except OSError:
            return None
        return GitIgnore(data.decode("utf-8", "replace").splitlines())

    @staticmethod
    def _ignored(rel: str, is_dir: bool, specs: list[tuple[str, GitIgnore]]) -> bool:
        # Deeper .gitignore files come later and take precedence only where they match;
        # a path ignored by any applicable file is left out (directories are not entered).
        for base, spec in specs:
            if spec.ignored(rel[len(base) + 1 :] if base else rel, is_dir):
                return True
        return False

    def _walk_dir(
        self,
        abs_dir: str,
        rel_dir: str,
        specs: list[tuple[str, GitIgnore]],
        visited: set[tuple[int, int]],
    ) -> None:
        loaded = self._load_ignore(abs_dir, rel_dir)
        if loaded is not None and loaded.rules:
            specs = [*specs, (rel_dir, loaded)]
        try:
            with _scandir(abs_dir) as it:
                entries = list(it)  # order does not matter: RepoView sorts the file list
        except OSError as exc:
            where = rel_dir + "/" if rel_dir else "."
            self.skip(where, f"unreadable directory: {exc.strerror or exc}")
            self.result.incomplete.append(where)
            return
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=not is_link) if not is_link else False
            except OSError:
                is_link, is_dir = False, False
            if is_link:
                try:
                    target = os.path.realpath(entry.path, strict=True)
                    target_is_dir = os.path.isdir(target)
                except OSError as exc:
                    if self._ignored(rel, False, specs):
                        continue
                    self.skip(rel, "symlink loop" if exc.errno == errno.ELOOP else "broken symlink")
                    continue
                if target_is_dir:
                    if self._ignored(rel, True, specs):
                        continue
                    if not _within(target, self.root_real):
                        self.skip(rel + "/", "symlink outside the repository (not followed)")
                        continue
                    st = os.stat(target)
                    key = (st.st_dev, st.st_ino)
                    if key in visited:
                        self.skip(rel + "/", "symlink loop")
                        continue
                    reason = self.vendored(rel)
                    if reason:
                        self.skip(rel + "/", reason)
                        continue
                    self._walk_dir(entry.path, rel, specs, visited | {key})
                    continue
                if self._ignored(rel, False, specs):
                    continue
                self.add_file(rel, entry.path)
                continue
            if is_dir:
                if entry.name == ".git":
                    continue
                if self._ignored(rel, True, specs):
                    continue
                reason = self.vendored(rel)
                if reason:
                    self.skip(rel + "/", reason)
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                    key = (st.st_dev, st.st_ino)
                except OSError:
                    key = (0, id(entry))
                if key in visited:
                    self.skip(rel + "/", "directory loop")
                    continue
                self._walk_dir(entry.path, rel, specs, visited | {key})
                continue
            if self._ignored(rel, False, specs):
                continue
            self.add_file(rel, entry.path, entry)


# Indirection so that tests can simulate an unreadable directory when running as root.
_scandir = os.scandir


def discover(root: Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, use_git: bool = True) -> Discovery:
    """List the repository's own files under `root`, applying every safety rule."""
    walker = _Walker(root, max_file_bytes)
    found = gitinfo.find_git_dir(root) if use_git else None
    if found is not None:
        walker.result.commit = gitinfo.head_commit(root)
        try:
            names = gitinfo.list_files(root)
        except gitinfo.GitError:
            names = None
        if names is not None:
            walker.result.via_git = True
            walker.from_git(names)
            return walker.result
    walker.walk()
    return walker.result
