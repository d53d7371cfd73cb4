"""Writing an output file so that a crash leaves either the old file or the new one.

Only regular files are replaced by rename: an existing device, FIFO or socket (`-o /dev/null`,
`-o /dev/stdout`, a named pipe) is written in place. Renaming over /dev/null as root would
turn it into a regular file for every program on the machine.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def _special(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode)


def tmp_path(path: Path) -> Path | None:
    """Where to write before renaming onto `path`, or None to write `path` directly."""
    return None if _special(path) else path.with_name(path.name + ".tmp")


def write_text(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path`, atomically for regular files. Raises OSError."""
    tmp = tmp_path(path)
    if tmp is None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
