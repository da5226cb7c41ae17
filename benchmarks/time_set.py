"""The time set: questions about when on two years of White House briefings, scored as
`../shared/README.md` says for each kind, beside the naive LangChain pipeline; and the
answers to the set's speaker/topic pairs asked without date words, checked for questions,
echoes and fragments where statements belong.

Kinds: `window` and `relative` (every citation inside the window, one holding a gold sentence
with the speaker on it), `first` and `last` (the earliest or latest day among the speaker's
citations is the gold day, and the answer's text names it), `timeline` (citations in date
order, at least 80% of them gold sentences by the speaker, covering 80% of min(6, days)
gold days, the first and the last among them), `digest` (90% of the citations from that
day, at least 3 distinct reporters' questions among their `asked` fields or passages)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from benchmarks.corpora import Question, QuestionSet, Span, cached_langchain
from index.store.chroma import Store
from qa.api import ask

KINDS = ("window", "relative", "first", "last", "timeline", "digest")
TIMELINE_GOLD_SHARE, TIMELINE_DAYS_SHARE, TIMELINE_DAYS = 0.8, 0.8, 6
DIGEST_DAY_SHARE, DIGEST_QUESTIONS = 0.9, 3
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")
CUT_OFF = re.compile(r"(?:[-–—]|\w-)[\"'”’)\]]*$")
WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Cited:
    """A passage an answer cites, with what the time set scores on."""

    article_id: str
    start: int
    end: int
    date: str
    speaker: str | None
    text: str
    asked: str | None = None


@dataclass(frozen=True)
class Said:
    text: str
    cited: list[Cited]


@dataclass(frozen=True)
class Timed:
    question_id: str
    kind: str
    half: str
    right: bool
    milliseconds: float


Answerer = Callable[[str, str | None], Said]


def briefing(store: Store) -> Answerer:
    def answer(question: str, today: str | None) -> Said:
        result = ask(question, store=store, today=today)
        return Said(result.text, [Cited(c.article_id, c.start, c.end, c.date, c.speaker,
                                        c.passage, c.asked) for c in result.citations])

    return answer


def naive_langchain(question_set: QuestionSet, k: int, chunk: int, overlap: int) -> Answerer:
    """Top-k of `similarity_search`, dated by their articles; no speakers."""
    index = cached_langchain(question_set, chunk, overlap)
    dates = {a.id: a.date for a in question_set.articles}

    def answer(question: str, today: str | None) -> Said:
        documents = index.similarity_search(question, k=k)
        cited = [Cited(d.metadata["article_id"], d.metadata["start_index"],
                       d.metadata["start_index"] + len(d.page_content),
                       dates.get(d.metadata["article_id"], ""), None, d.page_content)
                 for d in documents]
        return Said(documents[0].page_content if documents else "", cited)

    return answer


def run(question_set: QuestionSet, systems: dict[str, Answerer],
        halves: Sequence[str]) -> list[dict[str, object]]:
    """A row per system, half and kind (and "all"): the share right, p50 and p95."""
    rows: list[dict[str, object]] = []
    asked = [q for q in question_set.questions if q.half in halves]
    for name, answer in systems.items():
        answer(asked[0].text, asked[0].when.today if asked[0].when else None)  # warm up
        timed = []
        for question in asked:
            started = time.perf_counter()
            said = answer(question.text, question.when.today if question.when else None)
            elapsed = 1000 * (time.perf_counter() - started)
            timed.append(Timed(question.id, question.kind, question.half,
                               right(question, said), elapsed))
        for half in halves:
            for kind in (*KINDS, "all"):
                mine = [t for t in timed if t.half == half and kind in ("all", t.kind)]
                if mine:
                    rows.append(_row(name, half, kind, mine))
    return rows


def _row(system: str, half: str, kind: str, timed: list[Timed]) -> dict[str, object]:
    latencies = [t.milliseconds for t in timed]
    return {"set": "time", "half": half, "system": system, "kind": kind, "n": len(timed),
            "right": round(float(np.mean([t.right for t in timed])), 4),
            "p50_ms": round(float(np.percentile(latencies, 50)), 1),
            "p95_ms": round(float(np.percentile(latencies, 95)), 1)}


def right(question: Question, said: Said) -> bool:
    """Whether the answer is right for its kind (see the module's docstring)."""
    when = question.when
    kind = question.kind
    if kind in ("window", "relative"):
        return bool(said.cited) and all(_inside(c.date, when.since, when.until)
                                        for c in said.cited) and any(
            _by(c, question.speaker) and _holds_gold(c, question.gold) for c in said.cited)
    if kind in ("first", "last"):
        days = [c.date[:10] for c in said.cited if _by(c, question.speaker) and c.date]
        edge = (min if kind == "first" else max)(days, default=None)
        return edge == when.day and _names_day(said.text, when.day)
    if kind == "timeline":
        return _timeline_right(question, said)
    return _digest_right(question, said)


def _timeline_right(question: Question, said: Said) -> bool:
    cited = said.cited
    if not cited:
        return False
    days = [c.date[:10] for c in cited]
    if days != sorted(days):
        return False
    gold = [c for c in cited if _by(c, question.speaker) and _holds_gold(c, question.gold)]
    if len(gold) < TIMELINE_GOLD_SHARE * len(cited):
        return False
    gold_days = set(question.when.days)
    covered = {c.date[:10] for c in gold} & gold_days
    wanted = TIMELINE_DAYS_SHARE * min(TIMELINE_DAYS, len(gold_days))
    return len(covered) >= wanted and {min(gold_days), max(gold_days)} <= covered


def _digest_right(question: Question, said: Said) -> bool:
    cited = said.cited
    if not cited:
        return False
    on_day = sum(c.date[:10] == question.when.day for c in cited)
    if on_day < DIGEST_DAY_SHARE * len(cited):
        return False
    asked = {c.asked or c.text for c in cited
             if any(_fold(text) in f"{_fold(c.asked or '')} {_fold(c.text)}"
                    for text in question.when.texts)}
    return len(asked) >= DIGEST_QUESTIONS


def _fold(text: str) -> str:
    return " ".join(text.split())


def _inside(day: str, since: str | None, until: str | None) -> bool:
    return bool(day) and (since is None or day[:10] >= since) and (
        until is None or day[:10] <= until)


def _by(cited: Cited, surname: str | None) -> bool:
    return bool(surname) and bool(cited.speaker) and surname.lower() in cited.speaker.lower()


def _holds_gold(cited: Cited, gold: Sequence[Span]) -> bool:
    return any(g.article_id == cited.article_id and cited.start <= g.start and g.end <= cited.end
               for g in gold)


def _names_day(text: str, day: str | None) -> bool:
    """The day in the answer's words: "March 5, 2021", "5 March 2021" or 2021-03-05."""
    if not day:
        return False
    found = date.fromisoformat(day)
    month = f"{found:%B}"
    forms = (f"{month} {found.day}, {found.year}", f"{found.day} {month} {found.year}", day)
    return any(form in text for form in forms)


# -- statements, not echoes ------------------------------------------------------------------

def pairs(question_set: QuestionSet, halves: Sequence[str]) -> list[tuple[str, str]]:
    """Every speaker/topic pair of the set's questions, once."""
    found = {(q.speaker, q.when.topic) for q in question_set.questions
             if q.half in halves and q.speaker and q.when and q.when.topic}
    return sorted(found)


def statement_rows(store: Store, question_set: QuestionSet,
                   halves: Sequence[str]) -> list[dict[str, object]]:
    """"What did <speaker> say about <topic>?" for every pair: the share of answers that open
    with a question, cite one, or open with a fragment (under five words, ending in a dash
    or a word cut off)."""
    rows = []
    for half in halves:
        asked = pairs(question_set, (half,))
        if not asked:
            continue
        opens_question = cites_question = opens_fragment = 0
        for speaker, topic in asked:
            result = ask(f"What did {speaker} say about {topic}?", store=store)
            if not result.citations:
                continue
            sentences = [s for c in result.citations for s in _sentences(c.passage)]
            first = _sentences(result.citations[0].passage)[0]
            opens_question += first.endswith("?")
            cites_question += any(s.rstrip("\"'”’)]").endswith("?") for s in sentences)
            opens_fragment += len(WORD.findall(first)) < 5 or bool(CUT_OFF.search(first))
        n = len(asked)
        rows.append({"set": "time-statements", "half": half, "system": "briefing", "n": n,
                     "opens_question": round(opens_question / n, 4),
                     "cites_question": round(cites_question / n, 4),
                     "opens_fragment": round(opens_fragment / n, 4)})
    return rows


def _sentences(passage: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(_fold(passage)) if s.strip()] or [""]
