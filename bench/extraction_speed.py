"""Extraction throughput of the default model on short samples (at most 128 tokens).

Reads the texts of `../shared/datasets` (AdvBench, HarmBench, XSTest, ToxiGen, hh-rlhf) of
between --min-tokens and --max-tokens tokens (default 1-128), runs the default encoder at the default layer over them in
length-sorted batches, and reports samples/s and tokens/s for the forward pass alone and
with SAE encoding + pooling (a freshly initialised SAE of the default width: encoding cost
does not depend on the weights).

    python bench/extraction_speed.py [--datasets ../shared/datasets] [--layer 3] [--min-tokens 64]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY_ROOT))

SHORT_SETS = ("advbench.jsonl", "harmbench.jsonl", "xstest.jsonl", "toxigen.jsonl", "hh_rlhf_harmless_test.jsonl")


def main(argv: list[str] | None = None) -> int:
    from analysis.config import ENCODER, ExtractConfig
    from analysis.extraction.encode import encode_tokens, pool_masks, read_token_activations
    from analysis.extraction.sources import EncoderSource

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=REPOSITORY_ROOT.parent / "shared" / "datasets")
    parser.add_argument("--layer", type=int, default=ExtractConfig(model=ENCODER).read_layer)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--min-tokens", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.datasets.is_dir():
        print(f"{args.datasets} not found: nothing to measure", file=sys.stderr)
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    texts = [t for name in SHORT_SETS for t in pl.read_ndjson(args.datasets / name)["text"].to_list()]
    defaults = ExtractConfig(model=ENCODER)
    source = EncoderSource(ENCODER, args.layer, defaults.window, "cpu")
    lengths = [len(t.ids) for t in source.tokenize(texts)]
    texts = [t for t, n in zip(texts, lengths, strict=True) if args.min_tokens <= n <= args.max_tokens]

    source.forward([np.full(8, source.tokenizer.cls_token_id)])  # warm-up: first-call allocations
    started = time.perf_counter()
    acts = read_token_activations(texts, source, defaults.stride, defaults.batch_tokens)
    forward_seconds = time.perf_counter() - started

    import torch
    from sae_lens import TopKSAE, TopKSAEConfig

    torch.manual_seed(0)
    training = defaults.resolved_sae_training()
    sae = TopKSAE(TopKSAEConfig(d_in=source.d_in, d_sae=training.d_sae, k=training.k))
    with torch.no_grad():
        sae.W_enc.normal_(0, 0.05)
    masks = pool_masks(acts.tokenized, [None] * len(texts), "all")
    started = time.perf_counter()
    encode_tokens(acts, masks, sae, "mean", defaults.pooled_top_k, defaults.token_top_k, defaults.batch_tokens)
    encode_seconds = time.perf_counter() - started

    n_tokens = int(acts.offsets[-1])
    rows = [
        ("samples", len(texts), ""),
        ("tokens", n_tokens, f"mean {n_tokens / len(texts):.1f}, max {int(np.diff(acts.offsets).max())}"),
        ("forward pass, samples/s", round(len(texts) / forward_seconds, 1), f"{forward_seconds:.1f} s"),
        ("forward pass, tokens/s", round(n_tokens / forward_seconds), ""),
        ("SAE encode + pool, samples/s", round(len(texts) / encode_seconds, 1), f"{encode_seconds:.1f} s"),
        ("extraction (both), samples/s", round(len(texts) / (forward_seconds + encode_seconds), 1), ""),
    ]
    print(f"layer {args.layer}, torch threads {torch.get_num_threads()}")
    print("| quantity | value | note |\n|---|---|---|")
    for name, value, note in rows:
        print(f"| {name} | {value} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
