"""Many users at once through `/ask`: concurrent answers equal serial ones, bad questions get
their message without disturbing others, and questions keep being answered while articles are
ingested, each citation a whole sentence span of one complete version of its article."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from index.ingest import ingest
from index.records import IndexedArticle
from index.settings import Settings
from index.store.chroma import Store
from tests.conftest import SEED, news_rows
from tests.test_crash import updated_rows
from tests.ui.conftest import free_port

CONCURRENT = 20
QUESTIONS = ["What did Dunford say about revenue?",
             "How much territory has the coalition retaken?",
             "Who said ISIS had the lowest revenue?",
             "How many countries are in the coalition?",
             "What is the price of tomatoes in Lucknow?"]
REPLACED, ADDED = 6, 3


def ask_endpoint(client: Client, question: str) -> dict[str, Any]:
    return client.predict(question, api_name="/ask")


def test_concurrent_asks_answer_exactly_as_serial_ones(app_url: str) -> None:
    serial_client = Client(app_url, verbose=False)
    serial = {question: ask_endpoint(serial_client, question) for question in QUESTIONS}
    asked = [QUESTIONS[n % len(QUESTIONS)] for n in range(CONCURRENT)]
    with ThreadPoolExecutor(CONCURRENT) as pool:
        answers = list(pool.map(
            lambda question: ask_endpoint(Client(app_url, verbose=False), question), asked))
    assert answers == [serial[question] for question in asked]
    assert serial[QUESTIONS[0]]["citations"] and serial[QUESTIONS[-1]]["no_answer"]


def test_bad_questions_get_their_message_while_others_are_answered(app_url: str) -> None:
    client = Client(app_url, verbose=False)
    good = ask_endpoint(client, QUESTIONS[0])
    bad = {"x" * 10_000: "the limit is 2,000", "Dunford\x00 revenue?": "control character"}
    jobs = [(question, client.submit(question, api_name="/ask"))
            for question in [*bad, QUESTIONS[0], *bad, QUESTIONS[0]]]
    for question, job in jobs:
        if question in bad:
            with pytest.raises(Exception, match=bad[question]):
                job.result(timeout=120)
        else:
            assert job.result(timeout=120) == good


@pytest.fixture
def ingesting_app(tmp_path: Path) -> Iterator[tuple[str, Store, Path]]:
    """A UI over its own store holding the seed and some news, plus an edited copy of those
    news with a few new articles, to ingest while users ask."""
    from ui.app import build_app, launch

    store = Store(tmp_path / "store", replace(Settings(), ingest_batch=2, ingest_workers=1))
    first, everything = tmp_path / "first", tmp_path / "all"
    first.mkdir()
    everything.mkdir()
    edited = updated_rows(news_rows(REPLACED + ADDED, everything), tmp_path / "edited")
    assert ingest([SEED, news_rows(REPLACED, first)], store).articles == REPLACED + 1
    demo, port = build_app(store), free_port()
    launch(demo, store, host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}/", store, edited
    demo.close()


def sentence_spans(article: IndexedArticle) -> tuple[str, set[int], set[int]]:
    return (article.article.text, {s.start for s in article.sentences},
            {s.end for s in article.sentences})


def whole_version(citation: dict[str, Any],
                  versions: list[tuple[str, set[int], set[int]]]) -> bool:
    """The citation is a run of whole sentences of one complete version of its article."""
    return any(text[citation["start"]:citation["end"]] == citation["passage"]
               and citation["start"] in starts and citation["end"] in ends
               for text, starts, ends in versions)


def test_questions_are_answered_during_ingest_and_cite_only_whole_articles(
        ingesting_app: tuple[str, Store, Path]) -> None:
    url, store, edited = ingesting_app
    ids = [f"news.csv#{n}" for n in range(1, REPLACED + ADDED + 1)]
    before = store.get_articles(ids)
    titles = [article.article.title for article in before.values()]
    questions = [QUESTIONS[0], *titles]
    finished = threading.Event()
    answers: list[dict[str, Any]] = []

    def keep_asking(offset: int) -> None:
        client = Client(url, verbose=False)
        n = offset
        while not finished.is_set():
            answers.append(ask_endpoint(client, questions[n % len(questions)]))
            n += 1

    with ThreadPoolExecutor(3) as pool:
        readers = [pool.submit(keep_asking, offset) for offset in range(3)]
        report = ingest([edited], store)
        finished.set()
        for reader in readers:
            reader.result()
    assert report.articles == REPLACED + ADDED and not report.errors
    assert len(answers) >= 3
    after = store.get_articles(ids)
    versions = {article_id: [sentence_spans(article)] for article_id, article in after.items()}
    for article_id, article in before.items():
        versions[article_id].append(sentence_spans(article))
    versions[SEED.name] = [sentence_spans(store.get_articles([SEED.name])[SEED.name])]
    cited = [citation for answer in answers for citation in answer["citations"]]
    assert any(citation["article_id"] in before for citation in cited)
    for citation in cited:
        assert whole_version(citation, versions[citation["article_id"]]), citation
    assert all(a["citations"] for a in answers if a["question"] == QUESTIONS[0])
