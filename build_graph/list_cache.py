"""What one list's build produced, kept by content: a rebuild reads, cites, checks and emits only
the lists whose file (or metadata, or the tool itself) changed.

An entry's key is the SHA-256 of the tool's fingerprint (every file of the installed package:
code, registry, law archive, shapes), the list's metadata, the layout asked for and the file's
bytes — so an entry can never stand for anything but the build it records. Entries are
zlib-compressed pickles of ``stream.ListOutput`` written atomically (a temporary file renamed
into place); an unreadable entry is rebuilt, never trusted. The cache lives beside the output
folder (``.<output>.cache/``), outside the folder a build swaps in, and after a build holds
only the entries that build used.
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


def list_key(file: Path, meta, layout: str | None) -> str:
    """The key of one list's build: tool, metadata, layout, the file's path and its content."""
    digest = hashlib.sha256(fingerprint().encode())
    digest.update(repr((meta, layout, str(Path(file).resolve()))).encode())
    digest.update(Path(file).read_bytes())
    return digest.hexdigest()


def has(folder: Path, key: str) -> bool:
    """Whether an entry for ``key`` is there (it may still prove unreadable: see :func:`load`)."""
    return (folder / f"{key}.pickle.z").is_file()


def load(folder: Path, key: str):
    """The cached output for ``key``, or None (absent or unreadable). An output whose graph was
    kept apart (:func:`store_list`) comes with ``nquads_file`` naming it and no ``nquads``."""
    try:
        output = pickle.loads(zlib.decompress((folder / f"{key}.pickle.z").read_bytes()))
    except (OSError, zlib.error, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return None
    if getattr(output, "nquads_file", None) is not None:
        output.nquads_file = str(folder / f"{key}.nq")
        expected = output.counts.get("graph", {}).get("length")
        try:
            if Path(output.nquads_file).stat().st_size != expected:  # cut short or replaced: not trusted
                return None
        except OSError:
            return None
    return output


def store(folder: Path, key: str, output) -> None:
    """Keep ``output`` under ``key`` (atomically: readers see the whole entry or none)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_entry(folder / f"{key}.pickle.z", zlib.compress(pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL), 1))


def store_list(folder: Path, key: str, output) -> None:
    """Keep a list's build under ``key`` with its N-Quads in a file of their own (``<key>.nq``,
    written first), so that a rebuild links that file instead of copying its bytes; afterwards
    ``output`` names the file instead of holding the bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    write_entry(folder / f"{key}.nq", output.nquads)
    output.nquads, output.nquads_file = b"", str(folder / f"{key}.nq")
    store(folder, key, output)


def write_entry(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
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
