"""Who said what, on the seed briefing and on short news-style cases, with the real spaCy model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.records import Quote, Sentence
from index.speech.quotes import attribute_sentences, extract_quotes, load_nlp

SEED = Path(__file__).resolve().parents[2] / "shared" / "data" / "seed" / "isis-briefing.txt"
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# The seed's paragraphs after the opening one: one statement each, Mattis's then Dunford's.
SEED_SPEAKERS = ["Mattis"] * 11 + ["Dunford"] * 7


def split(text: str) -> list[Sentence]:
    """spaCy's sentences cut again at blank lines, as the ingest pipeline makes them."""
    breaks = [m.end() for m in PARAGRAPH_BREAK.finditer(text)]
    sentences: list[Sentence] = []
    for sent in load_nlp()(text).sents:
        cuts = [sent.start_char, *(b for b in breaks if sent.start_char < b < sent.end_char),
                sent.end_char]
        for start, end in zip(cuts, cuts[1:]):
            piece = text[start:end]
            if piece.strip():
                start += len(piece) - len(piece.lstrip())
                paragraph = sum(b <= start for b in breaks)
                sentences.append(Sentence("a", len(sentences), start, start + len(piece.strip()),
                                          paragraph))
    return sentences


def quotes_of(text: str) -> list[Quote]:
    return extract_quotes(text, load_nlp()(text), "a", split(text))


def only(quotes: list[Quote]) -> Quote:
    assert len(quotes) == 1, quotes
    return quotes[0]


@pytest.fixture(scope="module")
def seed() -> tuple[str, list[Sentence], list[Quote]]:
    text = SEED.read_text(encoding="utf-8")
    sentences = split(text)
    return text, sentences, extract_quotes(text, load_nlp()(text), "seed", sentences)


def test_seed_statements_have_their_speakers(seed: tuple[str, list[Sentence], list[Quote]]):
    _, sentences, quotes = seed
    by_paragraph: dict[int, set[str | None]] = {}
    for quote in quotes:
        by_paragraph.setdefault(sentences[quote.sentence].paragraph, set()).add(quote.speaker)
    assert sorted(by_paragraph) == list(range(19))
    for paragraph, expected in enumerate(SEED_SPEAKERS, start=1):
        speakers = by_paragraph[paragraph]
        assert len(speakers) == 1 and expected in next(iter(speakers)), (paragraph, speakers)


def test_seed_collapses_spellings_to_one_name_per_person(seed):
    _, _, quotes = seed
    named = {q.speaker for q in quotes if q.speaker}
    assert len(named) == 2
    mattis = next(name for name in named if name == "Mattis")
    assert {q.speaker for q in quotes if q.speaker_mention in ("Matttis", "attis")} == {mattis}


def test_seed_opening_with_the_name_stripped_is_not_guessed(seed):
    _, sentences, quotes = seed
    opening = [q for q in quotes if sentences[q.sentence].paragraph == 0]
    assert opening and all(q.speaker in (None, "Mattis") for q in opening)
    assert opening[0].speaker_mention == "US defence secretary"


def test_seed_scare_quote_is_not_a_quote(seed):
    _, _, quotes = seed
    assert not any(q.text == "brilliant" for q in quotes)


def test_seed_offsets_point_into_the_text(seed):
    text, _, quotes = seed
    for quote in quotes:
        assert text[quote.start:quote.end] == quote.text
        assert text[quote.attribution_start:quote.attribution_end] == quote.speaker_mention


def test_seed_sentences_carry_their_speaker(seed):
    text, sentences, quotes = seed
    marked = attribute_sentences(sentences, quotes)
    fought = next(s for s in marked if "had fought ISIS elements" in text[s.start:s.end])
    revenue = next(s for s in marked if "lowest revenue" in text[s.start:s.end])
    assert fought.speaker == "Mattis" and "Dunford" in (revenue.speaker or "")


def test_quote_across_paragraphs_is_one_quote():
    text = ("“We will finish the job. It will take time.\n\n"
            "“But we are patient and we will prevail,” Mattis said.")
    quote = only(quotes_of(text))
    assert quote.direct and quote.speaker == "Mattis" and quote.cue == "said"
    assert quote.text.startswith("We will finish") and quote.text.endswith("prevail")


def test_pronoun_goes_to_the_subject_not_the_last_name():
    text = ('"We have retaken the city," Mattis told a news conference along with General '
            "Joseph Dunford.\n\nHe said the coalition was winning.")
    assert [q.speaker for q in quotes_of(text)] == ["Mattis", "Mattis"]


def test_she_skips_a_man():
    text = ("“The bill is weak,” Ms. Warren said.\n\n“We need more,” Mr. Sanders said.\n\n"
            "She said the vote would come on Friday.")
    assert quotes_of(text)[-1].speaker == "Warren"


def test_role_apposition_becomes_an_alias():
    text = ("General Joseph Dunford, chairman of the Joint Chiefs of Staff, said the strikes "
            "worked.\n\nThe chairman said the coalition would press on.")
    assert [q.speaker for q in quotes_of(text)] == ["Joseph Dunford", "Joseph Dunford"]


def test_according_to_and_adding_that():
    according = only(quotes_of("General Joseph Dunford briefed reporters.\n\n"
                               "ISIS revenue fell sharply last year, according to Dunford."))
    assert (according.speaker, according.cue) == ("Joseph Dunford", "according to")
    assert according.text == "ISIS revenue fell sharply last year"
    adding = quotes_of("Mosul has fallen, Mattis said, adding that schools had reopened.")
    assert [(q.speaker, q.cue) for q in adding] == [("Mattis", "said"), ("Mattis", "adding")]


def test_unnamed_sources_are_nobody():
    quote = only(quotes_of("Officials said the talks had stalled."))
    assert quote.speaker is None and quote.speaker_mention == "Officials"
    assert quote.text == "the talks had stalled"
