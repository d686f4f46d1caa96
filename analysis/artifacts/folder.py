"""Read one analysis folder (see docs/ARTIFACTS.md) lazily.

Every table is read on first use and kept, so a view that needs only `samples.parquet`
never pays for `tokens.parquet`. An analysis folder never changes once it has its final
name, which is what makes caching it by path safe. Every reader opens a folder through
`Analysis.open`, which refuses one of another format version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from analysis.artifacts import tokens
from analysis.artifacts.decoder import CompactDecoder
from analysis.artifacts.layout import (
    ACTIVATIONS,
    ACTIVE_DECODER,
    ANALYSIS_FORMAT_VERSION,
    CLUSTERS,
    FEATURE_CLUSTERS,
    FEATURES,
    MANIFEST,
    SAMPLES,
    SELF_RESPONSES,
    TOKENS,
)

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


def score_columns(samples: pl.DataFrame) -> list[str]:
    """The score columns of samples.parquet (`score` and every `score_*`), in table order."""
    return [name for name in samples.columns if name == "score" or name.startswith("score_")]


class AnalysisNotFound(FileNotFoundError):
    """The folder is missing or is not a complete analysis (no manifest.json)."""


class AnalysisFormatError(AnalysisNotFound):
    """A complete analysis folder of another format version than this code reads.

    A kind of AnalysisNotFound: every caller that handles a missing analysis refuses this
    one as well, with a message saying what to do."""

    def __init__(self, folder: Path, found: object):
        self.folder = folder
        self.found = found
        if isinstance(found, int) and not isinstance(found, bool) and found > ANALYSIS_FORMAT_VERSION:
            advice = "update this tool to open it"
        else:
            advice = "rebuild it with this version (its manifest's `command` repeats the build)"
        shown = "none" if found is None else repr(found)
        super().__init__(
            f"{folder.name}: analysis format {shown}, but this version reads format {ANALYSIS_FORMAT_VERSION}: {advice}"
        )


def check_format(folder: Path, manifest: object) -> None:
    """Raise AnalysisFormatError unless `manifest` is a dict with this format_version."""
    found = manifest.get("format_version") if isinstance(manifest, dict) else None
    if found != ANALYSIS_FORMAT_VERSION or isinstance(found, bool):
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
    def manifest_sha256(self) -> str:
        """sha256 of manifest.json as written: what an export or a monitor records to name
        the very analysis it read."""
        return hashlib.sha256((self.path / MANIFEST).read_bytes()).hexdigest()

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
    def self_responses(self) -> pl.DataFrame | None:
        """The model's own answer to each row's prompt and its pooled codes (`id`, `response`,
        `features`, `values`); None for an analysis built without --self-contrast."""
        path = self.path / SELF_RESPONSES
        return pl.read_parquet(path) if path.is_file() else None

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
        return tokens.scan_token_offsets(self.path / TOKENS)

    def tokens_of(self, sample_ids: Iterable[str]) -> pl.DataFrame:
        """The tokens of these samples (TOKEN_SCHEMA), in the order of `sample_ids`, each by position.

        One read of `tokens.parquet` for all of them: row slices at the offsets of
        `token_offsets`; an unknown id has no rows."""
        wanted = pl.DataFrame({"id": list(dict.fromkeys(str(item) for item in sample_ids))}, schema={"id": pl.String}).with_row_index("order")
        path = self.path / TOKENS
        if wanted.is_empty() or not path.is_file():
            return pl.DataFrame(schema=tokens.TOKEN_SCHEMA)
        offsets = self.token_offsets
        if offsets is None:
            rows = tokens.filter_token_rows(path, wanted["id"])
        else:
            spans = wanted.join(offsets, on="id", how="inner").sort("order")
            rows = tokens.read_token_rows(path, spans["first"].to_numpy(), spans["count"].to_numpy())
        return (
            rows.join(wanted, on="id", how="inner")
            .sort("order", "position")
            .select(list(tokens.TOKEN_SCHEMA))
        )

    def tokens_for(self, sample_id: str) -> pl.DataFrame:
        """The tokens of one sample, in order (see `tokens_of`)."""
        return self.tokens_of([sample_id])

    @cached_property
    def decoder(self) -> CompactDecoder | None:
        """Unit decoder directions of the active latents, from `decoder.safetensors`; None
        when the folder has none. Never a [d_sae, d_in] matrix: see analysis.artifacts.decoder."""
        return CompactDecoder.from_file(self.path / ACTIVE_DECODER, self._d_sae())

    def _d_sae(self) -> int | None:
        sae = self.manifest.get("sae")
        if isinstance(sae, dict) and isinstance(sae.get("d_sae"), int):
            return int(sae["d_sae"])
        return None

    @cached_property
    def score_columns(self) -> list[str]:
        return score_columns(self.samples)

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

