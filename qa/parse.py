"""Question understanding: who the question is about and what to search for.

Rule-based so it costs microseconds: a handful of question frames ("what did X say about Y",
"X's remarks on Y", "who said Y") as regular expressions. spaCy is only consulted for the bare
"X on Y" frame, and only when X is a single capitalised word that may not be a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from index.speech.quotes import NON_PERSON_LABELS, load_nlp, name_words

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
# A same-surname speaker with another first name is another person ("Eric Trump").
OTHER_FIRST_NAME = 0.3


@dataclass(frozen=True)
class ParsedQuestion:
    question: str  # as asked
    topic: str  # what to search for: the question without its speaker frame
    speaker: str | None  # the name asked about, titles cut ("Gen. Dunford" → "Dunford")
    asks_who: bool  # "who said …?": the answer is a speaker

    @property
    def about_words(self) -> bool:
        """"Who talked about …?", "What did X say about …?": the topic is words someone used,
        so holding them side by side is evidence; a quiz-style question words it its own way."""
        return self.asks_who or self.speaker is not None

    @property
    def about_questions(self) -> bool:
        """"What was Psaki asked about …?": reporters' questions may answer it."""
        return ASKED.search(self.question) is not None


def parse_question(question: str) -> ParsedQuestion:
    """The speaker frame is cut off the question; what is left is the topic to search for."""
    asked = question.strip()
    who = WHO_FRAME.match(asked)
    if who:
        return ParsedQuestion(question, _clean(who["topic"]) or _clean(asked), None, True)
    for frame in SPEAKER_FRAMES:
        found = frame.match(asked)
        if found:
            return _with_speaker(question, found["speaker"], found["topic"],
                                 found.groupdict().get("frame"))
    bare = BARE_FRAME.match(asked)
    if bare and _clearly_a_name(bare["speaker"]):
        return _with_speaker(question, bare["speaker"], bare["topic"])
    return ParsedQuestion(question, _clean(asked), None, False)


def _with_speaker(question: str, phrase: str, topic: str,
                  frame: str | None = None) -> ParsedQuestion:
    """A role or pronoun is not a name to filter on: it goes back into the topic, or is dropped.
    A frame word that says what is sought ("objective", "wants") is part of the topic; "said"
    is not."""
    name = _speaker_name(phrase)
    if frame:
        topic = f"{frame} {topic}"
    if name is None and phrase.strip().lower() not in PRONOUNS:
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
