"""Optional cross-encoder rerank of the fused passages (`BRIEFING_RERANKER=/path/to/model`).

No cross-encoder ships with weights on PyPI, so this is off unless a user has one on disk; a
model is only ever loaded from a local folder, never downloaded."""

from __future__ import annotations

import os
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

    from qa.retrieve import Passage

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


def rerank(model: CrossEncoder, query: str, passages: list[Passage],
           texts: list[str]) -> list[Passage]:
    """Passages (with `texts[i]` the text of `passages[i]`) in cross-encoder order; `score`
    becomes the model's probability, so the composer's passage feature follows the model."""
    head = passages[:RERANK_DEPTH]
    scores = model.predict([(query, text) for text in texts[:len(head)]],
                           show_progress_bar=False)
    ranked = sorted(zip(head, scores), key=lambda pair: -float(pair[1]))
    return [replace(p, score=max(float(s), 1e-6)) for p, s in ranked] + passages[len(head):]
