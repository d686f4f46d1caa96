"""Extraction: token activations at one layer -> SAE codes -> pooled sparse vectors.

`read_token_activations` runs the model over some texts; `encode_tokens` encodes their
tokens with the SAE and pools them per text. Both work on a bounded group of texts, so the
build streams: read, encode, pool and discard one chunk of texts at a time
(`featurize.stream_extract`), and a distributed engine can run the same functions over
shards with a fixed SAE.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from analysis.extraction.sources import ActivationSource
from analysis.extraction.windows import TokenizedText, make_windows
from analysis.stopping import raise_if_stopped

# SAE codes of one encoding slice are [tokens, d_sae] float32 on the device: this many
# elements at most (32 MB), so a wide SAE encodes fewer tokens at a time. sae-lens' encode
# and the pooling hold several copies of a slice's codes at once: on the heaviest chunks of
# a 20,000-row read, a chunk rose 1,166 MiB above the model with 64M elements and 777 MiB
# with 8M (128 MB chunks), at the same speed (RESULTS.md, "Smaller chunks and SAE slices").
CODE_ELEMENTS_PER_SLICE = 8 * 1024 * 1024


@dataclass
class TokenActivations:
    """Some texts' token activations, concatenated; text i owns rows offsets[i]:offsets[i+1]."""

    values: np.ndarray  # [total_tokens, d_in], float16 to halve memory
    offsets: np.ndarray  # [n_texts + 1]
    tokenized: list[TokenizedText]
    n_windows: np.ndarray  # [n_texts]

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


def check_tokenized(texts: list[str], tokenized: list[TokenizedText]) -> None:
    for text, tok in zip(texts, tokenized, strict=True):
        if len(tok.ids) == 0:
            raise ValueError(f"text produced no tokens: {text[:60]!r}")


def read_token_activations(
    texts: list[str],
    source: ActivationSource,
    stride: int,
    batch_tokens: int,
    progress: Any = None,
    tokenized: list[TokenizedText] | None = None,
) -> TokenActivations:
    """Run the model over the texts in overlapping windows; keep each token once.

    `progress` is a tqdm bar (or None) advanced by the tokens read."""
    tokenized = tokenized if tokenized is not None else source.tokenize(texts)
    check_tokenized(texts, tokenized)
    windows = make_windows(tokenized, source.content_capacity, stride, source.causal)
    counts = np.array([len(t.ids) for t in tokenized], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    values = np.zeros((int(offsets[-1]), source.d_in), dtype=np.float16)
    n_windows = np.bincount([w.sample for w in windows], minlength=len(texts)).astype(np.int32)
    lengths = np.array([len(w.ids) for w in windows])
    for batch in _length_batches(lengths, batch_tokens):
        raise_if_stopped()
        outputs = source.forward([windows[i].ids for i in batch])
        for i, acts in zip(batch, outputs, strict=True):
            w = windows[i]
            start = offsets[w.sample] + w.offset
            values[start + w.keep_from : start + w.keep_to] = acts[w.keep_from : w.keep_to]
        if progress is not None:  # tokens, not window positions: windows overlap
            progress.update(sum(windows[i].keep_to - windows[i].keep_from for i in batch))
    return TokenActivations(values, offsets, tokenized, n_windows)


def pool_masks(
    tokenized: list[TokenizedText], response_starts: list[int | None], pool_tokens: str
) -> list[np.ndarray]:
    """Which tokens of each sample are pooled: the response's when there is one, else all;
    never a chat template's markup (`TokenizedText.markup`)."""
    masks = []
    for tok, response_start in zip(tokenized, response_starts, strict=True):
        everything = np.ones(len(tok.ids), dtype=bool)
        if tok.markup is not None and not np.all(tok.markup):
            everything = ~np.asarray(tok.markup, dtype=bool)
        if pool_tokens == "all" or response_start is None:
            masks.append(everything)
            continue
        mask = (np.asarray(tok.spans)[:, 0] >= response_start) & everything
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

    @classmethod
    def concat(cls, parts: list[EncodedBatch]) -> EncodedBatch:
        return cls(
            pooled_features=np.concatenate([p.pooled_features for p in parts]),
            pooled_values=np.concatenate([p.pooled_values for p in parts]),
            token_features=np.concatenate([p.token_features for p in parts]),
            token_values=np.concatenate([p.token_values for p in parts]),
            raw_embeddings=np.concatenate([p.raw_embeddings for p in parts]),
            fired=np.logical_or.reduce([p.fired for p in parts]),
        )


def slice_tokens(batch_tokens: int, d_sae: int) -> int:
    """Tokens per encoding slice: `batch_tokens`, fewer for a wide SAE (see CODE_ELEMENTS_PER_SLICE)."""
    return max(1, min(batch_tokens, CODE_ELEMENTS_PER_SLICE // max(d_sae, 1)))


class _Pooler:
    """Per-text sums (mean) or maxima (max) of codes and hidden states, built slice by slice.

    A text may span slices: its partial row is carried into the next slice and merged."""

    def __init__(self, pooling: str):
        if pooling not in ("mean", "max"):
            raise ValueError(f"unknown pooling {pooling!r}: use 'mean' or 'max'")
        self.pooling = pooling
        self.carry: tuple[int, Any, Any, Any] | None = None  # owner, codes row, hidden row, count

    def partial(self, owner: Any, codes: Any, hidden: Any, keep: Any, first_owner: int, n_owners: int):
        import torch

        local = owner - first_owner
        kept, kept_codes, kept_hidden = local[keep], codes[keep], hidden[keep]
        counts = torch.bincount(kept, minlength=n_owners).to(codes.dtype)
        pooled = torch.zeros(n_owners, codes.shape[1], device=codes.device, dtype=codes.dtype)
        if self.pooling == "mean":
            pooled.index_add_(0, kept, kept_codes)
        else:
            # codes are >= 0 (ReLU, TopK, JumpReLU), so a zero start is the identity of max
            pooled.index_reduce_(0, kept, kept_codes, "amax", include_self=True)
        sums = torch.zeros(n_owners, hidden.shape[1], device=hidden.device, dtype=hidden.dtype).index_add_(0, kept, kept_hidden)
        if self.carry is not None and self.carry[0] == first_owner:
            _, carried_codes, carried_hidden, carried_count = self.carry
            pooled[0] = pooled[0] + carried_codes if self.pooling == "mean" else torch.maximum(pooled[0], carried_codes)
            sums[0] += carried_hidden
            counts[0] += carried_count
        return pooled, sums, counts

    def finish(self, pooled: Any, sums: Any, counts: Any) -> tuple[Any, Any]:
        denominator = counts.clamp(min=1).unsqueeze(1)
        codes = pooled / denominator if self.pooling == "mean" else pooled
        return codes, sums / denominator


def encode_tokens(
    token_acts: TokenActivations,
    masks: list[np.ndarray],
    sae: Any,
    pooling: str,
    pooled_top_k: int,
    token_top_k: int,
    batch_tokens: int = 16_384,
) -> EncodedBatch:
    """Encode every token with the SAE and pool per text, in slices of at most
    `slice_tokens(batch_tokens, d_sae)` tokens; top-k and pooling run on the SAE's device,
    so only the sparse results come back to the CPU."""
    import torch

    n = len(masks)
    offsets = np.asarray(token_acts.offsets)
    total = int(offsets[-1])
    device = sae.device
    d_sae, d_in = int(sae.cfg.d_sae), token_acts.values.shape[1]
    tk, pk = min(token_top_k, d_sae), min(pooled_top_k, d_sae)
    owner = torch.from_numpy(np.repeat(np.arange(n), np.diff(offsets))).to(device)
    keep_all = torch.from_numpy(np.concatenate(masks) if masks else np.zeros(0, dtype=bool)).to(device)
    ends = torch.from_numpy(offsets[1:]).to(device)
    out = EncodedBatch(
        pooled_features=np.full((n, pk), -1, dtype=np.int32),
        pooled_values=np.zeros((n, pk), dtype=np.float32),
        token_features=np.full((total, tk), -1, dtype=np.int32),
        token_values=np.zeros((total, tk), dtype=np.float32),
        raw_embeddings=np.zeros((n, d_in), dtype=np.float32),
        fired=np.zeros(d_sae, dtype=bool),
    )
    fired = torch.zeros(d_sae, dtype=torch.bool, device=device)
    pooler = _Pooler(pooling)
    step = slice_tokens(batch_tokens, d_sae)
    for start in range(0, total, step):
        stop = min(total, start + step)
        hidden = torch.from_numpy(token_acts.values[start:stop]).to(device).float()
        with torch.inference_mode():
            codes = sae.encode(hidden).float()
        values, features = codes.topk(tk, dim=1)
        out.token_features[start:stop] = torch.where(values > 0, features, -1).cpu().numpy()
        out.token_values[start:stop] = values.clamp(min=0).cpu().numpy()
        fired |= (codes > 0).any(dim=0)
        first, last = int(owner[start]), int(owner[stop - 1])
        pooled, sums, counts = pooler.partial(owner[start:stop], codes, hidden, keep_all[start:stop], first, last - first + 1)
        # the last text continues into the next slice unless it ends here
        done = last - first + 1 if int(ends[last]) == stop else last - first
        pooler.carry = None if done == last - first + 1 else (last, pooled[-1], sums[-1], counts[-1])
        if done:
            finished_codes, finished_hidden = pooler.finish(pooled[:done], sums[:done], counts[:done])
            top_values, top_features = finished_codes.topk(pk, dim=1)
            out.pooled_features[first : first + done] = torch.where(top_values > 0, top_features, -1).cpu().numpy()
            out.pooled_values[first : first + done] = top_values.clamp(min=0).cpu().numpy()
            out.raw_embeddings[first : first + done] = finished_hidden.cpu().numpy()
    out.fired = fired.cpu().numpy()
    return out


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
    spans = np.concatenate([np.asarray(tok.spans, dtype=np.int32).reshape(-1, 2) for tok in token_acts.tokenized])
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
