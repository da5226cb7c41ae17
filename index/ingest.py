"""Files → articles → sentences, quotes, chunks → vectors → store, in bounded batches.

Parsing and embedding are pure CPU work on a batch of articles, so once an ingest has more
than one batch they run in worker processes (one per core, each single-threaded: no thread
waits for a busy core) while this process reads files, skips unchanged articles and writes to
Chroma. At most `workers + 1` batches are in flight, so memory stays flat however many
articles come."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.chunk import chunk_article, normalise_whitespace
from index.embed import Embedder, pool_chunks, resolve_backend
from index.load import load_paths
from index.quotes import SPACY_MODELS, attribute_sentences, extract_quotes, load_nlp
from index.records import Article, LoadError, Quote, Sentence, Turn
from index.settings import Settings
from index.split import split_sentences, text_for_parser
from index.store import IndexedArticle, Store
from index.turns import (
    find_turns,
    masked,
    parse_spans,
    speak_sentences,
    speakers_own_words,
    turn_quotes,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MAX_NLP_CHARS = 1_000_000
NLP_BATCH = 16  # docs spaCy holds at once: 64 cost a worker 300 MB more, for 5% speed
PARENT_CHECK_SECONDS = 1.0
QUOTE_ONLY_PIPES = ("tagger", "parser", "attribute_ruler", "lemmatizer", "ner")


@dataclass
class IngestReport:
    articles: int = 0
    chunks: int = 0
    unchanged: int = 0
    errors: list[LoadError] = field(default_factory=list)
    seen_before: int = 0  # feed entries already in the store, not fetched again

    def summary(self) -> str:
        seen = (f", {self.seen_before} feed entries already in the store"
                if self.seen_before else "")
        return (f"{self.articles} articles, {self.chunks} chunks added, "
                f"{self.unchanged} unchanged, {len(self.errors)} errors{seen}")


@dataclass(frozen=True)
class Prepared:
    """A batch ready to write: articles with sentence vectors, their chunk vectors in order,
    and the articles that could not be indexed."""

    indexed: list[IndexedArticle]
    chunk_vectors: np.ndarray
    errors: list[LoadError]


def ingest(paths: Iterable[str | Path], store: Store, *,
           on_article: Callable[[Article | LoadError], None] | None = None,
           on_error: Callable[[LoadError], None] | None = None) -> IngestReport:
    """Ingest every readable article of files and folders; bad files are reported, never
    fatal to the batch."""
    return ingest_articles(load_paths(paths, max_file_mb=store.settings.max_file_mb), store,
                           on_article=on_article, on_error=on_error)


def ingest_articles(items: Iterable[Article | LoadError], store: Store, *,
                    on_article: Callable[[Article | LoadError], None] | None = None,
                    on_error: Callable[[LoadError], None] | None = None) -> IngestReport:
    """Ingest loaded articles (files, pages, feed entries); errors among them are reported.

    Articles whose content hash is already stored are skipped before any parsing or embedding.
    The keyword index is brought in step at the end, so the first question is not kept
    waiting for it."""
    report = IngestReport()
    seen: dict[str, str] = {}

    def record_error(error: LoadError) -> None:
        report.errors.append(error)
        if on_error:
            on_error(error)

    def fresh_articles() -> Iterator[Article]:
        for item in items:
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

    def changed_batches() -> Iterator[list[Article]]:
        articles = fresh_articles()
        while batch := list(islice(articles, store.settings.ingest_batch)):
            stored = store.current_hashes([a.id for a in batch])
            changed = [a for a in batch if stored.get(a.id) != a.content_hash]
            report.unchanged += len(batch) - len(changed)
            if changed:
                yield changed

    def write(prepared: Prepared) -> None:
        for error in prepared.errors:
            record_error(error)
        if prepared.indexed:
            store.write(prepared.indexed, prepared.chunk_vectors)
            report.articles += len(prepared.indexed)
            report.chunks += len(prepared.chunk_vectors)

    for prepared in prepare_all(changed_batches(), store):
        write(prepared)
    if report.articles:
        store.keyword  # noqa: B018 - the new chunks indexed now, not at the first question
    return report


def prepare_all(batches: Iterator[list[Article]], store: Store) -> Iterator[Prepared]:
    """Batches prepared in order: in worker processes when there is more than one batch and
    the settings allow more than one worker, else here (a small ingest never pays for
    starting workers)."""
    opening = list(islice(batches, 2))
    workers = worker_count(store.settings)
    if len(opening) < 2 or workers < 2:
        for batch in chain(opening, batches):
            yield prepare(batch, store.embedder, store.settings.quotes)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(store.settings, os.getpid())) as pool:
        pending: deque[Future[Prepared]] = deque()
        try:
            for batch in chain(opening, batches):
                pending.append(pool.submit(_prepare_in_worker, batch))
                if len(pending) > workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            raise RuntimeError(
                "an ingest worker process died; a script that calls ingest() must do so under "
                "`if __name__ == \"__main__\":` (workers re-import it), or set "
                "BRIEFING_INGEST_WORKERS=1") from None


def worker_count(settings: Settings) -> int:
    """`BRIEFING_INGEST_WORKERS`; 0 = one per core."""
    return settings.ingest_workers or os.cpu_count() or 1


def prepare(articles: list[Article], embedder: Embedder, quotes: bool = True) -> Prepared:
    errors: list[LoadError] = []
    indexed = embed_sentences(index_articles(articles, errors.append, quotes), embedder)
    vectors = (np.concatenate([pool_chunks(item.vectors, item.chunks) for item in indexed])
               if indexed else np.zeros((0, 0), dtype=np.float32))
    return Prepared(indexed, vectors, errors)


def embed_sentences(indexed: list[IndexedArticle], embedder: Embedder) -> list[IndexedArticle]:
    """One encode call for the whole batch: big batches keep the model busy."""
    texts = [normalise_whitespace(item.article.text[s.start:s.end])
             for item in indexed for s in item.sentences]
    vectors = embedder.encode(texts) if texts else np.zeros((0, 0))
    bounds = np.cumsum([0] + [len(item.sentences) for item in indexed])
    return [replace(item, vectors=vectors[first:last])
            for item, first, last in zip(indexed, bounds, bounds[1:])]


def index_articles(articles: list[Article], record_error: Callable[[LoadError], None],
                   quotes: bool = True) -> list[IndexedArticle]:
    """Parse a batch; an article that yields no sentence is an error.

    News articles go through one full spaCy pass (quotes need the dependency parse). A
    transcript's speakers are written in its labels, so it needs only the sentence splitter,
    plus the full parse of the few paragraphs that quote or report someone. Without quotes
    (`BRIEFING_QUOTES=off`) every parse is only the sentence splitter."""
    indexed = []
    turns = [find_turns(article) for article in articles]
    parse_texts = [text_for_parser(article.text) for article in articles]
    splitter = load_sentence_nlp()
    full = load_nlp() if quotes else splitter
    news_docs = full.pipe((text for text, found in zip(parse_texts, turns) if not found),
                          batch_size=NLP_BATCH)
    for article, parse_text, found in zip(articles, parse_texts, turns):
        if found:
            sentences = split_sentences(article, splitter(parse_text), found)
            statements = _transcript_quotes(article, parse_text, found, sentences, quotes)
            sentences = speak_sentences(sentences, found)
        else:
            doc = next(news_docs)
            sentences = split_sentences(article, doc)
            statements = _quotes_of(article, parse_text, doc, sentences) if quotes else []
            sentences = attribute_sentences(sentences, statements)
        if not sentences:
            record_error(LoadError(article.path, f"article {article.id!r} has no sentences"))
            continue
        indexed.append(IndexedArticle(article, sentences, statements,
                                      chunk_article(article, sentences), turns=found))
    return indexed


def _transcript_quotes(article: Article, parse_text: str, turns: list[Turn],
                       sentences: list[Sentence], quotes: bool) -> list[Quote]:
    """Every answer turn is its speaker's quote; quotes inside turns come from the full parse
    of just the paragraphs that hold a quote mark or a speech verb."""
    found = turn_quotes(article.id, turns, sentences, article.text)
    spans = parse_spans(parse_text, turns) if quotes else []
    if spans:
        text = masked(parse_text, spans)
        found += speakers_own_words(_quotes_of(article, text, load_nlp()(text), sentences),
                                    turns)
    return sorted(found, key=lambda quote: (quote.start, quote.end))


def _quotes_of(article: Article, parse_text: str, doc: Doc,
               sentences: list[Sentence]) -> list[Quote]:
    """Quotes found in the text the parser read, their words as the article writes them."""
    return [replace(quote, text=article.text[quote.start:quote.end])
            for quote in extract_quotes(parse_text, doc, article.id, sentences)]


@lru_cache(maxsize=1)
def load_sentence_nlp() -> Language:
    """The same model cut down to its statistical sentence splitter: about 4x faster than the
    full parse, which only quote attribution needs."""
    import spacy

    for name in SPACY_MODELS:
        try:
            nlp = spacy.load(name, exclude=QUOTE_ONLY_PIPES)
        except OSError:
            continue
        nlp.enable_pipe("senter")
        return nlp
    raise OSError(f"no spaCy model installed; tried {', '.join(SPACY_MODELS)}")


_worker: tuple[Embedder, bool] | None = None


def _start_worker(settings: Settings, parent: int) -> None:
    """Each worker loads spaCy and the model once and embeds on one thread.

    With the ONNX model nothing in a worker needs torch, but spaCy's thinc imports it whenever
    it is installed: keeping it out saves each worker about 180 MB and 2 s of start-up."""
    global _worker
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    if resolve_backend(settings.embed_model, settings.embed_backend) == "onnx":
        sys.modules.setdefault("torch", None)  # type: ignore[assignment]
    _worker = (Embedder(settings.embed_model, settings.batch_size, 1, settings.embed_backend),
               settings.quotes)


def _exit_with_parent(parent: int) -> None:
    """A killed ingest cannot shut its pool down: without this, its workers would wait for
    work forever, holding their models in memory."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _prepare_in_worker(articles: list[Article]) -> Prepared:
    assert _worker is not None, "worker started without _start_worker"
    prepared = prepare(articles, *_worker)
    if trim := _malloc_trim():
        trim(0)
    return prepared


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc keeps what a batch freed inside the process; giving it back after each batch
    keeps a worker 60–100 MB smaller between batches. Absent outside glibc."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
