"""Learning from marks: the analysis' scorer fitted again with marked training rows as
references, on a real tiny analysis; nothing of the analysis changes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from pipeline_fixtures import TOPICS_CLEAN, build_tiny_analysis
from scipy.stats import rankdata

from analysis.artifacts.folder import Analysis
from analysis.use.learn_from_marks import LEARNED, NotEnoughMarks, scores_from_marks
from analysis.use.marks import FINE, HARMFUL


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    analysis_dir, _ = build_tiny_analysis(tmp_path_factory.mktemp("learn-from-marks"))
    return Analysis.open(analysis_dir)


def _fingerprint(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.rglob("*")) if path.is_file()}


def _ranks(frame: pl.DataFrame, column: str) -> dict[str, float]:
    return dict(zip(frame["id"].to_list(), rankdata(frame[column].to_numpy()) / frame.height, strict=True))


def _same_topic(i: int, n: int = 36) -> list[str]:
    """The clean training rows that repeat row t{i}'s topic (write_inputs cycles the topics)."""
    return [f"t{j:03d}" for j in range(n) if j % len(TOPICS_CLEAN) == i % len(TOPICS_CLEAN) and j != i]


@pytest.mark.slow
def test_a_clean_row_marked_harmful_raises_its_look_alikes(analysis: Analysis) -> None:
    train = analysis.samples.filter(pl.col("set") == "train").select("id", "score")
    before = _ranks(train, "score")
    learned = scores_from_marks(analysis, {"t000": HARMFUL})
    assert learned["id"].to_list() == train["id"].to_list() and learned["marked"].sum() == 1
    after = _ranks(learned, LEARNED)
    look_alikes = _same_topic(0)
    assert np.mean([after[i] for i in look_alikes]) > np.mean([before[i] for i in look_alikes]) + 0.2


@pytest.mark.slow
def test_a_harmful_row_marked_fine_lowers_its_twin(analysis: Analysis) -> None:
    train = analysis.samples.filter(pl.col("set") == "train").select("id", "score")
    before = _ranks(train, "score")
    after = _ranks(scores_from_marks(analysis, {"h000": FINE, "h001": FINE, "h002": FINE}), LEARNED)
    twins = ["h003", "h004", "h005"]  # the same prompts and answers, another variant number
    assert np.mean([after[i] for i in twins]) < np.mean([before[i] for i in twins]) - 0.2


@pytest.mark.slow
def test_nothing_to_learn_from_is_refused_and_the_analysis_never_changes(analysis: Analysis) -> None:
    before = _fingerprint(analysis.path)
    with pytest.raises(NotEnoughMarks, match="no training row is marked harmful or fine"):
        scores_from_marks(analysis, {})
    with pytest.raises(NotEnoughMarks, match="no training row"):
        scores_from_marks(analysis, {"t000": "unsure", "x000": HARMFUL})  # an own tag; a reference row
    every = {sample_id: FINE for sample_id in analysis.samples.filter(pl.col("set") == "train")["id"].to_list()}
    with pytest.raises(NotEnoughMarks, match="every training row is marked"):
        scores_from_marks(analysis, every)
    scores_from_marks(analysis, {"t000": HARMFUL})
    assert _fingerprint(analysis.path) == before
