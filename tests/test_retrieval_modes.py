"""Retrieval modes (`BRIEFING_RETRIEVAL`) and the optional on-disk cross-encoder rerank."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.store.chroma import Store
from index.vectors.weights import resolve_model_path
from qa import ask
from qa.api import matching_speakers, search
from qa.parse import parse_question
from qa.rerank import RERANK_DEPTH, load_reranker
from qa.retrieve import Filters, retrieve

QUESTION = "How much territory has the coalition retaken?"


def store_with(store: Store, **settings: str) -> Store:
    """A second handle on the same store directory, with other settings."""
    return Store(store.path, replace(store.settings, **settings))


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
def test_every_mode_answers_the_territory_question(seed_store: Store, mode: str) -> None:
    answer = ask(QUESTION, store=store_with(seed_store, retrieval=mode))
    assert "55 per cent" in answer.text


def test_unknown_mode_is_a_clear_error(seed_store: Store) -> None:
    with pytest.raises(ValueError, match="BRIEFING_RETRIEVAL='fuzzy'"):
        ask(QUESTION, store=store_with(seed_store, retrieval="fuzzy"))


@pytest.fixture(scope="module")
def cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cross-encoder on local disk: MiniLM's encoder with a fresh scoring head. Untrained, so
    it proves the plumbing (order follows the model), not ranking quality."""
    import torch
    from sentence_transformers import CrossEncoder

    folder = tmp_path_factory.mktemp("cross-encoder")
    torch.manual_seed(0)
    CrossEncoder(resolve_model_path(""), num_labels=1, local_files_only=True,
                 device="cpu").save(str(folder))
    return folder


def test_passages_follow_the_cross_encoder(seed_store: Store, cross_encoder: Path) -> None:
    reranked = store_with(seed_store, reranker=str(cross_encoder))
    passages = search(reranked, parse_question(QUESTION), k=8).passages
    articles = seed_store.get_articles([p.article_id for p in passages])
    texts = [articles[p.article_id].article.text[p.start:p.end] for p in passages]
    scores = load_reranker(str(cross_encoder)).predict(
        [(parse_question(QUESTION).topic, t) for t in texts], show_progress_bar=False)
    assert len(passages) <= RERANK_DEPTH
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert list(scores) == pytest.approx([p.score for p in passages], abs=1e-4)
    cited = ask(QUESTION, store=reranked, k=8).citations
    assert all(any(p.article_id == c.article_id and p.start < c.end and c.start < p.end
                   for p in passages) for c in cited), "ask cites only the reranked passages"


def test_missing_reranker_is_a_clear_error(seed_store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="never downloaded"):
        ask(QUESTION, store=store_with(seed_store, reranker=str(tmp_path / "nothing")))


@pytest.mark.parametrize("rescored", [1, 10_000])
def test_speaker_search_is_the_same_from_signs_or_exact(
        seed_store: Store, monkeypatch: pytest.MonkeyPatch, rescored: int) -> None:
    """A speaker's chunks are picked by their vectors' signs, then ranked exactly: the
    passages are those of ranking all of them exactly, of theirs only."""
    speakers = matching_speakers(seed_store, "Dunford")
    query_vector = seed_store.embedder.encode(["revenue"])[0]
    expected = retrieve(seed_store, "revenue", query_vector, speakers=speakers)
    monkeypatch.setattr("qa.retrieve.RESCORED", rescored)
    found = retrieve(seed_store, "revenue", query_vector, speakers=speakers)
    assert [p.chunk_id for p in found] == [p.chunk_id for p in expected]
    quoting = set(seed_store.keyword.quoting(speakers))
    assert found and {p.chunk_id for p in found} <= quoting


def test_a_sentence_vector_is_the_same_whatever_is_weighed_beside_it(seed_store: Store) -> None:
    """A question embeds its few sentences one at a time: none is padded to a longer one's
    width, so no answer follows what else it weighed."""
    article = seed_store.get_articles(["isis-briefing.txt"])["isis-briefing.txt"]
    by_length = sorted(range(len(article.sentences)),
                       key=lambda n: article.sentences[n].end - article.sentences[n].start)
    shortest, longest = by_length[0], by_length[-1]
    alone = seed_store.sentence_vectors([(article, shortest)])
    beside = seed_store.sentence_vectors([(article, longest), (article, shortest)])
    assert np.array_equal(alone[0], beside[1])


def test_the_signs_find_the_nearest_chunks(seed_store: Store) -> None:
    """Of every chunk, the few the signs put nearest hold the truly nearest."""
    vector = seed_store.embedder.encode(["How much revenue did the Taliban raise?"])[0]
    every = seed_store.chunks.get(include=["embeddings"])
    truly = every["ids"][int(np.argmax(np.asarray(every["embeddings"]) @ vector))]
    assert truly in seed_store.keyword.nearest(vector, 5, None)


def test_speaker_and_source_filters_combine(seed_store: Store) -> None:
    speakers = matching_speakers(seed_store, "Dunford")
    query_vector = seed_store.embedder.encode(["revenue"])[0]
    assert retrieve(seed_store, "revenue", query_vector, speakers=speakers,
                    filters=Filters(source="no such source")) == []
    assert not ask("What did Dunford say about revenue?", store=seed_store,
                   filters={"source": "no such source"}).citations
