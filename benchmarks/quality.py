"""Answer and citation quality of `briefing` beside the baselines a user would otherwise build.

Every system is a function question → `Response` (answer text + passages in rank order), and one
scorer measures them all against the gold evidence spans of `../shared/eval`.

Run: .venv/bin/python -m benchmarks.quality [--quick] [--sets seed,speaker] [--limit N]
     [--split both|tune|report]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import string
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from benchmarks import attribution, time_set
from benchmarks.corpora import (
    HALVES,
    SET_NAMES,
    Question,
    QuestionSet,
    Span,
    cached_langchain,
    cached_store,
    question_set,
)
from index.settings import Settings
from index.store.chroma import Store
from index.vectors.embed import model_label
from qa.api import ask, search
from qa.parse import parse_question
from qa.retrieve import MODES, chunk_texts

RESULTS = Path(__file__).resolve().parent / "results" / "quality.json"
BASELINE_K = 4
BRIEFING_K = 8
DEFAULT_RETRIEVAL = "hybrid"
SPLITTER_CHUNK, SPLITTER_OVERLAP = 1000, 200
RERANK = ("no cross-encoder ships with weights on PyPI: set BRIEFING_RERANKER to a local one "
          "for briefing-rerank rows")
ARTICLES = frozenset({"a", "an", "the"})
PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}‘’“”—–…]")
# Columns of the table, in order; the ones marked False are not shares in [0, 1].
METRICS = {"hit@1": True, "hit@5": True, "mrr": True, "f1": True, "contains": True,
           "choice_only": True, "cite_p": True, "cite_r": True, "chars": False,
           "no_answer": True, "false_no_ans": True, "speaker": True, "holds": True,
           "who_named": True, "who_first": True, "q_cited": True, "p50_ms": False, "p95_ms": False}


@dataclass(frozen=True)
class Passage:
    """A retrieved or cited stretch of an article, in the system's rank order."""

    article_id: str
    start: int
    end: int
    speaker: str | None = None


@dataclass(frozen=True)
class Response:
    """`shown`: how many of the leading passages the answer text is made of (a baseline's
    answer is its top chunk); None for all of them."""

    text: str
    passages: list[Passage]
    no_answer: bool = False
    shown: int | None = None

    @property
    def answer_passages(self) -> list[Passage]:
        return [] if self.no_answer else self.passages[:self.shown]


@dataclass(frozen=True)
class System:
    """`names_speakers`: the system claims who said a passage, so speaker accuracy applies."""

    name: str
    answer: Callable[[Question], Response]
    names_speakers: bool = False


@dataclass(frozen=True)
class Outcome:
    question: Question
    response: Response
    milliseconds: float


# -- systems -----------------------------------------------------------------------------------

def naive_langchain(question_set: QuestionSet) -> System:
    """Top-k of `similarity_search`; the "answer" is the top chunk, its citations all k."""
    index = cached_langchain(question_set, SPLITTER_CHUNK, SPLITTER_OVERLAP)

    def answer(question: Question) -> Response:
        documents = index.similarity_search(question.text, k=BASELINE_K)
        passages = [Passage(d.metadata["article_id"], d.metadata["start_index"],
                            d.metadata["start_index"] + len(d.page_content)) for d in documents]
        return Response(documents[0].page_content if documents else "", passages, shown=1)

    return System("naive-langchain", answer)


def bm25_only(store: Store) -> System:
    def answer(question: Question) -> Response:
        ids = [chunk_id for chunk_id, _ in store.keyword.search(question.text, BASELINE_K)]
        return chunk_response(store, ids)

    return System("bm25", answer)


def briefing_search(store: Store) -> System:
    """The passages `ask` composes from (hybrid search, speaker-aware), top chunk as the answer:
    separates what retrieval gets right from what sentence selection keeps."""
    def answer(question: Question) -> Response:
        found = search(store, parse_question(question.text, asked_on(question)), k=BASELINE_K)
        return chunk_response(store, [p.chunk_id for p in found.passages[:BASELINE_K]])

    return System("briefing-search", answer)


def asked_on(question: Question) -> str | None:
    """The day a question was asked, where the set says (a news quiz's week): its date words
    ("this week") are read on that day."""
    return question.when.today if question.when else None


def chunk_response(store: Store, chunk_ids: list[str]) -> Response:
    """Chunks as passages, in the given order; the answer is the first chunk's text."""
    if not chunk_ids:
        return Response("", [])
    found = store.chunks.get(ids=chunk_ids, include=["metadatas"])
    by_id = dict(zip(found["ids"], found["metadatas"]))
    ranked = [i for i in chunk_ids if i in by_id]
    texts = chunk_texts(store, {i: by_id[i] for i in ranked[:1]})
    passages = [Passage(by_id[i]["article_id"], by_id[i]["start"], by_id[i]["end"])
                for i in ranked]
    return Response(texts.get(ranked[0], "") if ranked else "", passages, shown=1)


def briefing(store: Store) -> System:
    """`ask` as users get it, named after its retrieval mode and rerank when not the default."""
    def answer(question: Question) -> Response:
        result = ask(question.text, store=store, k=BRIEFING_K, today=asked_on(question))
        passages = [Passage(c.article_id, c.start, c.end, c.speaker) for c in result.citations]
        return Response(result.text, passages, result.no_answer)

    mode = store.settings.retrieval
    name = "briefing" if mode == DEFAULT_RETRIEVAL else f"briefing-{mode}"
    return System(name + ("-rerank" if store.settings.reranker else ""), answer,
                  names_speakers=True)


def systems_for(question_set: QuestionSet, store: Store) -> list[System]:
    """Baselines, then `ask` in every retrieval mode over the same store, without rerank, and
    with it when `BRIEFING_RERANKER` names a local cross-encoder."""
    def variant(**settings: str) -> Store:
        return Store(store.path, replace(store.settings, **settings))

    plain = {mode: variant(retrieval=mode, reranker="") for mode in MODES}
    reranked = [variant(retrieval=DEFAULT_RETRIEVAL)] if store.settings.reranker else []
    return [naive_langchain(question_set), bm25_only(store),
            briefing_search(plain[DEFAULT_RETRIEVAL]),
            *(briefing(s) for s in [*plain.values(), *reranked])]


# -- scoring -----------------------------------------------------------------------------------

def normalise(text: str) -> str:
    """SQuAD-style: lower case, no punctuation, no articles, single spaces."""
    words = PUNCTUATION.sub(" ", text.lower()).split()
    return " ".join(w for w in words if w not in ARTICLES)


def token_f1(answer: str, gold: str) -> float:
    predicted, expected = normalise(answer).split(), normalise(gold).split()
    shared = sum((Counter(predicted) & Counter(expected)).values())
    if not shared:
        return 0.0
    precision, recall = shared / len(predicted), shared / len(expected)
    return 2 * precision * recall / (precision + recall)


def contains(answer: str, phrase: str) -> bool:
    """Whole-word containment after normalisation, so "Iran" is not found inside "Iraq's"."""
    return f" {normalise(phrase)} " in f" {normalise(answer)} "


def overlaps_any(passage: Passage, spans: Sequence[Span]) -> bool:
    return any(s.overlaps(passage.article_id, passage.start, passage.end) for s in spans)


def first_hit_rank(question: Question, passages: Sequence[Passage]) -> int | None:
    """1-based rank of the first passage on the gold evidence."""
    return next((rank for rank, p in enumerate(passages, 1) if overlaps_any(p, question.gold)),
                None)


def score(question: Question, response: Response,
          names_speakers: bool) -> dict[str, float | None]:
    """One question's metrics; None where a metric does not apply to it."""
    if question.no_answer:
        return {"no_answer": float(response.no_answer)}
    scores: dict[str, float | None] = {"false_no_ans": float(response.no_answer)}
    scores.update(retrieval_scores(question, response.passages))
    scores.update(answer_scores(question, response))
    if question.speaker and names_speakers:
        scores["speaker"] = float(speaker_right(question, response.passages))
    if question.kind:
        scores.update(transcript_scores(question, response))
    return scores


def transcript_scores(question: Question, response: Response) -> dict[str, float | None]:
    """A gold sentence held whole by a passage of the answer; for "who" questions the
    speaker's surname in the answer, and in its first passage with its label (the speaker
    named first); whether the answer cites a reporter's question."""
    shown = response.answer_passages
    holds = any(p.article_id == g.article_id and p.start <= g.start and g.end <= p.end
                for p in shown for g in question.gold)
    surname = (question.speaker or "").split()[-1:]
    scores: dict[str, float | None] = {"holds": float(holds)}
    if question.kind == "who":
        named = bool(surname) and not response.no_answer
        scores["who_named"] = float(named and contains(response.text, surname[0]))
        scores["who_first"] = float(named and contains(response.text.split("[", 1)[0],
                                                       surname[0]))
    if shown:
        scores["q_cited"] = float(any(overlaps_any(p, question.avoid.get(p.article_id, ()))
                                      for p in shown))
    return scores


def retrieval_scores(question: Question, passages: Sequence[Passage]) -> dict[str, float | None]:
    rank = first_hit_rank(question, passages)
    on_evidence = [p for p in passages if overlaps_any(p, question.gold + question.also_ok)]
    cited = sum(any(s.overlaps(p.article_id, p.start, p.end) for p in passages)
                for s in question.gold)
    return {"hit@1": float(rank == 1), "hit@5": float(rank is not None and rank <= 5),
            "mrr": 1.0 / rank if rank else 0.0,
            "cite_p": len(on_evidence) / len(passages) if passages else None,
            "cite_r": cited / len(question.gold)}


def answer_scores(question: Question, response: Response) -> dict[str, float | None]:
    text = "" if response.no_answer else response.text
    scores: dict[str, float | None] = {
        "f1": token_f1(text, " ".join(question.answers)),
        "contains": float(all(contains(text, a) for a in question.answers)),
        "chars": None if response.no_answer else float(len(text))}
    if question.wrong_answers:
        right = any(contains(text, a) for a in question.answers)
        scores["choice_only"] = float(right and not any(contains(text, w)
                                                        for w in question.wrong_answers))
    return scores


def speaker_right(question: Question, passages: Sequence[Passage]) -> bool:
    """A passage on the gold evidence is attributed to someone with the gold surname."""
    surname = (question.speaker or "").lower().split()[-1]
    return any(p.speaker and surname in p.speaker.lower().split()
               for p in passages if overlaps_any(p, question.gold))


def summarise(outcomes: Sequence[Outcome], names_speakers: bool) -> dict[str, float | None]:
    """Means over the questions each metric applies to, plus latency percentiles."""
    per_question = [score(o.question, o.response, names_speakers) for o in outcomes]
    row: dict[str, float | None] = {}
    for metric in METRICS:
        values = [s[metric] for s in per_question if s.get(metric) is not None]
        row[metric] = round(float(np.mean(values)), 4) if values else None
    latencies = [o.milliseconds for o in outcomes]
    row["p50_ms"] = round(float(np.percentile(latencies, 50)), 1)
    row["p95_ms"] = round(float(np.percentile(latencies, 95)), 1)
    return row


# -- running -----------------------------------------------------------------------------------

def run_system(system: System, questions: Sequence[Question]) -> list[Outcome]:
    """Warm up once untimed, so latency is the steady state and not model loading."""
    system.answer(questions[0])
    outcomes = []
    for question in questions:
        started = time.perf_counter()
        response = system.answer(question)
        outcomes.append(Outcome(question, response, 1000 * (time.perf_counter() - started)))
    return outcomes


@dataclass
class BenchmarkRun:
    """`time_rows`: the time set's, a row per system, half and kind of question, and the
    statement checks of its speaker/topic pairs."""

    rows: list[dict[str, object]]
    outcomes: dict[tuple[str, str], list[Outcome]]
    config: dict[str, object]
    attribution: dict[str, object]
    time_rows: list[dict[str, object]] = field(default_factory=list)


def run(set_names: Sequence[str], *, quick: bool, limit: int | None,
        halves: Sequence[str] = HALVES) -> BenchmarkRun:
    """Every system on the questions of the chosen halves, a row per half. The store holds
    the articles of both halves either way, so the halves are asked of the same store."""
    rows: list[dict[str, object]] = []
    time_rows: list[dict[str, object]] = []
    outcomes: dict[tuple[str, str], list[Outcome]] = {}
    sizes: dict[str, object] = {}
    for name in set_names:
        chosen = question_set(name, quick=quick, limit=limit)
        asked = [q for q in chosen.questions if q.half in halves]
        store = cached_store(chosen)
        stored = [meta for _, meta in store.iter_article_metadata()]
        sizes[name] = {"questions": len(asked), "articles": len(chosen.articles),
                       "characters": chosen.characters, "briefing_chunks": store.chunks.count(),
                       "dated": sum(bool(m.get("date")) for m in stored),
                       "titled": sum(bool(m.get("title")) for m in stored)}
        if name == "time":
            time_rows += time_set.run(chosen, {
                "naive-langchain": time_set.naive_langchain(chosen, BASELINE_K, SPLITTER_CHUNK,
                                                            SPLITTER_OVERLAP),
                "briefing": time_set.briefing(store)}, halves)
            time_rows += time_set.statement_rows(store, chosen, halves)
            continue
        for system in systems_for(chosen, store):
            results = run_system(system, asked)
            outcomes[(name, system.name)] = results
            for half in halves:
                mine = [o for o in results if o.question.half == half]
                if mine:
                    rows.append({"set": name, "half": half, "system": system.name,
                                 "n": len(mine), **summarise(mine, system.names_speakers)})
    return BenchmarkRun(rows, outcomes, run_config(quick, sizes), attribution_numbers(quick),
                        time_rows)


def attribution_numbers(quick: bool) -> dict[str, object]:
    """PolNeAR dev who-said-what scores from `benchmarks.attribution`; skipped in --quick,
    where parsing all 84 dev articles would take most of the minute."""
    if quick:
        return {"skipped": "--quick; run without it for PolNeAR dev attribution numbers"}
    report = attribution.run("dev")
    return {"split": "dev", "precision": report["precision"], "recall": report["recall"],
            "recall_any_speaker": report["recall_any_speaker"]}


def run_config(quick: bool, sizes: dict[str, object]) -> dict[str, object]:
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "model": model_label(Settings().embed_model), "quick": quick,
            "baseline_k": BASELINE_K, "briefing_k": BRIEFING_K,
            "splitter": {"chunk_size": SPLITTER_CHUNK, "chunk_overlap": SPLITTER_OVERLAP},
            "rerank": RERANK, "sets": sizes,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()]}


# -- reporting ---------------------------------------------------------------------------------

def format_table(rows: Sequence[dict[str, object]], columns: Sequence[str] = ()) -> str:
    columns = list(columns) or ["set", "half", "system", "n", *METRICS]
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    lines = [columns, *cells]
    return "\n".join("  ".join(cell.rjust(width) if i > 2 else cell.ljust(width)
                               for i, (cell, width) in enumerate(zip(line, widths)))
                     for line in lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.0f}" if value >= 10 else f"{value:.3f}"
    return str(value)


def write_results(path: Path, result: BenchmarkRun) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"config": result.config, "results": result.rows, "time": result.time_rows,
               "attribution": result.attribution}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def report(result: BenchmarkRun) -> str:
    notes = [f"rerank: {RERANK}",
             f"PolNeAR attribution: {json.dumps(result.attribution)}",
             f"k: baselines {BASELINE_K} passages, briefing ask(k={BRIEFING_K}) cites its own; "
             "'-' = does not apply"]
    tables = [format_table(result.rows)] if result.rows else []
    timed = [row for row in result.time_rows if row["set"] == "time"]
    if timed:
        tables.append(format_table(timed, ["set", "half", "system", "kind", "n", "right",
                                           "p50_ms", "p95_ms"]))
    checked = [row for row in result.time_rows if row["set"] == "time-statements"]
    if checked:
        tables.append(format_table(checked, ["set", "half", "system", "n", "opens_question",
                                             "cites_question", "opens_fragment"]))
    return "\n\n".join([*tables, "\n".join(notes)])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a few questions per set over small corpora (about a minute)")
    parser.add_argument("--sets", default=",".join(SET_NAMES),
                        help=f"comma-separated, from {','.join(SET_NAMES)}")
    parser.add_argument("--limit", type=int, help="ask only the first N questions of each set")
    parser.add_argument("--split", choices=("both", *HALVES), default="both",
                        help="which half of each dev set to ask: tune (what weights and "
                             "thresholds were fitted on), report (what README shows), or both")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args(argv)
    args.sets = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = set(args.sets) - set(SET_NAMES)
    if unknown:
        parser.error(f"unknown sets: {', '.join(sorted(unknown))}")
    return args


def main(argv: Sequence[str] | None = None) -> BenchmarkRun:
    args = parse_args(argv)
    halves = HALVES if args.split == "both" else (args.split,)
    result = run(args.sets, quick=args.quick, limit=args.limit, halves=halves)
    print(report(result))
    write_results(args.out, result)
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
