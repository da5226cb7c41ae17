"""RSS and Atom feeds: each entry becomes an article, from its own full content when the feed
carries it, else from the page it links to; the entry's title, date and author fill in what
the page does not say. A store remembers the entries it holds, so reading a feed again only
fetches what is new."""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from index.read.html import visible_text
from index.records import Article, LoadError

FEED_MEMORY = "feeds.json"
MEMORY_VERSION = 1


class FeedError(ValueError):
    """A document that is not a readable feed; the message says why."""


@dataclass(frozen=True)
class FeedEntry:
    """`content` is the entry's own full text (HTML) when the feed carries it, else ""."""

    key: str
    link: str = ""
    title: str = ""
    date: str = ""
    author: str = ""
    content: str = ""
    summary: str = ""


@dataclass(frozen=True)
class Feed:
    location: str
    title: str
    entries: list[FeedEntry]


def read_feed(data: bytes, location: str) -> Feed:
    """`location` (the feed's URL or file) resolves relative links and names the feed."""
    import feedparser

    # A stream, never a string: feedparser would fetch a string that looks like a URL and
    # open one that names a file.
    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": location})
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise FeedError("not an RSS or Atom feed" + (f" ({_one_line(problem)})" if problem else ""))
    return Feed(location, _one_line(parsed.feed.get("title", "")),
                [_entry(item, location) for item in parsed.entries])


def entry_article(entry: FeedEntry, feed: Feed,
                  open_link: Callable[[str], Article]) -> Article:
    """The entry's article: its own content, the linked page (through `open_link`), or, with
    neither, its summary. Raises what `open_link` raises for a page that cannot be had."""
    if entry.link and not entry.content:
        page = open_link(entry.link)
        return Article(id=page.id, text=page.text, title=page.title or entry.title,
                       date=page.date or entry.date, source=page.source or feed.title,
                       author=page.author or entry.author, url=page.url, path=page.path,
                       pages=page.pages)
    text = visible_text(entry.content or entry.summary)
    if not text:
        raise FeedError("entry without text or link")
    return Article(id=entry.link or f"{feed.location}#{entry.key}", text=text,
                   title=entry.title, date=entry.date, source=feed.title, author=entry.author,
                   url=entry.link, path=feed.location)


@dataclass
class FeedMemory:
    """Which entries of each feed are in the store (`<store>/feeds.json`): entry key → article
    id. Entries read in this run wait in `pending` until the ingest has written them; a
    feed's memory is cut to the entries its latest document still lists, so it stays as
    small as the feed."""

    path: Path
    feeds: dict[str, dict[str, str]] = field(default_factory=dict)
    pending: dict[str, dict[str, str]] = field(default_factory=dict)
    listed: dict[str, set[str]] = field(default_factory=dict)
    skipped: int = 0

    @classmethod
    def open(cls, path: Path) -> FeedMemory:
        """A missing or damaged file is an empty memory: entries are fetched again and the
        store's content hashes still keep them from being written twice."""
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            feeds = {str(feed): {str(k): str(v) for k, v in entries.items()}
                     for feed, entries in saved["feeds"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            feeds = {}
        return cls(path, feeds)

    def new_entries(self, feed: Feed) -> Iterator[FeedEntry]:
        """The entries not in the store yet, oldest first as a reader would add them."""
        known = self.feeds.get(feed.location, {})
        self.listed[feed.location] = {entry.key for entry in feed.entries}
        for entry in reversed(feed.entries):
            if entry.key in known:
                self.skipped += 1
            else:
                yield entry

    def note(self, feed: Feed, entry: FeedEntry, article_id: str) -> None:
        self.pending.setdefault(feed.location, {})[entry.key] = article_id

    def commit(self, stored: Callable[[list[str]], Iterable[str]]) -> None:
        """Keep the pending entries whose articles `stored` finds in the store, then write."""
        for location, listed in self.listed.items():
            pending = self.pending.get(location, {})
            written = set(stored(list(pending.values()))) if pending else set()
            merged = {**self.feeds.get(location, {}),
                      **{key: aid for key, aid in pending.items() if aid in written}}
            self.feeds[location] = {key: aid for key, aid in merged.items() if key in listed}
        self.pending, self.listed = {}, {}
        self._write()

    def _write(self) -> None:
        """Written whole to a temporary file, then renamed over the old one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"version": MEMORY_VERSION, "feeds": self.feeds},
                                        indent=1), encoding="utf-8")
        os.replace(temporary, self.path)


def feed_articles(feed: Feed, memory: FeedMemory,
                  open_link: Callable[[str], Article]) -> Iterator[Article | LoadError]:
    """New entries as articles; an entry that fails is one error and the others still come."""
    for entry in memory.new_entries(feed):
        try:
            article = entry_article(entry, feed, open_link)
        except Exception as problem:  # one bad entry or linked page must not end the feed
            yield LoadError(entry.link or f"{feed.location}#{entry.key}", _problem(problem))
            continue
        memory.note(feed, entry, article.id)
        yield article


def _entry(item: Any, location: str) -> FeedEntry:
    link = str(item.get("link", "")).strip()
    contents = [str(part.get("value", "")) for part in item.get("content", [])]
    content = max(contents, key=len, default="")
    summary = str(item.get("summary", ""))
    key = str(item.get("id", "") or link or item.get("title", "")) or hashlib.sha256(
        (content + summary).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return FeedEntry(key=key, link=link,
                     title=_one_line(item.get("title", "")),
                     date=_iso_date(item.get("published_parsed") or item.get("updated_parsed")),
                     author=_one_line(item.get("author", "")),
                     content=content, summary=summary)


def _iso_date(parsed: time.struct_time | None) -> str:
    """feedparser gives UTC struct_time; a feed date beyond what a datetime holds is dropped."""
    if not parsed:
        return ""
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc).date().isoformat()
    except (OverflowError, ValueError, OSError):
        return ""


def _problem(error: Exception) -> str:
    return _one_line(error) or type(error).__name__


def _one_line(value: object) -> str:
    return " ".join(str(value).split())
