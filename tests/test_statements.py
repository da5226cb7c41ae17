"""Who said it, asked the ways people ask: an absent speaker, paraphrased questions, and
statements that run over two sentences. On a small briefing of our own, with the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest import ingest
from index.store.chroma import Store
from qa.api import ask
from ui.render import answer_message

HARBOUR = Path(__file__).parent / "data" / "harbour-briefing.txt"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    opened = Store(tmp_path_factory.mktemp("harbour"))
    report = ingest([HARBOUR], opened)
    assert report.articles == 1 and not report.errors, report.summary()
    return opened


def test_a_person_the_store_never_quotes_is_said_to_be_absent(store: Store) -> None:
    answer = ask("What did Merkel say about the sea wall?", store=store)
    assert answer.speaker_found is False
    assert answer.text.startswith("No statement by Merkel in the indexed briefings.")
    assert "not by Merkel" in answer.text
    assert all(c.speaker != "Merkel" for c in answer.citations)
    shown = answer_message(answer.to_dict(), turn=1)
    assert "No statement by Merkel" in shown


def test_an_absent_person_on_an_absent_topic_is_no_answer(store: Store) -> None:
    answer = ask("What did Merkel say about the Bundesliga?", store=store)
    assert answer.no_answer and answer.speaker_found is False
    assert answer.text == "No statement by Merkel in the indexed briefings."
    assert "No statement by Merkel" in answer_message(answer.to_dict(), turn=1)


def test_a_person_who_is_quoted_is_found(store: Store) -> None:
    assert ask("What did Lopez say about the sea wall?", store=store).speaker_found is True
    assert ask("What happened to the harbour?", store=store).speaker_found is None


@pytest.mark.parametrize(("question", "speaker", "words"), [
    ("What does Lopez want the government to do?", "Maria Lopez", "fund a new sea wall"),
    ("What is Lopez's objective?", "Maria Lopez", "double the number of cargo berths"),
    ("How did Lopez describe the winter floods?", "Maria Lopez", "the worst in forty years"),
    ("What did Hale promise?", "Tom Hale", "review the funding request"),
    ("What did Hale warn about?", "Tom Hale", "shipping fees would have to rise"),
])
def test_paraphrased_questions_reach_the_speaker(store: Store, question: str, speaker: str,
                                                 words: str) -> None:
    answer = ask(question, store=store)
    assert not answer.no_answer, question
    assert any(words in c.passage and c.speaker == speaker for c in answer.citations), \
        (question, answer.text)


def test_a_statement_over_two_sentences_is_cited_whole(store: Store) -> None:
    answer = ask("What did Lopez say about the cargo berths?", store=store)
    first = answer.citations[0]
    assert "double the number of cargo berths" in first.passage
    assert "There, at the old coal pier" in first.passage


def test_one_quotation_over_two_sentences_is_cited_whole(store: Store) -> None:
    answer = ask("What did Lopez say about funding the sea wall?", store=store)
    assert any("fund a new sea wall" in c.passage and "the docks will flood again" in c.passage
               for c in answer.citations), answer.text
