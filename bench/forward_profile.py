"""Where the default model's forward pass stands against this machine's limit, and what
threads, padding and lower precision would change.

    python bench/forward_profile.py [--rows 400] [--repeats 3] [--sae ANALYSIS/sae]

Measured on the demo's training texts with the embedded all-MiniLM-L6-v2 read at the
default layer, through the pipeline's own reader (`extract.read_token_activations`, the
same windows and length batches): tokens/s in float32 at 1 and at all threads, bfloat16,
and int8 dynamic quantisation of the linear layers (`torch.ao.quantization.quantize_dynamic`);
the padding share of the length batches; the achieved multiply-add rate against a large
float32 matrix product on the same threads (the practical ceiling); and, for the lower
precisions, how far their hidden states are from float32 and, with `--sae`, the SAE's
explained variance on them. Variants alternate within each repeat, so they share the load.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT))


def demo_texts(n: int) -> list[str]:
    rows = pl.read_ndjson(REPOSITORY_ROOT / "analysis" / "demo_data" / "train.jsonl")
    return (rows["prompt"] + " " + rows["response"]).to_list()[:n]


def matmul_gflops(threads: int, size: int = 2048, repeats: int = 5) -> float:
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    started = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9


def padding_share(source, texts: list[str], stride: int, batch_tokens: int) -> float:
    from analysis.extraction.encode import _length_batches
    from analysis.extraction.windows import make_windows

    windows = make_windows(source.tokenize(texts), source.content_capacity, stride, source.causal)
    lengths = np.array([len(w.ids) for w in windows])
    padded = sum(int(lengths[b].max()) * len(b) for b in _length_batches(lengths, batch_tokens))
    return 1 - lengths.sum() / padded


def explained_variance(sae_dir: str | None, values: np.ndarray) -> float | None:
    if not sae_dir:
        return None
    import torch

    from analysis.extraction.sae import load_sae_from_disk, reconstruction_quality

    sae = load_sae_from_disk(sae_dir)
    return reconstruction_quality(sae, torch.from_numpy(values.astype(np.float32)))["explained_variance"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sae", help="an SAE folder trained at this layer (an analysis' sae/), for explained variance")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from analysis.config import ENCODER, ExtractConfig
    from analysis.extraction.encode import read_token_activations
    from analysis.extraction.sources import EncoderSource

    ex = ExtractConfig(model=ENCODER)
    cores = os.cpu_count() or 1
    texts = demo_texts(args.rows)
    base = EncoderSource(ENCODER, ex.read_layer, ex.window)
    bf16 = EncoderSource(ENCODER, ex.read_layer, ex.window, dtype="bfloat16")
    int8 = EncoderSource(ENCODER, ex.read_layer, ex.window)
    int8.model = torch.ao.quantization.quantize_dynamic(int8.model, {torch.nn.Linear}, dtype=torch.qint8)
    variants = {"float32, 1 thread": (base, 1), f"float32, {cores} threads": (base, cores), "bfloat16": (bf16, cores), "int8 dynamic": (int8, cores)}
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    values: dict[str, np.ndarray] = {}
    tokens = 0
    for _ in range(args.repeats):
        for name, (source, threads) in variants.items():
            torch.set_num_threads(threads)
            started = time.perf_counter()
            acts = read_token_activations(texts, source, ex.stride, ex.batch_tokens)
            seconds[name].append(time.perf_counter() - started)
            values[name], tokens = acts.values, int(acts.offsets[-1])
    torch.set_num_threads(cores)
    reference = values[f"float32, {cores} threads"].astype(np.float32)
    hidden, mlp = int(base.model.config.hidden_size), int(base.model.config.intermediate_size)
    macs_per_token = ex.read_layer * (4 * hidden * hidden + 2 * hidden * mlp)
    ceiling = matmul_gflops(cores)
    print(f"{len(texts)} texts, {tokens:,} tokens; padding {padding_share(base, texts, ex.stride, ex.batch_tokens):.1%} of the batched positions")
    print(f"float32 matrix product on {cores} threads: {ceiling:.0f} GFLOP/s (the practical ceiling); load average {os.getloadavg()[0]:.1f}")
    print("| variant | tokens/s (median) | GFLOP/s of the linear layers | share of the ceiling | relative error vs float32 | SAE explained variance |")
    print("|---|---|---|---|---|---|")
    for name in variants:
        rate = tokens / float(np.median(seconds[name]))
        gflops = 2 * macs_per_token * rate / 1e9
        error = float(np.linalg.norm(values[name].astype(np.float32) - reference) / np.linalg.norm(reference))
        ev = explained_variance(args.sae, values[name])
        print(f"| {name} | {rate:,.0f} | {gflops:.0f} | {gflops / ceiling:.0%} | {error:.4f} | {ev if ev is not None else '-'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
