"""The extract step's files, written chunk by chunk as extraction streams.

`ExtractionWriter.add` takes the chunks of `featurize.stream_extract` (or of any engine
that runs `featurize.extract_chunk` over shards) in row order: token rows go straight to
`tokens.parquet` (one row group per chunk), the per-row results (pooled top-k codes,
pooled hidden states, lengths) are kept, being a few hundred bytes a row; `close` writes
`activations.parquet`, `embeddings.safetensors`, `decoder.safetensors` and
`lengths.parquet`. Every engine writes the same files through this one writer.
`write_own_answers` adds the model's own answers of a `--self-contrast` build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis.artifacts.layout import SELF_EMBEDDINGS, SELF_RESPONSES
from analysis.extraction.encode import EncodedBatch, activations_table
from analysis.extraction.stream import ExtractedChunk, OwnAnswerCodes


def save_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    from safetensors.numpy import save_file

    save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(path))


class ExtractionWriter:
    """Accumulates extracted chunks in row order and writes the extract step's files into `folder`."""

    def __init__(self, folder: Path, ids: list[str]):
        self.folder = Path(folder)
        self.ids = ids
        self.rows = 0
        self.tokens = 0
        self._encoded: EncodedBatch | None = None  # per-row results of every row, filled in place
        self._n_tokens = np.zeros(len(ids), dtype=np.int32)
        self._n_windows = np.zeros(len(ids), dtype=np.int32)
        self._token_writer: Any = None

    def add(self, chunk: ExtractedChunk) -> None:
        import pyarrow.parquet as pq

        expected = self.ids[self.rows : self.rows + len(chunk.ids)]
        if chunk.ids != expected:
            raise ValueError(f"extracted rows out of order at row {self.rows}: got id {chunk.ids[:1]}, expected {expected[:1]}")
        table = chunk.tokens.to_arrow()
        if self._token_writer is None:
            self._token_writer = pq.ParquetWriter(str(self.folder / "tokens.parquet"), table.schema)
        self._token_writer.write_table(table)
        # the token-level codes are on disk now; keep only what is per row
        encoded, n, at = chunk.encoded, len(self.ids), slice(self.rows, self.rows + len(chunk.ids))
        if self._encoded is None:
            self._encoded = EncodedBatch(
                pooled_features=np.full((n, encoded.pooled_features.shape[1]), -1, dtype=np.int32),
                pooled_values=np.zeros((n, encoded.pooled_values.shape[1]), dtype=np.float32),
                token_features=encoded.token_features[:0],
                token_values=encoded.token_values[:0],
                raw_embeddings=np.zeros((n, encoded.raw_embeddings.shape[1]), dtype=np.float32),
                fired=np.zeros_like(encoded.fired),
            )
        kept = self._encoded
        kept.pooled_features[at] = encoded.pooled_features
        kept.pooled_values[at] = encoded.pooled_values
        kept.raw_embeddings[at] = encoded.raw_embeddings
        kept.fired |= encoded.fired
        self._n_tokens[at] = chunk.n_tokens
        self._n_windows[at] = chunk.n_windows
        self.rows += len(chunk.ids)
        self.tokens += int(chunk.n_tokens.sum())

    def close(self, sae: Any) -> dict[str, Any]:
        """Write the per-row files; return what step.json records of the extraction."""
        from analysis.extraction.sae import decoder_directions

        if self.rows != len(self.ids) or self._encoded is None:
            raise ValueError(f"extraction stopped at row {self.rows} of {len(self.ids)}")
        self._token_writer.close()
        encoded = self._encoded
        activations_table(self.ids, encoded).write_parquet(self.folder / "activations.parquet")
        save_safetensors(self.folder / "embeddings.safetensors", {"raw": encoded.raw_embeddings})
        active = np.unique(encoded.pooled_features[encoded.pooled_features >= 0]).astype(np.int32)
        save_safetensors(self.folder / "decoder.safetensors", {"features": active, "directions": decoder_directions(sae, active)})
        n_windows = self._n_windows
        pl.DataFrame({"id": self.ids, "n_tokens": self._n_tokens, "n_windows": n_windows}).write_parquet(
            self.folder / "lengths.parquet"
        )
        return {
            "tokens": self.tokens,
            "windowed_samples": int((n_windows > 1).sum()),
            "dead_fraction_data": round(float(1 - encoded.fired.mean()), 4),
        }


def write_own_answers(folder: Path, own: OwnAnswerCodes) -> dict[str, int]:
    """`self_responses.parquet` and `self_embeddings.safetensors`; what step.json records of them."""
    own.table.write_parquet(Path(folder) / SELF_RESPONSES)
    save_safetensors(Path(folder) / SELF_EMBEDDINGS, {"raw": own.dense})
    return {**own.counts, "answered": int(own.present.sum())}
