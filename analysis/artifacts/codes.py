"""The pooled sparse SAE codes of `activations.parquet` as a matrix, one row per sample."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
import scipy.sparse as sp


def activation_matrix(activations: pl.DataFrame, ids: Sequence[str], n_latents: int | None = None) -> sp.csr_matrix:
    """CSR matrix [len(ids), n_latents] of pooled SAE activations, rows in ``ids`` order.

    ``activations`` has the columns of ``activations.parquet`` (id, features, values); ids
    without a row there get an empty row. ``n_latents`` defaults to the largest latent + 1.
    """
    order = pl.DataFrame({"id": list(ids)}, schema={"id": pl.String}).with_row_index("row")
    entries = (
        order.join(activations.select("id", "features", "values"), on="id", how="inner")
        .explode("features", "values")
        .drop_nulls("features")
    )
    rows = entries["row"].to_numpy()
    columns = entries["features"].to_numpy().astype(np.int64)
    values = entries["values"].to_numpy().astype(np.float32)
    if n_latents is None:
        n_latents = int(columns.max()) + 1 if columns.size else 1
    return sp.csr_matrix((values, (rows, columns)), shape=(len(ids), n_latents))
