"""Example questions drawn from what the store holds: its busiest speakers and, for each, a
word that sets their passages apart. A page about the seed briefing and a page about a year
of White House transcripts should not suggest the same questions."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from bm25s.stopwords import STOPWORDS_EN_PLUS

from index.speech.turns import REPORTER, ROLE_WORDS
from index.store.chroma import Store
from index.store.keyword import tokenize

SAMPLE_CHUNKS = 200
WORD = re.compile(r"\b[A-Za-z][A-Za-z'’-]{3,}\b")
# Words any speaker uses a lot without their being what the speaker talks about.
SPOKEN_FILLER = frozenset({
    "think", "know", "going", "want", "just", "really", "said", "says", "thing", "things",
    "would", "could", "also", "well", "like", "look", "make", "sure", "lot", "that’s",
    "it’s", "we’re", "they’re", "don’t", "there", "here", "question", "questions", "today",
    "obviously", "certainly", "course", "again", "right", "yeah", "thank", "thanks", "great",
    "people", "time", "year", "years", "week", "told", "according", "percent", "night",
    "tonight", "morning", "afternoon", "evening", "yesterday", "tomorrow", "month", "months",
    "weeks", "days", "day",
})
FALLBACK = ["What are the main points of the latest briefing?"]


def example_questions(store: Store, count: int = 3) -> list[str]:
    """Up to `count` questions the store can answer: "What did <speaker> say about <word>?"
    and "Who talked about <word>?" for its most quoted people, else one about its passages."""
    keyword = store.keyword
    aliases = store.speaker_aliases()
    spoken = Counter[str]()
    names: dict[str, list[str]] = {}
    for name, chunks in keyword.speaker_chunks().items():
        person = aliases.get(name, name)
        if name != REPORTER and not all(w.lower() in ROLE_WORDS for w in person.split()):
            spoken[person] += chunks
            names.setdefault(person, []).append(name)
    known = {word.lower() for name in store.speaker_names() for word in name.split()}
    questions = []
    for rank, (person, _) in enumerate(spoken.most_common(count)):
        topic = _topic(store, keyword.quoting(names[person])[:SAMPLE_CHUNKS], known)
        if topic is None:
            continue
        known.add(topic)
        surname = person.split()[-1]
        questions.append(f"Who talked about {topic}?" if rank == 1
                         else f"What did {surname} say about {topic}?")
    if not questions:
        topic = _topic(store, keyword.chunk_ids[:SAMPLE_CHUNKS], known)
        questions = [f"What happened with {topic}?"] if topic else FALLBACK
    return questions


def _topic(store: Store, chunk_ids: Sequence[str], taken: set[str]) -> str | None:
    """The lower-case word in most of these chunks, weighed by its rarity in the store (BM25
    IDF, squared: a word in a third of the store says little about anyone). Capitalised words
    are left out: too often a name ("Thanks, Jeff"), and names and titles are no topic; nor
    is a word already `taken`."""
    if not chunk_ids:
        return None
    texts = store.chunks.get(ids=list(chunk_ids), include=["documents"])["documents"]
    avoid = taken | ROLE_WORDS | set(STOPWORDS_EN_PLUS) | SPOKEN_FILLER
    chunks_with = Counter(word for text in texts for word in set(WORD.findall(text))
                          if word.islower() and word not in avoid)
    weights = store.keyword.term_weights(" ".join(chunks_with))
    scored = {word: count * weights.get(next(iter(tokenize([word])[0]), ""), 0.0) ** 2
              for word, count in chunks_with.items()}
    best = max(scored, key=scored.__getitem__, default=None)
    return best if best and scored[best] > 0 else None
