"""The benchmark corpora and question sets from `../shared`, and the stores built from them.

Stores are expensive (about 15 chunks a second on two cores), so each is cached under
`benchmarks/.cache/<set>-<key>/`, keyed on the articles, the embedding model and the store
format. A briefing store built by other ingest code is still used, with a warning: delete it to
rebuild it with the current code.
"""

from __future__ import annotations

import ast
import bisect
import functools
import hashlib
import itertools
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.ingest import ingest
from index.read.files import load_paths
from index.records import Article
from index.settings import Settings
from index.store.chroma import STORE_FORMAT, Store
from index.vectors.embed import model_label
from index.vectors.weights import resolve_model_path

if TYPE_CHECKING:
    from langchain_chroma import Chroma

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
EVAL = SHARED / "eval"
SEED_ARTICLE = DATA / "seed" / "isis-briefing.txt"
CACHE = Path(__file__).resolve().parent / ".cache"
DONE_MARKER = "complete"
BRIEFING_CODE = ROOT / "index"
LANGCHAIN_COLLECTION = "naive"
# What `--quick` keeps: the questions asked, and how many unneeded articles stay as distractors.
QUICK_QUESTIONS = {"seed": None, "unanswerable": None, "speaker": 30, "realtimeqa": 50,
                   "transcripts": 20, "time": 24}
QUICK_DISTRACTORS = {"seed": 40, "unanswerable": 40, "speaker": 4, "realtimeqa": 100,
                     "transcripts": 2, "time": 8}
# What `--quick` asks of the time set: the kinds whose gold lies in the transcripts they cite
# (a first or last mention needs the whole archive to be right).
QUICK_KINDS = ("window", "relative", "digest")
FULL_DISTRACTORS = {"seed": 40, "unanswerable": 40, "speaker": None, "realtimeqa": None,
                    "transcripts": None, "time": None}
QUESTION_TURN = re.compile(r"^[ \t\u00a0]*Q(?:[ \t\u00a0]*:|[ \t\u00a0]+)(?=\S)", re.MULTILINE)
ANY_TURN = re.compile(r"^[ \t\u00a0]*(?:Q(?:[ \t\u00a0]*:|[ \t\u00a0]+)(?=\S)|[A-Z][A-Z.’' -]+:)",
                      re.MULTILINE)
# Our own off-topic questions; their "tune" half set the relevance floor, so only "report" counts.
UNANSWERABLE = ROOT / "tests" / "data" / "unanswerable.jsonl"
HALVES = ("tune", "report")
SET_NAMES = tuple(QUICK_QUESTIONS)


@dataclass(frozen=True)
class Span:
    article_id: str
    start: int
    end: int

    def overlaps(self, article_id: str, start: int, end: int) -> bool:
        return article_id == self.article_id and start < self.end and self.start < end


@dataclass(frozen=True)
class Question:
    """`gold` must be cited; `also_ok` may be; `answers` must all appear in the answer text;
    `wrong_answers` are the other choices of a multiple-choice question. Transcript questions
    have a `kind` ("what" / "who") and `avoid`: per article, the reporters' questions, which
    are never an answer."""

    id: str
    text: str
    gold: tuple[Span, ...]
    answers: tuple[str, ...]
    also_ok: tuple[Span, ...] = ()
    wrong_answers: tuple[str, ...] = ()
    speaker: str | None = None
    no_answer: bool = False
    kind: str = ""
    avoid: Mapping[str, tuple[Span, ...]] = field(default_factory=dict, compare=False)
    half: str = ""
    when: When | None = None

    def __post_init__(self) -> None:
        if not self.half:
            object.__setattr__(self, "half", half_of(self.id))


@dataclass(frozen=True)
class When:
    """What a question about time is scored on (`../shared/README.md`): the window it names
    (`since`, `until`, inclusive ISO days), the day it is asked (`today`), the day of a first
    or last mention (`day`), every day the speaker said it (`days`, a timeline), the topic,
    and for a digest the day's transcript and its reporters' questions (`texts`; their
    spans are the question's `gold`)."""

    since: str | None = None
    until: str | None = None
    today: str | None = None
    day: str | None = None
    days: tuple[str, ...] = ()
    article: str | None = None
    topic: str | None = None
    texts: tuple[str, ...] = ()


def half_of(question_id: str) -> str:
    """Every dev set is cut in two by a hash of the question id: "tune" is what thresholds
    and weights may be fitted on, "report" what the README reports."""
    digest = hashlib.sha256(question_id.encode("utf-8")).digest()
    return HALVES[digest[0] % 2]


@dataclass(frozen=True)
class QuestionSet:
    name: str
    articles: list[Article]
    questions: list[Question]

    @property
    def key(self) -> str:
        """Names the cache: the same articles under the same model give the same stores."""
        digest = hashlib.sha256(model_label(Settings().embed_model).encode())
        for article in self.articles:
            digest.update(article.content_hash.encode())
        return f"{self.name}-{digest.hexdigest()[:12]}"

    @property
    def characters(self) -> int:
        return sum(len(article.text) for article in self.articles)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def load_articles(*paths: Path) -> list[Article]:
    """Read through the product's own loader, so ids are exactly the ones `ingest` gives."""
    loaded = list(load_paths(paths))
    problems = [str(item) for item in loaded if not isinstance(item, Article)]
    if problems:
        raise RuntimeError(f"cannot load benchmark data: {problems[:3]}")
    return [item for item in loaded if isinstance(item, Article)]


def seed_questions() -> tuple[list[Article], list[Question]]:
    seed = load_articles(SEED_ARTICLE)
    article_id = seed[0].id

    def spans(records: list[dict[str, Any]]) -> tuple[Span, ...]:
        return tuple(Span(article_id, r["start"], r["end"]) for r in records)

    questions = [Question(id=r["id"], text=r["question"], gold=spans(r["gold"]),
                          answers=tuple(g["text"] for g in r["gold"]),
                          also_ok=spans(r.get("also_ok", [])), speaker=r.get("speaker"),
                          no_answer=bool(r.get("no_answer")))
                 for r in read_jsonl(EVAL / "seed_questions.jsonl")]
    return seed + load_articles(DATA / "news_summary.csv"), questions


def unanswerable_questions() -> tuple[list[Article], list[Question]]:
    """Questions the seed briefing and the news rows cannot answer: `no_answer` is right. The
    file marks its own halves (the "tune" half set the relevance floor)."""
    articles, _ = seed_questions()
    questions = [Question(id=f"unanswerable-{n}", text=r["question"], gold=(), answers=(),
                          no_answer=True, half=r["split"])
                 for n, r in enumerate(read_jsonl(UNANSWERABLE))]
    return articles, questions


def speaker_questions() -> tuple[list[Article], list[Question]]:
    articles = load_articles(DATA / "polnear" / "dev_articles.jsonl")
    texts = {a.id: a.text for a in articles}
    questions = []
    for record in read_jsonl(EVAL / "speaker_questions_dev.jsonl"):
        gold = tuple(Span(record["article"], g["start"], g["end"]) for g in record["gold"])
        questions.append(Question(
            id=record["id"], text=record["question"], gold=gold, speaker=record["speaker"],
            answers=tuple(texts[s.article_id][s.start:s.end] for s in gold)))
    return articles, questions


def realtimeqa_questions() -> tuple[list[Article], list[Question]]:
    """The whole passage is the evidence; the answer is the right choice's text. Each question
    is asked on its quiz's day."""
    articles = load_articles(DATA / "realtimeqa_passages_dev.jsonl")
    lengths = {a.id: len(a.text) for a in articles}
    questions = [Question(id=r["id"], text=r["question"],
                          gold=(Span(r["article"], 0, lengths[r["article"]]),),
                          answers=tuple(r["answer"]),
                          wrong_answers=tuple(c for c in r["choices"] if c not in r["answer"]),
                          when=When(today=quiz_day(r["id"])))
                 for r in read_jsonl(EVAL / "realtimeqa_questions_dev.jsonl")]
    return articles, questions


def quiz_day(question_id: str) -> str | None:
    """The day a RealTime QA quiz was published, from its id ("rtqa-20200103_0"): the day its
    "this week" means."""
    found = re.search(r"(\d{4})(\d\d)(\d\d)_", question_id)
    return "-".join(found.groups()) if found else None


def transcript_questions() -> tuple[list[Article], list[Question]]:
    """Gold sentences are given as text (whitespace-folded): found in the transcript as the
    loader reads it (front matter off, Markdown escapes undone)."""
    articles = load_articles(DATA / "transcripts")
    by_id = {a.id: a for a in articles}
    asked = {a.id: reporter_questions(a.id, a.text) for a in articles}
    questions = []
    for record in read_jsonl(EVAL / "transcript_questions_dev.jsonl"):
        article = by_id[record["article"]]
        gold = tuple(locate(article, text) for text in record["gold"])
        questions.append(Question(id=record["id"], text=record["question"], gold=gold,
                                  answers=tuple(record["gold"]), speaker=record["speaker"],
                                  kind=record["kind"], avoid=asked))
    return articles, questions


def locate(article: Article, folded: str) -> Span:
    """The span of `article.text` that reads `folded` once its whitespace is folded."""
    words, text, starts = _folded(article.text)
    at = text.find(folded)
    if at < 0:
        raise RuntimeError(f"gold sentence not in {article.id}: {folded[:60]!r}")
    first = bisect.bisect_right(starts, at) - 1
    last = bisect.bisect_right(starts, at + len(folded) - 1) - 1
    return Span(article.id, words[first].start() + at - starts[first],
                words[last].start() + at + len(folded) - starts[last])


@functools.lru_cache(maxsize=1024)
def _folded(text: str) -> tuple[list[re.Match[str]], str, list[int]]:
    """The text's words, the words joined by single spaces, and where each starts there."""
    words = list(re.finditer(r"\S+", text))
    starts = list(itertools.accumulate((len(w[0]) + 1 for w in words), initial=0))
    return words, " ".join(w[0] for w in words), starts


def reporter_questions(article_id: str, text: str) -> tuple[Span, ...]:
    """Each "Q" turn, up to the next label: found here with a plain pattern of its own, so the
    benchmark does not take the product's word for what a question is."""
    starts = [m.start() for m in QUESTION_TURN.finditer(text)]
    labels = [m.start() for m in ANY_TURN.finditer(text)]
    return tuple(Span(article_id, start,
                      next((label for label in labels if label > start), len(text)))
                 for start in starts)


def time_questions() -> tuple[list[Article], list[Question]]:
    """The whole 2021-22 archive and its questions about when. Gold sentences are text, found
    in the transcripts of their day (a day may have several); a digest's gold is its
    transcript's reporters' questions."""
    articles = load_articles(DATA / "briefings-2021-22")
    by_day: dict[str, list[Article]] = {}
    for article in articles:
        by_day.setdefault(article.date[:10], []).append(article)
    questions = []
    for record in read_jsonl(EVAL / "time_questions_dev.jsonl"):
        field_of = {key: _literal(value) for key, value in record.items()}
        kind = field_of["kind"]
        if kind == "digest":
            article = next(a for a in articles if a.id == field_of["article"])
            gold = tuple(locate(article, text) for text in field_of["gold_questions"])
            when = When(day=field_of["date"], article=article.id,
                        texts=tuple(field_of["gold_questions"]))
        elif kind == "timeline":
            gold = tuple(_locate_on(by_day[day], text)
                         for day, texts in field_of["gold"].items() for text in texts)
            when = When(days=tuple(sorted(field_of["gold_dates"])), topic=field_of["topic"])
        else:
            candidates = by_day[field_of["gold_date"]] if "gold_date" in field_of else [
                a for day, on_day in by_day.items() for a in on_day
                if field_of["since"] <= day <= field_of["until"]]
            gold = tuple(_locate_on(candidates, text) for text in field_of["gold"])
            when = When(since=field_of.get("since"), until=field_of.get("until"),
                        today=field_of.get("today"), day=field_of.get("gold_date"),
                        topic=field_of["topic"])
        questions.append(Question(id=record["id"], text=record["question"], gold=gold,
                                  answers=(), speaker=field_of.get("speaker"), kind=kind,
                                  when=when))
    return articles, questions


def _literal(value: Any) -> Any:
    """Some fields of the time set hold a list or dict written as Python text."""
    if isinstance(value, str) and value[:1] in "[{":
        return ast.literal_eval(value)
    return value


def _locate_on(articles: Sequence[Article], folded: str) -> Span:
    """`locate` in whichever of these articles holds the sentence."""
    for article in articles:
        if folded in _folded(article.text)[1]:
            return locate(article, folded)
    raise RuntimeError(f"gold sentence in none of {len(articles)} articles: {folded[:60]!r}")


READERS: dict[str, Callable[[], tuple[list[Article], list[Question]]]] = {
    "seed": seed_questions, "unanswerable": unanswerable_questions,
    "speaker": speaker_questions, "realtimeqa": realtimeqa_questions,
    "transcripts": transcript_questions, "time": time_questions}


def question_set(name: str, *, quick: bool, limit: int | None = None) -> QuestionSet:
    """The first `limit` questions (quick: a fixed few) over the articles they need plus
    distractors: a handful in quick mode, otherwise the whole split."""
    articles, questions = READERS[name]()
    if quick and name == "time":
        questions = [q for q in questions if q.kind in QUICK_KINDS]
    limit = limit or (QUICK_QUESTIONS[name] if quick else None)
    questions = questions[:limit]
    distractors = (QUICK_DISTRACTORS if quick else FULL_DISTRACTORS)[name]
    return QuestionSet(name, with_distractors(articles, questions, distractors), questions)


def with_distractors(articles: Sequence[Article], questions: Iterable[Question],
                     distractors: int | None) -> list[Article]:
    """Every article a question cites, then the first `distractors` others (None: all)."""
    needed = {span.article_id for q in questions for span in q.gold + q.also_ok}
    others = [a for a in articles if a.id not in needed]
    return [a for a in articles if a.id in needed] + others[:distractors]


def cached_store(question_set: QuestionSet) -> Store:
    """The briefing store for this set, ingested once per articles × model × ingest code."""
    folder = CACHE / question_set.key / f"briefing-format{STORE_FORMAT}"
    settings = replace(Settings(), home=folder, chroma_url="")

    def build(target: Path) -> None:
        corpus = target / "corpus.jsonl"
        write_jsonl(corpus, question_set.articles)
        report = ingest([corpus], Store(target, settings))
        if report.errors:
            raise RuntimeError(f"ingest of {question_set.name} failed: {report.errors[:3]}")

    _build_once(folder, build, built_by=_code_hash(BRIEFING_CODE))
    return Store(folder, settings)


def cached_langchain(question_set: QuestionSet, splitter_chunk: int,
                     splitter_overlap: int) -> Chroma:
    """The naive LangChain index a user would build: split, embed, `Chroma.from_documents`."""
    embeddings = langchain_embeddings()
    folder = CACHE / question_set.key / f"langchain-{splitter_chunk}-{splitter_overlap}"

    def build(target: Path) -> None:
        build_langchain(question_set.articles, target, embeddings, splitter_chunk,
                        splitter_overlap)

    _build_once(folder, build)
    return open_langchain(folder, embeddings)


def build_langchain(articles: Iterable[Article], target: Path, embeddings: Any,
                    splitter_chunk: int, splitter_overlap: int) -> int:
    """Split, embed, `Chroma.from_documents`, as the LangChain docs teach; returns the number
    of chunks."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=splitter_chunk,
                                              chunk_overlap=splitter_overlap,
                                              add_start_index=True)
    documents = splitter.split_documents(
        [Document(a.text, metadata={"article_id": a.id}) for a in articles])
    Chroma.from_documents(documents, embeddings, collection_name=LANGCHAIN_COLLECTION,
                          persist_directory=str(target))
    return len(documents)


def open_langchain(folder: Path, embeddings: Any) -> Chroma:
    from langchain_chroma import Chroma

    return Chroma(collection_name=LANGCHAIN_COLLECTION, embedding_function=embeddings,
                  persist_directory=str(folder))


def langchain_embeddings() -> Any:
    """`HuggingFaceEmbeddings` over the very model folder the briefing store uses."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model_name=resolve_model_path(Settings().embed_model),
                                 model_kwargs={"device": "cpu"})


def write_jsonl(path: Path, articles: Iterable[Article]) -> None:
    fields = ("id", "text", "title", "date", "source", "author", "url")
    with path.open("w", encoding="utf-8") as out:
        for article in articles:
            out.write(json.dumps({f: getattr(article, f) for f in fields}) + "\n")


def _build_once(folder: Path, build: Callable[[Path], None], built_by: str = "") -> None:
    """A folder without its marker is a build that died half-way: start it again. The marker
    holds `built_by`, so a store from other code is flagged rather than silently trusted."""
    marker = folder / DONE_MARKER
    if marker.exists():
        if marker.read_text() != built_by:
            print(f"warning: {folder} was built by other ingest code; "
                  "delete it to rebuild with the current code", flush=True)
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"building {folder.relative_to(CACHE)} (cached for later runs)…", flush=True)
    build(folder)
    marker.write_text(built_by)


def _code_hash(package: Path) -> str:
    digest = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]
