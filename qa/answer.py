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
class Window:
    """The days a dated answer searched: ISO `since` and `until`, inclusive (None: open), and
    how the answer names them ("In March 2024")."""

    since: str | None
    until: str | None
    label: str


@dataclass(frozen=True)
class DayCount:
    """How many of `speaker`'s sentences held the topic on one day (`speaker` None: anyone's):
    what a timeline's chart draws, for every day, not only the days it cites."""

    date: str
    count: int
    speaker: str | None = None


@dataclass(frozen=True)
class Answer:
    """`mode` says what wrote `text`: "extractive" (verbatim sentences) or "generative" (a
    language model, checked). `sentences` lists what a model wrote, each with its verdict;
    `warning` says why a model's answer was not used, or what was dropped from it.
    `speaker_found` is None when the question names no one, False when the store holds no
    statement by the person it names (the text says so first; any passages are others').
    `kind` is the answer the question wanted: "ask", "first", "last", "timeline", "digest"
    or "compare"; `window` the days a dated question searched; `outside_window` true when
    they held nothing and the citations are the nearest statements outside them (the text
    says so first); `days` how often the topic came up on each day (timelines)."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0
    no_answer: bool = False
    mode: str = "extractive"
    sentences: list[CheckedSentence] = field(default_factory=list)
    warning: str | None = None
    speaker_found: bool | None = None
    kind: str = "ask"
    window: Window | None = None
    days: list[DayCount] = field(default_factory=list)
    outside_window: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        citations = [Citation(**c) for c in data.get("citations", [])]
        sentences = [CheckedSentence(**s) for s in data.get("sentences", [])]
        window = Window(**data["window"]) if data.get("window") else None
        days = [DayCount(**d) for d in data.get("days", [])]
        return cls(**{**data, "citations": citations, "sentences": sentences,
                      "window": window, "days": days})


NO_ANSWER_TEXT = "I could not find this in the indexed briefings."
NO_STATEMENT_TEXT = "No statement by {name} in the indexed briefings."
OUTSIDE_WINDOW_TEXT = "Nearest, outside that window:"
OTHERS_TEXT = "Related passages, not by {name}:"
# What each `Answer.mode` means, as the chat and the command line tell it.
MODE_NOTES = {
    "extractive": "Extractive answer: sentences quoted from the articles.",
    "generative": "Generative answer: each sentence checked against the passage it cites.",
}
