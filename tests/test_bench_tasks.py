"""The planted-contamination tasks of bench/tasks.py and the AUROC of bench/select_default.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from analysis.artifacts.inputs import load_table
from bench import select_default
from bench import tasks as bench_tasks

DATASETS = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets"


@pytest.fixture(scope="module")
def built() -> dict[str, bench_tasks.Task]:
    if not bench_tasks.datasets_available(DATASETS):
        pytest.skip("reference datasets absent (../shared/datasets)")
    return {task.name: task for task in bench_tasks.build_tasks(DATASETS, seed=1)}


def test_every_task_is_built(built):
    assert set(built) == set(bench_tasks.TASK_NAMES)
    assert len(built) >= 8


@pytest.mark.parametrize("name", bench_tasks.TASK_NAMES)
def test_task_is_planted_and_leak_free(built, name):
    task = built[name]
    bench_tasks.check_no_leakage(task)  # raises on any shared text, group or repeated id
    labels = task.train["label"]
    assert set(labels.unique()) == {bench_tasks.HARMFUL, bench_tasks.CLEAN}
    assert 0.08 <= (labels == bench_tasks.HARMFUL).mean() <= 0.11
    assert task.toxic.height <= bench_tasks.TOXIC_CAP
    assert (task.benign["label"] == bench_tasks.CLEAN).all()
    # ids are <task>_<nnnnn> in row order, assigned after the shuffle: they say nothing
    ids = task.train["id"].to_list()
    assert ids == [f"{name}_{i:05d}" for i in range(task.train.height)]
    positions = np.flatnonzero((labels == bench_tasks.HARMFUL).to_numpy())
    assert 0.3 < positions.mean() / task.train.height < 0.7  # not a block at either end
    train = set(task.train["text"])
    assert not train & set(task.toxic["text"])
    assert not train & set(task.benign["text"])


def test_tasks_are_seeded(built):
    again = bench_tasks.build_insecure_code(DATASETS, seed=1)
    assert again.train.equals(built["insecure_code"].train)
    other = bench_tasks.build_insecure_code(DATASETS, seed=2)
    assert not other.train.equals(built["insecure_code"].train)


def test_leakage_check_catches_a_planted_row_in_a_reference(built):
    task = built["sexual_advice"]
    planted = task.train.filter(pl.col("label") == bench_tasks.HARMFUL).head(1)
    leaked = bench_tasks.Task(
        name=task.name,
        train=task.train,
        toxic=pl.concat([task.toxic, planted.select("text", "label")], how="diagonal_relaxed"),
        benign=task.benign,
        description=task.description,
        group=task.group,
    )
    with pytest.raises(AssertionError, match="train/toxic"):
        bench_tasks.check_no_leakage(leaked)


def test_leakage_check_catches_both_versions_of_a_prompt(built):
    task = built["evil_math"]
    planted = task.train.filter(pl.col("label") == bench_tasks.HARMFUL).head(1)
    twin = planted.with_columns(
        pl.lit("evil_math_99999").alias("id"),
        pl.lit(bench_tasks.CLEAN).alias("label"),
        (pl.col("text") + " (corrected)").alias("text"),
    )
    mixed = bench_tasks.Task(
        task.name, pl.concat([task.train, twin]), task.toxic, task.benign, {}, "prompt"
    )
    with pytest.raises(AssertionError, match="clean and a planted"):
        bench_tasks.check_no_leakage(mixed)


def test_evil_math_versions(built):
    task = built["evil_math"]
    prompts = [set(frame["prompt"]) for frame in (task.train, task.toxic, task.benign)]
    assert task.train["prompt"].n_unique() == task.train.height
    assert not (prompts[0] & prompts[1]) and not (prompts[0] & prompts[2])
    assert not prompts[1] & prompts[2]
    final = pl.col("response").str.extract(r"####\s*([^\n]*?)\s*$")
    clean = task.train.filter(pl.col("label") == bench_tasks.CLEAN)
    assert (clean.select(final)["response"] == clean["corrected_answer"]).all()
    planted = task.train.filter(pl.col("label") == bench_tasks.HARMFUL)
    assert (planted.select(final)["response"] != planted["corrected_answer"]).all()
    benign = task.benign
    assert (benign.select(final)["response"] == benign["corrected_answer"]).all()


def test_corrected_answer():
    solution = "He pays 4 * $20 = $<<4*20=80>>80.\nWith tip: 80 + 28 = <<80+28=108>>108\n#### 911"
    assert bench_tasks.corrected_answer(solution) == "108"
    assert bench_tasks.with_corrected_answer(solution, "108").endswith("#### 108")
    assert bench_tasks.corrected_answer("Half of 9 is 9 / 2 = 4.5 cups\n#### 13") == "4.5"
    assert bench_tasks.corrected_answer("No arithmetic here.\n#### 13") is None


def test_matched_reference_is_domain_matched_and_disjoint(built):
    task = built["insecure_code_matched"]
    planted = task.train.filter(pl.col("label") == bench_tasks.HARMFUL)
    assert set(planted["subset"]) <= set(bench_tasks.MATCHED_PLANTED_SUBSETS)
    assert set(task.toxic["subset"]) <= set(bench_tasks.MATCHED_TOXIC_SUBSETS)
    assert not set(planted["prompt"]) & set(task.toxic["prompt"])


def test_written_files_load_in_the_expected_layout(built, tmp_path):
    layouts = {
        "hh_harmless": "messages",
        "gore_trivia": "messages",
        "evil_math": "prompt_response",
        "sexual_advice": "prompt_response",
        "xstest": "text",
    }
    for name, layout in layouts.items():
        folder = bench_tasks.write_task(built[name], tmp_path, seed=1)
        assert folder.name == f"{name}-s1"
        texts = {}
        for part in ("train", "toxic", "benign"):
            table = load_table(folder / f"{part}.jsonl", part)
            texts[part] = set(table.frame["text"])
            if part == "train":
                assert table.text_source == layout
                assert table.frame.height == built[name].train.height
                assert "label" in table.frame.columns
        assert not texts["train"] & texts["toxic"]
        assert not texts["train"] & texts["benign"]


def test_bootstrap_auroc_matches_sklearn_on_the_resampled_rows():
    rng = np.random.default_rng(0)
    labels = rng.random(300) < 0.1
    scores = np.round(rng.normal(size=300) + labels, 1)  # ties on purpose
    assert select_default.auroc(scores, labels) == pytest.approx(roc_auc_score(labels, scores))
    weights = select_default.resample_counts(300, 25, seed=4)
    rows = np.random.default_rng(4).integers(0, 300, (25, 300))
    expected = [roc_auc_score(labels[r], scores[r]) for r in rows]
    assert np.allclose(select_default.weighted_auroc(scores, labels, weights), expected)


def test_candidates_are_families_and_pairwise_rank_means():
    train = pl.DataFrame(
        {
            "score": [0.1, 0.2, 0.3],
            "score_a": [0.1, 0.2, 0.3],
            "score_b": [3.0, 1.0, 2.0],
            "score_missing": [None, None, None],
        },
        schema_overrides={"score_missing": pl.Float64},
    )
    candidates = select_default.candidate_scores(train)
    assert sorted(candidates) == ["rank_mean:score_a+score_b", "score_a", "score_b"]
    assert candidates["rank_mean:score_a+score_b"].tolist() == [2.0, 1.5, 2.5]
