"""What `ask` returns: an answer whose every sentence points at a verbatim passage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    """`page` is the PDF page the passage starts on; `asked` is the reporter's question a
    transcript passage answers. Both are None where they do not apply."""

    n: int
    article_id: str
    title: str
    date: str
    source: str
    url: str
    passage: str
    start: int
    end: int
    paragraph: int
    speaker: str | None
    score: float
    page: int | None = None
    asked: str | None = None


@dataclass(frozen=True)
class CheckedSentence:
    """One sentence a language model wrote, its markers stripped: `citations` are the numbers
    of the answer's citations that support it, empty when `supported` is false."""

    text: str
    citations: list[int]
    supported: bool


@dataclass(frozen=True)
class Answer:
    """`mode` says what wrote `text`: "extractive" (verbatim sentences) or "generative" (a
    language model, checked). `sentences` lists what a model wrote, each with its verdict;
    `warning` says why a model's answer was not used, or what was dropped from it.
    `speaker_found` is None when the question names no one, False when the store holds no
    statement by the person it names (the text says so first; any passages are others')."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0
    no_answer: bool = False
    mode: str = "extractive"
    sentences: list[CheckedSentence] = field(default_factory=list)
    warning: str | None = None
    speaker_found: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        citations = [Citation(**c) for c in data.get("citations", [])]
        sentences = [CheckedSentence(**s) for s in data.get("sentences", [])]
        return cls(**{**data, "citations": citations, "sentences": sentences})


NO_ANSWER_TEXT = "I could not find this in the indexed briefings."
NO_STATEMENT_TEXT = "No statement by {name} in the indexed briefings."
OTHERS_TEXT = "Related passages, not by {name}:"
# What each `Answer.mode` means, as the chat and the command line tell it.
MODE_NOTES = {
    "extractive": "Extractive answer: sentences quoted from the articles.",
    "generative": "Generative answer: each sentence checked against the passage it cites.",
}
