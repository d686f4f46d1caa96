"""Ask a fitted analysis about any text: its scores, where it sits among the training rows and on
the map, its nearest rows and the latents behind its score.

Nothing is refitted: a text is read by the analysis' own model and SAE, scored by its fitted
scorer and placed on its map as `analysis.use.new_rows` does it for `monitor`; the model and
SAE load once per `QueryEngine` and serve every later query.

Each answer is a plain dict, ready for `json.dumps` (NaN as None):

| key | what |
|---|---|
| `id` | the row's `id` field, else a hash of its text (as the build names rows) |
| `text` | the text the model read |
| `score` | the analysis' default score (manifest `default_score`, named in `score_spec`), computed as the build computes it for its training rows (a rank average against the training rows the scorer was calibrated on) |
| `scores` | every score family the analysis scores (the self-contrast ones only for an analysis built with `--self-contrast`) |
| `percentile` | 0-100: the share of training rows whose `score` is below this one (ties count half) |
| `x`, `y` | its place on the sample map: the map's UMAP is not kept, so the text sits at the similarity-weighted mean position of its `MAP_NEIGHBORS` nearest analysis rows (cosine on unit SAE codes) |
| `nearest` | `{"train": [...], "toxic": [...], "benign": [...]}`: the `NEAREST_PER_SET` most similar rows of each set, `{"id", "similarity"}`, best first (cosine on unit SAE codes) |
| `latents` | the latents behind the score: family, feature, activation, contribution, is_toxic, top_tokens (`analysis.use.explain.row_latents`; `score_self_contrast_latents` against the model's own answer); a score without a latent family (the dense and word kNN pair) is explained by `score_knn`, its counterpart in SAE space |
| `active_latents` | the text's own strongest latents, whatever the score: its `TOP_ACTIVE` largest pooled SAE activations, `{"feature", "activation", "is_toxic", "top_tokens"}`, largest first (how the Feature map finds latents by a phrase) |
| `own_response` | only for an analysis built with `--self-contrast`: the chat model's own answer to the text's prompt, which the self-contrast families are taken against; None for a text without a prompt (its self-contrast families are None too) |

A plain string is read whole, every token pooled. An analysis built from prompt/response rows
pools the response tokens only (`pool_tokens`); to read a text as the build read such a row,
pass a mapping `{"prompt": ..., "response": ...}` (or a file with those columns). On an
analysis built with `--self-contrast` such a text's prompt is also answered by the chat model
itself (greedy, cached like the build's answers) before it is scored.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis.artifacts.folder import SETS, Analysis
from analysis.artifacts.inputs import records_frame
from analysis.scoring.drift import Thresholds
from analysis.scoring.families import LATENT_FAMILIES, score_components, scored_families
from analysis.scoring.scorer import ToxicProximity
from analysis.similarity import top_k_similarity, unit_rows
from analysis.use.explain import load_scorer, own_answer_codes, row_latents
from analysis.use.formatting import flat_text, json_safe, number
from analysis.use.new_rows import (
    analysis_codes,
    load_extractor,
    score_new_rows,
    train_percentile,
    train_scores,
)

NEAREST_PER_SET = 5
TOP_LATENTS = 10
TOP_ACTIVE = 20
MAP_NEIGHBORS = Thresholds().map_neighbors  # as monitor places a batch
# A score made of no latent family is explained by the SAE-space counterpart of its kNN families.
FALLBACK_EXPLANATION = "score_knn"


@dataclass
class _AnalysisSpace:
    """What every query compares against, computed once per engine."""

    codes: Any  # [analysis rows, d_sae] CSR, samples.parquet order
    unit_by_set: dict[str, tuple[Any, np.ndarray]]  # set -> (unit codes of its rows, their ids)
    train_scores: np.ndarray


@dataclass(eq=False)
class QueryEngine:
    """One analysis with its scorer, model and SAE loaded, answering queries (see the module docstring)."""

    analysis: Analysis
    scorer: ToxicProximity
    extractor: Any  # `AnalysisExtractor` or a stand-in with `d_sae` and `extract(samples, progress)`
    load_seconds: float = 0.0  # how long loading the model and SAE took

    @classmethod
    def load(cls, analysis: Analysis | str | Path, device: str | None = None, extractor: Any | None = None) -> QueryEngine:
        """The engine of `analysis` (a folder or an open `Analysis`); raises `AnalysisNotFound`."""
        opened = analysis if isinstance(analysis, Analysis) else Analysis.open(analysis)
        scorer = load_scorer(opened)
        started = time.perf_counter()
        extractor = extractor if extractor is not None else load_extractor(opened, device)
        return cls(opened, scorer, extractor, time.perf_counter() - started)

    @cached_property
    def _space(self) -> _AnalysisSpace:
        codes = analysis_codes(self.analysis, self.extractor.d_sae)
        unit = unit_rows(codes).tocsr()
        sets = self.analysis.samples["set"].to_numpy()
        ids = self.analysis.samples["id"].to_numpy().astype(str)
        by_set = {name: (unit[sets == name], ids[sets == name]) for name in SETS}
        return _AnalysisSpace(codes, by_set, train_scores(self.analysis))

    def query(self, texts: str | Mapping[str, Any] | Iterable[str | Mapping[str, Any]]) -> list[dict[str, Any]]:
        """One answer per text (a string, or a mapping in a layout the build reads); raises
        `InputError` naming the row for a blank or malformed one."""
        if isinstance(texts, str | Mapping):
            texts = [texts]
        return self.query_rows(records_frame(texts))

    def query_rows(self, rows: pl.DataFrame) -> list[dict[str, Any]]:
        """One answer per row of a normalised table (`records_frame`, `load_table(...).frame`)."""
        samples = rows.select(pl.format("query-{}", pl.int_range(pl.len())).alias("id"), "text", "response_start")
        extracted = self.extractor.extract(samples, progress=False)
        space = self._space
        scored = score_new_rows(self.analysis, self.scorer, rows["text"].to_numpy(), extracted, space.codes, MAP_NEIGHBORS)
        percentiles = 100.0 * train_percentile(np.asarray(scored.score, dtype=np.float64), space.train_scores)
        nearest = self._nearest(unit_rows(extracted.codes).tocsr())
        ids = samples["id"].to_list()
        latents = self._latents(extracted.activations, ids, scored.spec, scored.own)
        active = self._active_latents(extracted.activations, ids)
        families = scored_families(scored.families.columns)
        own_response = dict(zip(scored.own["id"].to_list(), scored.own["response"].to_list(), strict=True)) if scored.own is not None else None
        answers = []
        for index, row in enumerate(rows.select("id", "text").iter_rows(named=True)):
            answer = {
                "id": row["id"],
                "text": row["text"],
                "score_spec": scored.spec,
                "score": float(scored.score[index]),
                "scores": {family: float(scored.families[family][index]) for family in families},
                "percentile": float(percentiles[index]),
                "x": float(scored.xy[index, 0]),
                "y": float(scored.xy[index, 1]),
                "nearest": {name: found[index] for name, found in nearest.items()},
                "latents": latents[index],
                "active_latents": active[index],
            }
            if own_response is not None:
                answer["own_response"] = own_response.get(ids[index])
            answers.append(answer)
        return [json_safe(answer) for answer in answers]

    def _nearest(self, unit: Any) -> dict[str, list[list[dict[str, Any]]]]:
        """Per set, per query row: its `NEAREST_PER_SET` most similar rows of the set, best first."""
        found: dict[str, list[list[dict[str, Any]]]] = {}
        for name, (references, ids) in self._space.unit_by_set.items():
            if references.shape[0] == 0:
                found[name] = [[] for _ in range(unit.shape[0])]
                continue
            _, rows, sims = top_k_similarity(unit, references, NEAREST_PER_SET)
            found[name] = [
                [{"id": str(ids[r]), "similarity": float(s)} for r, s in zip(row, sim, strict=True)] for row, sim in zip(rows, sims, strict=True)
            ]
        return found

    def _active_latents(self, activations: pl.DataFrame, ids: list[str]) -> list[list[dict[str, Any]]]:
        """Per query row (in `ids` order): its `TOP_ACTIVE` largest pooled activations, with what
        the analysis knows of each latent (a latent no analysis row fired has no tokens)."""
        known = self.analysis.features.select("feature", "is_toxic", "top_tokens")
        codes = {row["id"]: row for row in activations.select("id", "features", "values").iter_rows(named=True)}
        answers = []
        for sample_id in ids:
            code = codes.get(sample_id) or {"features": None, "values": None}
            features, values = np.asarray(code["features"] or [], dtype=np.int64), np.asarray(code["values"] or [], dtype=np.float64)
            order = np.argsort(-values, kind="stable")[:TOP_ACTIVE]
            strongest = pl.DataFrame({"feature": features[order], "activation": values[order]}, schema={"feature": known.schema["feature"], "activation": pl.Float64})
            joined = strongest.join(known, on="feature", how="left", maintain_order="left").with_columns(pl.col("is_toxic").fill_null(False))
            answers.append(joined.to_dicts())
        return answers

    def _latents(self, activations: pl.DataFrame, ids: list[str], spec: str, own: pl.DataFrame | None = None) -> list[list[dict[str, Any]]]:
        """Per query row (in `ids` order): the latents behind `spec`, or behind the fallback family
        (`own`: the model's own answers, which `score_self_contrast_latents` is taken against)."""
        explained = spec if any(name in LATENT_FAMILIES for name in score_components(spec)) else FALLBACK_EXPLANATION
        codes = {row["id"]: row for row in activations.select("id", "features", "values").iter_rows(named=True)}
        empty = {"features": None, "values": None}
        answers = []
        for sample_id in ids:
            code = codes.get(sample_id, empty)
            own_codes = own_answer_codes(own, sample_id) if own is not None else None
            latents = row_latents(self.scorer, explained, self.analysis.features, code["features"], code["values"], TOP_LATENTS, own_codes)
            answers.append(latents.to_dicts())
        return answers


# ---------------------------------------------------------------- the readable summary


def visible(text: str) -> str:
    """`text` with control and format characters written as escapes (`\\x1b`), so that printing
    data text can never move the cursor, recolour a terminal or hide a part of itself."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else ch.encode("unicode_escape").decode("ascii") for ch in text)


def format_answer(answer: dict[str, Any], position: int, text_chars: int = 300) -> str:
    """A few plain lines about one answer, for a terminal (data text as plain, escaped text)."""
    lines = [
        f"[{position}] {visible(flat_text(answer['text'], text_chars))}",
        f"    score {number(answer['score'])} ({answer['score_spec']}): percentile {number(answer['percentile'], '{:.1f}')} of the training rows",
        f"    map: x {number(answer['x'], '{:.3f}')}, y {number(answer['y'], '{:.3f}')} (placed among its {MAP_NEIGHBORS} nearest analysis rows)",
    ]
    if "own_response" in answer:  # an analysis built with --self-contrast
        own = answer["own_response"]
        lines.append(f"    the model's own answer: {visible(flat_text(own, text_chars)) if own is not None else 'none (the text has no prompt)'}")
    for name, rows in answer["nearest"].items():
        shown = ", ".join(f"{visible(row['id'])} ({number(row['similarity'], '{:.3f}')})" for row in rows) or "none"
        lines.append(f"    nearest {name}: {shown}")
    if answer["latents"]:
        lines.append("    latents behind the score:")
        for latent in answer["latents"]:
            tokens = visible(flat_text(latent.get("top_tokens") or "", 60))
            toxic = " toxic" if latent.get("is_toxic") else ""
            lines.append(f"      {latent['family']} #{latent['feature']}{toxic}: +{number(latent['contribution'])} [{tokens}]")
    else:
        lines.append("    latents behind the score: none with a positive contribution")
    families = ", ".join(f"{name.removeprefix('score_')} {number(value)}" for name, value in answer["scores"].items())
    lines.append(f"    families: {families}")
    return "\n".join(lines)
