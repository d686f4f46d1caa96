"""Evaluation metrics against hand-computed values, baselines on a tiny analysis folder, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.numpy import save_file

from analysis.artifacts.codes import activation_matrix
from analysis.artifacts.layout import ANALYSIS_FORMAT_VERSION as FORMAT_VERSION
from analysis.cli.main import main as cli_main
from analysis.scoring import baselines
from analysis.use.evaluate import (
    TABLE_COLUMNS,
    EvaluationError,
    evaluate,
    evaluate_scores,
    removal_curve,
    removal_order,
    rows_removed,
    tpr_at_fpr,
)
from analysis.use.export import FilterRule, decide, top_count

# Six rows, ranked P P N P N N by score: 8 of the 9 positive/negative pairs are ordered
# right (only 0.4 < 0.7 is not), so AUROC = 8/9. AP = mean precision at each positive
# = (1/1 + 2/2 + 3/4) / 3 = 11/12.
SIX_LABELS = np.array([1, 1, 1, 0, 0, 0], dtype=bool)
SIX_SCORES = np.array([0.9, 0.8, 0.4, 0.7, 0.3, 0.2])


def _single(labels: np.ndarray, scores: np.ndarray, n_bootstrap: int = 0, seed: int = 0, ids=None):
    report = evaluate_scores(labels, {"m": scores}, {"m": "score"}, n_bootstrap, seed, ids=ids)
    return report.table.row(0, named=True), report


def test_auroc_and_ap_match_hand_computed_values():
    row, _ = _single(SIX_LABELS, SIX_SCORES)
    assert row["auroc"] == pytest.approx(8 / 9)
    assert row["ap"] == pytest.approx(11 / 12)
    assert row["n_rows"] == 6 and row["n_positive"] == 3
    assert row["kind"] == "score"


def test_tpr_at_one_percent_fpr_by_hand():
    # At FPR 0 the two top positives are already found; the next step (a negative) moves
    # FPR to 1/3 with TPR unchanged, so TPR at FPR 0.01 is 2/3.
    assert tpr_at_fpr(SIX_LABELS, SIX_SCORES) == pytest.approx(2 / 3)
    # A positive and a negative tied: the ROC curve is the diagonal, so TPR = FPR = 0.01.
    assert tpr_at_fpr(np.array([True, False]), np.array([0.5, 0.5])) == pytest.approx(0.01)
    # Perfect ranking: TPR 1 at FPR 0; reversed ranking: TPR 0 until FPR 1.
    labels = np.array([True, True, False, False])
    assert tpr_at_fpr(labels, np.array([4.0, 3, 2, 1])) == pytest.approx(1.0)
    assert tpr_at_fpr(labels, np.array([1.0, 2, 3, 4])) == pytest.approx(0.0)


def test_rows_removed_rounds_half_up_with_at_least_one_row():
    assert rows_removed(0.05, 20) == 1
    assert rows_removed(0.05, 10) == 1  # 0.5 rounds up
    assert rows_removed(0.05, 6) == 1  # 0.3 rounds to 0, but a cut removes at least one row
    assert rows_removed(0.10, 25) == 3  # 2.5 rounds up
    assert rows_removed(0.20, 1000) == 200
    assert rows_removed(0.001, 300) == 1  # the top 0.1% of 300 rows: 0.3, at least one row
    assert rows_removed(0.29, 50) == 15  # exactly 14.5 (0.29 * 50 is 14.499999999999998)
    assert rows_removed(0.05, 0) == 0


# q% written as a short decimal k / 10**d, as a researcher types it.
DECIMAL_PERCENTS = st.tuples(st.integers(1, 100_000), st.integers(0, 3)).filter(
    lambda kd: kd[0] <= 100 * 10 ** kd[1]
)


def main(argv: list[str]) -> int:
    return cli_main(["evaluate", *argv])


def _expected_count(k: int, d: int, n_rows: int) -> int:
    """q% of n rounded half up, at least one, at most n, in integers (q = k / 10**d)."""
    if n_rows == 0:
        return 0
    rounded = (2 * k * n_rows + 100 * 10**d) // (200 * 10**d)
    return min(n_rows, max(1, rounded))


@settings(max_examples=400, deadline=None)
@given(kd=DECIMAL_PERCENTS, n_rows=st.integers(0, 50_000))
def test_evaluate_and_export_count_the_same_top_cut(kd, n_rows):
    k, d = kd
    percent, share = float(f"{k}e-{d}"), float(f"{k}e-{d + 2}")
    assert rows_removed(share, n_rows) == top_count(percent, n_rows) == _expected_count(k, d, n_rows)


@pytest.mark.parametrize("n_rows", [1, 3, 7, 10, 20, 33, 50, 101, 300, 1500])
@pytest.mark.parametrize("percent", [0.1, 0.5, 1, 2.3, 2.5, 5, 7.5, 10, 29, 33.3, 50, 100])
def test_evaluate_and_export_cut_the_same_rows(percent, n_rows):
    rng = np.random.default_rng(n_rows)
    ids = np.array([f"r{index:05d}" for index in rng.permutation(n_rows)])
    scores = rng.integers(0, 5, n_rows).astype(float)  # many ties: broken by id in both
    samples = pl.DataFrame({"id": ids, "set": ["train"] * n_rows, "score": scores})
    removed = decide(samples, FilterRule(top_percent=percent))
    share = float(f"{percent}e-2")
    expected = set(ids[removal_order(scores, ids)][: rows_removed(share, n_rows)])
    assert set(removed.filter("removed")["id"]) == expected


def test_precision_and_recall_at_top_shares_by_hand():
    # 20 rows, scores 20..1; by rank: P N P P, then 14 N, then P P (5 positives).
    labels = np.zeros(20, dtype=bool)
    labels[[0, 2, 3, 18, 19]] = True
    scores = np.arange(20, 0, -1, dtype=float)
    row, _ = _single(labels, scores)
    # top 5% = 1 row: P -> 1/1, 1 of 5 positives
    assert row["precision_at_5"] == pytest.approx(1.0)
    assert row["recall_at_5"] == pytest.approx(1 / 5)
    # top 10% = 2 rows: P N
    assert row["precision_at_10"] == pytest.approx(1 / 2)
    assert row["recall_at_10"] == pytest.approx(1 / 5)
    # top 20% = 4 rows: P N P P
    assert row["precision_at_20"] == pytest.approx(3 / 4)
    assert row["recall_at_20"] == pytest.approx(3 / 5)


def test_ties_in_the_cut_are_broken_by_id():
    labels = np.array([False, True, False, False, False, False, False, False, False, False])
    scores = np.ones(10)
    ids = np.array(["j", "a", "b", "c", "d", "e", "f", "g", "h", "i"])
    row, _ = _single(labels, scores, ids=ids)
    assert row["precision_at_10"] == 1.0  # "a" is first by id
    reordered_ids = np.array(["a", "z", "b", "c", "d", "e", "f", "g", "h", "i"])
    row, _ = _single(labels, scores, ids=reordered_ids)
    assert row["precision_at_10"] == 0.0


def test_removal_curve_by_hand():
    curve = removal_curve(SIX_LABELS, SIX_SCORES)
    assert curve.columns == ["share_removed", "positives_removed", "clean_lost"]
    assert curve["share_removed"].to_list() == pytest.approx(
        [0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1]
    )
    assert curve["positives_removed"].to_list() == pytest.approx([0, 1 / 3, 2 / 3, 2 / 3, 1, 1, 1])
    assert curve["clean_lost"].to_list() == pytest.approx([0, 0, 0, 1 / 3, 1 / 3, 2 / 3, 1])


def test_removal_curve_of_a_large_set_is_thinned_but_keeps_both_ends():
    rng = np.random.default_rng(1)
    labels = rng.random(5000) < 0.1
    curve = removal_curve(labels, rng.random(5000))
    assert curve.height <= 201
    assert curve.row(0) == (0.0, 0.0, 0.0)
    assert curve.row(-1) == (1.0, 1.0, 1.0)


def test_missing_scores_rank_last():
    scores = np.array([np.nan, 0.8, 0.4, 0.7, 0.3, 0.2])  # the top positive lost its score
    row, report = _single(SIX_LABELS, scores)
    # ranking: P(0.8) N(0.7) P(0.4) N N P(missing): 3 + 2 + 0 ordered pairs of 9
    assert row["auroc"] == pytest.approx(5 / 9)
    assert "m: 1 of 6 evaluated rows have no value and rank last" in report.notes


def test_a_method_without_any_value_is_skipped_with_a_note():
    report = evaluate_scores(
        SIX_LABELS, {"m": SIX_SCORES, "empty": np.full(6, np.nan)}, {}, n_bootstrap=10, seed=0
    )
    assert report.table["method"].to_list() == ["m"]
    assert set(report.curves) == {"m"}
    assert any(note.startswith("empty skipped: it has no value") for note in report.notes)
    with pytest.raises(EvaluationError, match="no method has a value"):
        evaluate_scores(SIX_LABELS, {"empty": np.full(6, np.nan)}, {}, n_bootstrap=0, seed=0)


def test_bootstrap_interval_contains_estimate_and_is_deterministic():
    rng = np.random.default_rng(3)
    labels = rng.random(300) < 0.2
    scores = {"good": labels + rng.normal(0, 0.8, 300), "noise": rng.random(300)}
    kinds = {"good": "score", "noise": "baseline"}
    first = evaluate_scores(labels, scores, kinds, n_bootstrap=100, seed=7)
    again = evaluate_scores(labels, scores, kinds, n_bootstrap=100, seed=7)
    other_seed = evaluate_scores(labels, scores, kinds, n_bootstrap=100, seed=8)
    assert first.table.equals(again.table)
    assert not first.table.equals(other_seed.table)
    for row in first.table.iter_rows(named=True):
        assert row["auroc_lo"] <= row["auroc"] <= row["auroc_hi"]
        assert row["ap_lo"] <= row["ap"] <= row["ap_hi"]
        assert row["auroc_hi"] - row["auroc_lo"] > 0.01
    assert first.table.filter(pl.col("method") == "noise")["kind"].item() == "baseline"


def test_bootstrap_skips_single_class_resamples():
    # One positive in 20 rows: about 36% of resamples miss it and must be skipped, not crash.
    labels = np.zeros(20, dtype=bool)
    labels[0] = True
    row, _ = _single(labels, np.linspace(1, 0, 20), n_bootstrap=100, seed=0)
    assert row["auroc_lo"] == row["auroc_hi"] == 1.0


def test_no_bootstrap_gives_undefined_intervals_and_null_json():
    row, report = _single(SIX_LABELS, SIX_SCORES, n_bootstrap=0)
    assert np.isnan(row["auroc_lo"])
    assert report.to_json()["table"][0]["auroc_lo"] is None


def test_single_class_is_an_error():
    with pytest.raises(EvaluationError, match=r"need both positive and negative rows.*positive: 0\)"):
        evaluate_scores(np.zeros(4, dtype=bool), {"m": np.arange(4.0)}, {}, 0, 0)


# ---------------------------------------------------------------- baselines


def test_keyword_scores_count_exact_tokens_per_length():
    scores = baselines.keyword_scores(
        ["how to kill a process", "a skillful believer", "Steal the PASSWORD, then lie.", ""]
    )
    assert scores.tolist() == pytest.approx([1 / 5, 0.0, 3 / 5, 0.0])


def test_length_and_random_scores():
    assert baselines.length_scores(["ab", "", "abcd"]).tolist() == [2.0, 0.0, 4.0]
    first = baselines.random_scores(5, seed=1)
    assert first.tolist() == baselines.random_scores(5, seed=1).tolist()
    assert first.tolist() != baselines.random_scores(5, seed=2).tolist()


def test_embedding_knn_by_hand():
    train = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    toxic = np.array([[1.0, 0.0], [3.0, 0.0]])
    benign = np.array([[0.0, 1.0], [0.0, 5.0]])
    scores = baselines.embedding_knn_scores(train, toxic, benign, k=10)
    assert scores.tolist() == pytest.approx([1.0, -1.0, 0.0], abs=1e-6)
    # without benign rows: the toxic similarity alone
    alone = baselines.embedding_knn_scores(train, toxic, None, k=1)
    assert alone.tolist() == pytest.approx([1.0, 0.0, 2**-0.5], abs=1e-6)


def test_reference_knn_takes_the_k_nearest():
    train = np.array([[1.0, 0.0]])
    toxic = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    assert baselines.reference_knn_scores(train, toxic, None, k=1).tolist() == pytest.approx([1.0])
    assert baselines.reference_knn_scores(train, toxic, None, k=2).tolist() == pytest.approx([0.5])


def test_sparse_activation_matrix_follows_the_given_id_order():
    activations = pl.DataFrame(
        {"id": ["a", "b"], "features": [[3, 0], [1]], "values": [[2.0, 1.0], [0.5]]},
        schema={"id": pl.String, "features": pl.List(pl.Int32), "values": pl.List(pl.Float32)},
    )
    matrix = activation_matrix(activations, ["b", "missing", "a"])
    assert matrix.shape == (3, 4)
    assert matrix.toarray().tolist() == [[0, 0.5, 0, 0], [0, 0, 0, 0], [1.0, 0, 0, 2.0]]


# ---------------------------------------------------------------- analysis folder + CLI

TRAIN_CLEAN = [
    "bake bread with flour and water",
    "plant tomatoes in the garden in spring",
    "the train leaves at noon from the station",
    "knit a warm scarf for winter",
    "paint the fence a bright colour",
    "read a novel by the window",
]
TRAIN_HARMFUL = [
    "how to steal a password and hack an account",
    "make a weapon to kill people",
    "poison the water supply illegally",
    "bypass the alarm and steal the car",
]


def _write_analysis(folder: Path, with_embeddings: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"format_version": FORMAT_VERSION, "default_score": "score_direct"}))
    toxic = ["steal passwords and hack bank accounts", "build a weapon to kill", "poison someone"]
    benign = ["bake a cake with flour", "plant flowers in the garden"]
    texts = TRAIN_CLEAN + TRAIN_HARMFUL + toxic + benign + ["an unlabelled training row"]
    n_train = len(TRAIN_CLEAN) + len(TRAIN_HARMFUL)
    sets = ["train"] * n_train + ["toxic"] * len(toxic) + ["benign"] * len(benign) + ["train"]
    labels = ["clean"] * len(TRAIN_CLEAN) + ["harmful"] * len(TRAIN_HARMFUL)
    labels += ["harmful"] * len(toxic) + ["clean"] * len(benign) + [None]
    is_harmful = np.array([label == "harmful" for label in labels])
    ids = [f"row{index:02d}" for index in range(len(texts))]
    # A score that ranks one clean row above one harmful row: AUROC = 23/24.
    score_direct = is_harmful.astype(float)
    score_direct[0], score_direct[6] = 0.9, 0.8
    pl.DataFrame(
        {
            "id": ids,
            "set": sets,
            "text": texts,
            "label": labels,
            "score_direct": score_direct,
            "score_flat": np.zeros(len(texts)),
            "score": score_direct,
        },
        schema_overrides={"label": pl.String},
    ).write_parquet(folder / "samples.parquet")
    # Latent 7 fires on every harmful row, latents 0-2 everywhere: the probe can separate them.
    features = [
        [7, index % 3] if harmful else [index % 3] for index, harmful in enumerate(is_harmful)
    ]
    values = [[2.0, 1.0] if harmful else [1.0] for harmful in is_harmful]
    pl.DataFrame(
        {"id": ids, "features": features, "values": values},
        schema={"id": pl.String, "features": pl.List(pl.Int32), "values": pl.List(pl.Float32)},
    ).write_parquet(folder / "activations.parquet")
    if with_embeddings:
        raw = np.stack([np.where(is_harmful, 1.0, 0.1), np.where(is_harmful, 0.1, 1.0)], axis=1)
        save_file({"raw": raw.astype(np.float32)}, str(folder / "embeddings.safetensors"))
    return folder


def test_evaluate_analysis_folder(tmp_path):
    folder = _write_analysis(tmp_path / "analysis")
    report = evaluate(folder, "label", "harmful", n_bootstrap=20, seed=0)
    table = report.table
    methods = dict(zip(table["method"], table["kind"], strict=True))
    assert methods == {
        "score_direct": "score",
        "score_flat": "score",
        "score": "score",
        "random": "baseline",
        "length": "baseline",
        "keyword": "baseline",
        "tfidf_knn": "baseline",
        "embedding_knn": "baseline",
        "probe_cv": "supervised",
    }
    assert tuple(table.columns) == TABLE_COLUMNS
    assert table["n_rows"].unique().to_list() == [10]  # train rows with a label only
    assert table["n_positive"].unique().to_list() == [4]
    auroc = dict(zip(table["method"], table["auroc"], strict=True))
    assert auroc["score_direct"] == pytest.approx(23 / 24)
    assert auroc["score_flat"] == pytest.approx(0.5)
    assert auroc["embedding_knn"] == pytest.approx(1.0)
    assert auroc["keyword"] == pytest.approx(1.0)
    assert auroc["tfidf_knn"] > 0.8
    assert auroc["probe_cv"] == pytest.approx(1.0)
    assert set(report.curves) == set(methods)


def test_evaluate_without_embeddings_notes_the_skip(tmp_path):
    folder = _write_analysis(tmp_path / "analysis", with_embeddings=False)
    report = evaluate(folder, "label", "harmful", n_bootstrap=0)
    assert "embedding_knn" not in report.table["method"].to_list()
    assert any("embedding_knn skipped" in note for note in report.notes)


def test_cli_json_output(tmp_path, capsys):
    folder = _write_analysis(tmp_path / "analysis")
    code = main(
        [
            str(folder),
            "--label-column",
            "label",
            "--positive",
            "harmful",
            "--json",
            "--bootstrap",
            "10",
        ]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    rows = {row["method"]: row for row in payload["table"]}
    assert rows["score_direct"]["auroc"] == pytest.approx(23 / 24)
    assert rows["score_direct"]["n_positive"] == 4
    assert set(payload["curves"]["score_direct"]) == {
        "share_removed",
        "positives_removed",
        "clean_lost",
    }
    assert isinstance(payload["notes"], list)


def test_cli_prints_a_table(tmp_path, capsys):
    folder = _write_analysis(tmp_path / "analysis")
    assert (
        main(
            [
                str(folder),
                "--label-column",
                "label",
                "--positive",
                "harmful",
                "--bootstrap",
                "0",
                "--no-baselines",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "score_direct" in out and "keyword" not in out


def test_cli_errors(tmp_path, capsys):
    folder = _write_analysis(tmp_path / "analysis")
    assert main([str(folder), "--label-column", "category", "--positive", "x"]) == 2
    assert "label column 'category'" in capsys.readouterr().err
    assert main([str(folder), "--label-column", "label", "--positive", "toxic!"]) == 2
    err = capsys.readouterr().err
    assert "no training row has label == 'toxic!'" in err and "harmful" in err
    assert (
        main([str(tmp_path / "nowhere"), "--label-column", "label", "--positive", "harmful"]) == 2
    )
    assert "not a complete analysis folder" in capsys.readouterr().err


def test_evaluate_skips_a_score_the_build_left_empty(tmp_path, capsys):
    folder = _write_analysis(tmp_path / "analysis")
    samples_path = folder / "samples.parquet"
    samples = pl.read_parquet(samples_path)
    samples.with_columns(pl.lit(None, dtype=pl.Float64).alias("score_probe")).write_parquet(samples_path)
    report = evaluate(folder, "label", "harmful", n_bootstrap=0, baselines=False)
    assert "score_probe" not in report.table["method"].to_list()
    assert "score_direct" in report.table["method"].to_list()
    assert any(note.startswith("score_probe skipped") for note in report.notes)
    assert main([str(folder), "--label-column", "label", "--positive", "harmful", "--bootstrap", "0", "--no-baselines"]) == 0
    assert "score_probe skipped: it has no value on any of the 10 evaluated rows" in capsys.readouterr().out


def test_embedding_row_mismatch_is_noted_not_used(tmp_path):
    folder = _write_analysis(tmp_path / "analysis")
    save_file({"raw": np.zeros((3, 2), dtype=np.float32)}, str(folder / "embeddings.safetensors"))
    report = evaluate(folder, "label", "harmful", n_bootstrap=0)
    assert "embedding_knn" not in report.table["method"].to_list()
    assert any("embeddings.safetensors has 3 rows" in note for note in report.notes)


# ---------------------------------------------------------------- benchmark tasks

DATASETS = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets"


@pytest.mark.datasets
def test_planted_tasks_keep_references_apart_from_the_pool():
    from bench import tasks

    if not tasks.datasets_available(DATASETS):
        pytest.skip("reference datasets absent")
    for task in tasks.build_tasks(DATASETS, seed=0):
        planted = (task.train["label"] == tasks.HARMFUL).mean()
        assert 0.09 <= planted <= 0.11, task.name
        # ids reveal nothing about the label; order is shuffled
        assert task.train["id"].str.starts_with(f"{task.name}_").all()
        assert not task.train["id"].str.contains("hate|neutral|chosen|rejected|safe").any()
        train_texts = set(task.train["text"])
        assert not train_texts & set(task.toxic["text"])
        assert not train_texts & set(task.benign["text"])
        assert (task.benign["label"] == tasks.CLEAN).all()
        if task.name == "hh_harmless":
            assert task.train["pair_id"].n_unique() == task.train.height
            assert not set(task.train["pair_id"]) & set(task.benign["pair_id"])
    again = tasks.build_tasks(DATASETS, seed=0)[0]
    assert again.train.equals(tasks.build_tasks(DATASETS, seed=0)[0].train)
