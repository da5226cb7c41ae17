"""A page that follows its feeds itself (`briefing ui --follow FEED --every 30m`): the sources
are ingested again at an interval on a thread of the serving process. Its rounds are written
like any ingest, so the page's next question sees them, and writers in other processes take
turns with it through the store's write lock."""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from index.ingest import IngestReport
from index.sources import ingest_sources
from index.store.chroma import Store

# How long stopping waits for the entry being read (a fetch has its own time limit).
STOP_SECONDS = 30.0


@dataclass
class Follower:
    sources: Sequence[str]
    store: Store
    every: float
    last: str = "not run yet"
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._follow, name="follow", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ends the round between two entries; what was read is still written."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(STOP_SECONDS)

    def describe(self) -> str:
        return (f"Following {', '.join(self.sources)} every {self.every:g} s; "
                f"last round {self.last}")

    def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                report: IngestReport | str = ingest_sources(self.sources, self.store,
                                                            stop=self._stop)
            except Exception as error:  # a bad round must not end the following
                report = f"failed ({type(error).__name__}: {error})"
            summary = report if isinstance(report, str) else report.summary()
            self.last = f"{datetime.now():%Y-%m-%d %H:%M:%S}: {summary}"
            print(f"briefing: follow {self.last}", file=sys.stderr, flush=True)
            self._stop.wait(self.every)
