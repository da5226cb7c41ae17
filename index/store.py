"""One store = one directory: Chroma data (chunks with vectors, articles with their text,
sentence table and quotes) plus the derived keyword index.

Write order makes a crash harmless: an article's chunks go in before its article record, and
readers only trust chunks whose content hash matches the article record (see `is_current`)."""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, astuple, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.embed import Embedder, model_label
from index.keyword import ChunkText, KeywordIndex
from index.people import canonical_names
from index.records import Article, Chunk, Quote, Sentence, Turn, turn_at
from index.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

CHUNKS = "chunks"
ARTICLES = "articles"
PAGE = 5000
STORE_FORMAT = 2
ARTICLE_FIELDS = ("title", "date", "source", "author", "url", "path", "content_hash")


@dataclass
class ChangeLog:
    """The chunks this process added and removed since generation `base`, up to `current`:
    what a keyword index at `base` needs to catch up without listing the store's chunks."""

    base: str
    current: str = ""
    added: dict[str, None] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)

    def record(self, removed: Sequence[str], added: Sequence[str], generation: str) -> None:
        """Removals first, as writes do them; each id keeps its last change. An id removed
        and added back stays added: a crash may have left it in Chroma but not in the index."""
        for chunk_id in removed:
            self.added.pop(chunk_id, None)
            self.removed.add(chunk_id)
        for chunk_id in added:
            self.removed.discard(chunk_id)
            self.added[chunk_id] = None
        self.current = generation


class StoreError(RuntimeError):
    """A store that cannot be opened or used as asked; the message is meant for the user."""


@dataclass(frozen=True)
class IndexedArticle:
    """An article with everything derived from it at ingest, ready to be written."""

    article: Article
    sentences: list[Sentence]
    quotes: list[Quote]
    chunks: list[Chunk]
    vectors: np.ndarray | None = field(default=None, compare=False)
    turns: list[Turn] = field(default_factory=list)

    def turn_of(self, sentence: int) -> int | None:
        """The number of the transcript turn that holds sentence `sentence`, if any."""
        if not self.turns:
            return None
        return turn_at(self.turns, self._turn_starts, self.sentences[sentence].start)

    @cached_property
    def _turn_starts(self) -> list[int]:
        return [turn.start for turn in self.turns]


def date_number(date: str) -> int | None:
    """"2017-08-03" → 20170803, so Chroma can filter date ranges numerically."""
    digits = date[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else None


class Store:
    def __init__(self, path: str | Path | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.path = Path(path) if path else self.settings.home
        self.lock = threading.RLock()
        self._pinned = threading.local()
        self.client = self._connect()
        model = model_label(self.settings.embed_model)
        self.chunks: Collection = self.client.get_or_create_collection(
            CHUNKS, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
            metadata={"model": model, "format": STORE_FORMAT})
        self.articles: Collection = self.client.get_or_create_collection(
            ARTICLES, embedding_function=None, metadata={"format": STORE_FORMAT})
        stored = self.chunks.metadata or {}
        if stored.get("format") != STORE_FORMAT:
            raise StoreError(f"{self.location}: store format {stored.get('format')} is not this "
                             f"version's ({STORE_FORMAT}); ingest into a new --store")
        self.model = stored.get("model", model)
        if self.model != model:
            raise StoreError(f"{self.location}: store was built with embedding model "
                             f"{self.model!r}, but BRIEFING_EMBED_MODEL asks for {model!r}; "
                             "use a new --store")
        self._keyword: KeywordIndex | None = None
        self._changes: ChangeLog | None = None
        self._chunk_count: tuple[str, int] = ("-", 0)
        self._articles_read: tuple[str, dict[str, IndexedArticle]] = ("-", {})
        self._aliases: tuple[str, dict[str, str]] = ("-", {})

    def preload_vectors(self) -> None:
        """Start Chroma loading the chunks' vector index, which it reads whole on first use
        (2.7 s at 570k chunks) without holding the GIL: a process about to answer questions
        imports, loads the model and reads the keyword index meanwhile. A query arriving
        during the load waits for it. Not a daemon thread, so no exit cuts a load short
        inside Chroma. A server holds its index already."""
        if not self.settings.chroma_url:
            threading.Thread(target=self._first_chunk, name="preload-vectors").start()

    def _first_chunk(self) -> None:
        """Any read loads the index; `count()` would hold the GIL while it does."""
        self.chunks.get(limit=1, include=[])

    @property
    def location(self) -> str:
        """Where the Chroma data lives: the server in server mode, else the directory."""
        return self.settings.chroma_url or str(self.path)

    @property
    def keyword_folder(self) -> Path:
        """The keyword index is derived data each client caches locally: beside the Chroma
        files, or in server mode under a folder named after the server, so two servers never
        share a cache; the generation check keeps a cache in step with its server."""
        if not self.settings.chroma_url:
            return self.path / "keyword"
        server = re.sub(r"[^\w.-]+", "_", self.settings.chroma_url)
        return self.path / "servers" / server / "keyword"

    def _connect(self) -> ClientAPI:
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
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(self.path / "chroma"),
                                             settings=chroma_settings)
        except Exception as error:  # chromadb raises many kinds for a damaged directory
            raise StoreError(f"{self.path}: cannot open the store ({error})") from None

    @cached_property
    def embedder(self) -> Embedder:
        return Embedder.from_settings(self.settings)

    # -- writing -------------------------------------------------------------------------------

    def current_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        if not article_ids:
            return {}
        found = self.articles.get(ids=list(article_ids), include=["metadatas"])
        return {i: m["content_hash"] for i, m in zip(found["ids"], found["metadatas"])}

    def write(self, batch: Sequence[IndexedArticle], embeddings: np.ndarray) -> None:
        """`embeddings[i]` belongs to the i-th chunk of the batch, in order; each article
        carries its sentence vectors."""
        with self.lock, self._changing() as before:
            stale = self._delete_chunks_of([item.article.id for item in batch])
            chunks = [(item, chunk) for item in batch for chunk in item.chunks]
            for first in range(0, len(chunks), self._max_batch):
                part = chunks[first:first + self._max_batch]
                self.chunks.upsert(
                    ids=[chunk.id for _, chunk in part],
                    embeddings=embeddings[first:first + len(part)],
                    documents=[chunk.search_text for _, chunk in part],
                    metadatas=[_chunk_metadata(item, chunk) for item, chunk in part])
            for first in range(0, len(batch), self._max_batch):
                part = batch[first:first + self._max_batch]
                self.articles.upsert(
                    ids=[item.article.id for item in part],
                    embeddings=[[1.0]] * len(part),
                    documents=[item.article.text for item in part],
                    metadatas=[_article_metadata(item) for item in part])
            self._touch(before, removed=stale, added=[chunk.id for _, chunk in chunks])

    def remove(self, article_id: str) -> bool:
        with self.lock, self._changing() as before:
            if not self.articles.get(ids=[article_id], include=[])["ids"]:
                return False
            self.articles.delete(ids=[article_id])
            self._touch(before, removed=self._delete_chunks_of([article_id]))
            return True

    def remove_chunks(self, chunk_ids: Sequence[str]) -> None:
        """Drop chunks no article record vouches for (a crash leaves them) and start a new
        generation, so derived indexes are rebuilt from what remains; see `index.check`. They
        are rebuilt from a listing, not from the change log: the index itself may be what was
        wrong."""
        with self.lock:
            if chunk_ids:
                self.chunks.delete(ids=list(chunk_ids))
            self._touch(None)

    def _delete_chunks_of(self, article_ids: list[str]) -> list[str]:
        """Deletes the articles' chunks and returns their ids. Looked up first: Chroma's
        delete-by-filter scans even when nothing matches (0.3 s per batch at 57k chunks,
        against 16 ms for the lookup)."""
        found = self.chunks.get(where={"article_id": {"$in": article_ids}}, include=[])["ids"]
        if found:
            self.chunks.delete(ids=found)
        return found

    @contextmanager
    def _changing(self) -> Iterator[str]:
        """A change from the current generation; one that fails part way forgets this
        process's change log, since what reached Chroma is then unknown."""
        try:
            yield self.generation
        except BaseException:
            self._changes = None
            raise

    def _touch(self, before: str | None, removed: Sequence[str] = (),
               added: Sequence[str] = ()) -> None:
        """A new generation marks every derived index (keyword) stale. An embedded store has
        one writer, so its change log covers every change from generation `before`; a server
        may have others, and `before=None` says the change is not known id by id."""
        generation = uuid.uuid4().hex
        self.articles.modify(metadata={"format": STORE_FORMAT, "generation": generation})
        if before is None or self.settings.chroma_url:
            self._changes = None
            return
        if self._changes is None or self._changes.current != before:
            self._changes = ChangeLog(before)
        self._changes.record(removed, added, generation)

    @cached_property
    def _max_batch(self) -> int:
        return min(self.client.get_max_batch_size(), PAGE)

    # -- reading -------------------------------------------------------------------------------

    @property
    def generation(self) -> str:
        """Read from Chroma each time (in server mode another client may have written since),
        unless this thread pinned it with `reading()`."""
        pinned = getattr(self._pinned, "generation", None)
        if pinned is not None:
            return pinned
        collection = self.client.get_collection(ARTICLES, embedding_function=None)
        return str((collection.metadata or {}).get("generation", ""))

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One generation for a whole question on this thread: a question consults it a dozen
        times, each a Chroma round trip, and should see one state of the store anyway. The
        block must not yield to other work on the thread (no generator suspends inside)."""
        if getattr(self._pinned, "generation", None) is not None:
            yield
            return
        self._pinned.generation = self.generation
        try:
            yield
        finally:
            self._pinned.generation = None

    @property
    def article_cache(self) -> dict[str, IndexedArticle]:
        """Records read so far, forgotten as soon as any client writes to the store."""
        generation = self.generation
        if self._articles_read[0] != generation:
            self._articles_read = (generation, {})
        return self._articles_read[1]

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, IndexedArticle]:
        """Article records with their speakers named as the whole store names them."""
        cache = self.article_cache
        missing = [i for i in dict.fromkeys(article_ids) if i not in cache]
        if missing:
            aliases = self.speaker_aliases()
            found = self.articles.get(ids=missing, include=["documents", "metadatas"])
            for article_id, text, meta in zip(found["ids"], found["documents"],
                                              found["metadatas"]):
                cache[article_id] = named(read_record(article_id, text, meta), aliases)
        return {i: cache[i] for i in article_ids if i in cache}

    def iter_article_metadata(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for page in self._pages(self.articles, ["metadatas"]):
            yield from zip(page["ids"], page["metadatas"])

    def iter_records(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every article record as stored: (id, text, metadata)."""
        for page in self._pages(self.articles, ["documents", "metadatas"]):
            yield from zip(page["ids"], page["documents"], page["metadatas"])

    def iter_articles(self) -> Iterator[IndexedArticle]:
        aliases = self.speaker_aliases()
        for article_id, text, meta in self.iter_records():
            yield named(read_record(article_id, text, meta), aliases)

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

    def stats(self) -> dict[str, Any]:
        sources: dict[str, int] = {}
        dates: list[str] = []
        count = 0
        for _, meta in self.iter_article_metadata():
            count += 1
            source = meta.get("source") or ""
            sources[source] = sources.get(source, 0) + 1
            if date_number(meta.get("date", "")):
                dates.append(meta["date"][:10])
        return {"store": self.location, "articles": count, "chunks": self.chunks.count(),
                "model": self.model, "sources": sources,
                "date_range": [min(dates), max(dates)] if dates else None}

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
        """Brought in step with Chroma when the store has changed: loaded from disk if another
        process already did it, else updated here — new chunks indexed, gone ones masked."""
        with self.lock:
            generation = self.generation
            if self._keyword is None or self._keyword.generation != generation:
                folder = self.keyword_folder
                index = KeywordIndex.load(folder)
                if index is None or index.generation != generation:
                    index = self._update_keyword_index(index or self._keyword, generation)
                    index.save(folder)
                self._keyword = index
                self._changes = None
            return self._keyword

    def _update_keyword_index(self, index: KeywordIndex | None,
                              generation: str) -> KeywordIndex:
        """From this process's change log when it leads from the index's generation to the
        store's, else by listing every chunk id (14 s at 570k chunks)."""
        changes = self._changes
        if index is not None and changes is not None and (
                (changes.base, changes.current) == (index.generation, generation)):
            return index.changed(list(changes.added), changes.removed, self._chunk_texts,
                                 generation)
        live = [i for page in self._pages(self.chunks, []) for i in page["ids"]]
        return (index or KeywordIndex([], set(), "")).updated(live, self._chunk_texts,
                                                              generation)

    def _chunk_texts(self, chunk_ids: Sequence[str]) -> list[ChunkText]:
        found_chunks: dict[str, ChunkText] = {}
        for first in range(0, len(chunk_ids), PAGE):
            found = self.chunks.get(ids=list(chunk_ids[first:first + PAGE]),
                                    include=["documents", "metadatas"])
            found_chunks.update(
                (i, ChunkText(text, tuple(meta.get("speakers") or ())))
                for i, text, meta in zip(found["ids"], found["documents"], found["metadatas"]))
        return [found_chunks.get(i, ChunkText("")) for i in chunk_ids]


def chunk_hash(chunk_id: str) -> str:
    """The content hash of the article version a chunk was cut from (ids are `hash:n`)."""
    return chunk_id.split(":", 1)[0]


def is_current(chunk_id: str, article: IndexedArticle | None) -> bool:
    """A chunk may be cited only when its article's record was written for the same content."""
    return article is not None and chunk_hash(chunk_id) == article.article.content_hash


def _chunk_metadata(item: IndexedArticle, chunk: Chunk) -> dict[str, Any]:
    article = item.article
    meta: dict[str, Any] = {
        "article_id": article.id, "content_hash": article.content_hash,
        "start": chunk.start, "end": chunk.end, "paragraph": chunk.paragraph,
        "sentence_start": chunk.sentence_range[0], "sentence_end": chunk.sentence_range[1],
        "title": article.title, "source": article.source, "date": article.date,
    }
    if (number := date_number(article.date)) is not None:
        meta["date_number"] = number
    sentences = item.sentences[chunk.sentence_range[0]:chunk.sentence_range[1]]
    speakers = sorted({s.speaker for s in sentences if s.speaker})
    if speakers:
        meta["speakers"] = speakers
    return meta


def _article_metadata(item: IndexedArticle) -> dict[str, Any]:
    article = item.article
    meta: dict[str, Any] = {field: getattr(article, field) for field in ARTICLE_FIELDS}
    if (number := date_number(article.date)) is not None:
        meta["date_number"] = number
    meta["chunks"] = len(item.chunks)
    meta["turns"] = len(item.turns)
    if article.pages:
        meta["pages"] = list(article.pages)
    speakers = sorted({s.speaker for s in item.sentences if s.speaker})
    if speakers:
        meta["speakers"] = speakers
    meta["sentences_json"] = json.dumps(
        [[s.start, s.end, s.paragraph, s.speaker, *([1] if s.question else [])]
         for s in item.sentences])
    meta["quotes_json"] = json.dumps([{k: v for k, v in asdict(q).items() if k != "text"}
                                      for q in item.quotes])
    if item.turns:
        meta["turns_json"] = json.dumps([astuple(turn) for turn in item.turns])
    if item.vectors is not None:
        meta["sentence_vectors"] = base64.b64encode(
            item.vectors.astype(np.float16).tobytes()).decode("ascii")
    return meta


def named(item: IndexedArticle, aliases: dict[str, str]) -> IndexedArticle:
    """The article with each speaker under the store's name for them (`Store.speaker_aliases`)."""
    if not aliases:
        return item

    def rename(record: Any) -> Any:
        return replace(record, speaker=aliases[record.speaker]) \
            if record.speaker in aliases else record

    return replace(item, sentences=[rename(s) for s in item.sentences],
                   quotes=[rename(q) for q in item.quotes],
                   turns=[rename(t) for t in item.turns])


def read_record(article_id: str, text: str, meta: dict[str, Any]) -> IndexedArticle:
    """The article as stored; its chunks stay in Chroma, where retrieval reads them.
    A damaged record raises ValueError, KeyError or TypeError."""
    article = Article(id=article_id, text=text, pages=tuple(meta.get("pages") or ()),
                      **{f: meta.get(f, "") for f in ARTICLE_FIELDS})
    sentences = [Sentence(article_id, n, start, end, paragraph, speaker, bool(question))
                 for n, (start, end, paragraph, speaker, *question)
                 in enumerate(json.loads(meta["sentences_json"]))]
    quotes = [Quote(**{"text": text[q["start"]:q["end"]], **q})
              for q in json.loads(meta["quotes_json"])]
    turns = [Turn(*turn) for turn in json.loads(meta.get("turns_json") or "[]")]
    vectors = None
    if meta.get("sentence_vectors"):
        vectors = np.frombuffer(base64.b64decode(meta["sentence_vectors"]), dtype=np.float16)
        vectors = vectors.reshape(len(sentences), -1).astype(np.float32)
    return IndexedArticle(article, sentences, quotes, [], vectors, turns)
