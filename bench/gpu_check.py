"""A short end-to-end check of the GPU path, printed as figures (`bench/gpu_check.sh` runs it).

Nothing is downloaded: a GPT-2-shaped causal LM with random weights and a word-level
tokenizer are built and saved locally, and a TopK SAE on one of its blocks is saved in
sae-lens' own format with metadata naming that model and hook, so `--sae FOLDER` takes
the same path a pretrained sae-lens release takes (sae-lens `load_model`, HookedProxyLM,
causal windows of the SAE's context size). It then measures:

1. the streaming extraction alone (`featurize.stream_extract` into `ExtractionWriter`):
   tokens/s, peak device memory, peak resident memory;
2. a whole build with that SAE (`pipeline.build`), per-step seconds from its manifest and
   the geometry backend it used;
3. UMAP + HDBSCAN on synthetic clustered points through `analysis.geometry` with the
   backend `ANALYSIS_GEOMETRY_BACKEND` selects (cuML where importable with a CUDA device).

It also runs on a machine without a GPU (everything on the CPU), which is how it is tested.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT))

DEMO = REPOSITORY_ROOT / "analysis" / "demo_data"


def demo_texts() -> list[str]:
    rows = pl.read_ndjson(DEMO / "train.jsonl")
    if "text" in rows.columns:
        return rows["text"].drop_nulls().to_list()
    return (rows["prompt"] + " " + rows["response"]).to_list()


def tiny_lm(folder: Path, corpus: list[str], d_model: int, n_layer: int, context: int) -> Path:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(corpus, trainers.WordLevelTrainer(special_tokens=["[UNK]", "[PAD]", "[BOS]"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", bos_token="[BOS]")
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=fast.vocab_size, n_positions=context, n_embd=d_model, n_layer=n_layer, n_head=max(1, d_model // 64),
        bos_token_id=fast.bos_token_id, eos_token_id=fast.bos_token_id,
    )
    GPT2LMHeadModel(config).save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


def tiny_sae(folder: Path, model_dir: Path, d_model: int, d_sae: int, hook: str, context: int) -> Path:
    import torch
    from sae_lens import TopKSAE, TopKSAEConfig
    from sae_lens.saes.sae import SAEMetadata

    torch.manual_seed(1)
    meta = SAEMetadata(model_name=str(model_dir), model_class_name="AutoModelForCausalLM", hook_name=hook, context_size=context, prepend_bos=True)
    sae = TopKSAE(TopKSAEConfig(d_in=d_model, d_sae=d_sae, k=32, metadata=meta))
    with torch.no_grad():
        sae.W_enc.normal_(0, 1 / np.sqrt(d_model))
        sae.W_dec.copy_(sae.W_enc.T)
    sae.save_model(folder)
    return folder


def write_inputs(folder: Path, texts: list[str], n_rows: int) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    picked = [texts[i] for i in rng.integers(0, len(texts), n_rows)]
    references = [texts[i] for i in rng.integers(0, len(texts), 400)]
    paths = {}
    for role, rows in (("train", picked), ("toxic", references[:200]), ("benign", references[200:])):
        path = folder / f"{role}.jsonl"
        path.write_text("".join(json.dumps({"id": f"{role}{i}", "text": f"{t} ({i})"}) + "\n" for i, t in enumerate(rows)))
        paths[role] = path
    return paths


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check_streaming(paths: dict[str, Path], sae_dir: Path, device: str, out: Path) -> dict:
    import torch

    from analysis.config import ExtractConfig
    from analysis.extraction.sae import load_sae
    from analysis.extraction.stream import activation_source, stream_extract
    from analysis.extraction.writer import ExtractionWriter
    from analysis.pipeline.inputs import BuildInputs, load_inputs

    ex = ExtractConfig(sae=str(sae_dir), device=device)
    sae = load_sae(str(sae_dir), device)
    source = activation_source(ex, sae, device)
    samples = load_inputs(BuildInputs(paths["train"], paths["toxic"], paths["benign"])).samples
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    writer = ExtractionWriter(out, samples["id"].to_list())
    for chunk in stream_extract(samples.select("id", "text", "response_start"), source, sae, ex, progress=False):
        writer.add(chunk)
    written = writer.close(sae)
    seconds = time.perf_counter() - started
    return {
        "rows": samples.height,
        "tokens": written["tokens"],
        "window": source.window,
        "causal": source.causal,
        "seconds": round(seconds, 2),
        "tokens_per_s": round(written["tokens"] / seconds),
        "peak_device_mib": round(torch.cuda.max_memory_allocated() / 2**20) if device == "cuda" else None,
        "peak_rss_mib": round(peak_rss_mib()),
    }


def check_build(paths: dict[str, Path], sae_dir: Path, device: str, cache: Path) -> dict:
    from analysis.config import BuildConfig, ExtractConfig
    from analysis.pipeline.build import build
    from analysis.pipeline.inputs import BuildInputs

    config = BuildConfig(extract=ExtractConfig(sae=str(sae_dir), device=device))
    started = time.perf_counter()
    folder = build(BuildInputs(paths["train"], paths["toxic"], paths["benign"]), config, cache, progress=False, report=lambda *_: None)
    manifest = json.loads((folder / "manifest.json").read_text())
    geometry = json.loads(next((cache / "steps" / "geometry").glob("*/step.json")).read_text())
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "steps": manifest["timings"]["steps"],
        "geometry_backend": geometry.get("backend"),
        "sae": manifest["sae"].get("source"),
        "hook": manifest["model"]["hook"],
    }


def check_geometry(n_points: int) -> dict:
    from analysis.config import GeometryConfig
    from analysis.geometry.clustering import hdbscan_labels
    from analysis.geometry.embedding import two_umaps

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(20, 64))
    points = (centres[rng.integers(0, 20, n_points)] + 0.3 * rng.normal(size=(n_points, 64))).astype(np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    started = time.perf_counter()
    umaps = two_umaps(points, GeometryConfig())
    umap_seconds = time.perf_counter() - started
    started = time.perf_counter()
    labels = hdbscan_labels(umaps.space, 50, 5, umaps.backend).labels
    return {
        "backend": umaps.backend,
        "points": n_points,
        "umap_seconds": round(umap_seconds, 2),
        "hdbscan_seconds": round(time.perf_counter() - started, 2),
        "clusters": int(labels.max() + 1),
        "map_shape": list(umaps.xy.shape),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="training rows of the extraction and build checks")
    parser.add_argument("--d-model", type=int, default=768)
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--d-sae", type=int, default=16_384)
    parser.add_argument("--context", type=int, default=128)
    parser.add_argument("--umap-points", type=int, default=200_000)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"device: {device}" + (f" ({torch.cuda.get_device_name(0)})" if device == "cuda" else " (no CUDA device: everything on the CPU)"))
    figures: dict[str, object] = {"device": device, "torch": torch.__version__}
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as scratch:
        root = Path(scratch)
        texts = demo_texts()
        model_dir = tiny_lm(root / "model", texts, args.d_model, args.layers, args.context)
        hook = f"transformer.h.{args.layers // 2}"
        sae_dir = tiny_sae(root / "sae", model_dir, args.d_model, args.d_sae, hook, args.context)
        paths = write_inputs(root / "inputs", texts, args.rows)
        figures["streaming"] = check_streaming(paths, sae_dir, device, root / "stream")
        print("streaming extraction:", json.dumps(figures["streaming"]), flush=True)
        if not args.skip_build:
            figures["build"] = check_build(paths, sae_dir, device, root / "cache")
            print("build with the SAE folder:", json.dumps(figures["build"]), flush=True)
        figures["geometry"] = check_geometry(args.umap_points)
        print("UMAP + HDBSCAN:", json.dumps(figures["geometry"]), flush=True)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
