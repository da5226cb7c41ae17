"""Processes sharing one local store: writers take turns, and readers notice their writes.

Turns are a lock file held by `filelock` with an OS lock (flock), which the kernel drops when
its holder dies, even by kill -9. Every write first moves a stamp file on, before it changes
anything in Chroma: a process compares the stamp with the one its Chroma client was opened at,
one small file read, to know whether another process has written since (or is writing now,
or died writing). A Chroma server serialises its own writes and has no local lock: in server
mode both are no-ops."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_FILE = "write.lock"
QUEUE_FILE = "write.queue"
STAMP_FILE = "write.stamp"
POLL_SECONDS = 0.02  # how often a process waiting for another retries


class WriteLock:
    """Reentrant. Threads of one process queue on a thread lock, then take the file lock, so
    `on_wait(folder)` is called only when another process holds it: the first time, once.

    A process waits for the lock holding a second lock file, the queue: one whose turn ends
    must take the queue before the lock again, so a waiter gets the next turn however fast a
    long ingest comes back for the lock (flock alone let it take turn after turn)."""

    def __init__(self, folder: Path | None,
                 on_wait: Callable[[Path], None] | None = None) -> None:
        self.folder = folder
        self.on_wait = on_wait
        self._waited = False
        self._threads = threading.RLock()
        self._file = _file_lock(folder / LOCK_FILE) if folder is not None else None
        self._queue = _file_lock(folder / QUEUE_FILE) if folder is not None else None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            if self._file is None or self._queue is None:
                yield
                return
            if self._file.is_locked:  # by this process: a turn within its turn
                self._file.acquire()
            else:
                self._acquire(self._queue)
                try:
                    self._acquire(self._file)
                finally:
                    self._queue.release()
            try:
                yield
            finally:
                self._file.release()

    def _acquire(self, lock: FileLock) -> None:
        """At once when free, else after saying so (the first time) and waiting."""
        try:
            lock.acquire(blocking=False)
        except Timeout:
            if self.on_wait is not None and self.folder is not None and not self._waited:
                self._waited = True
                self.on_wait(self.folder)
            lock.acquire()

    def stamp(self) -> str:
        """The stamp of the last write to start, "" before the first one."""
        if self.folder is None:
            return ""
        try:
            return (self.folder / STAMP_FILE).read_text(encoding="ascii")
        except FileNotFoundError:
            return ""

    def bump(self) -> str:
        """A new stamp, replacing the file whole; only while holding the lock."""
        if self.folder is None:
            return ""
        stamp = uuid.uuid4().hex
        staging = self.folder / f"{STAMP_FILE}.new"
        staging.write_text(stamp, encoding="ascii")
        os.replace(staging, self.folder / STAMP_FILE)
        return stamp


def _file_lock(path: Path) -> FileLock:
    """Shared by the threads of this process (they queue on `WriteLock`'s thread lock first);
    the file stays, so every process locks the same one."""
    return FileLock(path, thread_local=False, poll_interval=POLL_SECONDS,
                    preserve_lock_file=True)
