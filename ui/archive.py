"""The Corpus tab's table: the store's catalog as rows a person reads (date, title, kind,
speakers, source), narrowed by a search and sent one page at a time, so an archive of 10,000
articles stays quick to open and page through."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import urlsplit

from index.speech.turns import REPORTER
from index.store.chroma import CatalogEntry
from qa.parse import EVENTS
from ui.render import counted

COLUMNS = ["Date", "Title", "Kind", "Speakers", "Source"]
PAGE_ROWS = 25
SHOWN_SPEAKERS = 3
# What a transcript's title calls it, as the table says it.
KINDS = {"conference": "press conference"}


@dataclass(frozen=True)
class CatalogPage:
    """One page of the catalog's rows matching a search: `ids` are the rows' article ids,
    `number` counts from 1, `matching` is how many entries match in all."""

    rows: list[list[str]]
    ids: list[str]
    number: int
    pages: int
    matching: int
    total: int
    query: str

    @property
    def label(self) -> str:
        found = (counted(self.total, "article") if not self.query else
                 f"{self.matching:,} of {counted(self.total, 'article')} match")
        return f"{found} · page {self.number} of {self.pages}"


def kind(entry: CatalogEntry) -> str:
    """"briefing", "gaggle", "call" … as a transcript's title names it; "transcript" when it
    names none; "article" for anything without speaker turns."""
    if not entry.turns:
        return "article"
    found = EVENTS.search(entry.title)
    return KINDS.get(found[1].lower(), found[1].lower()) if found else "transcript"


def title(entry: CatalogEntry) -> str:
    """The article's title; its file name only when it has none."""
    return entry.title or PurePath(entry.path).name or entry.article_id


def speakers(entry: CatalogEntry) -> str:
    """Who speaks, reporters aside: the first few, then how many more."""
    named = [s for s in entry.speakers if s != REPORTER]
    more = len(named) - SHOWN_SPEAKERS
    return ", ".join(named[:SHOWN_SPEAKERS]) + (f" and {more} more" if more > 0 else "")


def source(entry: CatalogEntry) -> str:
    """Where the article comes from: its source, else its web address's site."""
    return entry.source or urlsplit(entry.url).hostname or ""


def row(entry: CatalogEntry) -> list[str]:
    return [entry.date[:10], title(entry), kind(entry), speakers(entry), source(entry)]


def matches(entry: CatalogEntry, words: Sequence[str]) -> bool:
    """Every word of the search is in the title (file name) or a speaker's name."""
    searched = " ".join([title(entry), *entry.speakers]).lower()
    return all(word in searched for word in words)


def catalog_page(entries: Sequence[CatalogEntry], query: str | None,
                 number: int) -> CatalogPage:
    """Page `number` (clamped to the pages there are) of the entries matching `query`."""
    query = " ".join((query or "").split())
    words = query.lower().split()
    found = [e for e in entries if matches(e, words)] if words else entries
    pages = max(1, -(-len(found) // PAGE_ROWS))
    number = min(max(1, number), pages)
    shown = found[(number - 1) * PAGE_ROWS:number * PAGE_ROWS]
    return CatalogPage([row(e) for e in shown], [e.article_id for e in shown], number, pages,
                       len(found), len(entries), query)
