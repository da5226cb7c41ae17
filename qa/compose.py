"""Extractive answers: score the sentences of the retrieved passages, keep the best few
verbatim, and cite each one back to its exact place in the article."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.records import IndexedArticle
from index.speech.turns import TURN_CUE
from index.vectors.chunks import normalise_whitespace
from index.vectors.embed import sign_closeness
from qa.answer import NO_ANSWER_TEXT, Answer, Citation
from qa.dates import long_date
from qa.retrieve import Passage

# Fitted on the tuning halves of the dev sets (benchmarks/quality.py --split tune): see README.
MAX_SENTENCES = 3
MAX_CHARS = 600
RELATIVE_CUTOFF = 0.75
DUPLICATE_SIMILARITY = 0.9
MMR_LAMBDA = 0.3
SAME_ARTICLE_PENALTY = 0.1
SPEAKER_BONUS = 0.3
OTHER_SPEAKER_PENALTY = 0.3
# Weights of the sentence score, and the relevance a best sentence must clear to be an answer.
WEIGHT_COSINE, WEIGHT_TERMS, WEIGHT_PASSAGE, WEIGHT_CONTEXT = 0.55, 0.35, 0.25, 0.20
# Holding the question's words side by side ("historic partnership"), a bonus beyond relevance:
# without it a sentence with one of a topic's words and a closer vector won.
WEIGHT_PHRASE = 0.3
MIN_RELEVANCE = 0.25
# Sentences a question embeds whole (the store keeps no sentence vectors): the best by their
# score with the cosine their stored component signs estimate. Tune halves, 8 → 4: the same
# figures within 0.01, 20 ms less p95; at 2 RealTime QA lost 0.04 of its evidence.
EMBEDDED = 4
# Fewer words than this ("Yes.", "Look,") is no statement: the sentences after it come along.
MIN_STATEMENT_WORDS = 4
# An answer sentence is a statement: never a question (the speaker's own, rhetorical, or an
# echo of the reporter's: "In a sort of conflict with the Houthis?"), never under this many
# words, never a piece cut off mid-word or mid-thought ("… East Palestin- —"), never a
# dateline or a time stamp ("(March 1, 2024) 2:39 P.M. EST"). It may be context in a card.
MIN_ANSWER_WORDS = 5
CLOSERS = "\"'”’)\\]"
QUESTION_END = re.compile(rf"\?[{CLOSERS}]*$")
# "And who are the Houthis backed by? Iran.": a question the splitter left inside.
QUESTION_INSIDE = re.compile(rf"\?[{CLOSERS}]*\s+\S")
CUT_OFF = re.compile(rf"(?:[-–—]|\w-|\.\.\.|…)[{CLOSERS}]*$")
OPENS_MID_THOUGHT = re.compile(r"^(?:[-–—…]|\.\.\.|[a-z])")
TIME_STAMP = re.compile(
    r"\b\d{1,2}:\d\d(?:\s*[AaPp]\.?\s*[Mm]\.?)?(?:\s+[A-Z]{2,4}\b)?|\b(?:January|February|"
    r"March|April|May|June|July|August|September|October|November|December)\s+\d{1,2},?\s+"
    r"\d{4}")
ANSWER_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
UNNAMED_SPEAKER = "The speaker is not named"
# How much of a reporter's question a citation carries as `asked`.
ASKED_CHARS = 300
# A sentence opening like this leans on the one before it ("That's resulted in…").
NEEDS_CONTEXT = re.compile(
    r"^\W*(?:that|this|these|those|it|its|he|she|they|their|his|her|such|but|however|"
    r"also|still|yet)\b", re.IGNORECASE)
# …and so does one that opens with a "there" that points back ("There, the fighters…"), not
# the "there is" that only says something exists.
POINTS_BACK = re.compile(
    rf"{NEEDS_CONTEXT.pattern}|^\W*there\b(?!\s+(?:is|are|was|were|will|would|has|have|had|"
    r"seems?|may|might|could|should|must|can)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    article: IndexedArticle
    index: int
    cosine: float
    terms: float
    passage: float
    context: float
    speaker_fit: float
    phrase: float
    vector: np.ndarray

    @property
    def score(self) -> float:
        return WEIGHT_COSINE * self.cosine + self.without_cosine

    @property
    def without_cosine(self) -> float:
        """The score as far as it is known before the sentence is embedded."""
        return (WEIGHT_TERMS * self.terms + WEIGHT_PASSAGE * self.passage
                + WEIGHT_CONTEXT * self.context + WEIGHT_PHRASE * self.phrase + self.speaker_fit)

    @property
    def relevance(self) -> float:
        """Query fit alone; the threshold for answering at all is on this, not on the bonuses."""
        return WEIGHT_COSINE * self.cosine + WEIGHT_TERMS * self.terms

    @property
    def key(self) -> tuple[str, int]:
        return self.article.article.id, self.index


@dataclass(frozen=True)
class SentenceScorer:
    """What the composer needs from the outside world, so it stays a pure function of it."""

    query_vector: np.ndarray
    term_weights: dict[str, float]
    tokenize: Callable[[str], list[str]]
    vectors: Callable[[list[tuple[IndexedArticle, int]]], np.ndarray]
    speaker_fit: Callable[[str | None, str], float]
    phrase: Callable[[str], float]

    def terms(self, text: str) -> float:
        """IDF-weighted share of the query's terms that the sentence contains."""
        total = sum(self.term_weights.values())
        if not total:
            return 0.0
        present = set(self.tokenize(text))
        return sum(w for t, w in self.term_weights.items() if t in present) / total


def sentence_text(article: IndexedArticle, index: int) -> str:
    sentence = article.sentences[index]
    return article.article.text[sentence.start:sentence.end]


def is_statement(text: str, questions: bool = False) -> bool:
    """Whether a sentence can be an answer sentence (see MIN_ANSWER_WORDS); with `questions`,
    a question can (the user asks what was asked)."""
    plain = text.strip()
    if CUT_OFF.search(plain) or OPENS_MID_THOUGHT.match(plain) or (
            not questions and (QUESTION_END.search(plain) or QUESTION_INSIDE.search(plain))):
        return False
    return len(ANSWER_WORD.findall(TIME_STAMP.sub(" ", plain))) >= MIN_ANSWER_WORDS


def compose(question: str, passages: Sequence[Passage], articles: dict[str, IndexedArticle],
            scorer: SentenceScorer, *, asks_who: bool = False,
            exclude: frozenset[tuple[str, int]] = frozenset(),
            require_relevance: bool = True, answer_with_questions: bool = False,
            dated: bool = False) -> Answer:
    """`exclude` holds (article id, sentence index) already cited in the conversation; with
    `require_relevance` off ("what else did he say?") any of the speaker's words will do.
    Reporters' questions in transcripts are context, not answers, unless
    `answer_with_questions` (the user asks what was asked). A `dated` question, a "who"
    question and a transcript's passages say whose words and when before each passage."""
    def answerable(article: IndexedArticle, index: int) -> bool:
        """In a transcript, only statements; a news article's quotes are its writer's choice
        of the speaker's words (a quoted question included): on the speaker set, holding
        news sentences to statements cost 0.06 of answers holding the quote (tune half)."""
        return (answer_with_questions or not article.sentences[index].question) and (
            not article.turns
            or is_statement(sentence_text(article, index), answer_with_questions))

    candidates = _candidates(passages, articles, scorer, exclude, answerable)
    top_relevance = max((c.relevance for c in candidates), default=0.0)
    if not candidates or (require_relevance and top_relevance < MIN_RELEVANCE):
        return Answer(question, NO_ANSWER_TEXT, [], 0.0, True)
    chosen = _select(candidates)
    runs = _runs(_with_context(chosen, exclude), asks_who)
    citations = [cite_sentences(n, article, first, last, score)
                 for n, (article, first, last, score) in enumerate(runs, 1)]
    transcripts = any(article.turns for article, *_ in runs)
    text = (said_by(citations, asks_who) if asks_who or dated or transcripts else
            " ".join(f"{normalise_whitespace(c.passage)} [{c.n}]" for c in citations))
    confidence = round(min(1.0, max(c.relevance for c in chosen) / 0.8), 3)
    return Answer(question, text, citations, confidence, False)


def _candidates(passages: Sequence[Passage], articles: dict[str, IndexedArticle],
                scorer: SentenceScorer, exclude: frozenset[tuple[str, int]],
                answerable: Callable[[IndexedArticle, int], bool]) -> list[Candidate]:
    """The passages' sentences that can be an answer, scored; only the EMBEDDED best, their
    closeness estimated from their stored signs, are embedded and weighed whole."""
    top = passages[0].score if passages else 1.0
    best_passage: dict[tuple[str, int], float] = {}
    best_context: dict[tuple[str, int], float] = {}
    for passage in passages:
        for index in range(*passage.sentence_range):
            key = (passage.article_id, index)
            if key not in exclude:
                best_passage[key] = max(best_passage.get(key, 0.0), passage.score / top)
                best_context[key] = max(best_context.get(key, 0.0), passage.closeness)
    unknown = np.zeros(0, dtype=np.float32)
    weighed = []
    for key in best_passage:
        article, index = articles[key[0]], key[1]
        if not answerable(article, index):
            continue
        text = sentence_text(article, index)
        weighed.append(Candidate(article, index, 0.0, scorer.terms(text), best_passage[key],
                                 best_context[key],
                                 scorer.speaker_fit(article.sentences[index].speaker, text),
                                 scorer.phrase(text), unknown))
    estimated = estimated_cosines([(c.article, c.index) for c in weighed], scorer.query_vector)
    weighed = [c for c, _ in sorted(zip(weighed, estimated), reverse=True,
                                    key=lambda pair: pair[0].without_cosine
                                    + WEIGHT_COSINE * pair[1])][:EMBEDDED]
    vectors = scorer.vectors([(c.article, c.index) for c in weighed])
    return [replace(c, cosine=float(vector @ scorer.query_vector), vector=vector)
            for c, vector in zip(weighed, vectors)]


def estimated_cosines(sentences: Sequence[tuple[IndexedArticle, int]],
                      vector: np.ndarray) -> list[float]:
    """Each (article, sentence number)'s cosine to `vector` as its stored component signs
    estimate it, one product per article (0 where an article has none): sentences are ranked
    without embedding them."""
    by_article: dict[str, list[int]] = {}
    for number, (article, _) in enumerate(sentences):
        by_article.setdefault(article.article.id, []).append(number)
    estimated = [0.0] * len(sentences)
    for numbers in by_article.values():
        signs = sentences[numbers[0]][0].signs
        if signs is None:
            continue
        rows = signs[[sentences[n][1] for n in numbers]]
        for n, value in zip(numbers, sign_closeness(rows, vector).tolist()):
            estimated[n] = value
    return estimated


def _select(candidates: list[Candidate]) -> list[Candidate]:
    """Maximal marginal relevance over the candidates within reach of the best one."""
    ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
    floor = ranked[0].score * RELATIVE_CUTOFF
    pool = [c for c in ranked if c.score >= floor][:20]
    chosen: list[Candidate] = []
    length = 0

    def overlap(c: Candidate) -> float:
        """Cosine to the most similar sentence already chosen."""
        return max((float(c.vector @ s.vector) for s in chosen), default=0.0)

    def repeats(c: Candidate) -> float:
        """Another sentence of an article already cited says less than a new passage."""
        return SAME_ARTICLE_PENALTY * any(s.article is c.article for s in chosen)

    while pool and len(chosen) < MAX_SENTENCES:
        best = max(pool, key=lambda c: c.score - MMR_LAMBDA * overlap(c) - repeats(c))
        pool.remove(best)
        size = len(sentence_text(best.article, best.index))
        if overlap(best) >= DUPLICATE_SIMILARITY or (chosen and length + size > MAX_CHARS):
            continue
        chosen.append(best)
        length += size
    return chosen


def _with_context(chosen: list[Candidate],
                  exclude: frozenset[tuple[str, int]]) -> list[tuple[Candidate, int]]:
    """(candidate, sentence index) pairs: each chosen sentence with what makes it a whole
    statement — the sentence before when it leans on it ("That's resulted in…"), the sentences
    after when it is too short to stand alone ("Yes.", "Look,"), and, while the answer stays
    within MAX_CHARS, the next sentence of the same speaker when it carries on ("There, …",
    "That is …", or one quotation running over both). Never across a turn, never a
    reporter's question, never what the conversation has already cited."""
    picked: dict[tuple[str, int], Candidate] = {c.key: c for c in chosen}
    length = sum(len(sentence_text(c.article, c.index)) for c in chosen)
    for c in chosen:
        article = c.article
        for index in statement(article, c.index, MAX_CHARS - length):
            key = (article.article.id, index)
            if key not in exclude and key not in picked:
                picked[key] = c
                length += len(sentence_text(article, index))
    return [(c, key[1]) for key, c in picked.items()]


def statement(article: IndexedArticle, index: int, room: int = MAX_CHARS) -> list[int]:
    """The sentences of the whole statement around sentence `index`: the one before when it
    leans on it, the ones after while it is too short to stand alone, and the next one of the
    same speaker when it carries on and fits in `room` more characters; all of one turn."""
    first = last = index
    if first > 0 and NEEDS_CONTEXT.match(sentence_text(article, first)) \
            and _may_join(article, first - 1):
        first -= 1
    while _words(article, first, last) < MIN_STATEMENT_WORDS \
            and last + 1 < len(article.sentences):
        last += 1
    if _continues(article, last) and len(sentence_text(article, last + 1)) <= room:
        last += 1
    return [i for i in range(first, last + 1) if _same_statement(article, index, i)]


def _may_join(article: IndexedArticle, index: int) -> bool:
    """Whether a sentence may join an answer as the context of another: in a transcript, only
    a statement (see `compose`'s `answerable`)."""
    return not article.turns or is_statement(sentence_text(article, index))


def _words(article: IndexedArticle, first: int, last: int) -> int:
    return sum(len(sentence_text(article, i).split()) for i in range(first, last + 1))


def _continues(article: IndexedArticle, index: int) -> bool:
    """Sentence `index + 1` goes on with what its speaker said in `index`."""
    if index + 1 >= len(article.sentences):
        return False
    this, after = article.sentences[index], article.sentences[index + 1]
    if this.speaker is None or this.speaker != after.speaker \
            or not _may_join(article, index + 1):
        return False
    return bool(POINTS_BACK.match(sentence_text(article, index + 1))) or any(
        q.direct and q.start < this.end and after.start < q.end for q in article.quotes
        if q.cue != TURN_CUE)


def _same_statement(article: IndexedArticle, chosen: int, other: int) -> bool:
    """In a transcript, a sentence leans only on its own turn: never on the reporter's
    question before it, nor on the next speaker."""
    if chosen == other:
        return True
    return (article.turn_of(chosen) == article.turn_of(other)
            and not article.sentences[other].question)


def _runs(picked: list[tuple[Candidate, int]],
          asks_who: bool = False) -> list[tuple[IndexedArticle, int, int, float]]:
    """Adjacent sentences of one article become one citation; articles ordered by their best
    sentence, sentences by position. A "who" answer orders its citations by their best
    sentence even within an article: it names first whoever said it best, not whoever spoke
    first at that briefing."""
    by_article: dict[str, list[tuple[int, Candidate]]] = {}
    for c, index in picked:
        by_article.setdefault(c.article.article.id, []).append((index, c))
    order = sorted(by_article, key=lambda a: -max(c.score for _, c in by_article[a]))
    runs = []
    for article_id in order:
        items = sorted(by_article[article_id], key=lambda item: item[0])
        article = items[0][1].article
        first = last = items[0][0]
        best = items[0][1].score
        for index, c in items[1:]:
            if index == last + 1:
                last, best = index, max(best, c.score)
                continue
            runs.append((article, first, last, best))
            first = last = index
            best = c.score
        runs.append((article, first, last, best))
    return sorted(runs, key=lambda run: -run[3]) if asks_who else runs


def cite_sentences(n: int, article: IndexedArticle, first: int, last: int,
                   score: float) -> Citation:
    """Citation `n`: sentences `first`..`last` of the article, verbatim, with their offsets."""
    start, end = article.sentences[first].start, article.sentences[last].end
    speakers = [s.speaker for s in article.sentences[first:last + 1] if s.speaker]
    meta = article.article
    return Citation(n=n, article_id=meta.id, title=meta.title, date=meta.date, source=meta.source,
                    url=meta.url, passage=meta.text[start:end], start=start, end=end,
                    paragraph=article.sentences[first].paragraph,
                    speaker=speakers[0] if speakers else None, score=round(score, 4),
                    page=meta.page_at(start), asked=question_answered(article, first))


def question_answered(article: IndexedArticle, sentence: int) -> str | None:
    """The reporter's question that the turn holding `sentence` answers: its last sentences,
    up to ASKED_CHARS, since a question often opens with a preamble."""
    turn = article.turn_of(sentence)
    if turn is None or turn == 0 or article.turns[turn].question \
            or not article.turns[turn - 1].question:
        return None
    asked = article.turns[turn - 1]
    inside = [s for s in article.sentences if asked.text_start <= s.start < asked.end]
    kept: list[str] = []
    for s in reversed(inside):
        text = normalise_whitespace(article.article.text[s.start:s.end])
        if kept and sum(map(len, kept)) + len(text) > ASKED_CHARS:
            return "… " + " ".join(reversed(kept))
        kept.append(text)
    return " ".join(reversed(kept)) or None


def said_by(citations: Sequence[Citation], asks_who: bool = False) -> str:
    """Each passage after whose words they are and when ("Jen Psaki, March 5, 2021:"), said
    again wherever either changes: an answer citing two people must not give the second
    one's words to the first. A "who" answer says so of a passage with no speaker."""
    parts: list[str] = []
    last = None
    for citation in citations:
        label = citation_label(citation, asks_who)
        if label != last:
            parts.append(f"{label}:")
            last = label
        parts.append(f"{normalise_whitespace(citation.passage)} [{citation.n}]")
    return " ".join(parts)


def citation_label(citation: Citation, asks_who: bool = False) -> str:
    who = citation.speaker or (UNNAMED_SPEAKER if asks_who or not citation.date else "")
    when = long_date(citation.date) if citation.date else ""
    return ", ".join(part for part in (who, when) if part)
