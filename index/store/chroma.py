"""One store = one directory: Chroma data (chunks with vectors, articles with their text and
their sentence, quote and turn tables; `index.store.format` says how) plus the derived keyword
index.

Write order makes a crash harmless: an article's chunks go in before its article record, and
readers only trust chunks whose content hash matches the article record (see `is_current`).

Several processes may share a local store. Writes take turns under its write lock, one write
batch at a time (`index.store.lock`). Chroma's embedded client keeps its own copy of the vector
index, read from disk once and kept in step only with its own process's writes: a process
that sees another's stamp opens a new client, reading the index afresh, before it answers or
writes (`Store.follow`)."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.records import Article, IndexedArticle
from index.settings import Settings
from index.speech.people import canonical_names
from index.store.format import (
    RECORD,
    STORE_FORMAT,
    article_metadata,
    chunk_metadata,
    date_number,
    read_article,
    read_record,
    read_sentences,
    unpack,
)
from index.store.journal import JOURNAL_FILE, Journal
from index.store.keyword import ChunkText, KeywordIndex
from index.store.lock import WriteLock
from index.store.statements import Statement
from index.vectors.chunks import normalise_whitespace
from index.vectors.embed import Embedder, model_label, sentence_texts, sign_bits

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.config import Settings as ChromaSettings

CHUNKS = "chunks"
ARTICLES = "articles"
PAGE = 5000
# Article records a question keeps read, and as many only unpacked (`ArticlesRead`): a
# transcript's takes about 0.4 MB in memory, a news article's a tenth of that.
ARTICLES_KEPT = 1000
# Article records per read when the keyword index takes in their text and sentences.
ARTICLE_PAGE = 500
# The articles' vector index (a placeholder vector each) is saved every this many writes, so
# Chroma's write-ahead queue, which keeps every write until each index has saved it, stays
# short: at its default of 1000 it held every article record of a smaller store.
ARTICLE_SYNC = 10
# A device with less free space than this is full: Chroma cannot write its logs.
FULL_BELOW = 4 * 2**20
NO_SPACE_WORDS = ("no space left", "disk is full", "database or disk is full")


class StoreError(RuntimeError):
    """A store that cannot be opened or used as asked; the message is meant for the user."""


class StoreFull(StoreError):
    """A write that failed for want of space on the device holding the store: what was written
    stays, and the same command adds the rest once space is freed."""


def out_of_space(folder: Path, error: BaseException | None = None) -> bool:
    """Whether the device holding `folder` is full: the error says so, or the device has less
    than FULL_BELOW bytes free (Chroma's own errors then speak of failed compactions)."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    if any(words in str(error or "").lower() for words in NO_SPACE_WORDS):
        return True
    try:
        return shutil.disk_usage(folder).free < FULL_BELOW
    except OSError:
        return False


def no_space_message(folder: Path, articles: int | None = None) -> str:
    """The one line a user reads when the device holding the store is full."""
    try:
        free = f"{shutil.disk_usage(folder).free / 2**20:.1f} MB free"
    except OSError:
        free = "no space free"
    held = f"the store holds {articles:,} articles" if articles is not None else \
        "what was written stays"
    return (f"{folder}: no space left on the device holding the store ({free}); {held}, "
            f"{folder_size(folder) / 2**20:.1f} MB; free some space and run the same command "
            "again: it goes on from there")


@dataclass(frozen=True)
class CatalogEntry:
    """An article as the archive lists it; `turns` is how many speaker turns a transcript has
    (0: an article)."""

    article_id: str
    title: str
    date: str
    source: str
    url: str
    path: str
    speakers: tuple[str, ...]
    chunks: int
    turns: int


@dataclass
class ArticlesRead:
    """What questions read of the articles in one generation of the store: whole records, and
    the metadata and unpacked record of those read for their text alone, until a question
    wants them whole. At most ARTICLES_KEPT of each, the first read forgotten first: a
    server on a large archive would otherwise come to hold every record it ever read."""

    articles: dict[str, IndexedArticle] = field(default_factory=dict)
    unpacked: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)

    @staticmethod
    def keep(table: dict[str, Any], key: str, value: Any) -> None:
        table[key] = value
        while len(table) > ARTICLES_KEPT:
            del table[next(iter(table))]


@dataclass(frozen=True)
class Connection:
    """A Chroma client on the store, its two collections, and the write stamp the store had
    when it was opened (or this process's own last write since). An embedded client holds its
    own copy of each vector index, read on its first read (`loaded`)."""

    client: ClientAPI
    chunks: Collection
    articles: Collection
    stamp: str
    loaded: threading.Event = field(default_factory=threading.Event, compare=False)


class Store:
    def __init__(self, path: str | Path | None = None, settings: Settings | None = None, *,
                 on_wait: Callable[[Path], None] | None = None) -> None:
        """`on_wait(folder)` is called the first time this store waits for another process's
        write to end."""
        self.settings = settings or Settings()
        self.path = Path(path) if path else self.settings.home
        self._pinned = threading.local()
        local = not self.settings.chroma_url
        if local:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"{self.path}: cannot open the store ({error})") from None
        self.write_lock = WriteLock(self.path if local else None, on_wait)
        self.journal = Journal(self.path / JOURNAL_FILE if local else None)
        try:
            self._connection = self._open()
        except OSError as error:  # the lock file: a read-only or vanished directory
            raise StoreError(f"{self.path}: cannot open the store ({error})") from None
        self.chunks = StoreCollection(self, CHUNKS)
        self.articles = StoreCollection(self, ARTICLES)
        model = model_label(self.settings.embed_model)
        stored = self._connection.chunks.metadata or {}
        if stored.get("format") != STORE_FORMAT:
            raise StoreError(f"{self.location}: this store is in format {stored.get('format')}, "
                             f"and this version reads format {STORE_FORMAT}; rebuild it: "
                             "`briefing ingest` your files again into a new --store")
        self.model = stored.get("model", model)
        if self.model != model:
            raise StoreError(f"{self.location}: store was built with embedding model "
                             f"{self.model!r}, but BRIEFING_EMBED_MODEL asks for {model!r}; "
                             "use a new --store")
        self._keyword: KeywordIndex | None = None
        self._chunk_count: tuple[str, int] = ("-", 0)
        self._articles_read: tuple[str, ArticlesRead] = ("-", ArticlesRead())
        self._aliases: tuple[str, dict[str, str]] = ("-", {})
        self._catalog: tuple[str, list[CatalogEntry]] = ("-", [])

    def preload_vectors(self) -> None:
        """Start Chroma loading the chunks' vector index, which it reads whole on first use
        (2.7 s at 570k chunks) without holding the GIL: a process about to answer questions
        imports, loads the model and reads the keyword index meanwhile. A query arriving
        during the load waits for it. Not a daemon thread, so no exit cuts a load short
        inside Chroma. A server holds its index already."""
        if not self.settings.chroma_url:
            threading.Thread(target=self._preload, name="preload-vectors").start()

    def _preload(self) -> None:
        """A load that fails (a full device, a damaged store) fails again where the question
        reads, which says why in one line: here it would only print a traceback."""
        with contextlib.suppress(Exception):
            self._loaded()

    @property
    def location(self) -> str:
        """Where the Chroma data lives: the server in server mode, else the directory."""
        return self.settings.chroma_url or str(self.path)

    @property
    def client(self) -> ClientAPI:
        return self._connection.client

    @property
    def keyword_folder(self) -> Path:
        """The keyword index is derived data each client caches locally: beside the Chroma
        files, or in server mode under a folder named after the server, so two servers never
        share a cache; the generation check keeps a cache in step with its server."""
        if not self.settings.chroma_url:
            return self.path / "keyword"
        server = re.sub(r"[^\w.-]+", "_", self.settings.chroma_url)
        return self.path / "servers" / server / "keyword"

    # -- following other processes -------------------------------------------------------------

    def follow(self) -> bool:
        """Catch up with other processes' writes: when the stamp has moved since this process
        opened its client, open a new one, waiting for a write in progress to end. One small
        file read when nothing changed. Whether it caught up."""
        if self.write_lock.stamp() == self._connection.stamp:
            return False
        with self.write_lock.held():
            return self._catch_up()

    def _catch_up(self) -> bool:
        """`follow` for a holder of the lock. The new client is loaded before anyone uses it;
        the old one serves reads already under way, and is freed with the last of them."""
        if self.write_lock.stamp() == self._connection.stamp:
            return False
        connection = self._open()
        self._load(connection)
        self._connection = connection
        return True

    def _open(self) -> Connection:
        """Under the lock: creating the collections is a write, and the stamp read is the
        state the new client sees."""
        with self.write_lock.held():
            client = self._client()
            chunks = client.get_or_create_collection(
                CHUNKS, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
                metadata={"model": model_label(self.settings.embed_model),
                          "format": STORE_FORMAT})
            articles = client.get_or_create_collection(
                ARTICLES, embedding_function=None, metadata={"format": STORE_FORMAT},
                configuration={"hnsw": {"batch_size": ARTICLE_SYNC,
                                        "sync_threshold": ARTICLE_SYNC}})
            connection = Connection(client, chunks, articles, self.write_lock.stamp())
        if self.settings.chroma_url:
            connection.loaded.set()
        return connection

    def _client(self) -> ClientAPI:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_url:
            from urllib.parse import urlparse

            url = urlparse(self.settings.chroma_url)
            try:
                return chromadb.HttpClient(host=url.hostname or "localhost",
                                           port=url.port or 8000, ssl=url.scheme == "https",
                                           settings=chroma_settings)
            except Exception as error:  # refused, unresolvable, not a Chroma server, ...
                raise StoreError(f"{self.location}: cannot reach the Chroma server "
                                 f"({error})") from None
        chroma_settings.is_persistent = True
        chroma_settings.persist_directory = str(self.path / "chroma")
        try:
            return _own_client(chroma_settings)
        except Exception as error:  # chromadb raises many kinds for a damaged directory
            if out_of_space(self.path, error):
                raise StoreFull(no_space_message(self.path)) from None
            raise StoreError(f"{self.path}: cannot open the store ({error})") from None

    def _loaded(self) -> Connection:
        """The connection, its vector indexes read in."""
        connection = self._connection
        if not connection.loaded.is_set():
            self._load(connection)
        return connection

    def _load(self, connection: Connection) -> None:
        """Chroma reads a collection's vector index on its first read, after catching it up
        with the write log, which may save the index: under the lock, never beside another
        process's write. Any read loads it; `count()` would hold the GIL while it does."""
        with self.write_lock.held():
            if not connection.loaded.is_set():
                connection.articles.get(limit=1, include=[])
                connection.chunks.get(limit=1, include=[])
                connection.loaded.set()

    def _read(self, name: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """A read of one collection. Chroma's vector index is this process's copy: once another
        process has written, even during this read, a read fails on a record the copy lacks
        ("Error finding id") or finds a deleted record, without its metadata. The store then
        catches up, after that write, and reads again."""
        from chromadb.errors import InternalError

        def read() -> Any:
            connection = self._loaded()
            return getattr(connection.chunks if name == CHUNKS else connection.articles,
                           method)(*args, **kwargs)

        try:
            result = read()
        except InternalError:
            if not self.follow():
                raise
            return read()
        return read() if _lacks_metadata(result) and self.follow() else result

    @cached_property
    def embedder(self) -> Embedder:
        return Embedder.from_settings(self.settings)

    def sentence_vectors(self, sentences: Sequence[tuple[IndexedArticle, int]]) -> np.ndarray:
        """The vectors of these (article, sentence number) pairs, in order, embedded now: the
        store keeps none (`index.store.format`)."""
        texts = [text for item, index in sentences
                 for text in sentence_texts(item.article, [item.sentences[index]])]
        return self.embedder.encode(texts) if texts else np.zeros((0, 0), dtype=np.float32)

    # -- writing -------------------------------------------------------------------------------

    def current_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        if not article_ids:
            return {}
        found = self.articles.get(ids=list(article_ids), include=["metadatas"])
        return {i: m["content_hash"] for i, m in zip(found["ids"], found["metadatas"])}

    def write(self, batch: Sequence[IndexedArticle], embeddings: np.ndarray) -> None:
        """`embeddings[i]` belongs to the i-th chunk of the batch, in order."""
        with self._changing():
            stale = self._delete_chunks_of([item.article.id for item in batch])
            chunks = [(item, chunk) for item in batch for chunk in item.chunks]
            for first in range(0, len(chunks), self._max_batch):
                part = chunks[first:first + self._max_batch]
                self.chunks.upsert(
                    ids=[chunk.id for _, chunk in part],
                    embeddings=embeddings[first:first + len(part)],
                    metadatas=[chunk_metadata(item, chunk) for item, chunk in part])
            for first in range(0, len(batch), self._max_batch):
                part = batch[first:first + self._max_batch]
                self.articles.upsert(
                    ids=[item.article.id for item in part],
                    embeddings=[[1.0]] * len(part),
                    metadatas=[article_metadata(item) for item in part])
            self._touch(removed=stale, added=[chunk.id for _, chunk in chunks])

    def remove(self, article_id: str) -> bool:
        if not self.articles.get(ids=[article_id], include=[])["ids"]:
            return False
        with self._changing():
            self.articles.delete(ids=[article_id])
            self._touch(removed=self._delete_chunks_of([article_id]))
        return True

    def remove_chunks(self, chunk_ids: Sequence[str]) -> None:
        """Drop chunks no article record vouches for (a crash leaves them) and start a new
        generation, so derived indexes are rebuilt from what remains; see `index.store.check`. They
        are rebuilt from a listing, not from the journal: the index itself may be what was
        wrong."""
        with self._changing():
            if chunk_ids:
                self.chunks.delete(ids=list(chunk_ids))
            self._touch(known=False)

    def _delete_chunks_of(self, article_ids: list[str]) -> list[str]:
        """Deletes the articles' chunks and returns their ids. Looked up first: Chroma's
        delete-by-filter scans even when nothing matches (0.3 s per batch at 57k chunks,
        against 16 ms for the lookup)."""
        found = self.chunks.get(where={"article_id": {"$in": article_ids}}, include=[])["ids"]
        if found:
            self.chunks.delete(ids=found)
        return found

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """One write, from the current generation, in this process's turn. Caught up first with
        other processes' writes: Chroma saves its copy of the vector index, which must hold
        theirs. The stamp moves on before Chroma changes, so a kill mid-write still tells
        readers. A write that fails part way never tells the journal it is done: what reached
        Chroma is then unknown. One that fails for want of space says so (`StoreFull`)."""
        with self.write_lock.held(), self.space_checked():
            self._catch_up()
            self._connection = replace(self._connection, stamp=self.write_lock.bump())
            self.journal.begin(self._stored_generation())
            yield

    @contextmanager
    def space_checked(self) -> Iterator[None]:
        """Errors of a local store's writes that come of a full device, as `StoreFull`."""
        try:
            yield
        except StoreFull:
            raise
        except Exception as error:
            if self.settings.chroma_url or not out_of_space(self.path, error):
                raise
            raise StoreFull(no_space_message(self.path, self._article_count())) from None

    def _article_count(self) -> int | None:
        try:
            return self._connection.articles.count()
        except Exception:  # a full device may refuse even this read
            return None

    def _touch(self, removed: Sequence[str] = (), added: Sequence[str] = (),
               known: bool = True) -> None:
        """A new generation marks every derived index (keyword) stale; the journal says what
        changed, unless the change is not `known` chunk by chunk."""
        generation = uuid.uuid4().hex
        self.articles.modify(metadata={"format": STORE_FORMAT, "generation": generation})
        if known:
            self.journal.done(generation, removed, added)

    @cached_property
    def _max_batch(self) -> int:
        return min(self.client.get_max_batch_size(), PAGE)

    # -- reading -------------------------------------------------------------------------------

    @property
    def generation(self) -> str:
        """Read from Chroma each time (another process may have written since), unless this
        thread pinned it with `reading()`."""
        pinned = getattr(self._pinned, "generation", None)
        if pinned is not None:
            return pinned
        return self._stored_generation()

    def _stored_generation(self) -> str:
        collection = self.client.get_collection(ARTICLES, embedding_function=None)
        return str((collection.metadata or {}).get("generation", ""))

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One state of the store for a whole question on this thread, caught up with other
        processes' writes first: a question consults the generation a dozen times, each a
        Chroma round trip. The block must not yield to other work on the thread (no generator
        suspends inside)."""
        if getattr(self._pinned, "generation", None) is not None:
            yield
            return
        self.follow()
        self._pinned.generation = self._stored_generation()
        try:
            yield
        finally:
            self._pinned.generation = None

    @property
    def articles_read(self) -> ArticlesRead:
        """What questions read of the articles so far, forgotten as soon as any client writes
        to the store."""
        generation = self.generation
        if self._articles_read[0] != generation:
            self._articles_read = (generation, ArticlesRead())
        return self._articles_read[1]

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, IndexedArticle]:
        """Article records with their speakers named as the whole store names them."""
        read = self.articles_read
        found = {i: read.articles[i] for i in article_ids if i in read.articles}
        wanted = [i for i in dict.fromkeys(article_ids) if i not in found]
        if wanted:
            aliases = self.speaker_aliases()
            for article_id, (meta, record) in self._unpacked(read, wanted).items():
                found[article_id] = read_record(article_id, meta, record, aliases)
                read.keep(read.articles, article_id, found[article_id])
                read.unpacked.pop(article_id, None)
        return {i: found[i] for i in article_ids if i in found}

    def get_texts(self, article_ids: Sequence[str]) -> dict[str, Article]:
        """The articles alone, without their sentence, quote and turn tables: a chunk's text
        is cut from its article's, and a question scores 30 chunks for its phrases, of which
        it keeps eight (building a transcript's tables takes 1 ms of its 2)."""
        read = self.articles_read
        found = {i: read.articles[i].article for i in article_ids if i in read.articles}
        wanted = [i for i in dict.fromkeys(article_ids) if i not in found]
        found.update((i, read_article(i, meta, record))
                     for i, (meta, record) in self._unpacked(read, wanted).items())
        return {i: found[i] for i in article_ids if i in found}

    def _unpacked(self, read: ArticlesRead, article_ids: list[str]
                  ) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        """Metadata and unpacked record of each of these articles that the store holds, kept
        in `read`: the caller's, so the generation (a Chroma round trip outside a question) is
        read once."""
        found = {i: read.unpacked[i] for i in article_ids if i in read.unpacked}
        missing = [i for i in article_ids if i not in found]
        if missing:
            stored = self.articles.get(ids=missing, include=["metadatas"])
            for article_id, meta in zip(stored["ids"], stored["metadatas"]):
                found[article_id] = ({k: v for k, v in meta.items() if k != RECORD},
                                     unpack(meta))
                read.keep(read.unpacked, article_id, found[article_id])
        return found

    def iter_article_metadata(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for page in self._pages(self.articles, ["metadatas"]):
            yield from zip(page["ids"], page["metadatas"])

    def iter_articles(self) -> Iterator[IndexedArticle]:
        aliases = self.speaker_aliases()
        for article_id, meta in self.iter_article_metadata():
            yield read_record(article_id, meta, aliases=aliases)

    def iter_chunk_metadata(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for page in self._pages(self.chunks, ["metadatas"]):
            yield from zip(page["ids"], page["metadatas"])

    def _pages(self, collection: Collection, include: list[str]) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            page = collection.get(include=include, limit=PAGE, offset=offset)
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])

    def catalog(self) -> list[CatalogEntry]:
        """Every article, as a reader of the archive lists them: newest first, each with its
        speakers under the store's name for them; read once per generation."""
        generation = self.generation
        if self._catalog[0] != generation:
            aliases = self.speaker_aliases()
            entries = [CatalogEntry(
                article_id, meta.get("title") or "", meta.get("date") or "",
                meta.get("source") or "", meta.get("url") or "", meta.get("path") or "",
                tuple(sorted({aliases.get(name, name) for name in meta.get("speakers") or ()})),
                int(meta.get("chunks") or 0), int(meta.get("turns") or 0))
                for article_id, meta in self.iter_article_metadata()]
            entries.sort(key=lambda e: (e.date, e.title, e.article_id), reverse=True)
            self._catalog = (generation, entries)
        return self._catalog[1]

    def stats(self) -> dict[str, Any]:
        """What the store holds; `disk_bytes` (None in server mode, whose disk is the
        server's) is the store directory's size, `bytes_per_character` that over the
        articles' text."""
        sources: dict[str, int] = {}
        dates: list[str] = []
        count = characters = 0
        for _, meta in self.iter_article_metadata():
            count += 1
            characters += int(meta.get("characters") or 0)
            source = meta.get("source") or ""
            sources[source] = sources.get(source, 0) + 1
            if date_number(meta.get("date", "")):
                dates.append(meta["date"][:10])
        disk = None if self.settings.chroma_url else folder_size(self.path)
        return {"store": self.location, "articles": count, "chunks": self.chunks.count(),
                "model": self.model, "sources": sources,
                "date_range": [min(dates), max(dates)] if dates else None,
                "characters": characters, "disk_bytes": disk,
                "bytes_per_character": round(disk / characters, 1)
                if disk is not None and characters else None}

    def chunk_count(self) -> int:
        """Counted once per generation: a count is a Chroma round trip every question needs."""
        generation = self.generation
        if self._chunk_count[0] != generation:
            self._chunk_count = (generation, self.chunks.count())
        return self._chunk_count[1]

    def speaker_names(self) -> list[str]:
        """Every speaker name as the articles give it, for matching names typed in questions;
        from the keyword index, since reading every article record took 4 s at 10k articles."""
        return self.keyword.speakers

    def speaker_aliases(self) -> dict[str, str]:
        """Name in an article → the store's one name for that person ("Psaki" → "Jen Psaki"),
        worked out once per generation."""
        generation = self.generation
        if self._aliases[0] != generation:
            self._aliases = (generation, canonical_names(self.speaker_names()))
        return self._aliases[1]

    def people(self) -> list[str]:
        """Every speaker once, by the store's name for them: what a person picks from."""
        aliases = self.speaker_aliases()
        return sorted({aliases.get(name, name) for name in self.speaker_names()})

    # -- keyword index -------------------------------------------------------------------------

    @property
    def keyword(self) -> KeywordIndex:
        """In step with the store: this process's copy, else the one saved beside the store if
        another process brought it in step (read without the lock: saved segments never
        change, and the manifest naming them is replaced whole), else updated here."""
        index = self._keyword
        generation = self.generation
        if index is not None and index.generation == generation:
            return index
        current = self._stored_generation()  # a write may have landed since `reading()`
        if index is not None and index.generation == current:
            return index
        saved = KeywordIndex.load(self.keyword_folder)
        if saved is not None and saved.generation == current:
            self._keyword = saved
            return saved
        with self.write_lock.held():
            current = self._stored_generation()
            if self._keyword is None or self._keyword.generation != current:
                self._keyword = self._updated_keyword_index(current)
            return self._keyword

    def _updated_keyword_index(self, generation: str) -> KeywordIndex:
        """Under the lock: the saved index, or this process's copy, brought to `generation`
        from the journal when it leads there from the index's generation (new chunks indexed,
        gone ones masked), else by listing every chunk id (14 s at 570k chunks); then saved."""
        folder = self.keyword_folder
        saved = KeywordIndex.load(folder)
        if saved is not None and saved.generation == generation:
            return saved
        for index in (index for index in (saved, self._keyword) if index is not None):
            changes = self.journal.between(index.generation, generation)
            if changes is not None:
                updated = index.changed(list(changes.added), changes.removed,
                                        self._chunk_texts, generation)
                break
        else:
            live = [i for page in self._pages(self.chunks, []) for i in page["ids"]]
            updated = (saved or self._keyword or KeywordIndex([], set(), "")).updated(
                live, self._chunk_texts, generation)
        with self.space_checked():
            updated.save(folder)
        self.journal.clear()
        return updated

    def _chunk_texts(self, chunk_ids: Sequence[str]) -> list[ChunkText]:
        """What the keyword index reads of each chunk, from its article's record: its words,
        its speakers, its day, and when dated the sentences it keeps in the statement table
        (a sentence two chunks share kept by the first); from the chunk, its vector's signs."""
        chunks: dict[str, dict[str, Any]] = {}
        signs: dict[str, bytes] = {}
        for first in range(0, len(chunk_ids), PAGE):
            found = self.chunks.get(ids=list(chunk_ids[first:first + PAGE]),
                                    include=["metadatas", "embeddings"])
            kept = [row for row, meta in enumerate(found["metadatas"]) if meta is not None]
            chunks.update((found["ids"][row], found["metadatas"][row]) for row in kept)
            if kept:
                packed = sign_bits(np.asarray(found["embeddings"])[kept])
                signs.update((found["ids"][row], bits.tobytes()) for row, bits in
                             zip(kept, packed))
        by_article: dict[str, list[str]] = {}
        for chunk_id, meta in chunks.items():
            by_article.setdefault(meta["article_id"], []).append(chunk_id)
        texts: dict[str, ChunkText] = {}
        articles = list(by_article)
        for first in range(0, len(articles), ARTICLE_PAGE):
            found = self.articles.get(ids=articles[first:first + ARTICLE_PAGE],
                                      include=["metadatas"])
            for article_id, meta in zip(found["ids"], found["metadatas"]):
                ours = [i for i in by_article[article_id]
                        if chunk_hash(i) == meta.get("content_hash")]
                texts.update(_chunk_texts_of(article_id, meta, ours, chunks))
        return [replace(texts[chunk_id], signs=signs[chunk_id]) if chunk_id in texts
                else ChunkText("") for chunk_id in chunk_ids]


class StoreCollection:
    """One of the store's collections as its users see it: always that of the store's current
    connection, its vector index loaded, and reads that follow other processes' writes (see
    `Store._read`)."""

    def __init__(self, store: Store, name: str) -> None:
        self._store = store
        self._name = name

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._store._read(self._name, "get", *args, **kwargs)

    def query(self, *args: Any, **kwargs: Any) -> Any:
        return self._store._read(self._name, "query", *args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        connection = self._store._loaded()
        return getattr(connection.chunks if self._name == CHUNKS else connection.articles,
                       attribute)


def _own_client(settings: ChromaSettings) -> ClientAPI:
    """A client on a Chroma system of its own, so with its own copy of the vector index, read
    from disk as it is now. `chromadb.PersistentClient` would return the system this process
    already opened on the path, with the index as this process last saw it."""
    from chromadb.api import ServerAPI
    from chromadb.api.client import Client
    from chromadb.config import System
    from chromadb.telemetry.product import ProductTelemetryClient

    system = System(settings)
    system.instance(ProductTelemetryClient)
    system.instance(ServerAPI)
    system.start()
    return Client.from_system(system)


def _chunk_texts_of(article_id: str, meta: dict[str, Any], chunk_ids: Sequence[str],
                    chunks: dict[str, dict[str, Any]]) -> dict[str, ChunkText]:
    """`_chunk_texts` for the chunks of one article record."""
    record = unpack(meta)
    text = record["text"]
    sentences = read_sentences(article_id, record)
    day = int(meta.get("date_number") or 0)
    found = {}
    kept_to = 0
    for chunk_id in sorted(chunk_ids, key=lambda i: chunks[i]["sentence_start"]):
        chunk = chunks[chunk_id]
        start, end = chunk["sentence_start"], chunk["sentence_end"]
        inside = sentences[start:end]
        statements = tuple(Statement(s.index, s.speaker, text[s.start:s.end])
                           for s in sentences[max(kept_to, start):end]) if day else ()
        kept_to = end
        found[chunk_id] = ChunkText(normalise_whitespace(text[chunk["start"]:chunk["end"]]),
                                    tuple(sorted({s.speaker for s in inside if s.speaker})),
                                    day, statements)
    return found


def _lacks_metadata(result: dict[str, Any]) -> bool:
    """Whether a read returned a record without its metadata: every record of the store has
    some, so the vector index returned one deleted since it was loaded."""
    metadatas = result.get("metadatas") or []
    rows = [m for row in metadatas for m in row] if metadatas and isinstance(
        metadatas[0], list) else metadatas
    return any(meta is None for meta in rows)


def folder_size(folder: Path) -> int:
    """Bytes on disk of every file under `folder` (sparse files count what they use)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except OSError:  # gone while walking: another process's write
                continue
    return total


def chunk_hash(chunk_id: str) -> str:
    """The content hash of the article version a chunk was cut from (ids are `hash:n`)."""
    return chunk_id.split(":", 1)[0]


def is_current(chunk_id: str, article: Article | None) -> bool:
    """A chunk may be cited only when its article's record was written for the same content."""
    return article is not None and chunk_hash(chunk_id) == article.content_hash
