"""The pipeline's attribute ruler (coarse part of speech and morphology from the tagger's tags,
with its word exceptions) applied by dictionary lookup instead of spaCy's Matcher.

The ruler of `en_core_web_sm` holds 179 patterns, and the Matcher tries every one at every
token: 6.9 ms of a news article's 44 ms parse. 165 of them match one token by its tag, its
lower-case form or its dependency label, so a lookup on (lower, tag, dep) finds them; only the
14 that read a regular expression, whitespace, an exclusion list or two tokens still go through
a Matcher (1.6 ms in all). Attributes are set as the ruler sets them — every matching pattern
in the order it was added, later ones winning — so the tokens come out the same
(tests/test_attribute_ruler.py compares them)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

# A one-token pattern on these, each a word or {"IN": [words]}, is looked up, not matched.
LOOKUP_KEYS = ("LOWER", "TAG", "DEP")
FACTORY = "tag_attribute_lookup"

Key = tuple[str | None, str | None, str | None]  # (lower, tag, dep); None matches any


class TagAttributeLookup:
    """Callable pipeline component built from a trained `AttributeRuler`."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.attrs: list[dict[int, Any]] = list(ruler.attrs)
        self.indices: list[int] = list(ruler.indices)
        self.rules_of: dict[Key, list[int]] = {}
        self.matcher = Matcher(ruler.vocab)
        for rule, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                keys = _lookup_keys(pattern)
                if keys is None:
                    self.matcher.add(str(rule), [pattern])
                for key in keys or ():
                    self.rules_of.setdefault(key, []).append(rule)
        self.words = {key[0] for key in self.rules_of} - {None}
        self.deps = {key[2] for key in self.rules_of} - {None}
        self.merged: dict[tuple[Key, tuple[int, ...]], dict[int, Any]] = {}

    def __call__(self, doc: Doc) -> Doc:
        matched: dict[int, list[int]] = {}
        for match_id, start, end in self.matcher(doc, allow_missing=True):
            rule = int(doc.vocab.strings[match_id])
            token = doc[start:end][self.indices[rule]].i
            matched.setdefault(token, []).append(rule)
        for token in doc:
            lower, dep = token.lower_, token.dep_
            key = (lower if lower in self.words else None, token.tag_,
                   dep if dep in self.deps else None)
            attrs = self._attributes(key, tuple(matched.get(token.i, ())))
            if attrs:
                set_token_attrs(token, attrs)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def _attributes(self, key: Key, matched: tuple[int, ...]) -> dict[int, Any]:
        """Every rule fitting the token merged in the ruler's order. The key holds a word or
        a dependency label only when some rule names it, so what is remembered stays small."""
        if (key, matched) not in self.merged:
            rules = set(matched)
            for fitting in product(*((None, value) if value else (None,) for value in key)):
                rules.update(self.rules_of.get(fitting, ()))
            merged: dict[int, Any] = {}
            for rule in sorted(rules):
                merged.update(self.attrs[rule])
            self.merged[key, matched] = merged
        return self.merged[key, matched]


def _lookup_keys(pattern: list[dict[str, Any]]) -> list[Key] | None:
    """Every (lower, tag, dep) a one-token pattern on plain values and "IN" lists of those
    attributes fits, or None for any other pattern."""
    if len(pattern) != 1 or not pattern[0] or not set(pattern[0]) <= set(LOOKUP_KEYS):
        return None
    choices: list[list[str | None]] = []
    for name in LOOKUP_KEYS:
        value = pattern[0].get(name)
        if isinstance(value, dict) and set(value) == {"IN"}:
            choices.append(list(value["IN"]))
        elif value is None or isinstance(value, str):
            choices.append([value])
        else:
            return None
    return [(lower, tag, dep) for lower, tag, dep in product(*choices)]


@Language.factory(FACTORY)
def _make_lookup(nlp: Language, name: str) -> TagAttributeLookup:
    return TagAttributeLookup(nlp.get_pipe("attribute_ruler"))


def use_lookup(nlp: Language) -> Language:
    """The pipeline with its attribute ruler swapped for the lookup, under the same name."""
    if "attribute_ruler" not in nlp.pipe_names:
        return nlp
    nlp.add_pipe(FACTORY, name="attribute_lookup", after="attribute_ruler")
    nlp.remove_pipe("attribute_ruler")
    nlp.rename_pipe("attribute_lookup", "attribute_ruler")
    return nlp
