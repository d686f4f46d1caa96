"""The build: inputs -> extract -> geometry -> clusters -> proximity -> analysis folder.

Each step is cached in `cache/steps/<step>/<key>/`, the key a hash of everything that
determines it (the previous step's key included), so changing HDBSCAN settings recomputes
only the clustering and the scores. The analysis folder `cache/analyses/<name>-<key12>/`
gathers every artifact (hard links) and `manifest.json`. Heavy libraries are imported
inside the steps, so a fully cached build returns in about a second.
"""

from __future__ import annotations

import datetime as dt
import platform
import re
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis import __version__
from analysis.artifacts.cache import (
    atomic_dir,
    cache_folders,
    default_cache_root,
    is_complete,
    link_or_copy,
    read_json,
    stable_hash,
    step_dir,
    step_lock,
    sweep_stale_tmp,
    write_json,
)
from analysis.artifacts.folder import FORMAT_VERSION
from analysis.artifacts.inputs import InputError, InputTable, load_table
from analysis.config import STEP_VERSIONS, BuildConfig, ExtractConfig

MIN_ROWS = {"train": 10, "toxic": 5, "benign": 5}
ROLES = ("train", "toxic", "benign")
ANALYSIS_FILES = (
    "samples.parquet",
    "features.parquet",
    "clusters.parquet",
    "feature_clusters.parquet",
    "activations.parquet",
    "tokens.parquet",
    "embeddings.safetensors",
    "decoder.safetensors",
    "scorer/scorer.json",
    "scorer/scorer.safetensors",
)

Reporter = Callable[[int, int, str], None]


def stderr_reporter(index: int, total: int, stage: str) -> None:
    print(f"[{index}/{total}] {stage}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class BuildInputs:
    train: Path
    toxic: Path
    benign: Path | None = None


@dataclass
class LoadedInputs:
    tables: dict[str, InputTable]
    samples: pl.DataFrame  # id, set, text, prompt, response, response_start + carried columns
    renamed_reference_ids: int


def load_inputs(inputs: BuildInputs) -> LoadedInputs:
    """Read and normalise every set; reference ids that collide with training ids get a prefix."""
    tables = {"train": load_table(inputs.train, "train", MIN_ROWS["train"])}
    tables["toxic"] = load_table(inputs.toxic, "toxic", MIN_ROWS["toxic"])
    if inputs.benign is not None:
        tables["benign"] = load_table(inputs.benign, "benign", MIN_ROWS["benign"])
    frames, seen, renamed = [], set(), 0
    for role, table in tables.items():
        frame = table.frame.drop("source_row").with_columns(pl.lit(role).alias("set"))
        clashes = frame["id"].is_in(list(seen))
        if role != "train" and bool(clashes.any()):
            renamed += int(clashes.sum())
            frame = frame.with_columns(
                pl.when(clashes).then(pl.lit(f"{role}:") + pl.col("id")).otherwise(pl.col("id")).alias("id")
            )
            if bool(frame["id"].is_in(list(seen)).any()) or not frame["id"].is_unique().all():
                raise InputError(table.path, "ids clash with the training set's even after prefixing the set name")
        seen.update(frame["id"].to_list())
        frames.append(frame)
    samples = pl.concat(frames, how="diagonal_relaxed")
    front = ["id", "set", "text", "prompt", "response", "response_start"]
    samples = samples.select(front + [c for c in samples.columns if c not in front])
    return LoadedInputs(tables, samples, renamed)


def inputs_fingerprint(tables: dict[str, InputTable]) -> list[dict[str, str]]:
    return [{"role": role, "sha256": t.sha256, "text_source": t.text_source} for role, t in tables.items()]


@dataclass(frozen=True)
class StepKeys:
    sae: str
    extract: str
    geometry: str
    clusters: str
    analysis: str


def local_files_fingerprint(spec: str | None) -> list[list[str]] | None:
    """sha256 of every file of a local SAE folder, so an SAE retrained in place is not reused."""
    if spec is None or not Path(spec).expanduser().is_dir():
        return None
    from analysis.artifacts.inputs import file_sha256

    folder = Path(spec).expanduser()
    return [[p.name, file_sha256(p)] for p in sorted(folder.iterdir()) if p.is_file()]


# Settings that change how fast a step runs, never what it writes.
SPEED_ONLY_SETTINGS = ("device", "batch_tokens")
# Settings a pretrained SAE decides itself: the layer is its hook, and nothing is trained.
PRETRAINED_DECIDES = ("layer", "sae_training")


def extract_identity(ex: ExtractConfig) -> dict[str, Any]:
    """The extract settings that determine its output (docs/ARTIFACTS.md, "What an analysis id identifies")."""
    settings = {k: v for k, v in asdict(ex).items() if k not in SPEED_ONLY_SETTINGS}
    if ex.sae is not None:
        settings = {k: v for k, v in settings.items() if k not in PRETRAINED_DECIDES}
    return settings


def step_keys(fingerprint: list[dict[str, str]], config: BuildConfig) -> StepKeys:
    ex = config.extract
    sae_key = stable_hash(
        {"inputs": fingerprint, "model": ex.model, "layer": ex.layer, "window": ex.window, "stride": ex.stride, "dtype": ex.model_dtype, "training": asdict(ex.sae_training), "v": STEP_VERSIONS["extract"]}
    )
    extract_key = stable_hash(
        {"inputs": fingerprint, "extract": extract_identity(ex), "sae_files": local_files_fingerprint(ex.sae), "v": STEP_VERSIONS["extract"]}
    )
    geometry_key = stable_hash({"extract": extract_key, "geometry": asdict(config.geometry), "v": STEP_VERSIONS["geometry"]})
    clusters_key = stable_hash({"geometry": geometry_key, "clusters": asdict(config.clusters), "v": STEP_VERSIONS["clusters"]})
    # the folder format is in the key: an analysis written in another format is never found again
    analysis_key = stable_hash({"clusters": clusters_key, "proximity": asdict(config.proximity), "v": STEP_VERSIONS["proximity"], "format": FORMAT_VERSION})
    return StepKeys(sae_key, extract_key, geometry_key, clusters_key, analysis_key)


def slugify(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:48] or "analysis"


def find_analysis(cache_root: Path, analysis_key: str) -> Path | None:
    folder = cache_root / "analyses"
    if not folder.is_dir():
        return None
    for candidate in sorted(folder.glob(f"*-{analysis_key[:12]}")):
        if is_complete(candidate) and read_json(candidate / "manifest.json").get("analysis_id") == analysis_key:
            return candidate
    return None


def _once(folder: Path, compute: Callable[[], None]) -> Path:
    """`folder` built by `compute` unless complete; a concurrent build of the same key (another
    process or thread) waits on the step's lock and then finds it complete."""
    if is_complete(folder):
        return folder
    with step_lock(folder):
        if not is_complete(folder):
            compute()
    return folder


# ---------------------------------------------------------------- extract step


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
    return _once(folder, lambda: _extract(samples, config, keys, cache_root, progress, folder, trust_remote_code, engine))


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
    import torch
    from tqdm.auto import tqdm

    from analysis.extraction.sae import load_sae, load_sae_from_disk, sample_budget, train_sae
    from analysis.extraction.sources import pick_device
    from analysis.extraction.stream import (
        activation_source,
        read_kept,
        sae_training_texts,
        stream_extract,
        token_counts,
    )
    from analysis.extraction.writer import ExtractionWriter

    ex = config.extract
    device = pick_device(ex.device)
    torch.manual_seed(ex.sae_training.seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    pretrained = load_sae(ex.sae, device) if ex.sae is not None else None
    source = activation_source(ex, pretrained, device, trust_remote_code)
    timings["load_model"] = time.perf_counter() - started
    texts = samples["text"].to_list()
    counts = token_counts(texts, source)

    with atomic_dir(folder) as tmp:
        kept = None
        if pretrained is not None:
            sae = pretrained
            sae_stats: dict[str, Any] = {"source": "pretrained" if not Path(ex.sae).is_dir() else "local folder", "spec": ex.sae}
            timings["sae"] = 0.0
        else:
            sae_folder = step_dir(cache_root, "sae", keys.sae)
            started = time.perf_counter()

            def train() -> None:
                nonlocal kept
                rows = sae_training_texts(counts, sample_budget(ex.sae_training), ex.sae_training.seed)
                with tqdm(total=int(counts[rows].sum()), desc="Reading the SAE's training sample", unit="tok", disable=not progress) as bar:
                    kept = read_kept(texts, rows, source, ex, bar)
                timings["read_sae_sample"] = time.perf_counter() - started
                with atomic_dir(sae_folder) as sae_tmp:
                    meta = {"model_name": ex.model, "hook_name": source.hook, "model_class_name": "AutoModel", "context_size": ex.window, "prepend_bos": False}
                    stats = train_sae(kept.tokens.values, kept.tokens.offsets, ex.sae_training, sae_tmp / "sae", meta, device)
                    stats["sample_texts"] = len(kept.rows)
                    write_json(sae_tmp / "step.json", {"training": stats, "config": asdict(ex.sae_training)})

            _once(sae_folder, train)
            sae = load_sae_from_disk(sae_folder / "sae", device)
            link_or_copy(sae_folder / "sae", tmp / "sae")
            sae_stats = {"source": "trained locally", **read_json(sae_folder / "step.json")}
            timings["sae"] = time.perf_counter() - started

        started = time.perf_counter()
        writer = ExtractionWriter(tmp, samples["id"].to_list())
        if engine == "ray":
            from analysis.extraction.ray_engine import ray_extract, work_folder

            # the workers load the SAE trained here from its saved folder; they read the
            # SAE's sample texts again (the kept activations stay in this process)
            sae_spec = str(tmp / "sae") if (tmp / "sae").is_dir() else ex.sae
            rows = samples.select("id", "text", "response_start")
            engine_info = ray_extract(rows, writer, ex, sae_spec, work_folder(cache_root, keys.extract), progress, trust_remote_code)
        else:
            for chunk in stream_extract(samples.select("id", "text", "response_start"), source, sae, ex, progress, kept, counts):
                writer.add(chunk)
            engine_info = {"engine": "local"}
        del kept
        written = writer.close(sae)
        timings["read_and_encode"] = time.perf_counter() - started
        write_json(
            tmp / "step.json",
            {
                "model": {"name": source.name, "hook": source.hook, "layer": ex.layer if pretrained is None else None, "d_in": source.d_in, "window": source.window, "stride": ex.stride, "causal": source.causal, "device": device},
                "sae": {**sae_stats, "d_sae": int(sae.cfg.d_sae), "architecture": sae.cfg.architecture(), "dead_fraction_data": written["dead_fraction_data"]},
                "tokens": written["tokens"],
                "windowed_samples": written["windowed_samples"],
                **engine_info,
                "timings": {k: round(v, 2) for k, v in timings.items()},
            },
        )


# ---------------------------------------------------------------- geometry and clusters


def _codes(extract_folder: Path, d_sae: int):
    from analysis.geometry.embedding import activation_matrix

    acts = pl.read_parquet(extract_folder / "activations.parquet")
    return activation_matrix(acts, acts["id"].to_list(), d_sae)


def _decoder(extract_folder: Path) -> tuple[np.ndarray, np.ndarray]:
    from safetensors.numpy import load_file

    tensors = load_file(str(extract_folder / "decoder.safetensors"))
    return tensors["features"], tensors["directions"]


def run_geometry(extract_folder: Path, config: BuildConfig, keys: StepKeys, cache_root: Path, d_sae: int) -> Path:
    folder = step_dir(cache_root, "geometry", keys.geometry)
    return _once(folder, lambda: _geometry(extract_folder, config, d_sae, folder))


def _geometry(extract_folder: Path, config: BuildConfig, d_sae: int, folder: Path) -> None:
    from analysis.geometry.embedding import last_backend, svd_embedding, two_umaps

    cfg = config.geometry
    started = time.perf_counter()
    codes = _codes(extract_folder, d_sae)
    points = svd_embedding(codes, cfg.svd_components, cfg.seed)
    sample_xy, sample_space = two_umaps(points, cfg)
    sample_seconds = time.perf_counter() - started
    started = time.perf_counter()
    features, directions = _decoder(extract_folder)
    feature_xy, feature_space = two_umaps(directions, cfg)
    feature_seconds = time.perf_counter() - started
    with atomic_dir(folder) as tmp:
        np.save(tmp / "sample_xy.npy", sample_xy, allow_pickle=False)
        np.save(tmp / "sample_space.npy", sample_space, allow_pickle=False)
        np.save(tmp / "feature_xy.npy", feature_xy, allow_pickle=False)
        np.save(tmp / "feature_space.npy", feature_space, allow_pickle=False)
        write_json(tmp / "step.json", {"timings": {"umap_samples": round(sample_seconds, 2), "umap_features": round(feature_seconds, 2)}, "backend": last_backend()})


def resolved_cluster_config(config: BuildConfig, n_samples: int):
    from analysis.geometry.embedding import auto_min_cluster_size

    cfg = config.clusters
    if cfg.min_cluster_size <= 0:
        cfg = replace(cfg, min_cluster_size=auto_min_cluster_size(n_samples))
    return cfg


def run_clusters(geometry_folder: Path, config: BuildConfig, keys: StepKeys, cache_root: Path, n_samples: int) -> Path:
    folder = step_dir(cache_root, "clusters", keys.clusters)
    return _once(folder, lambda: _clusters(geometry_folder, config, n_samples, folder))


def _clusters(geometry_folder: Path, config: BuildConfig, n_samples: int, folder: Path) -> None:
    from analysis.geometry.embedding import hdbscan_labels, last_backend

    cfg = resolved_cluster_config(config, n_samples)
    started = time.perf_counter()
    sample_labels = hdbscan_labels(np.load(geometry_folder / "sample_space.npy"), cfg.min_cluster_size, cfg.min_samples)
    feature_labels = hdbscan_labels(np.load(geometry_folder / "feature_space.npy"), cfg.feature_min_cluster_size, None)
    with atomic_dir(folder) as tmp:
        np.save(tmp / "sample_labels.npy", sample_labels, allow_pickle=False)
        np.save(tmp / "feature_labels.npy", feature_labels, allow_pickle=False)
        write_json(tmp / "step.json", {"resolved": asdict(cfg), "timings": {"hdbscan": round(time.perf_counter() - started, 2)}, "backend": last_backend()})


# ---------------------------------------------------------------- proximity and the analysis folder


def _feature_top_tokens(tokens_path: Path, per_feature: int = 5) -> pl.DataFrame:
    """The distinct tokens where each latent fires hardest, as a short label."""
    return (
        pl.scan_parquet(tokens_path)
        .select("token", "features", "values")
        .explode("features", "values")
        .drop_nulls("features")
        .with_columns(pl.col("token").str.strip_chars().str.to_lowercase())
        .filter(pl.col("token").str.len_chars() > 0)
        .group_by("features", "token")
        .agg(pl.col("values").max())
        .sort(["features", "values", "token"], descending=[False, True, False])
        .group_by("features", maintain_order=True)
        .agg(pl.col("token").head(per_feature).str.join(" · ").alias("top_tokens"))
        .rename({"features": "feature"})
        .collect()
    )


def _versions() -> dict[str, str]:
    names = ["torch", "transformers", "sae-lens", "polars", "umap-learn", "hdbscan", "scikit-learn", "numpy"]
    versions = {"python": platform.python_version(), "analysis": __version__}
    for name in names:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_command(inputs: BuildInputs, config: BuildConfig) -> str:
    """The command line that rebuilds this analysis (every setting the CLI can express)."""
    ex, training = config.extract, config.extract.sae_training
    parts = ["python", "-m", "analysis", "build", "--train", str(inputs.train), "--toxic", str(inputs.toxic)]
    if inputs.benign:
        parts += ["--benign", str(inputs.benign)]
    if ex.sae:
        parts += ["--sae", ex.sae]
    flags = {
        "--model": ex.model,
        "--layer": ex.layer,
        "--pooling": ex.pooling,
        "--model-dtype": ex.model_dtype,
        "--pool-tokens": ex.pool_tokens,
        "--d-sae": training.d_sae,
        "--k": training.k,
        "--sae-architecture": training.architecture,
        "--training-tokens": training.training_tokens,
        "--min-cluster-size": config.clusters.min_cluster_size,
        "--min-samples": config.clusters.min_samples if config.clusters.min_samples is not None else 0,
        "--neighbors": config.geometry.n_neighbors,
        "--default-score": config.proximity.default_score,
        "--paper-top-n": config.proximity.paper_top_n,
    }
    for flag, value in flags.items():
        parts += [flag, str(value)]
    return shlex.join(parts)


def build(
    inputs: BuildInputs,
    config: BuildConfig | None = None,
    cache_root: Path | None = None,
    name: str | None = None,
    progress: bool = True,
    report: Reporter = stderr_reporter,
    trust_remote_code: bool = False,
    engine: str = "local",
) -> Path:
    """Build (or find in the cache) the analysis of these inputs; return its folder.

    `trust_remote_code` lets a pretrained SAE's metadata load its model with the model
    repository's own code (off: the SAE's metadata alone never enables it). `engine` runs
    extraction in this process ("local") or as a Ray Data job ("ray", `engine_ray`)."""
    from analysis.extraction.ray_engine import check_engine

    check_engine(engine)  # a missing Ray stops the build here, before any work
    config = config or BuildConfig()
    cache_root = Path(cache_root) if cache_root else default_cache_root()
    total = 6
    report(1, total, "Reading inputs")
    loaded = load_inputs(inputs)
    keys = step_keys(inputs_fingerprint(loaded.tables), config)
    sweep_stale_tmp(cache_folders(cache_root))
    found = find_analysis(cache_root, keys.analysis)
    if found is not None:
        report(total, total, "Analysis found in the cache")
        return found
    # A concurrent build of the same analysis holds this lock: wait, then share its result.
    with step_lock(cache_root / "analyses" / keys.analysis):
        found = find_analysis(cache_root, keys.analysis)
        if found is not None:
            report(total, total, "Analysis found in the cache (built by a concurrent build)")
            return found
        return _build_analysis(inputs, config, cache_root, name, progress, report, loaded, keys, trust_remote_code, engine)


def _build_analysis(
    inputs: BuildInputs,
    config: BuildConfig,
    cache_root: Path,
    name: str | None,
    progress: bool,
    report: Reporter,
    loaded: LoadedInputs,
    keys: StepKeys,
    trust_remote_code: bool,
    engine: str = "local",
) -> Path:
    total = 6
    wall = time.perf_counter()
    report(2, total, "Extracting SAE features (model, SAE, pooling)")
    extract_folder = run_extract(loaded.samples, config, keys, cache_root, progress, trust_remote_code, engine)
    extract_info = read_json(extract_folder / "step.json")
    d_sae = int(extract_info["sae"]["d_sae"])
    report(3, total, "Mapping samples and features (UMAP)")
    geometry_folder = run_geometry(extract_folder, config, keys, cache_root, d_sae)
    report(4, total, "Clustering (HDBSCAN)")
    clusters_folder = run_clusters(geometry_folder, config, keys, cache_root, loaded.samples.height)
    report(5, total, "Scoring proximity to toxic features")
    started = time.perf_counter()
    folder_name = f"{slugify(name or Path(inputs.train).stem)}-{keys.analysis[:12]}"
    final = cache_root / "analyses" / folder_name
    with atomic_dir(final) as tmp:
        counts, notes, diagnostics = _write_proximity(loaded, config, extract_folder, geometry_folder, clusters_folder, tmp, d_sae)
        proximity_seconds = time.perf_counter() - started
        report(6, total, "Writing the analysis folder")
        for artifact in ("activations.parquet", "tokens.parquet", "embeddings.safetensors", "decoder.safetensors", "sae"):
            if (extract_folder / artifact).exists():
                link_or_copy(extract_folder / artifact, tmp / artifact)
        step_timings = {
            **extract_info["timings"],
            **read_json(geometry_folder / "step.json")["timings"],
            **read_json(clusters_folder / "step.json")["timings"],
            "proximity": round(proximity_seconds, 2),
        }
        resolved_clusters = read_json(clusters_folder / "step.json")["resolved"]
        manifest = {
            "format_version": FORMAT_VERSION,
            "analysis_id": keys.analysis,
            "name": name or Path(inputs.train).stem,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "inputs": {
                role: (
                    {"path": str(t.path), "format": t.format, "sha256": t.sha256, "rows": t.frame.height, "text_source": t.text_source}
                    if (t := loaded.tables.get(role)) is not None
                    else None
                )
                for role in ROLES
            },
            "model": extract_info["model"],
            "sae": extract_info["sae"],
            "pooling": {"method": config.extract.pooling, "tokens": config.extract.pool_tokens, "pooled_top_k": config.extract.pooled_top_k, "token_top_k": config.extract.token_top_k},
            "config": config.to_dict(),
            "resolved_clusters": resolved_clusters,
            "seeds": {"sae_training": config.extract.sae_training.seed, "umap": config.geometry.seed, "probe": config.proximity.seed},
            "counts": {**counts, "tokens": extract_info["tokens"], "windowed_samples": extract_info["windowed_samples"], "renamed_reference_ids": loaded.renamed_reference_ids},
            "default_score": config.proximity.default_score,
            "diagnostics": diagnostics,
            "notes": notes,
            "steps": asdict(keys),
            "timings": {"steps": step_timings, "this_build_seconds": round(time.perf_counter() - wall, 2)},
            "versions": _versions(),
            "command": build_command(inputs, config),
        }
        write_json(tmp / "manifest.json", manifest)
    return final


def _fit_rows(loaded: LoadedInputs, extract_folder: Path, clusters_folder: Path, d_sae: int):
    from safetensors.numpy import load_file

    from analysis.scoring.scorer import FitRows

    samples = loaded.samples
    features, directions = _decoder(extract_folder)
    return FitRows(
        codes=_codes(extract_folder, d_sae),
        dense=load_file(str(extract_folder / "embeddings.safetensors"))["raw"],
        texts=samples["text"].to_numpy().astype(object),
        sets=samples["set"].to_numpy(),
        ids=samples["id"].to_numpy().astype(object),
        clusters=np.load(clusters_folder / "sample_labels.npy"),
        decoder_features=features,
        decoder_directions=directions,
    )


def _write_proximity(
    loaded: LoadedInputs,
    config: BuildConfig,
    extract_folder: Path,
    geometry_folder: Path,
    clusters_folder: Path,
    out: Path,
    d_sae: int,
) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    from analysis.scoring.scorer import FAMILIES
    from analysis.scoring.statistics import proximity_tables

    rows = _fit_rows(loaded, extract_folder, clusters_folder, d_sae)
    tables = proximity_tables(
        rows,
        np.load(geometry_folder / "feature_xy.npy"),
        np.load(clusters_folder / "feature_labels.npy"),
        _feature_top_tokens(extract_folder / "tokens.parquet"),
        config.proximity,
    )
    samples = loaded.samples
    sample_xy = np.load(geometry_folder / "sample_xy.npy")
    table = pl.concat(
        [
            samples.drop("response_start"),
            pl.read_parquet(extract_folder / "lengths.parquet").drop("id"),
            pl.DataFrame({"x": sample_xy[:, 0], "y": sample_xy[:, 1], "cluster": rows.clusters}),
            tables.scores,
        ],
        how="horizontal",
    )
    front = ["id", "set", "text", "prompt", "response"]
    carried = [c for c in samples.columns if c not in front and c != "response_start"]
    layout = front + carried + ["n_tokens", "n_windows", "x", "y", "cluster", *FAMILIES, "score", "nearest_toxic_cluster", "nearest_toxic_ids", "nearest_toxic_sims"]
    table.select(layout).write_parquet(out / "samples.parquet")
    tables.features.write_parquet(out / "features.parquet")
    tables.clusters.select(
        "cluster", "size", "n_train", "n_toxic", "n_benign", "toxic_share", "odds_ratio", "p_value", "q_value", "is_toxic_cluster", "top_features"
    ).write_parquet(out / "clusters.parquet")
    tables.feature_clusters.write_parquet(out / "feature_clusters.parquet")
    tables.scorer.save(out / "scorer")
    return tables.counts, tables.notes, tables.diagnostics


# ---------------------------------------------------------------- derived builds


def inputs_from_manifest(manifest: dict[str, Any]) -> BuildInputs:
    paths = {role: (Path(info["path"]) if info else None) for role, info in manifest["inputs"].items()}
    return BuildInputs(train=paths["train"], toxic=paths["toxic"], benign=paths.get("benign"))


def build_from_manifest(manifest: dict[str, Any], cache_root: Path | None = None, progress: bool = True) -> Path:
    """Rebuild an analysis from its manifest; the inputs must still hash the same."""
    from analysis.artifacts.inputs import file_sha256

    inputs = inputs_from_manifest(manifest)
    for role, info in manifest["inputs"].items():
        if info is None:
            continue
        path = Path(info["path"])
        if not path.is_file():
            raise FileNotFoundError(f"{path}: the {role} input of analysis {manifest['analysis_id'][:12]} is missing")
        if file_sha256(path) != info["sha256"]:
            raise ValueError(f"{path}: the {role} input changed since analysis {manifest['analysis_id'][:12]} was built (sha256 differs)")
    config = BuildConfig.from_dict(manifest["config"])
    return build(inputs, config, cache_root, name=manifest.get("name"), progress=progress)


def recluster(
    analysis_dir: str | Path, min_cluster_size: int, min_samples: int | None = None, cache_root: Path | None = None
) -> Path:
    """The same analysis with other HDBSCAN settings: extraction and UMAP come from the cache."""
    manifest = read_json(Path(analysis_dir) / "manifest.json")
    config = BuildConfig.from_dict(manifest["config"])
    config = replace(config, clusters=replace(config.clusters, min_cluster_size=int(min_cluster_size), min_samples=min_samples))
    cache_root = Path(cache_root) if cache_root else Path(analysis_dir).resolve().parent.parent
    return build(inputs_from_manifest(manifest), config, cache_root, name=manifest.get("name"), progress=False, report=lambda *_: None)
