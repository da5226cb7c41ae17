"""Ingest and query speed of `briefing` beside the naive LangChain pipeline: one run, this
machine, the same embedding model (all-MiniLM-L6-v2) and the same articles.

Every measured step runs in its own process, so each starts cold and its peak memory (the
process and its ingest workers) is its own.

The smallest size is ingested from scratch. A bigger size N would not fit the time box of a run
on two cores (parsing and embedding take ~170 ms per article), so its store is *grown*: the
small store copied, filled with copies of its articles under new ids (stored vectors reused, no
parse or embedding) up to N minus a fresh batch, then the fresh batch (half the smallest size,
real articles not yet seen) ingested and timed: ingest speed and memory with N articles in the
store. The naive store is grown the same way (copies of its chunks and vectors) to N for query
latency at N. Without quotes, the first half of the smallest size is ingested.

Run: .venv/bin/python -m benchmarks.speed [--quick] [--full] [--sizes 1000,10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks.corpora import (
    DATA,
    EVAL,
    SEED_ARTICLE,
    build_langchain,
    langchain_embeddings,
    load_articles,
    open_langchain,
    read_jsonl,
    write_jsonl,
)
from benchmarks.quality import BASELINE_K, BRIEFING_K, SPLITTER_CHUNK, SPLITTER_OVERLAP
from index.records import Article

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "speed.json"
SOURCES = ("bbc.jsonl", "news_summary.csv", "polnear/train_articles.jsonl",
           "polnear/dev_articles.jsonl", "realtimeqa_passages_dev.jsonl")
DEFAULT_SIZES = (1000, 10000)
FULL_SIZE = 100000
QUICK_SIZES = (10, 30)
QUICK_QUESTIONS = 10
QUESTIONS = 200
COLD_RUNS = 3
HELP_RUNS = 5
GROW_BATCH = 256
RSS_EVERY = 0.1  # seconds between memory samples
SHUFFLE_SEED = 7
COLD_QUESTION = "What did Dunford say about revenue?"
TRANSCRIPTS = DATA / "transcripts"
QUICK_TRANSCRIPTS = 4
STAGE_ARTICLES = 60  # articles profiled step by step, on one thread
WARMUP_TEXTS = 8
PAGE_RUNS = 3  # warm page loads timed (the best is kept)


# -- corpus and questions ----------------------------------------------------------------------

def real_articles() -> list[Article]:
    """Every article in ../shared/data (five sources plus the seed), in a fixed shuffled order
    so any prefix is a mix of sources and lengths."""
    articles = load_articles(SEED_ARTICLE, *(DATA / name for name in SOURCES))
    random.Random(SHUFFLE_SEED).shuffle(articles)
    return articles


def copy_of(article: Article, copy: int) -> Article:
    """Copy c of an article: id `<id>~c` and `(c)` after its title, so a new content hash;
    the text is unchanged, so the stored sentence offsets and vectors still fit it."""
    return replace(article, id=f"{article.id}~{copy}", title=f"{article.title} ({copy})",
                   content_hash="")


def questions(count: int) -> list[str]:
    """Real evaluation questions, alternating RealTime QA and speaker questions, seed first."""
    seed = [r["question"] for r in read_jsonl(EVAL / "seed_questions.jsonl")]
    quiz = [r["question"] for r in read_jsonl(EVAL / "realtimeqa_questions_dev.jsonl")]
    said = [r["question"] for r in read_jsonl(EVAL / "speaker_questions_dev.jsonl")]
    mixed = seed + [q for pair in zip(quiz, said) for q in pair]
    return mixed[:count]


# -- phases: each runs in a child process and prints one JSON line -----------------------------

def phase_ours_ingest(corpus_file: Path, store_dir: Path) -> dict[str, Any]:
    from index.ingest import ingest
    from index.store.chroma import Store

    store = Store(store_dir)
    characters = 0

    def count(item: object) -> None:
        nonlocal characters
        characters += len(getattr(item, "text", ""))

    started = time.perf_counter()
    report = ingest([corpus_file], store, on_article=count)
    seconds = time.perf_counter() - started
    if report.errors:
        raise RuntimeError(f"ingest errors: {[str(e) for e in report.errors[:3]]}")
    return {"seconds": seconds, "articles": report.articles, "chunks": report.chunks,
            "characters": characters, "backend": store.embedder.backend,
            "quotes": store.settings.quotes}


def phase_naive_ingest(corpus_file: Path, store_dir: Path) -> dict[str, Any]:
    embeddings = langchain_embeddings()
    started = time.perf_counter()
    articles = load_articles(corpus_file)
    chunks = build_langchain(articles, store_dir, embeddings, SPLITTER_CHUNK, SPLITTER_OVERLAP)
    return {"seconds": time.perf_counter() - started, "articles": len(articles),
            "chunks": chunks, "characters": sum(len(a.text) for a in articles)}


def phase_ours_serve(store_dir: Path, asked: list[str]) -> dict[str, Any]:
    from qa.api import ask, open_store

    store = open_store(store_dir)
    return timed_answers(lambda q: ask(q, store=store, k=BRIEFING_K), asked)


def phase_ours_page(store_dir: Path) -> dict[str, Any]:
    """What the web page costs a visitor: building the page (its example questions), and
    `Handlers.corpus()` as each page load runs it (catalog, summary, the table's first page,
    filter choices, examples). Cold: the first of each in a fresh process, reading the store;
    warm: again, the store unchanged. `catalog_fresh_s`: the catalog read whole on a store
    opened afresh, as after any write. Then a page of the table, a search, and the reader."""
    from index.store.chroma import Store
    from ui.app import Handlers, build_app

    def timed(work: Callable[[], Any]) -> float:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started

    store = Store(store_dir)
    handlers = Handlers(store)
    cold = {"build_app_s": timed(lambda: build_app(store).close()),
            "corpus_s": timed(handlers.corpus)}
    warm = {"build_app_s": min(timed(lambda: build_app(store).close())
                               for _ in range(PAGE_RUNS)),
            "corpus_s": min(timed(handlers.corpus) for _ in range(PAGE_RUNS))}
    fresh = min(timed(Store(store_dir).catalog) for _ in range(PAGE_RUNS))
    middle = store.catalog()[len(store.catalog()) // 2].article_id
    return {"articles": len(store.catalog()), "cold": cold, "warm": warm,
            "catalog_fresh_s": fresh,
            "page_ms": 1000 * min(timed(lambda: handlers.corpus_page("", 200))
                                  for _ in range(PAGE_RUNS)),
            "search_ms": 1000 * min(timed(lambda: handlers.search("bbc news"))
                                    for _ in range(PAGE_RUNS)),
            "reader_ms": 1000 * timed(lambda: handlers.read(middle))}


def phase_naive_serve(store_dir: Path, asked: list[str]) -> dict[str, Any]:
    index = open_langchain(store_dir, langchain_embeddings())
    return timed_answers(lambda q: index.similarity_search(q, k=BASELINE_K), asked)


def phase_ours_grow(source: Path, target: Path, count: str) -> dict[str, Any]:
    """`count` copies of the source store's articles (copy 1 of each, then copy 2, ...),
    written with their stored vectors through the normal write path (no parse, no embedding)."""
    import numpy as np

    from index.store.chroma import Store

    shutil.copytree(source, target)
    store = Store(target)
    originals = list(store.iter_articles())
    vectors = stored_chunk_vectors(store, originals)
    started = time.perf_counter()
    wanted = copy_plan(len(originals), int(count))
    for first in range(0, len(wanted), GROW_BATCH):
        part = wanted[first:first + GROW_BATCH]
        store.write([copied(originals[index], copy) for copy, index in part],
                    np.concatenate([vectors[index] for _, index in part]))
    store.keyword  # noqa: B018 - as ingest does, so the timed ingest finds it in step
    return {"seconds": time.perf_counter() - started, "articles": len(wanted)}


def stored_chunk_vectors(store: Any, articles: list[Any]) -> list[Any]:
    """Each article's chunk vectors as the store holds them, in chunk order: a copy of the
    article is cut into the same chunks."""
    import numpy as np

    counts = {article_id: int(meta["chunks"]) for article_id, meta in
              store.iter_article_metadata()}
    found: list[Any] = []
    for item in articles:
        ids = [f"{item.article.content_hash}:{n}" for n in range(counts[item.article.id])]
        got = store.chunks.get(ids=ids, include=["embeddings"])
        rows = dict(zip(got["ids"], got["embeddings"]))
        found.append(np.asarray([rows[i] for i in ids], dtype=np.float32))
    return found


def copy_plan(originals: int, count: int) -> list[tuple[int, int]]:
    """(copy number, original index) for `count` copies: every original once, then again."""
    return [(1 + n // originals, n % originals) for n in range(count)]


def copied(item: Any, copy: int) -> Any:
    from index.records import IndexedArticle
    from index.vectors.chunks import chunk_article

    article = copy_of(item.article, copy)
    sentences = [replace(s, article_id=article.id) for s in item.sentences]
    return IndexedArticle(article, sentences,
                          [replace(q, article_id=article.id) for q in item.quotes],
                          chunk_article(article, sentences), None, item.turns)


def phase_naive_grow(source: Path, target: Path, count: str) -> dict[str, Any]:
    """Copies of the naive store's chunks, vectors included, for `count` article copies in the
    order `phase_ours_grow` makes them."""
    shutil.copytree(source, target)
    collection = open_langchain(target, None)._collection
    records = collection.get(include=["embeddings", "documents", "metadatas"])
    by_article: dict[str, list[int]] = {}
    for row, meta in enumerate(records["metadatas"]):
        by_article.setdefault(meta["article_id"], []).append(row)
    articles = list(by_article.values())
    rows = [(copy, row) for copy, index in copy_plan(len(articles), int(count))
            for row in articles[index]]
    started = time.perf_counter()
    step = collection._client.get_max_batch_size()
    for first in range(0, len(rows), step):
        part = rows[first:first + step]
        collection.add(ids=[f"{records['ids'][row]}~{copy}" for copy, row in part],
                       embeddings=[records["embeddings"][row] for _, row in part],
                       documents=[records["documents"][row] for _, row in part],
                       metadatas=[records["metadatas"][row] for _, row in part])
    return {"seconds": time.perf_counter() - started, "articles": int(count)}


def phase_stages(corpus_file: Path, store_dir: Path) -> dict[str, Any]:
    """CPU seconds per article of each ingest step, in one process on one thread: what a
    worker spends its time on."""
    import numpy as np

    from index.ingest import load_sentence_nlp
    from index.records import IndexedArticle
    from index.speech.quotes import attribute_sentences, extract_quotes, load_nlp
    from index.speech.sentences import split_sentences
    from index.store.chroma import Store
    from index.vectors.chunks import chunk_article, normalise_whitespace
    from index.vectors.embed import Embedder, pool_chunks

    articles = load_articles(corpus_file)[:STAGE_ARTICLES]
    texts = [a.text for a in articles]
    steps: dict[str, float] = {}

    def step(name: str, work: Callable[[], Any]) -> Any:
        started = time.process_time()
        result = work()
        steps[name] = (time.process_time() - started) / len(articles)
        return result

    nlp, lean = load_nlp(), load_sentence_nlp()
    list(nlp.pipe(texts[:2])), list(lean.pipe(texts[:2]))
    step("spacy_sentences_only", lambda: list(lean.pipe(texts)))
    docs = step("spacy_full_parse", lambda: list(nlp.pipe(texts)))
    sentences = step("split", lambda: [split_sentences(a, d) for a, d in zip(articles, docs)])
    quotes = step("quotes", lambda: [extract_quotes(a.text, d, a.id, s)
                                     for a, d, s in zip(articles, docs, sentences)])
    sentences = [attribute_sentences(s, q) for s, q in zip(sentences, quotes)]
    chunks = step("chunk", lambda: [chunk_article(a, s) for a, s in zip(articles, sentences)])
    plain = [normalise_whitespace(a.text[s.start:s.end])
             for a, ss in zip(articles, sentences) for s in ss]
    vectors = {}
    for backend in ("onnx", "torch"):
        embedder = Embedder(threads=1, backend=backend)
        embedder.encode(plain[:WARMUP_TEXTS])
        vectors[backend] = step(f"embed_{backend}", lambda e=embedder: e.encode(plain))
    bounds = np.cumsum([0] + [len(s) for s in sentences])
    indexed = [IndexedArticle(a, s, q, c, vectors["onnx"][first:last])
               for a, s, q, c, first, last in zip(articles, sentences, quotes, chunks,
                                                  bounds, bounds[1:])]
    store = Store(store_dir)
    step("chroma_write", lambda: store.write(indexed, np.concatenate(
        [pool_chunks(i.vectors, i.chunks) for i in indexed])))
    step("keyword_index", lambda: store.keyword)
    agreement = (vectors["onnx"] * vectors["torch"]).sum(axis=1)
    return {"articles": len(articles), "sentences": len(plain),
            "cpu_ms_per_article": {k: round(1000 * v, 1) for k, v in steps.items()},
            "onnx_torch_cosine": {"mean": round(float(agreement.mean()), 5),
                                  "min": round(float(agreement.min()), 5)}}



def timed_answers(answer: Callable[[str], Any], asked: list[str]) -> dict[str, Any]:
    """Warm once (model and store loaded), then time every question."""
    answer(asked[0])
    latencies = []
    for question in asked:
        started = time.perf_counter()
        answer(question)
        latencies.append(1000 * (time.perf_counter() - started))
    return {"questions": len(asked), "latencies_ms": latencies}


def phase_archive_serve(asked: list[str]) -> dict[str, Any]:
    """"What did X say about T?" on the whole 2021-22 archive (663 transcripts), for every
    speaker/topic pair of the time set: the store of `benchmarks.quality`, built once."""
    from benchmarks.corpora import cached_store, question_set
    from qa.api import ask

    store = cached_store(question_set("time", quick=False))
    return {**timed_answers(lambda q: ask(q, store=store, k=BRIEFING_K), asked),
            "articles": store.stats()["articles"]}


def archive_questions() -> list[str]:
    from benchmarks.corpora import HALVES, question_set
    from benchmarks.time_set import pairs

    return [f"What did {speaker} say about {topic}?"
            for speaker, topic in pairs(question_set("time", quick=False), HALVES)]


PHASES: dict[str, Callable[..., dict[str, Any]]] = {
    "ours-ingest": phase_ours_ingest, "naive-ingest": phase_naive_ingest,
    "ours-serve": phase_ours_serve, "naive-serve": phase_naive_serve,
    "ours-page": phase_ours_page,
    "ours-grow": phase_ours_grow, "naive-grow": phase_naive_grow, "stages": phase_stages,
    "archive-serve": phase_archive_serve}


def run_phase(argv: list[str]) -> None:
    name, *args = argv
    if name == "archive-serve":
        result = PHASES[name](json.loads(Path(args[0]).read_text()))
    elif name in ("ours-serve", "naive-serve"):
        result = PHASES[name](Path(args[0]), json.loads(Path(args[1]).read_text()))
    elif name == "ours-page":
        result = PHASES[name](Path(args[0]))
    else:
        result = PHASES[name](Path(args[0]), Path(args[1]), *args[2:])
    print(json.dumps(result))


# -- the parent: child processes, their memory, their clocks -----------------------------------

def in_child(phase: str, *args: str | Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a phase in a fresh interpreter; adds `peak_rss_mb` of it and its workers."""
    command = [sys.executable, "-m", "benchmarks.speed", "--phase", phase, *map(str, args)]
    child_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    with subprocess.Popen(command, cwd=ROOT, env=child_env, stdout=subprocess.PIPE,
                          text=True) as process:
        peak = PeakMemory(process.pid)
        output, _ = process.communicate()
        peak.stop()
    if process.returncode:
        raise RuntimeError(f"phase {phase} failed with exit code {process.returncode}")
    return {**json.loads(output.strip().splitlines()[-1]), "peak_rss_mb": peak.megabytes,
            "load_1min": round(os.getloadavg()[0], 2)}


class PeakMemory:
    """Samples the resident memory of a process and all its children until stopped."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        import psutil

        while not self.done.wait(RSS_EVERY):
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                continue

    def stop(self) -> None:
        self.done.set()
        self.thread.join()

    @property
    def megabytes(self) -> float:
        return round(self.peak / 2**20, 1)


def wall_seconds(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "HF_HUB_OFFLINE": "1"})
        times.append(round(time.perf_counter() - started, 3))
    return times


def disk_mb(folder: Path) -> float:
    """What the store takes on disk (`briefing stats` counts the same way)."""
    from index.store.chroma import folder_size

    return round(folder_size(folder) / 2**20, 1)


def percentiles(latencies: Sequence[float]) -> dict[str, float]:
    import numpy as np

    return {f"p{p}_ms": round(float(np.percentile(latencies, p)), 1) for p in (50, 95, 99)}


def per_second(count: int, seconds: float) -> float:
    return round(count / seconds, 2) if seconds else 0.0


def ingest_row(system: str, size: int, result: dict[str, Any], folder: Path) -> dict[str, Any]:
    """`size` is the store's article count after the ingest, so disk is per stored article."""
    return {"system": system, "size": size, "articles": result["articles"],
            "chunks": result["chunks"], "seconds": round(result["seconds"], 1),
            "articles_per_s": per_second(result["articles"], result["seconds"]),
            "chunks_per_s": per_second(result["chunks"], result["seconds"]),
            "kchars_per_s": per_second(result["characters"] // 1000, result["seconds"]),
            "peak_rss_mb": result["peak_rss_mb"],
            "disk_mb_per_1k_articles": round(disk_mb(folder) * 1000 / size, 1),
            "bytes_per_char": round(disk_mb(folder) * 2**20 / result["characters"], 1)
            if size == result["articles"] else None,
            "load_1min": result["load_1min"]}


# -- the run -----------------------------------------------------------------------------------

def transcript_folder(work: Path, count: int | None) -> Path:
    """The dev transcripts as a user has them (Markdown with front matter), all or the first
    `count`."""
    files = sorted(TRANSCRIPTS.glob("*.md"))[:count]
    folder = work / "transcripts"
    folder.mkdir(exist_ok=True)
    for source in files:
        shutil.copyfile(source, folder / source.name)
    return folder


def run(sizes: Sequence[int], *, asked: int, work: Path,
        transcripts: int | None = None, archive: bool = True) -> dict[str, Any]:
    originals = real_articles()
    first, *bigger = check_sizes(sizes, len(originals))
    question_file = work / "questions.json"
    question_file.write_text(json.dumps(questions(asked)))
    fresh = first // 2
    base_corpus, half_corpus = work / "corpus-first.jsonl", work / "corpus-half.jsonl"
    fresh_corpus = work / "corpus-fresh.jsonl"
    write_jsonl(base_corpus, originals[:first])
    write_jsonl(half_corpus, originals[:fresh])
    write_jsonl(fresh_corpus, originals[first:first + fresh])
    rows: dict[str, list[dict[str, Any]]] = {"ingest": [], "grow": [], "query": []}

    def ingest(system: str, phase: str, corpus_file: Path, store: Path, size: int,
               env: dict[str, str] | None = None) -> None:
        row = ingest_row(system, size, in_child(phase, corpus_file, store, env=env), store)
        rows["ingest"].append({**row, "store_articles_before": size - row["articles"]})
        log(rows["ingest"][-1])

    def query(size: int, ours: Path, naive: Path) -> None:
        for system, phase, folder in (("briefing", "ours-serve", ours),
                                      ("naive-langchain", "naive-serve", naive)):
            result = in_child(phase, folder, question_file)
            rows["query"].append({"system": system, "size": size,
                                  "questions": result["questions"],
                                  **percentiles(result["latencies_ms"]),
                                  "peak_rss_mb": result["peak_rss_mb"],
                                  "load_1min": result["load_1min"]})
            log(rows["query"][-1])

    def grow(system: str, phase: str, source: Path, target: Path, count: int) -> None:
        result = in_child(phase, source, target, str(count))
        rows["grow"].append({"system": system, "articles_added": result["articles"],
                             "seconds": round(result["seconds"], 1),
                             "peak_rss_mb": result["peak_rss_mb"]})
        log(rows["grow"][-1])

    log(f"{first} articles, {sum(len(a.text) for a in originals[:first]) / first:.0f} chars each")
    ours, naive = work / f"ours-{first}", work / f"naive-{first}"
    ingest("briefing", "ours-ingest", base_corpus, ours, first)
    ingest("briefing, quotes off", "ours-ingest", half_corpus, work / "ours-plain", fresh,
           env={"BRIEFING_QUOTES": "off"})
    shutil.rmtree(work / "ours-plain")
    ingest("naive-langchain", "naive-ingest", base_corpus, naive, first)
    spoken = transcript_folder(work, transcripts)
    count = len(list(spoken.iterdir()))
    ingest("briefing, transcripts", "ours-ingest", spoken, work / "ours-transcripts", count)
    ingest("naive-langchain, transcripts", "naive-ingest", spoken, work / "naive-transcripts",
           count)
    shutil.rmtree(work / "ours-transcripts")
    shutil.rmtree(work / "naive-transcripts")
    query(first, ours, naive)
    largest = ours
    for size in bigger:
        grown, grown_naive = work / f"ours-{size}", work / f"naive-{size}"
        grow("briefing", "ours-grow", ours, grown, size - first - fresh)
        ingest("briefing", "ours-ingest", fresh_corpus, grown, size)
        grow("naive-langchain", "naive-grow", naive, grown_naive, size - first)
        query(size, grown, grown_naive)
        shutil.rmtree(grown_naive)
        if largest != ours:
            shutil.rmtree(largest)
        largest = grown
    page = {"size": max(sizes), **in_child("ours-page", largest)}
    log(page)
    briefing = str(Path(sys.executable).with_name("briefing"))
    cold_runs, help_runs = (1, 2) if first < STAGE_ARTICLES else (COLD_RUNS, HELP_RUNS)
    startup = {
        "cold_start_s": wall_seconds([briefing, "ask", COLD_QUESTION, "--store", str(largest)],
                                     cold_runs),
        "cold_start_store_articles": max(sizes),
        "help_s": wall_seconds([briefing, "--help"], help_runs),
        "import_qa_s": wall_seconds([sys.executable, "-c", "import qa"], help_runs)}
    log(startup)
    stages = in_child("stages", base_corpus, work / "stages")
    log(stages)
    if archive:
        archive_file = work / "archive-questions.json"
        archive_file.write_text(json.dumps(archive_questions()))
        result = in_child("archive-serve", archive_file)
        rows["query"].append({"system": "briefing, 2021-22 archive", "size": result["articles"],
                              "questions": result["questions"],
                              **percentiles(result["latencies_ms"]),
                              "peak_rss_mb": result["peak_rss_mb"],
                              "load_1min": result["load_1min"]})
        log(rows["query"][-1])
    return {**rows, "page": page, "startup": startup, "stages": stages}


def check_sizes(sizes: Sequence[int], available: int) -> list[int]:
    """The first size is ingested from real articles, and so is a fresh batch of half that:
    both must exist, and a bigger size must hold the first size and the fresh batch."""
    first, *bigger = sorted(sizes)
    needed = first + first // 2
    if needed > available:
        raise SystemExit(f"the smallest size can be at most {2 * available // 3} "
                         f"({available} real articles)")
    if any(size < needed for size in bigger):
        raise SystemExit(f"bigger sizes must be at least {needed} (1.5x the smallest)")
    return [first, *bigger]


def log(item: object) -> None:
    print(item if isinstance(item, str) else json.dumps(item), file=sys.stderr, flush=True)


def run_config(args: argparse.Namespace, sizes: Sequence[int]) -> dict[str, Any]:
    from index.settings import Settings
    from index.vectors.embed import resolve_backend

    settings = Settings()
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "quick": args.quick, "sizes": list(sizes), "questions": args.questions,
            "cpus": os.cpu_count(),
            "model": "all-MiniLM-L6-v2",
            "briefing_backend": resolve_backend(settings.embed_model, settings.embed_backend),
            "naive_backend": "torch fp32 (HuggingFaceEmbeddings)",
            "ingest_batch": settings.ingest_batch, "batch_size": settings.batch_size,
            "splitter": {"chunk_size": SPLITTER_CHUNK, "chunk_overlap": SPLITTER_OVERLAP},
            "k": {"briefing_ask": BRIEFING_K, "naive_similarity_search": BASELINE_K},
            "corpus": ("real articles of ../shared/data (BBC, Kaggle news_summary, PolNeAR, "
                       "RealTime QA passages, the seed briefing) shuffled with seed "
                       f"{SHUFFLE_SEED}: the first `size` ingested from scratch (without "
                       "quotes: its first half), the next `size / 2` ingested into each "
                       "grown store; a store of N is grown with copies of the first batch "
                       "up to N minus that fresh batch (copy c: id <id>~c, '(c)' after the "
                       "title, same text and stored vectors); then the White House "
                       "transcripts of ../shared/data/transcripts as Markdown files "
                       f"({QUICK_TRANSCRIPTS} of them with --quick)"),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


# -- reporting ---------------------------------------------------------------------------------

def format_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    cells = [[str(row.get(c, "-")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    return "\n".join("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(line, widths)))
                     for line in [list(columns), *cells])


def report(result: dict[str, Any]) -> str:
    ingest = format_table(result["ingest"], ["system", "size", "store_articles_before",
                                             "articles", "chunks", "seconds", "articles_per_s",
                                             "chunks_per_s", "kchars_per_s", "peak_rss_mb",
                                             "disk_mb_per_1k_articles", "bytes_per_char",
                                             "load_1min"])
    grow = format_table(result["grow"], ["system", "articles_added", "seconds", "peak_rss_mb"])
    query = format_table(result["query"], ["system", "size", "questions", "p50_ms", "p95_ms",
                                           "p99_ms", "peak_rss_mb", "load_1min"])
    stages = result["stages"]
    return "\n\n".join([ingest, f"stores grown with copies:\n{grow}", query,
                        f"web page: {json.dumps(result['page'])}",
                        f"startup: {json.dumps(result['startup'])}",
                        f"ingest steps, CPU ms per article on one thread "
                        f"({stages['articles']} articles): "
                        f"{json.dumps(stages['cpu_ms_per_article'])}",
                        f"onnx vs torch vectors: {json.dumps(stages['onnx_torch_cosine'])}"])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"sizes {QUICK_SIZES}, {QUICK_QUESTIONS} questions (a minute or two)")
    parser.add_argument("--full", action="store_true", help=f"add {FULL_SIZE:,} articles")
    parser.add_argument("--sizes", help="comma-separated corpus sizes (overrides the defaults)")
    parser.add_argument("--questions", type=int, help=f"questions per size (default {QUESTIONS})")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--work", type=Path, help="keep stores here (default: a temp folder)")
    parser.add_argument("--phase", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.questions = args.questions or (QUICK_QUESTIONS if args.quick else QUESTIONS)
    return args


def chosen_sizes(args: argparse.Namespace) -> list[int]:
    if args.sizes:
        return [int(s) for s in args.sizes.split(",")]
    if args.quick:
        return list(QUICK_SIZES)
    return [*DEFAULT_SIZES, *([FULL_SIZE] if args.full else [])]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.phase:
        run_phase(args.phase)
        return {}
    sizes = chosen_sizes(args)
    config = run_config(args, sizes)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="briefing-speed-") as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        result = run(sizes, asked=args.questions, work=work,
                     transcripts=QUICK_TRANSCRIPTS if args.quick else None,
                     archive=not args.quick)
    config["run_minutes"] = round((time.perf_counter() - started) / 60, 1)
    config["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    payload = {"config": config, **result}
    print(report(payload))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return payload


if __name__ == "__main__":
    main()
