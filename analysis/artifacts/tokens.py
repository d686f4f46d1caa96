"""Reads of `tokens.parquet` by row offsets.

The token table can hold hundreds of millions of rows, so it is never read whole: the rows
of one sample are one contiguous run, found once from the `id` column alone
(`scan_token_offsets`) and then read as row slices (`read_token_rows`), which the Parquet
reader serves from the row groups that hold them. A table whose samples are not contiguous
runs is read by filtering the `id` column (`filter_token_rows`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

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
