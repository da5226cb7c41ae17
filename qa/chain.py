"""LangChain adapters: a retriever of cited passages and a runnable that answers, so briefing
drops into other people's chains."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda

from qa.answer import Answer
from qa.api import ask, open_store, search, understand
from qa.compose import cite_sentences


class BriefingRetriever(BaseRetriever):
    """Hybrid, speaker- and date-aware passages as `Document`s whose metadata is a ready
    citation: article, title, date, source, url, offsets, paragraph, speaker, the question
    a transcript passage answers (`asked`), score."""

    store: str | None = None
    k: int = 8
    filters: dict[str, Any] | None = None

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        parsed, filters, _ = understand(query, self.filters)
        opened = open_store(self.store)
        with opened.reading():
            found = search(opened, parsed, k=self.k, filters=filters)
            articles = opened.get_articles([p.article_id for p in found.passages])
        documents = []
        for n, passage in enumerate(found.passages[:self.k], 1):
            first, end = passage.sentence_range
            citation = cite_sentences(n, articles[passage.article_id], first, end - 1,
                                      passage.score)
            metadata = {key: value for key, value in asdict(citation).items()
                        if value is not None and key not in ("n", "passage")}
            documents.append(Document(page_content=citation.passage, metadata=metadata))
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
