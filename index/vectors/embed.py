"""Sentence embeddings from a model on disk; never from a hub.

Two backends compute all-MiniLM-L6-v2 vectors: `onnx` runs a true int8 export of it with
onnxruntime (built once from the shipped weights, see `index.vectors.quantize`; no torch in the
process, so a cold start is seconds faster and embedding 2.4x faster), `torch` runs
sentence-transformers in fp32. Any other model (`BRIEFING_EMBED_MODEL`) always uses torch."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from index.records import Article, Chunk, Sentence
from index.vectors.chunks import normalise_whitespace
from index.vectors.weights import resolve_model_path

if TYPE_CHECKING:
    from index.settings import Settings

SMALL_BATCH = 16
MAX_TOKENS = 256  # all-MiniLM-L6-v2: max_seq_length 256, 384 dimensions
# Rows × width per onnxruntime call. Its unfused attention keeps a dozen batch × 12 × width²
# tensors: 16 sentences of 187 tokens peaked at 930 MB. Capped at 512, a batch of 64 articles
# peaked at 390 MB and embedded 1.2x faster (smaller tensors stay in cache); short sentences
# still go `batch_size` at a time.
MAX_BATCH_TOKENS = 512
DIMENSION = 384
# True cosine ≈ SIGN_SCALE × the query's dot product with a sentence's component signs (over
# the square root of the dimension): a least-squares fit on real news sentences.
SIGN_SCALE = 1.12
BACKENDS = ("auto", "onnx", "torch")

if TYPE_CHECKING:
    import numpy as np
    from onnxruntime import InferenceSession
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer


def model_label(name: str) -> str:
    """What a store records: the model, not the backend, since both give the same vectors."""
    return name or "all-MiniLM-L6-v2"


def resolve_backend(name: str, backend: str) -> str:
    """`auto` → onnx for the bundled model when onnx can quantize it, else torch."""
    if backend not in BACKENDS:
        raise ValueError(f"BRIEFING_EMBED_BACKEND is {backend!r}; use one of {', '.join(BACKENDS)}")
    if backend == "onnx" and name:
        raise ValueError("BRIEFING_EMBED_BACKEND=onnx has only the bundled model; "
                         "unset BRIEFING_EMBED_MODEL or use torch")
    if backend == "auto":
        return "onnx" if not name and find_spec("onnx") is not None else "torch"
    return backend


class Encoder(Protocol):
    def encode(self, texts: list[str], batch_size: int, threads: int) -> np.ndarray: ...


class Embedder:
    """Vectors are L2-normalised, so a dot product is the cosine.

    It has LangChain's `Embeddings` methods, so LangChain users can reuse the exact model the
    store was built with; it does not inherit the class, whose import costs every cold start
    0.3 s."""

    def __init__(self, name: str = "", batch_size: int = 16, threads: int = 0,
                 backend: str = "auto", model_cache: Path | None = None) -> None:
        self.name = model_label(name)
        self.batch_size = batch_size
        self.threads = threads
        self.backend = resolve_backend(name, backend)
        if self.backend == "onnx":
            from index.settings import Settings
            from index.vectors.quantize import int8_model

            self.model: Encoder = _onnx_encoder(int8_model(model_cache or
                                                           Settings().model_cache))
        else:
            self.model = _torch_encoder(resolve_model_path(name))

    @classmethod
    def from_settings(cls, settings: Settings, threads: int | None = None) -> Embedder:
        return cls(settings.embed_model, settings.batch_size,
                   settings.torch_threads if threads is None else threads,
                   settings.embed_backend, settings.model_cache)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Longest texts first, so each batch pads little.

        A question's few texts (itself, the sentences its answer weighs) go one at a time on
        one thread. One at a time, none pads to a longer one's width: the four sentences an
        answer weighs took p95 25 ms instead of 39 on the 2021-22 archive's questions, and a
        vector no longer depends on the texts beside it. One thread: on a 2-core machine with
        anything else running, a second thread waiting for a busy core made one query 12x
        slower (33 ms → 400 ms)."""
        if len(texts) <= SMALL_BATCH:
            return self.model.encode(list(texts), 1, self.threads or 1)
        return self.model.encode(list(texts), self.batch_size, self.threads or os.cpu_count() or 1)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


class TorchEncoder:
    def __init__(self, model: SentenceTransformer) -> None:
        self.model = model

    def encode(self, texts: list[str], batch_size: int, threads: int) -> np.ndarray:
        import torch

        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        return self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)


class OnnxEncoder:
    """Tokenise (Rust `tokenizers`), run the transformer (onnxruntime), mean-pool over real
    tokens, normalise: what sentence-transformers does for this model, without torch."""

    def __init__(self, model_file: Path, tokenizer: Tokenizer) -> None:
        self.model_file = model_file
        self.tokenizer = tokenizer
        self.sessions: dict[int, InferenceSession] = {}

    def session(self, threads: int) -> InferenceSession:
        """One session per thread count: onnxruntime fixes its thread pool at creation."""
        if threads not in self.sessions:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            # Spinning threads steal a shared core from the other half of the work.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            # The arena keeps every batch's peak: 170 MB more per worker, for 4% speed.
            options.enable_cpu_mem_arena = False
            self.sessions[threads] = onnxruntime.InferenceSession(
                str(self.model_file), options, providers=["CPUExecutionProvider"])
        return self.sessions[threads]

    def encode(self, texts: list[str], batch_size: int, threads: int) -> np.ndarray:
        import numpy as np

        session = self.session(threads)
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        first = 0
        while first < len(order):
            width = len(encodings[order[first]].ids)
            rows = order[first:first + max(1, min(batch_size, MAX_BATCH_TOKENS // width))]
            first += len(rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, index in enumerate(rows):
                tokens = encodings[index].ids
                ids[row, :len(tokens)] = tokens
                mask[row, :len(tokens)] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                        "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            vectors[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return vectors


@lru_cache(maxsize=2)
def _onnx_encoder(model_file: Path) -> OnnxEncoder:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(resolve_model_path("")) / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    return OnnxEncoder(model_file, tokenizer)


@lru_cache(maxsize=4)
def _torch_encoder(path: str) -> TorchEncoder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    try:
        return TorchEncoder(SentenceTransformer(path, device="cpu", local_files_only=True))
    except OSError as error:
        raise RuntimeError(
            f"embedding model {path!r} is not on this machine ({error.__class__.__name__}); "
            "set BRIEFING_EMBED_MODEL to a local sentence-transformers folder"
        ) from None


def sentence_texts(article: Article, sentences: Sequence[Sentence]) -> list[str]:
    """What is embedded of each sentence: its text, whitespace folded. Ingest and questions
    embed the same, so a vector made at question time is the one ingest made."""
    return [normalise_whitespace(article.text[s.start:s.end]) for s in sentences]


def sign_bits(vectors: np.ndarray) -> np.ndarray:
    """Each vector's component signs, packed: 48 bytes for 384 dimensions."""
    import numpy as np

    return np.packbits(vectors > 0, axis=1)


def sign_closeness(bits: np.ndarray, query_vector: np.ndarray) -> np.ndarray:
    """Each packed sign vector's estimated cosine to the (full) query vector: the query
    against the signs, scaled by SIGN_SCALE. On 1,182 news sentences and 60 questions it
    ranks like the true cosine (Spearman 0.92), the true best among its first five for 97%.
    Read a byte column at a time through the query's sum for each of its 256 values, so a
    speaker's 50,000 chunks take 5-8 ms, not an unpacked float matrix (25 ms)."""
    import numpy as np

    width = bits.shape[1]
    query = np.zeros(width * 8, dtype=np.float32)
    query[:len(query_vector)] = query_vector
    byte_bits = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1)
    byte_signs = byte_bits.astype(np.float32) * 2 - 1
    per_byte = np.ascontiguousarray((byte_signs @ query.reshape(width, 8).T).T)  # (width, 256)
    sums = np.zeros(len(bits), dtype=np.float32)
    for column in range(width):
        sums += per_byte[column].take(bits[:, column])
    return SIGN_SCALE * sums / np.sqrt(len(query_vector))


def pool_chunks(sentence_vectors: np.ndarray, chunks: Sequence[Chunk]) -> np.ndarray:
    """A chunk's vector is the normalised mean of its sentences' vectors: each sentence is
    embedded once (no overlap re-encoded), and answers get sentence vectors for free. On the
    shared dev data this retrieves as well as embedding each chunk's text (see README)."""
    import numpy as np

    return np.stack([pool(sentence_vectors, c.sentence_range) for c in chunks])


def pool(sentence_vectors: np.ndarray, sentence_range: tuple[int, int]) -> np.ndarray:
    """The normalised mean of a run of sentence vectors: a chunk's vector as Chroma holds it."""
    import numpy as np

    mean = sentence_vectors[sentence_range[0]:sentence_range[1]].mean(axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)
