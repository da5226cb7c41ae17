"""Shared fixtures: the real model, real Chroma stores in temp dirs, the real shared data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from index.ingest import ingest
from index.store.chroma import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "data" / "seed" / "isis-briefing.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def news_rows(count: int, folder: Path) -> Path:
    """The first `count` real articles of the Kaggle news CSV, kept latin-1 like the original."""
    with open(SHARED / "data" / "news_summary.csv", encoding="latin-1", newline="") as f:
        rows = list(csv.reader(f))[:count + 1]
    path = folder / "news.csv"
    with open(path, "w", encoding="latin-1", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The reference briefing plus 40 Indian news articles, so retrieval has distractors."""
    store = Store(tmp_path_factory.mktemp("seed-store"))
    report = ingest([SEED, news_rows(40, tmp_path_factory.mktemp("news"))], store)
    assert report.articles == 41 and not report.errors, report.summary()
    return store
