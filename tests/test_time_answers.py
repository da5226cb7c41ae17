"""Answers about when, on dated briefings of our own (tests/data/dated): John Kirby speaks of
the Houthis on five days, weakly the first time; a news explainer quoting him has no date;
two transcripts share March 5, 2024."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.ingest import ingest
from index.store.chroma import Store
from qa.api import ask, digest, search, timeline
from qa.cli import main
from qa.parse import parse_question

DATED = Path(__file__).resolve().parent / "data" / "dated"
TODAY = "2024-03-20"
UNDATED = "houthi-explainer.md"
HOUTHI_DAYS = ["2023-10-19", "2023-11-02", "2023-12-18", "2024-01-12", "2024-03-05"]


@pytest.fixture(scope="module")
def dated_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("dated-store"))
    report = ingest([DATED], store)
    assert report.articles == 7 and not report.errors, report.summary()
    return store


def test_a_window_holds_the_search(dated_store: Store) -> None:
    answer = ask("What did Kirby say about the Houthis in December 2023?", store=dated_store,
                 today=TODAY)
    assert answer.text.startswith("In December 2023: John Kirby, December 18, 2023:")
    assert answer.window.since == "2023-12-01" and answer.window.until == "2023-12-31"
    assert answer.citations and {c.date for c in answer.citations} == {"2023-12-18"}
    assert all(c.speaker == "John Kirby" for c in answer.citations)


def test_relative_words_are_read_on_the_day_of_asking(dated_store: Store) -> None:
    answer = ask("What did Kirby say about the Houthis in the past two weeks?",
                 store=dated_store, today="2024-03-10")
    assert {c.date for c in answer.citations} == {"2024-03-05"}
    assert not answer.outside_window


def test_explicit_filters_win_over_date_words(dated_store: Store) -> None:
    answer = ask("What did Kirby say about the Houthis in December 2023?", store=dated_store,
                 filters={"since": "2024-01-01", "until": "2024-01-31"}, today=TODAY)
    assert answer.window.since == "2024-01-01"
    assert {c.date for c in answer.citations} == {"2024-01-12"}


def test_an_empty_window_says_so_and_offers_the_nearest(dated_store: Store) -> None:
    answer = ask("What did Kirby say about the Houthis in February 2024?", store=dated_store,
                 today=TODAY)
    assert answer.text.startswith("In February 2024, nothing by John Kirby about the Houthis")
    assert "Nearest, outside that window:" in answer.text
    assert answer.outside_window and not answer.no_answer
    assert [c.date for c in answer.citations] == ["2024-01-12", "2024-03-05"]


def test_an_undated_article_is_never_cited_for_a_dated_question(dated_store: Store) -> None:
    undated = ask("What did Kirby say about the Houthis?", store=dated_store)
    assert UNDATED in {c.article_id for c in undated.citations}, "the explainer competes"
    for question in ("What did Kirby say about the Houthis in 2024?",
                     "What did Kirby say about the Houthis since October 2023?",
                     "What did Kirby say about the Houthis before April 2024?"):
        answer = ask(question, store=dated_store, today=TODAY)
        assert answer.citations and all(c.date for c in answer.citations), question


def test_first_mention_beyond_the_top_passages(dated_store: Store) -> None:
    """The first mention is one sentence in a statement about Gaza: retrieval ranks it low."""
    found = search(dated_store, parse_question("What did Kirby say about the Houthis?"), k=3)
    assert "2023-10-19" not in {dated_store.get_articles([p.article_id])[p.article_id]
                                .article.date for p in found.passages[:3]}
    first = ask("When did Kirby first mention the Houthis?", store=dated_store)
    assert first.kind == "first"
    assert first.text.startswith("John Kirby first spoke of the Houthis on October 19, 2023:")
    assert [c.date for c in first.citations] == ["2023-10-19"]
    assert "USS Carney" in first.citations[0].passage
    last = ask("When did Kirby last mention the Houthis?", store=dated_store)
    assert "on March 5, 2024" in last.text and last.citations[0].date == "2024-03-05"


def test_a_timeline_in_date_order_with_its_count(dated_store: Store) -> None:
    answer = ask("How has what Kirby said about the Houthis changed over time?",
                 store=dated_store)
    assert answer.kind == "timeline"
    assert answer.text.startswith("John Kirby spoke of the Houthis on 5 days between "
                                  "October 19, 2023 and March 5, 2024.")
    assert [c.date for c in answer.citations] == HOUTHI_DAYS
    assert all(c.speaker == "John Kirby" and "Houthi" in c.passage for c in answer.citations)
    assert [d.date for d in answer.days] == HOUTHI_DAYS
    shown = timeline("the Houthis", speaker="Kirby", store=dated_store, limit=3)
    assert shown.total_days == 5 and len(shown.entries) == 3
    assert [e.date for e in shown.entries][::2] == ["2023-10-19", "2024-03-05"]


def test_a_digest_of_a_day_with_two_transcripts(dated_store: Store) -> None:
    answer = ask("What was asked at the March 5, 2024 briefing?", store=dated_store)
    assert answer.kind == "digest"
    assert answer.text.startswith("Press Briefing by Press Secretary Karine Jean-Pierre")
    assert {c.date for c in answer.citations} == {"2024-03-05"}
    asked = [c.asked for c in answer.citations if c.asked]
    assert asked[0].startswith("Karine, will the President sign the funding bill")
    assert len(asked) == 4 and "Also that day: Press Gaggle" in answer.text
    assert not any("P.M." in c.passage or "(March 5, 2024)" in c.passage
                   for c in answer.citations), "a time stamp is no answer"
    gaggle = digest("2024-03-05", store=dated_store, event="gaggle")
    assert gaggle.title.startswith("Press Gaggle") and gaggle.total == 1


def test_a_comparison_has_a_part_per_speaker(dated_store: Store) -> None:
    answer = ask("Compare what Kirby and Jean-Pierre said about Gaza", store=dated_store)
    assert answer.kind == "compare"
    speakers = [c.speaker for c in answer.citations]
    assert "John Kirby" in speakers and "Karine Jean-Pierre" in speakers
    assert answer.text.index("John Kirby,") < answer.text.index("Karine Jean-Pierre,")
    assert all("Gaza" in c.passage for c in answer.citations)


def test_a_rhetorical_question_and_an_echo_are_never_the_answer(dated_store: Store) -> None:
    answer = ask("What did Kirby say about the Houthis in January 2024?", store=dated_store,
                 today=TODAY)
    passages = " ".join(" ".join(c.passage.split()) for c in answer.citations)
    assert "Iran provided the missiles" in passages
    assert "?" not in passages, passages


def test_the_command_line(dated_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", "--store", str(dated_store.path), "--speaker", "Kirby",
                 "Houthis", "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written["total_days"] == 5 and written["speaker"] == "John Kirby"
    assert main(["digest", "2024-03-05", "--store", str(dated_store.path)]) == 0
    assert "4 questions from reporters" in capsys.readouterr().out
    assert main(["ask", "What did Kirby say about the Houthis yesterday?", "--today",
                 "2024-03-06", "--store", str(dated_store.path)]) == 0
    assert capsys.readouterr().out.startswith("On March 5, 2024: John Kirby")


def test_a_name_is_not_part_of_a_longer_one_but_goes_on_before_a_title(
        dated_store: Store) -> None:
    """West Virginia (November 2) is not Virginia (March 5); "National Economic Council
    Director" (October 19) is the council with a title after it, before its plain name
    (January 12)."""
    virginia = ask("When did Jean-Pierre first mention Virginia?", store=dated_store)
    assert virginia.kind == "first" and [c.date for c in virginia.citations] == ["2024-03-05"]
    council = ask("When did Jean-Pierre first mention the National Economic Council?",
                  store=dated_store)
    assert [c.date for c in council.citations] == ["2023-10-19"], council.text
