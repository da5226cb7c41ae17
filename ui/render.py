"""Answers, citation cards, timelines, a day's exchanges, the archive's summary and its reader
as HTML. Pure functions: data in, markup out.

Every piece of article or user text goes through `html.escape` (or `chat_text`) here, so a
hostile title or body shows as text and runs nothing."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from index.records import IndexedArticle
from index.store.chroma import CatalogEntry
from index.vectors.chunks import normalise_whitespace
from qa.answer import MODE_NOTES
from qa.dates import iso_day, long_date

NOT_FOUND = "Not found in the indexed briefings."
MARKER = re.compile(r"\[(\d+)\]")
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$^=:])")
DRAFTING = "Writing… citations are checked when the answer is complete."
PARAGRAPH_GAP = re.compile(r"[ \t]*\r?\n(?:[ \t\u00a0]*\r?\n)+[ \t]*")
HARD_BREAK = re.compile(r"(?:  +|\\)\r?\n")
LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")


def chat_text(text: str) -> str:
    """Plain text made inert for the chat's Markdown renderer: no markup, no HTML."""
    return html.escape(MARKDOWN_PUNCTUATION.sub(r"\\\1", text), quote=False)


def card_id(turn: int, n: int) -> str:
    """Unique per conversation turn, so an older answer's `[1]` never opens a newer card 1."""
    return f"cite-{turn}-{n}"


def cite_link(turn: int, n: int) -> str:
    return f'<a class="cite-link" href="#{card_id(turn, n)}">[{n}]</a>'


def answer_message(answer: Mapping[str, Any], turn: int) -> str:
    """The answer for the chat: escaped text whose `[n]` markers link to citation card n, then
    which mode answered and any warning."""
    if answer.get("no_answer") and answer.get("speaker_found") is not False:
        return chat_text(NOT_FOUND)
    cited = {c["n"] for c in answer.get("citations") or []}
    text, pieces, done = answer.get("text", ""), [], 0
    for match in MARKER.finditer(text):
        if int(match.group(1)) in cited:
            pieces += [chat_text(text[done:match.start()]), cite_link(turn, int(match.group(1)))]
            done = match.end()
    mode = answer.get("mode") or "extractive"
    notes = [f'<small class="answer-mode">{html.escape(MODE_NOTES.get(mode, mode))}</small>']
    if answer.get("window"):
        notes.insert(0, window_note(answer["window"]))
    if answer.get("warning"):
        notes.append(f'<small class="answer-warning">⚠ {html.escape(answer["warning"])}</small>')
    return "".join([*pieces, chat_text(text[done:]), *(f"\n\n{note}" for note in notes)])


def window_note(window: Mapping[str, Any]) -> str:
    """The days a dated question searched, shown with its answer."""
    searched = day_range(window.get("since"), window.get("until"))
    return f'<small class="answer-window">Searched {html.escape(searched)}</small>'


def day_range(since: str | None, until: str | None) -> str:
    """ISO days as a reader says them: "March 1–31, 2024", "March 5, 2024", "March 1 –
    April 15, 2024", "December 1, 2021 – January 20, 2022", "from March 1, 2024"."""
    first, last = (iso_day(day) if day else None for day in (since, until))
    if first is None or last is None:
        return f"from {long_date(first)}" if first else \
            f"up to {long_date(last)}" if last else "every day"
    if first == last:
        return long_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B} {first.day}–{last.day}, {last.year}"
    if first.year == last.year:
        return f"{first:%B} {first.day} – {long_date(last)}"
    return f"{long_date(first)} – {long_date(last)}"


def draft_message(text: str) -> str:
    """A language model's answer while it is being written, before its citations are checked."""
    return f'{chat_text(text)}\n\n<small class="answer-mode">{DRAFTING}</small>'


def highlight(text: str, start: int, end: int, mark_id: str | None = None) -> str:
    """`text` escaped, with exactly `text[start:end]` inside one `<mark>`."""
    attribute = f' id="{html.escape(mark_id)}"' if mark_id else ""
    return (f"{html.escape(text[:start])}<mark{attribute}>{html.escape(text[start:end])}</mark>"
            f"{html.escape(text[end:])}")


def flowing(markup: str) -> str:
    """Escaped text laid out as its author meant it: a blank line ends a paragraph, a line
    ending in two spaces (a Markdown line break) ends a line, and any other line break is
    where a hard-wrapped paragraph was cut, so a space."""
    markup = PARAGRAPH_GAP.sub("<br><br>", markup)
    return LINE_BREAK.sub(" ", HARD_BREAK.sub("<br>", markup))


def paragraph_span(article: IndexedArticle, start: int, end: int) -> tuple[int, int]:
    """The whole paragraph(s) holding `start:end`, so a card shows the cited words in context."""
    paragraphs = {s.paragraph for s in article.sentences if s.start < end and s.end > start}
    around = [s for s in article.sentences if s.paragraph in paragraphs]
    if not around:
        return start, end
    return min(start, *(s.start for s in around)), max(end, *(s.end for s in around))


def citation_card(citation: Mapping[str, Any], article: IndexedArticle | None, turn: int) -> str:
    """One card: who/where/when, the paragraph with the cited span marked, the full article."""
    n, start, end = citation["n"], citation["start"], citation["end"]
    anchor = card_id(turn, n)
    title = citation.get("title") or citation["article_id"]
    facts = [citation.get("date") or "undated", citation.get("source"),
             citation.get("speaker") and f"speaker: {citation['speaker']}",
             citation.get("page") is not None and f"page {citation['page']}",
             f"paragraph {citation['paragraph']}"]
    meta = " · ".join(html.escape(str(fact)) for fact in facts if fact)
    asked = (f'<p class="cite-asked"><b>Q:</b> {html.escape(citation["asked"])}</p>'
             if citation.get("asked") else "")
    if article is None:
        passage, full = html.escape(citation["passage"]), ""
    else:
        text = article.article.text
        low, high = paragraph_span(article, start, end)
        passage = flowing(highlight(text[low:high], start - low, end - low))
        whole = flowing(highlight(text, start, end, f"{anchor}-mark"))
        full = (f'<details class="cite-full"><summary>Full article</summary>'
                f'<div class="cite-article">{whole}</div></details>')
    return (f'<article class="cite-card" id="{anchor}" tabindex="-1">'
            f'<header><span class="cite-n">[{n}]</span> '
            f'<span class="cite-title">{html.escape(title)}</span></header>'
            f'<div class="cite-meta">{meta}</div>{asked}'
            f'<blockquote class="cite-passage">{passage}</blockquote>{full}</article>')


def citation_cards(answer: Mapping[str, Any] | None, articles: Mapping[str, IndexedArticle],
                   turn: int = 0) -> str:
    """The cited-passages panel for one answer (or its empty state)."""
    citations = (answer or {}).get("citations") or []
    if not citations:
        return '<div class="cite-empty">Cited passages appear here.</div>'
    return "".join(citation_card(c, articles.get(c["article_id"]), turn) for c in citations)


def counted(count: int, noun: str) -> str:
    """"1 source", "2 sources", "10,000 articles"."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def corpus_summary(entries: Sequence[CatalogEntry], following: str | None = None) -> str:
    """What the store holds, and what the page follows (`briefing ui --follow`)."""
    days = sorted(e.date[:10] for e in entries if iso_day(e.date))
    sources = {e.source for e in entries if e.source}
    facts = [counted(len(entries), "article"), counted(sum(e.chunks for e in entries), "chunk"),
             *([counted(len(sources), "source")] if sources else []),
             day_range(days[0], days[-1]) if days else "undated"]
    summary = html.escape(" · ".join(facts))
    return summary + (f'<p class="following">{html.escape(following)}</p>' if following else "")


def timeline_html(answer: Mapping[str, Any], turn: int) -> str:
    """A timeline answer's entries in date order: date, speaker and sentence, each a link to
    its card; above them, on how many days the topic came up in all."""
    citations = answer.get("citations") or []
    days = len({day["date"] for day in answer.get("days") or []})
    shown = f" · {len(citations)} shown" if len(citations) < days else ""
    entries = "".join(
        f'<li><a class="timeline-entry" href="#{card_id(turn, c["n"])}">'
        f'<time datetime="{html.escape(c["date"][:10])}">{html.escape(long_date(c["date"]))}'
        f'</time><span class="timeline-speaker">{html.escape(c.get("speaker") or "")}</span>'
        f'<span class="timeline-text">{html.escape(normalise_whitespace(c["passage"]))}'
        f'</span></a></li>' for c in citations)
    return (f'<div class="timeline-head">Came up on {counted(days, "day")}{shown}; choose an '
            f'entry for its passage</div><ol class="timeline-entries">{entries}</ol>')


def digest_html(answer: Mapping[str, Any], turn: int) -> str:
    """A day's briefing: the transcript's title and date, then each exchange, the reporter's
    question set apart above the first sentences of its answer, each a link to its card."""
    citations = answer.get("citations") or []
    if not citations:
        return ""
    first = citations[0]
    link = external_link(first.get("url"), "original")
    exchanges = "".join(
        f'<li class="exchange"><p class="exchange-asked">'
        f'{html.escape("Q: " + c["asked"]) if c.get("asked") else "Opening"}</p>'
        f'<p class="exchange-said"><a class="cite-link" href="#{card_id(turn, c["n"])}">'
        f'[{c["n"]}]</a> <b>{html.escape(c.get("speaker") or "")}</b> '
        f'{html.escape(normalise_whitespace(c["passage"]))}</p></li>' for c in citations)
    return (f'<header class="digest-head"><h3>{html.escape(first["title"] or first["article_id"])}'
            f'</h3><div class="digest-meta">{html.escape(long_date(first["date"]))}'
            f'{" · " + link if link else ""}</div></header>'
            f'<ol class="digest-exchanges">{exchanges}</ol>')


def external_link(url: str | None, text: str) -> str:
    """A link that opens a web address in a new tab; none for anything but http(s)."""
    if not url or urlsplit(url).scheme.lower() not in ("http", "https"):
        return ""
    return (f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">'
            f'{html.escape(text)}</a>')


def paragraphs(text: str) -> str:
    """Escaped text as its paragraphs."""
    return "".join(f"<p>{flowing(html.escape(part))}</p>"
                   for part in PARAGRAPH_GAP.split(text) if part.strip())


def reader_html(article: IndexedArticle | None, kind: str = "") -> str:
    """An article to read whole: a transcript as its turns, each under its speaker's full
    name, reporters' questions set apart; anything else as its paragraphs."""
    if article is None:
        return '<div class="reader reader-empty">Choose an article in the table to read it ' \
               'here.</div>'
    meta = article.article
    facts = [long_date(meta.date) if meta.date else "undated", kind, meta.source]
    link = external_link(meta.url, "original")
    head = (f'<header class="reader-head"><h3>{html.escape(meta.title or meta.id)}</h3>'
            f'<div class="reader-meta">{html.escape(" · ".join(f for f in facts if f))}'
            f'{" · " + link if link else ""}</div></header>')
    text = meta.text
    if not article.turns:
        return f'<div class="reader">{head}<div class="reader-body">{paragraphs(text)}</div></div>'
    opening = paragraphs(text[:article.turns[0].start])
    turns = "".join(
        f'<section class="turn{" turn-asked" if turn.question else ""}">'
        f'<div class="turn-speaker">{html.escape(turn.speaker)}</div>'
        f'<div class="turn-text">{paragraphs(text[turn.text_start:turn.end])}</div></section>'
        for turn in article.turns)
    return (f'<div class="reader">{head}<div class="reader-body"><div class="reader-opening">'
            f'{opening}</div>{turns}</div></div>')


def upload_report(added: str, errors: Sequence[str]) -> str:
    """What an upload did, with each file's problem on its own line."""
    items = "".join(f"<li>{html.escape(error)}</li>" for error in errors)
    problems = f'<ul class="upload-errors">{items}</ul>' if errors else ""
    return f'<div class="upload-report"><p>{html.escape(added)}</p>{problems}</div>'
