"""Ingest into a real Chroma store with the real model: idempotence, replacement, bad input.
Crash-resume is in test_crash.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from index.ingest import ingest
from index.store.chroma import Store, is_current
from tests.conftest import ROOT, SEED


def chunk_ids(store: Store) -> set[str]:
    return set(store.chunks.get(include=[])["ids"])


def test_seed_chunks_slice_the_original(seed_store: Store, seed_text: str) -> None:
    found = seed_store.chunks.get(where={"article_id": "isis-briefing.txt"},
                                  include=["metadatas", "documents"])
    assert len(found["ids"]) >= 5
    assert all(document is None for document in found["documents"]), "text is the article's"
    article = seed_store.get_articles(["isis-briefing.txt"])["isis-briefing.txt"]
    assert article.article.text == seed_text
    for meta in found["metadatas"]:
        first, last = article.sentences[meta["sentence_start"]], \
            article.sentences[meta["sentence_end"] - 1]
        assert (meta["start"], meta["end"]) == (first.start, last.end)
    assert all(is_current(i, article.article) for i in found["ids"])


def test_an_article_read_for_its_text_alone_is_the_article(seed_store: Store) -> None:
    """A question scores chunks for its phrases from their articles' texts alone, with no
    tables built; the records it then reads whole hold the same articles."""
    fresh = Store(seed_store.path, seed_store.settings)
    ids = ["isis-briefing.txt", "news.csv#1", "no such article"]
    texts = fresh.get_texts(ids)
    assert list(texts) == ids[:2]
    whole = fresh.get_articles(ids)
    assert {i: item.article for i, item in whole.items()} == texts
    assert fresh.get_texts(ids) == texts


def test_a_store_keeps_so_many_records_read_and_no_more(
        seed_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server on a large archive must not come to hold every record it ever read."""
    monkeypatch.setattr("index.store.chroma.ARTICLES_KEPT", 2)
    fresh = Store(seed_store.path, seed_store.settings)
    ids = ["news.csv#1", "news.csv#2", "news.csv#3"]
    assert list(fresh.get_texts(ids)) == ids
    assert len(fresh.articles_read.unpacked) == 2
    assert list(fresh.get_articles(ids)) == ids
    assert len(fresh.articles_read.articles) == 2


def test_news_csv_ingests_with_titles_and_dates(seed_store: Store) -> None:
    stats = seed_store.stats()
    assert stats["articles"] == 41
    assert stats["model"] == "all-MiniLM-L6-v2"
    assert stats["date_range"][0].startswith("2017-")
    article = seed_store.get_articles(["news.csv#1"])["news.csv#1"].article
    assert article.title == "Daman & Diu revokes mandatory Rakshabandhan in offices order"
    assert article.date == "2017-08-03"
    assert "\ufffd" not in article.text


def test_reingest_adds_nothing_and_changes_replace(tmp_path: Path, seed_text: str) -> None:
    store = Store(tmp_path / "store")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "seed.txt").write_text(seed_text, encoding="utf-8")
    first = ingest([folder], store)
    before = chunk_ids(store)
    assert first.articles == 1 and first.chunks == len(before)
    again = ingest([folder], store)
    assert (again.articles, again.chunks, again.unchanged) == (0, 0, 1)
    assert chunk_ids(store) == before
    (folder / "seed.txt").write_text(seed_text.replace("55 per cent", "60 per cent"), "utf-8")
    changed = ingest([folder], store)
    assert changed.articles == 1
    after = chunk_ids(store)
    assert len(after) == len(before) and not after & before
    assert store.stats()["articles"] == 1
    assert store.remove("seed.txt") and not chunk_ids(store)
    assert store.stats()["articles"] == 0


def test_bad_inputs_are_reported_and_the_batch_survives(tmp_path: Path, seed_text: str) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_text(seed_text, encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "broken.json").write_text('{"text": "unterminated', encoding="utf-8")
    (folder / "rows.csv").write_text("title,text\nfine,A real sentence about Dunford.\nno text,\n",
                                     encoding="utf-8")
    (folder / "scripts.html").write_text("<html><script>alert(1)</script></html>", "utf-8")
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4")
    with open(folder / "huge.txt", "wb") as huge:
        huge.truncate(200 * 1024 * 1024)
    store = Store(tmp_path / "store")
    report = ingest([folder, tmp_path / "missing.txt"], store)
    problems = "\n".join(str(e) for e in report.errors)
    for name in ("empty.txt", "junk.txt", "broken.json", "rows.csv#2", "scripts.html",
                 "paper.pdf", "huge.txt", "missing.txt"):
        assert name in problems, problems
    assert all("\n" not in str(e) for e in report.errors)
    assert report.articles == 2 and store.stats()["articles"] == 2


def test_cli_exit_status_and_summary(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    result = run_cli("ingest", str(bad), "--store", store)
    assert result.returncode == 1 and "empty.txt" in result.stderr
    result = run_cli("ingest", str(SEED), str(bad), "--store", store)
    assert result.returncode == 0
    assert "1 articles, " in result.stdout and "1 errors" in result.stdout
    assert run_cli("ingest", str(SEED), str(bad), "--store", store, "--strict").returncode == 1
    stats = json.loads(run_cli("stats", "--json", "--store", store).stdout)
    assert stats["articles"] == 1 and stats["chunks"] > 0 and stats["model"]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, env=env)
