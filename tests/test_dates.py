"""Date words in questions, resolved against a fixed day of asking, and taken out of the topic."""

from __future__ import annotations

from datetime import date

import pytest

from qa.dates import DateWindow, find_dates
from qa.parse import ASK, COMPARE, DIGEST, FIRST, LAST, TIMELINE, parse_question

TODAY = date(2024, 3, 20)  # a Wednesday


@pytest.mark.parametrize(("words", "since", "until"), [
    ("in March 2024", "2024-03-01", "2024-03-31"),
    ("during March 2024", "2024-03-01", "2024-03-31"),
    ("back in March", "2024-03-01", "2024-03-31"),
    ("in October", "2023-10-01", "2023-10-31"),
    ("on March 5, 2024", "2024-03-05", "2024-03-05"),
    ("on 5 March 2024", "2024-03-05", "2024-03-05"),
    ("on 2024-03-05", "2024-03-05", "2024-03-05"),
    ("on 3/5/2024", "2024-03-05", "2024-03-05"),
    ("in 2023", "2023-01-01", "2023-12-31"),
    ("between January and March 2024", "2024-01-01", "2024-03-31"),
    ("from January 10 to February 2, 2024", "2024-01-10", "2024-02-02"),
    ("since October", "2023-10-01", None),
    ("after October 7, 2023", "2023-10-08", None),
    ("before April 2022", None, "2022-03-31"),
    ("until June 2022", None, "2022-06-30"),
    ("in early March", "2024-03-01", "2024-03-10"),
    ("yesterday", "2024-03-19", "2024-03-19"),
    ("last week", "2024-03-11", "2024-03-17"),
    ("this month", "2024-03-01", "2024-03-20"),
    ("in the past two weeks", "2024-03-06", "2024-03-20"),
    ("in the past week", "2024-03-13", "2024-03-20"),
    ("over the last month", "2024-02-20", "2024-03-20"),
    ("in the last 10 days", "2024-03-10", "2024-03-20"),
    ("two weeks ago", "2024-03-04", "2024-03-10"),
    ("last Tuesday", "2024-03-19", "2024-03-19"),
    ("this year", "2024-01-01", "2024-03-20"),
])
def test_each_wording_is_a_window(words: str, since: str | None, until: str | None) -> None:
    dated = find_dates(f"What did Kirby say about the Houthis {words}?", TODAY)
    assert dated.window == DateWindow(since and date.fromisoformat(since),
                                      until and date.fromisoformat(until))
    assert dated.question == "What did Kirby say about the Houthis?"


@pytest.mark.parametrize("question", [
    "What did Kirby say about the 2024 election?",
    "What did Psaki say about March Madness?",
    "When did Psaki last mention Poland?",
    "What did Dunford say about revenue?",
])
def test_words_that_are_not_dates_stay_in_the_topic(question: str) -> None:
    assert find_dates(question, TODAY).window is None


def test_an_event_keeps_its_words() -> None:
    dated = find_dates("What was asked at the March 5 briefing?", TODAY)
    assert dated.window == DateWindow(date(2024, 3, 5), date(2024, 3, 5))
    assert dated.question == "What was asked at the briefing?"
    assert find_dates("What was asked at Tuesday's briefing?", TODAY).window == DateWindow(
        date(2024, 3, 19), date(2024, 3, 19))


def test_windows_name_themselves() -> None:
    labels = {words: find_dates(f"Gaza {words}", TODAY).window.label for words in (
        "in March 2024", "on March 5, 2024", "in 2023", "since October", "last week",
        "between January and March 2024")}
    assert labels == {"in March 2024": "In March 2024", "on March 5, 2024": "On March 5, 2024",
                      "in 2023": "In 2023", "since October": "Since October 1, 2023",
                      "last week": "In the week of March 11, 2024",
                      "between January and March 2024": "From January to March 2024"}


@pytest.mark.parametrize(("question", "kind", "speaker", "topic"), [
    ("When did Kirby first mention the Houthis?", FIRST, "Kirby", "the Houthis"),
    ("When did Psaki last mention Poland?", LAST, "Psaki", "Poland"),
    ("When was the debt ceiling first raised?", FIRST, None, "the debt ceiling"),
    ("When did the press secretary first mention the debt ceiling?", FIRST, None,
     "the debt ceiling"),
    ("How has what Jean-Pierre said about Gaza changed since October?", TIMELINE,
     "Jean-Pierre", "Gaza"),
    ("What has Psaki said about United Kingdom over time?", TIMELINE, "Psaki",
     "United Kingdom"),
    ("Kirby on the Houthis over time", TIMELINE, "Kirby", "the Houthis"),
    ("Trace what Kirby said about the Houthis", TIMELINE, "Kirby", "the Houthis"),
    ("How has the White House described inflation over time?", TIMELINE, None, "inflation"),
    ("What was asked at the March 5, 2024 briefing?", DIGEST, None, ""),
    ("Summarize the briefing of 5 March 2024", DIGEST, None, ""),
    ("What did reporters ask on March 5, 2024?", DIGEST, None, ""),
    ("Compare what Kirby and Jean-Pierre said about Gaza in March 2024", COMPARE, "Kirby",
     "Gaza"),
    ("What did Kirby say about the Houthis last week?", ASK, "Kirby", "the Houthis"),
    ("What was asked in March 2024 about Gaza?", ASK, None, "What was asked about Gaza"),
])
def test_kinds_of_question(question: str, kind: str, speaker: str | None, topic: str) -> None:
    parsed = parse_question(question, TODAY)
    assert (parsed.kind, parsed.speaker, parsed.topic) == (kind, speaker, topic)


def test_a_comparison_names_both() -> None:
    parsed = parse_question("Compare what Kirby and Jean-Pierre said about Gaza in March 2024",
                            TODAY)
    assert parsed.others == ("Jean-Pierre",)
    assert parsed.window == DateWindow(date(2024, 3, 1), date(2024, 3, 31))


def test_the_day_of_asking_may_be_a_string() -> None:
    assert parse_question("What did Kirby say yesterday?", "2024-03-20").window == DateWindow(
        date(2024, 3, 19), date(2024, 3, 19))
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_question("What did Kirby say yesterday?", "March 20")
