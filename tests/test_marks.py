"""Marks: the append-only file (round trip, a cut-off last line, two writers), the export rule
on marks and its reapply, marks as evaluation labels, and marking through the app's pages."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score
from streamlit.testing.v1 import AppTest
from synthetic import write_synthetic_analysis

from analysis.cli.main import main as cli_main
from analysis.use.evaluate import EvaluationError, evaluate_marks
from analysis.use.export import FilterRule, reapply
from analysis.use.marks import Marks, MarksError, UnknownIdsError, marks_path, read_log

ROOT = Path(__file__).resolve().parent.parent
EXPORT_PAGE = str(ROOT / "pages" / "export.py")
MAP_PAGE = str(ROOT / "pages" / "map.py")
PER_WRITER = 150  # marks each of the two concurrent writers appends


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("marks-cache")
    write_synthetic_analysis(root / "analyses" / "synthetic-marks", 240, n_features=400, seed=5)
    return root


@pytest.fixture
def analysis_dir(cache: Path) -> Path:
    """The analysis, with no marks of its own before and after the test."""
    folder = cache / "analyses" / "synthetic-marks"
    marks_path(folder).unlink(missing_ok=True)
    yield folder
    marks_path(folder).unlink(missing_ok=True)


def train_ids(analysis_dir: Path) -> list[str]:
    samples = pl.read_parquet(analysis_dir / "samples.parquet", columns=["id", "set"])
    return samples.filter(pl.col("set") == "train")["id"].to_list()


def reference_id(analysis_dir: Path) -> str:
    samples = pl.read_parquet(analysis_dir / "samples.parquet", columns=["id", "set"])
    return samples.filter(pl.col("set") == "toxic")["id"][0]


# ---------------------------------------------------------------- the marks file


def test_add_undo_current_round_trip(analysis_dir: Path) -> None:
    marks = Marks.for_analysis(analysis_dir)
    assert marks.path == analysis_dir.parent.parent / "marks" / "synthetic-marks.jsonl"
    assert marks.current().is_empty() and marks.history().is_empty()
    a, b, c, d = train_ids(analysis_dir)[:4]
    assert marks.add([a, b, a], "harmful", note="advice to skip a doctor", who="ana") == 2
    marks.add([b, c], "fine")
    marks.add([d], "needs a second look")
    current = marks.current()
    assert current.columns == ["id", "mark", "note", "who", "when"]
    assert dict(zip(current["id"], current["mark"], strict=True)) == {
        a: "harmful", b: "fine", c: "fine", d: "needs a second look"
    }
    assert current.filter(pl.col("id") == a)["note"][0] == "advice to skip a doctor"
    assert current.filter(pl.col("id") == a)["who"][0] == "ana"

    undone = marks.undo()
    assert (undone.ids, undone.mark) == ((d,), "needs a second look")
    marks.undo()  # b goes back to harmful, c is unmarked
    assert marks.snapshot() == dict(sorted({a: "harmful", b: "harmful"}.items()))
    history = marks.history()
    assert history["event"].to_list() == ["mark", "mark", "mark", "undo", "undo"]
    assert history["undone"].to_list() == [False, True, True, False, False]
    marks.undo()
    with pytest.raises(MarksError, match="nothing to undo"):
        marks.undo()
    assert marks.current().is_empty()
    # One event per line, every line whole JSON with the documented keys.
    lines = marks.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6
    assert all(set(json.loads(line)) == {"ids", "mark", "note", "who", "when", "event"} for line in lines)


def test_a_cut_off_last_line_is_ignored_and_earlier_marks_survive(analysis_dir: Path) -> None:
    marks = Marks.for_analysis(analysis_dir)
    ids = train_ids(analysis_dir)
    marks.add(ids[:3], "harmful")
    marks.add(ids[3:5], "fine")
    before = marks.current()
    # A writer killed in the middle of its write leaves part of a line, without its line end.
    with open(marks.path, "ab") as handle:
        handle.write(b'{"ids": ["' + ids[6].encode() + b'"], "mark": "harm')
    log = marks.read()
    assert log.current().equals(before)
    assert len(log.problems) == 1 and "incomplete" in log.problems[0]
    # The next write drops the fragment and starts on a line of its own.
    marks.add([ids[7]], "harmful")
    assert marks.read().problems == ()
    assert marks.snapshot() == {**dict(before.select("id", "mark").iter_rows()), ids[7]: "harmful"}
    assert all(json.loads(line) for line in marks.path.read_text().splitlines())


def test_a_complete_line_that_is_not_an_event_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "marks.jsonl"
    path.write_text('{"ids": ["a"], "mark": "fine"}\n')
    with pytest.raises(MarksError, match=r"marks\.jsonl, line 1: a mark event has the keys"):
        read_log(path)


def _append_marks(analysis_dir: str, ids: list[str], writer: int, barrier) -> None:
    marks = Marks.for_analysis(analysis_dir)
    barrier.wait()  # both writers start together
    for index in range(PER_WRITER):
        marks.add([ids[index % len(ids)]], "harmful" if writer == 0 else "fine", note=f"{writer}-{index}")


def test_two_processes_appending_at_once_lose_nothing(analysis_dir: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    ids = train_ids(analysis_dir)
    writers = [
        context.Process(target=_append_marks, args=(str(analysis_dir), ids, writer, barrier))
        for writer in range(2)
    ]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=240)
    assert [process.exitcode for process in writers] == [0, 0]
    log = Marks.for_analysis(analysis_dir).read()
    assert log.problems == ()
    notes = sorted(event.note for event in log.events)
    assert notes == sorted(f"{writer}-{index}" for writer in range(2) for index in range(PER_WRITER))
    # Each writer's events are in its own order.
    for writer in range(2):
        own = [int(e.note.split("-")[1]) for e in log.events if e.note.startswith(f"{writer}-")]
        assert own == list(range(PER_WRITER))


def test_unknown_ids_and_bad_tags_are_refused(analysis_dir: Path) -> None:
    marks = Marks.for_analysis(analysis_dir)
    known = train_ids(analysis_dir)[0]
    with pytest.raises(UnknownIdsError, match=r"2 id\(s\) are not rows of analysis synthetic-marks: 'nope', 'gone'"):
        marks.add([known, "nope", "gone"], "harmful")
    for tag in ("", "   ", "two\nlines", "x" * 65):
        with pytest.raises(MarksError):
            marks.add([known], tag)
    with pytest.raises(MarksError, match="no ids"):
        marks.add([], "fine")
    assert not marks.path.exists()  # nothing was written
    marks.add([known], "x" * 64)
    # A marks file of another analysis is refused where it would cut or label rows.
    other = analysis_dir.parent.parent / "other.jsonl"
    other.write_text(json.dumps({"ids": ["elsewhere"], "mark": "harmful", "note": None, "who": None, "when": "t", "event": "mark"}) + "\n")
    with pytest.raises(UnknownIdsError, match="'elsewhere'"):
        Marks.for_analysis(analysis_dir, file=other).snapshot()
    other.unlink()


# ---------------------------------------------------------------- export and reapply


def test_export_removes_exactly_the_marked_rows_and_reapply_ignores_later_marks(
    analysis_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marks = Marks.for_analysis(analysis_dir)
    ids = train_ids(analysis_dir)
    marks.add(ids[:5], "harmful", note="first pass")
    marks.add(ids[10:14], "fine")
    marks.add([ids[2], reference_id(analysis_dir)], "harmful")  # a reference row is never exported
    marks.add([ids[4]], "fine")  # no longer harmful
    harmful = sorted({*ids[:4]})

    first = tmp_path / "first"
    assert cli_main(["export", str(analysis_dir), "--remove-marked", "harmful", "--out", str(first)]) == 0
    removed = pl.read_parquet(first / "removed.parquet")
    assert sorted(removed["id"].to_list()) == harmful
    assert set(removed["reason"]) == {"marked harmful"}
    assert pl.read_parquet(first / "kept.parquet").height == len(ids) - len(harmful)
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["rule"]["remove_marks"] == ["harmful"]
    assert manifest["rule"]["marked"] == {**dict.fromkeys(harmful, "harmful"), reference_id(analysis_dir): "harmful"}
    assert manifest["marks_file"] == str(marks.path)
    assert "--remove-marked harmful" in manifest["command"] and "--marks" in manifest["command"]

    # More marks later: reapply still gives the same bytes, a new export would not.
    marks.add(ids[20:30], "harmful")
    again = reapply(first / "manifest.json", tmp_path / "again")
    for name, entry in manifest["outputs"].items():
        assert (again / name).read_bytes() == (first / name).read_bytes(), name
        assert entry["sha256"] == json.loads((again / "manifest.json").read_text())["outputs"][name]["sha256"]
    capsys.readouterr()
    fresh = tmp_path / "fresh"
    assert cli_main(["export", str(analysis_dir), "--remove-marked", "harmful", "--out", str(fresh)]) == 0
    assert pl.read_parquet(fresh / "removed.parquet").height == len(harmful) + 10


def test_keep_marked_and_an_explicit_marks_file(analysis_dir: Path, tmp_path: Path) -> None:
    ids = train_ids(analysis_dir)
    file = tmp_path / "review.jsonl"
    review = Marks.for_analysis(analysis_dir, file=file)
    review.add(ids[:6], "fine")
    review.add(ids[6:8], "harmful")
    out = tmp_path / "out"
    code = cli_main(
        ["export", str(analysis_dir), "--marks", str(file), "--keep-marked", "fine", "--out", str(out), "--formats", "none"]
    )
    assert code == 0
    assert sorted(pl.read_parquet(out / "kept.parquet")["id"].to_list()) == sorted(ids[:6])
    assert set(pl.read_parquet(out / "removed.parquet")["reason"]) == {"not marked fine"}
    assert not marks_path(analysis_dir).exists()  # the analysis' own file was not touched
    rule = FilterRule.from_dict(json.loads((out / "manifest.json").read_text())["rule"])
    assert rule.describe() == "remove rows not marked fine" and len(rule.marked) == 6
    assert cli_main(["export", str(analysis_dir), "--marks", str(file), "--out", str(tmp_path / "x")]) == 2
    assert cli_main(["export", str(analysis_dir), "--marks", str(tmp_path / "none.jsonl"), "--remove-marked", "harmful", "--out", str(tmp_path / "y")]) == 2


# ---------------------------------------------------------------- evaluate


def test_evaluate_with_marks_as_labels_gives_sklearns_auroc(
    analysis_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = pl.read_parquet(analysis_dir / "samples.parquet").filter(pl.col("set") == "train")
    ranked = samples.sort("score", descending=True)["id"].to_list()
    marks = Marks.for_analysis(analysis_dir)
    positive = ranked[:8] + ranked[40:44]  # a few of the marked harmful rows score low
    negative = ranked[5:6] + ranked[60:90]
    marks.add(positive, "harmful")
    marks.add(negative, "fine")  # ranked[5] was harmful, is now fine
    marks.add(ranked[100:110], "unsure")  # neither mark: not evaluated
    labels_of = {**dict.fromkeys(positive, True), **dict.fromkeys(negative, False)}
    rows = samples.filter(pl.col("id").is_in(list(labels_of)))
    expected = roc_auc_score(np.array([labels_of[i] for i in rows["id"]]), rows["score"].to_numpy())

    report = evaluate_marks(analysis_dir, marks.snapshot(), "harmful", "fine", n_bootstrap=0, baselines=False)
    row = report.table.filter(pl.col("method") == "score").row(0, named=True)
    assert row["auroc"] == pytest.approx(expected)
    assert (row["n_rows"], row["n_positive"]) == (len(labels_of), len(positive) - 1)
    assert "marked 'harmful' (positive)" in report.notes[-1]

    code = cli_main(
        ["evaluate", str(analysis_dir), "--positive-mark", "harmful", "--negative-mark", "fine", "--json", "--bootstrap", "0", "--no-baselines"]
    )
    assert code == 0
    rows_out = {item["method"]: item for item in json.loads(capsys.readouterr().out)["table"]}
    assert rows_out["score"]["auroc"] == pytest.approx(expected)
    with pytest.raises(EvaluationError, match="need training rows with both marks"):
        evaluate_marks(analysis_dir, marks.snapshot(), "harmful", "nobody-used-this", n_bootstrap=0, baselines=False)
    with pytest.raises(SystemExit):
        cli_main(["evaluate", str(analysis_dir), "--positive-mark", "harmful"])


# ---------------------------------------------------------------- the app


def open_page(cache: Path, monkeypatch: pytest.MonkeyPatch, page: str, selected: list[str] | None = None) -> AppTest:
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache))
    at = AppTest.from_string((ROOT / "app.py").read_text(), default_timeout=60)
    at.run()
    if selected is not None:
        at.session_state["selected_ids"] = selected
    at.switch_page(page).run()
    assert not at.exception, [item.value for item in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(item.value for item in at.metric if item.label == label)


def test_marking_and_undoing_through_the_export_page(
    analysis_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = train_ids(analysis_dir)
    at = open_page(cache, monkeypatch, EXPORT_PAGE, selected=ids[:3])
    n_removed = int(metric(at, "Training rows removed").replace(",", ""))  # the default top 5%
    assert at.button(key="export_marks_undo").disabled
    at.text_input(key="export_marks_note").set_value("read them all").run()
    at.button(key="export_marks_do_mark").click().run()
    assert not at.exception, [item.value for item in at.exception]
    marks = Marks.for_analysis(analysis_dir)
    current = marks.current()
    assert current.height == n_removed and set(current["mark"]) == {"harmful"}
    assert set(current["note"]) == {"read them all"}
    assert at.text_input(key="export_marks_note").value == ""
    assert any(len(frame.value) == n_removed and "mark" in frame.value.columns for frame in at.dataframe)  # the table of marks

    # The map's selection, with an own tag.
    at.radio(key="_mark_target").set_value("map").run()
    at.selectbox(key="export_marks_mark").set_value("__own__").run()
    at.text_input(key="export_marks_own").set_value("unsure").run()
    at.button(key="export_marks_do_mark").click().run()
    assert marks.snapshot(["unsure"]) == dict.fromkeys(sorted(ids[:3]), "unsure")

    # The rule can now remove the rows marked harmful; undo takes the marks back, last first.
    assert "harmful" in at.multiselect(key="_w_rule_remove_marks").options
    at.button(key="export_marks_undo").click().run()
    assert marks.snapshot(["unsure"]) == {}
    at.button(key="export_marks_undo").click().run()
    assert not at.exception, [item.value for item in at.exception]
    assert marks.current().is_empty()
    assert at.button(key="export_marks_undo").disabled
    assert [event.event for event in marks.read().events] == ["mark", "mark", "undo", "undo"]


def test_the_rule_removes_marked_rows_on_the_page(
    analysis_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = train_ids(analysis_dir)
    Marks.for_analysis(analysis_dir).add(ids[:7], "harmful")
    at = open_page(cache, monkeypatch, EXPORT_PAGE)
    at.radio(key="_w_rule_mode").set_value("none").run()
    at.multiselect(key="_w_rule_remove_marks").set_value(["harmful"]).run()
    assert metric(at, "Training rows removed") == "7"
    assert "rows marked harmful" in at.text[0].value
    # A mark added now changes the cut on the next run.
    Marks.for_analysis(analysis_dir).add(ids[7:9], "harmful")
    at.run()
    assert metric(at, "Training rows removed") == "9"


def test_marking_the_map_selection(analysis_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = [*train_ids(analysis_dir)[:2], reference_id(analysis_dir)]
    at = open_page(cache, monkeypatch, MAP_PAGE, selected=chosen)
    at.selectbox(key="map_marks_mark").set_value("fine").run()
    at.button(key="map_marks_do_mark").click().run()
    assert not at.exception, [item.value for item in at.exception]
    assert Marks.for_analysis(analysis_dir).snapshot() == dict.fromkeys(sorted(chosen), "fine")


def test_learning_from_the_marks_on_the_export_page(analysis_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The candidate score: fitted on request on the current marks, it lists unmarked rows
    only, best first, as `scores_from_marks` ranks them; its rows can be marked next; a new
    mark asks for a new fit. The default score and the cut never change."""
    from analysis.artifacts.folder import Analysis
    from analysis.use.learn_from_marks import LEARNED, scores_from_marks

    at = open_page(cache, monkeypatch, EXPORT_PAGE)
    assert at.button(key="learn_from_marks").disabled  # nothing marked yet
    removed_before = metric(at, "Training rows removed")
    at.button(key="export_marks_do_mark").click().run()  # the rows the rule removes, as harmful
    at.button(key="learn_from_marks").click().run()
    assert not at.exception, [item.value for item in at.exception]
    marks = Marks.for_analysis(analysis_dir)
    expected = (
        scores_from_marks(Analysis.open(analysis_dir), marks.snapshot())
        .filter(~pl.col("marked"))
        .sort([LEARNED, "id"], descending=[True, False])
        .head(20)
    )
    (table,) = [frame.value for frame in at.dataframe if LEARNED in frame.value.columns]
    assert table["id"].tolist() == expected["id"].to_list()
    assert not set(table["id"]) & set(marks.snapshot())
    assert metric(at, "Training rows removed") == removed_before

    at.radio(key="_mark_target").set_value("learned").run()
    at.selectbox(key="export_marks_mark").set_value("fine").run()
    at.button(key="export_marks_do_mark").click().run()
    assert marks.snapshot(["fine"]) == dict.fromkeys(sorted(table["id"]), "fine")
    assert not [frame for frame in at.dataframe if LEARNED in frame.value.columns]  # the marks changed: fit again
    assert any("fit it again" in info.value for info in at.info)
