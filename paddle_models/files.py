"""Writing files so that a write either happens completely or fails loudly, naming the file.

Every file the project writes (checkpoints, cache entries, figures, Grad-CAM overlays, synthetic
images, label tables, JSON) goes through ``atomic_write``:

1. the content is written to a temporary file next to the target, ``.<name>.<pid>.<random>.tmp``;
2. the temporary file must exist and (unless ``allow_empty``) not be empty;
3. ``os.replace`` renames it over the target -- atomic on POSIX and Windows, so a reader (or a
   run killed mid-save) sees the old file or the new one, never half a file.

Any failure raises ``WriteError`` (an ``OSError``) with one line naming the path and what to do.
A process killed between 1 and 3 leaves its temporary file behind; ``remove_stale_temporaries``
deletes those of processes that are no longer alive (a run calls it on its output folder).

Images are encoded with ``cv2.imencode`` and written as bytes: ``cv2.imwrite`` returns False
instead of raising, and cannot write to non-ASCII paths on Windows.
"""
from __future__ import annotations

import csv
import ctypes
import errno
import io
import os
import re
import uuid
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Union

import numpy as np

from .errors import UserError

PathLike = Union[str, os.PathLike]

# .<target name>.<pid>[.<random hex>].tmp  -- the old checkpoint writer used no random part
TEMPORARY_NAME = re.compile(r"^\..+\.(\d+)(\.[0-9a-f]{8})?\.tmp$")


class WriteError(UserError, OSError):
    """A file could not be written; the message names it and says what to do."""


def temporary_path(path: Path) -> Path:
    """A temporary file name next to ``path``, unique to this process and this call."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


# What to do about the operating system's refusals (errno names), in one line each
OS_ERROR_ADVICE = {
    "ENOTDIR": "a part of the path is a file, not a folder: choose another path",
    "EEXIST": "a file of that name is in the way, where a folder must be: choose another path",
    "EISDIR": "it is a folder: give a file name",
    "EACCES": "you have no permission to write there: choose a folder you can write to",
    "EPERM": "you have no permission to write there: choose a folder you can write to",
    "EROFS": "that place is read-only (a mounted dataset?): choose a folder you can write to",
    "ENOSPC": "the disk is full: free some space, or choose another disk",
    "EDQUOT": "your disk quota is used up: free some space, or choose another disk",
}


def os_error_advice(error: OSError) -> str:
    """What the user can do about ``error`` (by its errno), or a general hint."""
    name = errno.errorcode.get(getattr(error, "errno", None) or -1, "")
    return OS_ERROR_ADVICE.get(name, "choose a folder you can write to (check permissions and free disk space)")


def _cannot_write(path: Path, error: BaseException) -> WriteError:
    reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return WriteError(f"cannot write {path}: {reason}; {os_error_advice(error)}.")


def make_folder(path: PathLike, what: str = "folder") -> Path:
    """``mkdir -p``; a file in the way, no permission, a read-only disk: a ``WriteError`` saying what to do."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise WriteError(f"the {what} {path} is a file, not a folder: give a folder (or a new name)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(f"cannot make the {what} {path}: {error.strerror or error}; {os_error_advice(error)}.") from None
    return path


def atomic_write(path: PathLike, write: Callable[[Path], object], allow_empty: bool = False,
                 same_content_may_exist: bool = False) -> Path:
    """Call ``write(temporary_path)``, check the file it made, rename it to ``path``; returns ``path``.

    ``write`` receives a path (not an open file), so ``paddle.save``, ``figure.savefig``,
    ``np.save`` and ``nbformat.write`` all fit: ``atomic_write(p, lambda tmp: paddle.save(state, str(tmp)))``.
    ``same_content_may_exist``: on Windows a file open in another process cannot be replaced; when
    that file is known to hold the same content (a cache entry another worker wrote), keep it.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _cannot_write(path, error) from error
    temporary = temporary_path(path)
    try:
        write(temporary)
        if not temporary.is_file():
            raise WriteError(f"cannot write {path}: the writer produced no file")
        if not allow_empty and temporary.stat().st_size == 0:
            raise WriteError(f"cannot write {path}: the writer produced an empty file")
        try:
            os.replace(temporary, path)
        except PermissionError:  # Windows: another process has the file open
            if not (same_content_may_exist and path.is_file()):
                raise
    except WriteError:
        raise
    except OSError as error:
        raise _cannot_write(path, error) from error
    finally:
        if temporary.exists():
            temporary.unlink()
    return path


def write_bytes(path: PathLike, data: bytes, allow_empty: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda temporary: Path(temporary).write_bytes(data), allow_empty)


def write_text(path: PathLike, text: str, allow_empty: bool = False) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"), allow_empty)


def encode_image(image_bgr: np.ndarray, suffix: str, jpeg_quality: int = 92) -> bytes:
    """A BGR (or grey) uint8 image as the bytes of a ``suffix`` file ('.png', '.jpg', ...)."""
    # deferred: book, app.command and data.errors import this module without OpenCV; only encoding needs it
    import cv2

    suffix = suffix.lower()
    params = [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality] if suffix in (".jpg", ".jpeg") else \
        [cv2.IMWRITE_PNG_COMPRESSION, 1] if suffix == ".png" else []
    try:
        ok, encoded = cv2.imencode(suffix, np.ascontiguousarray(image_bgr), params)
    except cv2.error as error:
        raise WriteError(f"cannot encode an image as {suffix!r}: {error}") from None
    if not ok:
        raise WriteError(f"cannot encode an image as {suffix!r}")
    return encoded.tobytes()


def write_image(path: PathLike, image_bgr: np.ndarray, jpeg_quality: int = 92) -> Path:
    """Write a BGR uint8 image as JPEG or PNG (by the suffix), atomically, any path (Unicode too)."""
    path = Path(path)
    try:
        data = encode_image(image_bgr, path.suffix or ".png", jpeg_quality)
    except WriteError as error:
        raise WriteError(f"cannot write {path}: {error}") from None
    return write_bytes(path, data)


# ---------------------------------------------------------------------------------------------
# Temporary files left by killed processes
# ---------------------------------------------------------------------------------------------


def pid_is_alive(pid: int) -> bool:
    """True if a process with this id is running (on this machine)."""
    if pid <= 0:
        return False
    if os.name == "nt":
        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def stale_temporaries(folder: PathLike) -> List[Path]:
    """Temporary files in ``folder`` written by processes that are no longer alive."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    stale = []
    for path in folder.iterdir():
        match = TEMPORARY_NAME.match(path.name)
        if match and path.is_file() and int(match.group(1)) != os.getpid() and not pid_is_alive(int(match.group(1))):
            stale.append(path)
    return sorted(stale)


def remove_stale_temporaries(folder: PathLike, quiet: bool = False) -> List[Path]:
    """Delete the temporary files that killed processes left in ``folder``; returns them."""
    removed = []
    for path in stale_temporaries(folder):
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            continue  # removed meanwhile by another process
    if removed and not quiet:
        print(f"removed {len(removed)} temporary file(s) left by an interrupted save in {folder}: "
              + ", ".join(path.name for path in removed))
    return removed


def write_csv(path: PathLike, header: Sequence, rows) -> Path:
    """A CSV table (UTF-8, a header row, then ``rows``), written atomically."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return write_text(path, text.getvalue())


def write_lines(path: PathLike, lines: Sequence[str], header: Optional[str] = None) -> Path:
    """Write one line per item (after an optional header line), atomically."""
    text = "".join(f"{line}\n" for line in ([header] if header else []) + list(lines))
    return write_text(path, text, allow_empty=True)
