"""Question understanding: who the question is about, what to search for, when, and what
kind of answer it wants.

Rule-based so it costs microseconds: a handful of question frames ("what did X say about Y",
"X's remarks on Y", "who said Y") as regular expressions. spaCy is only consulted for the bare
"X on Y" frame, and only when X is a single capitalised word that may not be a name. Date
words become a window first (`qa.dates`); then the frames of questions about time ("when did X
first mention Y", "how has what X said about Y changed", "what was asked at the … briefing")
and comparisons ("compare what X and Z said about Y") say the kind of answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from rapidfuzz import fuzz

from index.speech.quotes import NON_PERSON_LABELS, load_nlp, name_words
from qa.dates import DateWindow, as_day, find_dates

# Verbs that only say someone spoke…
SAY = (r"say|says|said|saying|tell|tells|told|think|thinks|thought|claim|claims|claimed|"
       r"mean|meant|write|writes|wrote|tweet|tweets|tweeted|argue|argued|state|stated|comment|"
       r"commented|remark|remarked|believe|believes|believed|report|reported|add|added|note|"
       r"noted|feel|feels|felt|talk|talks|talked|speak|speaks|spoke|discuss|discusses|"
       r"discussed|mention|mentions|mentioned|ask|asked|stress|stressed|emphasi[sz]e|"
       r"emphasi[sz]ed|insist|insisted")
# …and verbs that also say what kind of thing was said: part of what to search for.
SPEECH_ACTS = (r"announce|announced|predict|predicted|promise|promised|warn|warned|suggest|"
               r"suggested|reveal|revealed|admit|admitted|raise|raised|pledge|pledged|vow|vowed|"
               r"threaten|threatened|propose|proposed|demand|demanded|urge|urged|call\s+for|"
               r"called\s+for|concede|conceded|acknowledge|acknowledged|deny|denied|confirm|"
               r"confirmed|recommend|recommended|criticise|criticised|criticize|criticized|"
               r"praise|praised|blame|blamed|forecast|forecasts")
SPEECH = f"{SAY}|{SPEECH_ACTS}"
# What someone is after rather than what they said: "what does X want Congress to do".
INTENT = (r"want|wants|wanted|plan|plans|planned|hope|hopes|hoped|intend|intends|intended|"
          r"aim|aims|aimed|expect|expects|expected|seek|seeks|sought|need|needs|needed|"
          r"prefer|prefers|preferred|favou?r|favou?rs|favou?red|oppose|opposes|opposed|"
          r"support|supports|supported|push\s+for|pushed\s+for|mean\s+by|meant\s+by")
DESCRIBE = (r"describe|describes|described|characteri[sz]e|characteri[sz]ed|explain|explained|"
            r"view|views|viewed|see|sees|saw|assess|assessed|react to|reacted to|respond to|"
            r"responded to|justify|justified|defend|defended|call|called")
REMARKS = (r"comments?|remarks?|views?|statements?|words|position|stance|take|thoughts|opinions?|"
           r"quotes?|claims?|response|reaction|answer|messages?|arguments?|case|points?|"
           r"assessment|verdict|explanation|description")
# What someone is after, as a noun: part of what to search for ("Dunford's objective").
AIMS = (r"objectives?|goals?|aims?|plans?|intentions?|priorit(?:y|ies)|concerns?|proposals?|"
        r"promises?|pledges?|warnings?|demands?|advice|recommendations?|predictions?|hopes?|"
        r"strategy|approach|policy|vision|agenda")
ABOUT = r"about|on|of|regarding|concerning|over|towards?"
SPEAKER = r"(?P<speaker>[^?,]{1,60}?)"
TOPIC = r"(?P<topic>.*?)"
END = r"\s*[?.!]*\s*$"

# Frames that name a speaker; the first that matches wins.
SPEAKER_FRAMES = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (
    rf"^(?:what|which\s+\w+)\s+(?:did|does|do|has|have|had|is|was|would)\s+{SPEAKER}\s+"
    rf"(?:{SAY}|(?P<frame>{SPEECH_ACTS}))\b(?:\s+(?:{ABOUT})\b)?\s*{TOPIC}{END}",
    rf"^(?:what|which\s+\w+)\s+(?:did|does|do|has|have|had|is|was|would)\s+{SPEAKER}\s+"
    rf"(?P<frame>{INTENT})\b(?:\s+(?:to\s+(?:do|happen|see)|{ABOUT}|for|from|with))?\b\s*"
    rf"{TOPIC}{END}",
    rf"^how\s+(?:did|does|do|has|have|had|would|will)\s+{SPEAKER}\s+(?:{DESCRIBE})\b\s*"
    rf"{TOPIC}{END}",
    rf"^(?:what\s+(?:are|were|is|was)\s+)?{SPEAKER}['’]s?\s+(?:{REMARKS}|(?P<frame>{AIMS}))(?:\s+(?:{ABOUT}|for|"
    rf"in|with|regarding)\b)?\s*{TOPIC}{END}",
    rf"^according\s+to\s+{SPEAKER}\s*,\s*{TOPIC}{END}",
    rf"^(?:did|does|has|had|is|was)\s+{SPEAKER}\s+(?:{SPEECH})\b(?:\s+(?:that|{ABOUT})\b)?\s*"
    rf"{TOPIC}{END}",
))
WHO_FRAME = re.compile(
    rf"^(?:who|which\s+\w+)\s+(?:(?:has|had|have|was|is)\s+)?(?:(?:been\s+)?quoted\s+as\s+)?"
    rf"(?:{SPEECH}|{DESCRIBE}|saying)\b(?:\s+(?:that|{ABOUT})\b)?\s*{TOPIC}{END}",
    re.IGNORECASE,
)
BARE_FRAME = re.compile(rf"^{SPEAKER}\s+on\s+{TOPIC}{END}")
CAPITALISED_NAME = re.compile(r"^(?:[A-Z][\w'’.-]*\s+)*[A-Z][\w'’-]*$")
PRONOUNS = frozenset({"he", "she", "they", "it", "him", "her", "them", "we", "i", "you"})
ARTICLES = frozenset({"the", "a", "an", "this", "that"})
QUESTION_WORDS = frozenset({"what", "who", "how", "why", "when", "where", "which", "is", "are",
                            "does", "did", "do"})
ASKED = re.compile(r"\b(?:asked|reporters?|journalists?)\b", re.IGNORECASE)

# The kinds of answer a question can want.
ASK, FIRST, LAST, TIMELINE, DIGEST, COMPARE = (
    "ask", "first", "last", "timeline", "digest", "compare")
MENTION = (r"(?:mention(?:ed|s)?|say|said|talk(?:ed)?\s+(?:about|of)|spoken?\s+(?:about|of)|"
           r"spoke\s+(?:about|of)|raise[sd]?|br(?:ing|ought)\s+up|discuss(?:ed)?|"
           r"address(?:ed)?|comment(?:ed)?\s+on|refer(?:red)?\s+to|use[sd]?)")
EDGE = r"(?P<edge>first|last|most\s+recently|initially|earliest|latest)"
EDGE_FRAMES = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (
    rf"^when\s+(?:did|does|has|had|was|were)\s+{SPEAKER}\s+{EDGE}\s+{MENTION}\b\s*{TOPIC}{END}",
    rf"^when\s+(?:did|has|had)\s+{SPEAKER}\s+(?P<edge>start|begin|stop)\s+"
    rf"(?:talking|speaking)\s+(?:about|of)\s+{TOPIC}{END}",
    rf"^what\s+(?:did|has|had)\s+{SPEAKER}\s+{EDGE}\s+(?:{SAY})\b(?:\s+(?:{ABOUT})\b)?\s*"
    rf"{TOPIC}{END}",
    rf"^(?:when\s+was\s+|what\s+was\s+)?the\s+{EDGE}\s+time\s+{SPEAKER}\s+{MENTION}\b\s*"
    rf"{TOPIC}{END}",
))
# "When was the debt ceiling first raised (by Psaki)?": the topic comes first.
EDGE_PASSIVE = re.compile(
    rf"^when\s+(?:was|were|did|has|had)\s+{TOPIC}\s+{EDGE}\s+(?:(?:been|get|come|came)\s+)?"
    rf"(?:mentioned|raised|discussed|brought\s+up|talked\s+about|addressed|up|asked\s+about|"
    rf"come\s+up|came\s+up)(?:\s+by\s+{SPEAKER})?{END}", re.IGNORECASE)
EDGE_WORDS = {"first": FIRST, "initially": FIRST, "earliest": FIRST, "start": FIRST,
              "begin": FIRST, "last": LAST, "latest": LAST, "stop": LAST}
CHANGED = r"(?:changed|evolved|shifted|developed|moved|varied)"
TIMELINE_FRAMES = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (
    rf"^how\s+(?:has|have|did)\s+what\s+{SPEAKER}\s+(?:has\s+|have\s+)?(?:{SAY})\b"
    rf"(?:\s+(?:{ABOUT})\b)?\s*{TOPIC}\s+{CHANGED}(?:\s+over\s+time)?{END}",
    rf"^(?:trace|track|follow|chart|show(?:\s+me)?)\s+(?:what|how)\s+{SPEAKER}\s+"
    rf"(?:has\s+|have\s+)?(?:{SAY}|{DESCRIBE}|spoken)\b(?:\s+(?:{ABOUT})\b)?\s*{TOPIC}"
    rf"(?:\s+over\s+time)?{END}",
    rf"^how\s+(?:has|have|did)\s+{SPEAKER}['’]s?\s+(?:{REMARKS}|tone|language|messag(?:e|ing)|"
    rf"rhetoric|thinking|framing|line)\s+(?:{ABOUT})\s+{TOPIC}\s+{CHANGED}"
    rf"(?:\s+over\s+time)?{END}",
))
# "… over time": the rest of the question says whose words and what about.
OVER_TIME = re.compile(r"^(?P<rest>.+?)\s+(?:over|through|across)\s+(?:time|the\s+years)\s*"
                       r"[?.!]*\s*$", re.IGNORECASE)
TIMELINE_OF = re.compile(r"^(?:a\s+|the\s+)?timeline\s+(?:of|for|on)\s+(?P<rest>.+)$",
                         re.IGNORECASE)
NAME = r"(?P<{}>[^?,]{{1,40}}?)"
COMPARE_FRAMES = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (
    rf"^compare\s+(?:what\s+)?{NAME.format('a')}(?:['’]s?)?\s+(?:and|with|to|vs\.?|versus)\s+"
    rf"{NAME.format('b')}(?:['’]s?)?\s+(?:(?:have|has|had)\s+)?(?:(?:{SAY}|{REMARKS})\s+)?"
    rf"(?:{ABOUT})\s+{TOPIC}{END}",
    rf"^how\s+(?:did|do|does|have)\s+{NAME.format('a')}\s+and\s+{NAME.format('b')}\s+"
    rf"(?:differ|compare|disagree|agree)\s+(?:{ABOUT})\s+{TOPIC}{END}",
    rf"^what\s+(?:did|do|have|has)\s+{NAME.format('a')}\s+and\s+{NAME.format('b')}\s+"
    rf"(?:each\s+)?(?:{SAY})\b(?:\s+(?:{ABOUT})\b)?\s*{TOPIC}{END}",
))
# A day's briefing: once the date is out, nothing but these words is left.
DIGEST_WORDS = re.compile(
    r"\b(?:what|was|were|is|are|did|do|the|a|an|at|in|on|of|from|during|for|to|me|give|"
    r"reporters?|journalists?|press|ask(?:ed|s)?|questions?|discussed|covered|said|happened|"
    r"summari[sz]e|summary|recap|digest|overview|briefings?|gaggles?|calls?|conference|"
    r"whole|day['’]?s?|about|topics?|raised|there|latest|last|most|recent)\b|[^\w\s]",
    re.IGNORECASE)
# What a question may call a day's transcript.
EVENTS = re.compile(r"\b(briefing|gaggle|call|conference|remarks|interview|statement)s?\b",
                    re.IGNORECASE)
LATEST = re.compile(r"\b(?:latest|last|most\s+recent)\b", re.IGNORECASE)
# A same-surname speaker with another first name is another person ("Eric Trump").
OTHER_FIRST_NAME = 0.3


@dataclass(frozen=True)
class ParsedQuestion:
    question: str  # as asked
    topic: str  # what to search for: the question without its speaker frame
    speaker: str | None  # the name asked about, titles cut ("Gen. Dunford" → "Dunford")
    asks_who: bool  # "who said …?": the answer is a speaker
    kind: str = ASK  # the answer wanted: ASK, FIRST, LAST, TIMELINE, DIGEST or COMPARE
    window: DateWindow | None = None  # the days its date words name
    others: tuple[str, ...] = ()  # COMPARE: the names beside `speaker`

    @property
    def about_words(self) -> bool:
        """"Who talked about …?", "What did X say about …?": the topic is words someone used,
        so holding them side by side is evidence; a quiz-style question words it its own way."""
        return self.asks_who or self.speaker is not None

    @property
    def about_questions(self) -> bool:
        """"What was Psaki asked about …?": reporters' questions may answer it."""
        return ASKED.search(self.question) is not None



def parse_question(question: str, today: date | str | None = None) -> ParsedQuestion:
    """Date words out first (a window on the day `today`, the real today when None), then
    the kind of answer wanted, then the speaker frame; what is left is the topic. A day's
    briefing is one day's: "what was asked in March 2024?" asks what reporters asked."""
    dated = find_dates(question.strip(), as_day(today))
    parsed = _parse_kind(question, dated.question)
    if parsed.kind == DIGEST and dated.window and not dated.window.is_day:
        parsed = _parse_frames(question, dated.question)
    return replace(parsed, window=dated.window) if dated.window else parsed


def _parse_kind(question: str, asked: str) -> ParsedQuestion:
    """`asked` is the question without its date words."""
    if not DIGEST_WORDS.sub(" ", asked).strip() and (
            EVENTS.search(asked) or dated_words(question, asked)):
        return ParsedQuestion(question, "", None, False, DIGEST)
    for frame in EDGE_FRAMES:
        found = frame.match(asked)
        if found and _clean(found["topic"]):
            return _edge(_with_speaker(question, found["speaker"], found["topic"],
                                       keep_role=False), found["edge"])
    found = EDGE_PASSIVE.match(asked)
    if found:
        parsed = _with_speaker(question, found["speaker"] or "", found["topic"], keep_role=False)
        return _edge(parsed, found["edge"])
    for frame in TIMELINE_FRAMES:
        found = frame.match(asked)
        if found:
            return replace(_with_speaker(question, found["speaker"], found["topic"],
                                         keep_role=False), kind=TIMELINE)
    inner = OVER_TIME.match(asked) or TIMELINE_OF.match(asked)
    if inner:
        parsed = _parse_frames(question, inner["rest"], keep_role=False)
        return replace(parsed, kind=TIMELINE, asks_who=False)
    for frame in COMPARE_FRAMES:
        found = frame.match(asked)
        if found:
            first, second = _speaker_name(found["a"]), _speaker_name(found["b"])
            if first and second:
                return ParsedQuestion(question, _clean(found["topic"]), first, False, COMPARE,
                                      others=(second,))
    return _parse_frames(question, asked)


def dated_words(question: str, asked: str) -> bool:
    """Whether date words were taken out of the question: "Summarize March 5, 2024"."""
    return question.strip() != asked


def _edge(parsed: ParsedQuestion, edge: str) -> ParsedQuestion:
    word = edge.split()[0].lower()
    kind = EDGE_WORDS.get(word, LAST if word == "most" else FIRST)
    return replace(parsed, kind=kind)


def _parse_frames(question: str, asked: str, keep_role: bool = True) -> ParsedQuestion:
    """Who and what, from the frames of questions about someone's words."""
    asked = asked.strip()
    who = WHO_FRAME.match(asked)
    if who:
        return ParsedQuestion(question, _clean(who["topic"]) or _clean(asked), None, True)
    for frame in SPEAKER_FRAMES:
        found = frame.match(asked)
        if found:
            return _with_speaker(question, found["speaker"], found["topic"],
                                 found.groupdict().get("frame"), keep_role)
    bare = BARE_FRAME.match(asked)
    if bare and _clearly_a_name(bare["speaker"]):
        return _with_speaker(question, bare["speaker"], bare["topic"])
    return ParsedQuestion(question, _clean(asked), None, False)


def _with_speaker(question: str, phrase: str, topic: str,
                  frame: str | None = None, keep_role: bool = True) -> ParsedQuestion:
    """A role or pronoun is not a name to filter on: it goes back into the topic (unless not
    `keep_role`: "when did the press secretary first mention …" looks for the topic alone),
    or is dropped. A frame word that says what is sought ("objective", "wants") is part of
    the topic; "said" is not."""
    name = _speaker_name(phrase)
    if frame:
        topic = f"{frame} {topic}"
    if name is None and keep_role and phrase.strip().lower() not in PRONOUNS:
        topic = f"{phrase.strip()} {topic}"
    return ParsedQuestion(question, _clean(topic), name, False)


def _speaker_name(phrase: str) -> str | None:
    words = phrase.split()
    if not words or words[0].lower() in ARTICLES or phrase.strip().lower() in PRONOUNS:
        return None
    name = name_words(phrase)
    return " ".join(name) if name else None


def _clearly_a_name(phrase: str) -> bool:
    """ "Joseph Dunford on …" or "Gen. Dunford on …" are names; "Sanctions on …" asks the tagger."""
    phrase = phrase.strip()
    words = phrase.split()
    if not CAPITALISED_NAME.match(phrase) or words[0].lower() in QUESTION_WORDS:
        return False
    if len(words) > 1 or len(name_words(phrase)) < len(words):
        return True
    word = load_nlp()(f"{phrase} said.")[0]
    return word.pos_ == "PROPN" and word.ent_type_ not in NON_PERSON_LABELS


def _clean(text: str) -> str:
    return text.strip().rstrip("?.!").strip()


def speaker_match(query_name: str, speaker: str | None) -> float:
    """How surely `speaker` is the person asked for: surnames decide, spelling slips are forgiven,
    and a different first name on the same surname means a relative, not a match."""
    if not speaker:
        return 0.0
    asked = [w.lower() for w in name_words(query_name)]
    known = [w.lower() for w in name_words(speaker)]
    if not asked or not known:
        return 0.0
    surname = fuzz.ratio(asked[-1], known[-1]) / 100
    if len(asked) == 1 and len(known) > 1 and asked[0] == known[0]:
        return max(surname, 0.9)
    if len(asked) > 1 and len(known) > 1 and not _same_first_name(asked[0], known[0]):
        return min(surname, OTHER_FIRST_NAME)
    return surname


def _same_first_name(asked: str, known: str) -> bool:
    """An initial ("J.") fits any first name that starts with it."""
    return asked == known or (len(asked) == 1 and known.startswith(asked))
