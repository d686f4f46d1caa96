"""Streaming extraction: chunked reading and sliced encoding give the same analysis as one
pass over everything, memory does not grow with the rows, and the SAE's training sample is
bounded and drawn across the set."""

from __future__ import annotations

import re
import tracemalloc

import numpy as np
import polars as pl
import pytest

from analysis.config import ExtractConfig
from analysis.extraction import encode as extract
from analysis.extraction import stream as featurize
from analysis.extraction.encode import encode_tokens, pool_masks
from analysis.extraction.stream import (
    extract_chunk,
    read_kept,
    sae_training_texts,
    stream_extract,
    text_chunks,
)
from analysis.extraction.windows import TokenizedText
from analysis.extraction.writer import ExtractionWriter

D_IN = 16
D_SAE = 96


class WordSource:
    """A model-free activation source: words are tokens, an activation mixes the token's own
    vector with the mean of the window so far (a causal context dependence)."""

    name, hook, layer, causal = "words", "words.0", 1, True

    def __init__(self, window: int = 12, d_in: int = D_IN):
        self.window, self.content_capacity, self.d_in = window, window, d_in
        self.table = np.random.default_rng(0).normal(size=(4096, d_in)).astype(np.float32)
        self.forward_calls = 0

    def tokenize(self, texts: list[str], response_starts: list[int | None] | None = None) -> list[TokenizedText]:
        out = []
        for text in texts:
            spans = [m.span() for m in re.finditer(r"\S+", text)]
            ids = [hash(text[a:b]) % 4096 for a, b in spans]
            out.append(TokenizedText(np.array(ids, dtype=np.int64), np.array(spans, dtype=np.int32).reshape(-1, 2)))
        return out

    def forward(self, windows: list[np.ndarray]) -> list[np.ndarray]:
        self.forward_calls += 1
        outputs = []
        for ids in windows:
            own = self.table[ids]
            context = np.cumsum(own, axis=0) / np.arange(1, len(ids) + 1)[:, None]
            outputs.append(own + 0.5 * context)
        return outputs


def tiny_sae(d_in: int = D_IN, d_sae: int = D_SAE, k: int = 6):
    import torch
    from sae_lens import TopKSAE, TopKSAEConfig

    torch.manual_seed(0)
    sae = TopKSAE(TopKSAEConfig(d_in=d_in, d_sae=d_sae, k=k))
    with torch.no_grad():
        sae.W_enc.normal_(0, 0.5)
        sae.b_enc.normal_(0, 0.1)
    return sae


def rows(n: int, seed: int = 0, max_words: int = 40) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(300)]
    texts, starts = [], []
    for i in range(n):
        prompt = " ".join(rng.choice(words, rng.integers(1, 6)))
        response = " ".join(rng.choice(words, rng.integers(1, max_words)))
        texts.append(f"{prompt} {response}")
        starts.append(len(prompt) + 1 if i % 3 else None)
    return pl.DataFrame({"id": [f"r{i}" for i in range(n)], "text": texts, "response_start": starts})


def reference_pooling(samples: pl.DataFrame, source: WordSource, sae, ex: ExtractConfig):
    """One pass over all rows, every token encoded at once, pooled with numpy."""
    import torch

    acts = extract.read_token_activations(samples["text"].to_list(), source, ex.stride, ex.batch_tokens)
    masks = pool_masks(acts.tokenized, samples["response_start"].to_list(), ex.pool_tokens)
    with torch.inference_mode():
        codes = sae.encode(torch.from_numpy(acts.values.astype(np.float32))).numpy()
    pooled = []
    for i, mask in enumerate(masks):
        own = codes[acts.offsets[i] : acts.offsets[i + 1]][mask]
        pooled.append(own.mean(axis=0) if ex.pooling == "mean" else own.max(axis=0))
    return np.array(pooled), acts


def as_dense(features: np.ndarray, values: np.ndarray) -> np.ndarray:
    dense = np.zeros((features.shape[0], D_SAE), dtype=np.float32)
    for i, (f, v) in enumerate(zip(features, values, strict=True)):
        dense[i, f[f >= 0]] = v[f >= 0]
    return dense


@pytest.mark.parametrize("pooling", ["mean", "max"])
@pytest.mark.parametrize("slice_elements", [D_SAE * 1, D_SAE * 7, D_SAE * 10_000])
def test_sliced_encoding_equals_pooling_everything_at_once(monkeypatch, pooling, slice_elements):
    """Texts cut across encoding slices (down to one token a slice) pool as if encoded whole."""
    monkeypatch.setattr(extract, "CODE_ELEMENTS_PER_SLICE", slice_elements)
    samples, source, sae = rows(40), WordSource(), tiny_sae()
    ex = ExtractConfig(pooling=pooling, pooled_top_k=D_SAE, stride=8)
    expected, acts = reference_pooling(samples, source, sae, ex)
    masks = pool_masks(acts.tokenized, samples["response_start"].to_list(), ex.pool_tokens)
    encoded = encode_tokens(acts, masks, sae, pooling, D_SAE, 4, ex.batch_tokens)
    np.testing.assert_allclose(as_dense(encoded.pooled_features, encoded.pooled_values), expected, rtol=1e-5, atol=1e-6)
    hidden = np.array([acts.sample(i).astype(np.float32)[m].mean(axis=0) for i, m in enumerate(masks)])
    np.testing.assert_allclose(encoded.raw_embeddings, hidden, rtol=1e-5, atol=1e-5)


def chunked_files(tmp_path, samples, source, sae, ex, chunk_bytes, monkeypatch):
    monkeypatch.setattr(featurize, "CHUNK_BYTES", chunk_bytes)
    folder = tmp_path / f"chunk-{chunk_bytes}"
    folder.mkdir()
    writer = ExtractionWriter(folder, samples["id"].to_list())
    for chunk in stream_extract(samples, source, sae, ex, progress=False):
        writer.add(chunk)
    stats = writer.close(sae)
    return folder, stats


def test_chunked_streaming_writes_the_same_files_as_one_chunk(tmp_path, monkeypatch):
    samples, sae = rows(120), tiny_sae()
    ex = ExtractConfig(stride=8, batch_tokens=64)
    one, one_stats = chunked_files(tmp_path, samples, WordSource(), sae, ex, 1 << 30, monkeypatch)
    many, many_stats = chunked_files(tmp_path, samples, WordSource(), sae, ex, 64 * 2 * D_IN, monkeypatch)
    assert one_stats == many_stats and one_stats["windowed_samples"] > 0
    for name in ("tokens.parquet", "lengths.parquet", "activations.parquet"):
        a, b = pl.read_parquet(one / name), pl.read_parquet(many / name)
        # sums over other slices differ in the last bits only
        assert a.drop("values", strict=False).equals(b.drop("values", strict=False)), name
        if "values" in a.columns:
            np.testing.assert_allclose(a["values"].explode().to_numpy(), b["values"].explode().to_numpy(), rtol=1e-5)
    import pyarrow.parquet as pq

    assert pq.ParquetFile(many / "tokens.parquet").num_row_groups > 10  # really written chunk by chunk
    from safetensors.numpy import load_file

    for name in ("embeddings.safetensors", "decoder.safetensors"):
        for key, value in load_file(str(one / name)).items():
            np.testing.assert_allclose(value, load_file(str(many / name))[key], rtol=1e-5, atol=1e-6)


def test_kept_activations_are_reused_not_read_again(monkeypatch):
    samples, sae, ex = rows(60), tiny_sae(), ExtractConfig(stride=8)
    texts = samples["text"].to_list()
    source = WordSource()
    kept = read_kept(texts, np.arange(0, 60, 2), source, ex)
    reading = source.forward_calls
    fresh = extract_chunk(samples, WordSource(), sae, ex)
    reused = extract_chunk(samples, source, sae, ex, kept=kept)
    assert source.forward_calls > reading  # the other half was read
    np.testing.assert_array_equal(fresh.encoded.pooled_features, reused.encoded.pooled_features)
    np.testing.assert_allclose(fresh.encoded.pooled_values, reused.encoded.pooled_values)
    assert fresh.tokens.equals(reused.tokens)
    only_kept = extract_chunk(samples[::2], source, sae, ex, kept=read_kept(texts[::2], np.arange(30), WordSource(), ex))
    assert only_kept.ids == samples["id"].to_list()[::2]


def peak_bytes(n_rows: int, tmp_path, monkeypatch) -> int:
    monkeypatch.setattr(featurize, "CHUNK_BYTES", 4096 * 2 * 64)
    samples, source, sae = rows(n_rows, seed=1, max_words=80), WordSource(d_in=64), tiny_sae(d_in=64)
    ex = ExtractConfig(stride=8, pooled_top_k=8, token_top_k=2)
    folder = tmp_path / f"rows-{n_rows}"
    folder.mkdir()
    tracemalloc.start()
    writer = ExtractionWriter(folder, samples["id"].to_list())
    for chunk in stream_extract(samples, source, sae, ex, progress=False):
        writer.add(chunk)
    writer.close(sae)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_memory_is_set_by_the_chunk_not_by_the_rows(tmp_path, monkeypatch):
    small, large = peak_bytes(1_000, tmp_path, monkeypatch), peak_bytes(6_000, tmp_path, monkeypatch)
    # all token activations of the extra 5,000 rows (about 43 tokens each, d_in 64, float16)
    # would add about 27 MB; the per-row results (8 latents, 64 hidden values) about 2 MB
    all_tokens_extra = 5_000 * 43 * 64 * 2
    assert large - small < all_tokens_extra / 4, (small, large)


def test_text_chunks_tile_the_rows_within_the_budget():
    counts = np.array([5, 1, 9, 30, 2, 2, 2, 7])
    chunks = text_chunks(counts, 10)
    assert [r for a, b in chunks for r in range(a, b)] == list(range(len(counts)))
    assert all(counts[a:b].sum() <= 10 or b - a == 1 for a, b in chunks)


def test_the_sae_sample_is_bounded_and_drawn_across_the_set():
    counts = np.random.default_rng(0).integers(5, 60, size=5_000)
    chosen = sae_training_texts(counts, budget=20_000, seed=0)
    assert 20_000 <= counts[chosen].sum() <= 20_000 + counts.max()
    assert (chosen < 2_500).any() and (chosen >= 2_500).any()
    assert np.array_equal(chosen, np.unique(chosen))
    assert np.array_equal(sae_training_texts(counts[:100], budget=10**6, seed=0), np.arange(100))


def test_progress_counts_each_token_once(monkeypatch):
    class Bar:
        n = 0

        def update(self, k: int) -> None:
            self.n += k

    monkeypatch.setattr(featurize, "CHUNK_BYTES", 64 * 2 * D_IN)
    samples, bar = rows(50, max_words=80), Bar()
    chunks = list(stream_extract(samples, WordSource(), tiny_sae(), ExtractConfig(stride=8), progress=False))
    assert sum(c.n_windows.max() for c in chunks) > len(chunks)  # windows overlap here
    extract.read_token_activations(samples["text"].to_list(), WordSource(), 8, 4096, bar)
    assert bar.n == sum(int(c.n_tokens.sum()) for c in chunks)
