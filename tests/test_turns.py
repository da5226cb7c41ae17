"""Transcript turns and their speakers, on small transcripts of each real format and on the
White House transcripts in ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.read.files import load_paths
from index.records import Article, LoadError
from index.speech.people import canonical_names
from index.speech.turns import REPORTER, find_turns

FIXTURES = Path(__file__).parent / "data" / "transcripts"
SHARED_TRANSCRIPTS = Path(__file__).parents[1].parent / "shared" / "data" / "transcripts"


def fixture(name: str) -> Article:
    (article,) = load_paths([FIXTURES / name])
    assert isinstance(article, Article), article
    return article


def spoken(article: Article) -> list[tuple[str, str]]:
    """(speaker, first words of the turn) for each turn."""
    return [(turn.speaker, " ".join(article.text[turn.text_start:turn.end].split()[:3]))
            for turn in find_turns(article)]


def test_pentagon_labels_resolve_to_one_person_each() -> None:
    assert spoken(fixture("pentagon-2017-05-19.txt")) == [
        ("Staff", "Good afternoon, everyone."),
        ("Jim Mattis", "Thank you. Our"),
        ("Joseph Dunford", "Coalition airstrikes have"),
        (REPORTER, "General, how much"),
        ("Joseph Dunford", "About 55 percent"),
        (REPORTER, "Mr. Secretary, what"),
        ("Jim Mattis", "We are working"),
        ("Staff", "Thank you, everyone."),
    ]


def test_state_department_question_label_and_name_from_the_title() -> None:
    article = fixture("state-2022-03-01.md")
    assert spoken(article) == [("Ned Price", "Good afternoon. We"),
                               (REPORTER, "Ned, will the"),
                               ("Ned Price", "The sanctions will")]
    assert [t.question for t in find_turns(article)] == [False, True, False]


def test_white_house_turns_span_paragraphs_and_lines() -> None:
    """A question opens a line inside a paragraph ("…members.␣␣" then "Q&nbsp;&nbsp;&nbsp;Can");
    an answer runs over two paragraphs; the closing "END" line belongs to no one."""
    article = fixture("whitehouse-2023-01-20.md")
    turns = find_turns(article)
    assert [t.speaker for t in turns] == [
        "Karine Jean-Pierre", REPORTER, "Karine Jean-Pierre", "John Kirby", REPORTER,
        "John Kirby", "Karine Jean-Pierre"]
    assert article.text[turns[1].text_start:].startswith("Can I just ask")
    answer = article.text[turns[2].text_start:turns[2].end]
    assert answer.startswith("Yes.") and answer.endswith('let the country default."')
    assert "\n\n" in answer
    assert article.text[turns[-1].text_start:turns[-1].end] == "Thanks, everybody."


def test_hearing_labels_in_mixed_case() -> None:
    assert spoken(fixture("hearing-2021.txt")) == [
        ("Smith", "The committee will"), ("Jane Doe", "Thank you, Mr."),
        ("Smith", "How many containers"), ("Jane Doe", "About four million")]


@pytest.mark.parametrize("text", [
    "WASHINGTON: The Pentagon said on Friday that airstrikes had hit oil targets.\n\n"
    "Officials said the campaign would go on.",
    "Q3 revenue rose 4 percent.\n\nNote: figures are unaudited.\n\nUPDATE: the company "
    "confirmed the numbers.",
    "The lesson is simple: keep talking.\nBottom line: nobody wins a trade war.",
    "Dr. Ben Carson: Clinton not fit to serve\n\nCarson said on Monday that she was not fit.",
    "Q magazine named them band of the year.\n\nThe editor said they were the best live act.",
    "Delegate count.\n\nClinton: 2,316.\n\nSanders: 1,547.\n\nClinton: 2,400.\n\nSanders: 1,600.",
])
def test_datelines_notes_headlines_and_tables_are_not_transcripts(text: str) -> None:
    assert find_turns(Article("news", text)) == []


def test_interview_answers_belong_to_the_person_in_the_title() -> None:
    text = ("Q: What is the economy like?\n\nA: It is on the upswing.\n\n"
            "Q: Are you surprised?\n\nA: I am not.")
    turns = find_turns(Article("i", text, title="Q&A with Vice President Joe Biden"))
    assert [t.speaker for t in turns] == [REPORTER, "Joe Biden", REPORTER, "Joe Biden"]


def test_misspelt_and_retitled_labels_are_the_same_person() -> None:
    text = ("MS. JEAN-PIERRE:  Hello.\n\nQ    A question?\n\nMS. JEAN-PIERE:  Yes.\n\n"
            "MR. JEAN-PIERRE:  And no.\n\nMODERATOR:  Next.\n\n"
            "SENIOR ADMINISTRATION OFFICIAL:  Hi.")
    article = Article("t", text, title="Press Gaggle by Press Secretary Karine Jean-Pierre")
    assert [t.speaker for t in find_turns(article)] == [
        "Karine Jean-Pierre", REPORTER, "Karine Jean-Pierre", "Karine Jean-Pierre",
        "Moderator", "Senior Administration Official"]


def test_front_matter_fills_fields_and_is_not_text() -> None:
    article = fixture("state-2022-03-01.md")
    assert article.title == "Department Press Briefing – Ned Price, Department Spokesperson"
    assert article.date == "2022-03-01"
    assert article.url.startswith("https://www.state.gov/")
    assert article.source == "U.S. Department of State"
    assert article.author == "Office of the Spokesperson"
    assert "source_url" not in article.text and article.text.lstrip().startswith("# Department")


def test_malformed_front_matter_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: [unclosed\ndate: 2022-01-01\n---\nMR PRICE: Hello.\n",
                   encoding="utf-8")
    (error,) = load_paths([bad])
    assert isinstance(error, LoadError)
    assert "front matter" in str(error) and "\n" not in str(error)


def test_every_real_transcript_has_turns_a_date_and_a_title() -> None:
    articles = [a for a in load_paths([SHARED_TRANSCRIPTS]) if isinstance(a, Article)]
    assert len(articles) == 120
    assert all(a.date and a.title and not a.text.startswith("---") for a in articles)
    with_turns = {a.id: find_turns(a) for a in articles}
    # One file is a press release, not a transcript.
    assert sum(bool(turns) for turns in with_turns.values()) == 119
    first = with_turns["2021-01-20-press-briefing-by-press-secretary-jen-psaki-january-20-2021.md"]
    assert first[0].speaker == "Jen Psaki" and first[0].label == "MS. PSAKI"
    questions = sum(t.question for turns in with_turns.values() for t in turns)
    assert questions > 4000


def test_the_same_person_is_one_name_across_the_store() -> None:
    aliases = canonical_names(["Psaki", "Jen Psaki", "Biden", "Joe Biden", "Hunter Biden",
                               "Moderator", "Senior Administration Official",
                               "Administration Official"])
    assert aliases == {"Psaki": "Jen Psaki"}
