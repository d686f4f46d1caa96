"""The embedded chat model (`--model smollm2-135m-instruct`): conversion, load and forward speed.

Converts the packaged GGUF into a temporary cache (timed), loads the converted folder
(timed), checks that the cut model's output is the full model's hidden state at the read
index, then reads --rows synthetic prompt/response rows through the chat template at each
--layers value in float32 and bfloat16 and reports tokens/s (template tokens included),
with the 1-minute load average beside each figure. Beside each rate: the GFLOP/s it amounts
to (two operations per weight of the blocks read, per token computed; attention scores left out) and
the machine's own matrix-product rate in that precision on a block-shaped product
([4096 x d_model] @ [d_model x d_mlp]), so the share of the machine the read uses is plain.
Each read runs twice, in turn: every window read whole, then with the chat template's header
read once and shared (`ChatModelSource.share_header`, what a build does), and their ratio.
`--demo` reads the demo's own rows (train, toxic and benign sets) instead of synthetic ones;
`--dtypes` picks the precisions.

    python bench/chat_model_speed.py [--rows 300] [--layers 3 10] [--demo] [--dtypes float32 bfloat16]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY_ROOT))

WORDS = ["the", "a", "cat", "dog", "runs", "quickly", "over", "under", "bright", "house", "river", "code", "data", "model", "question", "answer"]


def _rows(n: int) -> tuple[list[str], list[int]]:
    rng = np.random.default_rng(0)
    texts, starts = [], []
    for _ in range(n):
        prompt, response = " ".join(rng.choice(WORDS, 8)), " ".join(rng.choice(WORDS, 20))
        texts.append(f"{prompt}\n\n{response}")
        starts.append(len(prompt) + 2)
    return texts, starts


def _demo_rows() -> tuple[list[str], list[int | None]]:
    from bench.cold_demo import demo_samples

    samples = demo_samples()
    return samples["text"].to_list(), samples["response_start"].to_list()


def matmul_gflops(dtype: str, d_model: int, d_mlp: int, rows: int = 4096, seconds: float = 3.0) -> float:
    """The machine's rate on a product shaped like one MLP projection, in `dtype` (GFLOP/s)."""
    import torch

    kind = getattr(torch, dtype)
    a, b = torch.randn(rows, d_model, dtype=kind), torch.randn(d_model, d_mlp, dtype=kind)
    torch.matmul(a, b)  # warm-up
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        torch.matmul(a, b)
        done += 1
    return 2 * rows * d_model * d_mlp * done / (time.perf_counter() - started) / 1e9


def block_weights(model, layer: int) -> int:
    """Weights of the matrices in the first `layer` decoder blocks (what a read to `layer` multiplies by)."""
    return sum(p.numel() for name, p in model.named_parameters() if p.dim() == 2 and any(name.startswith(f"model.layers.{i}.") for i in range(layer)))


def main(argv: list[str] | None = None) -> int:
    import torch
    from transformers import AutoModelForCausalLM

    from analysis.extraction import llm
    from analysis.extraction.encode import read_token_activations

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--layers", type=int, nargs="+", default=[3, 10])
    parser.add_argument("--demo", action="store_true", help="read the demo's rows, not synthetic ones")
    parser.add_argument("--dtypes", nargs="+", default=["float32", "bfloat16"], choices=["float32", "bfloat16"])
    args = parser.parse_args(argv)
    cache = Path(tempfile.mkdtemp())
    try:
        started = time.perf_counter()
        folder = llm.ensure_converted(cache)
        print(f"conversion: {time.perf_counter() - started:.1f} s (load avg {os.getloadavg()[0]:.2f})", flush=True)
        started = time.perf_counter()
        source = llm.ChatModelSource(max(args.layers), 256, cache_root=cache)
        print(f"load, converted folder: {time.perf_counter() - started:.2f} s (load avg {os.getloadavg()[0]:.2f})", flush=True)
        full = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True).eval()
        (tok,) = source.tokenize(["user: Hi\n\nassistant: Hello there!"], [len("user: Hi\n\nassistant: ")])
        with torch.inference_mode():
            reference = full(torch.from_numpy(tok.ids[None]), output_hidden_states=True).hidden_states[max(args.layers)][0]
        gap = float(np.abs(source.forward([tok.ids])[0] - reference.numpy()).max())
        print(f"max |cut model - full model hidden_states[{max(args.layers)}]|: {gap:.2e}", flush=True)
        texts, starts = _demo_rows() if args.demo else _rows(args.rows)
        config = full.config
        peak = {dtype: matmul_gflops(dtype, config.hidden_size, config.intermediate_size) for dtype in args.dtypes}
        for dtype, rate in peak.items():
            print(f"matrix product [4096 x {config.hidden_size}] @ [{config.hidden_size} x {config.intermediate_size}], {dtype}: {rate:.1f} GFLOP/s (load avg {os.getloadavg()[0]:.2f})", flush=True)
        for layer in args.layers:
            for dtype in args.dtypes:
                source = llm.ChatModelSource(layer, 256, cache_root=cache, dtype=dtype)
                tokenized = source.tokenize(texts, starts)
                n_tokens = sum(len(t.ids) for t in tokenized)
                header = source.template_header()
                opening = sum(llm._opens_with(t.ids, header) for t in tokenized)
                seconds = {}
                for share in (False, True):
                    source.share_header = share
                    started = time.perf_counter()
                    read_token_activations(texts, source, 192, 16_384, tokenized=tokenized)
                    seconds[share] = time.perf_counter() - started
                    # the header is computed once when shared: count the tokens the model ran on
                    computed = n_tokens - (opening - 1) * len(header) if share and opening else n_tokens
                    gflops = 2 * block_weights(full, layer) * computed / seconds[share] / 1e9
                    print(
                        f"layer {layer:2d} {dtype:8s} {'header shared' if share else 'read whole':13s}: {n_tokens} tokens, "
                        f"{len(texts)} rows ({opening} open with the {len(header)}-token header), {seconds[share]:.1f} s, "
                        f"{n_tokens / seconds[share]:.0f} tok/s, {computed} tokens computed at {gflops:.1f} GFLOP/s = {gflops / peak[dtype]:.0%} of the matrix product's "
                        f"(load avg {os.getloadavg()[0]:.2f})",
                        flush=True,
                    )
                print(f"layer {layer:2d} {dtype:8s}: header shared is {seconds[False] / seconds[True]:.2f}x as fast as read whole", flush=True)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
