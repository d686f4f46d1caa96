"""Read one analysis folder (see docs/ARTIFACTS.md) lazily, and list the analyses in a cache.

Every table is read on first use and kept, so a view that needs only `samples.parquet`
never pays for `tokens.parquet`. An analysis folder never changes once it has its final
name, which is what makes caching it by path safe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

MANIFEST = "manifest.json"
SAMPLES = "samples.parquet"
FEATURES = "features.parquet"
CLUSTERS = "clusters.parquet"
FEATURE_CLUSTERS = "feature_clusters.parquet"
ACTIVATIONS = "activations.parquet"
TOKENS = "tokens.parquet"
EMBEDDINGS = "embeddings.safetensors"
SAE_WEIGHTS = Path("sae") / "sae_weights.safetensors"
# Written by the pipeline beside the contract's files: unit decoder directions of the active
# latents (`features` [n], `directions` [n, d_in]); the only decoder a pretrained SAE leaves.
ACTIVE_DECODER = "decoder.safetensors"
SCORER = "scorer"

SETS: tuple[str, ...] = ("train", "toxic", "benign")

# Columns the pipeline itself writes into samples.parquet; anything else was carried over
# from the input (label, category, ...).
CONTRACT_SAMPLE_COLUMNS: frozenset[str] = frozenset(
    {
        "id",
        "set",
        "text",
        "prompt",
        "response",
        "n_tokens",
        "n_windows",
        "x",
        "y",
        "cluster",
        "nearest_toxic_cluster",
        "nearest_toxic_ids",
        "nearest_toxic_sims",
    }
)
LABEL_MIN_VALUES = 2
LABEL_MAX_VALUES = 10


# The layout of an analysis folder that this code reads (manifest.json `format_version`).
# Bump it when a change to the folder would make older code misread a newer one.
FORMAT_VERSION = 2  # 2: the fitted scorer with the word-level family


class AnalysisNotFound(FileNotFoundError):
    """The folder is missing or is not a complete analysis (no manifest.json)."""


class AnalysisFormatError(AnalysisNotFound):
    """A complete analysis folder of another format version than this code reads.

    A kind of AnalysisNotFound: every caller that handles a missing analysis refuses this
    one as well, with a message saying what to do."""

    def __init__(self, folder: Path, found: object):
        self.folder = folder
        self.found = found
        if isinstance(found, int) and not isinstance(found, bool) and found > FORMAT_VERSION:
            advice = "update this tool to open it"
        else:
            advice = "rebuild it with this version (its manifest's `command` repeats the build)"
        shown = "none" if found is None else repr(found)
        super().__init__(
            f"{folder.name}: analysis format {shown}, but this version reads format {FORMAT_VERSION}: {advice}"
        )


def check_format(folder: Path, manifest: object) -> None:
    """Raise AnalysisFormatError unless `manifest` is a dict with this format_version."""
    found = manifest.get("format_version") if isinstance(manifest, dict) else None
    if found != FORMAT_VERSION or isinstance(found, bool):
        raise AnalysisFormatError(folder, found)


@dataclass(eq=False)
class Analysis:
    """One analysis folder; tables load on first access and stay in memory."""

    path: Path
    _decoder: np.ndarray | None = field(default=None, init=False, repr=False)
    _decoder_loaded: bool = field(default=False, init=False, repr=False)

    @classmethod
    def open(cls, path: str | Path) -> Analysis:
        folder = Path(path).expanduser().resolve()
        if not (folder / MANIFEST).is_file():
            raise AnalysisNotFound(f"{folder.name}: not a complete analysis folder (no {MANIFEST})")
        analysis = cls(folder)
        try:
            manifest = analysis.manifest
        except (OSError, ValueError) as error:
            raise AnalysisNotFound(f"{folder.name}: unreadable {MANIFEST} ({error})") from None
        check_format(folder, manifest)
        return analysis

    @property
    def name(self) -> str:
        return self.path.name

    @cached_property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))

    @cached_property
    def samples(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / SAMPLES)

    @cached_property
    def features(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / FEATURES)

    @cached_property
    def clusters(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / CLUSTERS)

    @cached_property
    def feature_clusters(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / FEATURE_CLUSTERS)

    @cached_property
    def activations(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / ACTIVATIONS)

    @cached_property
    def activations_long(self) -> pl.DataFrame:
        """One row per (sample, active latent): `id`, `feature`, `value`, sorted by feature.

        Built once from `activations`, so that looking up one latent is a filter over a
        sorted column instead of an explode per request.
        """
        return (
            self.activations.select("id", pl.col("features").alias("feature"), pl.col("values").alias("value"))
            .explode("feature", "value")
            .drop_nulls("feature")
            .sort("feature", "value", descending=[False, True])
        )

    def feature_activation(self, feature: int) -> pl.DataFrame:
        """`id`, `value` of every sample where `feature` is among the pooled active latents."""
        return self.activations_long.filter(pl.col("feature") == feature).select("id", "value")

    def tokens_for(self, sample_id: str) -> pl.DataFrame:
        """The tokens of one sample, in order; read with a pushed-down filter, not the whole file."""
        path = self.path / TOKENS
        if not path.is_file():
            return pl.DataFrame(
                schema={
                    "id": pl.String,
                    "position": pl.Int32,
                    "token": pl.String,
                    "start": pl.Int32,
                    "end": pl.Int32,
                    "features": pl.List(pl.Int32),
                    "values": pl.List(pl.Float32),
                }
            )
        return pl.scan_parquet(path).filter(pl.col("id") == sample_id).sort("position").collect()

    def decoder(self) -> np.ndarray | None:
        """`W_dec` [d_sae, d_in] from `sae/sae_weights.safetensors` (a locally trained SAE).

        Without it (a pretrained SAE), the active latents' directions from
        `decoder.safetensors` are placed in a [d_sae, d_in] matrix with zero rows for latents
        never active; None when neither file exists.
        """
        if not self._decoder_loaded:
            self._decoder = _read_decoder(self.path / SAE_WEIGHTS)
            if self._decoder is None:
                self._decoder = _read_active_decoder(self.path / ACTIVE_DECODER, self._d_sae())
            self._decoder_loaded = True
        return self._decoder

    def _d_sae(self) -> int | None:
        sae = self.manifest.get("sae")
        if isinstance(sae, dict) and isinstance(sae.get("d_sae"), int):
            return int(sae["d_sae"])
        return None

    @cached_property
    def scorer(self) -> Any:
        """The fitted scorer saved with the analysis (`analysis.scorer.ToxicProximity`)."""
        from .scorer import ToxicProximity

        folder = self.path / SCORER
        if not (folder / "scorer.json").is_file():
            raise AnalysisNotFound(f"{self.name}: no fitted scorer (built by an older version): rebuild the analysis")
        return ToxicProximity.load(folder)

    @cached_property
    def score_columns(self) -> list[str]:
        return [name for name in self.samples.columns if name == "score" or name.startswith("score_")]

    @property
    def default_score(self) -> str | None:
        """`score` when present (the pipeline's pick), else the first score column."""
        if "score" in self.score_columns:
            return "score"
        return self.score_columns[0] if self.score_columns else None

    @cached_property
    def carried_columns(self) -> list[str]:
        """Input columns the pipeline carried through unchanged (label, category, ...)."""
        return [
            name
            for name in self.samples.columns
            if name not in CONTRACT_SAMPLE_COLUMNS and name not in self.score_columns
        ]

    @cached_property
    def label_columns(self) -> list[str]:
        """Carried columns with 2-10 distinct non-null values: candidates for labels and colors."""
        candidates = [
            name
            for name in self.carried_columns
            if self.samples.schema[name] in (pl.String, pl.Boolean, pl.Categorical) or self.samples.schema[name].is_integer()
        ]
        if not candidates:
            return []
        counts = self.samples.select(pl.col(name).drop_nulls().n_unique() for name in candidates).row(0)
        return [
            name
            for name, count in zip(candidates, counts, strict=True)
            if LABEL_MIN_VALUES <= count <= LABEL_MAX_VALUES
        ]

    @property
    def has_labels(self) -> bool:
        return bool(self.label_columns)

    def counts(self) -> dict[str, int]:
        """Samples per set, from samples.parquet (the manifest may say it differently)."""
        table = self.samples.group_by("set").len()
        return {row["set"]: int(row["len"]) for row in table.iter_rows(named=True)}


def _read_decoder(path: Path) -> np.ndarray | None:
    if not path.is_file():
        return None
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as handle:
        if "W_dec" not in handle.keys():  # noqa: SIM118 (safe_open is not a mapping)
            return None
        return handle.get_tensor("W_dec")


def _read_active_decoder(path: Path, d_sae: int | None) -> np.ndarray | None:
    if not path.is_file():
        return None
    from safetensors.numpy import load_file

    tensors = load_file(str(path))
    if "features" not in tensors or "directions" not in tensors:
        return None
    features, directions = tensors["features"].astype(np.int64), tensors["directions"]
    rows = max(d_sae or 0, int(features.max()) + 1 if features.size else 0)
    decoder = np.zeros((rows, directions.shape[1]), dtype=directions.dtype)
    decoder[features] = directions
    return decoder


def _describe_sae(value: Any) -> str:
    """A pretrained SAE by its release/id; a locally trained one by its shape."""
    if isinstance(value, dict) and not any(key in value for key in ("release", "sae_id", "name", "id", "path")):
        architecture = value.get("architecture") or "SAE"
        d_sae = value.get("d_sae")
        shape = f"{architecture}, {d_sae:,} latents" if isinstance(d_sae, int) else str(architecture)
        return f"trained locally ({shape})"
    if isinstance(value, dict) and value.get("release"):
        return f"{value['release']}/{value.get('sae_id', '')}".rstrip("/")
    return _describe(value)


def _describe(value: Any) -> str:
    """A short human summary of a manifest entry that may be a string or a dict."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("name", "id", "release", "model", "path"):
            if isinstance(value.get(key), str):
                layer = value.get("layer")
                return f"{value[key]}" + (f", layer {layer}" if layer is not None else "")
        return ", ".join(f"{key}={val}" for key, val in value.items() if not isinstance(val, dict | list))
    return str(value)


def _describe_inputs(inputs: Any) -> str:
    if not isinstance(inputs, dict):
        return _describe(inputs)
    parts = []
    for role, entry in inputs.items():
        if entry is None:
            continue
        if isinstance(entry, dict):
            file_name = Path(str(entry.get("path", ""))).name or "?"
            rows = entry.get("rows")
            parts.append(f"{role}: {file_name}" + (f" ({rows} rows)" if rows is not None else ""))
        else:
            parts.append(f"{role}: {entry}")
    return "; ".join(parts)


def _manifest_counts(manifest: dict[str, Any]) -> dict[str, int]:
    counts = manifest.get("counts")
    found: dict[str, int] = {}
    if isinstance(counts, dict):
        for set_name in SETS:
            for key in (set_name, f"n_{set_name}", f"{set_name}_samples"):
                if isinstance(counts.get(key), int):
                    found[set_name] = counts[key]
                    break
    inputs = manifest.get("inputs")
    if isinstance(inputs, dict):
        for set_name in SETS:
            entry = inputs.get(set_name)
            if set_name not in found and isinstance(entry, dict) and isinstance(entry.get("rows"), int):
                found[set_name] = entry["rows"]
    return found


LIST_SCHEMA = {
    "name": pl.String,
    "path": pl.String,
    "created": pl.String,
    "inputs": pl.String,
    "model": pl.String,
    "sae": pl.String,
    "counts": pl.String,
    "n_train": pl.Int64,
    "n_toxic": pl.Int64,
    "n_benign": pl.Int64,
}


def list_analyses(cache_root: Path) -> pl.DataFrame:
    """One row per complete analysis under `cache_root/analyses`, newest first.

    A folder counts only when it holds manifest.json (builds rename folders into place
    when complete); names starting with "." or "tmp" are work in progress and skipped.
    An unreadable manifest is listed with what is known rather than hiding the folder.
    """
    root = Path(cache_root) / "analyses"
    rows: list[dict[str, Any]] = []
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            if folder.name.startswith((".", "tmp")) or not (folder / MANIFEST).is_file():
                continue
            try:
                manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                manifest = {"name": folder.name, "error": "unreadable manifest.json"}
            if not isinstance(manifest, dict):
                manifest = {}
            counts = _manifest_counts(manifest)
            created = manifest.get("created") or manifest.get("created_at") or ""
            if not created:
                created = _mtime_iso(folder / MANIFEST)
            rows.append(
                {
                    "name": folder.name,
                    "path": str(folder.resolve()),
                    "created": str(created),
                    "inputs": _describe_inputs(manifest.get("inputs")),
                    "model": _describe(manifest.get("model")),
                    "sae": _describe_sae(manifest.get("sae")) or "trained locally",
                    "counts": ", ".join(f"{count:,} {name}" for name, count in counts.items()),
                    "n_train": counts.get("train"),
                    "n_toxic": counts.get("toxic"),
                    "n_benign": counts.get("benign"),
                }
            )
    return pl.DataFrame(rows, schema=LIST_SCHEMA).sort("created", descending=True)


def _mtime_iso(path: Path) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).isoformat(timespec="seconds")
