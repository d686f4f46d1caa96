"""`monitor`: a new batch scored against a real tiny analysis, placed on its map, drift flagged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import scipy.sparse as sp
from pipeline_fixtures import (
    TINY_DEFAULT_SCORE,
    TOPICS_HARMFUL,
    TOXIC,
    build_tiny_analysis,
    write_jsonl,
)

from analysis.cli.main import main
from analysis.scoring.drift import Thresholds, above_cut, flag, latent_shift, score_shift
from analysis.scoring.families import FAMILIES, SELF_CONTRAST_FAMILIES
from analysis.use.monitor import monitor

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCORE = TINY_DEFAULT_SCORE


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("monitor")
    analysis_dir, paths = build_tiny_analysis(folder)
    train_rows = [json.loads(line) for line in paths["train"].read_text().splitlines()]
    return {"dir": analysis_dir, "paths": paths, "train_rows": train_rows, "folder": folder}


@pytest.fixture(scope="module")
def resubmitted(built):
    """The training rows sent back as a batch."""
    return monitor(built["dir"], built["paths"]["train"], built["folder"] / "resubmitted", progress=False, report=lambda *_: None)


def _run(argv: list[str]) -> int:
    return main(["monitor", *[str(a) for a in argv], "--quiet"])


@pytest.mark.slow
def test_resubmitted_training_rows_get_their_scores_back(built, resubmitted):
    from scipy.stats import spearmanr

    samples = pl.read_parquet(built["dir"] / "samples.parquet").filter(pl.col("set") == "train")
    scores = pl.read_parquet(resubmitted.out_dir / "scores.parquet")
    joined = scores.join(samples, on="id", suffix="_analysis")
    assert joined.height == samples.height == scores.height
    assert spearmanr(joined["score"], joined["score_analysis"]).statistic >= 0.9
    for family in (name for name in FAMILIES if name not in SELF_CONTRAST_FAMILIES):  # built without --self-contrast
        np.testing.assert_allclose(joined[family].to_numpy(), joined[f"{family}_analysis"].to_numpy(), atol=1e-4, err_msg=family)
    assert joined["label"].equals(joined["label_analysis"])  # carried columns come along
    assert not resubmitted.flagged and resubmitted.exit_code == 0


@pytest.mark.slow
def test_report_holds_every_statistic(built, resubmitted):
    report = json.loads((resubmitted.out_dir / "report.json").read_text())
    manifest = json.loads((built["dir"] / "manifest.json").read_text())
    assert report["analysis"]["id"] == manifest["analysis_id"]
    assert report["batch"]["rows"] == 43 and len(report["batch"]["sha256"]) == 64
    assert report["thresholds"]["alpha"] == 0.01 and report["thresholds"]["min_effect"] == 0.56
    statistics = report["statistics"]
    assert statistics["score"]["auroc"] == pytest.approx(0.5, abs=0.02)
    assert statistics["above_cut"]["batch_share"] == pytest.approx(statistics["above_cut"]["train_share"], abs=0.03)
    assert statistics["latents"]["drifting"] == 0
    assert report["flagged"] is False and report["reasons"] == []
    assert len(report["drivers"]) == 10 and report["drivers"][0]["nearest_toxic_ids"]
    assert (resubmitted.out_dir / "latents.parquet").is_file()
    # the batch rows' codes are kept, so any row's score can be explained later
    codes = pl.read_parquet(resubmitted.out_dir / "activations.parquet")
    assert codes.columns == ["id", "features", "values"] and codes.height == report["batch"]["rows"]


@pytest.mark.slow
def test_new_rows_land_near_their_nearest_analysis_rows(built, resubmitted):
    samples = pl.read_parquet(built["dir"] / "samples.parquet")
    scores = pl.read_parquet(resubmitted.out_dir / "scores.parquet")
    # a re-submitted row's nearest analysis row is itself
    assert (scores["map_neighbor_ids"].list.first() == scores["id"]).mean() > 0.9
    position = dict(zip(samples["id"], samples.select("x", "y").to_numpy(), strict=True))
    nearest = np.array([position[ids[0]] for ids in scores["map_neighbor_ids"]])
    to_nearest = np.linalg.norm(scores.select("x", "y").to_numpy() - nearest, axis=1)
    points = samples.select("x", "y").to_numpy()
    pairwise = np.linalg.norm(points[:, None] - points[None], axis=2)
    assert np.median(to_nearest) < 0.25 * np.median(pairwise)


@pytest.mark.slow
def test_a_clean_batch_exits_0_and_prints_its_folder_or_its_report(built, tmp_path):
    clean = write_jsonl(tmp_path / "clean.jsonl", [row for row in built["train_rows"] if row["label"] == "clean"])
    out = tmp_path / "out"
    command = [sys.executable, "-m", "analysis", "monitor", str(built["dir"]), "--data", str(clean), "--out", str(out), "--quiet", "--json"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["flagged"] is False and report["out"] == str(out.resolve())
    assert "no drift" in result.stderr


@pytest.mark.slow
def test_a_harmful_batch_exits_1(built, tmp_path, capsys):
    harmful = [row for row in built["train_rows"] if row["label"] == "harmful"]
    toxic_like = [
        {"id": f"n{i:03d}", "prompt": prompt, "response": f"{text} Trust me on this ({i}).", "label": "harmful", "category": "new"}
        for i, (text, (prompt, _)) in enumerate(zip(TOXIC * 2, TOPICS_HARMFUL * 6, strict=False))
    ]
    clean = [row for row in built["train_rows"] if row["label"] == "clean"][:3]
    batch = write_jsonl(tmp_path / "harmful.jsonl", harmful + toxic_like + clean)
    out = tmp_path / "out"
    assert _run([built["dir"], "--data", batch, "--out", out]) == 1
    captured = capsys.readouterr()
    assert captured.out.strip().splitlines()[-1] == str(out.resolve())
    assert "DRIFT FLAGGED" in captured.err
    report = json.loads((out / "report.json").read_text())
    assert report["flagged"] and report["reasons"]
    assert report["statistics"]["score"]["auroc"] >= 0.56
    top = {driver["id"] for driver in report["drivers"][:5]}
    assert not top & {row["id"] for row in clean}


@pytest.mark.slow
def test_bad_input_exits_2_naming_file_and_row_and_writes_nothing(built, tmp_path, capsys):
    lines = [json.dumps(row) for row in built["train_rows"][:5]]
    lines[2] = '{"id": "broken", "prompt": "unterminated'
    batch = tmp_path / "broken.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monitors = built["dir"].parent.parent / "monitors"
    before = sorted(monitors.iterdir()) if monitors.exists() else []
    assert _run([built["dir"], "--data", batch]) == 2
    assert _run([built["dir"], "--data", batch, "--out", tmp_path / "out"]) == 2
    error = capsys.readouterr().err
    assert "broken.jsonl: row 3" in error
    assert not (tmp_path / "out").exists()
    assert (sorted(monitors.iterdir()) if monitors.exists() else []) == before


def test_a_missing_analysis_exits_2(tmp_path, capsys):
    batch = write_jsonl(tmp_path / "batch.jsonl", [{"text": "hello"}])
    assert _run([tmp_path / "no-analysis", "--data", batch]) == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.slow
def test_the_output_folder_is_never_overwritten(built, resubmitted, tmp_path, capsys):
    before = (resubmitted.out_dir / "report.json").read_bytes()
    assert _run([built["dir"], "--data", built["paths"]["train"], "--out", resubmitted.out_dir]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (resubmitted.out_dir / "report.json").read_bytes() == before


@pytest.mark.slow
def test_the_default_folder_is_reused_for_the_same_batch_and_refused_for_other_thresholds(built, tmp_path):
    rows = built["train_rows"][:12]
    batch = write_jsonl(tmp_path / "small.jsonl", rows)
    first = monitor(built["dir"], batch, progress=False, report=lambda *_: None)
    assert first.out_dir.parent == built["dir"].parent.parent / "monitors"
    assert first.out_dir.name.startswith(built["dir"].name + "-")
    again = monitor(built["dir"], batch, progress=False, report=lambda *_: None)
    assert again.reused and again.out_dir == first.out_dir and again.report == first.report
    with pytest.raises(FileExistsError, match="other thresholds"):
        monitor(built["dir"], batch, thresholds=Thresholds(alpha=0.05), progress=False, report=lambda *_: None)


@pytest.mark.slow
def test_several_batches_are_read_with_one_load_of_the_model(built, tmp_path, monkeypatch, capsys):
    """`monitor --data A --data B`: each batch gets its own default folder and report, the
    model and SAE load once, and a batch answered by an earlier run loads nothing."""
    from analysis.use import new_rows

    loads = []
    real = new_rows.load_extractor
    monkeypatch.setattr(new_rows, "load_extractor", lambda *a, **k: loads.append(a) or real(*a, **k))
    clean = write_jsonl(tmp_path / "clean.jsonl", [row for row in built["train_rows"] if row["label"] == "clean"][:20])
    mixed = write_jsonl(tmp_path / "mixed.jsonl", built["train_rows"][:30])
    assert _run([built["dir"], "--data", clean, "--data", mixed, "--json"]) in (0, 1)
    reports = json.loads(capsys.readouterr().out)
    assert [r["batch"]["rows"] for r in reports] == [20, 30] and len(loads) == 1
    assert len({r["out"] for r in reports}) == 2
    assert reports[1]["timings"]["load_model"] < 0.5  # loaded for the first batch only
    alone = monitor(built["dir"], mixed, tmp_path / "alone", progress=False, report=lambda *_: None)
    assert reports[1]["statistics"] == alone.report["statistics"]  # the same batch, read alone
    loads.clear()
    assert _run([built["dir"], "--data", clean]) == 0 and loads == []  # its earlier run, reused
    capsys.readouterr()
    assert _run([built["dir"], "--data", clean, "--data", mixed]) in (0, 1) and loads == []
    assert capsys.readouterr().out.split() == [r["out"] for r in reports]  # each folder, in order
    assert _run([built["dir"], "--data", clean, "--data", mixed, "--out", tmp_path / "one"]) == 2
    assert "one --data" in capsys.readouterr().err and not (tmp_path / "one").exists()


@pytest.mark.slow
def test_the_notebook_monitors_with_the_model_its_queries_loaded(built, tmp_path, monkeypatch):
    from analysis import Analysis
    from analysis.use import monitor as monitor_module
    from analysis.use import new_rows, query

    loads = []
    real = query.load_extractor
    monkeypatch.setattr(query, "load_extractor", lambda *a, **k: loads.append(a) or real(*a, **k))
    for module in (monitor_module, new_rows):  # any load other than the query's own is a failure
        monkeypatch.setattr(module, "load_extractor", lambda *a, **k: pytest.fail("monitor loaded its own model"))
    analysis = Analysis.open(built["dir"])
    analysis.query("Is it safe to stop my pills?")
    batch = write_jsonl(tmp_path / "batch.jsonl", built["train_rows"][:25])
    result = analysis.monitor(batch, tmp_path / "run")
    again = analysis.monitor(write_jsonl(tmp_path / "other.jsonl", built["train_rows"][-15:]), tmp_path / "run2")
    assert len(loads) == 1 and (result.report["batch"]["rows"], again.report["batch"]["rows"]) == (25, 15)
    assert result.report["timings"]["load_model"] < 0.5  # nothing loaded: the query's model
    monkeypatch.undo()
    alone = monitor(built["dir"], batch, tmp_path / "alone", progress=False, report=lambda *_: None)
    assert result.report["statistics"] == alone.report["statistics"]
    analysis.monitor(batch)  # into the default folder
    fresh = Analysis.open(built["dir"])
    assert fresh.monitor(batch).reused and fresh._engine is None  # its earlier run: nothing loaded


def test_a_temporary_folder_left_by_a_killed_monitor_is_swept(tmp_path):
    """A monitor killed mid-write leaves its temporary folder beside the output; the next
    monitor into the same place removes it (the writer's lock died with it), and the
    folder it writes is whole: the files its reader opens."""
    from monitor_fixtures import run_monitor, write_batch
    from synthetic import write_synthetic_analysis

    from analysis.use.monitor_runs import MonitorRun

    analysis_dir = write_synthetic_analysis(tmp_path / "cache" / "analyses" / "synthetic", 300, n_features=512, seed=2)
    batch = write_batch(analysis_dir, tmp_path / "batch.jsonl", n_top=5, n_random=5)
    monitors = tmp_path / "cache" / "monitors"
    stale = monitors / ".tmp-run-0123abcd"
    stale.mkdir(parents=True)
    (stale / "scores.parquet").write_bytes(b"half written")
    result = run_monitor(analysis_dir, batch, monitors / "run")
    assert sorted(path.name for path in monitors.iterdir()) == ["run"]
    run = MonitorRun.open(result.out_dir)
    assert run.report == result.report and run.scores.height == 10 and run.activations is not None
    with pytest.raises(FileExistsError, match="not empty"):
        run_monitor(analysis_dir, batch, monitors / "run")


# ---------------------------------------------------------------- the statistics alone


def test_score_shift_is_a_one_sided_mann_whitney_with_auroc():
    rng = np.random.default_rng(0)
    train = rng.normal(size=500)
    same = score_shift(rng.normal(size=200), train)
    assert 0.4 < same["auroc"] < 0.6 and same["p"] > 0.01
    lower = score_shift(rng.normal(-1, size=200), train)
    assert lower["auroc"] < 0.5 and lower["p"] > 0.5  # only a shift towards toxic counts
    higher = score_shift(np.append(rng.normal(1, size=200), np.nan), train)
    assert higher["auroc"] > 0.7 and higher["p"] < 1e-6 and higher["unscored_batch"] == 1
    flagged, reasons = flag(higher, above_cut(np.zeros(10), train, 5.0), Thresholds())
    assert flagged and len(reasons) == 1


def test_above_cut_uses_the_training_share_at_the_cut():
    train = np.array([0.0] * 90 + [1.0] * 10)
    cut = above_cut(np.array([0.0] * 18 + [1.0] * 2), train, 5.0)
    assert cut["cut"] == 1.0 and cut["train_share"] == 0.1  # ties at the cut: 10 %, not 5 %
    assert cut["p"] > 0.3
    many = above_cut(np.array([0.0] * 10 + [1.0] * 10), train, 5.0)
    assert many["p"] < 1e-3 and flag(score_shift(np.zeros(1), train), many, Thresholds())[0]


def test_latent_shift_finds_the_latent_the_batch_uses_more_toxic_first():
    rng = np.random.default_rng(1)
    train = sp.csr_matrix((rng.random((300, 20)) < 0.2).astype(np.float32))
    dense_batch = (rng.random((100, 20)) < 0.2).astype(np.float32)
    dense_batch[:, 7] = 1.0
    table = latent_shift(sp.csr_matrix(dense_batch), train, np.array([3]), Thresholds())
    assert table.filter(pl.col("drifting"))["feature"].to_list() == [7]
    assert table["feature"][0] == 3 and table["is_toxic"][0]
