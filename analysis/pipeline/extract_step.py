"""The extract step: model forward pass, SAE (trained or loaded), encoding and pooling, cached
in `cache/steps/extract/<key>/` (and a locally trained SAE in `cache/steps/sae/<key>/`).

Heavy libraries (torch, transformers, sae-lens) are imported inside the step, so a build
whose extraction is cached never loads them.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from analysis.artifacts.cache import atomic_dir, link_or_copy, read_json, step_dir, write_json
from analysis.artifacts.layout import ACTIVATIONS, ACTIVE_DECODER, PACKAGED_SAE_TRAINING
from analysis.config import PACKAGED_SAE, BuildConfig, ExtractConfig
from analysis.extraction.self_responses import require_chat_model
from analysis.heap import release_free_heap
from analysis.pipeline.keys import StepKeys, once
from analysis.scoring.families import SELF_CONTRAST_FAMILIES, score_components

if TYPE_CHECKING:
    import scipy.sparse as sp


def run_extract(
    samples: pl.DataFrame,
    config: BuildConfig,
    keys: StepKeys,
    cache_root: Path,
    progress: bool,
    trust_remote_code: bool = False,
    engine: str = "local",
) -> Path:
    """Model forward pass, SAE (trained or loaded), encoding and pooling. `engine` ("local"
    or "ray") says where the rows are read, never what is written, so it is not in the key."""
    folder = step_dir(cache_root, "extract", keys.extract)
    done = once(folder, lambda: _extract(samples, config, keys, cache_root, progress, folder, trust_remote_code, engine))
    release_free_heap()  # the model, the SAE and their buffers are gone: the maps start from less
    return done


def check_self_contrast(config: BuildConfig) -> None:
    """Refuse, before any work, settings that cannot give what they ask for: `--self-contrast`
    with a model that does not generate, or a default score made of self-contrast families
    without `--self-contrast`."""
    config = config.resolved()
    ex = config.extract
    if ex.self_contrast:
        require_chat_model(ex.model)
        if ex.self_contrast_tokens < 1:
            raise ValueError(f"--self-contrast-tokens must be at least 1, got {ex.self_contrast_tokens}")
    needed = [name for name in score_components(config.proximity.default_score) if name in SELF_CONTRAST_FAMILIES]
    if needed and not ex.self_contrast:
        raise ValueError(f"the default score {config.proximity.default_score} uses {', '.join(needed)}, which needs --self-contrast")


def read_codes(extract_folder: Path, d_sae: int) -> sp.csr_matrix:
    """The pooled SAE codes the extract step wrote, one row per sample in its order."""
    from analysis.artifacts.codes import activation_matrix

    acts = pl.read_parquet(extract_folder / ACTIVATIONS)
    return activation_matrix(acts, acts["id"].to_list(), d_sae)


def read_decoder(extract_folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """(active latents, their unit decoder directions) the extract step wrote."""
    from safetensors.numpy import load_file

    tensors = load_file(str(extract_folder / ACTIVE_DECODER))
    return tensors["features"], tensors["directions"]


def _extract(
    samples: pl.DataFrame,
    config: BuildConfig,
    keys: StepKeys,
    cache_root: Path,
    progress: bool,
    folder: Path,
    trust_remote_code: bool,
    engine: str = "local",
) -> None:
    """Streams: each chunk of rows is read, encoded and written before the next is read. An
    SAE trained here learns from a bounded sample of whole texts (`sae.sample_budget`), read
    first; those texts are not read again when they are encoded."""
    from analysis.extraction.sae import load_sae
    from analysis.extraction.sources import pick_device, seed_torch
    from analysis.extraction.stream import activation_source, token_counts
    from analysis.extraction.writer import ExtractionWriter

    ex = config.extract
    device = pick_device(ex.device)
    seed_torch(ex.sae_training.seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    pretrained = load_sae(ex.sae_location(), device) if ex.sae is not None else None
    source = activation_source(ex, pretrained, device, trust_remote_code, cache_root)
    if ex.self_contrast:  # a pretrained SAE's metadata may name another model than --model
        require_chat_model(source.name)
    timings["load_model"] = time.perf_counter() - started
    texts = samples["text"].to_list()
    response_starts = samples["response_start"].to_list()
    counts = token_counts(texts, source, response_starts)

    with atomic_dir(folder) as tmp:
        if pretrained is not None:
            sae, kept = pretrained, None
            sae_stats = _pretrained_record(ex, tmp)
            timings["sae"] = 0.0
        else:
            sae, sae_stats, kept = _train_here((texts, response_starts), counts, source, ex, keys.sae, cache_root, progress, device, tmp, timings)
        started = time.perf_counter()
        writer = ExtractionWriter(tmp, samples["id"].to_list())
        engine_info = _read_and_encode(samples, writer, source, sae, ex, kept, counts, keys, cache_root, progress, trust_remote_code, engine, tmp)
        del kept  # the SAE sample's activations are no longer needed while the tables are written
        release_free_heap()
        written = writer.close(sae)
        timings["read_and_encode"] = time.perf_counter() - started
        if ex.self_contrast:
            engine_info["self_contrast"] = _own_answers(samples, source, sae, ex, cache_root, progress, tmp, timings)
        record = {
            "model": {"name": source.name, "hook": source.hook, "layer": source.layer, "d_in": source.d_in, "window": source.window, "stride": ex.stride, "causal": source.causal, "device": device, "dtype": ex.resolved_model_dtype},
            "sae": {**sae_stats, "d_sae": int(sae.cfg.d_sae), "architecture": sae.cfg.architecture(), "dead_fraction_data": written["dead_fraction_data"]},
            "tokens": written["tokens"],
            "windowed_samples": written["windowed_samples"],
            **engine_info,
            "timings": {k: round(v, 2) for k, v in timings.items()},
        }
        write_json(tmp / "step.json", record)


def _pretrained_record(ex: ExtractConfig, tmp: Path) -> dict[str, Any]:
    """The manifest's record of a given SAE. The packaged SAE is also copied into the
    analysis (`sae/`, a few MB), so the folder stands alone as one with a trained SAE does."""
    if ex.sae == PACKAGED_SAE:
        folder = Path(ex.sae_location())
        link_or_copy(folder, tmp / "sae")
        trained = read_json(folder / PACKAGED_SAE_TRAINING)
        return {"source": "packaged", "spec": ex.sae, "training": trained["training"], "sample_texts": trained["sample_texts"]}
    return {"source": "pretrained" if not Path(ex.sae).is_dir() else "local folder", "spec": ex.sae}


def _train_here(
    rows_text: tuple[list[str], list[int | None]],
    counts: np.ndarray,
    source: Any,
    ex: ExtractConfig,
    sae_key: str,
    cache_root: Path,
    progress: bool,
    device: str,
    tmp: Path,
    timings: dict[str, float],
) -> tuple[Any, dict[str, Any], Any]:
    """(the SAE trained on these inputs (texts, response starts), its training record, the token activations of its
    training sample when they were read now, else None), its folder linked into `tmp`.

    A build of the same SAE key (here or concurrently) trains it once; the others load it."""
    from tqdm.auto import tqdm

    from analysis.extraction.sae import load_sae_from_disk, sample_budget, train_sae
    from analysis.extraction.stream import read_kept, sae_training_texts

    texts, response_starts = rows_text
    sae_folder = step_dir(cache_root, "sae", sae_key)
    started = time.perf_counter()
    kept = None

    def train() -> None:
        nonlocal kept
        rows = sae_training_texts(counts, sample_budget(ex.sae_training), ex.sae_training.seed)
        with tqdm(total=int(counts[rows].sum()), desc="Reading the SAE's training sample", unit="tok", disable=not progress) as bar:
            kept = read_kept(texts, rows, source, ex, bar, response_starts)
        timings["read_sae_sample"] = time.perf_counter() - started
        with atomic_dir(sae_folder) as sae_tmp:
            meta = {"model_name": ex.model, "hook_name": source.hook, "model_class_name": "AutoModel", "context_size": ex.window, "prepend_bos": False}
            values, offsets = kept.training_tokens()
            training = ex.resolved_sae_training()
            stats = train_sae(values, offsets, training, sae_tmp / "sae", meta, device)
            stats["sample_texts"] = len(kept.rows)
            write_json(sae_tmp / "step.json", {"training": stats, "config": asdict(training)})

    once(sae_folder, train)
    sae = load_sae_from_disk(sae_folder / "sae", device)
    link_or_copy(sae_folder / "sae", tmp / "sae")
    sae_stats = {"source": "trained locally", **read_json(sae_folder / "step.json")}
    timings["sae"] = time.perf_counter() - started
    return sae, sae_stats, kept


def _own_answers(
    samples: pl.DataFrame, source: Any, sae: Any, ex: ExtractConfig, cache_root: Path, progress: bool, tmp: Path, timings: dict[str, float]
) -> dict[str, int]:
    """The model's own answers to the rows' prompts, generated (or taken from the generation
    cache) and read in this process whatever the engine; written into `tmp`."""
    from analysis.extraction.stream import extract_own_answers
    from analysis.extraction.writer import write_own_answers

    started = time.perf_counter()
    own = extract_own_answers(samples.select("id", "text", "response_start"), source, sae, ex, cache_root, progress)
    timings["self_contrast"] = time.perf_counter() - started
    return write_own_answers(tmp, own)


def _read_and_encode(
    samples: pl.DataFrame,
    writer: Any,
    source: Any,
    sae: Any,
    ex: ExtractConfig,
    kept: Any,
    counts: np.ndarray,
    keys: StepKeys,
    cache_root: Path,
    progress: bool,
    trust_remote_code: bool,
    engine: str,
    tmp: Path,
) -> dict[str, Any]:
    """Every row read, encoded and handed to `writer`, in this process or as a Ray job; the
    engine's record for step.json."""
    rows = samples.select("id", "text", "response_start")
    if engine == "ray":
        from analysis.extraction.ray_engine import ray_extract, work_folder

        # the workers load the SAE trained here from its saved folder; they read the
        # SAE's sample texts again (the kept activations stay in this process)
        sae_spec = str(tmp / "sae") if (tmp / "sae").is_dir() else ex.sae_location()
        return ray_extract(rows, writer, ex, sae_spec, work_folder(cache_root, keys.extract), progress, trust_remote_code)
    from analysis.extraction.stream import stream_extract

    for chunk in stream_extract(rows, source, sae, ex, progress, kept, counts):
        writer.add(chunk)
    return {"engine": "local"}
