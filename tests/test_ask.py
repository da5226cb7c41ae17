"""Cited answers on the reference briefing, through the same `ask` the CLI and UI use."""

from __future__ import annotations

import json

from index.store.chroma import Store
from qa import Answer, BriefingRetriever, ask, make_chain
from tests.test_ingest import run_cli

SEED_ID = "isis-briefing.txt"
REVENUE = "That's resulted in ISIS having the lowest revenue at any point since 2014"


def assert_citations_slice_the_original(answer: Answer, seed_text: str) -> None:
    for citation in answer.citations:
        if citation.article_id == SEED_ID:
            assert seed_text[citation.start:citation.end] == citation.passage


def test_dunford_on_revenue_cites_the_quote(seed_store: Store, seed_text: str) -> None:
    answer = ask("What did Dunford say about revenue?", store=seed_store)
    assert not answer.no_answer
    assert REVENUE in answer.text
    cited = [c for c in answer.citations if REVENUE in c.passage]
    assert cited and cited[0].article_id == SEED_ID and "Dunford" in (cited[0].speaker or "")
    assert "[1]" in answer.text
    assert_citations_slice_the_original(answer, seed_text)
    assert all("Mattis" not in (c.speaker or "") for c in answer.citations)
    assert len(answer.text) < 600


def test_territory_question_finds_55_per_cent(seed_store: Store, seed_text: str) -> None:
    answer = ask("How much territory has the coalition retaken?", store=seed_store)
    assert "55 per cent" in answer.text
    assert answer.citations[0].article_id == SEED_ID
    assert_citations_slice_the_original(answer, seed_text)


def test_unrelated_question_is_not_answered(seed_store: Store) -> None:
    answer = ask("What is the capital of Peru?", store=seed_store)
    assert answer.no_answer and not answer.citations
    assert "could not find" in answer.text


def test_who_said_names_the_speaker(seed_store: Store) -> None:
    answer = ask("Who said ISIS had the lowest revenue?", store=seed_store)
    assert answer.text.split(":")[0].endswith("Dunford")


def test_follow_up_keeps_the_speaker_and_skips_what_was_cited(seed_store: Store) -> None:
    first = ask("What did Mattis say about Afghanistan?", store=seed_store)
    assert "Afghanistan" in first.text
    more = ask("What else did he say?", store=seed_store, history=[first])
    assert not more.no_answer
    assert all(c.speaker == first.citations[0].speaker for c in more.citations if c.speaker)
    assert not {(c.start, c.end) for c in more.citations} & {
        (c.start, c.end) for c in first.citations}


def test_filters_restrict_the_articles(seed_store: Store) -> None:
    answer = ask("What did Dunford say about revenue?", store=seed_store,
                 filters={"article": "news.csv#1"})
    assert all(c.article_id == "news.csv#1" for c in answer.citations)
    dated = ask("How much territory has the coalition retaken?", store=seed_store,
                filters={"since": "2017-01-01"})
    assert all(c.date >= "2017-01-01" for c in dated.citations)


def test_to_dict_round_trips_through_json(seed_store: Store) -> None:
    answer = ask("What did Dunford say about revenue?", store=seed_store)
    data = json.loads(json.dumps(answer.to_dict()))
    assert set(data) == {"question", "text", "citations", "confidence", "no_answer", "mode",
                         "sentences", "warning", "speaker_found", "kind", "window", "days",
                         "outside_window"}
    assert set(data["citations"][0]) == {"n", "article_id", "title", "date", "source", "url",
                                         "passage", "start", "end", "paragraph", "speaker",
                                         "score", "page", "asked"}
    assert Answer.from_dict(data) == answer


def test_langchain_retriever_and_chain(seed_store: Store) -> None:
    documents = BriefingRetriever(store=str(seed_store.path), k=3).invoke(
        "How much territory has the coalition retaken?")
    assert len(documents) == 3 and "55 per cent" in documents[0].page_content
    answer = make_chain(seed_store.path).invoke({"question": "What is the capital of Peru?"})
    assert isinstance(answer, Answer) and answer.no_answer


def test_the_store_model_serves_as_langchain_embeddings(seed_store: Store) -> None:
    from langchain_core.vectorstores import InMemoryVectorStore

    vectors = InMemoryVectorStore(embedding=seed_store.embedder)
    vectors.add_texts(["The coalition has retaken territory.", "Peru exports copper."])
    found = vectors.similarity_search("How much ground did the coalition win back?", k=1)
    assert found[0].page_content.startswith("The coalition")


def test_cli_ask_json_prints_to_dict(seed_store: Store) -> None:
    result = run_cli("ask", "How much territory has the coalition retaken?", "--json",
                     "--store", str(seed_store.path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "55 per cent" in data["text"] and data["citations"][0]["article_id"] == SEED_ID
    assert run_cli("ask", " ", "--store", str(seed_store.path)).returncode == 2


def test_speaker_filter_keeps_to_that_speaker(seed_store: Store) -> None:
    answer = ask("revenue and oil targets", store=seed_store, filters={"speaker": "Gen. Dunford"})
    assert REVENUE in answer.text
    assert all("Dunford" in (c.speaker or "") for c in answer.citations if c.speaker)


def test_what_else_moves_on_to_new_statements(seed_store: Store) -> None:
    first = ask("What did Dunford say about revenue?", store=seed_store)
    more = ask("What else did Dunford say?", store=seed_store, history=[first])
    assert not more.no_answer
    earlier = [(c.start, c.end) for c in first.citations]
    for c in more.citations:
        assert all(c.end <= start or c.start >= end for start, end in earlier)
