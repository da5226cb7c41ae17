"""Question frames: who is asked about, what to search for, and fuzzy speaker names."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from qa.parse import ParsedQuestion, parse_question, speaker_match

SPEAKER_QUESTIONS = (Path(__file__).resolve().parents[2] / "shared" / "eval"
                     / "speaker_questions_train.jsonl")


@pytest.mark.parametrize(("question", "speaker", "topic"), [
    ("What did Gen. Dunford say about revenue?", "Dunford", "revenue"),
    ("what did dunford say about revenue", "dunford", "revenue"),
    ("What has Mattis said on ISIS territory?", "Mattis", "ISIS territory"),
    ("What does President Trump think of NATO?", "Trump", "NATO"),
    ("Dunford's comments on revenue", "Dunford", "revenue"),
    ("What were Sanders’ views on trade?", "Sanders", "trade"),
    ("According to Dunford, how low is ISIS revenue?", "Dunford", "how low is ISIS revenue"),
    ("Did Mattis say ISIS was defeated?", "Mattis", "ISIS was defeated"),
    ("How did Mattis describe the French campaign?", "Mattis", "the French campaign"),
    ("General Joseph Dunford on revenue", "Joseph Dunford", "revenue"),
    ("Trump on immigration", "Trump", "immigration"),
])
def test_speaker_frames(question: str, speaker: str, topic: str):
    assert parse_question(question) == ParsedQuestion(question, topic, speaker, False)


@pytest.mark.parametrize(("question", "topic"), [
    ("What did he say about Mosul?", "Mosul"),
    ("Sanctions on Iran", "Sanctions on Iran"),
    ("How much territory has the coalition retaken?",
     "How much territory has the coalition retaken"),
])
def test_no_name_no_speaker(question: str, topic: str):
    parsed = parse_question(question)
    assert (parsed.speaker, parsed.topic, parsed.asks_who) == (None, topic, False)


def test_a_role_stays_in_the_topic():
    parsed = parse_question("What did the defence secretary say about Mosul?")
    assert parsed.speaker is None and parsed.topic == "the defence secretary Mosul"


def test_who_said():
    parsed = parse_question("Who said ISIS had the lowest revenue?")
    assert (parsed.speaker, parsed.topic, parsed.asks_who) == (
        None, "ISIS had the lowest revenue", True)


@pytest.mark.parametrize(("question", "about_words"), [
    ("Who talked about core tenets?", True),
    ("What did Psaki say about the historic partnership?", True),
    ("Which company will cut 10,000 jobs this year?", False),
    ("How much territory has the coalition retaken?", False),
])
def test_phrases_count_only_for_questions_about_someones_words(question: str,
                                                                about_words: bool):
    assert parse_question(question).about_words is about_words


def test_eval_questions_are_parsed_fast_and_right():
    rows = [json.loads(line) for line in SPEAKER_QUESTIONS.read_text().splitlines()]
    started = time.perf_counter()
    parsed = [parse_question(row["question"]) for row in rows]
    per_question_ms = 1000 * (time.perf_counter() - started) / len(rows)
    assert per_question_ms < 1
    assert all(speaker_match(p.speaker or "", row["speaker"]) >= 0.9
               for p, row in zip(parsed, rows, strict=True))


@pytest.mark.parametrize("asked", ["dunford", "Gen. Dunford", "Joseph Dunford",
                                   "General Joseph Dunford"])
def test_speaker_match_forgives_titles_and_case(asked: str):
    assert speaker_match(asked, "Joseph Dunford") >= 0.9


def test_speaker_match_tells_people_apart():
    assert speaker_match("Mattis", "Joseph Dunford") < 0.5
    assert speaker_match("Eric Trump", "Donald Trump") < 0.5
    assert speaker_match("Matttis", "Mattis") >= 0.9
    assert speaker_match("Mattis", None) == 0.0
