"""Builds kept by content: a rebuild makes again only what an edit reaches.

The tool's fingerprint (every file of the installed package: code, registry, law archive,
shapes) and a list's key (fingerprint, metadata, layout, path and the SHA-256 of the file: what
:mod:`list_store` keeps each list under) are made here, and the small cache of pickles the
alignments and the validation groups are kept in: entries are zlib-compressed pickles named by
the SHA-256 of what made them, written atomically (a temporary file renamed into place); an
unreadable entry is made again, never trusted. The cache lives beside the output folder
(``.<output>.cache/``), outside the folder a build swaps in, and after a build holds only the
entries that build used.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import zlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).parent


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """SHA-256 over the package's files (paths and bytes), compiled caches left out."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_folder(target: Path) -> Path:
    """Where the cache of builds into ``target`` lives."""
    return target.parent / f".{target.name}.cache"


@lru_cache(maxsize=1 << 16)
def real_path(file: Path | str) -> str:
    """``file``'s absolute path with symbolic links resolved, resolved once per file: a build
    asks for each list's several times (4 × 10⁴ ``realpath`` calls at 10⁴ lists, 0.8 s)."""
    return os.path.realpath(file)


def list_key(file: Path, meta, layout: str | None, content: str | None = None) -> str:
    """The key of one list's build: tool, metadata, layout, the file's path and its content
    (``content``: the SHA-256 of its bytes, when known; read otherwise)."""
    digest = hashlib.sha256(fingerprint().encode())
    digest.update(repr((meta, layout, real_path(file))).encode())
    digest.update((content or hashlib.sha256(Path(file).read_bytes()).hexdigest()).encode())
    return digest.hexdigest()


def load(folder: Path, key: str):
    """The cached entry for ``key``, or None (absent or unreadable)."""
    try:
        return pickle.loads(zlib.decompress((folder / f"{key}.pickle.z").read_bytes()))
    except (OSError, zlib.error, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return None


def store(folder: Path, key: str, output) -> None:
    """Keep ``output`` under ``key`` (atomically: readers see the whole entry or none)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_entry(folder / f"{key}.pickle.z", zlib.compress(pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL), 1))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


def write_entry(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place, readable as any
    file this process makes (a list's N-Quads are linked into the build's ``graph/``)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.fchmod(handle, 0o666 & ~_UMASK)  # mkstemp's files are private
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(temporary, path)


def prune(folder: Path, keep: set[str]) -> int:
    """Remove every entry (and stray temporary file) not in ``keep``; returns how many."""
    removed = 0
    for path in folder.glob("*") if folder.is_dir() else []:
        if path.is_file() and path.name.split(".", 1)[0] not in keep:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
