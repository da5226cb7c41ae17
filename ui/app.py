"""The Gradio Blocks page: the Chat tab (conversation, cited passages, and a timeline or a day's
briefing drawn as such) and the Corpus tab (the archive as a table to search and page through,
a reader, upload and delete), plus the `/ask` API endpoint. Handlers only call `qa` and
`index`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr
import pandas as pd

from index.follow import Follower
from index.store.chroma import Store
from qa.answer import Answer
from qa.api import ask, ask_stream
from qa.dates import iso_day
from qa.examples import example_questions
from qa.parse import DIGEST, TIMELINE
from ui.archive import COLUMNS, CatalogPage, catalog_page, kind
from ui.assets import CSS, JS
from ui.chart import AXIS_FORMATS, mention_frame
from ui.render import (
    answer_message,
    chat_text,
    citation_cards,
    corpus_summary,
    digest_html,
    draft_message,
    reader_html,
    timeline_html,
    upload_report,
)
from ui.upload import SUFFIXES, UploadProgress, add_links, add_uploads

HISTORY_TURNS = 10
CORPUS_TAB = "corpus"
Messages = list[dict[str, Any]]


def chosen_day(label: str, value: str | None) -> str | None:
    """A date filter as `ask` takes it: blank is no limit; anything but YYYY-MM-DD is refused
    with the filter's name."""
    value = (value or "").strip()
    if value and iso_day(value) is None:
        raise ValueError(f"{label}: {value!r} is not a date (YYYY-MM-DD)")
    return value[:10] or None


def chosen_filters(source: str | None, since: str | None, until: str | None,
                   speaker: str | None = None) -> dict[str, str | None]:
    """The filter widgets as `ask`'s filters; blank means no limit."""
    return {"source": source or None, "since": chosen_day("Since", since),
            "until": chosen_day("Until", until), "speaker": speaker or None}


def answer_views(answer: dict[str, Any] | None, turn: int) -> tuple[Any, ...]:
    """The timeline (entries, then the chart) or the day's briefing an answer is drawn as,
    each shown only for its kind of answer, and the article the day's briefing reads."""
    cited = answer["citations"] if answer else []
    timeline = bool(cited) and answer["kind"] == TIMELINE
    digest = bool(cited) and answer["kind"] == DIGEST
    if timeline:
        frame, period = mention_frame(answer["days"])
        chart = gr.LinePlot(frame, x_title=period, x_axis_format=AXIS_FORMATS[period],
                            visible=True)
    else:
        chart = gr.LinePlot(None, visible=False)
    return (gr.HTML(timeline_html(answer, turn) if timeline else "", visible=timeline), chart,
            gr.HTML(digest_html(answer, turn) if digest else "", visible=digest),
            gr.Button(visible=digest), cited[0]["article_id"] if digest else "")


class Handlers:
    """The page's event handlers over one store."""

    def __init__(self, store: Store, follower: Follower | None = None) -> None:
        self.store = store
        self.follower = follower

    def respond(self, question: str | None, messages: Messages, answers: list[dict[str, Any]],
                source: str | None, since: str | None, until: str | None,
                speaker: str | None) -> Iterator[tuple[Any, ...]]:
        """One chat turn; earlier answers go to `ask` as history for follow-ups. A language
        model's draft shows as it is written, then gives way to the checked answer, drawn as
        a timeline or a day's briefing when it is one."""
        unchanged = (gr.skip(),) * 5
        if not (question or "").strip():
            yield messages, answers, gr.skip(), "", *unchanged
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
                       gr.skip(), "", *unchanged)
        except ValueError as error:
            raise gr.Error(str(error)) from None
        data, turn = answer.to_dict(), len(messages) // 2 + 1
        messages = [*asked, {"role": "assistant", "content": answer_message(data, turn)}]
        yield (messages, [*answers, data][-HISTORY_TURNS:], self.cards(data, turn), "",
               *answer_views(data, turn))

    def clear(self) -> tuple[Any, ...]:
        """A new conversation: nothing said, no cards, no timeline or day's briefing."""
        return [], [], self.cards(None), *answer_views(None, 0)

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
        """What the store holds, and what follows from it: the summary, the table's first page
        (its search cleared), the filter choices, the example questions and the question
        box's hint."""
        catalog = self.store.catalog()
        sources = [("Any source", ""), *((s, s) for s in sorted({e.source for e in catalog})
                                         if s)]
        speakers = [("Anyone", ""), *((s, s) for s in self.store.people())]
        examples = example_questions(self.store)
        following = self.follower.describe() if self.follower else None
        return (corpus_summary(catalog, following), "", *self.table(catalog_page(catalog, "", 1)),
                gr.Dropdown(choices=sources), gr.Dropdown(choices=speakers),
                gr.Dataset(samples=[[q] for q in examples]),
                gr.Textbox(placeholder=examples[0]))

    @staticmethod
    def table(page: CatalogPage) -> tuple[Any, ...]:
        """The table's rows, the line saying which page of how many, the page's number and
        its rows' article ids."""
        return pd.DataFrame(page.rows, columns=COLUMNS), page.label, page.number, page.ids

    def corpus_page(self, query: str | None, number: int) -> tuple[Any, ...]:
        """Page `number` of the articles whose title or speakers hold the search's words."""
        return self.table(catalog_page(self.store.catalog(), query, number))

    def search(self, query: str | None) -> tuple[Any, ...]:
        return self.corpus_page(query, 1)

    def newer(self, query: str | None, number: int) -> tuple[Any, ...]:
        return self.corpus_page(query, number - 1)

    def older(self, query: str | None, number: int) -> tuple[Any, ...]:
        return self.corpus_page(query, number + 1)

    def read(self, article_id: str | None) -> tuple[str, str]:
        """The article in the reader, and its id (to delete it); the empty reader for none."""
        article = self.store.get_articles([article_id]).get(article_id) if article_id else None
        if article is None:
            return reader_html(None), ""
        entry = next((e for e in self.store.catalog() if e.article_id == article_id), None)
        return reader_html(article, kind(entry) if entry else ""), article_id

    def open_row(self, ids: list[str], event: gr.SelectData) -> tuple[str, str]:
        """Choosing a row of the table opens its article in the reader."""
        number = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        return self.read(ids[number] if 0 <= number < len(ids) else None)

    def read_whole(self, article_id: str | None) -> tuple[Any, ...]:
        """A day's briefing read whole: the reader on the Corpus tab."""
        return *self.read(article_id), gr.Tabs(selected=CORPUS_TAB)

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
            return (gr.skip(),) * (2 + CORPUS_OUTPUTS)

        def show(state: UploadProgress) -> None:
            progress(None, desc=f"Fetching: {state.articles} articles read")

        result = add_links(text or "", self.store, show)
        return (upload_report(result.summary(), [str(e) for e in result.errors]), "",
                *self.corpus())

    def delete(self, article_id: str | None) -> tuple[Any, ...]:
        """Remove the article open in the reader, and close it."""
        article_id = (article_id or "").strip()
        removed = bool(article_id) and self.store.remove(article_id)
        message = (f"Removed {article_id}" if removed else
                   f"No article {article_id!r} in the store" if article_id else
                   "Choose an article in the table first")
        return (upload_report(message, []), *self.read(None), *self.corpus())


# What `Handlers.corpus` fills: summary, search, table, page line, page number, page ids,
# source and speaker choices, examples, question hint.
CORPUS_OUTPUTS = 10


def build_app(store: Store, follower: Follower | None = None) -> gr.Blocks:
    """The whole page, wired to `Handlers(store)`; UI events stay off the public API."""
    handlers = Handlers(store, follower)
    private: dict[str, Any] = {"api_visibility": "private"}
    with gr.Blocks(title="Briefing", analytics_enabled=False) as demo:
        gr.Markdown("## Briefing — ask the indexed news; every sentence cites its passage")
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Conversation", height=460, latex_delimiters=[],
                                         elem_id="chat", placeholder="Ask about the briefings.")
                    examples = example_questions(store)
                    with gr.Row():
                        question = gr.Textbox(show_label=False, scale=5, elem_id="question",
                                              placeholder=examples[0])
                        send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                    timeline = gr.HTML(visible=False, elem_id="timeline")
                    chart = gr.LinePlot(x="period", y="mentions", color="speaker",
                                        y_title="Mentions", color_title="Speaker",
                                        label="How often it came up",
                                        visible=False, elem_id="timeline-chart")
                    digest = gr.HTML(visible=False, elem_id="digest")
                    read_digest = gr.Button("Read the whole transcript", size="sm",
                                            visible=False, elem_id="digest-read")
                    suggestions = gr.Dataset(components=[question], label="Examples",
                                             samples=[[q] for q in examples], elem_id="examples")
                    with gr.Accordion("Filters", open=False), gr.Row():
                        source = gr.Dropdown(label="Source", choices=[("Any source", "")],
                                             value="")
                        speaker = gr.Dropdown(label="Speaker", choices=[("Anyone", "")],
                                              value="")
                        since = gr.DateTime(label="Since", include_time=False, type="string",
                                            elem_id="since")
                        until = gr.DateTime(label="Until", include_time=False, type="string",
                                            elem_id="until")
                    clear = gr.Button("New conversation", size="sm")
                with gr.Column(scale=2):
                    gr.Markdown("### Cited passages")
                    cards = gr.HTML(handlers.cards(None), elem_id="citations")
            with gr.Tab("Corpus", id=CORPUS_TAB):
                summary = gr.HTML(elem_id="corpus-summary")
                search = gr.Textbox(label="Search titles and speakers", elem_id="corpus-search",
                                    placeholder="omicron psaki")
                with gr.Row(equal_height=True, elem_id="corpus-paging"):
                    position = gr.Markdown(elem_id="corpus-page")
                    newer = gr.Button("◀ Newer", size="sm", scale=0, min_width=110,
                                      elem_id="corpus-newer")
                    older = gr.Button("Older ▶", size="sm", scale=0, min_width=110,
                                      elem_id="corpus-older")
                table = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True,
                                     elem_id="corpus-table", show_label=False, max_height=620,
                                     column_widths=["110px", "46%", "100px", "22%", "12%"])
                reader = gr.HTML(reader_html(None), elem_id="reader")
                delete = gr.Button("Delete article", variant="stop", size="sm")
                with gr.Accordion("Add articles", open=True), gr.Row():
                    files = gr.File(label=f"Add articles ({' '.join(SUFFIXES)})",
                                    elem_id="upload", file_count="multiple",
                                    file_types=list(SUFFIXES))
                    with gr.Column():
                        links = gr.Textbox(label="Add web pages, PDFs or feeds by URL",
                                           elem_id="links",
                                           placeholder="https://example.com/news/story")
                        fetch = gr.Button("Fetch", elem_id="fetch")
                report = gr.HTML(elem_id="upload-report")
        answers = gr.State([])
        page_number, page_ids, chosen, digest_id = gr.State(1), gr.State([]), gr.State(""), \
            gr.State("")

        views = [timeline, chart, digest, read_digest, digest_id]
        chat = ([question, chatbot, answers, source, since, until, speaker],
                [chatbot, answers, cards, question, *views])
        question.submit(handlers.respond, *chat, **private)
        send.click(handlers.respond, *chat, **private)
        clear.click(handlers.clear, None, [chatbot, answers, cards, *views], **private)
        suggestions.click(handlers.pick_example, suggestions, question, **private)
        read_digest.click(handlers.read_whole, digest_id, [reader, chosen, tabs], **private)

        paging = [table, position, page_number, page_ids]
        corpus = [summary, search, *paging, source, speaker, suggestions, question]
        search.change(handlers.search, search, paging, trigger_mode="always_last", **private)
        newer.click(handlers.newer, [search, page_number], paging, **private)
        older.click(handlers.older, [search, page_number], paging, **private)
        table.select(handlers.open_row, page_ids, [reader, chosen], **private)
        delete.click(handlers.delete, chosen, [report, reader, chosen, *corpus], **private)
        files.upload(handlers.upload, files, [report, files, *corpus], show_progress_on=report,
                     **private)
        for event in (links.submit, fetch.click):
            event(handlers.add_links, links, [report, links, *corpus], show_progress_on=report,
                  **private)
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
