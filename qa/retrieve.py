"""Hybrid retrieval: dense (Chroma) and keyword (BM25) rankings fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.store import IndexedArticle, Store, date_number, is_current
from qa.rerank import RERANK_DEPTH, load_reranker, rerank

RRF_K = 60
# `BRIEFING_RETRIEVAL` → (dense, keyword) weight in the fusion; a zero skips that search.
MODES = {"hybrid": (1.0, 1.0), "dense": (1.0, 0.0), "keyword": (0.0, 1.0)}
# Up to this many, a speaker's chunks are scored here, exactly: Chroma's HNSW search held to a
# few ids walks much of the graph (70 ms for 30 of 57k chunks, against 3 ms to read their
# vectors); reading vectors grows with the count and is the slower above about 400.
EXACT_SEARCH_MAX = 400


@dataclass(frozen=True)
class Filters:
    """Metadata filters; dates are ISO (`2017-08-01`), inclusive. `speaker` (a name, matched
    fuzzily) is applied by `ask` the same way as a speaker named in the question: through
    the speakers the keyword index records per chunk, not a Chroma filter."""

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

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.source:
            clauses.append({"source": self.source})
        if self.article:
            clauses.append({"article_id": self.article})
        for bound, operator in ((self.since, "$gte"), (self.until, "$lte")):
            if bound:
                number = date_number(bound)
                if number is None:
                    raise ValueError(f"date {bound!r} is not YYYY-MM-DD")
                clauses.append({"date_number": {operator: number}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk; `score` is its fused RRF score (or the cross-encoder's)."""

    chunk_id: str
    article_id: str
    start: int
    end: int
    sentence_range: tuple[int, int]
    score: float


def retrieval_weights(mode: str) -> tuple[float, float]:
    if mode not in MODES:
        raise ValueError(f"BRIEFING_RETRIEVAL={mode!r} is not one of {', '.join(MODES)}")
    return MODES[mode]


def retrieve(store: Store, query: str, query_vector: Sequence[float], *, k: int = 8,
             filters: Filters | None = None, speakers: Sequence[str] = (),
             depth: int = 30) -> list[Passage]:
    """Top-k passages by RRF over the dense and keyword rankings, each `depth` deep, then by
    the cross-encoder when one is configured. With `speakers`, only chunks in which one of
    them speaks."""
    where = (filters or Filters()).where()
    dense_weight, keyword_weight = retrieval_weights(store.settings.retrieval)
    total = store.chunk_count()
    if total == 0:
        return []
    allowed = store.keyword.quoting(speakers) if speakers else None
    dense_ids: list[str] = []
    metadata: dict[str, dict[str, Any]] = {}
    if dense_weight:
        dense_ids, found = dense_search(store, query_vector, min(depth, total), where, allowed)
        metadata.update(found)
    keyword_ids = ([i for i, _ in store.keyword.search(query, depth * (3 if where else 1),
                                                       speakers=speakers or None)]
                   if keyword_weight else [])
    missing = [i for i in dict.fromkeys(dense_ids + keyword_ids) if i not in metadata]
    if missing:
        found = store.chunks.get(ids=missing, where=where, include=["metadatas"])
        metadata.update(zip(found["ids"], found["metadatas"]))
    dense_ids = [i for i in dense_ids if i in metadata]
    keyword_ids = [i for i in keyword_ids if i in metadata][:depth]
    fused: dict[str, float] = {}
    for ranking, weight in ((dense_ids, dense_weight), (keyword_ids, keyword_weight)):
        for rank, chunk_id in enumerate(ranking):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank + 1)
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
            if is_current(chunk_id, articles.get(meta["article_id"])):
                passages.append(Passage(chunk_id, meta["article_id"], meta["start"], meta["end"],
                                        (meta["sentence_start"], meta["sentence_end"]),
                                        fused[chunk_id]))
    if store.settings.reranker:
        texts = [articles[p.article_id].article.text[p.start:p.end]
                 for p in passages[:RERANK_DEPTH]]
        passages = rerank(load_reranker(store.settings.reranker), query, passages, texts)
    return passages[:k]


def dense_search(store: Store, query_vector: Sequence[float], depth: int,
                 where: dict[str, Any] | None,
                 allowed: list[str] | None) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Nearest chunks (ids, best first, and the metadata of those Chroma returned it for),
    among `allowed` when given."""
    vector = [float(x) for x in query_vector]
    if allowed is not None and len(allowed) <= EXACT_SEARCH_MAX:
        if not allowed:
            return [], {}
        found = store.chunks.get(ids=allowed, where=where, include=["embeddings"])
        if not found["ids"]:
            return [], {}
        similarity = np.asarray(found["embeddings"]) @ np.asarray(vector)
        return [found["ids"][row] for row in np.argsort(-similarity, kind="stable")[:depth]], {}
    limit = min(depth, len(allowed)) if allowed is not None else depth
    found = store.chunks.query(query_embeddings=[vector], n_results=limit, where=where,
                               ids=allowed, include=["metadatas"])
    return found["ids"][0], dict(zip(found["ids"][0], found["metadatas"][0]))
