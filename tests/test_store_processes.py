"""One local store, several processes: the page and a `qa.ask` user keep answering while other
processes write, writers take turns under the store's write lock, a writer killed holding it
lets the next one in, and the keyword index keeps every writer's changes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from index.ingest import ingest
from index.store.chroma import Store
from index.store.journal import Journal
from index.store.lock import WriteLock
from qa.api import ask
from qa.cli import main
from tests.conftest import ROOT, SEED, news_rows
from tests.test_crash import stop_at_write, updated_rows
from tests.test_ingest import run_cli
from tests.test_web_sources import item, rss
from tests.ui.conftest import free_port
from tests.ui.test_concurrency import sentence_spans, whole_version

HARBOUR = ROOT / "tests" / "data" / "harbour-briefing.txt"
REVENUE = "What did Dunford say about revenue?"
LOPEZ = "What did Lopez want the government to fund?"
WAITING = "waiting for another process writing to"
STARTUP_SECONDS = 180
BATCHED = {"BRIEFING_INGEST_BATCH": "2", "BRIEFING_INGEST_WORKERS": "1"}
TURN_TAKER = ("import sys, time; from pathlib import Path; from index.store.lock import WriteLock\n"
              "lock, turns, n = WriteLock(Path(sys.argv[1])), Path(sys.argv[2]), 0\n"
              "while True:\n"
              "    with lock.held():\n"
              "        n += 1\n"
              "        staging = turns.with_suffix('.new')\n"
              "        staging.write_text(str(n))\n"
              "        staging.replace(turns)\n"
              "        time.sleep(0.05)\n")
PAUSED_CHILD = ("import sys; from tests.test_store_processes import run_paused_at_write as run; "
                "sys.exit(run(int(sys.argv[1]), sys.argv[2], sys.argv[3:]))")


def run_paused_at_write(number: int, marker: str, argv: Sequence[str]) -> int:
    """The CLI in this process, stopped for good just before its `number`-th Chroma write,
    inside a write batch and so holding the store's write lock; `marker` says it got there."""
    stop_at_write(number, lambda: (Path(marker).touch(), signal.pause()))
    return main(list(argv))


def cli(*args: str | Path, env: dict[str, str] | None = None, stdout: Any = subprocess.PIPE,
        stderr: Any = subprocess.PIPE) -> subprocess.Popen[str]:
    """`qa.cli` in its own session, so it and anything it starts can be killed together."""
    return subprocess.Popen([sys.executable, "-m", "qa.cli", *map(str, args)], cwd=ROOT,
                            env={**os.environ, **(env or {})}, stdout=stdout, stderr=stderr,
                            text=True, start_new_session=True)


def stopped(process: subprocess.Popen[Any]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not condition():
        assert process.poll() is None, f"exited with {process.returncode} before it was ready"
        assert time.monotonic() < deadline, "not ready in time"
        time.sleep(0.2)


def answering(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except OSError:
        return False
    return True


def cited(answer: dict[str, Any]) -> set[str]:
    return {citation["article_id"] for citation in answer["citations"]}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`briefing ui` in its own process over a store holding the seed and a few news."""
    store = tmp_path / "store"
    assert ingest([SEED, news_rows(4, tmp_path)], Store(store)).articles == 5
    port = free_port()
    with (tmp_path / "ui.log").open("w") as log:
        page = cli("ui", "--store", store, "--port", str(port), stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: answering(url), page)
        yield url, store
    finally:
        stopped(page)


def test_the_page_answers_from_what_another_process_ingests(
        served: tuple[str, Path]) -> None:
    url, store = served
    client = Client(url, verbose=False)
    assert cited(client.predict(REVENUE, api_name="/ask")) == {SEED.name}
    added = run_cli("ingest", str(HARBOUR), "--store", str(store))
    assert added.returncode == 0 and "1 articles" in added.stdout, added.stderr
    lopez = client.predict(LOPEZ, api_name="/ask")
    assert cited(lopez) == {HARBOUR.name} and "sea wall" in lopez["text"]
    revenue = client.predict(REVENUE, api_name="/ask")
    assert cited(revenue) == {SEED.name} and "revenue" in revenue["text"]


def test_two_ingests_at_once_both_finish_and_both_answer(tmp_path: Path) -> None:
    store = tmp_path / "store"
    news = news_rows(6, tmp_path)
    writers = [cli("ingest", news, "--store", store, env=BATCHED),
               cli("ingest", SEED, HARBOUR, "--store", store, env=BATCHED)]
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
    checked = run_cli("check", "--store", str(store))
    assert checked.returncode == 0 and checked.stdout.rstrip().endswith("consistent"), \
        checked.stdout
    opened = Store(store)
    assert opened.stats()["articles"] == 8
    assert cited(ask(REVENUE, store=opened).to_dict()) == {SEED.name}
    assert cited(ask(LOPEZ, store=opened).to_dict()) == {HARBOUR.name}
    igims = ask("Which word did IGIMS replace on its marital declaration form?", store=opened)
    assert {c.article_id for c in igims.citations} <= {f"news.csv#{n}" for n in range(1, 7)}
    assert igims.citations


def test_a_writer_killed_holding_the_lock_lets_the_next_one_in(tmp_path: Path) -> None:
    """The first ingest stops inside its second batch (its chunks in, its records not) and is
    killed there; the second, kept waiting meanwhile, then goes in and leaves a clean store."""
    store, marker = tmp_path / "store", tmp_path / "paused"
    news = news_rows(6, tmp_path)
    first = subprocess.Popen(
        [sys.executable, "-c", PAUSED_CHILD, "5", str(marker), "ingest", str(news), "--store",
         str(store)], cwd=ROOT, env={**os.environ, **BATCHED}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    err_file = tmp_path / "second.err"
    try:
        wait_for(marker.exists, first)
        with err_file.open("w") as err:
            second = cli("ingest", SEED, news, "--store", store, env=BATCHED, stderr=err)
        wait_for(lambda: WAITING in err_file.read_text(), second)
        time.sleep(1)
        assert second.poll() is None
    finally:
        stopped(first)  # kill -9, holding the lock
    out, _ = second.communicate(timeout=600)
    assert second.returncode == 0, err_file.read_text()
    assert err_file.read_text().count(WAITING) == 1
    assert "2 unchanged" in out  # the first batch the killed ingest wrote whole
    checked = run_cli("check", "--store", str(store))
    assert checked.returncode == 0 and checked.stdout.rstrip().endswith("consistent"), \
        checked.stdout
    assert Store(store).stats()["articles"] == 7


def test_a_waiting_writer_gets_the_next_turn(tmp_path: Path) -> None:
    """A writer that comes straight back for the lock, turn after turn, does not keep out one
    that waits: the waiter gets the next turn."""
    turns = tmp_path / "turns"
    hog = subprocess.Popen([sys.executable, "-c", TURN_TAKER, str(tmp_path), str(turns)],
                           cwd=ROOT, start_new_session=True)
    try:
        wait_for(turns.exists, hog)
        lock = WriteLock(tmp_path)
        for _ in range(3):
            asked = int(turns.read_text() or 0)
            with lock.held():
                assert int(turns.read_text()) <= asked + 1
            time.sleep(0.1)
    finally:
        stopped(hog)


def test_questions_are_answered_while_another_process_ingests(tmp_path: Path) -> None:
    """A `qa.ask` user holds the store open while another process replaces its news with new
    versions and adds more, two articles a write: no question fails, filtered ones included
    (a date filter makes Chroma look up every matching chunk in its vector index), every
    citation is a run of whole sentences of one complete version, and once the ingest is
    done the new articles answer."""
    replaced, added = 6, 3
    store = Store(tmp_path / "store")
    everything = tmp_path / "all"
    everything.mkdir()
    edited = updated_rows(news_rows(replaced + added, everything), tmp_path / "edited")
    assert ingest([SEED, news_rows(replaced, tmp_path)], store).articles == replaced + 1
    ids = [f"news.csv#{n}" for n in range(1, replaced + added + 1)]
    before = store.get_articles(ids)
    questions = [REVENUE, *(article.article.title for article in before.values())]
    filters: list[dict[str, str] | None] = [None, {"since": "2017-01-01"}]
    writer = cli("ingest", edited, HARBOUR, "--store", store.path, env=BATCHED)
    answers = []
    while writer.poll() is None:
        n = len(answers)
        answers.append(ask(questions[n % len(questions)], store=store,
                           filters=filters[n % len(filters)]).to_dict())
    assert writer.returncode == 0, writer.communicate()[1]
    assert len(answers) >= 3
    after = store.get_articles([*ids, SEED.name])
    versions = {article_id: [sentence_spans(article)] for article_id, article in after.items()}
    for article_id, article in before.items():
        versions[article_id].append(sentence_spans(article))
    for citation in (c for answer in answers for c in answer["citations"]):
        assert whole_version(citation, versions[citation["article_id"]]), citation
    assert cited(ask(LOPEZ, store=store).to_dict()) == {HARBOUR.name}
    newest = after[ids[-1]].article
    assert ids[-1] in cited(ask(newest.title, store=store).to_dict())
    assert not store.follow()


def test_a_read_that_finds_the_vector_index_behind_reads_again(tmp_path: Path) -> None:
    """A write elsewhere can land during a question, after its check: this process's copy of
    the vector index then lacks new chunks (a filter matching one fails in Chroma) and holds
    deleted ones (returned without metadata). The store catches up and reads again."""
    path = tmp_path / "store"
    reader = Store(path)
    ingest([SEED, news_rows(4, tmp_path)], reader)
    vector = reader.embedder.encode(["a new sea wall for the harbour"])[0].tolist()
    reader.chunks.query(query_embeddings=[vector], n_results=3)
    writer = Store(path)
    assert ingest([HARBOUR], writer).articles == 1
    every_chunk = {"article_id": {"$ne": ""}}
    found = reader.chunks.query(query_embeddings=[vector], n_results=5, where=every_chunk,
                                include=["metadatas"])
    assert found["metadatas"][0][0]["article_id"] == HARBOUR.name
    assert writer.remove("news.csv#2")
    found = reader.chunks.query(query_embeddings=[vector], n_results=reader.chunks.count(),
                                include=["metadatas"])
    assert None not in found["metadatas"][0]
    assert "news.csv#2" not in {meta["article_id"] for meta in found["metadatas"][0]}


def test_a_writer_keeps_the_keyword_index_of_writes_in_other_processes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two stores on one directory, each with its own Chroma client as two processes have,
    writing in turn: each catches the keyword index up from the journal, the other's changes
    included, never by listing the store's chunks (14 s at 570k)."""
    path = tmp_path / "store"
    first, second = Store(path), Store(path)
    ingest([news_rows(4, tmp_path)], first)

    def no_listing(*_: object) -> None:
        raise AssertionError("the keyword index listed the store's chunks")

    monkeypatch.setattr(Store, "_pages", no_listing)
    assert ingest([SEED], second).articles == 1
    assert first.remove("news.csv#1")
    assert ingest([HARBOUR], second).articles == 1
    index = Store(path).keyword
    monkeypatch.undo()
    assert sorted(index.chunk_ids) == sorted(first.chunks.get(include=[])["ids"])
    assert sorted(second.keyword.chunk_ids) == sorted(index.chunk_ids)


def test_the_journal_leads_only_across_writes_it_saw_done(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "changes.jsonl")
    journal.begin("a")
    journal.done("b", [], ["1", "2"])
    journal.begin("b")
    journal.done("c", ["1"], ["3"])
    changes = journal.between("a", "c")
    assert changes is not None
    assert (list(changes.added), changes.removed) == (["2", "3"], {"1"})
    journal.begin("c")  # killed mid-write: what it changed is unknown, the generation is not
    assert journal.between("a", "c") is None and journal.between("c", "c") is None
    journal.begin("c")
    journal.done("d", [], ["4"])
    assert journal.between("a", "d") is None and journal.between("c", "d") is None
    journal.clear()
    journal.begin("d")
    journal.done("e", [], ["5"])
    with journal.path.open("a") as torn:
        torn.write('{"from": "e"')
    assert journal.between("d", "e") is None


def test_the_page_follows_a_feed_itself(tmp_path: Path) -> None:
    """`briefing ui --follow FEED --every 1s`: an entry added to the feed answers in the page
    that serves the store, without a second process."""
    store, feed = tmp_path / "store", tmp_path / "port.rss"
    assert ingest([SEED], Store(store)).articles == 1
    entries = [feed_entry("harbour", "Harbour to reopen", HARBOUR.read_text(encoding="utf-8"))]
    feed.write_bytes(rss("Port news", entries))
    port = free_port()
    with (tmp_path / "ui.log").open("w") as log:
        page = cli("ui", "--store", store, "--port", str(port), "--follow", feed,
                   "--every", "1s", stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: answering(url), page)
        client = Client(url, verbose=False)
        wait_for(lambda: "harbour" in str(cited(client.predict(LOPEZ, api_name="/ask"))), page)
        entries.append(feed_entry("hale", "Fees to rise", "Transport minister Tom Hale warned "
                                  "that shipping fees would rise to pay for the new sea wall."))
        feed.write_bytes(rss("Port news", entries))
        wait_for(lambda: "hale" in str(cited(client.predict(
            "What did Hale warn about shipping fees?", api_name="/ask"))), page)
        assert cited(client.predict(REVENUE, api_name="/ask")) == {SEED.name}
    finally:
        stopped(page)
    assert "briefing: follow" in (tmp_path / "ui.log").read_text(encoding="utf-8")


def feed_entry(guid: str, title: str, text: str) -> str:
    """An RSS item that carries its whole article, so following needs no web server."""
    paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in text.split("\n\n"))
    return item(guid, f"https://example.org/{guid}", title,
                f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded>")
