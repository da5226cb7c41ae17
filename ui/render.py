"""Answers, citation cards and corpus tables as HTML. Pure functions: data in, markup out.

Every piece of article or user text goes through `html.escape` (or `chat_text`) here, so a
hostile title or body shows as text and runs nothing."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from index.records import IndexedArticle
from qa.answer import MODE_NOTES

NOT_FOUND = "Not found in the indexed briefings."
MARKER = re.compile(r"\[(\d+)\]")
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$^=:])")
CORPUS_COLUMNS = ["id", "title", "date", "source", "kind", "chunks"]
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
    if answer.get("warning"):
        notes.append(f'<small class="answer-warning">⚠ {html.escape(answer["warning"])}</small>')
    return "".join([*pieces, chat_text(text[done:]), *(f"\n\n{note}" for note in notes)])


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


def corpus_rows(metadata: Iterable[tuple[str, Mapping[str, Any]]]) -> list[list[Any]]:
    """One row per indexed article: id, title, date, source, kind, chunks (as text, never
    HTML); a transcript is an article with speaker turns."""
    return sorted([article_id, meta.get("title") or "", meta.get("date") or "",
                   meta.get("source") or "", "transcript" if meta.get("turns") else "article",
                   int(meta.get("chunks") or 0)]
                  for article_id, meta in metadata)


def corpus_summary(stats: Mapping[str, Any], following: str | None = None) -> str:
    """What the store holds, and what the page follows (`briefing ui --follow`)."""
    dates = " to ".join(stats["date_range"]) if stats.get("date_range") else "no dates"
    summary = html.escape(f"{stats['articles']} articles, {stats['chunks']} chunks, "
                          f"{len(stats['sources'])} sources, {dates}")
    return summary + (f'<p class="following">{html.escape(following)}</p>' if following else "")


def upload_report(added: str, errors: Sequence[str]) -> str:
    """What an upload did, with each file's problem on its own line."""
    items = "".join(f"<li>{html.escape(error)}</li>" for error in errors)
    problems = f'<ul class="upload-errors">{items}</ul>' if errors else ""
    return f'<div class="upload-report"><p>{html.escape(added)}</p>{problems}</div>'
