"""Answers to questions about when, written from `qa.timeline` and `qa.digest`: an answer in a
window says which days it searched (and when they hold nothing, says so first and offers the
nearest statements outside), a first or last mention names its day first, a timeline counts
its days, a day's briefing lists its exchanges."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from index.store.chroma import Store
from index.vectors.chunks import normalise_whitespace
from qa.answer import NO_ANSWER_TEXT, OUTSIDE_WINDOW_TEXT, Answer, Citation, Window
from qa.compose import said_by
from qa.dates import DateWindow, from_day_number, long_date
from qa.exchanges import digest, event_named
from qa.mentions import best_sentences, cite_statement, edge, mentions, timeline
from qa.parse import DIGEST, FIRST, LAST, TIMELINE, ParsedQuestion

# How much of a reporter's question a digest's text quotes (the card shows it whole).
ASKED_IN_TEXT = 160


def answer_window(window: DateWindow | None) -> Window | None:
    """The window as an answer carries it: ISO days and the words that name it."""
    if window is None:
        return None
    return Window(window.since.isoformat() if window.since else None,
                  window.until.isoformat() if window.until else None, window.label)


def display_name(store: Store, speakers: list[str] | None) -> str | None:
    """The store's name for the person a question names."""
    if not speakers:
        return None
    aliases = store.speaker_aliases()
    return aliases.get(speakers[0], speakers[0])


def in_window(store: Store, parsed: ParsedQuestion, speakers: list[str], answer: Answer,
              outside: Callable[[], Answer]) -> Answer:
    """An answer from inside the question's window, said to be. When the window holds nothing
    (by the speaker), it says so first, then offers what lies outside it: the speaker's
    statements on the topic from the nearest days before and after, else `outside()`, the
    answer from every dated article; each passage marked with its day."""
    window = parsed.window
    if window is None or answer.speaker_found is False:
        return replace(answer, window=answer_window(window))
    aliases = store.speaker_aliases()
    names = {aliases.get(s, s) for s in speakers}
    held = not answer.no_answer and (not names or any(c.speaker in names
                                                      for c in answer.citations))
    if held:
        return replace(answer, text=f"{window.label}: {answer.text}",
                       window=answer_window(window))
    if speakers or parsed.asks_who:
        who = f" by {display_name(store, speakers)}" if speakers else ""
        nothing = f"{window.label}, nothing{who} about {parsed.topic} in the indexed briefings."
    else:
        nothing = f"{window.label}, nothing in the indexed articles answers this."
    nearest = nearest_outside(store, parsed.topic, speakers or None, window)
    if not nearest:
        elsewhere = outside()
        nearest = [] if elsewhere.no_answer else elsewhere.citations
    if not nearest:
        return Answer(answer.question, nothing, [], 0.0, True, speaker_found=answer.speaker_found,
                      window=answer_window(window))
    return Answer(answer.question, f"{nothing} {OUTSIDE_WINDOW_TEXT} {said_by(nearest)}",
                  nearest, 0.5, False, speaker_found=answer.speaker_found,
                  window=answer_window(window), outside_window=True)


def nearest_outside(store: Store, topic: str, speakers: list[str] | None,
                    window: DateWindow) -> list[Citation]:
    """The speakers' statements on the topic from the nearest day before the window and the
    nearest after it, cited."""
    days = mentions(store, topic, speakers)
    low, high = window.day_numbers()
    before = [d for d in days.days if d < low]
    after = [d for d in days.days if d > high]
    chosen = [*before[-1:], *after[:1]]
    topic_vector = store.embedder.encode([topic])[0]
    best = best_sentences(store, {d: days.by_day[d] for d in chosen}, topic_vector)
    return [cite_statement(n, *best[day]) for n, day in
            enumerate((d for d in chosen if d in best), 1)]


def timeline_answer(store: Store, question: str, parsed: ParsedQuestion,
                    speakers: list[str] | None) -> Answer:
    """"Kirby spoke of the Houthis on 23 days between …; 8 shown." and a dated line per day."""
    name = display_name(store, speakers)
    found = timeline(store, parsed.topic, speakers, name, parsed.window)
    if not found.entries:
        return _not_found(question, parsed, name)
    first, last = found.days[0].date, found.days[-1].date
    subject = f"{name} spoke of {parsed.topic}" if name else f"{_capital(parsed.topic)} came up"
    count = found.total_days
    span = (f"on {long_date(first)}" if count == 1 else
            f"on {count} days between {long_date(first)} and {long_date(last)}")
    shown = f"; {len(found.entries)} shown" if len(found.entries) < count else ""
    citations = [entry.citation for entry in found.entries]
    entries = (" ".join(f"{long_date(c.date)}: {normalise_whitespace(c.passage)} [{c.n}]"
                        for c in citations) if name else said_by(citations))
    within = f"{parsed.window.label}, " if parsed.window else ""
    text = f"{within}{_lower_first(subject) if within else subject} {span}{shown}. {entries}"
    return Answer(question, text, citations, 1.0, False, kind=TIMELINE,
                  speaker_found=True if name else None, window=found.window,
                  days=found.days)


def edge_answer(store: Store, question: str, parsed: ParsedQuestion,
                speakers: list[str] | None) -> Answer:
    """"Kirby first spoke of the Houthis on October 19, 2023: …" and how often since."""
    latest = parsed.kind == LAST
    name = display_name(store, speakers)
    found = edge(store, parsed.topic, speakers, latest, parsed.window)
    if found is None:
        return _not_found(question, parsed, name)
    citation, day, days = found
    which = "last" if latest else "first"
    when = long_date(from_day_number(day))
    if name:
        opening = f"{name} {which} spoke of {parsed.topic} on {when}:"
    else:
        opening = f"{_capital(parsed.topic)} {which} came up on {when}, " \
                  f"from {citation.speaker or 'an unnamed speaker'}:"
    others = (f" In all, {len(days)} days, from {long_date(from_day_number(days[0]))} to "
              f"{long_date(from_day_number(days[-1]))}." if len(days) > 1 else "")
    text = f"{opening} {normalise_whitespace(citation.passage)} [1]{others}"
    return Answer(question, text, [citation], 1.0, False, kind=LAST if latest else FIRST,
                  speaker_found=True if name else None, window=answer_window(parsed.window))


def digest_answer(store: Store, question: str, parsed: ParsedQuestion) -> Answer:
    """The day's transcript: its opening, then each reporter's question and the first
    sentences of the answer, cited; how many more; the day's other transcripts by title."""
    window = parsed.window
    if window is not None and window.since is not None:
        day = window.since
    else:
        latest = store.keyword.latest_day()
        day = from_day_number(latest) if latest else None
    found = digest(store, day, event=event_named(parsed.question)) if day else None
    if found is None:
        when = f" on {long_date(day)}" if day else ""
        return Answer(question, f"No briefing{when} in the indexed briefings.", [], 0.0, True,
                      kind=DIGEST, window=answer_window(window))
    answered = [e for e in found.exchanges if e.asked is not None]
    questions = "1 question" if found.total == 1 else f"{found.total} questions"
    parts = [f"{found.title or found.article_id} ({long_date(found.date)}): {questions} "
             "from reporters"
             + (f"; the first {len(answered)}:" if len(answered) < found.total else ":")]
    for exchange in found.exchanges:
        c = exchange.citation
        said = f"{c.speaker or 'Answer'}: {normalise_whitespace(c.passage)} [{c.n}]"
        if exchange.asked is None:
            parts.append(f"Opening, {said}")
        else:
            parts.append(f"Q: {_shortened(exchange.asked)} — {said}")
    more = found.total - len(answered)
    if more:
        parts.append("1 more exchange." if more == 1 else f"{more} more exchanges.")
    if found.others:
        parts.append("Also that day: " + "; ".join(title for _, title in found.others) + ".")
    window_day = DateWindow(date.fromisoformat(found.date[:10]),
                            date.fromisoformat(found.date[:10])) if found.date else window
    return Answer(question, " ".join(parts), [e.citation for e in found.exchanges], 1.0,
                  False, kind=DIGEST, window=answer_window(window_day))


def _not_found(question: str, parsed: ParsedQuestion, name: str | None) -> Answer:
    who = f" of {name}'s" if name else ""
    within = f" {_lower_first(parsed.window.label)}" if parsed.window else ""
    return Answer(question, f"No sentence{who} in the indexed briefings holds "
                            f"“{parsed.topic}”{within}. {NO_ANSWER_TEXT}", [], 0.0, True,
                  kind=parsed.kind, speaker_found=True if name else None,
                  window=answer_window(parsed.window))


def _shortened(text: str) -> str:
    text = normalise_whitespace(text)
    return text if len(text) <= ASKED_IN_TEXT else "… " + text[-ASKED_IN_TEXT:].split(" ", 1)[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
