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
STAMP_FILE = "write.stamp"
POLL_SECONDS = 0.02  # how often a process waiting for another retries


class WriteLock:
    """Reentrant. Threads of one process queue on a thread lock, then take the file lock, so
    `on_wait(folder)` is called only when another process holds it: the first time, once."""

    def __init__(self, folder: Path | None,
                 on_wait: Callable[[Path], None] | None = None) -> None:
        self.folder = folder
        self.on_wait = on_wait
        self._waited = False
        self._threads = threading.RLock()
        self._file = (FileLock(folder / LOCK_FILE, thread_local=False, poll_interval=POLL_SECONDS,
                               preserve_lock_file=True) if folder is not None else None)

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            if self._file is None:
                yield
                return
            try:
                self._file.acquire(blocking=False)
            except Timeout:
                if self.on_wait is not None and self.folder is not None and not self._waited:
                    self._waited = True
                    self.on_wait(self.folder)
                self._file.acquire()
            try:
                yield
            finally:
                self._file.release()

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
