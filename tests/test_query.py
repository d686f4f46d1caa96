"""`query`: any text read, scored and placed by a real tiny analysis with nothing refitted, from
the command line, the library (`analysis.Analysis`) and the notebook example."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from pipeline_fixtures import (
    TINY_DEFAULT_SCORE,
    TOXIC,
    build_tiny_analysis,
    write_jsonl,
)
from synthetic import write_synthetic_analysis

from analysis import Analysis, FilterRule
from analysis.artifacts.inputs import InputError, records_frame
from analysis.cli.main import main
from analysis.scoring.families import FAMILIES, SELF_CONTRAST_FAMILIES
from analysis.use.query import NEAREST_PER_SET, TOP_ACTIVE, format_answer, visible

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCORE = TINY_DEFAULT_SCORE
ANSWER_KEYS = {"id", "text", "score_spec", "score", "scores", "percentile", "x", "y", "nearest", "latents", "active_latents"}
# The families of an analysis built without --self-contrast (the one these tests build).
BUILT_FAMILIES = tuple(name for name in FAMILIES if name not in SELF_CONTRAST_FAMILIES)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("query")
    analysis_dir, paths = build_tiny_analysis(folder)
    return {"dir": analysis_dir, "paths": paths}


@pytest.fixture(scope="module")
def opened(built):
    """The notebook's Analysis: its model loads on the first query and is kept for the module."""
    return Analysis.open(built["dir"])


def _training_rows(opened: Analysis, n: int) -> list[dict]:
    return opened.samples.filter(pl.col("set") == "train").head(n).to_dicts()


@pytest.mark.slow
def test_a_training_row_queried_comes_back_with_its_own_scores_and_itself_as_nearest(opened):
    rows = _training_rows(opened, 4)
    answers = opened.query([{"prompt": row["prompt"], "response": row["response"]} for row in rows])
    n_train = int((opened.samples["set"] == "train").sum())
    for row, answer in zip(rows, answers, strict=True):
        nearest = answer["nearest"]["train"][0]
        assert nearest["id"] == row["id"] and nearest["similarity"] == pytest.approx(1.0, abs=1e-4)
        for family in BUILT_FAMILIES:
            assert answer["scores"][family] == pytest.approx(row[family], abs=1e-4), family
        # the rank average, as the build made it: the saved scorer's calibration on the training
        # rows, never the query's own rows ...
        families = pl.DataFrame({family: [answer["scores"][family]] for family in BUILT_FAMILIES})
        assert answer["score"] == opened.engine.scorer.combine(families, DEFAULT_SCORE)[0]
        # ... so the row gets its stored score back, up to half a rank where rounding in the last
        # float32 digit turns its tie with itself among the training rows into a strict inequality
        assert answer["score"] == pytest.approx(row["score"], abs=0.5 / n_train + 1e-9)
        assert answer["text"] == row["text"] and answer["score_spec"] == DEFAULT_SCORE


@pytest.mark.slow
def test_a_training_rows_strongest_latents_are_its_stored_activations(opened):
    (row,) = _training_rows(opened, 1)
    (answer,) = opened.query({"prompt": row["prompt"], "response": row["response"]})
    stored = opened.engine.analysis.activations.filter(pl.col("id") == row["id"]).row(0, named=True)
    order = np.argsort(-np.asarray(stored["values"]), kind="stable")[:TOP_ACTIVE]
    expected = np.asarray(stored["features"])[order]
    active = answer["active_latents"]
    assert [latent["feature"] for latent in active] == expected.tolist()
    assert [latent["activation"] for latent in active] == pytest.approx(np.asarray(stored["values"])[order], abs=1e-3)
    assert all(a["activation"] >= b["activation"] for a, b in zip(active, active[1:], strict=False))
    features = opened.engine.analysis.features.filter(pl.col("feature").is_in(expected.tolist()))
    toxic = dict(zip(features["feature"].to_list(), features["is_toxic"].to_list(), strict=True))
    assert all(latent["is_toxic"] == toxic.get(latent["feature"], False) for latent in active)


@pytest.mark.slow
def test_the_model_loads_once_per_analysis_object(opened):
    opened.query("A first question.")
    engine = opened.engine
    opened.query(["A second question."])
    assert opened.engine is engine


@pytest.mark.slow
def test_percentile_lies_in_0_100_and_rises_with_the_score(opened):
    texts = [*TOXIC[:4], "Feed your sourdough starter daily.", "Back up your laptop weekly.", "Ignore the court letter."]
    answers = opened.query(texts)
    ordered = sorted(answers, key=lambda answer: answer["score"])
    percentiles = [answer["percentile"] for answer in ordered]
    assert all(0.0 <= value <= 100.0 for value in percentiles)
    assert percentiles == sorted(percentiles)
    train = opened.samples.filter(pl.col("set") == "train")["score"].to_numpy()
    for answer in answers:  # the mid-rank share of training rows below
        expected = 100.0 * ((train < answer["score"]).sum() + 0.5 * (train == answer["score"]).sum()) / len(train)
        assert answer["percentile"] == pytest.approx(expected)


@pytest.mark.slow
def test_two_texts_at_once_equal_two_single_queries(opened):
    texts = ["Skip the court date, judges forget.", {"prompt": "How do I save money?", "response": "Plan your meals."}]
    together = opened.query(texts)
    alone = [opened.query(text)[0] for text in texts]
    for both, single in zip(together, alone, strict=True):
        assert both.keys() == single.keys()
        for key in ("id", "text", "score_spec"):
            assert both[key] == single[key], key
        # a batch of two runs the model's float32 arithmetic in other blocks: equal up to rounding
        assert [(row["family"], row["feature"]) for row in both["latents"]] == [(row["family"], row["feature"]) for row in single["latents"]]
        assert [row["contribution"] for row in both["latents"]] == pytest.approx([row["contribution"] for row in single["latents"]], abs=1e-5)
        for key in ("score", "percentile", "x", "y"):
            assert both[key] == pytest.approx(single[key], abs=1e-5), key
        for family in BUILT_FAMILIES:
            assert both["scores"][family] == pytest.approx(single["scores"][family], abs=1e-5), family
        for name in ("train", "toxic", "benign"):
            assert [row["id"] for row in both["nearest"][name]] == [row["id"] for row in single["nearest"][name]]


@pytest.mark.slow
def test_json_output_has_every_key_for_texts_and_file_rows(built, tmp_path, capsys):
    train_rows = [json.loads(line) for line in built["paths"]["train"].read_text().splitlines()][:2]
    rows = write_jsonl(tmp_path / "rows.jsonl", train_rows)
    status = main(["query", str(built["dir"]), "--text", "Stop your medication now.", "--file", str(rows), "--json"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    answers = json.loads(captured.out)
    assert len(answers) == 3
    for answer in answers:
        assert answer.keys() >= ANSWER_KEYS
        assert set(answer["scores"]) == set(BUILT_FAMILIES) and "own_response" not in answer
        assert set(answer["nearest"]) == {"train", "toxic", "benign"}
        assert all(len(found) == NEAREST_PER_SET for found in answer["nearest"].values())
        assert all(set(row) == {"id", "similarity"} for found in answer["nearest"].values() for row in found)
        similarities = [row["similarity"] for row in answer["nearest"]["toxic"]]
        assert similarities == sorted(similarities, reverse=True)  # best first
    # file rows are read as the build read them: a training row finds itself
    assert [answer["nearest"]["train"][0]["id"] for answer in answers[1:]] == [row["id"] for row in train_rows]
    assert "model and SAE loaded in" in captured.err and "query 3/3:" in captured.err


@pytest.mark.slow
def test_the_readable_summary_prints_data_text_as_plain_escaped_text(built, capsys):
    status = main(["query", str(built["dir"]), "--text", "**bold** <b>tag</b> \x1b[31mred"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "**bold** <b>tag</b> \\x1b[31mred" in captured.out and "\x1b" not in captured.out
    assert "percentile" in captured.out and "nearest toxic:" in captured.out


def test_a_bad_file_row_fails_naming_file_and_row_and_writes_nothing(tmp_path, capsys):
    analysis_dir = write_synthetic_analysis(tmp_path / "cache" / "analyses" / "synthetic", 120, n_features=512, seed=3)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "fine"}\n{"id": "b", "text": "   "}\n', encoding="utf-8")
    before = sorted(path for path in tmp_path.rglob("*"))
    status = main(["query", str(analysis_dir), "--file", str(bad), "--json"])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert "bad.jsonl: row 2: the text is empty" in captured.err
    assert sorted(path for path in tmp_path.rglob("*")) == before


def test_query_needs_a_text_or_a_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["query", str(tmp_path)])
    assert stopped.value.code == 2 and "--text or a --file" in capsys.readouterr().err


def test_a_missing_analysis_exits_2(tmp_path, capsys):
    assert main(["query", str(tmp_path / "nowhere"), "--text", "hello"]) == 2
    assert "not a complete analysis folder" in capsys.readouterr().err


def test_in_memory_rows_are_read_as_file_rows_are():
    rows = records_frame(["plain", {"prompt": "Q?", "response": "A."}, {"text": "with id", "id": 7}])
    assert rows["text"].to_list() == ["plain", "Q?\n\nA.", "with id"]
    assert rows["response_start"].to_list() == [None, 4, None]
    assert rows["id"][2] == "7"
    with pytest.raises(InputError, match=r"query: row 2: the text is empty"):
        records_frame(["fine", "  "])
    with pytest.raises(InputError, match=r"query: row 1: 'response' is missing|query: row 1: no text field"):
        records_frame([{"prompt": "only a prompt"}])


def test_printed_text_cannot_drive_the_terminal():
    assert visible("a\x1b[2Jb\u202ec") == "a\\x1b[2Jb\\u202ec"
    answer = {
        "text": "x\x07", "score": 0.5, "score_spec": "score_knn", "percentile": 50.0, "x": 0.0, "y": 0.0,
        "nearest": {"train": [{"id": "t\x1b", "similarity": 0.9}], "toxic": [], "benign": []},
        "latents": [], "scores": {"score_knn": 0.5},
    }
    shown = format_answer(answer, 1)
    assert "\x1b" not in shown and "\x07" not in shown and "nearest toxic: none" in shown


def test_the_notebook_analysis_selects_by_expression_or_ids_and_exports(tmp_path):
    folder = write_synthetic_analysis(tmp_path / "analyses" / "synthetic-notebook", 200)
    opened = Analysis.open(folder)
    train = opened.select(pl.col("set") == "train")
    assert train.height == (opened.samples["set"] == "train").sum() and train.columns == opened.samples.columns
    ids = train["id"].to_list()[:3][::-1]
    assert opened.select(ids)["id"].to_list() == ids  # in the order asked
    assert opened.select(ids[0])["id"].to_list() == ids[:1]
    with pytest.raises(KeyError, match="no-such-id"):
        opened.select([ids[0], "no-such-id"])
    out = opened.export(FilterRule(score="score", top_percent=10), tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["removed"] == round(0.10 * train.height)


@pytest.mark.slow
def test_the_notebook_example_runs_offline(built, tmp_path):
    env = {**os.environ, "ANALYSIS_EXAMPLE_DIR": str(built["dir"]), "TMPDIR": str(tmp_path), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run([sys.executable, str(ROOT / "docs" / "notebook_example.py")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "training rows in the top 5% of the score" in result.stdout
    assert result.stdout.count("score ") >= 2 and "manifest.json" in result.stdout
    exported = list(tmp_path.glob("export-*/top10/manifest.json"))
    assert len(exported) == 1 and np.isfinite(json.loads(exported[0].read_text())["counts"]["kept"])
