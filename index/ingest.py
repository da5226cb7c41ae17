"""Files → articles → sentences, quotes, chunks → vectors → store, in bounded batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

import numpy as np

from index.chunk import chunk_article, normalise_whitespace
from index.embed import Embedder, pool_chunks
from index.load import load_paths
from index.quotes import attribute_sentences, extract_quotes, load_nlp
from index.records import Article, LoadError
from index.split import split_sentences
from index.store import IndexedArticle, Store

MAX_NLP_CHARS = 1_000_000


@dataclass
class IngestReport:
    articles: int = 0
    chunks: int = 0
    unchanged: int = 0
    errors: list[LoadError] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.articles} articles, {self.chunks} chunks added, "
                f"{self.unchanged} unchanged, {len(self.errors)} errors")


def ingest(paths: Iterable[str | Path], store: Store, *,
           on_article: Callable[[Article | LoadError], None] | None = None,
           on_error: Callable[[LoadError], None] | None = None) -> IngestReport:
    """Ingest every readable article; bad files are reported, never fatal to the batch.

    Articles whose content hash is already stored are skipped before any parsing or embedding."""
    report = IngestReport()
    seen: dict[str, str] = {}

    def record_error(error: LoadError) -> None:
        report.errors.append(error)
        if on_error:
            on_error(error)

    def fresh_articles() -> Iterator[Article]:
        for item in load_paths(paths, max_file_mb=store.settings.max_file_mb):
            if on_article:
                on_article(item)
            if isinstance(item, LoadError):
                record_error(item)
            elif item.id in seen:
                record_error(LoadError(item.path, f"duplicate article id {item.id!r} "
                                                  f"(first seen in {seen[item.id]}); skipped"))
            elif len(item.text) > MAX_NLP_CHARS:
                record_error(LoadError(item.path, f"article {item.id!r} is {len(item.text):,} "
                                                  f"characters; the limit is {MAX_NLP_CHARS:,}"))
            else:
                seen[item.id] = item.path
                yield item

    articles = fresh_articles()
    while batch := list(islice(articles, store.settings.ingest_batch)):
        stored = store.current_hashes([a.id for a in batch])
        changed = [a for a in batch if stored.get(a.id) != a.content_hash]
        report.unchanged += len(batch) - len(changed)
        indexed = embed_sentences(index_articles(changed, record_error), store.embedder)
        if indexed:
            store.write(indexed, np.concatenate([pool_chunks(item.vectors, item.chunks)
                                                 for item in indexed]))
            report.articles += len(indexed)
            report.chunks += sum(len(item.chunks) for item in indexed)
    return report


def embed_sentences(indexed: list[IndexedArticle], embedder: Embedder) -> list[IndexedArticle]:
    """One encode call for the whole batch: big batches keep the model busy."""
    texts = [normalise_whitespace(item.article.text[s.start:s.end])
             for item in indexed for s in item.sentences]
    vectors = embedder.encode(texts) if texts else np.zeros((0, 0))
    bounds = np.cumsum([0] + [len(item.sentences) for item in indexed])
    return [replace(item, vectors=vectors[first:last])
            for item, first, last in zip(indexed, bounds, bounds[1:])]


def index_articles(articles: list[Article],
                   record_error: Callable[[LoadError], None]) -> list[IndexedArticle]:
    """Parse a batch with one spaCy pass; an article that yields no sentence is an error."""
    indexed = []
    docs = load_nlp().pipe([a.text for a in articles], batch_size=32)
    for article, doc in zip(articles, docs):
        sentences = split_sentences(article, doc)
        if not sentences:
            record_error(LoadError(article.path, f"article {article.id!r} has no sentences"))
            continue
        quotes = extract_quotes(article.text, doc, article.id, sentences)
        sentences = attribute_sentences(sentences, quotes)
        indexed.append(IndexedArticle(article, sentences, quotes,
                                      chunk_article(article, sentences)))
    return indexed
