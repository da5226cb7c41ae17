"""What `ask` returns: an answer whose every sentence points at a verbatim passage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
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


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0
    no_answer: bool = False
    mode: str = "extractive"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        citations = [Citation(**c) for c in data.get("citations", [])]
        return cls(**{**data, "citations": citations})


NO_ANSWER_TEXT = "I could not find this in the indexed briefings."
