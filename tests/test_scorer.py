"""The fitted scorer: save/load, out-of-fold reference rows, the permutation null, combinations."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import pytest
import scipy.sparse as sp

from analysis.config import ProximityConfig
from analysis.scoring.crossfit import cross_fit
from analysis.scoring.diagnostics import superposition_test
from analysis.scoring.families import (
    FAMILIES,
    LABELS,
    SELF_CONTRAST_FAMILIES,
    score_components,
    score_label,
)
from analysis.scoring.scorer import FitRows, ToxicProximity
from analysis.scoring.statistics import comparison_set
from analysis.scoring.superposition import frequency_matched_sets
from analysis.similarity import (
    knn_contrast,
    mid_rank_percentile,
    top_k_similarity,
    unit_rows,
)

D_SAE, D_IN, D_DENSE = 160, 24, 16
# What a scorer gives rows without the model's own answers (no --self-contrast): every family
# but the self-contrast ones (tests/test_self_contrast.py has those).
WITHOUT_OWN_ANSWERS = [name for name in FAMILIES if name not in SELF_CONTRAST_FAMILIES]


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def random_rows(seed: int = 0, n_train: int = 240, n_toxic: int = 60, n_benign: int = 60, toxic_boost: float = 0.6, directions=None) -> FitRows:
    """Random sparse codes; toxic rows fire latents 0-11 more often (so toxic latents exist)."""
    rng = np.random.default_rng(seed)
    sets = np.array(["train"] * n_train + ["toxic"] * n_toxic + ["benign"] * n_benign)
    n = len(sets)
    rows, cols, vals = [], [], []
    for i, name in enumerate(sets):
        latents = set(rng.choice(D_SAE, size=10, replace=False).tolist())
        if name == "toxic":
            latents |= {int(f) for f in np.flatnonzero(rng.random(12) < toxic_boost)}
        for f in latents:
            rows.append(i)
            cols.append(f)
            vals.append(rng.gamma(2.0, 1.0))
    codes = sp.csr_matrix((vals, (rows, cols)), shape=(n, D_SAE), dtype=np.float32)
    dense = rng.normal(size=(n, D_DENSE)).astype(np.float32)
    dense[sets == "toxic", 0] += 2.0
    if directions is None:
        directions = _unit(rng.normal(size=(D_SAE, D_IN))).astype(np.float32)
    words = np.array(["harm", "attack", "poison", "kind", "help", "garden", "code", "tea"])
    texts = np.array([" ".join(rng.choice(words[:3] if name == "toxic" else words, size=8)) for name in sets], dtype=object)
    return FitRows(
        codes=codes,
        dense=dense,
        texts=texts,
        sets=sets,
        ids=np.array([f"r{i:04d}" for i in range(n)], dtype=object),
        clusters=rng.integers(-1, 4, size=n),
        decoder_features=np.arange(D_SAE, dtype=np.int32),
        decoder_directions=directions,
    )


CONFIG = ProximityConfig(default_score="rank_mean:score_knn+score_toxic_activation", null_draws=32, min_toxic_count=3)


def test_saved_scorer_reloads_to_identical_scores(tmp_path):
    rows = random_rows()
    result = cross_fit(rows, CONFIG)
    result.scorer.save(tmp_path / "scorer")
    loaded = ToxicProximity.load(tmp_path / "scorer")
    assert not list(tmp_path.glob("scorer/*.pkl"))
    first, second = result.scorer.score(rows.codes, rows.dense, rows.texts), loaded.score(rows.codes, rows.dense, rows.texts)
    for name in WITHOUT_OWN_ANSWERS:
        np.testing.assert_array_equal(first[name].to_numpy(), second[name].to_numpy(), err_msg=name)
    assert first["nearest_toxic_ids"].to_list() == second["nearest_toxic_ids"].to_list()
    np.testing.assert_array_equal(result.scorer.combine(first, CONFIG.default_score), loaded.combine(second, CONFIG.default_score))


def test_training_rows_get_the_full_scorer_and_score_is_the_default():
    rows = random_rows()
    result = cross_fit(rows, CONFIG)
    train = rows.sets == "train"
    direct = result.scorer.score(rows.codes[train], rows.dense[train], rows.texts[train])
    for name in WITHOUT_OWN_ANSWERS:
        np.testing.assert_allclose(result.scores.filter(pl.Series(train))[name].to_numpy(), direct[name].to_numpy(), err_msg=name)
    expected = result.scorer.combine(direct, CONFIG.default_score)
    np.testing.assert_allclose(result.scores.filter(pl.Series(train))["score"].to_numpy(), expected)


@pytest.mark.parametrize("row", [245, 305])  # a toxic and a benign reference row
def test_a_reference_rows_score_does_not_depend_on_its_own_label(row):
    rows = random_rows()
    flipped_sets = rows.sets.copy()
    flipped_sets[row] = "benign" if rows.sets[row] == "toxic" else "toxic"
    flipped = FitRows(rows.codes, rows.dense, rows.texts, flipped_sets, rows.ids, rows.clusters, rows.decoder_features, rows.decoder_directions)
    original = cross_fit(rows, CONFIG).scores.row(row, named=True)
    relabelled = cross_fit(flipped, CONFIG).scores.row(row, named=True)
    for name in WITHOUT_OWN_ANSWERS:
        assert original[name] == pytest.approx(relabelled[name], nan_ok=True), name


def test_in_sample_scoring_would_depend_on_the_label():
    """The control for the test above: the scorer fitted on every row does see the label."""
    rows = random_rows()
    row = 245
    flipped_sets = rows.sets.copy()
    flipped_sets[row] = "benign"
    flipped = FitRows(rows.codes, rows.dense, rows.texts, flipped_sets, rows.ids, rows.clusters, rows.decoder_features, rows.decoder_directions)
    before = ToxicProximity(CONFIG).fit(rows).score(rows.codes[[row]], rows.dense[[row]], rows.texts[[row]])
    after = ToxicProximity(CONFIG).fit(flipped).score(rows.codes[[row]], rows.dense[[row]], rows.texts[[row]])
    assert before["score_knn"][0] != pytest.approx(after["score_knn"][0])


def test_null_gives_z_about_zero_when_decoder_geometry_is_random():
    zs = []
    for seed in range(4):
        rows = random_rows(seed=seed)
        scorer = ToxicProximity(CONFIG).fit(rows)
        assert len(scorer.toxic_latents_) > 0
        test = superposition_test(scorer, rows.codes[rows.sets == "train"])
        zs.append(test["z"])
        per_sample = scorer.score(rows.codes, rows.dense, rows.texts)["score_superposition_z"].to_numpy()
        assert abs(float(np.mean(per_sample))) < 0.6
    assert abs(float(np.mean(zs))) < 1.5 and max(abs(z) for z in zs) < 3.5


def test_null_detects_latents_that_lie_near_the_toxic_ones():
    rng = np.random.default_rng(1)
    directions = _unit(rng.normal(size=(D_SAE, D_IN)))
    # latents 12-40, common in every set, point almost along toxic latents 0-11
    directions[12:40] = _unit(directions[np.arange(12, 40) % 12] + 0.15 * rng.normal(size=(28, D_IN)))
    rows = random_rows(seed=1, directions=directions.astype(np.float32))
    scorer = ToxicProximity(CONFIG).fit(rows)
    test = superposition_test(scorer, rows.codes[rows.sets == "train"])
    assert test["z"] > 3 and test["p"] < 0.05


def test_frequency_matched_sets_match_size_and_frequency_profile():
    rng = np.random.default_rng(0)
    frequency = rng.random(500)
    chosen = np.argsort(-frequency)[:20]  # the most frequent latents
    masks = frequency_matched_sets(frequency, chosen, draws=10, seed=0)
    assert (masks.sum(axis=1) == 20).all()
    assert not masks[:, chosen].any()
    assert frequency[masks[0]].mean() > np.quantile(frequency, 0.8)


def test_paper_family_uses_the_top_n_latents():
    rows = random_rows()
    scorer = ToxicProximity(ProximityConfig(paper_top_n=5, null_draws=4)).fit(rows)
    assert len(scorer.paper_latents_) == 5
    wide = ToxicProximity(ProximityConfig(paper_top_n=100, null_draws=4)).fit(rows)
    assert set(scorer.paper_latents_) <= set(wide.paper_latents_)


def test_rank_mean_is_the_mean_percentile_and_skips_an_empty_component():
    rows = random_rows(n_benign=0)
    config = ProximityConfig(default_score="rank_mean:score_knn+score_probe", null_draws=4)
    result = cross_fit(rows, config)
    train = result.scores.filter(pl.Series(rows.sets == "train"))
    assert train["score_probe"].is_nan().all()  # no benign reference: no probe
    knn = train["score_knn"].to_numpy()
    expected = (np.argsort(np.argsort(knn)) + 0.5) / len(knn)
    np.testing.assert_allclose(train["score"].to_numpy(), expected, atol=1e-9)


def test_score_specs_are_checked():
    assert score_components("score_knn") == ("score_knn",)
    assert score_components("rank_mean:score_knn+score_probe") == ("score_knn", "score_probe")
    for bad in ("score_nope", "rank_mean:score_knn", "rank_mean:score_knn+nope"):
        with pytest.raises(ValueError, match=f"unknown score {re.escape(repr(bad))}"):
            score_components(bad)


def test_lexical_family_matches_the_tfidf_baseline_on_training_rows():
    """The word-level family is the TF-IDF kNN baseline, fitted once and applied to any rows."""
    from analysis.scoring.baselines import tfidf_knn_scores

    rows = random_rows()
    scorer = ToxicProximity(CONFIG).fit(rows)
    train = rows.sets == "train"
    ours = scorer.score(rows.codes[train], rows.dense[train], rows.texts[train])["score_lexical_knn"].to_numpy()
    baseline = tfidf_knn_scores(
        rows.texts[train].tolist(), rows.texts[rows.sets == "toxic"].tolist(), rows.texts[rows.sets == "benign"].tolist()
    )
    np.testing.assert_allclose(ours, baseline, atol=1e-5)


def test_every_family_and_the_default_score_have_a_label():
    assert set(FAMILIES) | {"score"} == set(LABELS)
    assert score_label("score") == "default score"
    assert score_label("score_some_new_family") == "some new family"


def test_mid_rank_percentile_counts_ties_half_and_keeps_nan():
    reference = np.array([1.0, 2.0, 2.0, 3.0])
    values = np.array([0.0, 2.0, 3.0, 9.0, np.nan])
    np.testing.assert_array_equal(mid_rank_percentile(reference, values), [0.0, 0.5, 0.875, 1.0, np.nan])
    assert np.isnan(mid_rank_percentile(np.zeros(0), np.array([1.0, 2.0]))).all()


def test_knn_contrast_is_toxic_minus_benign_or_toxic_alone():
    rng = np.random.default_rng(0)
    queries, toxic, benign = (unit_rows(rng.normal(size=(n, 8))) for n in (30, 12, 9))
    to_toxic, nearest, sims = top_k_similarity(queries, toxic, 4)
    contrast, contrast_nearest, contrast_sims = knn_contrast(queries, toxic, benign, 4)
    np.testing.assert_array_equal(contrast, to_toxic - top_k_similarity(queries, benign, 4)[0])
    np.testing.assert_array_equal(contrast_nearest, nearest)
    np.testing.assert_array_equal(contrast_sims, sims)
    np.testing.assert_array_equal(knn_contrast(queries, toxic, None, 4)[0], to_toxic)


def test_a_search_against_many_rows_holds_a_bounded_block_and_finds_the_same_neighbours(monkeypatch):
    """The queries are taken in blocks whose similarities fit BLOCK_SIMILARITIES, whatever the
    number of references (memory flat in rows); blocks change nothing in what is found."""
    from analysis import similarity

    for n_references in (10, 5_000, 100_000, 10_000_000):
        assert similarity.query_block_rows(n_references) * n_references <= max(similarity.BLOCK_SIMILARITIES, n_references)
    rng = np.random.default_rng(1)
    queries, references = unit_rows(rng.normal(size=(50, 6))), unit_rows(rng.normal(size=(40, 6)))
    whole = top_k_similarity(queries, references, 3, chunk=50)
    monkeypatch.setattr(similarity, "BLOCK_SIMILARITIES", 7 * 40)  # blocks of 7 queries
    assert similarity.query_block_rows(40) == 7
    for found, expected in zip(top_k_similarity(queries, references, 3), whole, strict=True):
        np.testing.assert_array_equal(found, expected)


def test_without_benign_rows_toxic_latents_are_contrasted_with_the_training_rows():
    rows = random_rows(n_benign=0)
    scorer = ToxicProximity(ProximityConfig(null_draws=4)).fit(rows)
    assert scorer.comparison_ == comparison_set(rows.sets) == "train"
    assert comparison_set(random_rows().sets) == "benign"


# ---------------------------------------------------------------- the contrast-direction families

PLANTED_UP, PLANTED_DOWN = np.arange(0, 6), np.arange(6, 12)  # latents that grow with a > 0 / a < 0


def planted_rows(seed: int = 0, n_train: int = 300, n_toxic: int = 200, n_benign: int = 200) -> tuple[FitRows, np.ndarray, np.ndarray, np.ndarray]:
    """Rows built as noise + a * (a known direction): toxic references a in [1, 3], benign ones
    a in [-3, -1], training rows a in [-3, 3]. Dense rows: 0.3 * normal noise + a * u. SAE codes:
    sparse, non-negative: a few background latents (20-159) plus latents 0-5 at 2 * a when
    a > 0 and latents 6-11 at -2 * a when a < 0, so the planted code direction is +1 on 0-5, -1 on 6-11.
    Returns the rows, a, u and the planted unit code direction."""
    rng = np.random.default_rng(seed)
    sets = np.array(["train"] * n_train + ["toxic"] * n_toxic + ["benign"] * n_benign)
    n = len(sets)
    a = np.where(sets == "toxic", rng.uniform(1, 3, n), np.where(sets == "benign", rng.uniform(-3, -1, n), rng.uniform(-3, 3, n)))
    u = _unit(rng.normal(size=(1, D_DENSE)))[0]
    dense = (0.3 * rng.normal(size=(n, D_DENSE)) + a[:, None] * u).astype(np.float32)
    rows, cols, vals = [], [], []
    for i in range(n):
        background = rng.choice(np.arange(20, D_SAE), size=8, replace=False)
        planted = PLANTED_UP if a[i] > 0 else PLANTED_DOWN
        for f, v in [*zip(background, 0.3 * rng.gamma(2.0, 1.0, size=8), strict=True), *((f, 2.0 * abs(a[i])) for f in planted)]:
            rows.append(i)
            cols.append(int(f))
            vals.append(v)
    codes = sp.csr_matrix((vals, (rows, cols)), shape=(n, D_SAE), dtype=np.float32)
    code_direction = np.zeros(D_SAE)
    code_direction[PLANTED_UP], code_direction[PLANTED_DOWN] = 1.0, -1.0
    words = np.array(["harm", "attack", "kind", "help", "garden", "tea"])
    fit_rows = FitRows(
        codes=codes,
        dense=dense,
        texts=np.array([" ".join(rng.choice(words, size=6)) for _ in range(n)], dtype=object),
        sets=sets,
        ids=np.array([f"p{i:04d}" for i in range(n)], dtype=object),
        clusters=rng.integers(-1, 3, size=n),
        decoder_features=np.arange(D_SAE, dtype=np.int32),
        decoder_directions=_unit(rng.normal(size=(D_SAE, D_IN))).astype(np.float32),
    )
    return fit_rows, a, u, code_direction / np.linalg.norm(code_direction)


CONTRAST = ("score_contrast_direction", "score_contrast_latents")


@pytest.mark.parametrize("n_benign", [200, 0])
def test_contrast_families_find_a_planted_direction_and_rank_rows_along_it(n_benign):
    from scipy.stats import spearmanr

    rows, a, u, code_direction = planted_rows(n_benign=n_benign)
    if not n_benign:
        # against the training rows (a uniform in [-3, 3]) the expected code difference is
        # 2 * (2 - 0.75) on latents 0-5 and -2 * 0.75 on latents 6-11: codes are non-negative
        code_direction = np.where(code_direction > 0, 2.5, np.where(code_direction < 0, -1.5, 0.0))
        code_direction /= np.linalg.norm(code_direction)
    scorer = ToxicProximity(ProximityConfig(null_draws=4)).fit(rows)
    assert float(scorer.contrast_dense_unit_ @ u) > 0.99
    assert float(scorer.contrast_latent_unit_ @ code_direction) > 0.99
    train = rows.sets == "train"
    scores = scorer.score(rows.codes[train], rows.dense[train], rows.texts[train])
    for name in CONTRAST:
        assert spearmanr(scores[name].to_numpy(), a[train]).statistic > 0.95, name


def test_contrast_direction_is_the_centred_difference_of_means_with_the_comparison_set():
    """(x - m) . d / |d|, d = toxic mean - comparison mean, m their midpoint; the comparison is
    the benign reference, or the training rows without one."""
    for n_benign, comparison in ((200, "benign"), (0, "train")):
        rows, *_ = planted_rows(n_benign=n_benign)
        scorer = ToxicProximity(ProximityConfig(null_draws=4)).fit(rows)
        assert scorer.comparison_ == comparison == comparison_set(rows.sets)
        toxic_mean = rows.dense[rows.sets == "toxic"].astype(np.float64).mean(axis=0)
        other_mean = rows.dense[rows.sets == comparison].astype(np.float64).mean(axis=0)
        d = toxic_mean - other_mean
        expected = (rows.dense.astype(np.float64) - (toxic_mean + other_mean) / 2) @ d / np.linalg.norm(d)
        got = scorer.score(rows.codes, rows.dense, rows.texts)["score_contrast_direction"].to_numpy()
        np.testing.assert_allclose(got, expected, atol=1e-5)  # float32 rows
        codes = rows.codes.toarray().astype(np.float64)
        toxic_codes, other_codes = codes[rows.sets == "toxic"].mean(axis=0), codes[rows.sets == comparison].mean(axis=0)
        d_sae = toxic_codes - other_codes
        expected = (codes - (toxic_codes + other_codes) / 2) @ d_sae / np.linalg.norm(d_sae)
        got = scorer.score(rows.codes, rows.dense, rows.texts)["score_contrast_latents"].to_numpy()
        np.testing.assert_allclose(got, expected, atol=1e-5)  # float32 rows


def test_contrast_latent_contributions_add_up_to_the_score_with_the_inactive_latents_rest():
    rows, *_ = planted_rows()
    scorer = ToxicProximity(ProximityConfig(null_draws=4)).fit(rows)
    scores = scorer.score(rows.codes, rows.dense, rows.texts)["score_contrast_latents"].to_numpy()
    for i in (0, 17, 310, 620):
        row = rows.codes[i]
        features, values = row.indices.astype(np.int64), row.data.astype(np.float64)
        parts = scorer.latent_contributions(features, values, "score_contrast_latents")
        assert parts.shape == features.shape
        assert parts.sum() + scorer.contrast_latents_rest(features) == pytest.approx(scores[i], abs=1e-5)
    toxic_row = rows.codes[np.flatnonzero(rows.sets == "toxic")[0]]
    parts = scorer.latent_contributions(toxic_row.indices, toxic_row.data, "score_contrast_latents")
    assert set(toxic_row.indices[np.argsort(-parts)[:6]]) == set(PLANTED_UP)  # the planted latents explain it


def test_contrast_families_reload_to_identical_scores(tmp_path):
    rows, *_ = planted_rows(n_train=60, n_toxic=40, n_benign=40)
    scorer = ToxicProximity(ProximityConfig(null_draws=4)).fit(rows)
    scorer.save(tmp_path / "scorer")
    loaded = ToxicProximity.load(tmp_path / "scorer")
    first, second = scorer.score(rows.codes, rows.dense, rows.texts), loaded.score(rows.codes, rows.dense, rows.texts)
    for name in CONTRAST:
        np.testing.assert_array_equal(first[name].to_numpy(), second[name].to_numpy(), err_msg=name)
    features = rows.codes[3].indices
    assert loaded.contrast_latents_rest(features) == scorer.contrast_latents_rest(features)


def test_contrast_families_are_appended_and_only_the_sae_one_is_a_latent_family():
    from analysis.scoring.families import LATENT_FAMILIES

    assert FAMILIES[-4:-2] == CONTRAST and FAMILIES[-2:] == SELF_CONTRAST_FAMILIES  # appended: saved scorers keep their order
    assert "score_contrast_latents" in LATENT_FAMILIES and "score_contrast_direction" not in LATENT_FAMILIES
