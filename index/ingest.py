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

from index.read.files import load_paths
from index.records import Article, IndexedArticle, LoadError, Quote, Sentence, Turn
from index.settings import Settings
from index.speech.quotes import attribute_sentences, extract_quotes, load_nlp, spacy_model
from index.speech.sentences import split_sentences, text_for_parser
from index.speech.turns import (
    find_turns,
    masked,
    parse_spans,
    speak_sentences,
    speakers_own_words,
    turn_quotes,
)
from index.store.chroma import Store
from index.vectors.chunks import chunk_article
from index.vectors.embed import Embedder, pool_chunks, resolve_backend, sentence_texts
from index.vectors.quantize import int8_model

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
        for batch in batches_by_size(fresh_articles(), store.settings.ingest_batch,
                                     store.settings.ingest_batch_chars):
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


def batches_by_size(articles: Iterable[Article], count: int,
                    chars: int) -> Iterator[list[Article]]:
    """Batches of `count` articles, or fewer when they are long: at most `chars` characters
    (by default, 64 news articles' worth), so sixty transcripts of 37,000 characters go to
    the workers as twenty batches rather than to one process as one."""
    batch: list[Article] = []
    size = 0
    for article in articles:
        if batch and (len(batch) == count or size + len(article.text) > chars):
            yield batch
            batch, size = [], 0
        batch.append(article)
        size += len(article.text)
    if batch:
        yield batch


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
    if resolve_backend(store.settings.embed_model, store.settings.embed_backend) == "onnx":
        int8_model(store.settings.model_cache)  # built here once, not by each worker at once
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
    texts = [text for item in indexed for text in sentence_texts(item.article, item.sentences)]
    vectors = embedder.encode(texts) if texts else np.zeros((0, 0))
    bounds = np.cumsum([0] + [len(item.sentences) for item in indexed])
    return [replace(item, vectors=vectors[first:last])
            for item, first, last in zip(indexed, bounds, bounds[1:])]


def index_articles(articles: list[Article], record_error: Callable[[LoadError], None],
                   quotes: bool = True) -> list[IndexedArticle]:
    """Parse a batch; an article that yields no sentence is an error.

    A news article gets spaCy's full parse: quotes need its dependencies, and the names its
    entity recogniser finds anywhere in the article make "Clinton said" Bill Clinton rather
    than Hillary (parsing only the paragraphs that quote someone, 81% of news text, lost
    those names for 9% less parsing). A transcript's speakers are written in its labels: only
    its answer paragraphs with a quote mark or a speech verb (36% of the White House
    transcripts) get the full parse, and the rest only the sentence splitter, which costs a
    third as much. Each parser reads its part as a copy with the rest blanked, so offsets
    hold, and each reads its parts of the whole batch in one pass. Without quotes
    (`BRIEFING_QUOTES=off`) everything is only split."""
    turns = [find_turns(article) for article in articles]
    parts = [_parse_parts(article, found, quotes) for article, found in zip(articles, turns)]
    full_docs = load_nlp().pipe((full for full, _ in parts if full is not None),
                                batch_size=NLP_BATCH)
    split_docs = load_sentence_nlp().pipe((rest for _, rest in parts if rest is not None),
                                          batch_size=NLP_BATCH)
    indexed = []
    for article, found, (full, rest) in zip(articles, turns, parts):
        full_doc = next(full_docs) if full is not None else None
        docs = [doc for doc in (full_doc, next(split_docs) if rest is not None else None)
                if doc is not None]
        sentences = split_sentences(article, docs, found)
        statements = (_quotes_of(article, full, full_doc, sentences)
                      if full is not None and full_doc is not None else [])
        if found:
            statements = sorted(turn_quotes(article.id, found, sentences, article.text)
                                + speakers_own_words(statements, found),
                                key=lambda quote: (quote.start, quote.end))
            sentences = speak_sentences(sentences, found)
        else:
            sentences = attribute_sentences(sentences, statements)
        if not sentences:
            record_error(LoadError(article.path, f"article {article.id!r} has no sentences"))
            continue
        indexed.append(IndexedArticle(article, sentences, statements,
                                      chunk_article(article, sentences), turns=found))
    return indexed


def _parse_parts(article: Article, turns: list[Turn],
                 quotes: bool) -> tuple[str | None, str | None]:
    """(what the full parse reads, what the sentence splitter reads), each the article as the
    parser should see it (`text_for_parser`) or a copy blanked outside that part; None for a
    parser with nothing to read."""
    text = text_for_parser(article.text)
    if not quotes:
        return None, text
    if not turns:
        return text, None
    spans = parse_spans(text, turns)
    if not spans:
        return None, text
    gaps = zip([0, *(end for _, end in spans)], [*(start for start, _ in spans), len(text)])
    return masked(text, spans), masked(text, [(low, high) for low, high in gaps if low < high])


def _quotes_of(article: Article, parse_text: str, doc: Doc,
               sentences: list[Sentence]) -> list[Quote]:
    """Quotes found in the text the parser read, their words as the article writes them."""
    return [replace(quote, text=article.text[quote.start:quote.end])
            for quote in extract_quotes(parse_text, doc, article.id, sentences)]


@lru_cache(maxsize=1)
def load_sentence_nlp() -> Language:
    """The same model cut down to its statistical sentence splitter: about 4x faster than the
    full parse, which only quote attribution needs."""
    nlp = spacy_model(exclude=list(QUOTE_ONLY_PIPES))
    nlp.enable_pipe("senter")
    return nlp


_worker: tuple[Embedder, bool] | None = None


def _start_worker(settings: Settings, parent: int) -> None:
    """Each worker loads spaCy and the model once and embeds on one thread.

    With the ONNX model nothing in a worker needs torch, but spaCy's thinc imports it whenever
    it is installed: keeping it out saves each worker about 180 MB and 2 s of start-up."""
    global _worker
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    if resolve_backend(settings.embed_model, settings.embed_backend) == "onnx":
        sys.modules.setdefault("torch", None)  # type: ignore[assignment]
    _worker = (Embedder.from_settings(settings, threads=1), settings.quotes)


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
