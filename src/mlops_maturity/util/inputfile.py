"""Reading a user-supplied input file with one-line errors that name the file."""

from __future__ import annotations

from pathlib import Path


def read_bytes(path: Path, what: str, *, max_bytes: int | None = None) -> bytes:
    """The file's bytes; ValueError with a one-line message (file first) when it is missing, a
    directory, unreadable, over `max_bytes` or empty."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a directory, not {what}") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from None
    if max_bytes is not None and len(raw) > max_bytes:
        raise ValueError(f"{path}: larger than {max_bytes} bytes")
    if not raw.strip():
        raise ValueError(f"{path}: empty file, expected {what}")
    return raw
