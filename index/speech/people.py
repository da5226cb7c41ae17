"""One person, one name across the store: "Psaki" in one transcript and "Jen Psaki" in another
are the same speaker, shown as "Jen Psaki".

Each article settles its own speakers at ingest; which of them are the same person across
articles is only known from the whole store, and changes as articles come and go, so it is
worked out when the store is read, never written into the articles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from index.speech.quotes import name_words
from index.speech.turns import ROLE_WORDS


def canonical_names(names: Iterable[str]) -> dict[str, str]:
    """Each name that is not its person's fullest name → that name. A bare surname joins the
    full name that has it only when one first name goes with that surname in the store; when
    two people share it (Joe and Hunter Biden) it stays as written. Roles ("Moderator",
    "Senior Administration Official") are never merged."""
    by_surname: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for name in names:
        words = name_words(name)
        if words and not all(w.lower() in ROLE_WORDS for w in words):
            by_surname[words[-1].lower()].append((name, words))
    aliases: dict[str, str] = {}
    for people in by_surname.values():
        full = [(name, words) for name, words in people if len(words) > 1]
        if len({words[0].lower() for _, words in full}) != 1:
            continue
        fullest = max((name for name, _ in full), key=lambda name: (len(name), name))
        aliases.update((name, fullest) for name, _ in people if name != fullest)
    return aliases
