"""The Gradio Blocks page: Chat tab (conversation + cited passages) and Corpus tab (upload,
list, delete), plus the `/ask` API endpoint. Handlers only call `qa` and `index`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from index.follow import Follower
from index.store.chroma import Store
from qa.answer import Answer
from qa.api import ask, ask_stream
from qa.examples import example_questions
from ui.assets import CSS, JS
from ui.render import (
    CORPUS_COLUMNS,
    answer_message,
    chat_text,
    citation_cards,
    corpus_rows,
    corpus_summary,
    draft_message,
    upload_report,
)
from ui.upload import SUFFIXES, UploadProgress, add_links, add_uploads

HISTORY_TURNS = 10
Messages = list[dict[str, Any]]


def chosen_filters(source: str | None, since: str | None, until: str | None,
                   speaker: str | None = None) -> dict[str, str | None]:
    """The filter widgets as `ask`'s filters; blank means no limit."""
    return {"source": source or None, "since": (since or "").strip() or None,
            "until": (until or "").strip() or None, "speaker": speaker or None}


class Handlers:
    """The page's event handlers over one store."""

    def __init__(self, store: Store, follower: Follower | None = None) -> None:
        self.store = store
        self.follower = follower

    def respond(self, question: str | None, messages: Messages, answers: list[dict[str, Any]],
                source: str | None, since: str | None, until: str | None,
                speaker: str | None,
                ) -> Iterator[tuple[Messages, list[dict[str, Any]], str, str]]:
        """One chat turn; earlier answers go to `ask` as history for follow-ups. A language
        model's draft shows as it is written, then gives way to the checked answer."""
        if not (question or "").strip():
            yield messages, answers, gr.skip(), ""
            return
        asked = [*messages, {"role": "user", "content": chat_text(question)}]
        draft = ""
        try:
            for piece in ask_stream(question, store=self.store, history=answers,
                                    filters=chosen_filters(source, since, until, speaker)):
                if isinstance(piece, Answer):
                    answer = piece
                    continue
                draft += piece
                yield ([*asked, {"role": "assistant", "content": draft_message(draft)}], answers,
                       gr.skip(), "")
        except ValueError as error:
            raise gr.Error(str(error)) from None
        data, turn = answer.to_dict(), len(messages) // 2 + 1
        messages = [*asked, {"role": "assistant", "content": answer_message(data, turn)}]
        yield messages, [*answers, data][-HISTORY_TURNS:], self.cards(data, turn), ""

    def cards(self, answer: dict[str, Any] | None, turn: int = 0) -> str:
        citations = (answer or {}).get("citations") or []
        articles = self.store.get_articles([c["article_id"] for c in citations])
        return citation_cards(answer, articles, turn)

    def ask_api(self, question: str) -> dict[str, Any]:
        """`Answer.to_dict()` for one question, through the same `ask` as the chat."""
        try:
            return ask(question, store=self.store).to_dict()
        except ValueError as error:
            raise gr.Error(str(error)) from None

    def corpus(self) -> tuple[Any, ...]:
        """What the store holds, and what follows from it: the filter choices, the example
        questions and the question box's hint."""
        stats = self.store.stats()
        sources = [("Any source", ""), *((s, s) for s in sorted(stats["sources"]) if s)]
        speakers = [("Anyone", ""), *((s, s) for s in self.store.people())]
        examples = example_questions(self.store)
        following = self.follower.describe() if self.follower else None
        return (corpus_summary(stats, following),
                corpus_rows(self.store.iter_article_metadata()),
                gr.Dropdown(choices=sources), gr.Dropdown(choices=speakers),
                gr.Dataset(samples=[[q] for q in examples]),
                gr.Textbox(placeholder=examples[0]))

    @staticmethod
    def pick_example(sample: list[str]) -> str:
        return sample[0]

    def upload(self, files: list[str] | None, progress: gr.Progress = gr.Progress(),  # noqa: B008
               ) -> tuple[Any, ...]:
        """Ingest uploaded files with a progress bar; each file's problem is listed."""
        def show(state: UploadProgress) -> None:
            progress((state.done, state.files), unit="files",
                     desc=f"Indexing {state.name}: {state.articles} articles read")

        result = add_uploads(files or [], self.store, show)
        return (upload_report(result.summary(), [str(e) for e in result.errors]), None,
                *self.corpus())

    def add_links(self, text: str | None, progress: gr.Progress = gr.Progress(),  # noqa: B008
                  ) -> tuple[Any, ...]:
        """Fetch and ingest typed URLs and feeds; each failed link is one line."""
        if not (text or "").strip():
            return (gr.skip(),) * 6

        def show(state: UploadProgress) -> None:
            progress(None, desc=f"Fetching: {state.articles} articles read")

        result = add_links(text or "", self.store, show)
        return (upload_report(result.summary(), [str(e) for e in result.errors]), "",
                *self.corpus())

    def delete(self, article_id: str | None) -> tuple[Any, ...]:
        article_id = (article_id or "").strip()
        removed = bool(article_id) and self.store.remove(article_id)
        message = f"Removed {article_id}" if removed else f"No article {article_id!r} in the store"
        return (upload_report(message, []), "", *self.corpus())

    @staticmethod
    def pick_row(event: gr.SelectData) -> str:
        """Clicking a row of the article table fills in its id for deletion."""
        return str(event.row_value[0])


def build_app(store: Store, follower: Follower | None = None) -> gr.Blocks:
    """The whole page, wired to `Handlers(store)`; UI events stay off the public API."""
    handlers = Handlers(store, follower)
    private: dict[str, Any] = {"api_visibility": "private"}
    with gr.Blocks(title="Briefing", analytics_enabled=False) as demo:
        gr.Markdown("## Briefing — ask the indexed news; every sentence cites its passage")
        with gr.Tab("Chat"), gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", height=520, latex_delimiters=[],
                                     elem_id="chat", placeholder="Ask about the briefings.")
                examples = example_questions(store)
                with gr.Row():
                    question = gr.Textbox(show_label=False, scale=5, elem_id="question",
                                          placeholder=examples[0])
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                suggestions = gr.Dataset(components=[question], label="Examples",
                                         samples=[[q] for q in examples], elem_id="examples")
                with gr.Accordion("Filters", open=False), gr.Row():
                    source = gr.Dropdown(label="Source", choices=[("Any source", "")], value="")
                    speaker = gr.Dropdown(label="Speaker", choices=[("Anyone", "")], value="")
                    since = gr.Textbox(label="Since", placeholder="YYYY-MM-DD")
                    until = gr.Textbox(label="Until", placeholder="YYYY-MM-DD")
                clear = gr.Button("New conversation", size="sm")
            with gr.Column(scale=2):
                gr.Markdown("### Cited passages")
                cards = gr.HTML(handlers.cards(None), elem_id="citations")
        with gr.Tab("Corpus"):
            summary = gr.HTML(elem_id="corpus-summary")
            files = gr.File(label=f"Add articles ({' '.join(SUFFIXES)})", elem_id="upload",
                            file_count="multiple", file_types=list(SUFFIXES))
            with gr.Row():
                links = gr.Textbox(label="Add web pages, PDFs or feeds by URL", scale=5,
                                   elem_id="links", placeholder="https://example.com/news/story")
                fetch = gr.Button("Fetch", scale=1, elem_id="fetch")
            report = gr.HTML(elem_id="upload-report")
            table = gr.Dataframe(headers=CORPUS_COLUMNS, interactive=False, wrap=True,
                                 elem_id="articles", label="Indexed articles")
            with gr.Row():
                delete_id = gr.Textbox(label="Article id (click a row to fill)", scale=4)
                delete = gr.Button("Delete article", variant="stop", scale=1)
        answers = gr.State([])

        chat = ([question, chatbot, answers, source, since, until, speaker],
                [chatbot, answers, cards, question])
        question.submit(handlers.respond, *chat, **private)
        send.click(handlers.respond, *chat, **private)
        clear.click(lambda: ([], [], handlers.cards(None)), None, [chatbot, answers, cards],
                    **private)
        suggestions.click(handlers.pick_example, suggestions, question, **private)
        corpus = [summary, table, source, speaker, suggestions, question]
        files.upload(handlers.upload, files, [report, files, *corpus], show_progress_on=report,
                     **private)
        for event in (links.submit, fetch.click):
            event(handlers.add_links, links, [report, links, *corpus], show_progress_on=report,
                  **private)
        delete.click(handlers.delete, delete_id, [report, delete_id, *corpus], **private)
        table.select(handlers.pick_row, None, delete_id, **private)
        demo.load(handlers.corpus, None, corpus, **private)
        gr.api(handlers.ask_api, api_name="ask")
    return demo


def launch(demo: gr.Blocks, store: Store, *, host: str, port: int,
           credentials: tuple[str, str] | None = None, block: bool = True) -> None:
    """Serve the page; `block=False` returns once the server is up (for tests)."""
    demo.queue(default_concurrency_limit=2).launch(
        server_name=host, server_port=port, auth=credentials, prevent_thread_lock=not block,
        max_file_size=f"{store.settings.max_upload_mb:g}mb", show_error=True, ssr_mode=False,
        quiet=not block, css=CSS, js=JS,
        theme=gr.themes.Soft(font=["system-ui", "sans-serif"], font_mono=["monospace"]))
