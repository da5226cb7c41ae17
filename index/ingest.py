"""Files → articles → sentences, quotes, chunks → vectors → store, in bounded batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from index.chunk import chunk_article
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
        indexed = index_articles(changed, record_error)
        if indexed:
            texts = [chunk.text_for_embedding for item in indexed for chunk in item.chunks]
            store.write(indexed, store.embedder.encode(texts))
            report.articles += len(indexed)
            report.chunks += len(texts)
    return report


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
