"""The locally trained SAE's width, k and token budget, measured on one model and layer.

    python bench/sae_budget.py --model smollm2-135m-instruct --model-dtype bfloat16 --layer 10 \
        [--widths 1024 2048] [--ks 16 32] [--budgets 300000 600000] [--data analysis/demo_data]

Reads the SAE's training sample of the data's texts once (the build's own sampling:
`sae_training_texts` over the whole set, the response tokens of chat rows), then trains one
TopK SAE per (width, k, training tokens) with the build's trainer and reports, on whole
texts held out of training: explained variance and the share of latents that never fire
(`dead_fraction_heldout`), plus the share that never fires on the whole sample
(`dead_fraction_sample`, closer to what a build's `dead_fraction_data` measures), and the
training seconds. Targets (issue 15): explained variance >= 0.75 and dead <= 5%.

Writes `bench/out/sae_budget/<model>-l<layer>.json` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT))

from analysis.config import ExtractConfig, SaeTrainingConfig  # noqa: E402
from analysis.extraction.sae import load_sae_from_disk, sample_budget, train_sae  # noqa: E402
from analysis.extraction.sources import pick_device, seed_torch  # noqa: E402
from analysis.extraction.stream import (  # noqa: E402
    activation_source,
    read_kept,
    sae_training_texts,
    token_counts,
)
from analysis.pipeline.inputs import BuildInputs, load_inputs  # noqa: E402

OUT = REPOSITORY_ROOT / "bench" / "out" / "sae_budget"
DEMO = REPOSITORY_ROOT / "analysis" / "demo_data"


def sample_activations(ex: ExtractConfig, data: Path, cache_root: Path) -> tuple[np.ndarray, np.ndarray, float]:
    """(token activations, text offsets, seconds) of the build's SAE training sample."""
    samples = load_inputs(BuildInputs(data / "train.jsonl", data / "toxic.jsonl", data / "benign.jsonl")).samples
    device = pick_device(ex.device)
    seed_torch(ex.sae_training.seed)
    source = activation_source(ex, None, device, False, cache_root)
    texts, starts = samples["text"].to_list(), samples["response_start"].to_list()
    counts = token_counts(texts, source, starts)
    rows = sae_training_texts(counts, sample_budget(ex.sae_training), ex.sae_training.seed)
    started = time.perf_counter()
    kept = read_kept(texts, rows, source, ex, None, starts)
    values, offsets = kept.training_tokens()
    return np.asarray(values, dtype=np.float32), np.asarray(offsets), time.perf_counter() - started


def never_fired(sae_folder: Path, acts: np.ndarray) -> float:
    """Share of latents that fire on none of `acts` (encoded in blocks)."""
    import torch

    sae = load_sae_from_disk(sae_folder)
    fired = torch.zeros(int(sae.cfg.d_sae), dtype=torch.bool)
    with torch.inference_mode():
        for start in range(0, acts.shape[0], 8192):
            fired |= (sae.encode(torch.from_numpy(acts[start : start + 8192])) > 0).any(dim=0)
    return round(float(1 - fired.float().mean()), 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=ExtractConfig.model)
    parser.add_argument("--model-dtype", default="float32")
    parser.add_argument("--layer", type=int, required=True)
    parser.add_argument("--widths", type=int, nargs="+", default=[1024, 2048])
    parser.add_argument("--ks", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--budgets", type=int, nargs="+", default=[300_000])
    parser.add_argument("--data", type=Path, default=DEMO, help="a folder with train/toxic/benign.jsonl (default: the demo)")
    parser.add_argument("--cache", type=Path, default=REPOSITORY_ROOT / "cache", help="where the chat model's converted folder lives")
    args = parser.parse_args(argv)

    ex = ExtractConfig(model=args.model, layer=args.layer, model_dtype=args.model_dtype)
    acts, offsets, read_seconds = sample_activations(ex, args.data, args.cache)
    print(f"sample: {acts.shape[0]} tokens of {len(offsets) - 1} texts, d_in {acts.shape[1]}, read in {read_seconds:.1f} s", file=sys.stderr)
    results = []
    for width in args.widths:
        for k in args.ks:
            for budget in args.budgets:
                cfg = replace(SaeTrainingConfig(), d_sae=width, k=k, training_tokens=budget)
                with tempfile.TemporaryDirectory() as tmp:
                    stats = train_sae(acts, offsets, cfg, Path(tmp) / "sae", {"model_name": args.model}, "cpu")
                    stats["dead_fraction_sample"] = never_fired(Path(tmp) / "sae", acts)
                row = {"d_sae": width, "k": k, "budget": budget, **stats}
                results.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"{args.model.split('/')[-1]}-l{args.layer}"
    payload = {"model": args.model, "model_dtype": args.model_dtype, "layer": args.layer, "data": str(args.data.resolve().relative_to(REPOSITORY_ROOT)) if args.data.resolve().is_relative_to(REPOSITORY_ROOT) else args.data.name, "sample_tokens": int(acts.shape[0]), "read_seconds": round(read_seconds, 1), "results": results}
    (OUT / f"{name}.json").write_text(json.dumps(payload, indent=1) + "\n")
    print("| d_sae | k | training tokens | explained variance (held out) | dead (held out) | dead (whole sample) | seconds |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['d_sae']} | {r['k']} | {r['training_tokens']:,} | {r['explained_variance']:.3f} | {r['dead_fraction_heldout']:.1%} | {r['dead_fraction_sample']:.1%} | {r['seconds']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
