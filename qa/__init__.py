"""briefing's Python API: `ask` a question of the indexed articles, list `quotes`, follow a
topic over time (`timeline`), read a day's briefing at a glance (`digest`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qa.answer import Answer, Citation
    from qa.api import ask, ask_stream, digest, open_store, quotes, timeline
    from qa.chain import BriefingRetriever, chain, make_chain
    from qa.retrieve import Filters

__all__ = ["Answer", "BriefingRetriever", "Citation", "Filters", "ask", "ask_stream", "chain",
           "digest", "make_chain", "open_store", "quotes", "timeline"]

_HOMES = {"Answer": "qa.answer", "Citation": "qa.answer", "Filters": "qa.retrieve",
          "ask": "qa.api", "ask_stream": "qa.api", "open_store": "qa.api", "quotes": "qa.api",
          "timeline": "qa.api", "digest": "qa.api",
          "BriefingRetriever": "qa.chain", "chain": "qa.chain", "make_chain": "qa.chain"}


def __getattr__(name: str) -> Any:
    """Imported on first use, so `import qa` and `briefing --help` stay instant."""
    if name not in _HOMES:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_HOMES[name]), name)
