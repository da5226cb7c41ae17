"""BM25 over chunk texts (bm25s), persisted beside the Chroma data.

Chroma's own sparse index is not available in local mode, so the keyword half of hybrid search
lives here. It is derived data: rebuilt from the chunks in Chroma whenever they change."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

STEMMER = Stemmer.Stemmer("english")
META_FILE = "chunks.json"


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=STEMMER, return_ids=False,
                          show_progress=False)


@dataclass
class KeywordIndex:
    """`chunk_ids[i]` is document i of `bm25`; `generation` says which store state it reflects."""

    bm25: bm25s.BM25 | None
    chunk_ids: list[str]
    generation: str

    @classmethod
    def build(cls, chunk_ids: Sequence[str], texts: Sequence[str], generation: str) -> KeywordIndex:
        if not chunk_ids:
            return cls(None, [], generation)
        bm25 = bm25s.BM25()
        bm25.index(tokenize(texts), show_progress=False)
        return cls(bm25, list(chunk_ids), generation)

    def save(self, folder: Path) -> None:
        """Written to a fresh folder then swapped in, so a crash leaves the old index whole."""
        staging = folder.with_name(folder.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        if self.bm25 is not None:
            self.bm25.save(str(staging), show_progress=False)
        meta = {"chunk_ids": self.chunk_ids, "generation": self.generation}
        (staging / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex | None:
        try:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
            bm25 = (bm25s.BM25.load(str(folder), show_progress=False)
                    if meta["chunk_ids"] else None)
        except (OSError, ValueError, KeyError):
            return None
        return cls(bm25, meta["chunk_ids"], meta["generation"])

    def term_weights(self, query: str) -> dict[str, float]:
        """BM25 IDF of each query term; a term the corpus lacks gets the highest IDF, since an
        answer that cannot contain it is missing the rarest part of the question."""
        n_docs = len(self.chunk_ids)
        indptr = self.bm25.scores["indptr"] if self.bm25 is not None else None
        weights = {}
        for token in tokenize([query])[0]:
            column = self.bm25.vocab_dict.get(token) if self.bm25 is not None else None
            df = 0 if column is None else int(indptr[column + 1] - indptr[column])
            weights[token] = float(np.log(1 + (n_docs - df + 0.5) / (df + 0.5)))
        return weights

    def search(self, query: str, k: int,
               allowed: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score) with a positive score; `allowed` masks documents out."""
        if self.bm25 is None or k <= 0:
            return []
        tokens = [t for t in tokenize([query])[0] if t in self.bm25.vocab_dict]
        if not tokens:
            return []
        k = min(k, len(self.chunk_ids))
        docs, scores = self.bm25.retrieve([tokens], k=k, show_progress=False,
                                         weight_mask=allowed, n_threads=1)
        return [(self.chunk_ids[d], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
