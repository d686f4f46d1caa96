"""The decoder directions an analysis keeps: only those of the latents active in its data.

A pretrained SAE can have a million latents or more; a dense [d_sae, d_in] matrix of its
decoder is gigabytes, while the rows anyone can look at (features with samples) are a few
thousand. `CompactDecoder` holds just those rows, as written to `decoder.safetensors`
(`features` [n], unit-norm `directions` [n, d_in]), and finds a latent's row by binary
search over the sorted latent ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

# Rows of decoder.safetensors are unit-norm (zero for a latent whose decoder row is zero);
# anything further off means the file was not written by the pipeline's normalisation.
UNIT_TOLERANCE = 1e-3


class LatentNotActive(KeyError):
    """A latent with no decoder direction in the analysis: it is never active in its data."""

    def __init__(self, latents: Iterable[int], kept: int):
        self.latents = [int(latent) for latent in latents]
        self.kept = kept
        shown = ", ".join(str(latent) for latent in self.latents[:10]) + (", ..." if len(self.latents) > 10 else "")
        super().__init__(
            f"latent {shown} not active in this data: the analysis keeps decoder directions only for the {kept:,} latents active in it"
        )

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, eq=False)
class CompactDecoder:
    """Unit decoder directions of the active latents, looked up by latent id.

    `features` is sorted ascending and unique; `directions[i]` is the direction of
    `features[i]`. `width` is the SAE's number of latents (d_sae) when known; nothing here
    allocates anything of that size.
    """

    features: np.ndarray  # [n] int64, sorted, unique
    directions: np.ndarray  # [n, d_in] float32, unit rows
    width: int | None = None

    @classmethod
    def from_arrays(cls, features: np.ndarray, directions: np.ndarray, width: int | None = None) -> CompactDecoder:
        """Validate and, only when the ids are not sorted already, reorder the rows once."""
        features = np.asarray(features)
        directions = np.asarray(directions)
        if features.ndim != 1 or not np.issubdtype(features.dtype, np.integer):
            raise ValueError(f"decoder features must be a 1-D integer array, got {features.dtype} {features.shape}")
        if directions.ndim != 2 or directions.shape[0] != features.shape[0]:
            raise ValueError(f"decoder directions must be [{features.shape[0]}, d_in], got {directions.shape}")
        features = features.astype(np.int64, copy=False)
        if features.size and (np.diff(features) <= 0).any():
            order = np.argsort(features, kind="stable")
            features, directions = features[order], directions[order]
            if (np.diff(features) == 0).any():
                raise ValueError("decoder features repeat a latent id")
        if features.size and features[0] < 0:
            raise ValueError("decoder features hold a negative latent id")
        # A row-wise dot product, not np.linalg.norm: no [n, d_in] temporary.
        norms = np.sqrt(np.einsum("ij,ij->i", directions, directions, dtype=np.float64))
        off = (np.abs(norms - 1.0) > UNIT_TOLERANCE) & (norms > 0)
        if off.any():
            raise ValueError(f"decoder directions are not unit-norm (latent {int(features[np.argmax(off)])} has norm {norms[off][0]:.4g})")
        return cls(features, np.ascontiguousarray(directions, dtype=np.float32), width)

    @classmethod
    def from_file(cls, path: str | Path, width: int | None = None) -> CompactDecoder | None:
        """Read `decoder.safetensors`; None when the file or one of its two tensors is missing."""
        path = Path(path)
        if not path.is_file():
            return None
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as handle:
            names = set(handle.keys())
            if not {"features", "directions"} <= names:
                return None
            return cls.from_arrays(handle.get_tensor("features"), handle.get_tensor("directions"), width)

    def __len__(self) -> int:
        return int(self.features.shape[0])

    @property
    def d_in(self) -> int:
        return int(self.directions.shape[1])

    def __contains__(self, latent: object) -> bool:
        if not isinstance(latent, int | np.integer) or isinstance(latent, bool):
            return False
        return bool(self.index_of([int(latent)])[0] >= 0)

    def index_of(self, latents: Iterable[int] | np.ndarray) -> np.ndarray:
        """Row of each latent in `directions`, -1 for a latent that is not active."""
        wanted = np.asarray(latents if isinstance(latents, np.ndarray) else list(latents), dtype=np.int64).ravel()
        if not len(self):
            return np.full(wanted.shape, -1, dtype=np.int64)
        rows = np.searchsorted(self.features, wanted)
        inside = rows < len(self)
        found = np.zeros(wanted.shape, dtype=bool)
        found[inside] = self.features[rows[inside]] == wanted[inside]
        return np.where(found, rows, -1)

    def rows_of(self, latents: Iterable[int] | np.ndarray) -> np.ndarray:
        """[len(latents), d_in] unit directions; LatentNotActive names the latents that have none."""
        wanted = np.asarray(latents if isinstance(latents, np.ndarray) else list(latents), dtype=np.int64).ravel()
        rows = self.index_of(wanted)
        if (rows < 0).any():
            raise LatentNotActive(wanted[rows < 0], len(self))
        return self.directions[rows]

    def cosine_to(self, latent: int, top: int | None = 10) -> pl.DataFrame:
        """The active latents nearest to `latent` by decoder cosine, itself left out: `feature`
        (i32), `cosine` (f64), highest first (ties by latent id); `top=None` gives all of them."""
        row = self.index_of([latent])[0]
        if row < 0:
            raise LatentNotActive([latent], len(self))
        cosine = self.directions @ self.directions[row]
        others = np.flatnonzero(np.arange(len(self)) != row)
        if top is not None and top < others.size:
            # argpartition keeps this linear in the number of active latents; only `top` get sorted.
            others = others[np.argpartition(-cosine[others], max(top - 1, 0))[: max(top, 0)]]
        order = others[np.lexsort((self.features[others], -cosine[others]))]
        return pl.DataFrame(
            {"feature": self.features[order].astype(np.int32), "cosine": cosine[order].astype(np.float64)},
            schema={"feature": pl.Int32, "cosine": pl.Float64},
        )
