"""Extraction: token activations at one layer -> SAE codes -> pooled sparse vectors.

`read_token_activations` runs the model; `encode_samples` is a pure function over a batch
of samples (token activations in, pooled sparse codes and per-token top latents out), so a
distributed engine (Ray Data `map_batches`) can run it over shards with a fixed SAE.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from tqdm.auto import tqdm

from .models import ActivationSource, TokenizedText, make_windows


@dataclass
class TokenActivations:
    """Every sample's token activations, concatenated; sample i owns rows offsets[i]:offsets[i+1]."""

    values: np.ndarray  # [total_tokens, d_in], float16 to halve memory
    offsets: np.ndarray  # [n_samples + 1]
    tokenized: list[TokenizedText]
    n_windows: np.ndarray  # [n_samples]

    def sample(self, i: int) -> np.ndarray:
        return self.values[self.offsets[i] : self.offsets[i + 1]]


def _length_batches(lengths: np.ndarray, batch_tokens: int, max_rows: int = 256) -> list[np.ndarray]:
    """Group window indices of similar length so padding stays small."""
    order = np.argsort(lengths, kind="stable")
    batches, current, width = [], [], 0
    for idx in order:
        new_width = max(width, int(lengths[idx]))
        if current and (new_width * (len(current) + 1) > batch_tokens or len(current) >= max_rows):
            batches.append(np.array(current))
            current, new_width = [], int(lengths[idx])
        current.append(idx)
        width = new_width
    if current:
        batches.append(np.array(current))
    return batches


def read_token_activations(
    texts: list[str], source: ActivationSource, stride: int, batch_tokens: int, progress: bool = True
) -> TokenActivations:
    """Run the model over every text in overlapping windows; keep each token once."""
    tokenized = source.tokenize(texts)
    for text, tok in zip(texts, tokenized, strict=True):
        if not tok.ids:
            raise ValueError(f"text produced no tokens: {text[:60]!r}")
    windows = make_windows(tokenized, source.content_capacity, stride)
    counts = np.array([len(t.ids) for t in tokenized], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    values = np.zeros((int(offsets[-1]), source.d_in), dtype=np.float16)
    n_windows = np.bincount([w.sample for w in windows], minlength=len(texts)).astype(np.int32)
    lengths = np.array([len(w.ids) for w in windows])
    batches = _length_batches(lengths, batch_tokens)
    bar = tqdm(total=int(lengths.sum()), desc="Reading activations", unit="tok", disable=not progress)
    for batch in batches:
        outputs = source.forward([windows[i].ids for i in batch])
        for i, acts in zip(batch, outputs, strict=True):
            w = windows[i]
            start = offsets[w.sample] + w.offset
            values[start + w.keep_from : start + w.keep_to] = acts[w.keep_from : w.keep_to]
        bar.update(int(lengths[batch].sum()))
    bar.close()
    return TokenActivations(values, offsets, tokenized, n_windows)


def pool_masks(
    tokenized: list[TokenizedText], response_starts: list[int | None], pool_tokens: str
) -> list[np.ndarray]:
    """Which tokens of each sample are pooled: the response's when there is one, else all."""
    masks = []
    for tok, response_start in zip(tokenized, response_starts, strict=True):
        everything = np.ones(len(tok.ids), dtype=bool)
        if pool_tokens == "all" or response_start is None:
            masks.append(everything)
            continue
        starts = np.array([s for s, _ in tok.spans])
        mask = starts >= response_start
        masks.append(mask if mask.any() else everything)
    return masks


@dataclass
class EncodedBatch:
    pooled_features: np.ndarray  # [n, pooled_top_k] int32, -1 where fewer latents were active
    pooled_values: np.ndarray  # [n, pooled_top_k] float32
    token_features: np.ndarray  # [tokens, token_top_k] int32
    token_values: np.ndarray  # [tokens, token_top_k] float32
    raw_embeddings: np.ndarray  # [n, d_in] float32: pooled hidden state, no SAE
    fired: np.ndarray  # [d_sae] bool: latents active on any token


def encode_samples(
    sample_acts: list[np.ndarray],
    masks: list[np.ndarray],
    sae: Any,
    pooling: str,
    pooled_top_k: int,
    token_top_k: int,
) -> EncodedBatch:
    """Encode a batch of samples' token activations with the SAE and pool them (pure)."""
    import torch

    counts = np.array([a.shape[0] for a in sample_acts])
    acts = torch.from_numpy(np.concatenate(sample_acts).astype(np.float32))
    mask = torch.from_numpy(np.concatenate(masks))
    owner = torch.from_numpy(np.repeat(np.arange(len(sample_acts)), counts))
    with torch.inference_mode():
        codes = sae.encode(acts.to(sae.device)).float().cpu()
    d_sae = codes.shape[1]
    tk = min(token_top_k, d_sae)
    token_values, token_features = codes.topk(tk, dim=1)
    if bool(mask.all()):
        pooled_owner, pooled_codes, pooled_acts = owner, codes, acts
    else:
        pooled_owner, pooled_codes, pooled_acts = owner[mask], codes[mask], acts[mask]
    n = len(sample_acts)
    per_sample = torch.bincount(pooled_owner, minlength=n).clamp(min=1).unsqueeze(1).float()
    if pooling == "mean":
        pooled = torch.zeros(n, d_sae).index_add_(0, pooled_owner, pooled_codes) / per_sample
    elif pooling == "max":
        pooled = torch.zeros(n, d_sae).index_reduce_(0, pooled_owner, pooled_codes, "amax", include_self=True)
    else:
        raise ValueError(f"unknown pooling {pooling!r}: use 'mean' or 'max'")
    raw = torch.zeros(n, acts.shape[1]).index_add_(0, pooled_owner, pooled_acts) / per_sample
    pk = min(pooled_top_k, d_sae)
    pooled_values, pooled_features = pooled.topk(pk, dim=1)
    pooled_features = torch.where(pooled_values > 0, pooled_features, torch.full_like(pooled_features, -1))
    token_features = torch.where(token_values > 0, token_features, torch.full_like(token_features, -1))
    return EncodedBatch(
        pooled_features=pooled_features.numpy().astype(np.int32),
        pooled_values=pooled_values.clamp(min=0).numpy().astype(np.float32),
        token_features=token_features.numpy().astype(np.int32),
        token_values=token_values.clamp(min=0).numpy().astype(np.float32),
        raw_embeddings=raw.numpy().astype(np.float32),
        fired=(codes > 0).any(dim=0).numpy(),
    )


def encode_all(
    token_acts: TokenActivations,
    masks: list[np.ndarray],
    sae: Any,
    pooling: str,
    pooled_top_k: int,
    token_top_k: int,
    batch_tokens: int = 16_384,
    progress: bool = True,
) -> EncodedBatch:
    """`encode_samples` over groups of whole samples, so memory stays bounded."""
    n = len(masks)
    groups, current, size = [], [], 0
    for i in range(n):
        current.append(i)
        size += int(token_acts.offsets[i + 1] - token_acts.offsets[i])
        if size >= batch_tokens:
            groups.append(current)
            current, size = [], 0
    if current:
        groups.append(current)
    parts = []
    for group in tqdm(groups, desc="Encoding with the SAE", disable=not progress):
        parts.append(
            encode_samples(
                [token_acts.sample(i) for i in group], [masks[i] for i in group], sae, pooling, pooled_top_k, token_top_k
            )
        )
    return EncodedBatch(
        pooled_features=np.concatenate([p.pooled_features for p in parts]),
        pooled_values=np.concatenate([p.pooled_values for p in parts]),
        token_features=np.concatenate([p.token_features for p in parts]),
        token_values=np.concatenate([p.token_values for p in parts]),
        raw_embeddings=np.concatenate([p.raw_embeddings for p in parts]),
        fired=np.logical_or.reduce([p.fired for p in parts]),
    )


def _list_column(name: str, matrix: np.ndarray, valid: np.ndarray, dtype: pl.DataType) -> pl.Series:
    """Rows of a padded matrix as a list column, dropping the padding (-1 features)."""
    import pyarrow as pa

    offsets = np.concatenate([[0], np.cumsum(valid.sum(axis=1))]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), pa.array(matrix[valid]))
    return pl.Series(name, pl.from_arrow(lists)).cast(pl.List(dtype))


def activations_table(ids: list[str], encoded: EncodedBatch) -> pl.DataFrame:
    valid = encoded.pooled_features >= 0
    return pl.DataFrame(
        [
            pl.Series("id", ids, dtype=pl.String),
            _list_column("features", encoded.pooled_features, valid, pl.Int32),
            _list_column("values", encoded.pooled_values, valid, pl.Float32),
        ]
    )


def tokens_table(ids: list[str], texts: list[str], token_acts: TokenActivations, encoded: EncodedBatch) -> pl.DataFrame:
    counts = np.diff(token_acts.offsets)
    spans = np.array([span for tok in token_acts.tokenized for span in tok.spans], dtype=np.int32).reshape(-1, 2)
    positions = np.concatenate([np.arange(c) for c in counts]).astype(np.int32)
    sample_ids = np.repeat(np.array(ids, dtype=object), counts)
    frame = pl.DataFrame(
        {
            "id": pl.Series(sample_ids, dtype=pl.String),
            "position": positions,
            "start": spans[:, 0],
            "end": spans[:, 1],
        }
    )
    token_text = [
        texts[s][a:b] for s, (a, b) in zip(np.repeat(np.arange(len(texts)), counts), spans.tolist(), strict=True)
    ]
    valid = encoded.token_features >= 0
    return frame.with_columns(
        pl.Series("token", token_text, dtype=pl.String),
        _list_column("features", encoded.token_features, valid, pl.Int32),
        _list_column("values", encoded.token_values, valid, pl.Float32),
    ).select("id", "position", "token", "start", "end", "features", "values")
