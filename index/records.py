"""The data that flows down the ingest pipeline: every offset points into `Article.text`."""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Article:
    """One news article exactly as read; `text` is the original and is never rewritten.
    `pages` holds the offset where each page of a PDF starts (empty for everything else)."""

    id: str
    text: str
    title: str = ""
    date: str = ""
    source: str = ""
    author: str = ""
    url: str = ""
    path: str = ""
    content_hash: str = field(default="")
    pages: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", hash_article(self))

    def page_at(self, offset: int) -> int | None:
        """The page (from 1) that holds `offset`; None for an article without pages."""
        return bisect_right(self.pages, offset) if self.pages else None


def hash_article(article: Article) -> str:
    """Hash of everything that ends up in the store, so an edited title also re-ingests."""
    digest = hashlib.sha256()
    for part in (article.id, article.text, article.title, article.date, article.source,
                 article.author, article.url):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Sentence:
    """`question` marks a reporter's question in a transcript: searchable, never an answer."""

    article_id: str
    index: int
    start: int
    end: int
    paragraph: int
    speaker: str | None = None
    question: bool = False


@dataclass(frozen=True)
class Turn:
    """One speaker's turn in a transcript: the label runs `start`..`text_start`, what is said
    `text_start`..`end`. `speaker` is the label's canonical name for this article ("MS.
    JEAN-PIERRE" → "Karine Jean-Pierre"), a role ("Moderator") or "Reporter" for a question."""

    start: int
    text_start: int
    end: int
    label: str
    speaker: str
    question: bool = False


def turn_at(turns: Sequence[Turn], starts: Sequence[int], offset: int) -> int | None:
    """The number of the turn holding `offset`, if any (`starts` are the turns' starts)."""
    at = bisect_right(starts, offset) - 1
    return at if at >= 0 and offset < turns[at].end else None


@dataclass(frozen=True)
class Chunk:
    """A few whole sentences; `id` = content_hash:n so re-ingest is an idempotent upsert.
    `search_text` (whitespace-normalised) is what the keyword index and Chroma documents hold."""

    id: str
    article_id: str
    start: int
    end: int
    sentence_range: tuple[int, int]
    paragraph: int
    search_text: str


@dataclass(frozen=True)
class Quote:
    """A direct quote or reported statement; `start`/`end` span its content in the article."""

    article_id: str
    start: int
    end: int
    text: str
    speaker: str | None
    speaker_mention: str
    cue: str
    direct: bool
    attribution_start: int | None = None
    attribution_end: int | None = None
    sentence: int | None = None


@dataclass(frozen=True)
class LoadError:
    """A file (or one record of it) that could not be read; `str()` is the one-line message."""

    path: str
    problem: str

    def __str__(self) -> str:
        """Always one line: a newline, NUL or terminal escape in a file or field name is
        shown escaped rather than breaking the line or driving the terminal."""
        return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                       for c in f"{self.path}: {self.problem}")


@dataclass(frozen=True)
class IndexedArticle:
    """An article with everything derived from it at ingest, ready to be written. `vectors`
    are its sentences' vectors (at ingest only: the store keeps none), `signs` the signs of
    each vector's components, packed (48 bytes a sentence), which the store keeps."""

    article: Article
    sentences: list[Sentence]
    quotes: list[Quote]
    chunks: list[Chunk]
    vectors: np.ndarray | None = field(default=None, compare=False)
    turns: list[Turn] = field(default_factory=list)
    signs: np.ndarray | None = field(default=None, compare=False)

    def turn_of(self, sentence: int) -> int | None:
        """The number of the transcript turn that holds sentence `sentence`, if any."""
        if not self.turns:
            return None
        return turn_at(self.turns, self._turn_starts, self.sentences[sentence].start)

    @cached_property
    def _turn_starts(self) -> list[int]:
        return [turn.start for turn in self.turns]
