"""Hybrid retrieval: dense (Chroma) and keyword (BM25) scores, each normalised and combined
with a weight that follows how much of the question the best keyword match holds.

A quiz-style question ("Which country's parliament voted on Tuesday to …?") shares a few of
its words with the passage that answers it; a blunt one ("What did Psaki say about
continued atrocities?") has every word in the passage. Measured on the tuning halves of the
dev sets, equal rank fusion (RRF) was beaten by either list alone on one of the two kinds
(keyword hit@1 0.75 against RRF 0.40 on transcript questions; dense beat keyword by 0.06 on
RealTime QA), while a dense weight that falls from DENSE_WEIGHT_MAX to DENSE_WEIGHT_MIN as the
top keyword hit holds more of the question's weight won on both (see README, Quality)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from index.records import IndexedArticle
from index.store.chroma import Store, is_current
from index.store.format import date_number
from index.store.keyword import ALL_DAYS, KeywordHit, phrase_scorer
from index.vectors.chunks import normalise_whitespace
from qa.rerank import RERANK_DEPTH, load_reranker, rerank_scores

# The dense score's weight in the sum, from a question no keyword match explains to one the
# best keyword match holds entirely; `BRIEFING_RETRIEVAL=dense|keyword` fixes it at 1 or 0.
DENSE_WEIGHT_MAX, DENSE_WEIGHT_MIN = 0.8, 0.1
MODES = ("hybrid", "dense", "keyword")
# Of the keyword score, the share that rewards holding the question's words as its phrases,
# for questions about someone's words ("who talked about core tenets?"): it cost RealTime QA's
# quiz questions, which describe the news in words of their own, 0.009 of answer hit@1.
PHRASE_WEIGHT = 0.3
# A speaker's or a window's chunks: this many times the search's depth, the nearest by their
# vectors' signs (the keyword index keeps them), are then ranked exactly by their vectors
# (reading 120 vectors takes 5 ms, 240 with their metadata 18). Chroma's search held to ids
# walks much of its graph (70 ms for 30 of 57k chunks) and takes a few thousand ids at once;
# so does a read here (RESCORED_MAX).
RESCORED, RESCORED_MAX = 4, 5000


@dataclass(frozen=True)
class Filters:
    """Metadata filters; dates are ISO (`2017-08-01`), inclusive. `speaker` (a name, matched
    fuzzily) is applied by `ask` the same way as a speaker named in the question: through
    the speakers the keyword index records per chunk, not a Chroma filter. Dates too go
    through the keyword index, which records each chunk's day: Chroma's search held to a
    date range took 0.5-1.4 s at 87k chunks, and to a range and ids, minutes."""

    source: str | None = None
    since: str | None = None
    until: str | None = None
    article: str | None = None
    speaker: str | None = None

    @classmethod
    def coerce(cls, value: Filters | dict[str, Any] | None) -> Filters:
        if isinstance(value, Filters):
            return value
        return cls(**(value or {}))

    def days(self) -> tuple[int, int]:
        """The window as the keyword index's day numbers: (20240301, 20240331)."""
        return (_day_number(self.since) if self.since else ALL_DAYS[0],
                _day_number(self.until) if self.until else ALL_DAYS[1])

    def where(self) -> dict[str, Any] | None:
        """The filters but dates, as a Chroma `where`."""
        clauses = [{key: value} for key, value in (("source", self.source),
                                                   ("article_id", self.article)) if value]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, meta: dict[str, Any]) -> bool:
        """Whether a chunk with this metadata passes every filter but the speaker."""
        low, high = self.days()
        return ((not self.source or meta.get("source") == self.source)
                and (not self.article or meta.get("article_id") == self.article)
                and ((low, high) == ALL_DAYS
                     or low <= (meta.get("date_number") or 0) <= high and "date_number" in meta))


def _day_number(day: str) -> int:
    number = date_number(day)
    if number is None:
        raise ValueError(f"date {day!r} is not YYYY-MM-DD")
    return number


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk; `score` is its fused score in [0, 1] (or the cross-encoder's),
    `closeness` its vector's cosine to the question's."""

    chunk_id: str
    article_id: str
    start: int
    end: int
    sentence_range: tuple[int, int]
    score: float
    closeness: float = 0.0


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"BRIEFING_RETRIEVAL={mode!r} is not one of {', '.join(MODES)}")
    return mode


def retrieve(store: Store, query: str, query_vector: Sequence[float], *, k: int = 8,
             filters: Filters | None = None, speakers: Sequence[str] = (),
             depth: int = 30, phrases: bool = True) -> list[Passage]:
    """Top-k passages by the weighted sum of the dense and keyword scores, each list `depth`
    deep, then by the cross-encoder when one is configured. With `speakers`, only chunks in
    which one of them speaks; with `phrases`, the keyword score rewards the question's
    phrases."""
    chosen = filters or Filters()
    where, days = chosen.where(), chosen.days()
    mode = check_mode(store.settings.retrieval)
    total = store.chunk_count()
    if total == 0:
        return []
    dense: dict[str, float] = {}
    metadata: dict[str, dict[str, Any]] = {}
    if mode != "keyword":
        dense, found = dense_search(store, query_vector, min(depth, total), chosen,
                                    list(speakers) or None)
        metadata.update(found)
    hits = (store.keyword.hits(query, depth * (3 if where else 1), speakers=speakers or None,
                               days=days) if mode != "dense" else [])
    wanted_ids = list(dict.fromkeys([*(h.chunk_id for h in hits),
                                     *(i for i in dense if i not in metadata)]))
    if wanted_ids:
        found = store.chunks.get(ids=wanted_ids, include=["metadatas"])
        metadata.update((chunk_id, meta) for chunk_id, meta in zip(found["ids"],
                                                                   found["metadatas"])
                        if meta is not None and chosen.admits(meta))
    dense = {i: score for i, score in dense.items() if i in metadata}
    hits = [hit for hit in hits if hit.chunk_id in metadata][:depth]  # gone since: dropped
    shares: dict[str, float] = {}
    if phrases and hits:
        phrase_share = phrase_scorer(query)
        texts = chunk_texts(store, {hit.chunk_id: metadata[hit.chunk_id] for hit in hits})
        shares = {chunk_id: phrase_share(text) for chunk_id, text in texts.items()}
    fused = fuse(dense, hits, shares, mode)
    ranked = sorted(fused, key=fused.__getitem__, reverse=True)
    wanted = max(k, RERANK_DEPTH) if store.settings.reranker else k
    passages: list[Passage] = []
    articles: dict[str, IndexedArticle] = {}
    # Article records are the costly read: only as many as the passages kept need.
    for first in range(0, len(ranked), wanted):
        if len(passages) >= wanted:
            break
        window = ranked[first:first + wanted]
        articles.update(store.get_articles([metadata[i]["article_id"] for i in window]))
        for chunk_id in window:
            meta = metadata[chunk_id]
            item = articles.get(meta["article_id"])
            if item is not None and is_current(chunk_id, item.article):
                passages.append(Passage(chunk_id, meta["article_id"], meta["start"], meta["end"],
                                        (meta["sentence_start"], meta["sentence_end"]),
                                        fused[chunk_id]))
    if store.settings.reranker:
        passages = rerank(store, query, passages, articles)
    return with_closeness(store, passages[:k], dense, query_vector)


def with_closeness(store: Store, passages: list[Passage], dense: dict[str, float],
                   query_vector: Sequence[float]) -> list[Passage]:
    """Each passage with its vector's cosine to the question: from the dense search, else
    from its stored vector."""
    missing = [p.chunk_id for p in passages if p.chunk_id not in dense]
    closeness = dict(dense)
    if missing:
        found = store.chunks.get(ids=missing, include=["embeddings"])
        closeness.update(zip(found["ids"], (np.asarray(found["embeddings"])
                                            @ np.asarray(query_vector)).tolist()))
    return [replace(p, closeness=float(closeness.get(p.chunk_id, 0.0))) for p in passages]


def chunk_texts(store: Store, chunks: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each chunk's text, whitespace folded, from its article (chunks keep no text); a chunk
    whose article is gone or changed has none."""
    articles = store.get_texts([meta["article_id"] for meta in chunks.values()])
    texts = {}
    for chunk_id, meta in chunks.items():
        article = articles.get(meta["article_id"])
        if is_current(chunk_id, article):
            texts[chunk_id] = normalise_whitespace(article.text[meta["start"]:meta["end"]])
    return texts


def rerank(store: Store, query: str, passages: list[Passage],
           articles: dict[str, IndexedArticle]) -> list[Passage]:
    """The head of the list in cross-encoder order; `score` becomes the model's probability,
    so the composer's passage feature follows the model."""
    head = passages[:RERANK_DEPTH]
    texts = [articles[p.article_id].article.text[p.start:p.end] for p in head]
    scores = rerank_scores(load_reranker(store.settings.reranker), query, texts)
    ranked = sorted(zip(head, scores), key=lambda pair: -pair[1])
    return [replace(p, score=s) for p, s in ranked] + passages[len(head):]


def fuse(dense: dict[str, float], hits: Sequence[KeywordHit], phrases: dict[str, float],
         mode: str) -> dict[str, float]:
    """Each list's scores scaled to [0, 1] (dense min-max over its list, BM25 by its best,
    with a share for holding the question's words as the phrases they make, when `phrases`
    holds them), summed with the dense weight `dense_weight` gives."""
    weight = dense_weight(hits, mode)
    fused: dict[str, float] = {}
    if dense:
        high, low = max(dense.values()), min(dense.values())
        for chunk_id, score in dense.items():
            fused[chunk_id] = weight * ((score - low) / (high - low) if high > low else 1.0)
    if hits:
        best = hits[0].score
        for hit in hits:
            phrase = phrases.get(hit.chunk_id, 0.0)
            words = hit.score / best if not phrases else \
                (1 - PHRASE_WEIGHT) * hit.score / best + PHRASE_WEIGHT * phrase
            fused[hit.chunk_id] = fused.get(hit.chunk_id, 0.0) + (1 - weight) * words
    return fused


def dense_weight(hits: Sequence[KeywordHit], mode: str) -> float:
    """How far to trust meaning over words for this question: less, the more of the
    question's weight the best keyword match holds."""
    if mode != "hybrid":
        return 1.0 if mode == "dense" else 0.0
    held = hits[0].matched if hits else 0.0
    return DENSE_WEIGHT_MAX - (DENSE_WEIGHT_MAX - DENSE_WEIGHT_MIN) * held


def dense_search(store: Store, query_vector: Sequence[float], depth: int, filters: Filters,
                 speakers: list[str] | None) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """Nearest chunks (id → cosine, best first, and the metadata of those it read it for);
    held to `speakers` or the filters' days, the nearest of theirs."""
    vector = [float(x) for x in query_vector]
    days = filters.days()
    if speakers is None and days == ALL_DAYS:
        found = store.chunks.query(query_embeddings=[vector], n_results=depth,
                                   where=filters.where(), include=["metadatas", "distances"])
        return _nearest(found)
    wanted = depth * RESCORED
    sifted = filters.where() is not None  # a source filter: read metadata, widen if it must
    while True:
        candidates = store.keyword.nearest(np.asarray(vector, dtype=np.float32), wanted,
                                           speakers, days)
        if not candidates:
            return {}, {}
        found = store.chunks.get(ids=candidates,
                                 include=["embeddings", "metadatas"] if sifted else ["embeddings"])
        rows = ([row for row, meta in enumerate(found["metadatas"])
                 if meta is not None and filters.admits(meta)] if sifted
                else list(range(len(found["ids"]))))
        if not sifted or len(rows) >= depth or len(candidates) < wanted \
                or wanted >= RESCORED_MAX:
            break
        wanted = min(wanted * RESCORED, RESCORED_MAX)
    if not rows:
        return {}, {}
    similarity = np.asarray(found["embeddings"])[rows] @ np.asarray(vector)
    best = np.argsort(-similarity, kind="stable")[:depth]
    return ({found["ids"][rows[i]]: float(similarity[i]) for i in best},
            {found["ids"][rows[i]]: found["metadatas"][rows[i]] for i in best} if sifted else {})


def _nearest(found: dict[str, Any]) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """A Chroma query's answer as (id → cosine, id → metadata), best first."""
    rows = [(i, d, meta) for i, d, meta in zip(found["ids"][0], found["distances"][0],
                                               found["metadatas"][0]) if meta is not None]
    return {i: 1.0 - float(d) for i, d, _ in rows}, {i: meta for i, _, meta in rows}
