"""bench/simulated_researcher.py: what the simulated researcher reads, and how it is counted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from synthetic import write_synthetic_analysis

from bench import simulated_researcher as researcher


def test_the_next_rows_are_the_unread_best_nan_last_ties_by_id():
    ids = np.array(["d", "a", "c", "b", "e"])
    score = np.array([0.5, 0.9, 0.5, np.nan, 0.7])
    assert researcher.ranked_unread(ids, score, set(), 5) == ["a", "e", "c", "d", "b"]
    assert researcher.ranked_unread(ids, score, {"a", "c"}, 2) == ["e", "d"]


def test_wilson_interval_known_values():
    low, high = researcher.wilson(5, 10)
    assert (round(low, 3), round(high, 3)) == (0.237, 0.763)
    assert researcher.wilson(0, 20)[0] == pytest.approx(0.0, abs=1e-12)


@pytest.fixture(scope="module")
def labelled_analysis(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_synthetic_analysis(tmp_path_factory.mktemp("researcher") / "analyses" / "synthetic-researcher", 400, n_features=400, seed=3)
    samples = pl.read_parquet(folder / "samples.parquet")  # the benchmark tasks' labels are words
    samples.with_columns(pl.when(pl.col("label") == 1).then(pl.lit("harmful")).otherwise(pl.lit("clean")).alias("label")).write_parquet(folder / "samples.parquet")
    return folder


def test_both_researchers_read_as_many_rows_and_the_static_one_reads_the_top(labelled_analysis: Path):
    run = researcher.simulate(labelled_analysis, looks=7, rounds=3)
    train = pl.read_parquet(labelled_analysis / "samples.parquet").filter(pl.col("set") == "train")
    top = train.sort(["score", "id"], descending=[True, False]).head(21)
    assert run["read"] == 21 and run["rows"] == train.height
    assert run["planted"] == int((train["label"] == "harmful").sum())
    assert run["static"] == int((top["label"] == "harmful").sum())
    assert 0 <= run["learning"] <= min(21, run["planted"])


def test_a_tasks_seeds_count_once_in_the_interval():
    runs = {
        "insecure_code-s0-l6": {"learning": 27, "static": 21},
        "insecure_code-s1-l6": {"learning": 27, "static": 23},
        "toxigen-s0-smollm2-l10": {"learning": 4, "static": 6},
    }
    assert researcher.task_differences(runs) == {"insecure_code": 5.0, "toxigen": -2.0}
