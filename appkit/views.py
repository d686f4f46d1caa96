"""View pieces several pages share: the sample detail pane and the explanation of a score."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from analysis.artifacts.folder import Analysis
from analysis.scoring.families import LATENT_FAMILIES
from appkit import nav, state
from appkit.cached import (
    analysis_at,
    batch_latents,
    feature_names,
    sample_tokens,
    score_label,
    scorer_at,
)
from appkit.findings import model_finding, packaged_sae_finding
from appkit.text import highlighted_html, token_activation, truncate_expr

EXPLANATION_COLUMNS = ("family", "feature", "activation", "contribution", "is_toxic", "top_tokens", "nearest_toxic_feature", "toxic_proximity")


@st.cache_resource(max_entries=512, show_spinner=False)
def explanation(path: str, sample_id: str, score: str) -> pl.DataFrame:
    """Why `sample_id` scores as it does, from the analysis' fitted scorer."""
    from analysis.use.explain import explain_sample

    return explain_sample(analysis_at(path), sample_id, score, scorer=scorer_at(path))


def explanation_table(table: pl.DataFrame, key: str) -> None:
    columns = [name for name in EXPLANATION_COLUMNS if name in table.columns]
    config = {
        "family": st.column_config.TextColumn("Score family"),
        "feature": st.column_config.NumberColumn("Feature", format="%d"),
        "activation": st.column_config.NumberColumn("Activation", format="%.3f"),
        "contribution": st.column_config.NumberColumn("Contribution to score", format="%.4f"),
        "is_toxic": st.column_config.CheckboxColumn("Toxic feature"),
        "top_tokens": st.column_config.TextColumn("Fires most on"),
        "nearest_toxic_feature": st.column_config.NumberColumn("Nearest toxic feature", format="%d"),
        "toxic_proximity": st.column_config.NumberColumn("Decoder cosine to it", format="%.2f"),
    }
    st.dataframe(table.select(columns), hide_index=True, width="stretch", column_config=config, key=key)


def sample_detail(analysis: Analysis, sample_id: str, score: str | None, key: str) -> None:
    """Full text with highlighted tokens, scores, explanation and nearest toxic references."""
    rows = analysis.samples.filter(pl.col("id") == sample_id)
    if rows.is_empty():
        st.warning("That sample is not in this analysis.")
        return
    row = rows.row(0, named=True)
    st.text(f"Sample {sample_id} · {row['set']} · cluster {'noise' if row['cluster'] == -1 else row['cluster']}")
    if score:
        value = row.get(score)
        train_scores = analysis.samples.filter(pl.col("set") == "train")[score].drop_nulls()
        higher = float((train_scores > value).mean()) if value is not None and train_scores.len() else None
        cols = st.columns(2)
        cols[0].metric(score_label(score), "n/a" if value is None else f"{value:.3f}")
        if higher is not None:
            cols[1].metric("Training rows scoring higher", f"{higher:.1%}")
    labels = {name: row[name] for name in analysis.label_columns if row.get(name) is not None}
    if labels:
        st.text(" · ".join(f"{name}: {value}" for name, value in labels.items()))

    table = explanation(str(analysis.path), sample_id, score or "score")
    names = feature_names(str(analysis.path))
    candidates = table["feature"].to_list()[:15] if "feature" in table.columns else []
    if candidates:
        preferred = _preferred_feature(table)
        chosen = st.selectbox(
            "Highlight tokens by feature",
            candidates,
            index=candidates.index(preferred) if preferred in candidates else 0,
            format_func=lambda feature: names.get(feature, str(feature)),
            key=f"{key}_highlight",
        )
        tokens = sample_tokens(str(analysis.path), sample_id)
        if tokens.is_empty():
            st.code(row["text"], language=None, wrap_lines=True)
        else:
            st.html(highlighted_html(row["text"], token_activation(tokens, int(chosen))))
        if st.button("Show this feature on the feature map", key=f"{key}_goto_feature", icon=":material/hub:"):
            st.session_state[state.FEATURE] = int(chosen)
            nav.go("features")
    else:
        st.code(row["text"], language=None, wrap_lines=True)
    with st.expander("Plain text (prompt and response)"):
        if row.get("prompt") is not None or row.get("response") is not None:
            st.caption("Prompt")
            st.code(row.get("prompt") or "", language=None, wrap_lines=True)
            st.caption("Response")
            st.code(row.get("response") or "", language=None, wrap_lines=True)
        else:
            st.code(row["text"], language=None, wrap_lines=True)

    st.markdown("**Why it scores this way**")
    if score:
        st.caption(f"Features that drive {score_label(score)} for this sample, largest contribution first.")
    if table.is_empty():
        st.caption("This score is not made of SAE features (it compares the model's hidden states or the words of the text): its nearest toxic references below explain it.")
    if row["set"] != "train":
        st.caption("Reference rows are scored out of fold; this explanation comes from the scorer fitted on every reference row.")
    explanation_table(table, key=f"{key}_explanation")

    nearest_toxic_table(nearest_toxic(analysis, row), key)


def batch_detail(analysis: Analysis, run: Any, row_id: str, key: str) -> None:
    """One row of a monitored batch: its text (never as markup), scores, the latents behind its
    score, its nearest toxic references and the analysis rows it was placed among."""
    from analysis.scoring.families import FAMILIES

    rows = run.scores.filter(pl.col("id") == row_id)
    if rows.is_empty():
        st.warning("That row is not in this batch.")
        return
    row = rows.row(0, named=True)
    st.text(f"Batch row {row_id}" + (f" · near toxic cluster {row['nearest_toxic_cluster']}" if (row.get("nearest_toxic_cluster") or -1) >= 0 else ""))
    cols = st.columns(3)
    value = row.get("score")
    cols[0].metric("Default score", "n/a" if value is None else f"{value:.3f}")
    percentile = row.get("train_percentile")
    cols[1].metric("Training percentile", "n/a" if percentile is None else f"{percentile:.1%}", help="Share of training rows scoring lower.")
    cols[2].metric("Above the training cut", "yes" if row.get("above_cut") else "no")
    labels = {name: row[name] for name in analysis.label_columns if row.get(name) is not None}
    if labels:
        st.text(" · ".join(f"{name}: {item}" for name, item in labels.items()))
    st.code(row["text"], language=None, wrap_lines=True)
    if row.get("prompt") is not None or row.get("response") is not None:
        with st.expander("Plain text (prompt and response)"):
            st.caption("Prompt")
            st.code(row.get("prompt") or "", language=None, wrap_lines=True)
            st.caption("Response")
            st.code(row.get("response") or "", language=None, wrap_lines=True)
    with st.expander("Every score family"):
        families = [name for name in FAMILIES if name in row]
        st.dataframe(
            pl.DataFrame({"score": [score_label(name) for name in families], "value": [row[name] for name in families]}, schema={"score": pl.String, "value": pl.Float64}),
            hide_index=True,
            width="stretch",
            key=f"{key}_families",
        )

    st.markdown("**Why it scores this way**")
    latents = batch_latents(str(analysis.path), str(run.path), row_id)
    if latents is None:
        st.caption("This monitor folder keeps no SAE codes of its rows, and the row is not among its reported drivers.")
    elif latents.is_empty():
        st.caption("No SAE feature adds to this score for this row (or the default score is not made of SAE features): its nearest toxic references below explain it.")
    else:
        st.caption(f"Features that drive {score_label('score')} ({run.report['analysis']['default_score']}) for this row, from the analysis' fitted scorer.")
        one_family = latents["family"].n_unique() == 1
        explanation_table(latents.drop("family") if one_family else latents, key=f"{key}_explanation")

    nearest_toxic_table(nearest_toxic(analysis, row), key)
    neighbours = [str(item) for item in (row.get("map_neighbor_ids") or [])]
    if neighbours:
        with st.expander("The analysis rows it was placed among on the map"):
            order = pl.DataFrame({"id": neighbours}).with_row_index("rank")
            table = order.join(analysis.samples.select("id", "set", "cluster", truncate_expr("text", 160)), on="id", how="left").sort("rank").drop("rank")
            st.dataframe(table, hide_index=True, width="stretch", key=f"{key}_neighbours")


def _preferred_feature(table: pl.DataFrame) -> int | None:
    """The feature to highlight first: the largest contributor, else the strongest toxic one."""
    if table.is_empty():
        return None
    if "contribution" in table.columns and table["contribution"].drop_nulls().len():
        return int(table.sort("contribution", descending=True, nulls_last=True)["feature"][0])
    if "is_toxic" in table.columns:
        toxic = table.filter(pl.col("is_toxic").fill_null(False))
        if not toxic.is_empty():
            return int(toxic["feature"][0])
    return int(table["feature"][0])


def nearest_toxic(analysis: Analysis, row: dict) -> pl.DataFrame:
    ids = row.get("nearest_toxic_ids") or []
    sims = row.get("nearest_toxic_sims") or []
    if not ids:
        return pl.DataFrame()
    pairs = pl.DataFrame({"id": [str(item) for item in ids], "similarity": [float(value) for value in sims][: len(ids)]})
    texts = analysis.samples.filter(pl.col("id").is_in(pairs["id"].implode())).select("id", "cluster", truncate_expr("text", 200))
    return pairs.join(texts, on="id", how="left", maintain_order="left").select("id", "similarity", "cluster", "text")


# What the leave-one-task-out benchmark found for each model it covered (bench/RESULTS.md,
# section 1); shown beside every analysis of that model, and the general finding beside others.
def benchmark_finding(model: str | None) -> str:
    """What the benchmark found for this analysis' model (appkit.findings, from the
    benchmark's own output), or the note for a model it did not cover."""
    return model_finding(model)


def reference_diagnostics(diagnostics: dict | None, model: str | None = None, sae_source: str | None = None) -> None:
    """The manifest's reference figures: warnings, per-family toxic-vs-benign separation of the
    (cross-fitted) reference rows, how close the references lie to the training rows, and the
    permutation test of decoder proximity; what the benchmark found for the model, and for the
    packaged SAE when the analysis reads it."""
    if not diagnostics:
        st.info("This analysis was built before reference diagnostics existed: rebuild it to see them.")
        return
    for warning in diagnostics.get("warnings", []):
        st.warning(warning)
    separation = {name: value for name, value in diagnostics.get("reference_separation_auroc", {}).items() if value is not None}
    dense = separation.get("score_dense_knn")
    # SAE families only: the word-level and dense difference-of-means families use no SAE either
    sae_best = max((value for name, value in separation.items() if name in LATENT_FAMILIES), default=None)
    if dense is not None and sae_best is not None and sae_best <= dense:
        st.warning(
            f"On this analysis' references no SAE-based score separates toxic from benign rows better than the dense "
            f"kNN on the model's own hidden states (AUROC {dense:.3f} vs best SAE family {sae_best:.3f}): "
            "here the SAE geometry adds nothing measurable to the dense signal."
        )
    st.info(benchmark_finding(model))
    if sae_source == "packaged":
        st.info(packaged_sae_finding())
    with st.expander("Reference diagnostics", expanded=bool(diagnostics.get("warnings"))):
        if separation:
            table = pl.DataFrame({"score": [score_label(n) for n in separation], "auroc": list(separation.values())})
            st.dataframe(
                table.sort("auroc", descending=True),
                hide_index=True,
                column_config={
                    "score": st.column_config.TextColumn("Score"),
                    "auroc": st.column_config.NumberColumn("Toxic vs benign reference AUROC (out of fold)", format="%.3f"),
                },
            )
        lines = []
        share = diagnostics.get("train_nearest_reference_is_toxic")
        if share is not None:
            lines.append(f"- {100 * share:.1f}% of training rows have a toxic row as their nearest reference row.")
        for name, overlap in (diagnostics.get("overlap") or {}).items():
            if overlap:
                lines.append(
                    f"- {100 * overlap['share_nearest_is_training']:.1f}% of {name}-reference rows have a training row as nearest "
                    f"neighbour ({100 * overlap['share_if_mixed']:.0f}% if the sets were mixed)."
                )
        test = diagnostics.get("superposition_test") or {}
        if test.get("z") is not None:
            lines.append(
                f"- Decoder geometry: the training rows' non-toxic latents are at mean cosine {test['observed']:.3f} from the toxic "
                f"latents, {test['null_mean']:.3f} for random latent sets of the same size and frequency (z = {test['z']:.2f}, "
                f"permutation p = {test['p']:.3g}, {test['draws']} draws)."
            )
        if lines:
            st.markdown("\n".join(lines))


def nearest_toxic_table(nearest: pl.DataFrame, key: str) -> None:
    """A row's nearest toxic-reference samples with their cosine similarity (text as plain text)."""
    if nearest.is_empty():
        return
    st.markdown("**Nearest toxic-reference samples**")
    st.dataframe(
        nearest,
        hide_index=True,
        width="stretch",
        column_config={
            "similarity": st.column_config.ProgressColumn("Cosine similarity", min_value=0.0, max_value=1.0, format="%.2f"),
            "text": st.column_config.TextColumn("Text"),
        },
        key=f"{key}_nearest",
    )
