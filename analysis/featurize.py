"""Rows -> pooled SAE codes with one model and SAE: the code path the build and `monitor` share.

`activation_source` picks the model an SAE reads (the default encoder, or the model a
pretrained SAE's metadata names), `read_rows` runs it over the rows' texts and marks the
tokens to pool, `encode_rows` encodes and pools them. `AnalysisExtractor` loads the model
and SAE an existing analysis was built with (its own `sae/` folder when the SAE was trained
there, else the SAE its manifest names) and extracts any new rows exactly as the build did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from .config import BuildConfig, ExtractConfig
from .extract import (
    EncodedBatch,
    TokenActivations,
    activations_table,
    encode_all,
    pool_masks,
    read_token_activations,
)
from .models import ActivationSource


def encoder_layer_from_hook(hook: str) -> int:
    """`encoder.layer.2` (the output of block 2) is hidden-state index 3."""
    match = re.fullmatch(r"encoder\.layer\.(\d+)", hook or "")
    if not match:
        raise ValueError(f"an encoder SAE's hook must look like encoder.layer.N, got {hook!r}")
    return int(match.group(1)) + 1


def activation_source(ex: ExtractConfig, sae: Any | None, device: str, trust_remote_code: bool = False) -> ActivationSource:
    """The model whose activations `sae` encodes (`sae` None: the SAE is still to be trained).

    `trust_remote_code` lets a pretrained SAE's metadata load a model with its repository's
    own code; off unless the user said so."""
    from .models import EncoderSource, SaeLensModelSource

    if sae is None:
        return EncoderSource(ex.model, ex.layer, ex.window, device)
    meta = sae.cfg.metadata
    if meta.model_class_name == "AutoModel":
        # an SAE this tool trained on an encoder: read the encoder the same way again
        return EncoderSource(meta.model_name, encoder_layer_from_hook(meta.hook_name), ex.window, device)
    model_name = None if ex.model == BuildConfig().extract.model else ex.model
    return SaeLensModelSource(sae, model_name, ex.window, device, trust_remote_code=trust_remote_code)


@dataclass
class RowActivations:
    """The token activations of some rows and, per row, which tokens are pooled."""

    tokens: TokenActivations
    masks: list[np.ndarray]


def read_rows(samples: pl.DataFrame, source: ActivationSource, ex: ExtractConfig, progress: bool = True) -> RowActivations:
    """Run the model over `samples` (columns `text`, `response_start`) in overlapping windows."""
    tokens = read_token_activations(samples["text"].to_list(), source, ex.stride, ex.batch_tokens, progress)
    return RowActivations(tokens, pool_masks(tokens.tokenized, samples["response_start"].to_list(), ex.pool_tokens))


def encode_rows(rows: RowActivations, sae: Any, ex: ExtractConfig, progress: bool = True) -> EncodedBatch:
    """SAE codes of every token, pooled per row and kept sparse (top `pooled_top_k`)."""
    return encode_all(rows.tokens, rows.masks, sae, ex.pooling, ex.pooled_top_k, ex.token_top_k, progress=progress)


@dataclass
class ExtractedRows:
    """New rows as the scorer takes them, plus what the build would have recorded of them."""

    codes: sp.csr_matrix  # [n, d_sae] pooled SAE codes
    dense: np.ndarray  # [n, d_in] pooled hidden states at the read layer
    activations: pl.DataFrame  # id, features, values (the layout of activations.parquet)
    n_tokens: np.ndarray  # [n] int32
    n_windows: np.ndarray  # [n] int32


@dataclass
class AnalysisExtractor:
    """The model and SAE of one analysis, loaded once, applied to any rows."""

    config: ExtractConfig
    sae: Any
    source: ActivationSource
    d_sae: int

    @classmethod
    def for_analysis(cls, analysis_dir: str | Path, manifest: dict[str, Any], device: str | None = None) -> AnalysisExtractor:
        from .models import pick_device
        from .sae import load_sae, load_sae_from_disk

        ex = BuildConfig.from_dict(manifest["config"]).extract
        device = pick_device(device or ex.device)
        own = Path(analysis_dir) / "sae"
        if (own / "cfg.json").is_file():
            sae = load_sae_from_disk(own, device)
        elif ex.sae is not None:
            sae = load_sae(ex.sae, device)
        else:
            raise FileNotFoundError(f"{Path(analysis_dir).name}: its SAE was trained locally but the sae/ folder is missing")
        recorded = manifest.get("sae", {}).get("d_sae")
        if recorded is not None and int(recorded) != int(sae.cfg.d_sae):
            raise ValueError(f"the SAE loaded for {Path(analysis_dir).name} has {sae.cfg.d_sae} latents, the analysis {recorded}")
        source = activation_source(ex, sae, device)
        hook = manifest.get("model", {}).get("hook")
        if hook is not None and hook != source.hook:
            raise ValueError(f"the model loaded for {Path(analysis_dir).name} is read at {source.hook}, the analysis at {hook}")
        return cls(ex, sae, source, int(sae.cfg.d_sae))

    def extract(self, samples: pl.DataFrame, progress: bool = True) -> ExtractedRows:
        """Pooled codes and hidden states of `samples` (id, text, response_start), as in the build."""
        from .geometry import activation_matrix

        rows = read_rows(samples, self.source, self.config, progress)
        encoded = encode_rows(rows, self.sae, self.config, progress)
        ids = samples["id"].to_list()
        # through the same table the build writes, so the codes are the ones a build would read
        table = activations_table(ids, encoded)
        return ExtractedRows(
            codes=activation_matrix(table, ids, self.d_sae),
            dense=encoded.raw_embeddings,
            activations=table,
            n_tokens=np.diff(rows.tokens.offsets).astype(np.int32),
            n_windows=rows.tokens.n_windows,
        )
