"""Citation enforcement for generated answers. Every sentence must name, with `[n]`, a passage
the model was given, and a sentence of that passage must support it: it holds every number of
the sentence, is close to it in meaning (the store's MiniLM) and, unless very close, holds most
of its content words (stemmed, stopwords out). Sentences that fail are dropped, markers naming
no passage count for nothing, and when too little is left the extractive answer stands, saying
why."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.records import Article, IndexedArticle
from index.speech.quotes import load_nlp
from index.speech.sentences import split_sentences
from index.store.keyword import tokenize
from index.vectors.chunks import normalise_whitespace
from index.vectors.embed import Embedder, sentence_texts
from qa.answer import Answer, CheckedSentence, Citation
from qa.compose import NEEDS_CONTEXT, cite_sentences, sentence_text

MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
HAS_WORDS = re.compile(r"[^\W\d_]{2}")
BULLET = " \t-*•"
# A cited passage supports a sentence when the passage's closest sentence (with the one before,
# when it leans on it) holds all the sentence's numbers and either is this close in meaning…
MIN_COSINE_ALONE = 0.85
# …or holds this share of the sentence's content words and is still this close in meaning.
MIN_OVERLAP, MIN_COSINE = 0.6, 0.5
# Below this share of the model's text (by characters) surviving, the extractive answer stands.
MIN_KEPT = 0.5


@dataclass(frozen=True)
class Source:
    """Passage [n] as the model saw it: sentences `first`..`last` (inclusive) of one article."""

    n: int
    article: IndexedArticle
    first: int
    last: int

    @property
    def text(self) -> str:
        sentences = self.article.sentences
        return normalise_whitespace(
            self.article.article.text[sentences[self.first].start:sentences[self.last].end])


@dataclass(frozen=True)
class Claim:
    """One sentence of the model's text without its markers, and the numbers it named."""

    text: str
    markers: tuple[int, ...]


@dataclass(frozen=True)
class Support:
    """Sentences `first`..`last` of an article back a claim; `score` is the best cosine."""

    article: IndexedArticle
    first: int
    last: int
    score: float


def claims(draft: str) -> list[Claim]:
    """The model's text, its markers taken out, cut into sentences the way articles are cut;
    each marker belongs to the sentence it ends or follows ("… 2014 [1]." or "… 2014. [1] He")."""
    pieces: list[str] = []
    markers: list[tuple[int, tuple[int, ...]]] = []
    done = length = 0
    for match in MARKER.finditer(draft):
        pieces.append(draft[done:match.start()])
        length += match.start() - done
        markers.append((length, tuple(int(n) for n in re.split(r"\s*[,;]\s*", match[1]))))
        done = match.end()
    plain = "".join([*pieces, draft[done:]])
    if not HAS_WORDS.search(plain):
        return []
    sentences = split_sentences(Article("draft", plain), load_nlp()(plain))
    starts = [s.start for s in sentences]
    named: list[list[int]] = [[] for _ in sentences]
    for position, numbers in markers:
        named[max(bisect.bisect_left(starts, position) - 1, 0)] += numbers
    found = [Claim(normalise_whitespace(plain[s.start:s.end]).lstrip(BULLET),
                   tuple(dict.fromkeys(numbers))) for s, numbers in zip(sentences, named)]
    return [c for c in found if HAS_WORDS.search(c.text)]


def enforce(draft: str, sources: Sequence[Source], embedder: Embedder,
            extractive: Answer) -> Answer:
    """The checked generative answer, or `extractive` with a warning when too little holds."""
    written = claims(draft)
    if not written:
        return replace(extractive, warning="The language model wrote no answer; this is the "
                                           "extractive answer.")
    by_number = {s.n: s for s in sources}
    vectors = embedder.encode([c.text for c in written])
    sentence_vectors = source_vectors(sources, embedder)
    citations: dict[tuple[str, int, int], Citation] = {}
    checked: list[CheckedSentence] = []
    for claim, vector in zip(written, vectors):
        numbers: list[int] = []
        for support in supports(claim, vector, by_number, sentence_vectors):
            key = (support.article.article.id, support.first, support.last)
            if key not in citations:
                citations[key] = cite_sentences(len(citations) + 1, support.article,
                                                support.first, support.last, support.score)
            numbers.append(citations[key].n)
        numbers = list(dict.fromkeys(numbers))
        checked.append(CheckedSentence(claim.text, numbers, bool(numbers)))
    kept = [c for c in checked if c.supported]
    share = sum(len(c.text) for c in kept) / sum(len(c.text) for c in checked)
    if share < MIN_KEPT:
        return replace(extractive, sentences=checked, warning=(
            f"{len(kept)} of {len(checked)} sentences the language model wrote are supported "
            "by the passages they cite; this is the extractive answer."))
    dropped = len(checked) - len(kept)
    return Answer(
        question=extractive.question,
        text=" ".join(f"{c.text} " + "".join(f"[{n}]" for n in c.citations) for c in kept),
        citations=list(citations.values()), confidence=round(extractive.confidence * share, 3),
        mode="generative", sentences=checked,
        warning=(f"Left out {dropped} of the {len(checked)} sentences the language model wrote: "
                 "the passages they cite do not support them.") if dropped else None)


def source_vectors(sources: Sequence[Source], embedder: Embedder) -> dict[int, np.ndarray]:
    """Each passage's sentence vectors (the store keeps none), in one encode call."""
    texts = {s.n: sentence_texts(s.article.article, s.article.sentences[s.first:s.last + 1])
             for s in sources}
    made = iter(embedder.encode([t for ts in texts.values() for t in ts]))
    return {n: np.stack([next(made) for _ in ts]) for n, ts in texts.items() if ts}


def supports(claim: Claim, vector: np.ndarray, sources: dict[int, Source],
             sentence_vectors: dict[int, np.ndarray]) -> list[Support]:
    """For each passage the claim names, its closest sentence that backs it, as a span with the
    sentence before when it leans on it; a number naming no passage counts for nothing."""
    words = set(tokenize([claim.text])[0])
    numbers = _numbers(claim.text)
    found = []
    for n in claim.markers:
        source = sources.get(n)
        if source is None:
            continue
        article = source.article
        cosines = sentence_vectors[n] @ vector
        backing = [_span(article, source.first + i, float(cosine), words, numbers)
                   for i, cosine in enumerate(cosines)]
        best = max((s for s in backing if s is not None), key=lambda s: s.score, default=None)
        if best is not None:
            found.append(best)
    return found


def _span(article: IndexedArticle, index: int, cosine: float, words: set[str],
          numbers: set[str]) -> Support | None:
    """Sentence `index` (with the one before, if it leans on it) as support, or None."""
    first = index - 1 if index > 0 and NEEDS_CONTEXT.match(sentence_text(article, index)) \
        else index
    span = " ".join(sentence_text(article, i) for i in range(first, index + 1))
    if not numbers <= _numbers(span):
        return None
    overlap = len(words & set(tokenize([span])[0])) / len(words) if words else 0.0
    if cosine >= MIN_COSINE_ALONE or (cosine >= MIN_COSINE and overlap >= MIN_OVERLAP):
        return Support(article, first, index, cosine)
    return None


def _numbers(text: str) -> set[str]:
    """"2,600" and "2600" are one number; "55%" is 55."""
    return {m.replace(",", "") for m in NUMBER.findall(text)}
