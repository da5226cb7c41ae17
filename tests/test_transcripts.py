"""Transcripts end to end: ingested with the real model and Chroma, then asked, quoted and shown."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.ingest import index_articles, ingest, load_sentence_nlp
from index.read.files import load_paths
from index.settings import Settings
from index.speech.sentences import split_sentences, text_for_parser
from index.speech.turns import REPORTER
from index.store.chroma import Store
from qa.api import ask, quotes
from qa.examples import example_questions
from ui.render import citation_card

FIXTURES = Path(__file__).parent / "data" / "transcripts"
WHITE_HOUSE = "whitehouse-2023-01-20.md"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The four transcript fixtures, one of each format."""
    folder = tmp_path_factory.mktemp("transcripts")
    opened = Store(folder)
    report = ingest([FIXTURES], opened)
    assert report.articles == 4 and not report.errors, report.summary()
    return opened


def test_what_someone_said_is_their_answer_not_the_question(store: Store) -> None:
    answer = ask("What did Jean-Pierre say about the debt limit?", store=store)
    assert not answer.no_answer and answer.citations
    first = answer.citations[0]
    assert first.speaker == "Karine Jean-Pierre"
    assert "debt limit must be raised" in first.passage
    assert first.asked and "meet the Speaker" in first.asked
    assert all(c.speaker != REPORTER and not c.passage.startswith("Can I just ask")
               for c in answer.citations)
    assert "JEAN-PIERRE:" not in answer.text
    assert first.title.startswith("Press Briefing by Press Secretary Karine Jean-Pierre")
    assert first.date == "2023-01-20"


def test_a_bare_yes_is_never_the_whole_answer(store: Store) -> None:
    answer = ask("Will the President meet the Speaker about the debt limit?", store=store)
    for citation in answer.citations:
        assert len(citation.passage.split()) >= 4, citation.passage


def test_each_label_is_its_speakers_full_name(store: Store) -> None:
    kirby = ask("What did Kirby say about Wagner?", store=store)
    assert kirby.citations[0].speaker == "John Kirby"
    dunford = ask("What did Dunford say about revenue?", store=store)
    assert dunford.citations[0].speaker == "Joseph Dunford"
    assert "lowest revenue" in dunford.citations[0].passage
    price = ask("What did Price say about the sanctions?", store=store)
    assert price.citations[0].speaker == "Ned Price"
    assert "as long as the invasion goes on" in price.citations[0].passage


def test_who_talked_about_names_the_speaker(store: Store) -> None:
    answer = ask("Who talked about convicts?", store=store)
    assert answer.text.startswith("John Kirby, January 20, 2023:")


TWO_SPEAKERS = """---
title: "Press Briefing by Press Secretary Jen Psaki and Secretary of Transportation Pete Buttigieg"
date: '2021-11-08'
---

MS. PSAKI:  Good afternoon.  The bridge repairs in Pittsburgh start on Monday, and the bridge
will stay open to traffic while crews work at night.

Q    Who pays for the bridge?

SECRETARY BUTTIGIEG:  The bridge is paid for by the infrastructure law, which sends the
state money for every bridge in poor condition.
"""


def test_who_talked_about_names_each_speaker_before_their_words(tmp_path: Path) -> None:
    """Two people cited: the second one's words are not given to the first."""
    (tmp_path / "bridge-briefing.md").write_text(TWO_SPEAKERS, encoding="utf-8")
    opened = Store(tmp_path / "store")
    ingest([tmp_path / "bridge-briefing.md"], opened)
    answer = ask("Who talked about the bridge?", store=opened)
    assert {c.speaker for c in answer.citations} == {"Jen Psaki", "Pete Buttigieg"}
    for citation in answer.citations:
        before = answer.text[:answer.text.index(f"[{citation.n}]")]
        assert before.rfind(f"{citation.speaker}, November 8, 2021:") > before.rfind("]"), \
            answer.text


PARTNERSHIP = """---
title: "Press Briefing by John Kirby and Jeff Zients"
date: '2021-03-26'
---

MR. KIRBY:  We are talking about a significant, important bilateral relationship — a
partnership that has survived over 80 years, an important partnership, a strategic
partnership.

Q    What about vaccines?

MR. ZIENTS:  We have worked with the manufacturers on supply.  This historic partnership
between two competitors will speed up production of the vaccine.
"""


def test_who_talked_about_a_phrase_names_who_said_the_phrase_first(tmp_path: Path) -> None:
    """"Historic partnership" said by Zients beats "partnership" said three times by Kirby."""
    (tmp_path / "partnership.md").write_text(PARTNERSHIP, encoding="utf-8")
    opened = Store(tmp_path / "store")
    ingest([tmp_path / "partnership.md"], opened)
    answer = ask("Who talked about historic partnership?", store=opened)
    assert answer.text.startswith("Jeff Zients, March 26, 2021:"), answer.text


def test_reporters_questions_answer_what_was_asked(store: Store) -> None:
    answer = ask("What did reporters ask about Bakhmut?", store=store)
    assert any(c.speaker == REPORTER for c in answer.citations)


def test_turns_are_quotes_and_a_quote_inside_a_turn_keeps_its_speaker(store: Store) -> None:
    kirby = quotes(speaker="Kirby", store=store)
    assert {q.cue for q in kirby} == {"turn"} and len(kirby) == 2
    assert all(q.direct and q.speaker == "John Kirby" for q in kirby)
    assert kirby[0].text.startswith("Thanks, Karine.")
    schumer = quotes(speaker="Schumer", store=store)
    assert [q.text for q in schumer] == ["We will not\nlet the country default."]
    assert not quotes(speaker=REPORTER, store=store)


def test_no_sentence_holds_a_label(store: Store) -> None:
    (article,) = store.get_articles([WHITE_HOUSE]).values()
    texts = [article.article.text[s.start:s.end] for s in article.sentences]
    assert not any(t.startswith(("MS.", "MR.", "Q\u00a0", "ADMIRAL")) for t in texts)
    assert any(s.question for s in article.sentences)
    assert {s.speaker for s in article.sentences} == {None, "Karine Jean-Pierre", "John Kirby",
                                                      REPORTER}


def test_the_store_names_one_person_once(tmp_path: Path, store: Store) -> None:
    assert store.people().count("John Kirby") == 1
    assert "Kirby" not in store.people()


def test_speakers_without_the_quote_parse(tmp_path: Path) -> None:
    """Turn speakers are written in the labels: `BRIEFING_QUOTES=off` keeps them."""
    opened = Store(tmp_path, replace(Settings(), quotes=False))
    ingest([FIXTURES / WHITE_HOUSE], opened)
    (article,) = opened.get_articles([WHITE_HOUSE]).values()
    assert "John Kirby" in {s.speaker for s in article.sentences}
    assert {q.cue for q in article.quotes} == {"turn"}


def test_examples_come_from_the_store(store: Store) -> None:
    examples = example_questions(store)
    assert examples and all(q.endswith("?") for q in examples)
    assert any(name in q for q in examples
               for name in ("Jean-Pierre", "Kirby", "Dunford", "Mattis", "Price", "Doe"))


def test_card_shows_the_question_and_flows_wrapped_lines(store: Store) -> None:
    answer = ask("What did Jean-Pierre say about the debt limit?", store=store)
    citation = answer.to_dict()["citations"][0]
    card = citation_card(citation, store.get_articles([WHITE_HOUSE])[WHITE_HOUSE], turn=1)
    assert "<b>Q:</b>" in card and "meet the Speaker" in card
    assert "without\nconditions" not in card and "without conditions" in card
    assert "speaker: Karine Jean-Pierre" in card


def test_sentences_of_a_real_transcript_neither_overlap_nor_go_missing() -> None:
    """The full parse reads the quoting paragraphs and the splitter the rest: each parser's
    sentences run on over the other's blanked paragraphs, and only its own words count."""
    path = (Path(__file__).parents[1].parent / "shared" / "data" / "transcripts"
            / "2021-01-20-press-briefing-by-press-secretary-jen-psaki-january-20-2021.md")
    (article,) = load_paths([path])
    (indexed,) = index_articles([article], pytest.fail)
    sentences = indexed.sentences
    assert all(a.end <= b.start for a, b in zip(sentences, sentences[1:]))
    splitter_only = split_sentences(article, load_sentence_nlp()(text_for_parser(article.text)),
                                    indexed.turns)
    assert abs(len(sentences) - len(splitter_only)) <= 0.02 * len(splitter_only)
    words = sum(len(article.text[s.start:s.end].split()) for s in sentences)
    assert words == sum(len(article.text[s.start:s.end].split()) for s in splitter_only)
