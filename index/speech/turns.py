"""Transcripts: speaker turns from the labels that open their lines.

In a transcript the speaker is written at every turn, so nothing is guessed: a turn runs from
its label ("MS. PSAKI:", "GEN. DUNFORD:", "Q", "QUESTION:", "Chairman Smith:") to the next
label, every sentence in it is the label's speaker's, and reporters' questions are a role of
their own. A label resolves to one name per article, from the label itself, the title and the
opening ("MS. JEAN-PIERRE" → "Karine Jean-Pierre"); a role without a name ("MODERATOR",
"SENIOR ADMINISTRATION OFFICIAL") stays a role.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz.distance import Levenshtein

from index.records import Article, Quote, Sentence, Turn, turn_at
from index.speech.quotes import QUOTE_MARK, SPEECH_VERBS, TITLES
from index.speech.sentences import paragraph_spans

REPORTER = "Reporter"
TURN_CUE = "turn"
SPACE = r"[ \t\u00a0]"
LABEL = re.compile(
    rf"^{SPACE}*(?:"
    # Reporters: "Q    Can I ask…" (spaces, no colon), "Q:", "QUESTION:", "REPORTER:".
    rf"(?P<question>Q|QUESTION|REPORTER)(?:{SPACE}*:{SPACE}*|\.?{SPACE}+)(?=\S)"
    # "MS. JEAN-PIERRE:", "MR PRICE:", "SECRETARY OF DEFENSE JIM MATTIS:", "THE PRESIDENT:".
    rf"|(?P<upper>[A-Z][A-Z.'’-]*(?:[ \t][A-Z][A-Z.'’-]*){{0,7}}){SPACE}*:(?={SPACE}|$)"
    # Interviews and hearings: "Chairman Smith:", "Jane Doe:", "Mr. Smith:".
    rf"|(?P<mixed>(?:[A-Z][a-z]*\.?[ \t]){{0,3}}[A-Z][A-Za-z'’-]*[a-z][A-Za-z'’-]*):(?={SPACE})"
    rf")",
    re.MULTILINE)
# A turn opens with words ("Clinton: 2,316." is a table row, not a turn).
SPOKEN = re.compile(r"[^\n]*?[^\W\d_]{2}")
# A transcript's own closing line ("END 8:02 P.M. EST") ends the last turn.
END_LINE = re.compile(rf"^{SPACE}*END{SPACE}+\d{{1,2}}:\d{{2}}", re.MULTILINE)
# Line openers that look like labels but are not turns.
NOT_LABELS = frozenset({
    "note", "notes", "update", "updated", "editor's note", "editor’s note", "correction",
    "clarification", "end", "source", "sources", "photo", "photos", "video", "watch", "related",
    "advertisement", "disclaimer", "transcript", "summary", "background", "context", "agenda",
    "topic", "topics", "subject", "re", "cc", "from", "to", "date", "time", "location", "where",
    "when", "tags", "title", "caption", "credit", "credits", "via", "warning", "breaking",
    "exclusive", "analysis", "opinion", "live", "read more", "see also", "fact sheet",
})
# "A:" answers the "Q:" of an interview.
ANSWER_LABELS = frozenset({"a", "answer"})
FUNCTION_WORDS = frozenset({"the", "of", "for", "and", "to", "on"})
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "rev", "prof", "hon"})
# Words of a label that say what someone is, not who: everything before the name.
ROLE_WORDS = frozenset(TITLES) | frozenset({
    "sec", "adm", "lt", "gen", "the", "of", "for", "and", "to", "on", "acting", "deputy",
    "principal", "assistant", "associate", "senior", "junior", "special", "national",
    "press", "security", "homeland", "defense", "defence", "state", "energy", "treasury",
    "commerce", "transportation", "health", "education", "agriculture", "labor", "interior",
    "justice", "veterans", "affairs", "human", "services", "housing", "urban", "development",
    "climate", "domestic", "economic", "policy", "council", "white", "house", "federal",
    "surgeon", "envoy", "coordinator", "administrator", "administration", "official",
    "officials", "officer", "staff", "aide", "moderator", "operator", "participant",
    "audience", "member", "interpreter", "translator", "narrator", "announcer", "questioner",
    "unidentified", "unknown", "panelist", "witness", "first", "lady", "gentleman", "chief",
    "communications", "response", "team", "task", "force", "covid-19", "nsc", "u.s", "us",
    "united", "states", "army", "navy", "air", "marine", "corps", "joint", "chiefs",
    "inspector", "counsel", "solicitor", "prime", "foreign", "ranking", "majority",
    "minority", "whip", "delegate", "congressman", "congresswoman", "mayor", "lieutenant",
    "major", "private", "sergeant", "brigadier", "rear", "vice", "spokesperson", "spokesman",
    "spokeswoman", "anchor", "host", "co-host", "correspondent", "pentagon",
})
# A role that one person holds, so the title can name them ("THE PRESIDENT" in "Remarks by
# President Biden").
SINGLE_HOLDER_ROLES = frozenset({"president", "vice president", "first lady", "secretary",
                                 "press secretary", "speaker", "governor", "mayor", "chairman",
                                 "prime minister", "chancellor"})
MAX_NAME_WORDS = 3
# Misspelt labels ("MS. JEAN-PIERE") are one edit from the right one; short names are not.
MIN_FUZZY_SURNAME = 5
# How much of the text after the title may name the speakers before the exchange begins.
OPENING_CHARS = 2000
NAME_WORD = r"[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?"
# Paragraphs whose sentences may quote or report someone: only they need the full parse.
SPEECH_CUE = re.compile(
    r"\b(?:said|says|told|tells|wrote|according\s+to|"
    + "|".join(sorted(SPEECH_VERBS)) + r")\w*\b", re.IGNORECASE)
FIRST_PERSON = frozenset({"i", "we", "me", "us"})


@dataclass(frozen=True)
class _Label:
    start: int
    text_start: int
    label: str
    question: bool
    strong: bool


def find_turns(article: Article) -> list[Turn]:
    """The turns of a transcript, in order; [] when the text is not one. A text is a transcript
    when labels open at least two of its lines and they are titled or role labels ("MR.
    KIRBY:", "MODERATOR:"), reporters' questions, or two bare names that open two lines each
    ("Smith: …", "Jones: …"). One label alone is a headline ("Carson: Clinton not fit")."""
    labels = _labels(article.text)
    named = {label.label for label in labels if not (label.strong or label.question)}
    titled = any(label.strong for label in labels) or sum(label.question for label in labels) > 1
    if len(labels) < 2 or not (titled or len(named) > 1):
        return []
    ends = [label.start for label in labels[1:]] + [_end_of_last(article.text, labels[-1])]
    speakers = _speakers([label.label for label in labels if not label.question],
                         article.title, article.text[:labels[0].start + OPENING_CHARS],
                         _lowercase_words(article.text))
    turns = []
    for label, end in zip(labels, ends):
        while end > label.text_start and article.text[end - 1].isspace():
            end -= 1
        speaker = REPORTER if label.question else speakers[label.label]
        turns.append(Turn(label.start, label.text_start, end, label.label, speaker,
                          label.question))
    return turns


def _labels(text: str) -> list[_Label]:
    found = []
    for match in LABEL.finditer(text):
        name = match["question"] or match["upper"] or match["mixed"]
        words = _label_words(name)
        if match["question"] is None and (name.lower().rstrip(".") in NOT_LABELS
                                          or not words):
            continue
        text_start = match.end()
        while text_start < len(text) and text[text_start] in " \t\u00a0:":
            text_start += 1
        if not SPOKEN.match(text, text_start):
            continue
        strong = match["question"] is None and _titled(words, bool(match["mixed"]))
        group = next(g for g in ("question", "upper", "mixed") if match[g])
        found.append(_Label(match.start(group), text_start, name,
                            match["question"] is not None, strong))
    counts = Counter(label.label for label in found)
    return [label for label in found if label.strong or label.question or counts[label.label] > 1]


def _titled(words: Sequence[str], mixed_case: bool) -> bool:
    """A label that says what its speaker is: "MS. PSAKI", "THE PRESIDENT", "MODERATOR",
    "Chairman Smith". In mixed case a title must come with a name: "Lady:" or "On Sudan:"
    opening a line is no label."""
    first = words[1] if words[0] == "the" and len(words) > 1 else words[0]
    if mixed_case:
        return len(words) > 1 and (first in HONORIFICS or first in TITLES)
    return first in HONORIFICS or (first in ROLE_WORDS and first not in FUNCTION_WORDS)


def _end_of_last(text: str, last: _Label) -> int:
    closing = END_LINE.search(text, last.text_start)
    return closing.start() if closing else len(text)


def _label_words(label: str) -> list[str]:
    return [w.strip(".").lower() for w in label.split() if w.strip(".")]


# --- names ---------------------------------------------------------------------------------


@dataclass
class _Person:
    surname: str
    first: list[str]


def _speakers(labels: Sequence[str], title: str, opening: str,
              lowercase: frozenset[str]) -> dict[str, str]:
    """Each distinct label → the name of its speaker in this article. Labels with one surname
    (or one a typo away) are one person, named as fully as any label, the title or the
    opening names them. `lowercase` holds the words the article writes in lower case, which
    are not names."""
    people: list[_Person] = []
    of_label: dict[str, _Person | str] = {}
    for label in dict.fromkeys(labels):
        name, role = _split_label(label)
        if label.lower() in ANSWER_LABELS:
            name, role = _interviewee(title), ["Interviewee"]
        if not name:
            name = _named_role(role, title, lowercase)
        if not name:
            of_label[label] = " ".join(w.strip(".").capitalize() for w in role
                                       if w.lower() != "the")
            continue
        surname = name[-1].strip(".")
        person = next((p for p in people if _same_surname(p.surname, surname)), None)
        if person is None:
            person = _Person(surname, [])
            people.append(person)
        if len(name) - 1 > len(person.first):
            person.first = [w.strip(".") for w in name[:-1]]
        of_label[label] = person
    sources = (title, opening)
    return {label: person if isinstance(person, str) else _full_name(person, sources, lowercase)
            for label, person in of_label.items()}


def _split_label(label: str) -> tuple[list[str], list[str]]:
    """(name words, role words): "SECRETARY OF DEFENSE JIM MATTIS" → (JIM MATTIS), (SECRETARY
    OF DEFENSE). After an honorific the last word is a surname even if it is also a title
    word ("MR. MAJOR")."""
    words = label.split()
    cut = len(words)
    while cut > 0 and len(words) - cut < MAX_NAME_WORDS and not _is_role_word(words[cut - 1]):
        cut -= 1
    if cut == len(words) and len(words) > 1 and words[0].strip(".").lower() in HONORIFICS:
        cut -= 1
    return words[cut:], words[:cut]


def _lowercase_words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\b[a-z][a-z'’-]+\b", text))


def _is_role_word(word: str) -> bool:
    return word.strip(".").lower() in ROLE_WORDS or word.strip(".").lower() in HONORIFICS


def _same_surname(known: str, new: str) -> bool:
    known, new = known.lower(), new.lower()
    return known == new or (min(len(known), len(new)) >= MIN_FUZZY_SURNAME
                            and Levenshtein.distance(known, new) <= 1)


def _named_role(role: Sequence[str], title: str, lowercase: frozenset[str]) -> list[str]:
    """"THE PRESIDENT" is Biden when the title says "President Biden"; other roles stay
    roles, never a guessed name."""
    phrase = " ".join(w.strip(".").lower() for w in role if w.lower() != "the")
    if phrase not in SINGLE_HOLDER_ROLES:
        return []
    named = {m[1] for m in re.finditer(rf"\b(?i:{re.escape(phrase)})\s+({NAME_WORD})", title)
             if _may_be_name(m[1], lowercase)}
    return [named.pop()] if len(named) == 1 else []


def _interviewee(title: str) -> list[str]:
    """Who answers the "A:" turns: the name in "Q&A with Vice President Joe Biden"."""
    found = re.search(rf"\bwith\s+((?:{NAME_WORD}\.?\s+){{0,4}}{NAME_WORD})", title)
    return _split_label(found[1])[0] if found else []


def _may_be_name(word: str, lowercase: frozenset[str]) -> bool:
    """A capitalised word the article never writes in lower case, and no title."""
    return not _is_role_word(word) and word.lower() not in lowercase


def _full_name(person: _Person, sources: Sequence[str], lowercase: frozenset[str]) -> str:
    """The surname as the text spells it ("McGurk", "O’Connell"), with the first name from the
    label, else from the first source that writes one before it ("Press Secretary Karine
    Jean-Pierre")."""
    surname = _spelling(person.surname, sources)
    first = " ".join(_spelling(w, sources) for w in person.first)
    for source in sources if not first else ():
        before = rf"\b({NAME_WORD})(?:\s+[A-Z]\.)?\s+{re.escape(surname)}\b"
        found = Counter(m[1] for m in re.finditer(before, source)
                        if _may_be_name(m[1], lowercase))
        if found:
            first = found.most_common(1)[0][0]
            break
    return f"{first} {surname}" if first else surname


def _spelling(word: str, sources: Sequence[str]) -> str:
    """How the text writes a label's word in mixed case, else its capitalised form."""
    for source in sources:
        for match in re.finditer(rf"\b{re.escape(word)}\b", source, re.IGNORECASE):
            if match[0][0].isupper() and not match[0].isupper():
                return match[0]
    return "-".join("’".join(p.capitalize() for p in part.split("’"))
                    for part in word.split("-"))


# --- sentences and quotes ------------------------------------------------------------------


def speak_sentences(sentences: Sequence[Sentence], turns: Sequence[Turn]) -> list[Sentence]:
    """Every sentence of a turn gets the turn's speaker; questions are marked as such."""
    starts = [turn.start for turn in turns]
    spoken = []
    for sentence in sentences:
        at = turn_at(turns, starts, sentence.start)
        spoken.append(sentence if at is None else replace(
            sentence, speaker=turns[at].speaker, question=turns[at].question))
    return spoken


def turn_quotes(article_id: str, turns: Sequence[Turn],
                sentences: Sequence[Sentence], text: str) -> list[Quote]:
    """Each answer turn as a direct quote of its speaker (cue "turn"); questions are not
    statements."""
    first_sentence = {}
    starts = [turn.start for turn in turns]
    for sentence in sentences:
        at = turn_at(turns, starts, sentence.start)
        if at is not None:
            first_sentence.setdefault(turns[at].start, sentence.index)
    return [Quote(article_id, turn.text_start, turn.end, text[turn.text_start:turn.end],
                  turn.speaker, turn.label, TURN_CUE, True, turn.start,
                  turn.start + len(turn.label), first_sentence.get(turn.start))
            for turn in turns if not turn.question and turn.end > turn.text_start]


def speakers_own_words(quotes: Sequence[Quote], turns: Sequence[Turn]) -> list[Quote]:
    """Quotes found inside turns: "as I said" is the turn's speaker; a quote of someone else
    ("As the President said, '…'") keeps whom it quotes."""
    starts = [turn.start for turn in turns]
    owned = []
    for quote in quotes:
        at = turn_at(turns, starts, quote.start)
        if at is not None and quote.speaker_mention.lower() in FIRST_PERSON:
            quote = replace(quote, speaker=turns[at].speaker)
        owned.append(quote)
    return owned


def parse_spans(text: str, turns: Sequence[Turn]) -> list[tuple[int, int]]:
    """The parts of a transcript the full parse must see: paragraphs of answer turns with a
    quote mark or a speech verb. Everything else needs only sentence splitting."""
    spans = []
    for turn in turns:
        if turn.question:
            continue
        for start, end in paragraph_spans(text[turn.text_start:turn.end]):
            low, high = turn.text_start + start, turn.text_start + end
            if QUOTE_MARK.search(text, low, high) or SPEECH_CUE.search(text, low, high):
                spans.append((low, high))
    return spans


def masked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` with everything outside `spans` blanked, offset for offset (line breaks kept):
    the parser's cost follows the words it is given, not the blanks."""
    pieces, done = [], 0
    for start, end in spans:
        pieces += [re.sub(r"[^\n]", " ", text[done:start]), text[start:end]]
        done = end
    pieces.append(re.sub(r"[^\n]", " ", text[done:]))
    return "".join(pieces)
