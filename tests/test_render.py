"""The UI's HTML: hostile text stays text, `<mark>` holds exactly the cited span, `[n]` links."""

from __future__ import annotations

from typing import Any

from index.records import Article, IndexedArticle, Sentence
from ui.render import (
    NOT_FOUND,
    answer_message,
    chat_text,
    citation_card,
    citation_cards,
    corpus_rows,
    highlight,
    paragraph_span,
    upload_report,
)

HOSTILE_TITLE = "<img src=x onerror=alert(1)> Harbour report"
FIRST = "Intro <b>bold</b> words."
CITED = "The port said <script>alert(1)</script> trade rose."
LAST = "Other news."
TEXT = f"{FIRST}\n\n{CITED} After that.\n\n{LAST}"
START = TEXT.index(CITED)
END = START + len(CITED)


def article() -> IndexedArticle:
    spans = [(0, len(FIRST), 0), (START, END, 1), (END + 1, END + 12, 1),
             (TEXT.index(LAST), len(TEXT), 2)]
    sentences = [Sentence("a", i, s, e, p) for i, (s, e, p) in enumerate(spans)]
    return IndexedArticle(Article("a", TEXT, title=HOSTILE_TITLE), sentences, [], [])


def citation(**changes: Any) -> dict[str, Any]:
    return {"n": 1, "article_id": "a", "title": HOSTILE_TITLE, "date": "2017-08-03",
            "source": "<i>wire</i>", "url": "", "passage": CITED, "start": START, "end": END,
            "paragraph": 1, "speaker": "Joseph Dunford", "score": 0.9, **changes}


def escaped(text: str) -> str:
    """`text` as `html.escape` writes it, spelled out so the test does not reuse the code."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;").replace("'", "&#x27;")


def test_highlight_marks_exactly_the_span_and_escapes_everything() -> None:
    marked = highlight("a <b> c", 2, 5, "m-1")
    assert marked == 'a <mark id="m-1">&lt;b&gt;</mark> c'


def test_paragraph_span_covers_the_cited_paragraph_only() -> None:
    low, high = paragraph_span(article(), START, END)
    assert TEXT[low:high] == f"{CITED} After that."


def test_card_escapes_hostile_title_text_and_metadata() -> None:
    card = citation_card(citation(), article(), turn=2)
    assert "<img" not in card and "<script" not in card and "<i>" not in card
    assert "&lt;img src=x onerror=alert(1)&gt; Harbour report" in card
    assert "&lt;i&gt;wire&lt;/i&gt;" in card and "speaker: Joseph Dunford" in card
    assert card.count("<mark") == 2  # in the paragraph and in the full article
    assert f"<mark>{escaped(CITED)}</mark> After that." in card
    assert 'id="cite-2-1"' in card and 'id="cite-2-1-mark"' in card
    assert "<details" in card and "Intro &lt;b&gt;bold&lt;/b&gt; words." in card


def test_card_without_article_shows_the_escaped_passage() -> None:
    card = citation_card(citation(), None, turn=1)
    assert escaped(CITED) in card and "<details" not in card


def test_cards_panel_has_an_empty_state() -> None:
    assert "Cited passages appear here" in citation_cards(None, {})


def test_answer_links_only_real_citations_and_escapes_the_text() -> None:
    answer = {"text": "Trade <script>x</script> rose *a lot* [1]. Also [7].",
              "citations": [citation()], "no_answer": False}
    message = answer_message(answer, turn=3)
    assert '<a class="cite-link" href="#cite-3-1">[1]</a>' in message
    assert "&lt;script&gt;" in message and "<script" not in message
    assert "\\*a lot\\*" in message and "\\[7\\]" in message


def test_no_answer_says_not_found() -> None:
    assert answer_message({"text": "x", "no_answer": True}, turn=1) == chat_text(NOT_FOUND)


def test_corpus_rows_and_upload_report_keep_names_as_text() -> None:
    rows = corpus_rows([("b", {"title": "B", "chunks": 2, "turns": 5}),
                        ("a", {"date": "2017-01-01"})])
    assert rows == [["a", "", "2017-01-01", "", "article", 0],
                    ["b", "B", "", "", "transcript", 2]]
    report = upload_report("1 files", ["<img src=x onerror=alert(1)>.txt: empty file"])
    assert "<img" not in report and "&lt;img" in report
