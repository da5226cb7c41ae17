"""Sentences → overlapping chunks of whole sentences, the unit that is embedded and searched."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.records import Article, Chunk, Sentence

MAX_SENTENCES = 4
MAX_CHARS = 700
OVERLAP = 1
WHITESPACE = re.compile(r"\s+")


def normalise_whitespace(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip()


def chunk_article(article: Article, sentences: Sequence[Sentence]) -> list[Chunk]:
    """Greedy windows of up to MAX_SENTENCES / MAX_CHARS, each sharing OVERLAP sentences with
    the previous one so a statement and its "he said" attribution meet in at least one chunk."""
    chunks: list[Chunk] = []
    first = 0
    while first < len(sentences):
        last = first
        while (last + 1 < len(sentences) and last + 1 - first < MAX_SENTENCES
               and sentences[last + 1].end - sentences[first].start <= MAX_CHARS):
            last += 1
        window = sentences[first:last + 1]
        chunks.append(Chunk(
            id=f"{article.content_hash}:{len(chunks)}",
            article_id=article.id,
            start=window[0].start,
            end=window[-1].end,
            sentence_range=(window[0].index, window[-1].index + 1),
            paragraph=window[0].paragraph,
            search_text=normalise_whitespace(article.text[window[0].start:window[-1].end]),
        ))
        if last + 1 >= len(sentences):
            break
        first = max(first + 1, last + 1 - OVERLAP)
    return chunks
