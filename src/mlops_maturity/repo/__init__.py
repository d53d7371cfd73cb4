"""repo layer: a read-only, bounded view of a scanned repository (discovery, reads, parsers).

Imports only `model` and `util`. Never executes, imports or unpickles anything it reads.
"""

from .discovery import DEFAULT_MAX_FILE_BYTES, Discovery, FileInfo, discover
from .view import RepoView, glob_regex, is_test_path

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "Discovery",
    "FileInfo",
    "RepoView",
    "discover",
    "glob_regex",
    "is_test_path",
]
