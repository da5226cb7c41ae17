"""Ingest through worker processes stores exactly what in-process ingest stores."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.ingest import batches_by_size, ingest
from index.read.files import load_paths
from index.records import Article
from index.settings import Settings
from index.store.chroma import Store
from tests.conftest import ROOT, SHARED, news_rows

ARTICLES = 12


def stored(path: Path, news: Path, **settings: object) -> tuple[Store, dict]:
    store = Store(path, replace(Settings(), home=path, chroma_url="", ingest_batch=4,
                                **settings))
    report = ingest([news], store)
    assert report.articles == ARTICLES and not report.errors, report.summary()
    found = store.chunks.get(include=["embeddings", "metadatas"])
    return store, {i: ((m["article_id"], m["start"], m["end"]), e)
                   for i, m, e in zip(found["ids"], found["metadatas"], found["embeddings"])}


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return news_rows(ARTICLES, tmp_path_factory.mktemp("news"))


def test_workers_store_what_one_process_stores(tmp_path: Path, news: Path) -> None:
    _, alone = stored(tmp_path / "one", news, ingest_workers=1)
    store, parallel = stored(tmp_path / "two", news, ingest_workers=2)
    assert alone.keys() == parallel.keys()
    for chunk_id, (where, vector) in alone.items():
        assert parallel[chunk_id][0] == where
        assert float(np.dot(vector, parallel[chunk_id][1])) > 0.999
    assert sorted(store.keyword.chunk_ids) == sorted(parallel)


def test_without_quotes_the_articles_have_no_speakers(tmp_path: Path, news: Path) -> None:
    store, chunks = stored(tmp_path / "plain", news, quotes=False)
    assert chunks
    articles = list(store.iter_articles())
    assert len(articles) == ARTICLES
    assert all(not a.quotes and not any(s.speaker for s in a.sentences) for a in articles)


def test_onnx_workers_parse_without_torch() -> None:
    """spaCy's thinc imports torch whenever it is installed, 180 MB in every worker."""
    script = ("import os, sys; from index.ingest import _start_worker, _prepare_in_worker; "
              "from index.records import Article; from index.settings import Settings; "
              "_start_worker(Settings(embed_backend='onnx'), os.getppid()); "
              "text = 'The minister said the budget would grow. \"It is fair,\" she said.'; "
              "done = _prepare_in_worker([Article(id='a', path='a', text=text)]); "
              "print(len(done.indexed[0].quotes), sys.modules.get('torch'))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "None"]


def test_long_transcripts_spread_over_batches() -> None:
    """Sixty real transcripts would fit one batch of 64 articles and keep the workers idle;
    by size they make batches of at most the character budget, each article whole."""
    articles = [a for a in load_paths([SHARED / "data" / "transcripts"])
                if isinstance(a, Article)][:60]
    settings = Settings()
    batches = list(batches_by_size(articles, settings.ingest_batch, settings.ingest_batch_chars))
    assert len(batches) >= 10
    assert [a.id for batch in batches for a in batch] == [a.id for a in articles]
    assert all(sum(len(a.text) for a in batch) <= settings.ingest_batch_chars or len(batch) == 1
               for batch in batches)
    news = [Article(f"n{n}", "A short news article.") for n in range(100)]
    assert [len(b) for b in batches_by_size(news, 64, 128_000)] == [64, 36]
