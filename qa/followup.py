"""Follow-up questions ("and what about Syria?", "what else did he say?") read against the
previous turn of the conversation."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from qa.answer import Answer
from qa.parse import ParsedQuestion, parse_question

CONTINUATION = re.compile(
    r"^\W*(?:and\s+)?(?:what|how)\s+about\s+|^\W*and\s+|^\W*(?:also|then)\s+", re.IGNORECASE)
MORE_OF_THE_SAME = re.compile(
    r"\b(?:what|anything|something)\s+else\b|\btell me more\b|\bmore on (?:that|this|it)\b",
    re.IGNORECASE)
PRONOUN = re.compile(r"\b(?:he|she|him|her|his|they|them)\b", re.IGNORECASE)
FILLER = re.compile(r"\b(?:did|does|do|has|have|say|said|says|tell|me|more|else|what|anything|"
                    r"he|she|they|him|her|his|them|about|on|the|that|this|it)\b|[^\w\s]",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    question: str
    cited: frozenset[tuple[str, int, int]]


def turns(history: Sequence[Any] | None) -> list[Turn]:
    """Previous turns from any of the shapes callers hold: `Answer`s, their dicts, plain
    question strings, (question, answer) pairs, or chat messages with a role."""
    found: list[Turn] = []
    for item in history or []:
        if isinstance(item, Answer):
            item = item.to_dict()
        if isinstance(item, str):
            found.append(Turn(item, frozenset()))
        elif isinstance(item, dict) and "question" in item:
            cited = frozenset((c["article_id"], c["start"], c["end"])
                              for c in item.get("citations") or [])
            found.append(Turn(str(item["question"]), cited))
        elif isinstance(item, dict) and item.get("role") == "user":
            found.append(Turn(str(item.get("content", "")), frozenset()))
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            found.append(Turn(item[0], frozenset()))
    return found


def resolve(parsed: ParsedQuestion, history: Sequence[Any] | None) -> tuple[ParsedQuestion,
                                                                            frozenset]:
    """The question with speaker and topic filled in from the last turn where it leans on it,
    and the passages already cited when the user asks for more of the same."""
    previous_turns = turns(history)
    if not previous_turns:
        return parsed, frozenset()
    last = previous_turns[-1]
    previous = parse_question(last.question)
    question = parsed.question
    wants_more = bool(MORE_OF_THE_SAME.search(question))
    continues = bool(CONTINUATION.match(question)) or wants_more
    leans = bool(PRONOUN.search(question)) and parsed.speaker is None
    if not (continues or leans):
        return parsed, frozenset()
    speaker = parsed.speaker or previous.speaker
    new_words = FILLER.sub(" ", CONTINUATION.sub("", parsed.topic)).split()
    if wants_more or not new_words:
        topic = previous.topic if not new_words else " ".join(new_words)
    elif parsed.speaker is None and previous.speaker is None:
        topic = f"{previous.topic} {' '.join(new_words)}"
    else:
        topic = " ".join(new_words)
    resolved = replace(parsed, speaker=speaker, topic=topic)
    return resolved, last.cited if wants_more else frozenset()
