import hashlib
import json
import re
from pathlib import Path

import polars as pl
import pytest

from analysis.artifacts.folder import AnalysisFormatError
from analysis.artifacts.inputs import load_table
from analysis.artifacts.layout import ANALYSIS_FORMAT_VERSION
from analysis.cli.main import main as cli_main
from analysis.use.export import (
    EmptyScoreError,
    ExportError,
    FilterRule,
    decide,
    export,
    reapply,
    score_cut_summary,
    top_count,
    usable_score_columns,
)

# ---------------------------------------------------------------- a small fake analysis

TRAIN_ROWS = [
    {"id": "a", "text": "alpha", "label": 0, "tags": ["x"]},
    {"id": "b", "text": "bravo", "label": 1, "tags": []},
    {"id": "c", "text": "charlie", "label": 0, "tags": ["y", "z"]},
    {"id": "d", "text": "delta", "label": 1, "tags": None},
    {"id": "e", "text": "echo", "label": 0, "tags": ["x"]},
]
SCORES = {"a": 0.9, "b": 0.5, "c": 0.5, "d": 0.1, "e": 0.7}
CLUSTERS = {"a": 1, "b": 2, "c": 2, "d": -1, "e": 1}


def samples_frame(train_ids: list[str]) -> pl.DataFrame:
    toxic = pl.DataFrame(
        {
            "id": ["t1", "t2"],
            "set": ["toxic", "toxic"],
            "text": ["bad", "worse"],
            "cluster": [1, 1],
            "score": [1.0, 1.0],
            "score_knn": [1.0, 1.0],
        }
    )
    train = pl.DataFrame(
        {
            "id": train_ids,
            "set": ["train"] * len(train_ids),
            "text": [f"text {i}" for i in train_ids],
            "cluster": [CLUSTERS[i] for i in train_ids],
            "score": [SCORES[i] for i in train_ids],
            "score_knn": [1 - SCORES[i] for i in train_ids],
        }
    )
    # The analysis may order rows differently from the input: export must follow the input.
    return pl.concat([toxic, train.reverse()]).with_columns(pl.col("cluster").cast(pl.Int32))


def write_input(folder: Path, file_format: str) -> Path:
    frame = pl.DataFrame(TRAIN_ROWS)
    if file_format == "jsonl":
        path = folder / "train.jsonl"
        # Odd but valid spacing and key order, plus a blank line: kept lines must be copied, not re-encoded.
        lines = [json.dumps(row, indent=None, separators=(", ", ":  ")) for row in TRAIN_ROWS]
        lines[2] = '{"text": "charlie", "id": "c", "label": 0, "tags": ["y", "z"]}'
        path.write_bytes(("\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n").encode())
    elif file_format == "csv":
        path = folder / "train.csv"
        frame = frame.drop("tags").with_columns(
            pl.Series("amount", ["1.50", "007", "2", "3.0", "x"])
        )
        frame.write_csv(path)
    else:
        path = folder / "train.parquet"
        frame.write_parquet(path)
    return path


def make_analysis(tmp_path: Path, file_format: str = "jsonl") -> tuple[Path, Path]:
    inputs = tmp_path / "inputs"
    inputs.mkdir(exist_ok=True)
    input_path = write_input(inputs, file_format)
    table = load_table(input_path, "train")
    analysis_dir = tmp_path / "cache" / "analyses" / f"demo-{file_format}"
    analysis_dir.mkdir(parents=True)
    samples_frame(table.frame["id"].to_list()).write_parquet(analysis_dir / "samples.parquet")
    manifest = {
        "format_version": ANALYSIS_FORMAT_VERSION,
        "analysis_id": f"demo-{file_format}-0123456789ab",
        "command": "python -m analysis build --train inputs/train",
        "inputs": {
            "train": {
                "path": str(input_path.resolve()),
                "format": file_format,
                "sha256": table.sha256,
                "rows": table.frame.height,
            },
            "toxic": {"path": "toxic.jsonl", "format": "jsonl", "sha256": "0" * 64, "rows": 2},
            "benign": None,
        },
    }
    (analysis_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return analysis_dir, input_path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- FilterRule and decide


def decisions(rule: FilterRule) -> dict[str, str]:
    out = decide(samples_frame(list(SCORES)), rule)
    assert out.columns == ["id", "removed", "reason"]
    assert out["id"].to_list() == ["e", "d", "c", "b", "a"]  # samples order, train only
    assert out["removed"].to_list() == [r != "" for r in out["reason"].to_list()]
    return {row["id"]: row["reason"] for row in out.filter("removed").iter_rows(named=True)}


def test_top_percent_rounds_half_up_and_breaks_ties_by_id():
    # 50% of 5 = 2.5 -> 3 rows: a (0.9), e (0.7), then b and c tie at 0.5: b wins by id.
    removed = decisions(FilterRule(top_percent=50))
    assert set(removed) == {"a", "e", "b"}
    assert removed["a"] == "top 50% by score (>= 0.5)"


def test_top_percent_on_another_score_column():
    assert set(decisions(FilterRule(score="score_knn", top_percent=20))) == {"d"}


def test_threshold_is_inclusive():
    removed = decisions(FilterRule(threshold=0.5))
    assert removed == {
        "a": "score >= 0.5",
        "b": "score >= 0.5",
        "c": "score >= 0.5",
        "e": "score >= 0.5",
    }


def test_clusters_and_manual_reasons_are_joined():
    removed = decisions(FilterRule(threshold=0.8, clusters=(1,), remove_ids=("a", "d")))
    assert removed == {"a": "score >= 0.8; cluster 1; manual", "e": "cluster 1", "d": "manual"}


def test_keep_ids_win_over_everything():
    removed = decisions(
        FilterRule(top_percent=100, clusters=(1, 2), remove_ids=("a",), keep_ids=("a", "c"))
    )
    assert set(removed) == {"b", "d", "e"}


def partly_missing(samples: pl.DataFrame) -> pl.DataFrame:
    """b loses its score (null), d gets NaN: a (0.9), e (0.7), c (0.5) stay scored."""
    return samples.with_columns(
        pl.when(pl.col("id") == "d")
        .then(float("nan"))
        .when(pl.col("id") == "b")
        .then(None)
        .otherwise(pl.col("score"))
        .alias("score")
    )


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # q% of the 3 scored rows, not of all 5: 40% -> 1.2 -> 1, 50% -> 1.5 -> 2, 100% -> 3
        (FilterRule(top_percent=40), {"a"}),
        (FilterRule(top_percent=50), {"a", "e"}),
        (FilterRule(top_percent=100), {"a", "e", "c"}),
        (FilterRule(threshold=0.0), {"a", "e", "c"}),
        (FilterRule(threshold=0.6), {"a", "e"}),
        # other criteria still remove unscored rows
        (FilterRule(top_percent=100, remove_ids=("b",)), {"a", "e", "c", "b"}),
    ],
)
def test_a_score_cut_never_removes_an_unscored_row(rule, expected):
    out = decide(partly_missing(samples_frame(list(SCORES))), rule)
    assert set(out.filter("removed")["id"]) == expected
    summary = score_cut_summary(partly_missing(samples_frame(list(SCORES))), rule)
    assert (summary["scored"], summary["unscored"]) == (3, 2)


def test_export_of_a_partly_missing_score_reports_unscored_rows_and_reapplies(tmp_path):
    analysis_dir, _ = make_analysis(tmp_path)
    samples_path = analysis_dir / "samples.parquet"
    partly_missing(pl.read_parquet(samples_path)).write_parquet(samples_path)
    out = export(analysis_dir, FilterRule(top_percent=100), tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["score_cut"] == {"score": "score", "scored": 3, "unscored": 2, "top_percent_rows": 3}
    assert manifest["counts"]["removed"] == 3
    assert pl.read_parquet(out / "kept.parquet")["id"].to_list() == ["b", "d"]
    again = reapply(out / "manifest.json", tmp_path / "again")
    for name in manifest["outputs"]:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


@pytest.mark.parametrize("missing", [float("nan"), None])
@pytest.mark.parametrize(
    "rule",
    [FilterRule(score="score_probe", top_percent=5), FilterRule(score="score_probe", threshold=0.5)],
)
def test_a_score_with_no_value_on_training_rows_is_refused(tmp_path, capsys, missing, rule):
    # What a build without a benign reference writes: score_probe left empty (reference rows too).
    analysis_dir, _ = make_analysis(tmp_path)
    samples_path = analysis_dir / "samples.parquet"
    samples = pl.read_parquet(samples_path).with_columns(
        pl.lit(missing, dtype=pl.Float64).alias("score_probe")
    )
    samples.write_parquet(samples_path)
    message = "score_probe has no value on any training row"
    with pytest.raises(EmptyScoreError, match=message):
        decide(samples, rule)
    with pytest.raises(EmptyScoreError, match=message):
        export(analysis_dir, rule, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert usable_score_columns(samples) == ["score", "score_knn"]
    # clusters and manual choices do not need the score
    assert set(decide(samples, FilterRule(score="score_probe", clusters=(2,))).filter("removed")["id"]) == {"b", "c"}

    flag = ["--top-percent", "5"] if rule.top_percent else ["--threshold", "0.5"]
    code = cli_main(["export", str(analysis_dir), "--score", "score_probe", *flag, "--out", str(tmp_path / "cli")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: " + message) and err.count("\n") == 1
    assert not (tmp_path / "cli").exists()


def test_the_cli_notes_unscored_rows(tmp_path, capsys):
    analysis_dir, _ = make_analysis(tmp_path)
    samples_path = analysis_dir / "samples.parquet"
    partly_missing(pl.read_parquet(samples_path)).write_parquet(samples_path)
    assert cli_main(["export", str(analysis_dir), "--top-percent", "50", "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str((tmp_path / "out").resolve())
    assert "2 of 5 training rows have no score value" in captured.err


def test_top_count_rounds_half_up_with_at_least_one_row():
    assert top_count(0.1, 300) == 1  # 0.3 rounds to 0: a cut that was asked for removes a row
    assert top_count(5, 10) == 1  # 0.5 rounds up
    assert top_count(2.5, 100) == 3  # 2.5 rounds up (Python's round() gives 2)
    assert top_count(2.3, 1500) == 35  # exactly 34.5; binary floats give 34.4999...
    assert top_count(100, 7) == 7 and top_count(40, 3) == 1
    assert top_count(5, 0) == 0
    with pytest.raises(ValueError, match="top_percent"):
        top_count(0, 10)


def test_rule_validation():
    with pytest.raises(ValueError, match="removes nothing"):
        decide(samples_frame(list(SCORES)), FilterRule(keep_ids=("a",)))
    with pytest.raises(ValueError, match=r"available: \['score', 'score_knn'\]"):
        decide(samples_frame(list(SCORES)), FilterRule(score="score_nope", threshold=0.1))
    with pytest.raises(ValueError, match="not training rows"):
        decide(samples_frame(list(SCORES)), FilterRule(remove_ids=("t1",)))
    with pytest.raises(ValueError, match="top_percent"):
        FilterRule(top_percent=0)
    with pytest.raises(ValueError, match="top_percent"):
        FilterRule(top_percent=101)


def test_rule_round_trips_through_dict_and_json():
    rule = FilterRule(
        score="score_knn", top_percent=5, clusters=(7, 3), remove_ids=("x",), keep_ids=("y",)
    )
    again = FilterRule.from_dict(json.loads(json.dumps(rule.to_dict())))
    assert again == rule
    assert (
        rule.describe()
        == "remove top 5% by score_knn or clusters 7, 3 or 1 id(s) chosen by hand; always keep 1 id(s)"
    )
    with pytest.raises(ValueError, match="unknown filter rule fields"):
        FilterRule.from_dict({"scroe": "score"})


# ---------------------------------------------------------------- export

RULE = FilterRule(top_percent=40, remove_ids=("d",))  # removes a, e (top 2) and d


def test_jsonl_export_copies_original_lines(tmp_path):
    analysis_dir, input_path = make_analysis(tmp_path, "jsonl")
    out = export(analysis_dir, RULE, tmp_path / "out")
    lines = [line for line in input_path.read_bytes().split(b"\n") if line.strip()]
    assert (out / "kept.jsonl").read_bytes() == lines[1] + b"\n" + lines[2] + b"\n"
    assert (out / "removed.jsonl").read_bytes() == b"\n".join(
        [lines[0], lines[3], lines[4]]
    ) + b"\n"

    annotated = pl.read_parquet(out / "removed.parquet")
    assert annotated.columns == [
        "id",
        "text",
        "label",
        "tags",
        "cluster",
        "score",
        "score_knn",
        "removed",
        "reason",
    ]
    assert annotated["id"].to_list() == ["a", "d", "e"]
    assert annotated["reason"].to_list() == [
        "top 40% by score (>= 0.7)",
        "manual",
        "top 40% by score (>= 0.7)",
    ]
    assert annotated["removed"].to_list() == [True, True, True]
    assert pl.read_parquet(out / "kept.parquet")["removed"].to_list() == [False, False]

    # the annotated JSONL is named apart from the original-format file; CSV holds lists as JSON
    assert pl.read_ndjson(out / "kept_annotated.jsonl")["id"].to_list() == ["b", "c"]
    kept_csv = pl.read_csv(out / "kept.csv")
    assert kept_csv["tags"].to_list() == ["[]", '["y","z"]']

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["analysis"]["id"] == "demo-jsonl-0123456789ab"
    assert manifest["analysis"]["manifest_sha256"] == sha(analysis_dir / "manifest.json")
    assert manifest["train_input"] == {
        "path": str(input_path.resolve()),
        "format": "jsonl",
        "sha256": sha(input_path),
        "rows": 5,
    }
    assert manifest["rule"] == RULE.to_dict()
    assert manifest["counts"] == {
        "train": 5,
        "kept": 2,
        "removed": 3,
        "removed_per_cluster": {"-1": 1, "1": 2},
        "removed_per_reason": {"top 40% by score (>= 0.7)": 2, "manual": 1},
    }
    for name, entry in manifest["outputs"].items():
        assert entry["sha256"] == sha(out / name)
    assert set(manifest["outputs"]) == {
        "kept.jsonl",
        "removed.jsonl",
        "kept.parquet",
        "removed.parquet",
        "kept.csv",
        "removed.csv",
        "kept_annotated.jsonl",
        "removed_annotated.jsonl",
    }
    assert "python -m analysis export" in manifest["command"]
    assert manifest["versions"]["polars"] == pl.__version__


def test_csv_export_keeps_values_as_written(tmp_path):
    analysis_dir, input_path = make_analysis(tmp_path, "csv")
    out = export(analysis_dir, RULE, tmp_path / "out", extra_formats=())
    original = pl.read_csv(input_path, infer_schema=False)
    kept = pl.read_csv(out / "kept.csv", infer_schema=False)
    assert kept.columns == original.columns
    assert kept.to_dicts() == original.filter(pl.col("id").is_in(["b", "c"])).to_dicts()
    assert kept["amount"].to_list() == ["007", "2"]
    assert pl.read_csv(out / "removed.csv", infer_schema=False)["amount"].to_list() == [
        "1.50",
        "3.0",
        "x",
    ]
    assert pl.read_parquet(out / "kept.parquet")["score"].to_list() == [0.5, 0.5]
    assert sorted(p.name for p in out.iterdir()) == [
        "kept.csv",
        "kept.parquet",
        "manifest.json",
        "removed.csv",
        "removed.parquet",
    ]


def test_parquet_export_keeps_values_and_names_annotated_apart(tmp_path):
    analysis_dir, input_path = make_analysis(tmp_path, "parquet")
    out = export(analysis_dir, FilterRule(clusters=(2,)), tmp_path / "out")
    original = pl.read_parquet(input_path)
    assert pl.read_parquet(out / "removed.parquet").equals(
        original.filter(pl.col("id").is_in(["b", "c"]))
    )
    assert pl.read_parquet(out / "kept.parquet").equals(
        original.filter(~pl.col("id").is_in(["b", "c"]))
    )
    annotated = pl.read_parquet(out / "removed_annotated.parquet")
    assert annotated["reason"].to_list() == ["cluster 2", "cluster 2"]
    assert (out / "kept.jsonl").is_file() and (out / "kept.csv").is_file()


def test_input_without_ids_gets_an_id_column_in_annotated_tables(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    input_path = inputs / "train.jsonl"
    input_path.write_text(
        "".join(
            json.dumps({"text": t, "cluster": "mine"}) + "\n" for t in ["p", "q", "r", "s", "t"]
        )
    )
    table = load_table(input_path, "train")
    ids = table.frame["id"].to_list()
    analysis_dir = tmp_path / "analysis"
    analysis_dir.mkdir()
    samples = pl.DataFrame(
        {
            "id": ids,
            "set": ["train"] * 5,
            "cluster": [0, 0, 1, 1, 1],
            "score": [0.1, 0.2, 0.3, 0.4, 0.5],
        }
    )
    samples.write_parquet(analysis_dir / "samples.parquet")
    manifest = {
        "format_version": ANALYSIS_FORMAT_VERSION,
        "analysis_id": "x",
        "inputs": {
            "train": {"path": str(input_path), "format": "jsonl", "sha256": table.sha256, "rows": 5}
        },
    }
    (analysis_dir / "manifest.json").write_text(json.dumps(manifest))
    out = export(analysis_dir, FilterRule(threshold=0.45), tmp_path / "out")
    annotated = pl.read_parquet(out / "removed.parquet")
    assert annotated.columns == [
        "id",
        "text",
        "input_cluster",
        "cluster",
        "score",
        "removed",
        "reason",
    ]
    assert annotated.row(0) == (ids[4], "t", "mine", 1, 0.5, True, "score >= 0.45")


def test_export_refuses_to_overwrite(tmp_path):
    analysis_dir, _ = make_analysis(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not empty"):
        export(analysis_dir, RULE, out)
    assert [p.name for p in out.iterdir()] == ["precious.txt"]
    # an existing empty folder is fine
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (export(analysis_dir, RULE, empty) / "manifest.json").is_file()


def test_failed_export_leaves_nothing_behind(tmp_path, monkeypatch):
    analysis_dir, _ = make_analysis(tmp_path)
    import analysis.use.export as export_module

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_module, "_annotated_table", broken)
    exports = tmp_path / "exports"
    exports.mkdir()
    with pytest.raises(RuntimeError, match="disk full"):
        export(analysis_dir, RULE, exports / "out")
    assert list(exports.iterdir()) == []


def test_an_analysis_of_an_old_format_is_refused_before_anything_is_written(tmp_path, capsys):
    analysis_dir, _ = make_analysis(tmp_path)
    manifest = json.loads((analysis_dir / "manifest.json").read_text())
    manifest["format_version"] = ANALYSIS_FORMAT_VERSION - 1
    (analysis_dir / "manifest.json").write_text(json.dumps(manifest))
    message = (
        f"demo-jsonl: analysis format {ANALYSIS_FORMAT_VERSION - 1}, but this version reads format "
        f"{ANALYSIS_FORMAT_VERSION}: rebuild it with this version"
    )
    with pytest.raises(AnalysisFormatError, match=re.escape(message)):
        export(analysis_dir, RULE, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    # the CLI says the same, and writes nothing either
    assert cli_main(["export", str(analysis_dir), "--clusters", "2", "--out", str(tmp_path / "cli")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "cli").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cache", "inputs"]


def test_a_temporary_folder_left_by_a_killed_export_is_swept(tmp_path):
    """An export killed mid-write (SIGKILL: no cleanup ran) leaves its temporary folder; the
    next export into the same place removes it, and leaves every other folder alone."""
    analysis_dir, _ = make_analysis(tmp_path)
    exports = tmp_path / "exports"
    stale = exports / ".tmp-out-0123abcd"  # the killed writer's lock died with it
    (stale / "half").mkdir(parents=True)
    (stale / "half" / "kept.jsonl").write_text("{}\n")
    (exports / ".tmp-out-0123abcd.lock").touch()
    mine = exports / ".tmp-mine"  # someone else's, not named like an export's temporary folder
    mine.mkdir()
    out = export(analysis_dir, RULE, exports / "out")
    assert (out / "manifest.json").is_file()
    assert sorted(path.name for path in exports.iterdir()) == [".tmp-mine", "out"]


def test_an_export_being_written_is_not_swept(tmp_path):
    """A temporary folder whose writer still holds its lock belongs to a live export."""
    from filelock import FileLock

    analysis_dir, _ = make_analysis(tmp_path)
    exports = tmp_path / "exports"
    live = exports / ".tmp-out-89abcdef"
    live.mkdir(parents=True)
    with FileLock(exports / ".tmp-out-89abcdef.lock"):
        export(analysis_dir, RULE, exports / "out")
        assert live.is_dir()


def test_changed_or_missing_input_is_a_clear_error(tmp_path):
    analysis_dir, input_path = make_analysis(tmp_path)
    input_path.write_bytes(input_path.read_bytes() + b'{"id": "f", "text": "foxtrot"}\n')
    with pytest.raises(ExportError, match="changed since the analysis was built"):
        export(analysis_dir, RULE, tmp_path / "out")
    input_path.unlink()
    with pytest.raises(FileNotFoundError, match="training input"):
        export(analysis_dir, RULE, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_ids_that_do_not_match_the_input_are_an_error(tmp_path):
    analysis_dir, _ = make_analysis(tmp_path)
    samples = pl.read_parquet(analysis_dir / "samples.parquet")
    samples.with_columns(pl.col("id").replace({"c": "zz"})).write_parquet(
        analysis_dir / "samples.parquet"
    )
    with pytest.raises(ExportError, match="differ"):
        export(analysis_dir, RULE, tmp_path / "out")


# ---------------------------------------------------------------- reapply


@pytest.mark.parametrize("file_format", ["jsonl", "csv", "parquet"])
def test_reapply_is_byte_identical(tmp_path, file_format):
    analysis_dir, _ = make_analysis(tmp_path, file_format)
    first = export(analysis_dir, RULE, tmp_path / "first")
    second = reapply(first / "manifest.json", tmp_path / "second")
    recorded = json.loads((first / "manifest.json").read_text())
    redone = json.loads((second / "manifest.json").read_text())
    assert redone["outputs"] == recorded["outputs"]
    for name in recorded["outputs"]:
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_reapply_detects_a_different_result(tmp_path):
    analysis_dir, _ = make_analysis(tmp_path)
    first = export(analysis_dir, RULE, tmp_path / "first")
    manifest = json.loads((first / "manifest.json").read_text())
    manifest["outputs"]["kept.jsonl"]["sha256"] = "0" * 64
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(manifest))
    with pytest.raises(ExportError, match=r"did not reproduce.*kept\.jsonl"):
        reapply(tampered, tmp_path / "second")
    assert not (tmp_path / "second").exists()


def test_reapply_checks_the_analysis_and_the_input(tmp_path):
    analysis_dir, input_path = make_analysis(tmp_path)
    first = export(analysis_dir, RULE, tmp_path / "first")

    manifest_path = analysis_dir / "manifest.json"
    original_manifest = manifest_path.read_bytes()
    other = json.loads(original_manifest)
    other["analysis_id"] = "another-analysis"
    manifest_path.write_text(json.dumps(other))
    with pytest.raises(ExportError, match="manifest.json changed"):
        reapply(first / "manifest.json", tmp_path / "second")
    manifest_path.write_bytes(original_manifest)

    input_path.write_bytes(input_path.read_bytes().replace(b"alpha", b"ALPHA"))
    with pytest.raises(ExportError, match="changed since the export"):
        reapply(first / "manifest.json", tmp_path / "second")


def test_reapply_names_a_missing_analysis_and_how_to_rebuild_it(tmp_path):
    analysis_dir, _ = make_analysis(tmp_path)
    first = export(analysis_dir, RULE, tmp_path / "first")
    (analysis_dir / "manifest.json").unlink()
    with pytest.raises(
        FileNotFoundError, match=r"demo-jsonl-0123456789ab is missing.*python -m analysis build"
    ):
        reapply(first / "manifest.json", tmp_path / "second")
