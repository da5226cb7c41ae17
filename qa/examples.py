"""Example questions drawn from what the store holds, so a page about the seed briefing and a
page about two years of White House briefings suggest different things, each worth asking.

They come from the names each speaker said, with the days they said them (`KeywordIndex.topics`,
kept at ingest): the most telling name a person spoke of, asked plainly, in a month they spoke
of it and over time, then the latest transcript's day. A store with no dated transcripts falls
back to its most quoted people and the word that most sets their passages apart."""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bm25s.stopwords import STOPWORDS_EN_PLUS

from index.speech.turns import HONORIFICS, REPORTER, ROLE_WORDS
from index.store.chroma import CatalogEntry, Store
from index.store.format import date_number
from index.store.keyword import Topic, idf, tokenize
from qa.dates import long_date
from qa.parse import EVENTS
from qa.retrieve import chunk_texts

# A topic someone spoke of on several days: at least this many.
MIN_DAYS = 3
# A name or word in more than this share of the store's chunks says little about anyone
# ("President", "American").
COMMON_SHARE = 0.1
SAMPLE_CHUNKS = 200
# A word in capitals longer than this is shouted (a dateline, "WASHINGTON —"), not an acronym.
MAX_ACRONYM = 5
WORD = re.compile(r"\b[A-Za-z][A-Za-z'’-]{3,}\b")
# A capitalised word after a lower-case one: a name, not a sentence's first word.
NAME_INSIDE = re.compile(r"(?<=[a-z,;] )[A-Z][A-Za-z'’-]{3,}\b")
# Words any speaker uses a lot without their being what the speaker talks about.
SPOKEN_FILLER = frozenset({
    "think", "know", "going", "want", "just", "really", "said", "says", "thing", "things",
    "would", "could", "also", "well", "like", "look", "make", "sure", "lot", "that’s",
    "it’s", "we’re", "they’re", "don’t", "there", "here", "question", "questions", "today",
    "obviously", "certainly", "course", "again", "right", "yeah", "thank", "thanks", "great",
    "people", "time", "year", "years", "week", "told", "according", "percent", "night",
    "tonight", "morning", "afternoon", "evening", "yesterday", "tomorrow", "month", "months",
    "weeks", "days", "day", "okay", "hello", "sorry", "everyone", "everybody", "anybody",
    "somebody", "nobody", "folks", "guys",
})
# Capitalised words that date a transcript rather than name what it is about.
CALENDAR_WORDS = frozenset(
    {m.lower() for m in calendar.month_name[1:]} | {d.lower() for d in calendar.day_name}
    | {"est", "edt", "et", "pst", "pdt", "gmt", "utc", "a.m", "p.m"})
NOT_TOPICS = frozenset(STOPWORDS_EN_PLUS) | SPOKEN_FILLER | CALENDAR_WORDS
FALLBACK = ["What are the main points of the latest briefing?"]


@dataclass(frozen=True)
class Suggestion:
    """A topic worth asking a person about: `surname` as a question names them, `topic` as
    the question words it ("the Houthis"), the days they spoke of it (20240305)."""

    surname: str
    topic: str
    days: tuple[int, ...]

    def asked(self) -> str:
        return f"What did {self.surname} say about {self.topic}?"

    def asked_in_month(self) -> str:
        """About the month in which they spoke of it most (the latest of equals)."""
        months = Counter((day // 10000, day // 100 % 100) for day in self.days)
        year, month = max(months, key=lambda m: (months[m], m))
        return f"What did {self.surname} say about {self.topic} in " \
               f"{calendar.month_name[month]} {year}?"

    def asked_over_time(self) -> str:
        return f"How has what {self.surname} said about {self.topic} changed over time?"


def example_questions(store: Store, count: int = 4) -> list[str]:
    """Up to `count` questions the store can answer: what someone said about a topic, what
    they said about another in a month they spoke of it, how what they said about a third
    changed over time, and what was asked at the latest transcript; else questions about
    the most quoted people's words, else one about the store's passages."""
    people = named_people(store)
    suggestions = topic_suggestions(store, people)
    questions = []
    if suggestions:
        questions.append(suggestions[0].asked())
    if len(suggestions) > 1:
        questions.append(suggestions[1].asked_in_month())
    if suggestions:
        questions.append(suggestions[min(2, len(suggestions) - 1)].asked_over_time())
    latest = latest_transcript(store.catalog())
    day = [digest_question(latest)] if latest is not None else []
    wanted = count - len(questions) - len(day)
    if wanted > 0:
        taken = {s.topic.lower().removeprefix("the ") for s in suggestions[:3]}
        questions += word_questions(store, people, taken, wanted)
    return [*questions, *day][:count] or FALLBACK


def named_people(store: Store) -> dict[str, str]:
    """Each name a speaker goes by in the articles → the store's name for that person, for
    people only: no reporters, no roles ("Moderator", "Senior Administration Official")."""
    aliases = store.speaker_aliases()
    people = {}
    for name in store.speaker_names():
        person = aliases.get(name, name)
        if person != REPORTER and not all(w.lower() in ROLE_WORDS for w in person.split()):
            people[name] = person
    return people


def topic_suggestions(store: Store, people: dict[str, str]) -> list[Suggestion]:
    """The names people spoke of on several days, most telling first (days × rarity), one
    per name: never a common word, a title or anyone's name."""
    keyword = store.keyword
    rare = common_limit(keyword.size)
    names_of_people = name_words(people.values())
    best: dict[str, Suggestion] = {}
    ranked = sorted((t for t in keyword.topics if t.speaker in people and t.weight >= rare
                     and len(t.days) >= MIN_DAYS and is_topic(t.name, names_of_people)),
                    key=lambda t: -len(t.days) * t.weight)
    for topic in ranked:
        best.setdefault(topic.name.lower(), suggestion(topic, people[topic.speaker]))
    return list(best.values())


def suggestion(topic: Topic, person: str) -> Suggestion:
    return Suggestion(person.split()[-1], spoken(topic.name), topic.days)


def common_limit(chunks: int) -> float:
    """The rarity (BM25 IDF) of a word in COMMON_SHARE of the store's chunks."""
    return float(idf(max(1.0, COMMON_SHARE * chunks), max(chunks, 1)))


def name_words(people: Iterable[str]) -> set[str]:
    """The words of people's names ("jen", "psaki"): no topic of a question."""
    return {word.lower() for person in people for word in person.split()}


def is_topic(name: str, names_of_people: set[str]) -> bool:
    """A name worth asking about: none of its words a person's name, and not only titles
    ("President", "Mr"), roles ("White House") or words that say nothing ("We", "January")."""
    words = [w.strip(".").lower() for w in name.split()]
    if any(w in names_of_people for w in words):
        return False
    return not all(w in ROLE_WORDS or w in HONORIFICS or w in NOT_TOPICS or len(w) < 2
                   for w in words)


def spoken(name: str) -> str:
    """A name as a question words it: a people or group named in the plural gets "the"
    ("the Houthis", "the Republicans")."""
    plural = " " not in name and name.endswith("s") and not name.endswith(("ss", "us")) \
        and not name.isupper()
    return f"the {name}" if plural else name


def latest_transcript(catalog: Sequence[CatalogEntry]) -> CatalogEntry | None:
    """The newest dated transcript (the catalog lists newest first)."""
    return next((e for e in catalog if e.turns and date_number(e.date)), None)


def digest_question(entry: CatalogEntry) -> str:
    """"What was asked at the July 8, 2022 briefing?", naming the transcript's kind as its
    title does ("gaggle", "call")."""
    found = EVENTS.search(entry.title)
    event = found[1].lower() if found else "briefing"
    return f"What was asked at the {long_date(entry.date[:10])} {event}?"


def word_questions(store: Store, people: dict[str, str], taken: set[str],
                   count: int) -> list[str]:
    """For stores without dated transcripts: "What did <speaker> say about <word>?" and "Who
    talked about <word>?" for the most quoted people, else "What happened with <word>?"."""
    keyword = store.keyword
    spoken_in = Counter[str]()
    names: dict[str, list[str]] = {}
    for name, chunks in keyword.speaker_chunks().items():
        if name in people:
            spoken_in[people[name]] += chunks
            names.setdefault(people[name], []).append(name)
    avoid = taken | name_words(store.people())
    questions = []
    for rank, (person, _) in enumerate(spoken_in.most_common(count)):
        topic = distinctive_word(store, keyword.quoting(names[person])[:SAMPLE_CHUNKS], avoid)
        if topic is None:
            continue
        avoid.add(topic.lower())
        surname = person.split()[-1]
        questions.append(f"Who talked about {topic}?" if rank == 1
                         else f"What did {surname} say about {topic}?")
    if not questions:
        topic = distinctive_word(store, keyword.chunk_ids[:SAMPLE_CHUNKS], avoid)
        questions = [f"What happened with {topic}?"] if topic else []
    return questions


def shouted(word: str) -> bool:
    """A word in capitals longer than an acronym: a dateline ("WASHINGTON —") or a heading."""
    return word.isupper() and len(word) > MAX_ACRONYM


def distinctive_word(store: Store, chunk_ids: Sequence[str], avoid: set[str]) -> str | None:
    """The word in most of these chunks, weighed by its rarity in the store (BM25 IDF,
    squared); a name (a word written with a capital inside a sentence) when there is one:
    never a word in more than COMMON_SHARE of the store's chunks, a word that says nothing,
    a title or anyone's name."""
    if not chunk_ids:
        return None
    found = store.chunks.get(ids=list(chunk_ids), include=["metadatas"])
    texts = list(chunk_texts(store, dict(zip(found["ids"], found["metadatas"]))).values())
    names = {word.lower(): word for text in texts for word in NAME_INSIDE.findall(text)}
    chunks_with = Counter(word.lower() for text in texts for word in set(WORD.findall(text))
                          if is_topic(word, avoid) and word.lower() not in avoid
                          and not shouted(word))
    weights = store.keyword.term_weights(" ".join(chunks_with))
    rare = common_limit(store.keyword.size)
    scored = {word: (word in names, count * weight ** 2)
              for word, count in chunks_with.items()
              if (weight := weights.get(next(iter(tokenize([word])[0]), ""), 0.0)) >= rare}
    best = max(scored, key=scored.__getitem__, default=None)
    return None if best is None else names.get(best, best)
