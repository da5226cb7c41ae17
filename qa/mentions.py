"""What someone said about a topic over time: every day they spoke of it, the first and the
last, and their words on the days an answer shows.

The days come from the statement table the keyword index keeps (`KeywordIndex.statements`):
each of the speaker's sentences that holds the topic's words, with its day, found without
reading an article. Only the days an answer cites are read whole, to choose that day's best
sentence and cite it as a whole statement."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from index.records import IndexedArticle
from index.speech.turns import REPORTER
from index.store.chroma import Store
from index.store.keyword import ALL_DAYS, StatementHit, query_words
from qa.answer import Citation, DayCount, Window
from qa.compose import (
    cite_sentences,
    estimated_cosines,
    is_statement,
    sentence_text,
    statement,
)
from qa.dates import DateWindow, from_day_number

# Entries a timeline shows: the first day, the last, and the strongest between.
MAX_ENTRIES = 8
# A sentence mentions the topic when it holds all of its words and, for a phrase, most of
# its neighbouring word pairs side by side ("United Kingdom", not "the kingdom … united").
MIN_PAIRED = 0.5
# A day's best sentence is close to the topic and says something about it: up to this bonus
# for its length, full at INFORMATIVE_WORDS ("I just talked about student debt relief" is
# close to "student debt" and says nothing).
INFORMATIVE, INFORMATIVE_WORDS = 0.3, 25


@dataclass(frozen=True)
class TimelineEntry:
    """One day of a timeline: its best sentence, cited, and how many of the speaker's
    sentences held the topic that day."""

    date: str
    citation: Citation
    mentions: int


@dataclass(frozen=True)
class Timeline:
    """`speaker` as the store names them (None: anyone but reporters); `days` every day the
    topic came up, with its count, in date order; `entries` the days shown."""

    topic: str
    speaker: str | None
    entries: list[TimelineEntry]
    days: list[DayCount]
    window: Window | None = None

    @property
    def total_days(self) -> int:
        return len({d.date for d in self.days})

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "total_days": self.total_days}


@dataclass(frozen=True)
class Mentions:
    """The sentences that hold a topic, by day (20240305 → hits), earliest day first."""

    by_day: dict[int, list[StatementHit]]

    @property
    def days(self) -> list[int]:
        return sorted(self.by_day)

    def counts(self, names: dict[str, str]) -> list[DayCount]:
        """Per day and speaker (under the store's name for them), how many sentences."""
        counted = Counter((day, names.get(hit.speaker or "", hit.speaker))
                          for day, hits in self.by_day.items() for hit in hits)
        return [DayCount(_iso(day), count, speaker)
                for (day, speaker), count in sorted(counted.items(),
                                                    key=lambda item: (item[0][0],
                                                                      item[0][1] or ""))]


def mentions(store: Store, topic: str, speakers: list[str] | None,
             window: DateWindow | None = None) -> Mentions:
    """Every sentence of `speakers` (raw names; None: anyone but reporters) that holds the
    topic inside the window: as written ("phone calls", "Capitol" standing alone) when any
    does, else in any form ("phone call", "Capitol Hill")."""
    days = window.day_numbers() if window else ALL_DAYS
    hits = store.keyword.statements(topic, speakers=speakers, days=days, skip=(REPORTER,))
    phrase = len(query_words(topic)) > 1
    held = [hit for hit in hits if not phrase or hit.paired >= MIN_PAIRED]
    if any(hit.exact for hit in held):
        held = [hit for hit in held if hit.exact]
    by_day: dict[int, list[StatementHit]] = {}
    for hit in held:
        by_day.setdefault(hit.day, []).append(hit)
    return Mentions(by_day)


def _iso(day: int) -> str:
    return from_day_number(day).isoformat()


def spread(days: list[int], weight: dict[int, float], limit: int = MAX_ENTRIES) -> list[int]:
    """Up to `limit` of the days, spanning the whole period: the first, the last, and in each
    of `limit - 2` equal stretches of time between them the day of most `weight`."""
    if len(days) <= limit:
        return days
    first, last = days[0], days[-1]
    start, end = (from_day_number(d).toordinal() for d in (first, last))
    stretch = (end - start) / (limit - 2)
    chosen = {first, last}
    for part in range(limit - 2):
        low, high = start + part * stretch, start + (part + 1) * stretch
        inside = [d for d in days[1:-1] if low <= from_day_number(d).toordinal() < high]
        if inside:
            chosen.add(max(inside, key=lambda d: (weight[d], -d)))
    for day in sorted(days, key=lambda d: (-weight[d], d)):
        if len(chosen) >= limit:
            break
        chosen.add(day)
    return sorted(chosen)


def best_sentences(store: Store, hits_by_day: dict[int, list[StatementHit]],
                   topic_vector: np.ndarray) -> dict[int, tuple[IndexedArticle, int, float]]:
    """For each day, the sentence closest in meaning to the topic (as its signs estimate)
    that says most about it, among those that are statements (not a question, an echo or a
    fragment), read from its article; a day with no such sentence has none: a speaker
    repeating a reporter's "The debt limit?" has not spoken of the debt limit."""
    chunk_ids = sorted({hit.chunk_id for hits in hits_by_day.values() for hit in hits})
    if not chunk_ids:
        return {}
    found = store.chunks.get(ids=chunk_ids, include=["metadatas"])
    article_of = {i: meta["article_id"] for i, meta in zip(found["ids"], found["metadatas"])}
    articles = store.get_articles(sorted(set(article_of.values())))
    said: dict[int, list[tuple[StatementHit, IndexedArticle]]] = {}
    for day, hits in hits_by_day.items():
        for hit in hits:
            article = articles.get(article_of.get(hit.chunk_id, ""))
            if article is not None and hit.sentence < len(article.sentences) \
                    and is_statement(sentence_text(article, hit.sentence)):
                said.setdefault(day, []).append((hit, article))
    closeness = iter(estimated_cosines([(article, hit.sentence) for found in said.values()
                                        for hit, article in found], topic_vector))
    best: dict[int, tuple[IndexedArticle, int, float]] = {}
    for day, found in said.items():
        scored = []
        for hit, article in found:
            close = next(closeness)
            words = len(sentence_text(article, hit.sentence).split())
            says = INFORMATIVE * min(1.0, words / INFORMATIVE_WORDS)
            scored.append((hit.paired + close + says, close, article, hit.sentence))
        _, close, article, index = max(scored, key=lambda s: s[0])
        best[day] = (article, index, close)
    return best


def cite_statement(n: int, article: IndexedArticle, index: int, score: float) -> Citation:
    """Citation `n`: sentence `index` with the one before when it leans on it, the ones
    after while it is too short to stand alone."""
    sentences = statement(article, index, room=0)
    return cite_sentences(n, article, sentences[0], sentences[-1], score)


def timeline(store: Store, topic: str, speakers: list[str] | None, name: str | None,
             window: DateWindow | None = None, limit: int = MAX_ENTRIES) -> Timeline:
    """The days `speakers` (raw names; None: anyone but reporters) spoke of the topic, with
    the best sentence of up to `limit` of them."""
    found = mentions(store, topic, speakers, window)
    days = found.days
    weight = {d: len(found.by_day[d]) + max(h.paired for h in found.by_day[d])
              for d in days}
    shown = spread(days, weight, limit)
    topic_vector = store.embedder.encode([topic])[0]
    best = best_sentences(store, {d: found.by_day[d] for d in shown}, topic_vector)
    entries = [TimelineEntry(_iso(day), cite_statement(n, *best[day]), len(found.by_day[day]))
               for n, day in enumerate((d for d in shown if d in best), 1)]
    names = store.speaker_aliases()
    counted = found.counts(names) if speakers is None else [
        DayCount(_iso(d), len(found.by_day[d]), name) for d in days]
    shown_window = Window(*(w.isoformat() if w else None for w in (window.since, window.until)),
                          window.label) if window else None
    return Timeline(topic, name, entries, counted, shown_window)


def edge(store: Store, topic: str, speakers: list[str] | None,
         latest: bool, window: DateWindow | None = None
         ) -> tuple[Citation, int, list[int]] | None:
    """The first (or, `latest`, the last) day the speakers spoke of the topic in the whole
    store: its best sentence cited, that day, and every day they did."""
    found = mentions(store, topic, speakers, window)
    days = found.days
    if not days:
        return None
    topic_vector = store.embedder.encode([topic])[0]
    for day in (reversed(days) if latest else days):
        best = best_sentences(store, {day: found.by_day[day]}, topic_vector)
        if day in best:
            return cite_statement(1, *best[day]), day, days
    return None
