"""Article text → paragraphs and sentences, as character offsets into the original text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from index.records import Article, Sentence

if TYPE_CHECKING:
    from spacy.tokens import Doc

BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
NEWLINE = re.compile(r"\n\s*")
# News copy that lost its paragraph breaks glues sentences together: "social media.The union".
GLUED_SENTENCE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
HAS_WORD = re.compile(r"\w")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Blank lines separate paragraphs; text with none uses single line breaks instead."""
    breaker = BLANK_LINE if BLANK_LINE.search(text) else NEWLINE
    spans, start = [], 0
    for gap in breaker.finditer(text):
        spans.append((start, gap.start()))
        start = gap.end()
    spans.append((start, len(text)))
    return [span for span in (_strip(text, s, e) for s, e in spans) if span[0] < span[1]]


def split_sentences(article: Article, doc: Doc) -> list[Sentence]:
    """spaCy's sentences, cut again at paragraph breaks and glued full stops, stripped."""
    paragraphs = paragraph_spans(article.text)
    pieces = _cut(
        [(s.start_char, s.end_char) for s in doc.sents], [p[0] for p in paragraphs[1:]]
    )
    glued = [m.start() for m in GLUED_SENTENCE.finditer(article.text)]
    pieces = _cut(pieces, glued)
    sentences: list[Sentence] = []
    for start, end in pieces:
        start, end = _strip(article.text, start, end)
        if start < end and HAS_WORD.search(article.text, start, end):
            sentences.append(Sentence(article.id, len(sentences), start, end,
                                      _paragraph_of(paragraphs, start)))
    return sentences


def _cut(spans: Iterable[tuple[int, int]], cuts: Sequence[int]) -> list[tuple[int, int]]:
    """Split every span at each cut position that falls strictly inside it."""
    out = []
    for start, end in spans:
        inner = [c for c in cuts if start < c < end]
        bounds = [start, *inner, end]
        out.extend(zip(bounds, bounds[1:]))
    return out


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraph_of(paragraphs: Sequence[tuple[int, int]], offset: int) -> int:
    """1-based number of the paragraph holding `offset`."""
    for number, (_, end) in enumerate(paragraphs, 1):
        if offset < end:
            return number
    return len(paragraphs)
