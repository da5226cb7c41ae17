"""The UI's HTML: hostile text stays text, `<mark>` holds exactly the cited span, `[n]` links,
timelines, days' briefings and the reader keep their order and say who spoke."""

from __future__ import annotations

from typing import Any

from index.records import Article, IndexedArticle, Sentence, Turn
from index.store.chroma import CatalogEntry
from ui.render import (
    NOT_FOUND,
    answer_message,
    chat_text,
    citation_card,
    citation_cards,
    corpus_summary,
    day_range,
    digest_html,
    external_link,
    highlight,
    paragraph_span,
    reader_html,
    timeline_html,
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


def test_upload_report_keeps_names_as_text() -> None:
    report = upload_report("1 files", ["<img src=x onerror=alert(1)>.txt: empty file"])
    assert "<img" not in report and "&lt;img" in report


def test_a_dated_answer_says_which_days_it_searched() -> None:
    window = {"since": "2024-03-01", "until": "2024-03-31", "label": "In March 2024"}
    answer = {"text": "In March 2024: Trade rose. [1]", "citations": [citation()],
              "no_answer": False, "window": window}
    assert "Searched March 1–31, 2024" in answer_message(answer, turn=1)
    assert "Searched" not in answer_message({**answer, "window": None}, turn=1)


def test_day_ranges_read_as_people_write_them() -> None:
    assert day_range("2024-03-05", "2024-03-05") == "March 5, 2024"
    assert day_range("2024-03-01", "2024-04-15") == "March 1 – April 15, 2024"
    assert day_range("2021-12-01", "2022-01-20") == "December 1, 2021 – January 20, 2022"
    assert day_range("2024-03-01", None) == "from March 1, 2024"
    assert day_range(None, "2024-03-01") == "up to March 1, 2024"


def test_the_summary_counts_in_words() -> None:
    one = CatalogEntry("a", HOSTILE_TITLE, "2022-07-08", "<b>wire</b>", "", "", (), 1, 0)
    two = CatalogEntry("b", "B", "2021-11-29", "", "", "", (), 3, 0)
    assert corpus_summary([one]) == "1 article · 1 chunk · 1 source · July 8, 2022"
    assert corpus_summary([one, two], "Following <x>") == (
        "2 articles · 4 chunks · 1 source · November 29, 2021 – July 8, 2022"
        '<p class="following">Following &lt;x&gt;</p>')


def test_a_timeline_lists_its_entries_as_links_to_their_cards() -> None:
    first = citation(date="2021-11-29", passage="First <b>word</b>.")
    second = citation(n=2, date="2022-01-12", passage="Then   more.", speaker="Fauci")
    answer = {"citations": [first, second], "days": [
        {"date": "2021-11-29", "count": 1, "speaker": "Joseph Dunford"},
        {"date": "2021-12-01", "count": 2, "speaker": "Fauci"},
        {"date": "2021-12-01", "count": 1, "speaker": "Joseph Dunford"},
        {"date": "2022-01-12", "count": 1, "speaker": "Fauci"}]}
    markup = timeline_html(answer, turn=4)
    assert "Came up on 3 days · 2 shown" in markup
    assert markup.index('href="#cite-4-1"') < markup.index('href="#cite-4-2"')
    assert '<time datetime="2021-11-29">November 29, 2021</time>' in markup
    assert "First &lt;b&gt;word&lt;/b&gt;." in markup and "Then more." in markup
    assert '<span class="timeline-speaker">Fauci</span>' in markup


def test_a_days_briefing_sets_each_question_above_its_answer() -> None:
    opening = citation(asked=None, url="javascript:alert(1)")
    exchange = citation(n=2, asked="Why <i>now</i>?", speaker="Jen Psaki")
    markup = digest_html({"citations": [opening, exchange]}, turn=1)
    assert "<h3>&lt;img src=x onerror=alert(1)&gt; Harbour report</h3>" in markup
    assert "August 3, 2017" in markup and "javascript" not in markup
    assert '<p class="exchange-asked">Opening</p>' in markup
    assert '<p class="exchange-asked">Q: Why &lt;i&gt;now&lt;/i&gt;?</p>' in markup
    assert markup.index("Why &lt;i&gt;") < markup.index('href="#cite-1-2"')
    assert digest_html({"citations": []}, turn=1) == ""


def test_only_web_addresses_become_links() -> None:
    assert external_link("https://x.org/a?b=1&c=<2>", "original") == (
        '<a href="https://x.org/a?b=1&amp;c=&lt;2&gt;" target="_blank" '
        'rel="noopener noreferrer">original</a>')
    assert external_link("javascript:alert(1)", "original") == ""
    assert external_link("/etc/passwd", "original") == ""


def transcript() -> IndexedArticle:
    text = ("Press Briefing <b>\n\nMS. PSAKI: Good <i>afternoon</i>.\n\nMore words.\n\n"
            "Q Why <script>x</script>?\n\nMS. PSAKI: Because.")
    starts = [text.index("MS. PSAKI"), text.index("Q Why"), text.rindex("MS. PSAKI")]
    ends = [starts[1] - 2, starts[2] - 2, len(text)]
    labels = [("MS. PSAKI:", "Jen Psaki", False), ("Q", "Reporter", True),
              ("MS. PSAKI:", "Jen Psaki", False)]
    turns = [Turn(start, start + len(label) + 1, end, label, speaker, question)
             for start, end, (label, speaker, question) in zip(starts, ends, labels)]
    article = Article("t", text, title="<b>Briefing</b>", date="2022-07-08",
                      url="https://example.org/t")
    return IndexedArticle(article, [], [], [], turns=turns)


def test_the_reader_shows_a_transcript_as_its_turns() -> None:
    markup = reader_html(transcript(), "briefing")
    assert "<h3>&lt;b&gt;Briefing&lt;/b&gt;</h3>" in markup
    assert "July 8, 2022 · briefing" in markup and 'href="https://example.org/t"' in markup
    assert markup.count('<div class="turn-speaker">Jen Psaki</div>') == 2
    assert '<section class="turn turn-asked"><div class="turn-speaker">Reporter</div>' in markup
    assert "<p>Good &lt;i&gt;afternoon&lt;/i&gt;.</p><p>More words.</p>" in markup
    assert "Why &lt;script&gt;x&lt;/script&gt;?" in markup and "<script" not in markup
    assert "<p>Press Briefing &lt;b&gt;</p>" in markup


def test_the_reader_shows_an_article_as_its_paragraphs() -> None:
    markup = reader_html(article())
    assert "<p>Intro &lt;b&gt;bold&lt;/b&gt; words.</p>" in markup and "undated" in markup
    assert "turn-speaker" not in markup
    assert "Choose an article" in reader_html(None)
