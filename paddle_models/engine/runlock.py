"""One run per run folder: an operating-system lock on ``<run folder>/.run.lock``.

Two ``train`` commands with the same ``--log-dir``/``--run-name`` would overwrite each other's
checkpoints.  ``RunLock`` takes an exclusive, non-blocking lock on a file in the run folder
(``fcntl.flock`` on Linux and macOS, ``msvcrt.locking`` on Windows) for as long as the run writes
there.  The operating system releases the lock when the process ends, however it ends -- a run
killed with ``kill -9`` leaves the file but not the lock, so the next run (or ``--resume``) simply
takes it.  The second run of two stops at once with a message saying what to do.

    with RunLock(output_dir):
        ...  # train, write checkpoints

``claim_run_folder`` is what a run does first with its folder: take the lock (and its VisualDL
folder's, when checkpoints go to another folder), delete the temporary files an interrupted save
left there, and write ``skipped_samples.txt`` when the datasets skipped bad samples (``skip_bad=True``).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator, Sequence

from ..data.errors import write_skipped_samples
from ..errors import UserError
from ..files import WriteError, make_folder, os_error_advice, remove_stale_temporaries

LOCK_NAME = ".run.lock"


class RunFolderBusyError(UserError, RuntimeError):
    """Another process is writing the same run folder."""


def _try_lock(handle) -> bool:
    """Lock the open file exclusively without waiting; False if another process holds the lock."""
    if os.name == "nt":
        # platform: msvcrt exists only on Windows
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    # platform: fcntl exists only on POSIX systems
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    return True


def _unlock(handle) -> None:
    if os.name == "nt":
        # platform: msvcrt exists only on Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        # platform: fcntl exists only on POSIX systems
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class RunLock:
    """Hold the lock of a run folder (a context manager; ``acquire``/``release`` also work)."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.handle = None

    def acquire(self) -> "RunLock":
        make_folder(self.folder, "run folder")
        try:
            handle = open(self.path, "a+")  # never truncated: the holder's pid stays readable
        except OSError as error:  # a read-only folder (a mounted dataset), no permission
            raise WriteError(f"cannot write the run folder {self.folder}: {error.strerror}; "
                             f"{os_error_advice(error)} (log_dir=..., output_dir=...).") from None
        if not _try_lock(handle):
            try:
                handle.seek(0)
                holder = handle.read().strip()
            except OSError:  # Windows: the holder's locked byte cannot be read
                holder = ""
            handle.close()
            raise RunFolderBusyError(
                f"{self.folder} is in use by another run{f' (pid {holder})' if holder.isdigit() else ''}: "
                "two runs must not write the same "
                "folder. Use another run_name=..., or resume=True after the first run finishes.")
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return self

    def release(self) -> None:
        if self.handle is None:
            return
        try:
            _unlock(self.handle)
        finally:
            self.handle.close()
            self.handle = None

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


@contextlib.contextmanager
def claim_run_folder(folder, datasets: Sequence = (), log_folder=None) -> Iterator[RunLock]:
    """Lock ``folder`` for this run, clean it of stale temporary files, list skipped samples.

    ``log_folder``, the run's VisualDL folder when checkpoints go elsewhere (``--output-dir``), is
    locked too: two runs with one ``--run-name`` would otherwise mix their curves in one log.
    Raises ``RunFolderBusyError`` at once if another run holds either folder.
    """
    with contextlib.ExitStack() as held:
        lock = held.enter_context(RunLock(folder))
        if log_folder is not None and Path(log_folder).resolve() != Path(folder).resolve():
            held.enter_context(RunLock(log_folder))
        remove_stale_temporaries(folder)
        write_skipped_samples(folder, datasets)
        yield lock
