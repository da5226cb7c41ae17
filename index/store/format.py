"""What the store keeps of each chunk and article in Chroma, and how it is read back.

Chroma's local store indexes every string it holds: each document goes into its full-text
index and its metadata table (about nine times its size in all), each string metadata value
into an index over values (twice its size), whatever a collection's schema asks. So the store
keeps strings small and few: a chunk is its vector and a handful of numbers (its text is the
article's, from its offsets); an article is its short fields plus one `record`, its text and
its sentence, quote and turn tables as compressed JSON. Sentence vectors are not kept, only
the signs of their components (48 bytes a sentence): a question estimates every sentence's
closeness from them, and embeds only the few it weighs whole (`Store.sentence_vectors`).

Format 3. Format 2 kept the texts as documents, and the tables and sentence vectors as
metadata strings: 55 bytes a character of text; format 3 keeps about a fifth of that."""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import asdict, astuple, replace
from typing import Any

import numpy as np
import orjson

from index.records import Article, Chunk, IndexedArticle, Quote, Sentence, Turn
from index.vectors.embed import sign_bits

STORE_FORMAT = 3
ARTICLE_FIELDS = ("title", "date", "source", "author", "url", "path", "content_hash")
RECORD = "record"
# zlib's level 6: compresses English about 3x in a few hundred microseconds per article.
COMPRESSION = 6


def date_number(date: str) -> int | None:
    """"2017-08-03" → 20170803, so Chroma can filter date ranges numerically."""
    digits = date[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else None


def chunk_metadata(item: IndexedArticle, chunk: Chunk) -> dict[str, Any]:
    """Where the chunk is in its article; its day and source, which searches filter on."""
    article = item.article
    meta: dict[str, Any] = {
        "article_id": article.id, "start": chunk.start, "end": chunk.end,
        "paragraph": chunk.paragraph, "sentence_start": chunk.sentence_range[0],
        "sentence_end": chunk.sentence_range[1]}
    if article.source:
        meta["source"] = article.source
    if (number := date_number(article.date)) is not None:
        meta["date_number"] = number
    return meta


def article_metadata(item: IndexedArticle) -> dict[str, Any]:
    """The article's short fields, what the archive lists, and its compressed record."""
    article = item.article
    meta: dict[str, Any] = {field: getattr(article, field) for field in ARTICLE_FIELDS
                            if getattr(article, field)}
    if (number := date_number(article.date)) is not None:
        meta["date_number"] = number
    meta["chunks"] = len(item.chunks)
    meta["turns"] = len(item.turns)
    meta["characters"] = len(article.text)
    speakers = sorted({s.speaker for s in item.sentences if s.speaker})
    if speakers:
        meta["speakers"] = speakers
    names = {name: number for number, name in enumerate(speakers)}
    record = {
        "text": article.text,
        "signs": base64.b64encode(sign_bits(item.vectors).tobytes()).decode("ascii")
        if item.vectors is not None and len(item.vectors) else "",
        "pages": list(article.pages),
        "speakers": speakers,
        "sentences": [[s.start, s.end, s.paragraph,
                       names[s.speaker] if s.speaker else -1, int(s.question)]
                      for s in item.sentences],
        "quotes": [{k: v for k, v in asdict(q).items() if k != "text"} for q in item.quotes],
        "turns": [astuple(turn) for turn in item.turns],
    }
    packed = zlib.compress(json.dumps(record, ensure_ascii=False).encode("utf-8"), COMPRESSION)
    meta[RECORD] = base64.b64encode(packed).decode("ascii")
    return meta


def unpack(meta: dict[str, Any]) -> dict[str, Any]:
    """An article's record. A damaged one raises ValueError, KeyError or TypeError. Read with
    orjson: a transcript's record parses in 0.2 ms instead of 0.5."""
    try:
        return orjson.loads(zlib.decompress(base64.b64decode(meta[RECORD])))
    except zlib.error as error:
        raise ValueError(f"the record does not decompress ({error})") from None


def read_article(article_id: str, meta: dict[str, Any], record: dict[str, Any]) -> Article:
    """The article alone, without the tables: all a chunk's text needs."""
    return Article(id=article_id, text=record["text"], pages=tuple(record["pages"]),
                   **{f: meta.get(f, "") for f in ARTICLE_FIELDS})


def read_sentences(article_id: str, record: dict[str, Any],
                   aliases: dict[str, str] | None = None) -> list[Sentence]:
    """A record's sentence table, each speaker under its name in `aliases` if it has one."""
    speakers = [(aliases or {}).get(name, name) for name in record["speakers"]]
    return [Sentence(article_id, n, start, end, paragraph,
                     speakers[speaker] if speaker >= 0 else None, bool(question))
            for n, (start, end, paragraph, speaker, question) in enumerate(record["sentences"])]


def read_record(article_id: str, meta: dict[str, Any], record: dict[str, Any] | None = None,
                aliases: dict[str, str] | None = None) -> IndexedArticle:
    """The article as stored (`record`: its record, unpacked already), each speaker under the
    store's name for them (`Store.speaker_aliases`); its chunks stay in Chroma, where
    retrieval reads them. A damaged record raises ValueError, KeyError or TypeError."""
    record = unpack(meta) if record is None else record
    article = read_article(article_id, meta, record)
    text = article.text
    quotes = [Quote(text=text[q["start"]:q["end"]], **q) for q in record["quotes"]]
    turns = [Turn(*turn) for turn in record["turns"]]
    sentences = read_sentences(article_id, record, aliases)
    signs = np.frombuffer(base64.b64decode(record["signs"]), dtype=np.uint8).reshape(
        len(sentences), -1) if record["signs"] else None
    if aliases:
        quotes = [_renamed(quote, aliases) for quote in quotes]
        turns = [_renamed(turn, aliases) for turn in turns]
    return IndexedArticle(article, sentences, quotes, [], None, turns, signs)


def _renamed(record: Any, aliases: dict[str, str]) -> Any:
    return replace(record, speaker=aliases[record.speaker]) \
        if record.speaker in aliases else record
