"""Git, hardened: a scanned repository's own config must never run code in our process.

A repository's `.git/config` can name an fsmonitor, hooks, diff or filter drivers, all of which
git would execute. Every call goes through `run_git`, which disables the ones that apply to
read-only commands and ignores system and global config. The HEAD commit is read from the
files under `.git` directly where possible; git is only the fallback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..util.lazyre import lazy_re

GIT_TIMEOUT = 60
_SHA = lazy_re(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_HARDENING = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "--no-optional-locks")


class GitError(RuntimeError):
    """git is missing, refused the repository, or failed: the caller falls back to a walk."""


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        LC_ALL="C",
    )
    return env


def run_git(cwd: Path, *args: str, timeout: float = GIT_TIMEOUT) -> bytes:
    """Run one hardened read-only git command in `cwd`; stdout bytes, or GitError."""
    try:
        proc = subprocess.run(
            ["git", *_HARDENING, *args],
            cwd=cwd,
            env=git_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"git {args[0]}: {exc}") from None
    if proc.returncode != 0:
        first = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]}: {first[0] if first else 'exit ' + str(proc.returncode)}")
    return proc.stdout


def find_git_dir(start: Path) -> tuple[Path, Path] | None:
    """(work tree top, git dir) for the work tree containing `start`, found by looking for
    `.git` upwards; handles `.git` files (worktrees, submodules). None when not in one."""
    cur = start
    for _ in range(256):
        dotgit = cur / ".git"
        try:
            if dotgit.is_dir():
                return cur, dotgit
            if dotgit.is_file():
                text = dotgit.read_text("utf-8", "replace")[:4096].strip()
                if text.startswith("gitdir:"):
                    target = Path(text[len("gitdir:") :].strip())
                    if not target.is_absolute():
                        target = (cur / target).resolve()
                    if target.is_dir():
                        return cur, target
        except OSError:
            return None
        if cur.parent == cur:
            return None
        cur = cur.parent
    return None


def _read_small(path: Path, limit: int = 1 << 16) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", "replace")
    except OSError:
        return None


def _common_dir(git_dir: Path) -> Path:
    text = _read_small(git_dir / "commondir")
    if text:
        p = Path(text.strip())
        return p if p.is_absolute() else (git_dir / p).resolve()
    return git_dir


def read_head(git_dir: Path) -> str | None:
    """The HEAD commit sha, read from the files (HEAD, loose refs, packed-refs)."""
    head = _read_small(git_dir / "HEAD")
    if head is None:
        return None
    head = head.strip()
    if _SHA.match(head):
        return head
    if not head.startswith("ref:"):
        return None
    ref = head[4:].strip()
    if ".." in ref or not ref.startswith("refs/"):
        return None
    common = _common_dir(git_dir)
    for base in (git_dir, common):
        text = _read_small(base / ref)
        if text and _SHA.match(text.strip()):
            return text.strip()
    packed = _read_small(common / "packed-refs", 64 << 20)
    if packed:
        for line in packed.splitlines():
            parts = line.split(" ", 1)
            if len(parts) == 2 and parts[1].strip() == ref and _SHA.match(parts[0]):
                return parts[0]
    return None  # unborn branch, or a ref format we do not read (reftable)


def head_commit(root: Path) -> str | None:
    """HEAD of the work tree containing `root`: from the files, else `git rev-parse`."""
    found = find_git_dir(root)
    if found is None:
        return None
    sha = read_head(found[1])
    if sha:
        return sha
    try:
        out = run_git(root, "rev-parse", "--verify", "-q", "HEAD").decode("ascii", "replace").strip()
    except GitError:
        return None
    return out if _SHA.match(out) else None


def list_files(root: Path) -> list[str]:
    """Tracked files plus untracked files git does not ignore, under `root` (which may be a
    subdirectory of the work tree), as paths relative to `root`. Raises GitError."""
    out = run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ".")
    # One decode of the whole listing (what os.fsdecode does per name); --cached and --others
    # overlap during a merge, hence the de-duplication that keeps the first occurrence.
    text = out.decode(sys.getfilesystemencoding(), sys.getfilesystemencodeerrors())
    return [name for name in dict.fromkeys(text.split("\0")) if name]
