"""Train the SAE that ships with the package for the sentence encoder (`--sae packaged`).

    python scripts/train_packaged_sae.py --datasets ../shared/datasets [--tokens 900000]

The packaged SAE reads all-MiniLM-L6-v2 where a build on it reads by default (hidden state 6,
float32) and is trained with the build's own trainer and settings (TopK, 2,048 latents,
k 32), so an analysis that asks for it (`--sae packaged`, the default of the encoder's demo) skips reading an
SAE sample and training. Its text, all permissively licensed:

- the demo's three sets (`analysis/demo_data`, written for this repository), every row;
- from the reference datasets folder: AdvBench and HarmBench (MIT), XSTest (CC BY 4.0),
  ToxiGen (MIT / CDLA-Permissive-2.0), every row, and Anthropic hh-rlhf's harmless test
  split (MIT), a seeded sample of whole texts filling the token budget. The emergent-
  misalignment sets are left out: the benchmark's tasks built on them stay unseen by it.

Rows are read with the build's input reader (chat rows pooled as a build pools them) and
the SAE's training sample is the build's own (`KeptActivations.training_tokens`). Writes
`analysis/packaged_sae/<name>/` (sae-lens' `cfg.json` + `sae_weights.safetensors`, and
`training.json`: sources with their sha256 and licence, tokens, settings, held-out explained
variance and dead latents, the command) through a temporary folder, so an interrupted run
leaves the previous SAE in place.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT))

from analysis.artifacts.inputs import file_sha256, load_table  # noqa: E402
from analysis.artifacts.layout import PACKAGED_SAE_TRAINING  # noqa: E402
from analysis.config import ENCODER, PACKAGED_SAES, ExtractConfig, packaged_sae_folder  # noqa: E402
from analysis.extraction.sae import train_sae  # noqa: E402
from analysis.extraction.sources import seed_torch  # noqa: E402
from analysis.extraction.stream import activation_source, read_kept, token_counts  # noqa: E402

DEMO = REPOSITORY_ROOT / "analysis" / "demo_data"
# (file, licence) read whole; the sampled one fills what the budget leaves
WHOLE = (
    (DEMO / "train.jsonl", "this repository's licence"),
    (DEMO / "toxic.jsonl", "this repository's licence"),
    (DEMO / "benign.jsonl", "this repository's licence"),
    ("advbench.jsonl", "MIT (c) 2024 centerforaisafety"),
    ("harmbench.jsonl", "MIT (c) 2024 centerforaisafety"),
    ("xstest.jsonl", "CC BY 4.0, XSTest, Röttger et al., NAACL 2024"),
    ("toxigen.jsonl", "MIT (c) Microsoft Corporation / CDLA-Permissive-2.0"),
)
SAMPLED = ("hh_rlhf_harmless_test.jsonl", "MIT (c) 2022 Anthropic")


def corpus(datasets: Path) -> list[tuple[Path, str, list[str], list[int | None]]]:
    """(file, licence, texts, response starts) of every source, read as a build reads them."""
    sources = []
    for name, licence in (*WHOLE, SAMPLED):
        path = name if isinstance(name, Path) else datasets / name
        frame = load_table(path, "train").frame
        sources.append((path, licence, frame["text"].to_list(), frame["response_start"].to_list()))
    return sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, required=True, help="the reference datasets folder")
    parser.add_argument("--tokens", type=int, default=900_000, help="token budget of the training sample")
    parser.add_argument("--training-tokens", type=int, default=1_800_000, help="activations the trainer sees (passes x sample)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    # the build's defaults, the packaged SAE must read what a build reads; in float32 whatever
    # this machine would read in, so that the SAE does not depend on where it was trained
    ex = ExtractConfig(model=ENCODER, model_dtype="float32")
    training = replace(ex.resolved_sae_training(), training_tokens=args.training_tokens, seed=args.seed)
    seed_torch(args.seed)
    source = activation_source(ex, None, "cpu")
    texts: list[str] = []
    starts: list[int | None] = []
    described = []
    sources = corpus(args.datasets)
    for index, (path, licence, rows_text, rows_starts) in enumerate(sources):
        counts = token_counts(rows_text, source, rows_starts)
        chosen = np.arange(len(rows_text))
        if index == len(sources) - 1:  # the sampled source fills the rest of the budget
            left = max(args.tokens - sum(d["tokens"] for d in described), 0)
            order = np.random.default_rng(args.seed).permutation(len(rows_text))
            chosen = np.sort(order[: int(np.searchsorted(np.cumsum(counts[order]), left))])
        texts += [rows_text[i] for i in chosen]
        starts += [rows_starts[i] for i in chosen]
        described.append({"file": path.name, "sha256": file_sha256(path), "licence": licence, "rows": int(len(chosen)), "of_rows": len(rows_text), "tokens": int(counts[chosen].sum())})
        print(f"{path.name}: {len(chosen)} of {len(rows_text)} rows, {int(counts[chosen].sum()):,} tokens", file=sys.stderr)

    started = time.perf_counter()
    from tqdm.auto import tqdm

    with tqdm(total=sum(d["tokens"] for d in described), desc="Reading", unit="tok") as bar:
        kept = read_kept(texts, np.arange(len(texts)), source, ex, bar, starts)
    read_seconds = time.perf_counter() - started
    values, offsets = kept.training_tokens()
    name = PACKAGED_SAES[ENCODER]
    target = packaged_sae_folder(ENCODER)
    meta = {"model_name": ENCODER, "hook_name": source.hook, "model_class_name": "AutoModel", "context_size": ex.window, "prepend_bos": False}
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        stats = train_sae(np.asarray(values, dtype=np.float32), offsets, training, Path(tmp) / name, meta, "cpu")
        record = {
            "model": ENCODER,
            "hook": source.hook,
            "model_dtype": ex.model_dtype,
            "window": ex.window,
            "sources": described,
            "sample_tokens": int(values.shape[0]),
            "sample_texts": len(texts),
            "read_seconds": round(read_seconds, 1),
            "config": asdict(training),
            "training": stats,
            "command": "python scripts/train_packaged_sae.py --datasets <reference datasets> " + f"--tokens {args.tokens} --training-tokens {args.training_tokens} --seed {args.seed}",
        }
        (Path(tmp) / name / PACKAGED_SAE_TRAINING).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        if target.exists():
            shutil.rmtree(target)
        (Path(tmp) / name).rename(target)
    print(json.dumps(stats), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
