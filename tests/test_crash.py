"""kill -9 during ingest at several points; `briefing check` and `repair`; damaged stores.

A killed ingest re-run must leave exactly what a clean run leaves: the same article records
(text, sentence table, quotes) and the same chunks, with the keyword index in step. Kills land
just before a chosen Chroma write (exact states) and at random moments (anywhere, even inside
a write)."""

from __future__ import annotations

import contextlib
import csv
import itertools
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from index.ingest import ingest
from index.settings import Settings
from index.store.check import DAMAGED, KEYWORD, MISSING, ORPHAN, STALE, check
from index.store.chroma import Store
from index.store.format import RECORD, STORE_FORMAT, unpack
from qa.api import ask
from qa.cli import main
from tests.conftest import ROOT, SEED, news_rows

ROWS = 8
BATCH = 2  # four batches; each writes: upsert chunks, upsert records, touch (none stale here)
WRITES = ("add", "upsert", "update", "delete", "modify")
# Killed before write 2: the first batch's chunks without their records; 6: the second batch's
# records written but the generation not moved on; 8: the third batch's records not written.
WRITE_POINTS = {2: {ORPHAN}, 6: set(), 8: {ORPHAN}}
MOMENTS = (0.6, 0.85)  # of a clean run's wall time, model loading included
CHILD = ("import sys; from tests.test_crash import run_killed_at_write as run; "
         "sys.exit(run(int(sys.argv[1]), sys.argv[2:]))")
Snapshot = tuple[dict[str, Any], dict[str, Any]]


def run_killed_at_write(number: int, argv: Sequence[str]) -> int:
    """The CLI in this process, SIGKILLed just before its `number`-th Chroma write (0: never)."""
    stop_at_write(number, lambda: os.kill(os.getpid(), signal.SIGKILL))
    return main(list(argv))


def stop_at_write(number: int, stop: Callable[[], object]) -> None:
    """Chroma's writes in this process call `stop` just before the `number`-th (0: never)."""
    from chromadb.api.models.Collection import Collection

    counter = itertools.count(1)

    def counted(write: Callable[..., Any]) -> Callable[..., Any]:
        def run(self: Collection, *args: Any, **kwargs: Any) -> Any:
            if next(counter) == number:
                stop()
            return write(self, *args, **kwargs)
        return run

    for name in WRITES:
        setattr(Collection, name, counted(getattr(Collection, name)))


def child_ingest(articles: Path, store: Path, kill_at_write: int = 0) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(kill_at_write), "ingest", str(articles), "--store",
         str(store)], cwd=ROOT, env={**os.environ, "BRIEFING_INGEST_BATCH": str(BATCH),
                                    "BRIEFING_INGEST_BATCH_CHARS": str(10**9),
                                    "BRIEFING_INGEST_WORKERS": "1"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def ended(process: subprocess.Popen[bytes]) -> int:
    """Its exit status, once it and anything it started (in its own session) are gone."""
    status = process.wait(timeout=600)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    return status


def batched(path: Path) -> Store:
    return Store(path, replace(Settings(), ingest_batch=BATCH, ingest_batch_chars=10**9,
                               ingest_workers=1))


def snapshot(store: Store) -> Snapshot:
    """Records and chunks as stored, less the signs of the sentence vectors (vectors vary in
    their last bits with batching, and a sign near zero with them)."""
    records = {i: ({k: v for k, v in meta.items() if k != RECORD},
                   {k: v for k, v in unpack(meta).items() if k != "signs"})
               for i, meta in store.iter_article_metadata()}
    chunks = store.chunks.get(include=["metadatas"])
    return records, dict(zip(chunks["ids"], chunks["metadatas"]))


def updated_rows(source: Path, folder: Path) -> Path:
    """Every article edited, under the same file name so the ids stay: ingesting it replaces
    each article."""
    folder.mkdir(exist_ok=True)
    target = folder / source.name
    with open(source, encoding="latin-1", newline="") as f:
        header, *rows = list(csv.reader(f))
    edited = [[f"Updated. {cell}" if name in ("text", "ctext") else cell
               for name, cell in zip(header, row)] for row in rows]
    with open(target, "w", encoding="latin-1", newline="") as f:
        csv.writer(f).writerows([header, *edited])
    return target


@dataclass(frozen=True)
class CleanRuns:
    first: Path
    second: Path
    stores: Path
    seconds: float
    first_state: Snapshot
    second_state: Snapshot


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> CleanRuns:
    """A clean CLI ingest of the articles, and the state after re-ingesting them edited."""
    folder = tmp_path_factory.mktemp("crash")
    first = news_rows(ROWS, folder)
    second = updated_rows(first, folder / "edited")
    started = time.monotonic()
    assert ended(child_ingest(first, folder / "first")) == 0
    seconds = time.monotonic() - started
    first_state = snapshot(Store(folder / "first"))
    shutil.copytree(folder / "first", folder / "second")
    assert ingest([second], batched(folder / "second")).articles == ROWS
    return CleanRuns(first, second, folder, seconds, first_state,
                     snapshot(Store(folder / "second")))


def assert_resumes_cleanly(store_path: Path, articles: Path, expected: Snapshot) -> set[str]:
    """Re-ingest and compare with a clean run; returns the kinds of problem the crash left."""
    crashed = batched(store_path)
    found = check(crashed)
    assert not found.subjects(DAMAGED), found.lines()
    ingest([articles], crashed)
    assert snapshot(crashed) == expected
    assert set(crashed.keyword.chunk_ids) == set(expected[1])
    assert check(crashed).ok, check(crashed).lines()
    return {problem.kind for problem in found.problems}


@pytest.mark.parametrize("write", WRITE_POINTS)
def test_kill_before_a_write_then_reingest(clean: CleanRuns, tmp_path: Path, write: int) -> None:
    store = tmp_path / "store"
    assert ended(child_ingest(clean.first, store, write)) == -signal.SIGKILL
    assert assert_resumes_cleanly(store, clean.first, clean.first_state) == WRITE_POINTS[write]


@pytest.mark.parametrize("moment", MOMENTS)
def test_kill_at_a_random_moment_then_reingest(clean: CleanRuns, tmp_path: Path,
                                               moment: float) -> None:
    store = tmp_path / "store"
    process = child_ingest(clean.first, store)
    time.sleep(clean.seconds * moment)
    process.send_signal(signal.SIGKILL)
    ended(process)
    assert_resumes_cleanly(store, clean.first, clean.first_state)


def test_kill_while_replacing_articles(clean: CleanRuns, tmp_path: Path) -> None:
    """Killed after a batch's new chunks went in but before its records: those articles have
    old records and new chunks, which answers must not cite until re-ingest."""
    store = tmp_path / "store"
    shutil.copytree(clean.stores / "first", store)
    assert ended(child_ingest(clean.second, store, 4 + 3)) == -signal.SIGKILL
    crashed = batched(store)
    found = check(crashed)
    half_written = set(found.subjects(MISSING))
    assert half_written == {"news.csv#3", "news.csv#4"} and found.subjects(STALE)
    answer = ask("Which word did IGIMS replace on its marital declaration form?", store=crashed)
    assert not half_written & {c.article_id for c in answer.citations}
    assert_resumes_cleanly(store, clean.second, clean.second_state)


def damage(store: Store) -> None:
    """One of each kind of damage, written straight into Chroma as a crash or a bad disk would:
    an orphan chunk, a stale chunk, a lost chunk, a record cut short. The keyword index on
    disk still claims the current generation, so it now disagrees with Chroma too."""
    seed = store.chunks.get(where={"article_id": SEED.name}, limit=1,
                            include=["embeddings", "metadatas"])
    for chunk_id, article_id in (("feedfacefeedface:0", "ghost.txt"),
                                 ("0123456789abcdef:0", "news.csv#1")):
        store.chunks.add(ids=[chunk_id], embeddings=seed["embeddings"],
                         metadatas=[{**seed["metadatas"][0], "article_id": article_id}])
    store.chunks.delete(ids=store.chunks.get(where={"article_id": "news.csv#2"}, limit=1,
                                             include=[])["ids"])
    record = store.articles.get(ids=["news.csv#3"], include=["metadatas"])["metadatas"][0]
    store.articles.update(ids=["news.csv#3"],
                          metadatas=[{**record, "record": record["record"][:40]}])


def test_check_finds_and_repair_clears_each_kind_of_damage(
        seed_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store"
    shutil.copytree(seed_store.path, path)
    store = Store(path)
    original = snapshot(store)
    assert store.keyword.generation == store.generation
    damage(store)
    assert main(["check", "--store", str(path)]) == 1
    report = capsys.readouterr().out
    for kind in (ORPHAN, STALE, MISSING, DAMAGED, KEYWORD):
        assert f"problem: {kind}" in report, report
    assert main(["repair", "--store", str(path)]) == 0
    repaired = capsys.readouterr().out
    assert "restore news.csv#2" in repaired and "restore news.csv#3" in repaired
    assert repaired.rstrip().endswith("consistent")
    assert set(snapshot(store)[0]) == set(original[0]) - {"news.csv#2", "news.csv#3"}
    news = original[0]["news.csv#2"][0]["path"]
    assert ingest([SEED, news], store).articles == 2
    assert snapshot(store) == original and check(store).ok


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith("briefing: ")
    return captured.err


@pytest.mark.parametrize("part", ["first page", "all other pages", "second half"])
def test_a_garbled_store_is_one_clear_line(seed_store: Store, tmp_path: Path, part: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store"
    shutil.copytree(seed_store.path, path)
    database = path / "chroma" / "chroma.sqlite3"
    data = bytearray(database.read_bytes())
    start, end = {"first page": (0, 4096), "all other pages": (4096, len(data)),
                  "second half": (len(data) // 2 // 4096 * 4096, len(data))}[part]
    data[start:end] = random.Random(part).randbytes(end - start)
    database.write_bytes(bytes(data))
    assert main(["check", "--store", str(path)]) == 2
    error = one_line_error(capsys)
    assert "may be damaged" in error or "cannot open the store" in error


@pytest.mark.parametrize(("metadata", "message"), [
    ({"format": STORE_FORMAT - 1, "model": "all-MiniLM-L6-v2"},
     f"this store is in format {STORE_FORMAT - 1}, and this version reads format "
     f"{STORE_FORMAT}; rebuild it: `briefing ingest` your files again"),
    ({"format": STORE_FORMAT, "model": "another-model"},
     "built with embedding model 'another-model'"),
], ids=["format", "model"])
def test_another_format_or_model_is_one_clear_line(
        seed_store: Store, tmp_path: Path, metadata: dict[str, Any], message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store"
    shutil.copytree(seed_store.path, path)
    Store(path).chunks.modify(metadata=metadata)
    assert main(["stats", "--store", str(path)]) == 2
    assert message in one_line_error(capsys)
