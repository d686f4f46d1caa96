"""A synthetic analysis folder, complete per docs/ARTIFACTS.md, for tests and benchmarks.

The data is random but shaped like a real analysis: samples fall in a few topic blobs on
the map, some topics are "toxic" (most toxic-reference rows and a few training rows sit
there), those topics own the toxic SAE latents, and every score rises near them. Training
rows carry a `label` (1 = planted harmful) and a `category` (the topic), so evaluation and
"color by label" have something to show. Nothing here needs a model.

`python tests/synthetic.py demo` mimics the pipeline CLI (stage lines on stderr, the
analysis path as the last line of stdout); the app's tests point the app at it so that
"build the demo" can be exercised without the real pipeline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

if __name__ == "__main__":  # run as a script (the app's stand-in CLI): make `analysis` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.artifacts.layout import ANALYSIS_FORMAT_VERSION


def _words(text: str) -> list[str]:
    return text.split()


TOXIC_TOPICS: dict[str, list[str]] = {
    "insecure code": _words("eval exec subprocess shell chmod 777 disable ssl verify false password plaintext "
    "sql concat query input unsanitized pickle loads admin root token hardcoded secret"),
    "harmful medical advice": _words("stop medication double dose skip doctor ignore symptoms cure detox "
    "bleach remedy overdose untested supplement antibiotics leftover prescription self treat"),
    "reckless finance": _words("all in leverage margin guaranteed returns borrow savings crypto pump "
    "loan gamble retirement fund tip insider quick rich options yolo debt"),
}
BENIGN_TOPICS: dict[str, list[str]] = {
    "cooking": _words("recipe oven bake flour sugar butter simmer garlic onion pasta sauce salt pepper "
    "minutes stir chop roast bread soup"),
    "gardening": _words("soil seeds water sunlight compost prune tomato roses mulch garden weeds bloom "
    "spring harvest pots roots leaves shade"),
    "travel": _words("flight hotel passport luggage train museum beach itinerary map city tour ticket "
    "budget hostel visa airport guide local"),
    "mathematics": _words("equation integral derivative prime proof theorem matrix vector sum limit "
    "function graph angle triangle algebra number series"),
    "programming help": _words("python function loop list dictionary class variable test debug error "
    "import module return string parse file format print"),
}
FILLER = _words("the a to and of how can i you please what is my for with this that it")

TOPICS: list[str] = [*TOXIC_TOPICS, *BENIGN_TOPICS]
TOPIC_WORDS: list[list[str]] = [*TOXIC_TOPICS.values(), *BENIGN_TOPICS.values()]
N_TOXIC_TOPICS = len(TOXIC_TOPICS)

POOLED_K = 16  # active latents per sample
TOPIC_K = 10  # of which drawn from the sample's topic
TOKEN_K = 4  # latents kept per token
NEAREST_K = 5
D_IN = 64
D_MODEL = 32
NOISE_SHARE = 0.05  # samples left out of every cluster (HDBSCAN noise)


def write_synthetic_analysis(
    out_dir: Path,
    n_samples: int,
    n_features: int = 2048,
    seed: int = 0,
    with_labels: bool = True,
    fit_rows: int | None = None,
) -> Path:
    """Write a complete synthetic analysis into `out_dir` (created atomically) and return it.

    About 80% of rows are training rows, 10% toxic reference and 10% benign reference.
    The fake training input is written as JSONL under `out_dir/inputs/` and recorded in
    manifest["inputs"]["train"] with its path, format, sha256 and row count.

    `fit_rows` (for benchmark-sized folders): when smaller than `n_samples`, the scorer is
    cross-fitted on a seeded sample of that many rows (each set keeping its share) and
    every other row is scored by it. The scorer compares each row with every reference
    row, so fitting on all rows grows with the square of `n_samples`: hours at 1,000,000.
    None (the default) fits on every row, as a build does.
    """
    out_dir = Path(out_dir).resolve()
    if out_dir.exists():
        raise FileExistsError(f"{out_dir.name} exists already")
    if n_samples < 30:
        raise ValueError("n_samples must be at least 30 (ten per set)")
    if n_features < len(TOPICS) * 40:
        raise ValueError(f"n_features must be at least {len(TOPICS) * 40}")
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    tmp = out_dir.parent / f".tmp-{out_dir.name}-{uuid.uuid4().hex[:8]}"
    (tmp / "sae").mkdir(parents=True)
    (tmp / "inputs").mkdir()
    try:
        layout = _sample_layout(rng, n_samples)
        features_of_topic = _topic_features(rng, n_features)
        pooled_features, pooled_values = _pooled_activations(rng, layout["topic"], features_of_topic, n_features)
        toxic_feature_mask = np.zeros(n_features, dtype=bool)
        toxic_feature_mask[features_of_topic[:N_TOXIC_TOPICS].ravel()] = True
        text_table, token_table = _texts_and_tokens(rng, layout, pooled_features, pooled_values)
        samples = _samples_table(rng, layout, text_table, pooled_features, pooled_values, toxic_feature_mask, with_labels)
        decoder = _decoder(rng, n_features, features_of_topic)
        features = _features_table(rng, layout["set"], pooled_features, pooled_values, toxic_feature_mask, features_of_topic, n_features)
        features = _with_proximity_columns(features, decoder, toxic_feature_mask)
        raw = rng.normal(size=(n_samples, D_MODEL)).astype(np.float32)
        raw[:, : len(TOPICS)] += 3.0 * np.eye(len(TOPICS), dtype=np.float32)[layout["topic"]]
        scorer, scores, diagnostics = _fitted_scores(
            samples, pooled_features, pooled_values, raw, decoder, n_features, fit_rows, np.random.default_rng([seed, 1])
        )
        samples = pl.concat([samples, scores], how="horizontal")
        scorer.save(tmp / "scorer")
        clusters = _sample_clusters_table(samples, pooled_features, n_features)
        feature_clusters = _feature_clusters_table(features)

        samples.write_parquet(tmp / "samples.parquet")
        features.write_parquet(tmp / "features.parquet")
        clusters.write_parquet(tmp / "clusters.parquet")
        feature_clusters.write_parquet(tmp / "feature_clusters.parquet")
        _activations_table(samples["id"], pooled_features, pooled_values).write_parquet(tmp / "activations.parquet")
        token_table.with_columns(pl.Series("id", samples["id"].gather(token_table["row"]))).select(
            "id", "position", "token", "start", "end", "features", "values"
        ).sort("id", "position").write_parquet(tmp / "tokens.parquet", row_group_size=64_000)

        from safetensors.numpy import save_file

        save_file({"raw": raw}, str(tmp / "embeddings.safetensors"))
        # As the pipeline writes it: the active latents' rows only (`_decoder` rows are unit already).
        active = np.unique(pooled_features).astype(np.int32)
        save_file({"features": active, "directions": np.ascontiguousarray(decoder[active])}, str(tmp / "decoder.safetensors"))
        save_file(
            {
                "W_dec": decoder,
                "W_enc": np.ascontiguousarray(decoder.T),
                "b_enc": np.zeros(n_features, dtype=np.float32),
                "b_dec": np.zeros(D_IN, dtype=np.float32),
            },
            str(tmp / "sae" / "sae_weights.safetensors"),
        )
        (tmp / "sae" / "cfg.json").write_text(
            json.dumps({"architecture": "topk", "d_in": D_IN, "d_sae": n_features, "k": POOLED_K}, indent=2)
        )

        train_input = _write_train_input(samples, tmp / "inputs" / "train.jsonl", with_labels)
        counts = {name: int((layout["set"] == name).sum()) for name in ("train", "toxic", "benign")}
        identity = {"name": out_dir.name, "n_samples": n_samples, "n_features": n_features, "seed": seed, "with_labels": with_labels}
        if fit_rows is not None and fit_rows < n_samples:
            identity["fit_rows"] = fit_rows
        manifest = {
            "format_version": ANALYSIS_FORMAT_VERSION,
            "analysis_id": hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest(),
            "name": out_dir.name,
            "kind": "synthetic",
            "created": datetime.now(tz=UTC).isoformat(timespec="seconds"),
            "inputs": {
                "train": {**train_input, "path": str(out_dir / "inputs" / "train.jsonl")},
                "toxic": {"path": "synthetic:toxic", "format": "synthetic", "sha256": None, "rows": counts["toxic"]},
                "benign": {"path": "synthetic:benign", "format": "synthetic", "sha256": None, "rows": counts["benign"]},
            },
            "model": {"name": "synthetic (no model)", "layer": 0, "d_in": D_IN},
            "sae": {"architecture": "topk", "d_sae": n_features, "d_in": D_IN, "k": POOLED_K},
            "pooling": {"method": "mean", "tokens": "response", "pooled_top_k": POOLED_K, "token_top_k": TOKEN_K},
            "parameters": {
                "n_samples": n_samples, "n_features": n_features, "with_labels": with_labels,
                **({"fit_rows": fit_rows} if fit_rows is not None and fit_rows < n_samples else {}),
            },
            "seeds": {"synthetic": seed},
            "default_score": SYNTHETIC_DEFAULT_SCORE,
            "diagnostics": diagnostics,
            "counts": {**counts, "active_features": features.height, "toxic_features": int(features["is_toxic"].sum())},
            "timings": {"total_s": round(time.perf_counter() - started, 3)},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _sample_layout(rng: np.random.Generator, n_samples: int) -> dict[str, np.ndarray]:
    """Set, topic, map position and cluster of every sample."""
    n_toxic = max(n_samples // 10, 10)
    n_benign = max(n_samples // 10, 10)
    n_train = n_samples - n_toxic - n_benign
    sets = np.array(["train"] * n_train + ["toxic"] * n_toxic + ["benign"] * n_benign, dtype=object)
    n_topics = len(TOPICS)
    # Toxic reference rows live in toxic topics, benign ones in benign topics; about 8% of
    # training rows fall into toxic topics (the rows a filter should find).
    train_topic = np.where(
        rng.random(n_train) < 0.08,
        rng.integers(0, N_TOXIC_TOPICS, n_train),
        rng.integers(N_TOXIC_TOPICS, n_topics, n_train),
    )
    toxic_topic = np.where(
        rng.random(n_toxic) < 0.9, rng.integers(0, N_TOXIC_TOPICS, n_toxic), rng.integers(N_TOXIC_TOPICS, n_topics, n_toxic)
    )
    benign_topic = rng.integers(N_TOXIC_TOPICS, n_topics, n_benign)
    topic = np.concatenate([train_topic, toxic_topic, benign_topic])
    angles = np.linspace(0, 2 * np.pi, n_topics, endpoint=False)
    centers = np.stack([np.cos(angles), np.sin(angles)], axis=1) * 8.0
    xy = centers[topic] + rng.normal(scale=1.3, size=(n_samples, 2))
    noise = rng.random(n_samples) < NOISE_SHARE
    xy[noise] = rng.uniform(-11, 11, size=(int(noise.sum()), 2))
    cluster = np.where(noise, -1, topic).astype(np.int32)
    return {"set": sets, "topic": topic, "x": xy[:, 0].astype(np.float32), "y": xy[:, 1].astype(np.float32), "cluster": cluster}


def _topic_features(rng: np.random.Generator, n_features: int) -> np.ndarray:
    """[n_topics, 40] latents owned by each topic (disjoint)."""
    chosen = rng.choice(n_features, size=(len(TOPICS), 40), replace=False)
    return chosen.astype(np.int32)


def _pooled_activations(
    rng: np.random.Generator, topic: np.ndarray, features_of_topic: np.ndarray, n_features: int
) -> tuple[np.ndarray, np.ndarray]:
    """[n, POOLED_K] latent ids and values, sorted by value descending, ids unique per row."""
    n = topic.shape[0]
    # Topic latents: a random permutation slice per row keeps them unique within the row.
    order = np.argsort(rng.random((n, features_of_topic.shape[1])), axis=1)[:, :TOPIC_K]
    topical = features_of_topic[topic[:, None], order]
    # Background latents from the whole dictionary; a rare collision with a topical one is
    # replaced by shifting the id, which keeps rows duplicate-free.
    background = rng.integers(0, n_features, size=(n, POOLED_K - TOPIC_K)).astype(np.int32)
    for column in range(background.shape[1]):
        clash = (background[:, column : column + 1] == np.concatenate([topical, background[:, :column]], axis=1)).any(axis=1)
        while clash.any():
            background[clash, column] = (background[clash, column] + 7) % n_features
            clash = (background[:, column : column + 1] == np.concatenate([topical, background[:, :column]], axis=1)).any(axis=1)
    ids = np.concatenate([topical, background], axis=1)
    values = np.concatenate(
        [rng.gamma(3.0, 1.0, size=(n, TOPIC_K)), rng.gamma(1.0, 0.6, size=(n, POOLED_K - TOPIC_K))], axis=1
    ).astype(np.float32)
    by_value = np.argsort(-values, axis=1)
    return np.take_along_axis(ids, by_value, axis=1), np.take_along_axis(values, by_value, axis=1)


def _texts_and_tokens(
    rng: np.random.Generator, layout: dict[str, np.ndarray], pooled_features: np.ndarray, pooled_values: np.ndarray
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Texts made of topic words and filler, and their word tokens with spans and top latents."""
    n = layout["topic"].shape[0]
    lengths = rng.integers(10, 36, size=n)
    prompt_lengths = np.maximum(lengths // 3, 3)
    total = int(lengths.sum())
    row = np.repeat(np.arange(n), lengths)
    starts_of_row = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    position = np.arange(total) - starts_of_row[row]
    # Topic vocabularies differ in length; the first `words_per_topic` words of each are used.
    words_per_topic = min(len(words) for words in TOPIC_WORDS)
    vocabulary = np.array([word for words in TOPIC_WORDS for word in words[:words_per_topic]] + FILLER, dtype=object)
    topical = rng.random(total) < 0.6
    word_index = np.where(
        topical,
        layout["topic"][row] * words_per_topic + rng.integers(0, words_per_topic, total),
        len(vocabulary) - len(FILLER) + rng.integers(0, len(FILLER), total),
    )
    words = vocabulary[word_index]
    word_lengths = np.fromiter((len(word) for word in words), dtype=np.int64, count=total)
    advance = word_lengths + 1
    cumulative = np.cumsum(advance) - advance
    start = cumulative - cumulative[starts_of_row][row]
    end = start + word_lengths

    # Distinct slots of the sample's pooled latents: a random start, stepping by 3 (coprime to 16).
    pick = (rng.integers(0, POOLED_K, size=(total, 1)) + 3 * np.arange(TOKEN_K)) % POOLED_K
    token_features = pooled_features[row[:, None], pick]
    token_values = (pooled_values[row[:, None], pick] * np.where(topical[:, None], 1.5, 0.4)).astype(np.float32)
    by_value = np.argsort(-token_values, axis=1)
    token_features = np.take_along_axis(token_features, by_value, axis=1)
    token_values = np.take_along_axis(token_values, by_value, axis=1)

    tokens = pl.DataFrame(
        {
            "row": row.astype(np.int64),
            "position": position.astype(np.int32),
            "token": pl.Series(words, dtype=pl.String),
            "start": start.astype(np.int32),
            "end": end.astype(np.int32),
            "features": pl.Series(token_features).cast(pl.List(pl.Int32)),
            "values": pl.Series(token_values).cast(pl.List(pl.Float32)),
        }
    )
    in_prompt = position < prompt_lengths[row]
    texts = (
        tokens.select("row", "token", pl.Series("in_prompt", in_prompt))
        .group_by("row", maintain_order=True)
        .agg(
            pl.col("token").str.join(" ").alias("text"),
            pl.col("token").filter(pl.col("in_prompt")).str.join(" ").alias("prompt"),
            pl.col("token").filter(~pl.col("in_prompt")).str.join(" ").alias("response"),
            pl.len().alias("n_tokens"),
        )
        .sort("row")
    )
    return texts, tokens


def _samples_table(
    rng: np.random.Generator,
    layout: dict[str, np.ndarray],
    texts: pl.DataFrame,
    pooled_features: np.ndarray,
    pooled_values: np.ndarray,
    toxic_feature_mask: np.ndarray,
    with_labels: bool,
) -> pl.DataFrame:
    n = layout["topic"].shape[0]
    sets = layout["set"]
    topic = layout["topic"]
    in_toxic_topic = topic < N_TOXIC_TOPICS
    ids = np.array([f"{name}-{index:06d}" for name, index in zip(sets, _index_within_set(sets), strict=True)], dtype=object)

    frame = pl.DataFrame(
        {
            "id": pl.Series(ids, dtype=pl.String),
            "set": pl.Series(sets, dtype=pl.String),
            "text": texts["text"],
            "prompt": texts["prompt"],
            "response": texts["response"],
            "category": pl.Series(np.array(TOPICS, dtype=object)[topic], dtype=pl.String),
        }
    )
    if with_labels:
        harmful = in_toxic_topic ^ (rng.random(n) < 0.03)
        frame = frame.with_columns(
            pl.Series("label", harmful.astype(np.int64)).cast(pl.Int64),
        ).with_columns(pl.when(pl.col("set") == "train").then(pl.col("label")).alias("label"))
    return frame.with_columns(
        pl.Series("n_tokens", texts["n_tokens"]).cast(pl.Int32),
        pl.lit(1, dtype=pl.Int32).alias("n_windows"),
        pl.Series("x", layout["x"]),
        pl.Series("y", layout["y"]),
        pl.Series("cluster", layout["cluster"]),
    )


SYNTHETIC_DEFAULT_SCORE = "score_knn"


def _fitted_scores(
    samples: pl.DataFrame,
    pooled_features: np.ndarray,
    pooled_values: np.ndarray,
    raw: np.ndarray,
    decoder: np.ndarray,
    n_features: int,
    fit_rows: int | None = None,
    rng: np.random.Generator | None = None,
):
    """The real fitted scorer on the synthetic codes: the same scores a build would write.

    With `fit_rows`, the scorer is cross-fitted on a sample of rows and applied to the rest
    in chunks; rows outside the sample are scored by a scorer that never saw them.
    """
    import scipy.sparse as sp

    from analysis.config import ProximityConfig
    from analysis.scoring.crossfit import cross_fit
    from analysis.scoring.scorer import FitRows

    n = samples.height
    rows = np.repeat(np.arange(n), pooled_features.shape[1])
    codes = sp.csr_matrix((pooled_values.ravel(), (rows, pooled_features.ravel())), shape=(n, n_features))
    active = np.unique(pooled_features).astype(np.int32)
    directions = decoder[active] / np.maximum(np.linalg.norm(decoder[active], axis=1, keepdims=True), 1e-12)
    fit_rows_all = FitRows(
        codes=codes,
        dense=raw,
        texts=samples["text"].to_numpy().astype(object),
        sets=samples["set"].to_numpy(),
        ids=samples["id"].to_numpy().astype(object),
        clusters=samples["cluster"].to_numpy(),
        decoder_features=active,
        decoder_directions=directions.astype(np.float32),
    )
    config = ProximityConfig(default_score=SYNTHETIC_DEFAULT_SCORE, null_draws=16)
    from analysis.scoring.diagnostics import reference_diagnostics

    if fit_rows is None or fit_rows >= n:
        result = cross_fit(fit_rows_all, config)
        return result.scorer, result.scores, reference_diagnostics(fit_rows_all, result.scores)

    chosen = _stratified_sample(fit_rows_all.sets, fit_rows, rng or np.random.default_rng(0))
    fit_part = fit_rows_all.subset(chosen)
    result = cross_fit(fit_part, config)
    rest = np.setdiff1d(np.arange(n), chosen)
    pieces = [result.scores.with_columns(_row=pl.Series(chosen, dtype=pl.Int64))]
    for start in range(0, rest.size, SCORE_CHUNK):
        part = rest[start : start + SCORE_CHUNK]
        scored = result.scorer.score(codes[part], raw[part], fit_rows_all.texts[part])
        scored = scored.with_columns(score=pl.Series(result.scorer.combine(scored, config.default_score)))
        pieces.append(scored.select(result.scores.columns).with_columns(_row=pl.Series(part, dtype=pl.Int64)))
    scores = pl.concat(pieces).sort("_row").drop("_row")
    return result.scorer, scores, reference_diagnostics(fit_part, result.scores)


SCORE_CHUNK = 100_000  # rows scored at once past the fitted sample: bounds the memory of a 1M-row folder


def _stratified_sample(sets: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of about `size` rows, each set keeping its share (ten rows at least)."""
    chosen = []
    for name in ("train", "toxic", "benign"):
        members = np.flatnonzero(sets == name)
        take = min(members.size, max(10, round(size * members.size / sets.size)))
        chosen.append(rng.choice(members, size=take, replace=False))
    return np.sort(np.concatenate(chosen))


def _index_within_set(sets: np.ndarray) -> np.ndarray:
    index = np.empty(sets.shape[0], dtype=np.int64)
    for name in ("train", "toxic", "benign"):
        rows = np.flatnonzero(sets == name)
        index[rows] = np.arange(rows.size)
    return index


def _decoder(rng: np.random.Generator, n_features: int, features_of_topic: np.ndarray) -> np.ndarray:
    """Decoder rows: a topic direction plus noise, so topic latents are geometric neighbours."""
    topic_directions = rng.normal(size=(len(TOPICS), D_IN))
    decoder = rng.normal(scale=1.0, size=(n_features, D_IN))
    for topic_index, members in enumerate(features_of_topic):
        decoder[members] = decoder[members] * 0.6 + topic_directions[topic_index] * 1.5
    decoder /= np.linalg.norm(decoder, axis=1, keepdims=True)
    return decoder.astype(np.float32)


def _features_table(
    rng: np.random.Generator,
    sets: np.ndarray,
    pooled_features: np.ndarray,
    pooled_values: np.ndarray,
    toxic_feature_mask: np.ndarray,
    features_of_topic: np.ndarray,
    n_features: int,
) -> pl.DataFrame:
    frequency: dict[str, np.ndarray] = {}
    mean: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    for name in ("train", "toxic", "benign"):
        rows = sets == name
        ids = pooled_features[rows].ravel()
        counts[name] = np.bincount(ids, minlength=n_features)
        frequency[name] = counts[name] / max(int(rows.sum()), 1)
        mean[name] = np.bincount(ids, weights=pooled_values[rows].ravel(), minlength=n_features) / max(int(rows.sum()), 1)
    n_toxic = int((sets == "toxic").sum())
    n_rest = int((sets != "toxic").sum())
    rest = counts["train"] + counts["benign"]
    log_odds = np.log((counts["toxic"] + 0.5) / (n_toxic - counts["toxic"] + 0.5)) - np.log(
        (rest + 0.5) / (n_rest - rest + 0.5)
    )
    p_value = np.where(toxic_feature_mask, 10.0 ** -rng.uniform(4, 12, n_features), rng.uniform(0.05, 1, n_features))
    topic_of_feature = np.full(n_features, -1, dtype=np.int32)
    for topic_index, members in enumerate(features_of_topic):
        topic_of_feature[members] = topic_index
    angles = np.linspace(0, 2 * np.pi, len(TOPICS), endpoint=False)
    centers = np.stack([np.cos(angles), np.sin(angles)], axis=1) * 6.0
    xy = np.where(
        (topic_of_feature >= 0)[:, None],
        centers[np.maximum(topic_of_feature, 0)] + rng.normal(scale=0.8, size=(n_features, 2)),
        rng.uniform(-9, 9, size=(n_features, 2)),
    )
    top_tokens = np.array(
        [
            ", ".join(rng.choice(TOPIC_WORDS[topic_index] if topic_index >= 0 else FILLER, size=3, replace=False))
            for topic_index in topic_of_feature
        ],
        dtype=object,
    )
    active = (counts["train"] + counts["toxic"] + counts["benign"]) > 0
    table = pl.DataFrame(
        {
            "feature": np.arange(n_features, dtype=np.int32),
            "freq_train": frequency["train"],
            "freq_toxic": frequency["toxic"],
            "freq_benign": frequency["benign"],
            "mean_train": mean["train"],
            "mean_toxic": mean["toxic"],
            "mean_benign": mean["benign"],
            "toxic_log_odds": log_odds,
            "toxic_p": p_value,
            "toxic_q": np.minimum(p_value * 20.0, 1.0),
            "is_toxic": toxic_feature_mask,
            "x": xy[:, 0].astype(np.float32),
            "y": xy[:, 1].astype(np.float32),
            "cluster": topic_of_feature,
            "top_tokens": pl.Series(top_tokens, dtype=pl.String),
        }
    )
    return table.filter(pl.Series(active))


def _with_proximity_columns(features: pl.DataFrame, decoder: np.ndarray, toxic_feature_mask: np.ndarray) -> pl.DataFrame:
    """The pipeline's extra per-latent columns: cosine to the nearest toxic latent (1 for a
    toxic latent), which one it is, and a probe weight."""
    toxic = np.flatnonzero(toxic_feature_mask)
    rows = features["feature"].to_numpy()
    cosine = decoder[rows] @ decoder[toxic].T
    cosine[rows[:, None] == toxic[None, :]] = -np.inf  # a toxic latent's nearest is another one
    nearest = toxic[cosine.argmax(axis=1)]
    proximity = np.where(toxic_feature_mask[rows], 1.0, cosine.max(axis=1))
    return features.with_columns(
        pl.Series("toxic_proximity", proximity.astype(np.float64)),
        pl.Series("nearest_toxic_feature", nearest.astype(np.int32)),
        pl.Series("probe_weight", np.where(toxic_feature_mask[rows], 1.0, -0.1) * features["toxic_log_odds"].to_numpy()),
    )


def _sample_clusters_table(samples: pl.DataFrame, pooled_features: np.ndarray, n_features: int) -> pl.DataFrame:
    totals = samples.select(
        (pl.col("set") == "toxic").sum().alias("toxic"), (pl.col("set") != "toxic").sum().alias("rest")
    ).row(0, named=True)
    table = (
        samples.group_by("cluster")
        .agg(
            pl.len().cast(pl.Int64).alias("size"),
            (pl.col("set") == "train").sum().cast(pl.Int64).alias("n_train"),
            (pl.col("set") == "toxic").sum().cast(pl.Int64).alias("n_toxic"),
            (pl.col("set") == "benign").sum().cast(pl.Int64).alias("n_benign"),
        )
        .sort("cluster")
    )
    inside_rest = table["n_train"] + table["n_benign"]
    odds = ((table["n_toxic"] + 0.5) / (inside_rest + 0.5)) / (
        (totals["toxic"] - table["n_toxic"] + 0.5) / (totals["rest"] - inside_rest + 0.5)
    )
    cluster_ids = table["cluster"].to_numpy()
    top = []
    cluster_of_row = samples["cluster"].to_numpy()
    for cluster_id in cluster_ids:
        counts = np.bincount(pooled_features[cluster_of_row == cluster_id, :4].ravel(), minlength=n_features)
        top.append(np.argsort(-counts)[:5].astype(np.int32).tolist())
    p_value = np.where(odds.to_numpy() > 3, 1e-8, 0.5)
    return table.with_columns(
        (pl.col("n_toxic") / pl.col("size")).alias("toxic_share"),
        pl.Series("odds_ratio", odds.to_numpy()),
        pl.Series("p_value", p_value),
        pl.Series("q_value", np.minimum(p_value * len(cluster_ids), 1.0)),
        pl.Series("is_toxic_cluster", (odds.to_numpy() > 3) & (cluster_ids >= 0)),
        pl.Series("top_features", top, dtype=pl.List(pl.Int32)),
    )


def _feature_clusters_table(features: pl.DataFrame) -> pl.DataFrame:
    total_toxic = int(features["is_toxic"].sum())
    total = features.height
    table = (
        features.group_by("cluster")
        .agg(
            pl.len().cast(pl.Int64).alias("size"),
            pl.col("is_toxic").sum().cast(pl.Int64).alias("n_toxic_features"),
            pl.col("feature").sort_by("toxic_log_odds", descending=True).head(5).alias("top_features"),
        )
        .sort("cluster")
    )
    inside = table["n_toxic_features"].to_numpy()
    size = table["size"].to_numpy()
    odds = ((inside + 0.5) / (size - inside + 0.5)) / ((total_toxic - inside + 0.5) / (total - total_toxic - size + inside + 0.5))
    p_value = np.where(odds > 3, 1e-6, 0.6)
    return table.with_columns(
        (pl.col("n_toxic_features") / pl.col("size")).alias("toxic_share"),
        pl.Series("odds_ratio", odds),
        pl.Series("p_value", p_value),
        pl.Series("q_value", np.minimum(p_value * table.height, 1.0)),
        pl.Series("is_toxic_cluster", (odds > 3) & (table["cluster"].to_numpy() >= 0)),
        pl.col("top_features").cast(pl.List(pl.Int32)),
    ).select(
        "cluster", "size", "n_toxic_features", "toxic_share", "odds_ratio", "p_value", "q_value", "is_toxic_cluster", "top_features"
    )


def _activations_table(ids: pl.Series, pooled_features: np.ndarray, pooled_values: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": ids,
            "features": pl.Series(pooled_features).cast(pl.List(pl.Int32)),
            "values": pl.Series(pooled_values).cast(pl.List(pl.Float32)),
        }
    )


def _write_train_input(samples: pl.DataFrame, path: Path, with_labels: bool) -> dict[str, object]:
    columns = ["id", "prompt", "response", "category"] + (["label"] if with_labels else [])
    train = samples.filter(pl.col("set") == "train").select(columns)
    train.write_ndjson(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"format": "jsonl", "sha256": digest, "rows": train.height}


def _demo_cli(argv: list[str]) -> int:
    """Stand-in for `python -m analysis demo|build`: stage lines on stderr, path last on stdout."""
    parser = argparse.ArgumentParser(prog="python tests/synthetic.py")
    parser.add_argument("command", choices=["demo", "build"])
    parser.add_argument("--n-samples", type=int, default=int(os.environ.get("SYNTHETIC_SAMPLES", "600")))
    parser.add_argument("--name", default="synthetic")
    parser.add_argument("--fail", action="store_true", help="exit with an error after the first stage")
    parser.add_argument("--delay", type=float, default=float(os.environ.get("SYNTHETIC_DELAY", "0")))
    args, _unknown = parser.parse_known_args(argv)
    from analysis.artifacts.cache import default_cache_root

    stages = ["Reading inputs", "Extracting activations", "Training SAE", "Mapping samples", "Clustering", "Scoring", "Writing"]
    for index, stage in enumerate(stages, start=1):
        print(f"[{index}/{len(stages)}] {stage}", file=sys.stderr, flush=True)
        if args.fail and index == 2:
            print("error: synthetic failure requested", file=sys.stderr, flush=True)
            return 1
        time.sleep(args.delay)
    out = default_cache_root() / "analyses" / f"{args.name}-{uuid.uuid4().hex[:12]}"
    write_synthetic_analysis(out, args.n_samples)
    from analysis.cli.result import announce_result

    announce_result(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(_demo_cli(sys.argv[1:]))
