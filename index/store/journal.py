"""The journal of what each write did to the store's chunks, shared by every process that writes.

A keyword index saved at an older generation catches up from it (new chunks indexed, gone ones
masked) instead of listing every chunk id of the store (14 s at 570k chunks), whichever
process made the changes. Writes append under the write lock, so the journal follows the
generations in order: a line when a write begins (the generation it starts from), another
when it is done (the generation it made, the chunks it removed and added). A write that never
says it is done (killed, failed part way, or not known chunk by chunk: `Store.remove_chunks`)
is a break: what it changed is unknown, so an index from before it is brought in step by
listing the store. A kill mid-line leaves a line that does not parse, another break."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JOURNAL_FILE = "changes.jsonl"


@dataclass
class ChangeLog:
    """The chunks added and removed since generation `base`, up to `current`."""

    base: str
    current: str = ""
    added: dict[str, None] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)

    def record(self, removed: Sequence[str], added: Sequence[str], generation: str) -> None:
        """Removals first, as writes do them; each id keeps its last change. An id removed
        and added back stays added: a crash may have left it in Chroma but not in the index."""
        for chunk_id in removed:
            self.added.pop(chunk_id, None)
            self.removed.add(chunk_id)
        for chunk_id in added:
            self.removed.discard(chunk_id)
            self.added[chunk_id] = None
        self.current = generation


class Journal:
    """`path` None (server mode, where other machines write unseen) records nothing."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def begin(self, before: str) -> None:
        self._append({"from": before})

    def done(self, after: str, removed: Sequence[str], added: Sequence[str]) -> None:
        self._append({"to": after, "removed": list(removed), "added": list(added)})

    def between(self, base: str, current: str) -> ChangeLog | None:
        """The changes from `base` to `current`, when the journal leads there from `base` and
        ends there: a break anywhere after `base`, even after `current`, means the store holds
        changes no generation names."""
        changes = ChangeLog(base, current=base)
        started = False
        for step in self._steps():
            started = started or step["from"] == base
            if not started:
                continue
            if step["from"] != changes.current or step["to"] is None:
                return None
            changes.record(step["removed"], step["added"], step["to"])
        return changes if changes.current == current else None

    def clear(self) -> None:
        """Called under the lock once a keyword index at the current generation is saved:
        nothing older is needed, since any process catches up from that index."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def _append(self, line: dict[str, Any]) -> None:
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as journal:
                journal.write(json.dumps(line) + "\n")

    def _steps(self) -> Iterator[dict[str, Any]]:
        """Each write as one step, `to` None for a break; nothing after a line that does not
        parse."""
        if self.path is None or not self.path.exists():
            return
        begun: str | None = None
        for text in self.path.read_text(encoding="utf-8").splitlines():
            try:
                line = json.loads(text)
            except ValueError:
                yield {"from": begun, "to": None}
                return
            if "from" in line:
                if begun is not None:
                    yield {"from": begun, "to": None}
                begun = line["from"]
            elif begun is not None:
                yield {"from": begun, **line}
                begun = None
        if begun is not None:
            yield {"from": begun, "to": None}
