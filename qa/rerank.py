"""Optional cross-encoder rerank of the fused passages (`BRIEFING_RERANKER=/path/to/model`).

No cross-encoder ships with weights on PyPI, so this is off unless a user has one on disk; a
model is only ever loaded from a local folder, never downloaded."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

# Only the head of the fused list is rescored: a cross-encoder reads every pair in full.
RERANK_DEPTH = 16


@lru_cache(maxsize=2)
def load_reranker(path: str) -> CrossEncoder:
    folder = Path(path).expanduser()
    if not (folder / "config.json").is_file():
        raise ValueError(f"BRIEFING_RERANKER: no cross-encoder model in {folder} "
                         "(models are loaded from disk, never downloaded)")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import CrossEncoder

    return CrossEncoder(str(folder), device="cpu", local_files_only=True)


def rerank_scores(model: CrossEncoder, query: str, texts: list[str]) -> list[float]:
    """The cross-encoder's probability that each text answers the query, in order."""
    scores = model.predict([(query, text) for text in texts], show_progress_bar=False)
    return [max(float(score), 1e-6) for score in scores]
