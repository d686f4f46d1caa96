"""Read one analysis folder (see docs/ARTIFACTS.md) lazily, and list the analyses in a cache.

Every table is read on first use and kept, so a view that needs only `samples.parquet`
never pays for `tokens.parquet`. An analysis folder never changes once it has its final
name, which is what makes caching it by path safe.

`tokens.parquet` can hold hundreds of millions of rows, so it is never read whole: the
rows of one sample are one contiguous run, found once from the `id` column alone
(`token_offsets`) and then read as row slices (`read_token_rows`), which the Parquet
reader serves from the row groups that hold them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis.artifacts.decoder import CompactDecoder

MANIFEST = "manifest.json"
SAMPLES = "samples.parquet"
FEATURES = "features.parquet"
CLUSTERS = "clusters.parquet"
FEATURE_CLUSTERS = "feature_clusters.parquet"
ACTIVATIONS = "activations.parquet"
TOKENS = "tokens.parquet"
EMBEDDINGS = "embeddings.safetensors"
# Unit decoder directions of the active latents (`features` [n], `directions` [n, d_in]):
# the decoder the app reads, for pretrained and locally trained SAEs alike.
ACTIVE_DECODER = "decoder.safetensors"
TOKEN_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "position": pl.Int32(),
    "token": pl.String(),
    "start": pl.Int32(),
    "end": pl.Int32(),
    "features": pl.List(pl.Int32()),
    "values": pl.List(pl.Float32()),
}
OFFSET_SCHEMA: dict[str, pl.DataType] = {"id": pl.String(), "first": pl.Int64(), "count": pl.Int64()}
# Rows of the `id` column decoded at a time while finding the offsets: bounds the memory of
# that one pass whatever the row-group size.
OFFSET_BATCH_ROWS = 1 << 18
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

    def top_samples(self, feature: int, per_set: int) -> pl.DataFrame:
        """`set`, `id`, `value`, `text` of the `per_set` samples of each set where `feature`'s
        pooled activation is highest; sets in SETS order, highest first (ties by id)."""
        order = pl.DataFrame({"set": list(SETS)}).with_row_index("set_order")
        return (
            self.feature_activation(feature)
            .join(self.samples.select("id", "set", "text"), on="id", how="inner")
            .join(order, on="set", how="left")
            .sort("set_order", "value", "id", descending=[False, True, False], nulls_last=True)
            .group_by("set_order", maintain_order=True)
            .head(per_set)
            .select("set", "id", "value", "text")
        )

    @cached_property
    def token_offsets(self) -> pl.DataFrame | None:
        """`id`, `first`, `count`: where each sample's tokens lie in `tokens.parquet`.

        Found once per Analysis from the `id` column alone. None when there is no token
        table, or when a sample's rows are not one contiguous run (a table written in
        another order): reads then fall back to filtering the `id` column.
        """
        return scan_token_offsets(self.path / TOKENS)

    def tokens_of(self, sample_ids: Iterable[str]) -> pl.DataFrame:
        """The tokens of these samples (TOKEN_SCHEMA), in the order of `sample_ids`, each by position.

        One read of `tokens.parquet` for all of them: row slices at the offsets of
        `token_offsets`; an unknown id has no rows."""
        wanted = pl.DataFrame({"id": list(dict.fromkeys(str(item) for item in sample_ids))}, schema={"id": pl.String}).with_row_index("order")
        path = self.path / TOKENS
        if wanted.is_empty() or not path.is_file():
            return pl.DataFrame(schema=TOKEN_SCHEMA)
        offsets = self.token_offsets
        if offsets is None:
            rows = filter_token_rows(path, wanted["id"])
        else:
            spans = wanted.join(offsets, on="id", how="inner").sort("order")
            rows = read_token_rows(path, spans["first"].to_numpy(), spans["count"].to_numpy())
        return (
            rows.join(wanted, on="id", how="inner")
            .sort("order", "position")
            .select(list(TOKEN_SCHEMA))
        )

    def tokens_for(self, sample_id: str) -> pl.DataFrame:
        """The tokens of one sample, in order (see `tokens_of`)."""
        return self.tokens_of([sample_id])

    @cached_property
    def decoder(self) -> CompactDecoder | None:
        """Unit decoder directions of the active latents, from `decoder.safetensors`; None
        when the folder has none. Never a [d_sae, d_in] matrix: see analysis.decoder."""
        return CompactDecoder.from_file(self.path / ACTIVE_DECODER, self._d_sae())

    def _d_sae(self) -> int | None:
        sae = self.manifest.get("sae")
        if isinstance(sae, dict) and isinstance(sae.get("d_sae"), int):
            return int(sae["d_sae"])
        return None

    @cached_property
    def scorer(self) -> Any:
        """The fitted scorer saved with the analysis (`analysis.scorer.ToxicProximity`)."""
        from analysis.scoring.scorer import ToxicProximity

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


def scan_token_offsets(path: Path, batch_rows: int = OFFSET_BATCH_ROWS) -> pl.DataFrame | None:
    """`id`, `first`, `count` of each run of equal ids in a token table (OFFSET_SCHEMA).

    Reads only the `id` column, `batch_rows` at a time; a run cut by a batch boundary is
    joined back. None when the file is missing or an id forms more than one run."""
    if not path.is_file():
        return None
    import pyarrow.parquet as pq

    runs = [
        pl.from_arrow(batch.column(0)).rle().struct.unnest()
        for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=["id"])
    ]
    if not runs:
        return pl.DataFrame(schema=OFFSET_SCHEMA)
    merged = (
        pl.concat(runs)
        .group_by(pl.col("value").rle_id().alias("run"), maintain_order=True)
        .agg(pl.col("value").first().alias("id"), pl.col("len").sum().cast(pl.Int64).alias("count"))
        .select("id", (pl.col("count").cum_sum() - pl.col("count")).alias("first"), "count")
    )
    if merged["id"].null_count() or merged["id"].n_unique() != merged.height:
        return None
    return merged.cast(OFFSET_SCHEMA)


def read_token_rows(path: Path, first: np.ndarray, count: np.ndarray) -> pl.DataFrame:
    """Rows `[first[i], first[i] + count[i])` of a token table, every span in one collect.

    A slice of a Parquet scan is pushed down to the reader, which skips the row groups
    before it and stops after it, so the cost follows the rows read, not the file."""
    if not len(first):
        return pl.DataFrame(schema=TOKEN_SCHEMA)
    scan = pl.scan_parquet(path)
    parts = pl.collect_all([scan.slice(int(start), int(length)) for start, length in zip(first, count, strict=True)])
    return pl.concat(parts)


def filter_token_rows(path: Path, sample_ids: pl.Series) -> pl.DataFrame:
    """Every row of a token table whose id is in `sample_ids`, by a filtered scan: the
    reading for a table whose samples are not contiguous runs."""
    return pl.scan_parquet(path).filter(pl.col("id").is_in(sample_ids.implode())).collect()


def _describe_sae(value: Any) -> str:
    """Where the SAE came from, as the build recorded it (`source`, `spec`), and its shape."""
    if not isinstance(value, dict):
        return _describe(value)
    architecture = value.get("architecture") or "SAE"
    d_sae = value.get("d_sae")
    shape = f"{architecture}, {d_sae:,} latents" if isinstance(d_sae, int) else str(architecture)
    spec = value.get("spec")
    if value.get("source") == "pretrained" and spec:
        return f"{spec} (pretrained, {shape})"
    if value.get("source") == "local folder" and spec:
        return f"{Path(str(spec)).name} (local folder, {shape})"
    if value.get("release"):
        return f"{value['release']}/{value.get('sae_id', '')}".rstrip("/")
    return f"trained locally ({shape})"


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
