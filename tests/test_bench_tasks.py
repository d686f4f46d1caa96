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


def _aggregated(rng: np.random.Generator, tasks: list[str], units: list[str]) -> dict:
    """A selection input: per task and unit a point AUROC and 50 bootstrap values."""
    per_task = {
        task: {unit: (float(v), v + rng.normal(0, 0.01, 50)) for unit, v in zip(units, rng.uniform(0.4, 1.0, len(units)), strict=True)}
        for task in tasks
    }
    baselines = {task: {"tfidf_knn": (0.7, np.full(50, 0.7))} for task in tasks}
    return {"tasks": tasks, "units": units, "per_task": per_task, "baselines": baselines, "seeds": {t: [0] for t in tasks}}


def test_a_left_out_tasks_own_numbers_never_change_its_pick():
    rng = np.random.default_rng(3)
    tasks = [f"task{i}" for i in range(6)]
    units = [
        "score_a @ layer 3",
        "score_a @ layer smollm2:10",
        "score_b @ layer smollm2:4",
        "rank_mean:score_a+score_b @ layer smollm2:10",
    ]
    aggregated = _aggregated(rng, tasks, units)
    picks = {t: entry["pick"] for t, entry in select_default.select(aggregated)["loto"].items()}
    for task in tasks:
        for _ in range(5):
            changed = {**aggregated["per_task"]}
            changed[task] = {u: (float(v), np.full(50, v)) for u, v in zip(units, rng.uniform(0, 1, len(units)), strict=True)}
            reselected = select_default.select({**aggregated, "per_task": changed})
            assert reselected["loto"][task]["pick"] == picks[task]
            assert reselected["loto"][task]["auroc"] == changed[task][picks[task]][0]


def test_the_left_out_pick_is_the_best_on_the_other_tasks():
    tasks = ["t1", "t2", "t3"]
    units = ["score_a @ layer 6", "score_b @ layer smollm2:10"]
    values = {"t1": (0.9, 0.6), "t2": (0.9, 0.6), "t3": (0.1, 0.99)}
    aggregated = {
        "tasks": tasks,
        "units": units,
        "per_task": {t: {u: (v, np.full(10, v)) for u, v in zip(units, values[t], strict=True)} for t in tasks},
        "baselines": {t: {"random": (0.5, np.full(10, 0.5))} for t in tasks},
        "seeds": {t: [0] for t in tasks},
    }
    selection = select_default.select(aggregated)
    assert selection["loto"]["t3"]["pick"] == "score_a @ layer 6"  # the other tasks' best, though t3 prefers b
    assert selection["loto"]["t3"]["auroc"] == 0.1
    assert selection["loto"]["t1"]["pick"] == "score_b @ layer smollm2:10"  # 0.795 mean against 0.5
    over_tasks = selection["loto_mean_over_tasks"]
    assert over_tasks["lo"] <= over_tasks["auroc"] <= over_tasks["hi"]
    assert over_tasks["auroc"] == pytest.approx(np.mean([0.6, 0.6, 0.1]))


def test_read_points_name_the_model_and_layer():
    assert select_default.read_flags("6") == ["--layer", "6", "--model", "sentence-transformers/all-MiniLM-L6-v2", "--model-dtype", "float32"]
    assert select_default.read_flags("smollm2:10") == [
        "--layer", "10", "--model", "smollm2-135m-instruct", "--model-dtype", "bfloat16",
    ]
    assert select_default.read_flags("packaged:6") == ["--layer", "6", "--model", "sentence-transformers/all-MiniLM-L6-v2", "--sae", "packaged", "--model-dtype", "float32"]
    assert select_default.read_flags("bf16:6") == ["--layer", "6", "--model", "sentence-transformers/all-MiniLM-L6-v2", "--model-dtype", "bfloat16"]
    assert select_default.analysis_name("toxigen", 0, "smollm2:10") == "toxigen-s0-smollm2-l10"
    assert select_default.analysis_name("toxigen", 0, "3") == "toxigen-s0-l3"
    assert select_default.unit_layer("score_a @ layer smollm2:10") == ("score_a", "smollm2:10")
    with pytest.raises(ValueError, match="unknown model alias 'gpt'"):
        select_default.read_parts("gpt:3")


def test_the_task_that_carries_a_paired_difference_is_named():
    per_task = {task: {"sae_minus_dense": {"auroc": value}} for task, value in (("a", 0.5), ("b", -0.02), ("c", 0.01), ("d", -0.05))}
    leading = select_default.leading_task({"per_task": per_task})["leading_task"]
    assert leading["task"] == "a" and leading["difference"] == 0.5
    assert leading["others_mean"] == pytest.approx((-0.02 + 0.01 - 0.05) / 3)
    assert leading["others_range"] == [-0.05, 0.01]
    assert select_default.leading_task({"per_task": {"a": per_task["a"]}}) == {}  # one task: nothing to set apart


def test_a_paired_read_point_difference_is_per_task_and_counts_ties_as_ties():
    tasks = ["t1", "t2", "t3"]
    first, second = "smollm2:20", "smollm2k64:20"
    values = {  # (score_knn at first, at second, score_dense_knn at both)
        "t1": (0.60, 0.70, 0.5),
        "t2": (0.50, 0.45, 0.6),
        "t3": (0.80, 0.80 + select_default.TIE_AUROC / 2, 0.7),
    }
    per_task = {
        t: {
            f"score_knn @ layer {first}": (a, np.full(20, a)),
            f"score_knn @ layer {second}": (b, np.full(20, b)),
            f"score_dense_knn @ layer {first}": (d, np.full(20, d)),
            f"score_dense_knn @ layer {second}": (d, np.full(20, d)),
            "rank_mean:score_a+score_b @ layer smollm2:20": (0.5, np.full(20, 0.5)),  # one point only, not shipped
        }
        for t, (a, b, d) in values.items()
    }
    aggregated = {"tasks": tasks, "units": sorted({u for units in per_task.values() for u in units}), "per_task": per_task}
    rows = {r["method"]: r for r in select_default.read_point_difference(aggregated, first, second)}
    assert set(rows) == {"score_knn", "score_dense_knn"}
    knn = rows["score_knn"]
    assert knn["rows"]["auroc"] == pytest.approx((0.10 - 0.05 + select_default.TIE_AUROC / 2) / 3)
    assert (knn["better"], knn["worse"]) == (1, 1)  # t3 moved by less than the tie
    assert (rows["score_dense_knn"]["better"], rows["score_dense_knn"]["worse"]) == (0, 0)
    assert knn["tasks"]["lo"] <= knn["tasks"]["auroc"] <= knn["tasks"]["hi"]
    assert select_default.read_flags("smollm2k64:20")[-2:] == ["--k", "64"]
