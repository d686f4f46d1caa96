"""Extraction as a Ray Data job: `python -m analysis build ... --engine ray`.

The input rows are cut into fixed shards (`SHARD_ROWS` rows each, boundaries from row
counts alone, so a rerun cuts the same shards). Ray Data maps a pool of actors over the
shards (`map_batches`, one shard a batch): each actor loads the model and the SAE once and
runs `featurize.stream_extract` (chunks of `featurize.extract_chunk`) over its shard. The
driver saves each finished shard atomically under the build's work folder
(`<cache>/steps/.work/extract/<extract key>/shards/shard-00012/`, done when `done.json`
is there), so a build stopped halfway recomputes only the missing shards; then it feeds
the shards in row order into the same `ExtractionWriter` as the local engine, so the
extract step's files are the same. Actors are GPU actors (one GPU each) when the cluster
has GPUs, CPU actors otherwise. Nothing here imports Ray at module level: without Ray,
`check_engine` says how to install it.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from analysis.config import ExtractConfig

if TYPE_CHECKING:  # imported where used, so `check_engine` in a cached build stays cheap
    from analysis.extraction.stream import ExtractedChunk

ENGINES = ("local", "ray")
RAY_MISSING = "--engine ray needs Ray: pip install -r requirements-scale.txt"
# Rows per shard: large enough that loading a batch onto an actor costs little next to
# reading it, small enough that a crash loses minutes, not hours.
SHARD_ROWS = 2048
# Threads of one CPU actor: torch scales poorly past a few threads on one forward pass, so
# a large node runs several actors instead of one wide one.
CPU_ACTOR_CPUS = 4
DONE = "done.json"


class EngineError(ValueError):
    """The extraction engine asked for is unknown or cannot run here."""


def check_engine(engine: str) -> None:
    """Raise EngineError unless `engine` can run here; cheap (does not import Ray)."""
    if engine not in ENGINES:
        raise EngineError(f"unknown extraction engine {engine!r}: use {' or '.join(ENGINES)}")
    if engine == "ray" and importlib.util.find_spec("ray") is None:
        raise EngineError(RAY_MISSING)


def shard_ranges(n_rows: int, shard_rows: int) -> list[tuple[int, int]]:
    """Consecutive [start, stop) row ranges of `shard_rows` rows (the last one shorter)."""
    if shard_rows < 1:
        raise ValueError(f"shard_rows must be at least 1, got {shard_rows}")
    return [(start, min(start + shard_rows, n_rows)) for start in range(0, n_rows, shard_rows)]


def work_folder(cache_root: Path, extract_key: str) -> Path:
    """Where the shards of one extract step wait until the step is written. A dot folder
    beside `steps/.locks`, so listings of step folders never see it."""
    return Path(cache_root) / "steps" / ".work" / "extract" / extract_key


def shard_name(index: int) -> str:
    return f"shard-{index:05d}"


# ---------------------------------------------------------------- the cluster


def connect(num_cpus: int | None = None) -> bool:
    """Join the Ray cluster at `RAY_ADDRESS`, else start a local Ray on this machine's CPUs
    (`num_cpus`, default all). True when this call started or joined it, so the caller
    shuts it down; False when Ray was already initialised (by the caller)."""
    import ray

    import analysis

    if ray.is_initialized():
        return False
    # ship this package to the workers, so they run the same extraction code as the driver
    # even when the cluster has another version installed (or none)
    options: dict[str, Any] = {
        "runtime_env": {"py_modules": [analysis]},
        "logging_level": logging.WARNING,
    }
    address = os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, **options)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, **options)
    return True


@dataclass(frozen=True)
class ActorPlan:
    """How many extraction actors run and what each one holds."""

    actors: int
    num_cpus: float
    num_gpus: float
    device: str  # the torch device inside an actor

    def describe(self) -> dict[str, Any]:
        return {"actors": self.actors, "cpus_per_actor": self.num_cpus, "gpus_per_actor": self.num_gpus, "device": self.device}


def plan_actors(resources: dict[str, float], device: str = "auto") -> ActorPlan:
    """One actor per GPU when the cluster has GPUs (and `device` allows them); else CPU
    actors of `CPU_ACTOR_CPUS` threads (all CPUs when fewer), as many as the CPUs hold."""
    gpus = int(resources.get("GPU", 0))
    wants_gpu = device == "auto" or device.startswith("cuda")
    if device.startswith("cuda") and gpus < 1:
        raise EngineError(f"--device {device} with --engine ray, but the Ray cluster has no GPU")
    if gpus >= 1 and wants_gpu:
        return ActorPlan(actors=gpus, num_cpus=1, num_gpus=1, device="cuda")
    cpus = max(1, int(resources.get("CPU", 1)))
    per_actor = min(cpus, CPU_ACTOR_CPUS)
    return ActorPlan(actors=max(1, cpus // per_actor), num_cpus=per_actor, num_gpus=0, device="cpu" if device == "auto" else device)


def sae_payload(spec: str) -> dict[str, Any]:
    """What an actor needs to load the SAE: a local folder's files (the workers of a cluster
    need not see this machine's disk), else the sae-lens RELEASE/SAE_ID to download."""
    folder = Path(spec).expanduser()
    if folder.is_dir():
        return {"files": {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}}
    return {"spec": spec}


# ---------------------------------------------------------------- one shard, on an actor


def extract_shard(rows: pl.DataFrame, source: Any, sae: Any, ex: ExtractConfig) -> ExtractedChunk:
    """`stream_extract` over one shard's rows, as one chunk: memory stays bounded by the
    chunk size while reading, and only the encoded results of the shard are held."""
    from analysis.extraction.encode import EncodedBatch
    from analysis.extraction.stream import ExtractedChunk, stream_extract

    chunks = list(stream_extract(rows, source, sae, ex, progress=False))
    return ExtractedChunk(
        ids=[i for c in chunks for i in c.ids],
        encoded=EncodedBatch.concat([c.encoded for c in chunks]),
        tokens=pl.concat([c.tokens for c in chunks]),
        n_tokens=np.concatenate([c.n_tokens for c in chunks]),
        n_windows=np.concatenate([c.n_windows for c in chunks]),
    )


def pack_shard(chunk: ExtractedChunk) -> dict[str, bytes]:
    """A shard's results as bytes: per-row arrays (safetensors) and its token rows (parquet)."""
    from safetensors.numpy import save

    encoded = chunk.encoded
    arrays = {
        "pooled_features": encoded.pooled_features,
        "pooled_values": encoded.pooled_values,
        "raw_embeddings": encoded.raw_embeddings,
        "fired": encoded.fired.astype(np.uint8),
        "n_tokens": chunk.n_tokens,
        "n_windows": chunk.n_windows,
        # the writer takes the width and dtype of the token codes from the first chunk
        "token_features": encoded.token_features[:0],
        "token_values": encoded.token_values[:0],
    }
    tokens = io.BytesIO()
    chunk.tokens.write_parquet(tokens)
    return {"arrays": save({k: np.ascontiguousarray(v) for k, v in arrays.items()}), "tokens": tokens.getvalue()}


class ShardExtractor:
    """The Ray Data actor: loads the model and the SAE once, then extracts whole shards."""

    def __init__(self, ex: ExtractConfig, sae: dict[str, Any], device: str, threads: int, trust_remote_code: bool):
        import torch

        from analysis.extraction.sae import load_sae, load_sae_from_disk
        from analysis.extraction.stream import activation_source

        if threads > 0:
            torch.set_num_threads(threads)
        if "files" in sae:
            self._sae_dir = tempfile.TemporaryDirectory(prefix="sae-")
            for name, data in sae["files"].items():
                (Path(self._sae_dir.name) / name).write_bytes(data)
            self.sae = load_sae_from_disk(self._sae_dir.name, device)
        else:
            self.sae = load_sae(sae["spec"], device)
        self.source = activation_source(ex, self.sae, device, trust_remote_code)
        self.ex = ex

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        shards, arrays, tokens = [], [], []
        for row in batch.to_pylist():
            rows = pl.DataFrame(
                {"id": row["id"], "text": row["text"], "response_start": row["response_start"]},
                schema={"id": pl.String, "text": pl.String, "response_start": pl.Int32},
            )
            packed = pack_shard(extract_shard(rows, self.source, self.sae, self.ex))
            shards.append(row["shard"])
            arrays.append(packed["arrays"])
            tokens.append(packed["tokens"])
        return pa.table(
            {"shard": pa.array(shards, pa.int64()), "arrays": pa.array(arrays, pa.large_binary()), "tokens": pa.array(tokens, pa.large_binary())}
        )


# ---------------------------------------------------------------- shards on disk, in the driver


def shard_done(shards: Path, index: int) -> bool:
    return (shards / shard_name(index) / DONE).is_file()


def save_shard(shards: Path, index: int, rows: tuple[int, int], arrays: bytes, tokens: bytes) -> None:
    """Write one shard's results; the folder appears whole or not at all."""
    from analysis.artifacts.cache import atomic_dir, write_json

    with atomic_dir(shards / shard_name(index)) as tmp:
        (tmp / "arrays.safetensors").write_bytes(arrays)
        (tmp / "tokens.parquet").write_bytes(tokens)
        write_json(tmp / DONE, {"shard": index, "start": rows[0], "stop": rows[1]})


def load_shard(shards: Path, index: int, ids: list[str]) -> ExtractedChunk:
    """A saved shard as the chunk `ExtractionWriter.add` takes (`ids`: its rows' ids)."""
    from safetensors.numpy import load_file

    from analysis.extraction.encode import EncodedBatch
    from analysis.extraction.stream import ExtractedChunk

    folder = shards / shard_name(index)
    a = load_file(str(folder / "arrays.safetensors"))
    if len(a["n_tokens"]) != len(ids):
        raise ValueError(f"{folder}: holds {len(a['n_tokens'])} rows, the shard has {len(ids)}")
    encoded = EncodedBatch(
        pooled_features=a["pooled_features"],
        pooled_values=a["pooled_values"],
        token_features=a["token_features"],
        token_values=a["token_values"],
        raw_embeddings=a["raw_embeddings"],
        fired=a["fired"].astype(bool),
    )
    return ExtractedChunk(ids, encoded, pl.read_parquet(folder / "tokens.parquet"), a["n_tokens"], a["n_windows"])


def prepare_work(work: Path, n_rows: int, shard_rows: int) -> Path:
    """The shards folder of `work`, emptied when it was cut for another plan; stale
    temporary shard folders (a killed build's) are swept."""
    from analysis.artifacts.cache import read_json, sweep_stale_tmp, write_json

    shards = work / "shards"
    plan = {"rows": n_rows, "shard_rows": shard_rows}
    plan_file = work / "plan.json"
    if plan_file.is_file() and read_json(plan_file) != plan:
        shutil.rmtree(shards, ignore_errors=True)
    shards.mkdir(parents=True, exist_ok=True)
    write_json(plan_file, plan)
    sweep_stale_tmp([shards])
    return shards


def shard_tables(samples: pl.DataFrame, ranges: list[tuple[int, int]], todo: list[int]) -> list[Any]:
    """One Arrow table of one row per shard to compute (its rows as list columns): one
    block each, so Ray Data hands whole shards to the actors."""
    out = []
    for index in todo:
        start, stop = ranges[index]
        rows = samples.slice(start, stop - start)
        out.append(
            pl.DataFrame(
                {
                    "shard": [index],
                    "id": [rows["id"]],
                    "text": [rows["text"]],
                    "response_start": [rows["response_start"].cast(pl.Int32)],
                }
            ).to_arrow()
        )
    return out


def _dataset(
    samples: pl.DataFrame,
    ranges: list[tuple[int, int]],
    todo: list[int],
    ex: ExtractConfig,
    sae_spec: str,
    plan: ActorPlan,
    trust_remote_code: bool,
) -> Any:
    import ray.data

    return ray.data.from_arrow(shard_tables(samples, ranges, todo)).map_batches(
        ShardExtractor,
        batch_size=1,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=plan.actors),
        num_cpus=plan.num_cpus,
        num_gpus=plan.num_gpus or None,
        fn_constructor_kwargs={
            "ex": ex,
            "sae": sae_payload(sae_spec),
            "device": plan.device,
            "threads": int(plan.num_cpus) if plan.device == "cpu" else 0,
            "trust_remote_code": trust_remote_code,
        },
    )


def _not_progress_notice(record: logging.LogRecord) -> bool:
    """Drops Ray Data's notice that its own progress bars are off (the driver draws one)."""
    return "Progress bars disabled" not in record.getMessage()


def _compute_shards(
    samples: pl.DataFrame,
    ranges: list[tuple[int, int]],
    todo: list[int],
    shards: Path,
    ex: ExtractConfig,
    sae_spec: str,
    progress: bool,
    trust_remote_code: bool,
) -> dict[str, Any]:
    import ray
    import ray.data
    from tqdm.auto import tqdm

    started_here = connect()
    # Ray Data logs each job's plan and progress at INFO; the driver's bar over shards says it
    ray_data_log = logging.getLogger("ray.data")
    level = ray_data_log.level
    ray_data_log.setLevel(logging.WARNING)
    progress_log = logging.getLogger("ray.data._internal.progress")
    progress_log.addFilter(_not_progress_notice)
    try:
        plan = plan_actors(ray.cluster_resources(), ex.device)
        plan = ActorPlan(min(plan.actors, len(todo)), plan.num_cpus, plan.num_gpus, plan.device)
        # a dataset keeps a copy of the context it was made in: set, make, then restore
        context = ray.data.DataContext.get_current()
        before = context.enable_progress_bars, context.execution_options.preserve_order
        context.enable_progress_bars = False
        context.execution_options.preserve_order = True  # shards come back (and are saved) in order
        try:
            dataset = _dataset(samples, ranges, todo, ex, sae_spec, plan, trust_remote_code)
        finally:
            context.enable_progress_bars, context.execution_options.preserve_order = before
        done = len(ranges) - len(todo)
        with tqdm(total=len(ranges), initial=done, desc="Extracting shards (Ray)", unit="shard", disable=not progress) as bar:
            batches = iter(dataset.iter_batches(batch_size=1, batch_format="pyarrow"))
            try:
                for batch in batches:
                    for row in batch.to_pylist():
                        save_shard(shards, row["shard"], ranges[row["shard"]], row["arrays"], row["tokens"])
                        bar.update(1)
            finally:
                # stop the job now, not when the iterator is collected: its actors hold the
                # cluster's CPUs or GPUs, and a rerun in this process would wait for them
                close = getattr(batches, "close", None)
                if close is not None:
                    close()
        return plan.describe()
    finally:
        ray_data_log.setLevel(level)
        progress_log.removeFilter(_not_progress_notice)
        if started_here:
            ray.shutdown()


def ray_extract(
    samples: pl.DataFrame,
    writer: Any,
    ex: ExtractConfig,
    sae_spec: str,
    work: Path,
    progress: bool = True,
    trust_remote_code: bool = False,
    shard_rows: int | None = None,
) -> dict[str, Any]:
    """Extract `samples` (id, text, response_start) on Ray and feed every shard, in row
    order, into `writer` (an `ExtractionWriter`; the caller closes it). `sae_spec`: a
    sae-lens folder (the SAE trained here is passed as its saved folder) or RELEASE/SAE_ID.
    Returns what step.json records of the engine."""
    shard_rows = shard_rows or SHARD_ROWS
    ranges = shard_ranges(samples.height, shard_rows)
    shards = prepare_work(work, samples.height, shard_rows)
    todo = [i for i in range(len(ranges)) if not shard_done(shards, i)]
    cluster: dict[str, Any] = {}
    if todo:
        cluster = _compute_shards(samples, ranges, todo, shards, ex, sae_spec, progress, trust_remote_code)
    ids = samples["id"].to_list()
    for index, (start, stop) in enumerate(ranges):
        writer.add(load_shard(shards, index, ids[start:stop]))
    # every row is in the writer now; the shards are of no further use
    shutil.rmtree(work, ignore_errors=True)
    return {
        "engine": "ray",
        "shards": {"total": len(ranges), "rows_per_shard": shard_rows, "computed": len(todo), "reused": len(ranges) - len(todo), **cluster},
    }
