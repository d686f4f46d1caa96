"""Resident memory a chunk of the read takes above the model, by chunk and SAE-slice size.

    python bench/perf.py --worker real --n 20000      # once: the rows and their SAE
    python bench/chunk_memory.py --chunk-mb 64 --slice-elements-m 8 [--batch-tokens 16384]

Extracts the heaviest chunks (longest texts on average) of a `bench/perf.py` real build's
rows with that build's SAE, in this process, with `analysis.extraction.stream.CHUNK_BYTES`
and `analysis.extraction.encode.CODE_ELEMENTS_PER_SLICE` set as asked; as many chunks as
make up two chunks of 256 MB, so every setting reads about the same tokens. Prints one JSON
object: the resident memory before (the model and SAE loaded) and its peak while the chunks
are read, sampled every 50 ms, and the seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.extraction import encode, stream  # noqa: E402
from bench.perf import OUT as PERF_OUT  # noqa: E402
from bench.perf import RssSampler  # noqa: E402

REFERENCE_CHUNK_MB = 256


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="the real build of bench/perf.py whose rows are read")
    parser.add_argument("--chunk-mb", type=int, default=64)
    parser.add_argument("--slice-elements-m", type=int, default=8)
    parser.add_argument("--batch-tokens", type=int, default=None)
    args = parser.parse_args(argv)

    import torch

    from analysis.config import ENCODER, BuildConfig, ExtractConfig
    from analysis.extraction.sae import load_sae_from_disk
    from analysis.heap import release_free_heap
    from analysis.pipeline.inputs import BuildInputs, load_inputs

    torch.set_num_threads(2)
    stream.CHUNK_BYTES = args.chunk_mb * 1024 * 1024
    encode.CODE_ELEMENTS_PER_SLICE = args.slice_elements_m * 1024 * 1024
    folder = PERF_OUT / f"real_{args.rows}"
    ex = BuildConfig(extract=ExtractConfig(model=ENCODER)).resolved().extract
    if args.batch_tokens is not None:
        ex = dataclasses.replace(ex, batch_tokens=args.batch_tokens)
    inputs = folder / "inputs"
    samples = load_inputs(BuildInputs(inputs / "train.jsonl", inputs / "toxic.jsonl", inputs / "benign.jsonl")).samples
    saes = glob.glob(str(folder / "cache" / "steps" / "sae" / "*" / "sae"))
    if not saes:
        raise SystemExit(f"no SAE under {folder}: run `python bench/perf.py --worker real --n {args.rows}` first")
    sae = load_sae_from_disk(saes[0], "cpu")
    source = stream.activation_source(ex, None, "cpu")
    counts = stream.token_counts(samples["text"].to_list(), source, samples["response_start"].to_list())
    chunks = stream.text_chunks(counts, stream.chunk_tokens(ex, source.d_in))
    heaviest = np.argsort([counts[a:b].mean() for a, b in chunks])[::-1][: max(1, 2 * REFERENCE_CHUNK_MB // args.chunk_mb)]
    release_free_heap()
    with RssSampler() as sampler:
        time.sleep(0.3)
        before = sampler.resident_mib()
        sampler.stage = "chunks"
        started = time.perf_counter()
        for index in sorted(heaviest.tolist()):
            start, stop = chunks[index]
            stream.extract_chunk(samples.slice(start, stop - start), source, sae, ex, None, None, start)
            release_free_heap()
        seconds = time.perf_counter() - started
    print(json.dumps({
        "chunk_mb": args.chunk_mb,
        "slice_elements_m": args.slice_elements_m,
        "batch_tokens": ex.batch_tokens,
        "chunks": len(chunks),
        "read": len(heaviest),
        "tokens": int(sum(counts[chunks[i][0] : chunks[i][1]].sum() for i in heaviest)),
        "before_mib": round(before),
        "peak_mib": round(sampler.peaks["chunks"]),
        "above_mib": round(sampler.peaks["chunks"] - before),
        "seconds": round(seconds, 1),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
