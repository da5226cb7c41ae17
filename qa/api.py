"""The product's front door: `ask` and `quotes`. The CLI, the UI and the LangChain runnable all
come through here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.records import Quote
from index.settings import Settings
from index.store.chroma import Store
from index.store.keyword import phrase_scorer, tokenize
from qa.answer import NO_STATEMENT_TEXT, OTHERS_TEXT, Answer
from qa.compose import (
    OTHER_SPEAKER_PENALTY,
    SPEAKER_BONUS,
    SentenceScorer,
    compose,
)
from qa.followup import resolve
from qa.generate import generate
from qa.parse import ParsedQuestion, parse_question, speaker_match
from qa.retrieve import Filters, Passage, retrieve

MAX_QUESTION_CHARS = 2000
SPEAKER_MATCH = 0.85


def open_store(store: Store | str | Path | None = None) -> Store:
    """An open `Store`, cached per directory so repeated calls reuse model and store."""
    if isinstance(store, Store):
        return store
    path = Path(store) if store else Settings().home
    return _open_store(str(path.resolve()))


@lru_cache(maxsize=8)
def _open_store(path: str) -> Store:
    store = Store(path)
    store.preload_vectors()
    return store


def validate_question(question: str) -> str:
    """Whitespace folded; control characters (NUL, escape codes, lone surrogates) refused,
    since they are never part of a question and break encoders downstream."""
    question = " ".join(question.split()) if isinstance(question, str) else ""
    if not question:
        raise ValueError("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise ValueError(f"the question is {len(question):,} characters; "
                         f"the limit is {MAX_QUESTION_CHARS:,}")
    control = next((c for c in question if unicodedata.category(c) in ("Cc", "Cs")), None)
    if control is not None:
        raise ValueError(f"the question contains a control character (U+{ord(control):04X}); "
                         "type plain text")
    return question


def ask(question: str, *, store: Store | str | Path | None = None, k: int = 8,
        filters: Filters | dict[str, Any] | None = None,
        history: Sequence[Any] | None = None) -> Answer:
    """Answer from the indexed articles, every sentence cited; `no_answer` when nothing fits.
    With `BRIEFING_LLM` set, a language model writes it and each sentence is checked."""
    *_, answer = ask_stream(question, store=store, k=k, filters=filters, history=history)
    return answer


def ask_stream(question: str, *, store: Store | str | Path | None = None, k: int = 8,
               filters: Filters | dict[str, Any] | None = None,
               history: Sequence[Any] | None = None) -> Iterator[str | Answer]:
    """`ask`, yielding a language model's text as it is written before the checked `Answer`,
    which always comes last (and alone, for extractive answers)."""
    asked = validate_question(question)
    opened = open_store(store)
    chosen = Filters.coerce(filters)
    parsed, cited = resolve(parse_question(asked), history)
    if chosen.speaker:
        parsed = replace(parsed, speaker=chosen.speaker)
    with opened.reading():
        found = search(opened, parsed, k=k, filters=chosen)
        articles = opened.get_articles([p.article_id for p in found.passages])
        scorer = SentenceScorer(
            query_vector=found.query_vector,
            term_weights=opened.keyword.term_weights(found.query),
            tokenize=lambda text: tokenize([text])[0],
            speaker_fit=_speaker_fit(found.speakers, parsed.speaker is not None),
            phrase=phrase_scorer(found.query) if parsed.about_words else no_phrase)
        exclude = frozenset((a, s.index) for a, start, end in cited if a in articles
                            for s in articles[a].sentences if start <= s.start < end)
        # "What else did he say?", "What did Mattis announce?": any of their words will do.
        anything_by_speaker = bool(found.speakers) and (bool(cited) or not found.query_terms)
        extractive = about_speaker(parsed, found.speakers, compose(
            question, found.passages, articles, scorer, asks_who=parsed.asks_who,
            exclude=exclude, require_relevance=not anything_by_speaker,
            answer_with_questions=parsed.about_questions))
    # The language model is a choice of the moment (BRIEFING_LLM), not of the store it reads.
    yield from generate(question, extractive, found.passages, articles, opened.embedder,
                        Settings())


def about_speaker(parsed: ParsedQuestion, speakers: list[str], answer: Answer) -> Answer:
    """Whether the person the question names has said anything in the store. When not, the
    answer says so first, and whatever it cites is marked as other people's words."""
    if parsed.speaker is None:
        return answer
    if speakers:
        return replace(answer, speaker_found=True)
    absent = NO_STATEMENT_TEXT.format(name=parsed.speaker)
    text = absent if answer.no_answer else \
        f"{absent} {OTHERS_TEXT.format(name=parsed.speaker)} {answer.text}"
    return replace(answer, text=text, speaker_found=False)


@dataclass(frozen=True)
class SearchResult:
    query: str
    query_vector: np.ndarray
    speakers: list[str]
    passages: list[Passage]

    @property
    def query_terms(self) -> list[str]:
        """The query's searchable words (stemmed, stopwords out)."""
        return tokenize([self.query])[0]


def search(store: Store, parsed: ParsedQuestion, *, k: int = 8,
           filters: Filters | dict[str, Any] | None = None) -> SearchResult:
    """Hybrid search for a parsed question. With a speaker the store knows, the search is for
    the topic among that speaker's passages first, then the open search as a fallback."""
    speakers = matching_speakers(store, parsed.speaker)
    query = parsed.topic if speakers else _search_text(parsed)
    query_vector = store.embedder.encode([query])[0]
    chosen = Filters.coerce(filters)
    passages = retrieve(store, query, query_vector, k=k, filters=chosen, speakers=speakers,
                        phrases=parsed.about_words)
    if speakers:
        seen = {p.chunk_id for p in passages}
        passages += [p for p in retrieve(store, _search_text(parsed), query_vector, k=k,
                                         filters=chosen, phrases=parsed.about_words)
                     if p.chunk_id not in seen]
    return SearchResult(query, query_vector, speakers, passages)


def _search_text(parsed: ParsedQuestion) -> str:
    """The unfiltered search keeps the speaker's name: it may be written in the article."""
    if parsed.speaker and parsed.speaker.lower() not in parsed.topic.lower():
        return f"{parsed.speaker} {parsed.topic}"
    return parsed.topic or parsed.question


def matching_speakers(store: Store, name: str | None) -> list[str]:
    if not name:
        return []
    return [s for s in store.speaker_names() if speaker_match(name, s) >= SPEAKER_MATCH]


def no_phrase(text: str) -> float:
    """The phrase score of a question not about anyone's words: none."""
    return 0.0


def _speaker_fit(speakers: list[str],
                 asked_for_one: bool) -> Callable[[str | None, str], float]:
    """Bonus for the asked speaker's sentences, penalty for other people's words. A sentence
    no one is quoted in but that names the speaker ("Lopez described the floods as …") is
    about what they said, if less surely their words."""
    surnames = re.compile(r"\b(?:{})\b".format("|".join(
        re.escape(name.split()[-1]) for name in speakers))) if speakers else None

    def fit(speaker: str | None, text: str) -> float:
        if not asked_for_one:
            return 0.0
        if speaker in speakers:
            return SPEAKER_BONUS
        if speaker is None and surnames is not None and surnames.search(text):
            return SPEAKER_BONUS / 2
        return -OTHER_SPEAKER_PENALTY if speaker else -OTHER_SPEAKER_PENALTY / 3

    return fit


def quotes(speaker: str | None = None, topic: str | None = None,
           store: Store | str | Path | None = None) -> list[Quote]:
    """Every quote or reported statement, optionally by one speaker (fuzzy) and on a topic."""
    opened = open_store(store)
    found: list[Quote] = []
    for article in opened.iter_articles():
        found += [q for q in article.quotes
                  if speaker is None or (q.speaker and speaker_match(speaker, q.speaker)
                                         >= SPEAKER_MATCH)]
    if topic:
        terms = set(tokenize([topic])[0])
        found = [q for q in found if terms & set(tokenize([q.text])[0])]
    return found
