"""One day's briefing at a glance: what opened it, then each reporter's question with the first
sentences of its answer, in order, cited."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from index.records import IndexedArticle
from index.store.chroma import Store
from index.store.format import date_number
from qa.answer import Citation
from qa.compose import cite_sentences, is_statement, question_answered, sentence_text
from qa.parse import EVENTS

# Exchanges a digest shows; the rest are counted.
MAX_EXCHANGES = 10
# How much of a turn an entry quotes: its first statements, up to this many characters.
ANSWER_CHARS = 240


@dataclass(frozen=True)
class Exchange:
    """A reporter's question (its last sentences, as `Citation.asked` holds them) and the
    first sentences of its answer, cited; `asked` None for the opening remarks."""

    asked: str | None
    citation: Citation


@dataclass(frozen=True)
class Digest:
    """`exchanges` shown, of `total` in the transcript; `others` the day's other transcripts,
    as (id, title)."""

    article_id: str
    title: str
    date: str
    url: str
    exchanges: list[Exchange]
    total: int
    others: list[tuple[str, str]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def day_articles(store: Store, day: date) -> list[tuple[str, dict[str, Any]]]:
    """The articles dated `day`: (id, metadata)."""
    number = date_number(day.isoformat())
    found = store.articles.get(where={"date_number": number}, include=["metadatas"])
    return list(zip(found["ids"], found["metadatas"]))


def pick_transcript(candidates: list[tuple[str, dict[str, Any]]], event: str) -> str:
    """The day's transcript to digest: one whose title names the `event` ("briefing",
    "gaggle"), then the one with most turns."""
    def named(title: str) -> bool:
        return any(word.lower() == event for word in EVENTS.findall(title))

    return max(candidates, key=lambda item: (named(item[1].get("title") or ""),
                                             item[1].get("turns") or 0))[0]


def event_named(question: str) -> str:
    """What the question calls the transcript it wants ("gaggle"); "briefing" if nothing."""
    found = EVENTS.search(question)
    return found[1].lower() if found else "briefing"


def digest(store: Store, day: date | None = None, article_id: str | None = None,
           event: str = "briefing", limit: int = MAX_EXCHANGES) -> Digest | None:
    """The digest of one transcript: `article_id`'s, or the one of `day` whose title names the
    `event` ("briefing", "gaggle"; then the one with most turns); None when the day has no
    article."""
    others: list[tuple[str, str]] = []
    if article_id is None:
        if day is None:
            return None
        candidates = day_articles(store, day)
        if not candidates:
            return None
        article_id = pick_transcript(candidates, event)
        others = [(i, meta.get("title") or i) for i, meta in candidates if i != article_id]
    articles = store.get_articles([article_id])
    if article_id not in articles:
        return None
    article = articles[article_id]
    entries = exchanges(article)
    answered = [entry for entry in entries if entry[0] is not None]
    chosen = [entry for entry in entries if entry[0] is None] + answered[:limit]
    shown = [Exchange(asked, cite_sentences(n, article, first, last, 1.0))
             for n, (asked, first, last) in enumerate(chosen, 1)]
    meta = article.article
    return Digest(meta.id, meta.title, meta.date, meta.url, shown, len(answered), others)


def exchanges(article: IndexedArticle) -> list[tuple[str | None, int, int]]:
    """(question asked, first sentence, last sentence) of each answer in the transcript, the
    opening remarks first (asked None): each turn that follows a reporter's question, or
    opens the transcript."""
    found: list[tuple[str | None, int, int]] = []
    sentences_of: dict[int, list[int]] = {}
    for sentence in article.sentences:
        turn = article.turn_of(sentence.index)
        if turn is not None:
            sentences_of.setdefault(turn, []).append(sentence.index)
    for number, turn in enumerate(article.turns):
        if turn.question or number not in sentences_of:
            continue
        after_question = number > 0 and article.turns[number - 1].question
        opening = not found and not any(t.question for t in article.turns[:number])
        if not (after_question or opening):
            continue
        span = _first_statements(article, sentences_of[number])
        if span is None:
            continue
        asked = question_answered(article, span[0]) if after_question else None
        found.append((asked, *span))
    return found


def _first_statements(article: IndexedArticle, sentences: list[int]) -> tuple[int, int] | None:
    """The turn's first statements (from its first sentence that can be an answer), up to
    ANSWER_CHARS."""
    start = next((i for i in sentences if is_statement(sentence_text(article, i))), None)
    if start is None:
        return None
    last = start
    length = len(sentence_text(article, start))
    for index in sentences[sentences.index(start) + 1:]:
        size = len(sentence_text(article, index))
        if length + size > ANSWER_CHARS or not is_statement(sentence_text(article, index)):
            break
        last, length = index, length + size
    return start, last
