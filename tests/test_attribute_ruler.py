"""The attribute ruler as lookups gives every token what spaCy's own ruler gives it."""

from __future__ import annotations

import json
from itertools import islice

from index.speech.attribute_ruler import TagAttributeLookup
from index.speech.quotes import load_nlp, spacy_model
from tests.conftest import SHARED


def real_texts() -> list[str]:
    """BBC news, a Kaggle news summary set's full texts and a White House transcript: news
    prose, quotes and spoken English ("gonna", "y'all", "ain't")."""
    with open(SHARED / "data" / "bbc.jsonl", encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in islice(lines, 0, 2225, 45)]
    transcript = sorted((SHARED / "data" / "transcripts").glob("*.md"))[0]
    return [*texts, transcript.read_text(encoding="utf-8")[:60_000]]


def token_attributes(nlp_docs: list) -> list[tuple[str, ...]]:
    return [(t.text, t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_)
            for doc in nlp_docs for t in doc]


def test_lookup_sets_what_the_ruler_sets() -> None:
    texts = real_texts()
    reference = spacy_model(disable=["lemmatizer", "ner"])
    with load_nlp().select_pipes(disable=["ner"]):
        ours = list(load_nlp().pipe(texts))
    assert isinstance(load_nlp().get_pipe("attribute_ruler"), TagAttributeLookup)
    expected = token_attributes(list(reference.pipe(texts)))
    assert len(expected) > 20_000
    assert token_attributes(ours) == expected
