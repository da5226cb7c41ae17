"""The product's front door: `ask` and `quotes`. The CLI, the UI and the LangChain runnable all
come through here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.records import IndexedArticle, Quote
from index.settings import Settings
from index.store.chroma import Store
from index.store.keyword import phrase_scorer, tokenize
from qa.about_time import (
    answer_window,
    digest_answer,
    display_name,
    edge_answer,
    in_window,
    timeline_answer,
)
from qa.answer import NO_STATEMENT_TEXT, OTHERS_TEXT, Answer, Citation
from qa.compose import (
    OTHER_SPEAKER_PENALTY,
    SPEAKER_BONUS,
    SentenceScorer,
    compose,
    said_by,
)
from qa.dates import as_day, iso_day, window_of
from qa.exchanges import Digest
from qa.exchanges import digest as day_digest
from qa.followup import resolve
from qa.generate import generate
from qa.mentions import MAX_ENTRIES, Timeline
from qa.mentions import timeline as mentions_over_time
from qa.parse import ASK, COMPARE, DIGEST, TIMELINE, ParsedQuestion, parse_question, speaker_match
from qa.retrieve import Filters, Passage, retrieve

MAX_QUESTION_CHARS = 2000
# A `since` that every dated article is on or after, and no undated one.
EARLIEST_DAY = "0001-01-01"
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
        history: Sequence[Any] | None = None, today: date | str | None = None) -> Answer:
    """Answer from the indexed articles, every sentence cited; `no_answer` when nothing fits.
    Date words ("in March 2024", "last week") are read on the day `today` (the real today when
    None); explicit `since`/`until` filters win over them. With `BRIEFING_LLM` set, a
    language model writes the answer to a plain question and each sentence is checked."""
    *_, answer = ask_stream(question, store=store, k=k, filters=filters, history=history,
                            today=today)
    return answer


def ask_stream(question: str, *, store: Store | str | Path | None = None, k: int = 8,
               filters: Filters | dict[str, Any] | None = None,
               history: Sequence[Any] | None = None,
               today: date | str | None = None) -> Iterator[str | Answer]:
    """`ask`, yielding a language model's text as it is written before the checked `Answer`,
    which always comes last (and alone, for extractive answers)."""
    parsed, chosen, cited = understand(question, filters, history, today)
    opened = open_store(store)
    with opened.reading():
        if parsed.kind != ASK:
            yield answer_about_time(opened, question, parsed, chosen, k)
            return
        found, articles, extractive = extractive_answer(opened, question, parsed, chosen, k,
                                                        cited)
        if parsed.window is not None:
            extractive = in_window(opened, parsed, found.speakers, extractive,
                                   lambda: outside_window(opened, question, parsed, chosen, k))
    # The language model is a choice of the moment (BRIEFING_LLM), not of the store it reads.
    yield from generate(question, extractive, found.passages, articles, opened.embedder,
                        Settings())


def understand(question: str, filters: Filters | dict[str, Any] | None = None,
               history: Sequence[Any] | None = None, today: date | str | None = None
               ) -> tuple[ParsedQuestion, Filters, frozenset]:
    """The question parsed (read against the conversation), the filters it searches with
    (its date words' window, unless `filters` name one: theirs wins) and the passages the
    conversation cited that a "what else" question leaves out."""
    chosen = Filters.coerce(filters)
    parsed, cited = resolve(parse_question(validate_question(question), today), history)
    if chosen.speaker:
        parsed = replace(parsed, speaker=chosen.speaker)
    explicit = window_of(chosen.since, chosen.until)
    if explicit is not None or parsed.window is not None:
        parsed = replace(parsed, window=explicit or parsed.window)
        chosen = replace(chosen, **parsed.window.filters())
    return parsed, chosen, cited


def extractive_answer(store: Store, question: str, parsed: ParsedQuestion, filters: Filters,
                      k: int, cited: frozenset = frozenset()
                      ) -> tuple[SearchResult, dict[str, IndexedArticle], Answer]:
    """The search, the articles it read and the extractive answer composed from them."""
    found = search(store, parsed, k=k, filters=filters)
    articles = store.get_articles([p.article_id for p in found.passages])
    scorer = SentenceScorer(
        query_vector=found.query_vector,
        term_weights=store.keyword.term_weights(found.query),
        tokenize=lambda text: tokenize([text])[0],
        vectors=store.sentence_vectors,
        speaker_fit=_speaker_fit(found.speakers, parsed.speaker is not None),
        phrase=phrase_scorer(found.query) if parsed.about_words else no_phrase)
    exclude = frozenset((a, s.index) for a, start, end in cited if a in articles
                        for s in articles[a].sentences if start <= s.start < end)
    # "What else did he say?", "What did Mattis announce?": any of their words will do.
    anything_by_speaker = bool(found.speakers) and (bool(cited) or not found.query_terms)
    answer = about_speaker(parsed, found.speakers, compose(
        question, found.passages, articles, scorer, asks_who=parsed.asks_who,
        exclude=exclude, require_relevance=not anything_by_speaker,
        answer_with_questions=parsed.about_questions, dated=parsed.window is not None))
    return found, articles, answer


def outside_window(store: Store, question: str, parsed: ParsedQuestion, filters: Filters,
                   k: int) -> Answer:
    """The answer from every dated article, the window's days aside: what a dated question
    offers when its window holds nothing."""
    dated = replace(filters, since=EARLIEST_DAY, until=None)
    *_, answer = extractive_answer(store, question, replace(parsed, window=None), dated, k)
    return answer


def answer_about_time(store: Store, question: str, parsed: ParsedQuestion, filters: Filters,
                      k: int) -> Answer:
    """A timeline, a first or last mention, a day's briefing or a comparison."""
    if parsed.kind == COMPARE:
        return compare(store, question, parsed, filters, k)
    if parsed.kind == DIGEST:
        return digest_answer(store, question, parsed)
    speakers = matching_speakers(store, parsed.speaker)
    if parsed.speaker and not speakers:
        *_, absent = extractive_answer(store, question, replace(parsed, kind=ASK), filters, k)
        return absent
    if parsed.kind == TIMELINE:
        return timeline_answer(store, question, parsed, speakers or None)
    return edge_answer(store, question, parsed, speakers or None)


def compare(store: Store, question: str, parsed: ParsedQuestion, filters: Filters,
            k: int) -> Answer:
    """One part per speaker: their own words on the topic (in the window), cited; a speaker
    with none is said to have none."""
    parts: list[str] = []
    citations: list[Citation] = []
    aliases = store.speaker_aliases()
    for name in (parsed.speaker, *parsed.others):
        one = replace(parsed, speaker=name, others=(), kind=ASK)
        found, _, answer = extractive_answer(store, question, one, filters, k)
        own = {aliases.get(s, s) for s in found.speakers}
        theirs = [replace(c, n=len(citations) + n) for n, c in
                  enumerate((c for c in answer.citations if c.speaker in own), 1)]
        if not theirs:
            within = f" {parsed.window.label[:1].lower()}{parsed.window.label[1:]}" \
                if parsed.window else ""
            who = display_name(store, found.speakers) or name
            parts.append(f"{who}: nothing about {parsed.topic}{within} in the indexed "
                         "briefings.")
            continue
        citations += theirs
        parts.append(said_by(theirs))
    if parsed.window is not None:
        parts.insert(0, f"{parsed.window.label}:")
    return Answer(question, " ".join(parts), citations, 1.0 if citations else 0.0,
                  not citations, kind=COMPARE, window=answer_window(parsed.window))


def timeline(topic: str, speaker: str | None = None, since: date | str | None = None,
             until: date | str | None = None, store: Store | str | Path | None = None,
             limit: int = MAX_ENTRIES) -> Timeline:
    """Every day `speaker` (None: anyone but reporters) spoke of `topic`, and on up to
    `limit` of them (the first, the last, the strongest between) their best sentence,
    cited."""
    opened = open_store(store)
    with opened.reading():
        speakers = matching_speakers(opened, speaker)
        if speaker and not speakers:
            return Timeline(topic, speaker, [], [])
        return mentions_over_time(opened, topic, speakers or None,
                                  display_name(opened, speakers),
                                  window_of(_iso(since), _iso(until)), limit)


def digest(day: date | str, store: Store | str | Path | None = None,
           event: str = "briefing") -> Digest | None:
    """One day's briefing (`day` a date or an ISO day; the transcript whose title names the
    `event` first: "briefing", "gaggle", "call"), or one transcript's (`day` its article id):
    its opening, then each reporter's question with the first sentences of its answer.
    None: no such article."""
    opened = open_store(store)
    as_date = as_day(day) if isinstance(day, date) or iso_day(day) else None
    with opened.reading():
        return day_digest(opened, as_date, None if as_date else day, event)


def _iso(day: date | str | None) -> str | None:
    return day.isoformat() if isinstance(day, date) else day


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
    the topic among that speaker's passages; the open search follows only when those fall
    short of `k`. Running it always raised no answer figure of the quality sets, and took a
    quarter of the time of the archive's "what did X say" questions."""
    speakers = matching_speakers(store, parsed.speaker)
    query = parsed.topic if speakers else _search_text(parsed)
    query_vector = store.embedder.encode([query])[0]
    chosen = Filters.coerce(filters)
    passages = retrieve(store, query, query_vector, k=k, filters=chosen, speakers=speakers,
                        phrases=parsed.about_words)
    if speakers and len(passages) < k:
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
