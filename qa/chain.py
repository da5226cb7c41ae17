"""LangChain adapters: a retriever of cited passages and a runnable that answers, so briefing
drops into other people's chains."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda

from qa.answer import Answer
from qa.api import ask, open_store, search, validate_question
from qa.parse import parse_question


class BriefingRetriever(BaseRetriever):
    """Hybrid, speaker-aware passages as `Document`s whose metadata is a ready citation."""

    store: str | None = None
    k: int = 8
    filters: dict[str, Any] | None = None

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        opened = open_store(self.store)
        found = search(opened, parse_question(validate_question(query)), k=self.k,
                       filters=self.filters)
        articles = opened.get_articles([p.article_id for p in found.passages])
        documents = []
        for passage in found.passages[:self.k]:
            article = articles[passage.article_id].article
            documents.append(Document(
                page_content=article.text[passage.start:passage.end],
                metadata={"article_id": article.id, "title": article.title,
                          "date": article.date, "source": article.source, "url": article.url,
                          "start": passage.start, "end": passage.end,
                          "score": passage.score}))
        return documents


def make_chain(store: str | Path | None = None, k: int = 8) -> RunnableLambda:
    """question, or {"question", "history", "filters"} → `Answer`."""

    def answer(request: str | dict[str, Any]) -> Answer:
        if isinstance(request, str):
            request = {"question": request}
        return ask(request["question"], store=store, k=k, filters=request.get("filters"),
                   history=request.get("history"))

    return RunnableLambda(answer, name="briefing")


chain = make_chain()
