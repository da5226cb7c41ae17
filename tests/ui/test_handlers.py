"""The page's handlers without a browser: the translations between widgets and `ask`'s
arguments, the answer views, the archive's pages, and the examples, on real stores."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from index.speech.turns import REPORTER
from index.store.chroma import CatalogEntry, Store
from qa.api import ask
from qa.examples import example_questions, name_words, named_people
from ui.app import Handlers, answer_views, chosen_filters
from ui.archive import PAGE_ROWS, catalog_page, kind
from ui.chart import OTHERS, mention_frame

MONTH_QUESTION = re.compile(r"^What did \S+ say about .+ in [A-Z][a-z]+ \d{4}\?$")


def test_blank_filters_mean_no_limit() -> None:
    assert chosen_filters("", None, " ") == {"source": None, "since": None, "until": None,
                                             "speaker": None}
    assert chosen_filters("Reuters", " 2017-08-01", "2017-08-31", "Joseph Dunford") == {
        "source": "Reuters", "since": "2017-08-01", "until": "2017-08-31",
        "speaker": "Joseph Dunford"}


def test_a_date_filter_that_is_no_date_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"Until: '31/08/2017' is not a date \(YYYY-MM-DD\)"):
        chosen_filters("", "2017-08-01", "31/08/2017")


def entry(n: int, **changes: Any) -> CatalogEntry:
    return replace(CatalogEntry(f"a{n}", f"Story {n}", f"2024-01-{n % 28 + 1:02d}", "", "",
                                f"/in/story-{n}.txt", (), 3, 0), **changes)


def test_the_archive_pages_its_rows_and_counts_in_words() -> None:
    entries = [entry(n) for n in range(60)]
    first = catalog_page(entries, "", 1)
    assert len(first.rows) == PAGE_ROWS and first.ids[0] == "a0"
    assert first.label == "60 articles · page 1 of 3"
    last = catalog_page(entries, None, 99)
    assert last.number == 3 and len(last.rows) == 60 - 2 * PAGE_ROWS
    one = catalog_page(entries, " STORY  42 ", 1)
    assert one.ids == ["a42"] and one.label == "1 of 60 articles match · page 1 of 1"
    assert catalog_page(entries[:1], "", 1).label == "1 article · page 1 of 1"
    assert catalog_page([], "", 0).label == "0 articles · page 1 of 1"


def test_rows_show_titles_kinds_and_speakers_not_file_names() -> None:
    briefing = entry(1, title="Press Gaggle by Jen Psaki", turns=40,
                     speakers=(REPORTER, "Jen Psaki"), url="https://www.whitehouse.gov/x")
    untitled = entry(2, title="", path="/uploads/short-note.txt")
    many = entry(3, speakers=("A B", "C D", "E F", "G H", "I J"), turns=3, title="Remarks")
    rows = catalog_page([briefing, untitled, many], "", 1).rows
    assert rows[0] == ["2024-01-02", "Press Gaggle by Jen Psaki", "gaggle", "Jen Psaki",
                       "www.whitehouse.gov"]
    assert rows[1][1:3] == ["short-note.txt", "article"]
    assert rows[2][2:4] == ["remarks", "A B, C D, E F and 2 more"]
    assert kind(entry(4, turns=9, title="Interview transcript")) == "interview"
    assert kind(entry(5, turns=9, title="Untitled")) == "transcript"
    assert catalog_page([briefing, untitled], "psaki", 1).ids == ["a1"]


def test_the_chart_counts_every_period_with_a_series_per_speaker() -> None:
    days = [{"date": "2021-11-29", "count": 1, "speaker": "Jen Psaki"},
            {"date": "2021-12-01", "count": 5, "speaker": "Fauci"},
            {"date": "2021-12-02", "count": 1, "speaker": "Jen Psaki"},
            {"date": "2022-01-12", "count": 2, "speaker": "Jen Psaki"}]
    frame, period = mention_frame(days)
    assert period == "Week" and set(frame["speaker"]) == {"Jen Psaki", "Fauci"}
    assert len(frame) == 2 * 7 and frame["mentions"].sum() == 9
    psaki = frame[frame["speaker"] == "Jen Psaki"]["mentions"].tolist()
    assert psaki == [2, 0, 0, 0, 0, 0, 2]
    crowd = [{"date": "2021-01-04", "count": 1, "speaker": f"S{n}"} for n in range(9)]
    frame, period = mention_frame([*crowd, {"date": "2022-01-04", "count": 1, "speaker": None}])
    assert period == "Month" and OTHERS in set(frame["speaker"]) and len(frame) == 13 * 7


def test_dated_answers_show_their_window_and_the_next_question_starts_clean(
        briefings_store: Store) -> None:
    handlers = Handlers(briefings_store)
    *_, (messages, answers, *_) = handlers.respond(
        "What did Psaki say about Ukraine in December 2021?", [], [], "", None, None, "")
    assert "Searched December 1–31, 2021" in messages[-1]["content"]
    *_, (messages, answers, *_) = handlers.respond(
        "What did Psaki say about Ukraine?", messages, answers, "", None, None, "")
    assert "Searched" not in messages[-1]["content"] and answers[-1]["window"] is None


def test_only_a_timeline_or_a_days_briefing_gets_its_view(briefings_store: Store) -> None:
    timeline = ask("How has what Psaki said about Omicron changed over time?",
                   store=briefings_store).to_dict()
    entries, chart, digest, read, article = answer_views(timeline, 1)
    assert entries.visible and chart.visible and not digest.visible
    assert not read.visible and article == ""
    day = ask("What was asked at the July 8, 2022 briefing?", store=briefings_store).to_dict()
    entries, chart, digest, read, article = answer_views(day, 2)
    assert digest.visible and read.visible and not entries.visible
    assert article.startswith("2022-07-08-press-briefing")
    plain = ask("What did Psaki say about Ukraine?", store=briefings_store).to_dict()
    assert not any(view.visible for view in answer_views(plain, 3)[:4])


def test_the_examples_name_topics_and_each_cites_something(briefings_store: Store,
                                                          ui_store: Store) -> None:
    examples = example_questions(briefings_store)
    assert len(examples) == 4
    asked, in_month, over_time, day = examples
    assert asked.startswith("What did ") and MONTH_QUESTION.match(in_month), examples
    assert over_time.startswith("How has what ") and over_time.endswith(" changed over time?")
    assert day == "What was asked at the July 8, 2022 briefing?"
    names = name_words(named_people(briefings_store).values()) | {"president", "mr", "we"}
    for question in examples[:3]:
        topic = re.search(r"about (?:the )?(.+?)(?: in [A-Z][a-z]+ \d{4})?\?$", question)[1]
        assert topic[0].isupper() and not set(topic.lower().split()) & names, question
    answers = {q: ask(q, store=briefings_store) for q in examples}
    assert [answers[q].kind for q in examples] == ["ask", "ask", "timeline", "digest"]
    for store in (briefings_store, ui_store):
        for question in example_questions(store):
            answer = ask(question, store=store)
            assert answer.citations and not answer.no_answer, (question, answer.text)
