"""The quality benchmark's quick mode end to end, so the harness itself cannot rot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import quality

SYSTEMS = {"naive-langchain", "bm25", "briefing-search", "briefing", "briefing-dense",
           "briefing-keyword"}
SETS = {"seed", "unanswerable", "speaker", "realtimeqa", "transcripts"}
TIME_SYSTEMS = {"naive-langchain", "briefing"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[quality.BenchmarkRun, dict]:
    out = tmp_path_factory.mktemp("quality") / "quality.json"
    result = quality.main(["--quick", "--out", str(out)])
    return result, json.loads(Path(out).read_text(encoding="utf-8"))


def test_every_set_has_every_system(quick_run: tuple[quality.BenchmarkRun, dict]) -> None:
    _, written = quick_run
    pairs = {(row["set"], row["system"]) for row in written["results"]}
    assert pairs == {(s, system) for s in SETS for system in SYSTEMS}
    timed = {(row["system"], row["kind"]) for row in written["time"] if row["set"] == "time"}
    assert timed == {(system, kind) for system in TIME_SYSTEMS
                     for kind in ("window", "relative", "digest", "all")}


def test_metrics_are_in_range(quick_run: tuple[quality.BenchmarkRun, dict]) -> None:
    _, written = quick_run
    for row in written["results"]:
        assert set(quality.METRICS) <= set(row), row
        for metric, is_share in quality.METRICS.items():
            value = row[metric]
            assert value is None or (0.0 <= value <= 1.0 if is_share else value >= 0.0), \
                (row["set"], row["system"], metric, value)


def test_config_records_the_run(quick_run: tuple[quality.BenchmarkRun, dict]) -> None:
    _, written = quick_run
    config = written["config"]
    assert config["quick"] and config["model"] and config["rerank"]
    assert {name: size["questions"] for name, size in config["sets"].items()} == {
        "seed": 3, "unanswerable": 20, "speaker": 30, "realtimeqa": 50, "transcripts": 20,
        "time": 24}


def test_briefing_answers_the_seed_questions(
        quick_run: tuple[quality.BenchmarkRun, dict]) -> None:
    result, _ = quick_run
    outcomes = {o.question.id: o for o in result.outcomes[("seed", "briefing")]}
    dunford = outcomes["seed-1"]
    assert not dunford.response.no_answer
    assert quality.first_hit_rank(dunford.question, dunford.response.passages) == 1
    assert outcomes["seed-3"].response.no_answer


def test_briefing_declines_the_off_topic_questions(
        quick_run: tuple[quality.BenchmarkRun, dict]) -> None:
    _, written = quick_run
    rows = {row["system"]: row for row in written["results"] if row["set"] == "unanswerable"}
    assert rows["briefing"]["no_answer"] >= 0.9
    assert rows["naive-langchain"]["no_answer"] == 0.0


def test_time_rows_are_shares_with_latencies(
        quick_run: tuple[quality.BenchmarkRun, dict]) -> None:
    _, written = quick_run
    for row in written["time"]:
        shares = [row[k] for k in ("right", "opens_question", "cites_question",
                                   "opens_fragment") if k in row]
        assert shares and all(0.0 <= share <= 1.0 for share in shares), row
    briefing = {row["kind"]: row for row in written["time"]
                if row["set"] == "time" and row["system"] == "briefing"}
    assert briefing["digest"]["right"] >= 0.5 and briefing["all"]["p95_ms"] > 0


def test_scorer_on_a_hand_made_case() -> None:
    """The metrics themselves, on numbers worked out by hand."""
    span = quality.Span("a", 10, 20)
    question = quality.Question("q", "?", gold=(span,), answers=("Iraq",),
                                wrong_answers=("Iran",))
    passages = [quality.Passage("b", 0, 50), quality.Passage("a", 15, 30)]
    scores = quality.score(question, quality.Response("It was Iraq.", passages), False)
    assert scores["hit@1"] == 0.0 and scores["hit@5"] == 1.0 and scores["mrr"] == 0.5
    assert scores["cite_p"] == 0.5 and scores["cite_r"] == 1.0
    assert scores["contains"] == 1.0 and scores["choice_only"] == 1.0
    assert scores["f1"] == pytest.approx(0.5)
    assert not quality.contains("Iraq's neighbour", "Iran")


def test_speaker_is_matched_on_the_surname_of_a_cited_gold_passage() -> None:
    question = quality.Question("q", "?", gold=(quality.Span("a", 0, 10),), answers=(),
                                speaker="Spokeswoman Jessica Ditto")
    on_gold = [quality.Passage("a", 5, 20, "Jessica Ditto")]
    elsewhere = [quality.Passage("a", 50, 60, "Jessica Ditto")]
    assert quality.speaker_right(question, on_gold)
    assert not quality.speaker_right(question, elsewhere)
