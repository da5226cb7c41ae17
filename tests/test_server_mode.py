"""Server mode: a real `chroma run` on a loopback port, shared by several clients, restarted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from index.ingest import ingest
from index.settings import Settings
from index.store.chroma import Store
from index.store.keyword import KeywordIndex
from qa.api import ask, quotes
from tests.conftest import SEED, news_rows
from tests.test_ingest import run_cli
from tests.ui.conftest import free_port

CHROMA = Path(sys.executable).parent / "chroma"
STARTUP_SECONDS = 60
QUESTIONS = ["What did Dunford say about revenue?",
             "How much territory has the coalition retaken?",
             "Who said ISIS had the lowest revenue?",
             "What did the Daman and Diu administration revoke?"]
REVENUE_QUOTE = "lowest revenue at any point since 2014"


class ChromaServer:
    """`chroma run --path DIR` on a free loopback port; restarts keep the port and the data."""

    def __init__(self, path: Path) -> None:
        self.path, self.port = path, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1",
             "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"chroma run did not come up on {self.url}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} is absent (it ships with chromadb)")
    running = ChromaServer(tmp_path / "server-data")
    running.start()
    yield running
    running.stop()


def client(server: ChromaServer, home: Path) -> Store:
    """One user's client: Chroma on the server, the keyword cache under `home`."""
    return Store(home, replace(Settings(), chroma_url=server.url))


def answers(store: Store) -> dict[str, dict[str, object]]:
    return {question: ask(question, store=store).to_dict() for question in QUESTIONS}


def test_cli_ingest_and_answers_survive_a_server_restart(server: ChromaServer,
                                                         tmp_path: Path) -> None:
    home = tmp_path / "client"
    done = run_cli("ingest", str(SEED), str(news_rows(8, tmp_path)), "--store", str(home),
                   "--chroma-url", server.url)
    assert done.returncode == 0 and done.stdout.startswith("9 articles"), done.stderr
    assert not (home / "chroma").exists(), "server mode must not create a local Chroma store"
    reader = client(server, home)
    before = answers(reader)
    assert REVENUE_QUOTE in before[QUESTIONS[0]]["text"]
    assert any(REVENUE_QUOTE in q.text for q in quotes(speaker="Dunford", store=reader))
    asked = run_cli("ask", "--json", "--store", str(home), "--chroma-url", server.url,
                    QUESTIONS[0])
    assert json.loads(asked.stdout) == before[QUESTIONS[0]]
    cache = KeywordIndex.load(reader.keyword_folder)
    assert cache is not None and cache.generation == reader.generation
    assert reader.keyword_folder.is_relative_to(home / "servers")
    assert set(cache.chunk_ids) == set(reader.chunks.get(include=[])["ids"])

    server.stop()
    server.start()
    assert answers(client(server, tmp_path / "fresh-client")) == before
    assert answers(reader) == before, "a client open across the restart must keep working"
    checked = run_cli("check", "--store", str(home),
                      env={**os.environ, "BRIEFING_CHROMA_URL": server.url})
    assert checked.returncode == 0 and checked.stdout.rstrip().endswith("consistent")


def test_every_client_sees_what_another_ingested(server: ChromaServer, tmp_path: Path) -> None:
    """Two users on two machines: the reader's caches follow the writer's ingest."""
    reader, writer = client(server, tmp_path / "reader"), client(server, tmp_path / "writer")
    assert ask(QUESTIONS[0], store=reader).no_answer
    assert ingest([SEED], writer).articles == 1
    answer = ask(QUESTIONS[0], store=reader)
    assert REVENUE_QUOTE in answer.text
    assert {c.article_id for c in answer.citations} == {SEED.name}
    assert writer.remove(SEED.name)
    assert ask(QUESTIONS[0], store=reader).no_answer


def test_an_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = run_cli("stats", "--store", str(tmp_path), "--chroma-url", url)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "cannot reach the Chroma server" in done.stderr
