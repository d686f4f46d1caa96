"""Rows -> pooled SAE codes with one model and SAE: the code path the build and `monitor` share.

`activation_source` picks the model an SAE reads (a packaged model, or the model a
pretrained SAE's metadata names); `stream_extract` reads, encodes and pools the rows one
bounded chunk at a time (`extract_chunk`, a pure function of a chunk of rows), so memory
is set by the model, the SAE and the chunk, never by the number of rows. `AnalysisExtractor` loads the model
and SAE an existing analysis was built with (its own `sae/` folder when the SAE was trained
there, else the SAE its manifest names) and extracts any new rows exactly as the build did.
`extract_own_answers` reads the chat model's own answers to the rows' prompts the same way
(`--self-contrast`, `analysis.extraction.self_responses`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from analysis.config import BuildConfig, ExtractConfig
from analysis.extraction.encode import (
    EncodedBatch,
    TokenActivations,
    activations_table,
    encode_tokens,
    pool_masks,
    read_token_activations,
    tokens_table,
)
from analysis.extraction.sources import ActivationSource
from analysis.extraction.windows import TokenizedText
from analysis.heap import release_free_heap


def encoder_layer_from_hook(hook: str) -> int:
    """`encoder.layer.2` (the output of block 2) is hidden-state index 3."""
    match = re.fullmatch(r"encoder\.layer\.(\d+)", hook or "")
    if not match:
        raise ValueError(f"an encoder SAE's hook must look like encoder.layer.N, got {hook!r}")
    return int(match.group(1)) + 1


def activation_source(
    ex: ExtractConfig, sae: Any | None, device: str, trust_remote_code: bool = False, cache_root: Path | None = None
) -> ActivationSource:
    """The model whose activations `sae` encodes (`sae` None: the SAE is still to be trained).

    `trust_remote_code` lets a pretrained SAE's metadata load a model with its repository's
    own code; off unless the user said so. `cache_root` holds the embedded chat model's
    converted folder (`analysis.extraction.llm`; the default cache when None)."""
    from analysis.config import ENCODER, SMOLLM2
    from analysis.extraction.llm import ChatModelSource, layer_from_hook
    from analysis.extraction.sources import EncoderSource, SaeLensModelSource

    if sae is None:
        if ex.model == SMOLLM2:
            return ChatModelSource(ex.read_layer, ex.window, device, ex.resolved_model_dtype, cache_root)
        return EncoderSource(ex.model, ex.read_layer, ex.window, device, ex.resolved_model_dtype)
    meta = sae.cfg.metadata
    if meta.model_class_name == "AutoModel" and meta.model_name == SMOLLM2:
        # an SAE this tool trained on the embedded chat model: read it the same way again
        return ChatModelSource(layer_from_hook(meta.hook_name), ex.window, device, ex.resolved_model_dtype, cache_root)
    if meta.model_class_name == "AutoModel":
        # an SAE this tool trained on an encoder: read the encoder the same way again
        return EncoderSource(meta.model_name, encoder_layer_from_hook(meta.hook_name), ex.window, device, ex.resolved_model_dtype)
    # a packaged model's name is no sae-lens model: the SAE's metadata names the model it reads
    model_name = None if ex.model in (ENCODER, SMOLLM2) else ex.model
    return SaeLensModelSource(sae, model_name, ex.window, device, trust_remote_code=trust_remote_code, dtype=ex.resolved_model_dtype)


# A chunk of texts read and encoded at once holds its token activations in float16: this many
# bytes at most (64 MB), so memory is set by the model's width, never by the number of rows.
# Everything a chunk builds (windows, codes, its token table) grows with it: on the heaviest
# chunks of a 20,000-row read, 64 MB chunks rose 614 MiB above the model and 128 MB chunks
# 777 MiB (8M-element SAE slices), at the same speed (RESULTS.md, "Smaller chunks and SAE slices").
CHUNK_BYTES = 64 * 1024 * 1024
TOKENIZE_BLOCK = 1024


def chunk_tokens(ex: ExtractConfig, d_in: int) -> int:
    return max(ex.batch_tokens, CHUNK_BYTES // (2 * max(d_in, 1)))


def tokenize_rows(
    source: ActivationSource, texts: list[str], response_starts: list[int | None] | None
) -> list[TokenizedText]:
    """`source.tokenize`, given the rows' response starts only when there are some (a source
    may take texts alone)."""
    if response_starts is None:
        return source.tokenize(texts)
    return source.tokenize(texts, response_starts)


def token_counts(
    texts: list[str], source: ActivationSource, response_starts: list[int | None] | None = None
) -> np.ndarray:
    """Tokens per text, tokenizing in blocks so no token list of the whole set is ever held."""
    from analysis.extraction.encode import check_tokenized

    counts = np.zeros(len(texts), dtype=np.int64)
    for start in range(0, len(texts), TOKENIZE_BLOCK):
        block = texts[start : start + TOKENIZE_BLOCK]
        starts = response_starts[start : start + TOKENIZE_BLOCK] if response_starts is not None else None
        tokenized = tokenize_rows(source, block, starts)
        check_tokenized(block, tokenized)
        counts[start : start + len(block)] = [len(t.ids) for t in tokenized]
    return counts


def text_chunks(counts: np.ndarray, max_tokens: int) -> list[tuple[int, int]]:
    """Consecutive row ranges of at most `max_tokens` tokens (a longer text is a chunk alone)."""
    chunks, start, size = [], 0, 0
    for i, count in enumerate(counts.tolist()):
        if i > start and size + count > max_tokens:
            chunks.append((start, i))
            start, size = i, 0
        size += count
    if len(counts):
        chunks.append((start, len(counts)))
    return chunks


def sae_training_texts(counts: np.ndarray, budget: int, seed: int) -> np.ndarray:
    """Whole texts, drawn at random across the set, whose tokens make up about `budget`:
    the bounded sample of token activations an SAE is trained on (every text when the set
    is smaller)."""
    if int(counts.sum()) <= budget:
        return np.arange(len(counts))
    order = np.random.default_rng(seed).permutation(len(counts))
    taken = int(np.searchsorted(np.cumsum(counts[order]), budget) + 1)
    return np.sort(order[:taken])


@dataclass
class KeptActivations:
    """Token activations kept for SAE training; reused when their texts are encoded."""

    rows: np.ndarray  # sorted row indices of the kept texts
    tokens: TokenActivations

    def training_tokens(self) -> tuple[np.ndarray, np.ndarray]:
        """(values, offsets) of the kept tokens an SAE learns from: all but a chat template's
        markup, whose activations are the same in every row."""
        markup = [t.markup for t in self.tokens.tokenized]
        if all(m is None or not m.any() for m in markup):
            return self.tokens.values, self.tokens.offsets
        keep = np.concatenate([~m if m is not None else np.ones(len(t.ids), dtype=bool) for m, t in zip(markup, self.tokens.tokenized, strict=True)])
        counts = [int(k.sum()) for k in np.split(keep, self.tokens.offsets[1:-1])]
        return self.tokens.values[keep], np.concatenate([[0], np.cumsum(counts)]).astype(self.tokens.offsets.dtype)

    def of(self, row: int) -> np.ndarray | None:
        at = int(np.searchsorted(self.rows, row))
        if at < len(self.rows) and self.rows[at] == row:
            return self.tokens.sample(at)
        return None


def read_kept(
    texts: list[str],
    rows: np.ndarray,
    source: ActivationSource,
    ex: ExtractConfig,
    progress: Any = None,
    response_starts: list[int | None] | None = None,
) -> KeptActivations:
    """Token activations of the texts at `rows` (the SAE's training sample)."""
    chosen = [texts[i] for i in rows.tolist()]
    starts = [response_starts[i] for i in rows.tolist()] if response_starts is not None else None
    parts = []
    for start, stop in text_chunks(token_counts(chosen, source, starts), chunk_tokens(ex, source.d_in)):
        tokenized = tokenize_rows(source, chosen[start:stop], starts[start:stop] if starts is not None else None)
        parts.append(read_token_activations(chosen[start:stop], source, ex.stride, ex.batch_tokens, progress, tokenized=tokenized))
        release_free_heap()
    return KeptActivations(rows, concat_token_activations(parts))


def concat_token_activations(parts: list[TokenActivations]) -> TokenActivations:
    if len(parts) == 1:
        return parts[0]
    counts = np.concatenate([np.diff(p.offsets) for p in parts])
    return TokenActivations(
        values=np.concatenate([p.values for p in parts]),
        offsets=np.concatenate([[0], np.cumsum(counts)]),
        tokenized=[t for p in parts for t in p.tokenized],
        n_windows=np.concatenate([p.n_windows for p in parts]),
    )


@dataclass
class ExtractedChunk:
    """One chunk of rows, encoded: what the analysis keeps of them."""

    ids: list[str]
    encoded: EncodedBatch
    tokens: pl.DataFrame  # the rows of tokens.parquet
    n_tokens: np.ndarray  # [n] int32
    n_windows: np.ndarray  # [n] int32


def extract_chunk(
    samples: pl.DataFrame,
    source: ActivationSource,
    sae: Any,
    ex: ExtractConfig,
    progress: Any = None,
    kept: KeptActivations | None = None,
    first_row: int = 0,
) -> ExtractedChunk:
    """Read, encode and pool a bounded chunk of rows (id, text, response_start): a pure
    function of the rows, the model and the SAE. Rows whose activations are `kept` (global
    row `first_row + i`) are not read again."""
    texts = samples["text"].to_list()
    tokenized = tokenize_rows(source, texts, samples["response_start"].to_list())
    reuse = [kept.of(first_row + i) if kept is not None else None for i in range(len(texts))]
    fresh = [i for i, r in enumerate(reuse) if r is None]
    read = read_token_activations(
        [texts[i] for i in fresh], source, ex.stride, ex.batch_tokens, progress, tokenized=[tokenized[i] for i in fresh]
    ) if fresh else None
    counts = np.array([len(t.ids) for t in tokenized], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    if len(fresh) == len(texts):  # nothing kept here: the rows as read, without a second copy
        tokens = read
    else:
        tokens = _merge_kept(tokenized, offsets, reuse, fresh, read, kept, first_row, source.d_in)
    masks = pool_masks(tokenized, samples["response_start"].to_list(), ex.pool_tokens)
    encoded = encode_tokens(tokens, masks, sae, ex.pooling, ex.pooled_top_k, ex.token_top_k, ex.batch_tokens)
    if progress is not None:  # kept texts were not read here: they count once encoded
        progress.update(int(offsets[-1]) - (int(read.offsets[-1]) if read is not None else 0))
    ids = samples["id"].to_list()
    return ExtractedChunk(ids, encoded, tokens_table(ids, texts, tokens, encoded), counts.astype(np.int32), tokens.n_windows)


def _merge_kept(
    tokenized: list[TokenizedText],
    offsets: np.ndarray,
    reuse: list[np.ndarray | None],
    fresh: list[int],
    read: TokenActivations | None,
    kept: KeptActivations,
    first_row: int,
    d_in: int,
) -> TokenActivations:
    """The chunk's token activations in row order: kept rows from `kept`, the others as read."""
    values = np.zeros((int(offsets[-1]), d_in), dtype=np.float16)
    n_windows = np.zeros(len(reuse), dtype=np.int32)
    fresh_at = {row: j for j, row in enumerate(fresh)}
    for i, reused in enumerate(reuse):
        if reused is None:
            j = fresh_at[i]
            values[offsets[i] : offsets[i + 1]] = read.sample(j)
            n_windows[i] = read.n_windows[j]
        else:
            values[offsets[i] : offsets[i + 1]] = reused
            n_windows[i] = kept.tokens.n_windows[int(np.searchsorted(kept.rows, first_row + i))]
    return TokenActivations(values, offsets, tokenized, n_windows)


def stream_extract(
    samples: pl.DataFrame,
    source: ActivationSource,
    sae: Any,
    ex: ExtractConfig,
    progress: bool = True,
    kept: KeptActivations | None = None,
    counts: np.ndarray | None = None,
    desc: str = "Reading and encoding",
) -> Iterator[ExtractedChunk]:
    """`extract_chunk` over consecutive chunks of rows, in row order; each chunk's token
    activations are dropped once it is encoded."""
    from tqdm.auto import tqdm

    if counts is None:
        counts = token_counts(samples["text"].to_list(), source, samples["response_start"].to_list())
    with tqdm(total=int(counts.sum()), desc=desc, unit="tok", disable=not progress) as bar:
        for start, stop in text_chunks(counts, chunk_tokens(ex, source.d_in)):
            yield extract_chunk(samples.slice(start, stop - start), source, sae, ex, bar, kept, start)
            release_free_heap()  # the chunk is written: its buffers' pages go back, not to the next chunk's peak


@dataclass
class OwnAnswerCodes:
    """The chat model's own answers to the rows' prompts, read like the rows: one row per input
    row, in its order (`--self-contrast`)."""

    table: pl.DataFrame  # id, response (null: no answer), features, values (self_responses.parquet)
    dense: np.ndarray  # [n, d_in] pooled hidden states, NaN rows without an answer
    counts: dict[str, int]  # rows with a prompt, answers generated now (the others were cached)

    @property
    def present(self) -> np.ndarray:
        return self.table["response"].is_not_null().to_numpy()


def extract_own_answers(
    samples: pl.DataFrame,
    source: ActivationSource,
    sae: Any,
    ex: ExtractConfig,
    cache_root: Path,
    progress: bool = True,
    generator: Any | None = None,
) -> OwnAnswerCodes:
    """The chat model answers each row's prompt (`samples`: id, text, response_start; cached
    answers are not generated again), and each "prompt + own answer" is read, pooled over its
    response tokens and encoded like the rows. `generator` (default: the chat model behind
    `source`) is anything `self_responses.own_answers` takes."""
    from analysis.extraction.self_responses import (
        chat_generator,
        own_answer_rows,
        own_answers,
        require_chat_model,
    )

    require_chat_model(source.name)
    generator = generator if generator is not None else chat_generator(source, ex.resolved_model_dtype, getattr(source, "device", "cpu"))
    ids, texts, starts = samples["id"].to_list(), samples["text"].to_list(), samples["response_start"].to_list()
    answers, counts = own_answers(texts, starts, generator, cache_root, ex.self_contrast_tokens, progress)
    rows_frame, rows = own_answer_rows(ids, texts, starts, answers)
    dense = np.full((len(ids), source.d_in), np.nan, dtype=np.float32)
    features: list[list[int]] = [[] for _ in ids]
    values: list[list[float]] = [[] for _ in ids]
    if rows.size:
        chunks = stream_extract(rows_frame, source, sae, ex, progress, desc="Reading the model's own responses")
        encoded = EncodedBatch.concat([c.encoded for c in chunks])
        read = activations_table(rows_frame["id"].to_list(), encoded)
        dense[rows] = encoded.raw_embeddings
        for i, row_features, row_values in zip(rows.tolist(), read["features"].to_list(), read["values"].to_list(), strict=True):
            features[i], values[i] = row_features, row_values
    present = np.zeros(len(ids), dtype=bool)
    present[rows] = True
    table = pl.DataFrame(
        {
            "id": pl.Series(ids, dtype=pl.String),
            "response": pl.Series([answers[i] if present[i] else None for i in range(len(ids))], dtype=pl.String),
            "features": pl.Series(features, dtype=pl.List(pl.Int32)),
            "values": pl.Series(values, dtype=pl.List(pl.Float32)),
        }
    )
    return OwnAnswerCodes(table, dense, counts)


@dataclass
class ExtractedRows:
    """New rows as the scorer takes them, plus what the build would have recorded of them."""

    codes: sp.csr_matrix  # [n, d_sae] pooled SAE codes
    dense: np.ndarray  # [n, d_in] pooled hidden states at the read layer
    activations: pl.DataFrame  # id, features, values (the layout of activations.parquet)
    n_tokens: np.ndarray  # [n] int32
    n_windows: np.ndarray  # [n] int32
    own: OwnAnswerCodes | None = None  # the model's own answers (an analysis built with --self-contrast)


@dataclass
class AnalysisExtractor:
    """The model and SAE of one analysis, loaded once, applied to any rows."""

    config: ExtractConfig
    sae: Any
    source: ActivationSource
    d_sae: int

    @classmethod
    def for_analysis(cls, analysis_dir: str | Path, manifest: dict[str, Any], device: str | None = None) -> AnalysisExtractor:
        from analysis.extraction.sae import load_sae, load_sae_from_disk
        from analysis.extraction.sources import pick_device

        ex = BuildConfig.from_dict(manifest["config"]).extract
        device = pick_device(device or ex.device)
        own = Path(analysis_dir) / "sae"
        if (own / "cfg.json").is_file():
            sae = load_sae_from_disk(own, device)
        elif ex.sae is not None:
            sae = load_sae(ex.sae_location(), device)
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
        from analysis.artifacts.cache import default_cache_root
        from analysis.artifacts.codes import activation_matrix

        chunks = list(stream_extract(samples, self.source, self.sae, self.config, progress))
        encoded = EncodedBatch.concat([c.encoded for c in chunks])
        ids = samples["id"].to_list()
        # through the same table the build writes, so the codes are the ones a build would read
        table = activations_table(ids, encoded)
        own = None
        if self.config.self_contrast:  # the analysis scores rows against the model's own answers
            own = extract_own_answers(samples, self.source, self.sae, self.config, default_cache_root(), progress)
        return ExtractedRows(
            codes=activation_matrix(table, ids, self.d_sae),
            dense=encoded.raw_embeddings,
            activations=table,
            n_tokens=np.concatenate([c.n_tokens for c in chunks]),
            n_windows=np.concatenate([c.n_windows for c in chunks]),
            own=own,
        )
