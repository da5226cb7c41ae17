"""Article text → paragraphs and sentences, as character offsets into the original text."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from index.records import Article, Sentence, Turn

if TYPE_CHECKING:
    from spacy.tokens import Doc

BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")  # a "blank" line may hold no-break spaces
NEWLINE = re.compile(r"\n\s*")
# News copy that lost its paragraph breaks glues sentences together: "social media.The union".
GLUED_SENTENCE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
HAS_WORD = re.compile(r"\w")
# An editor's note inside a quote or transcript: "[sic]", "[inaudible]", "[a raise]".
BRACKETED = re.compile(r"\[[^\[\]\n]{1,80}\]")


def paragraph_spans(text: str, breaks: Sequence[int] = ()) -> list[tuple[int, int]]:
    """Blank lines separate paragraphs; text with none uses single line breaks instead.
    `breaks` start paragraphs of their own: a transcript's turns, whatever the line breaks."""
    breaker = BLANK_LINE if BLANK_LINE.search(text) else NEWLINE
    spans, start = [], 0
    for gap in breaker.finditer(text):
        spans.append((start, gap.start()))
        start = gap.end()
    spans.append((start, len(text)))
    spans = _cut(spans, sorted(breaks))
    return [span for span in (_strip(text, s, e) for s, e in spans) if span[0] < span[1]]


def text_for_parser(text: str) -> str:
    """The text as the parser should read it, offset for offset: a line break inside a
    hard-wrapped paragraph is a space, and so is a no-break space, so spaCy does not end a
    sentence at the end of every line. Text without blank lines keeps its line breaks, which
    are its paragraph breaks."""
    text = text.replace("\u00a0", " ")
    if not BLANK_LINE.search(text):
        return text
    lines = text.split("\n")
    joined = [line + (" " if line.strip() and after.strip() else "\n")
              for line, after in zip(lines, lines[1:])]
    return "".join([*joined, lines[-1]])


def split_sentences(article: Article, docs: Doc | Sequence[Doc],
                    turns: Sequence[Turn] = ()) -> list[Sentence]:
    """spaCy's sentences, cut again at paragraph breaks, turns and glued full stops, stripped.
    A turn's label ("MS. PSAKI:") is no part of any sentence. Several docs may each have
    read a part of the text (the rest blanked, offsets kept): their sentences are joined."""
    label_starts = [turn.start for turn in turns]
    paragraphs = paragraph_spans(article.text, label_starts)
    paragraph_ends = [end for _, end in paragraphs]
    cuts = sorted({p[0] for p in paragraphs[1:]} | {turn.text_start for turn in turns}
                  | {m.start() for m in GLUED_SENTENCE.finditer(article.text)})
    parsed = [docs] if hasattr(docs, "sents") else list(docs)
    pieces = _cut(_sentence_spans(article.text, parsed, cuts), cuts)
    sentences: list[Sentence] = []
    for start, end in pieces:
        start, end = _strip(article.text, start, end)
        turn = bisect_right(label_starts, start) - 1
        in_label = turn >= 0 and start < turns[turn].text_start
        if start < end and HAS_WORD.search(article.text, start, end) and not in_label:
            sentences.append(Sentence(article.id, len(sentences), start, end,
                                      _paragraph_of(paragraph_ends, start)))
    return sentences


def _sentence_spans(text: str, docs: Sequence[Doc], cuts: Sequence[int]) -> list[tuple[int, int]]:
    """spaCy's sentences, joined again where it cut inside an editor's bracket ("intents of
    [sic] purposes", "from [administration official], and") or before a word that goes on in
    lower case after no full stop. Of each doc, only what it read: a sentence cut at the
    paragraph starts `cuts` keeps the pieces that are words in its doc, not blanks (a
    parser's sentence runs on over the blanked paragraphs another parser reads). `Doc.text`
    is rebuilt from the tokens at every call: read once per doc."""
    brackets = [(m.start(), m.end()) for m in BRACKETED.finditer(text)]
    starts = [low for low, _ in brackets]
    found = sorted(piece for doc, read in ((doc, doc.text) for doc in docs)
                   for piece in _cut([(s.start_char, s.end_char) for s in doc.sents], cuts)
                   if HAS_WORD.search(read, *piece))
    spans: list[tuple[int, int]] = []
    for start, end in found:
        inside = bisect_right(starts, start - 1) - 1
        joins = spans and (
            (inside >= 0 and brackets[inside][0] < start < brackets[inside][1])
            or (text[start:start + 1].islower() and _char_before(text, start) not in ".!?"))
        if joins:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _char_before(text: str, offset: int) -> str:
    """The last character before `offset` that is not whitespace ("" at the start)."""
    while offset > 0 and text[offset - 1].isspace():
        offset -= 1
    return text[offset - 1] if offset else ""


def _cut(spans: Iterable[tuple[int, int]], cuts: Sequence[int]) -> list[tuple[int, int]]:
    """Split every span at each cut position (sorted) that falls strictly inside it."""
    out = []
    for start, end in spans:
        inner = cuts[bisect_right(cuts, start):bisect_left(cuts, end)]
        bounds = [start, *inner, end]
        out.extend(zip(bounds, bounds[1:]))
    return out


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraph_of(paragraph_ends: Sequence[int], offset: int) -> int:
    """1-based number of the paragraph holding `offset`."""
    return min(bisect_right(paragraph_ends, offset) + 1, len(paragraph_ends))
