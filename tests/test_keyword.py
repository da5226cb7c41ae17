"""The segmented keyword index: updates add segments, removals never come back, and searching
segments together scores like one index over the same chunks."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from itertools import islice
from pathlib import Path

import pytest

from index.ingest import ingest
from index.store import keyword
from index.store.chroma import Store
from index.store.keyword import MAX_DEAD_SHARE, ChunkText, KeywordIndex
from tests.conftest import SHARED, news_rows

QUERIES = ["oil prices fall", "Chelsea win the league", "mobile phone sales",
           "government tax plans before the election", "film award ceremony"]


@pytest.fixture(scope="module")
def paragraphs() -> dict[str, ChunkText]:
    """Paragraphs of 300 real BBC articles, keyed like chunk ids; a paragraph with a quote
    mark gets one of four desk names as its speaker, by article number."""
    chunks = {}
    with open(SHARED / "data" / "bbc.jsonl", encoding="utf-8") as lines:
        for line in islice(lines, 300):
            record = json.loads(line)
            desk = (f"desk {int(record['id'].split('/')[1]) % 4}",)
            for n, text in enumerate(p for p in record["text"].split("\n\n") if p.strip()):
                chunks[f"{record['id']}:{n}"] = ChunkText(text, desk if '"' in text else ())
    return chunks


def fetcher(paragraphs: dict[str, ChunkText]) -> Callable[[Sequence[str]], list[ChunkText]]:
    return lambda wanted: [paragraphs[i] for i in wanted]


def grown(paragraphs: dict[str, ChunkText], steps: int) -> KeywordIndex:
    ids = list(paragraphs)
    index = KeywordIndex([], set(), "")
    for step in range(1, steps + 1):
        index = index.updated(ids[:len(ids) * step // steps], fetcher(paragraphs), str(step))
    return index


def test_one_text_is_split_as_bm25s_splits_many(paragraphs: dict[str, ChunkText]) -> None:
    texts = [c.text for c in islice(paragraphs.values(), 500)] + [
        "Don't — U.S.-led 3rd ÉCOLE naïve café's", "", "the a an", "Straße ǅ"]
    assert [keyword.tokenize([text])[0] for text in texts] == keyword.tokenize(texts)


def test_segments_score_like_one_index(paragraphs: dict[str, ChunkText]) -> None:
    whole = KeywordIndex.build(list(paragraphs), list(paragraphs.values()), "g")
    for steps in (2, 3):
        parts = grown(paragraphs, steps)
        assert sorted(parts.chunk_ids) == sorted(paragraphs)
        for query in QUERIES:
            expected = whole.search(query, 10)
            found = parts.search(query, 10)
            assert [round(s, 3) for _, s in found] == pytest.approx(
                [round(s, 3) for _, s in expected], rel=0.02), query
            assert parts.term_weights(query) == pytest.approx(whole.term_weights(query))


def test_segments_stay_few(paragraphs: dict[str, ChunkText]) -> None:
    index = grown(paragraphs, 12)
    assert len(index.segments) <= 4
    assert sum(len(s.chunk_ids) for s in index.segments) == len(paragraphs)


def test_removed_chunks_are_never_found(paragraphs: dict[str, ChunkText], tmp_path: Path) -> None:
    index = grown(paragraphs, 3)
    gone = set(list(paragraphs)[::10])
    live = [i for i in paragraphs if i not in gone]
    index = index.updated(live, fetcher(paragraphs), "removed")
    assert index.dead == gone or not index.dead
    index.save(tmp_path)
    loaded = KeywordIndex.load(tmp_path)
    assert loaded is not None and loaded.generation == "removed"
    for candidate in (index, loaded):
        assert sorted(candidate.chunk_ids) == sorted(live)
        for query in QUERIES:
            assert not {i for i, _ in candidate.search(query, 200)} & gone, query


def test_many_removals_rebuild_from_the_live_chunks(paragraphs: dict[str, ChunkText]) -> None:
    index = grown(paragraphs, 2)
    live = list(paragraphs)[:int(len(paragraphs) * (1 - 2 * MAX_DEAD_SHARE))]
    index = index.updated(live, fetcher(paragraphs), "small")
    assert not index.dead and len(index.segments) == 1
    assert sorted(index.chunk_ids) == sorted(live)


def test_a_chunk_of_stopwords_only_is_indexed_without_error(tmp_path: Path) -> None:
    texts = {"a:0": ChunkText("It is what it is."), "b:0": ChunkText("Oil prices fell.")}
    index = KeywordIndex.build(["a:0"], [texts["a:0"]], "g")
    index = index.updated(list(texts), fetcher(texts), "h")
    assert [i for i, _ in index.search("oil", 5)] == ["b:0"]
    index.save(tmp_path)
    assert KeywordIndex.load(tmp_path).search("oil", 5) == index.search("oil", 5)


def test_speaker_searches_see_only_live_chunks_of_that_speaker(
        paragraphs: dict[str, ChunkText], tmp_path: Path) -> None:
    gone = set(list(paragraphs)[::10])
    live = [i for i in paragraphs if i not in gone]
    index = grown(paragraphs, 3).updated(live, fetcher(paragraphs), "removed")
    index.save(tmp_path)
    loaded = KeywordIndex.load(tmp_path)
    desks = sorted({name for chunk in paragraphs.values() for name in chunk.speakers})
    assert len(desks) >= 3
    for candidate in (index, loaded):
        for desk in desks:
            spoken = {i for i in live if desk in paragraphs[i].speakers}
            assert set(candidate.quoting([desk])) == spoken
            for query in QUERIES:
                found = candidate.search(query, 10, speakers=[desk])
                expected = [hit for hit in candidate.search(query, len(live))
                            if hit[0] in spoken][:10]
                assert [i for i, _ in found] == [i for i, _ in expected], (desk, query)
        assert set(candidate.quoting(desks[:2])) == set(candidate.quoting(desks[:1])) | set(
            candidate.quoting(desks[1:2]))


def test_speakers_are_those_of_live_chunks(paragraphs: dict[str, ChunkText]) -> None:
    index = grown(paragraphs, 2)
    assert index.speakers == sorted({n for c in paragraphs.values() for n in c.speakers})
    first = index.speakers[0]
    live = [i for i, chunk in paragraphs.items() if first not in chunk.speakers]
    assert first not in index.updated(live, fetcher(paragraphs), "gone").speakers


def test_segments_never_outgrow_the_cap(paragraphs: dict[str, ChunkText],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Indexing a whole archive at once must not hold all its texts and tokens. Scores stay
    close, not equal: each segment normalises lengths by its own average, and 300-chunk
    segments vary more than real ones."""
    whole = KeywordIndex.build(list(paragraphs), list(paragraphs.values()), "g")
    monkeypatch.setattr(keyword, "MAX_SEGMENT_CHUNKS", 300)
    for index in (KeywordIndex.build(list(paragraphs), list(paragraphs.values()), "g"),
                  grown(paragraphs, 5)):
        assert max(len(s.chunk_ids) for s in index.segments) <= 300
        assert sorted(index.chunk_ids) == sorted(paragraphs)
        for query in QUERIES:
            assert [round(s, 3) for _, s in index.search(query, 10)] == pytest.approx(
                [round(s, 3) for _, s in whole.search(query, 10)], rel=0.05), query


def test_a_writer_follows_its_own_changes_without_listing_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing every chunk id took 14 s at 570k chunks; an ingest knows what it changed."""
    store = Store(tmp_path / "store")
    ingest([news_rows(4, tmp_path)], store)
    assert store.keyword.generation == store.generation

    def no_listing(*_: object) -> None:
        raise AssertionError("the keyword index listed the store's chunks")

    monkeypatch.setattr(store, "_pages", no_listing)
    assert ingest([news_rows(8, tmp_path)], store).articles == 4
    assert store.remove("news.csv#1")
    index = store.keyword
    monkeypatch.undo()
    assert sorted(index.chunk_ids) == sorted(store.chunks.get(include=[])["ids"])
    assert Store(store.path).keyword.chunk_ids == index.chunk_ids
