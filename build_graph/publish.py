"""Writing an output folder safely.

- One build at a time: an exclusive lock on ``.<name>.lock`` beside the folder (a second
  build waits for the first).
- Everything is written into a staging folder beside the target and swapped in only when
  complete, with one atomic exchange (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two
  renames). Readers — queries, the endpoint, a browser — see the old build or the new one,
  never a mix, and nothing of an earlier build (stale views) survives.
- A complete build carries the marker file :data:`MARKER`; a folder without it is not
  opened as a build, and a non-empty folder that is not a powerkg output is never replaced.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

MARKER = ".powerkg-build.json"
_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


class OutputError(Exception):
    """The output folder cannot be written or is not a complete build."""


def is_complete_build(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def require_complete_build(folder: Path) -> Path:
    """``folder`` when it holds a complete build, else OutputError saying what to do."""
    if not folder.is_dir():
        raise OutputError(f"{folder} does not exist; run `powerkg build` first")
    if not is_complete_build(folder):
        raise OutputError(f"{folder} holds no complete powerkg build (no {MARKER}); run `powerkg build`")
    return folder


def _replaceable(target: Path) -> bool:
    """A folder a build may replace: absent, empty, or an earlier powerkg output."""
    if not target.exists():
        return True
    if not target.is_dir():
        return False
    names = {p.name for p in target.iterdir()}
    return not names or MARKER in names or {"graph.nq", "summary.json"} <= names  # the last: builds before the marker


@contextmanager
def build_lock(target: Path, progress: Callable[[str], None] = lambda m: None) -> Iterator[None]:
    """Hold the exclusive lock for building into ``target``; waits while another build holds it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"  another build is writing into {target}; waiting for it to finish…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux); False when the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@contextmanager
def staged_output(target: Path, progress: Callable[[str], None] = lambda m: None,
                  marker: dict | None = None) -> Iterator[Path]:
    """Yield a staging folder beside ``target``; when the block completes, mark it as a
    complete build and swap it in for ``target``. On any error the staging folder is removed
    and ``target`` is left as it was. Holds :func:`build_lock` throughout."""
    target = Path(os.path.abspath(target))
    with build_lock(target, progress):
        if not _replaceable(target):
            raise OutputError(f"{target} exists and is not a powerkg output folder; "
                              "choose another folder with -o or empty it")
        for pattern in (".{}.staging-*", ".{}.old-*"):  # left by a killed build, or by its removal killed
            for stale in target.parent.glob(pattern.format(target.name)):
                shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes it private; the output is not
        try:
            yield staging
            (staging / MARKER).write_text(json.dumps(marker or {}, ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
            if not target.exists():
                os.rename(staging, target)
            elif not _exchange(staging, target):  # not atomic: the target is briefly absent
                previous = staging.with_name(staging.name + "-previous")
                os.rename(target, previous)
                os.rename(staging, target)
                staging = previous
            # staging now holds the previous build, or nothing
            if staging.exists():
                _remove_beside(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _remove_beside(previous: Path, target: Path) -> None:
    """Remove the replaced build ``previous`` in a process of its own, so the build that
    replaced it returns at once (at 10⁵ powers: 2·10⁴ files, ≈ 0.7 s); renamed first to
    ``.<name>.old-…``, which the next build removes if that process did not finish."""
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rename(previous, old / "build")
    try:  # the shell starts rm in the background and exits: nothing left for this process to wait for
        subprocess.run(["sh", "-c", 'rm -rf -- "$0" &', str(old)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, start_new_session=True, check=True)
    except (OSError, subprocess.CalledProcessError):  # no shell: removed here
        shutil.rmtree(old, ignore_errors=True)



def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder and a
    rename: a reader sees the old file or the whole new one, never a part."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
