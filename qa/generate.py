"""Generative answers (`BRIEFING_LLM`): the passages behind the extractive answer go, numbered,
to a LangChain chat model; its text streams out as it is written, and the answer kept is what
`support.enforce` verifies. Any failure of the model leaves the extractive answer and one
warning line."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from index.records import IndexedArticle
from index.settings import Settings
from index.vectors.embed import Embedder
from qa.answer import Answer
from qa.retrieve import Passage
from qa.support import Source, enforce

if TYPE_CHECKING:  # LangChain's model stack costs seconds to import; only a model needs it
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

EXTRACTIVE = "extractive"
MAX_TOKENS = 300
# Worded for the smallest model too: SmolLM2-135M answered the seed's revenue question with a
# supported sentence under this prompt, and with none under three longer ones.
SYSTEM = ("You answer questions about news articles. Use only facts from the numbered passages, "
          "and cite the passage number in square brackets after each sentence, like [1].")


def generate(question: str, extractive: Answer, passages: Sequence[Passage],
             articles: dict[str, IndexedArticle], embedder: Embedder,
             settings: Settings) -> Iterator[str | Answer]:
    """The model's text piece by piece, then the checked `Answer`; only the extractive answer
    when none is configured, nothing relevant was found, or the person asked about said
    nothing here, or nothing in the question's window (a model would blur whose words the
    passages are, and from when)."""
    if settings.llm == EXTRACTIVE or extractive.no_answer or extractive.speaker_found is False \
            or extractive.outside_window:
        yield extractive
        return
    sources = sources_for(extractive, passages, articles)
    written: list[str] = []
    try:
        for chunk in chat_model(settings).stream(prompt(question, sources)):
            if chunk.text:
                written.append(chunk.text)
                yield chunk.text
    except Exception as error:  # an outside service or optional package: any failure falls back
        yield replace(extractive, warning=f"The language model ({settings.llm}) failed: "
                                          f"{describe(error)}; this is the extractive answer.")
        return
    yield enforce("".join(written), sources, embedder, extractive)


def sources_for(extractive: Answer, passages: Sequence[Passage],
                articles: dict[str, IndexedArticle]) -> list[Source]:
    """Each cited run of sentences widened to the best retrieved chunk around it; runs that meet
    in one article become one passage."""
    spans: list[tuple[str, int, int]] = []
    for citation in extractive.citations:
        article = articles[citation.article_id]
        first = next(s.index for s in article.sentences if s.start == citation.start)
        last = next(s.index for s in article.sentences if s.end == citation.end)
        chunk = next((p.sentence_range for p in passages if p.article_id == citation.article_id
                      and p.sentence_range[0] <= last and p.sentence_range[1] > first), None)
        if chunk:
            first, last = min(first, chunk[0]), max(last, chunk[1] - 1)
        for i, (article_id, low, high) in enumerate(spans):
            if article_id == citation.article_id and first <= high + 1 and last >= low - 1:
                spans[i] = (article_id, min(low, first), max(high, last))
                break
        else:
            spans.append((citation.article_id, first, last))
    return [Source(n, articles[a], first, last) for n, (a, first, last) in enumerate(spans, 1)]


def prompt(question: str, sources: Sequence[Source]) -> list[BaseMessage]:
    from langchain_core.messages import HumanMessage, SystemMessage

    listed = "\n\n".join(f"[{s.n}] {s.text}" for s in sources)
    return [SystemMessage(SYSTEM), HumanMessage(f"Passages:\n{listed}\n\nQuestion: {question}")]


def chat_model(settings: Settings) -> BaseChatModel:
    kind, _, name = settings.llm.partition(":")
    if kind == "local" and not name:
        from qa.local_llm import local_model

        return local_model()
    if kind in ("openai", "ollama") and name:
        return _remote_model(kind, name, settings.llm_base_url, settings.llm_api_key,
                             settings.llm_timeout)
    raise ValueError(f"BRIEFING_LLM={settings.llm!r} is not one of extractive, local, "
                     "openai:<model>, ollama:<model>")


@lru_cache(maxsize=4)
def _remote_model(kind: str, name: str, base_url: str, api_key: str,
                  timeout: float) -> BaseChatModel:
    """No retries: a failing server gets the extractive answer now, not after backing off."""
    if kind == "openai":
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=name, base_url=base_url or None, api_key=api_key or "unused",
                          timeout=timeout, max_retries=0, temperature=0, max_tokens=MAX_TOKENS)
    from langchain_ollama import ChatOllama

    return ChatOllama(model=name, base_url=base_url or None, temperature=0,
                      num_predict=MAX_TOKENS, client_kwargs={"timeout": timeout})


def describe(error: BaseException) -> str:
    """One line: the error's kind and first words, and the fix when it is a missing extra."""
    if isinstance(error, ImportError):
        return f"{error}; install the extra with pip install 'briefing[llm]'"
    message = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
