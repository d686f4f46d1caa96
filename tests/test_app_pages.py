"""Every analysis page, run headless with Streamlit's AppTest on a synthetic analysis."""

from __future__ import annotations

import base64
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest
from synthetic import write_synthetic_analysis

from analysis.artifacts.folder import Analysis
from appkit.map_colors import CATEGORY_COLORS, MISSING_COLOR, NOISE_COLOR
from appkit.text import escape_plotly

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"


def make_app() -> AppTest:
    # Run app.py from a string: Streamlit's test runner then executes the entry script on
    # every run (a `pages/` folder beside the script would make it run pages directly).
    return AppTest.from_string((ROOT / "app.py").read_text(), default_timeout=60)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("app-cache")
    write_synthetic_analysis(root / "analyses" / "synthetic-pages", 1200, n_features=512, seed=1)
    return root


@pytest.fixture
def app(cache: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache))
    at = make_app()
    at.run()
    assert not at.exception
    return at


def open_page(at: AppTest, name: str) -> AppTest:
    at.switch_page(str(PAGES / f"{name}.py")).run()
    assert not at.exception, [item.value for item in at.exception]
    return at


@pytest.mark.parametrize("dated_by", ["manifest", "mtime"])
def test_first_visit_opens_the_newest_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dated_by: str) -> None:
    """Newest by the manifest's `created`, or by the manifest file's mtime when it has none;
    the newest is neither first nor last by name, so no name order can pass for it."""
    analyses = tmp_path / "analyses"
    newest = write_synthetic_analysis(analyses / "b-newest", 300, n_features=400, seed=2)
    for name in ("a-older", "c-oldest"):
        shutil.copytree(newest, analyses / name)
    now = datetime.now(tz=UTC).replace(microsecond=0)
    for name, age in (("b-newest", timedelta(0)), ("a-older", timedelta(days=2)), ("c-oldest", timedelta(days=5))):
        manifest_path = analyses / name / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        when = now - age
        if dated_by == "manifest":
            manifest["created"] = when.isoformat(timespec="seconds")
            stamp = (now - timedelta(days=10) + age).timestamp()  # the mtimes say otherwise: the manifest wins
        else:
            del manifest["created"]
            stamp = when.timestamp()
        manifest_path.write_text(json.dumps(manifest))
        os.utime(manifest_path, (stamp, stamp))
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    at = make_app()
    at.run()
    assert not at.exception
    assert at.title[0].value == "Analyses"
    assert at.query_params["analysis"] == "b-newest"
    assert Path(at.session_state["analysis_path"]) == newest.resolve()
    assert at.query_params["page"] == "home"
    assert at.dataframe[0].value["name"].to_list() == ["b-newest", "a-older", "c-oldest"]


def test_map_selection_fills_the_linked_table(app: AppTest) -> None:
    open_page(app, "map")
    assert app.title[0].value == "Sample map"
    assert not app.dataframe  # nothing selected yet
    app.session_state["selected_ids"] = ["train-000001", "toxic-000002", "benign-000003"]
    app.run()
    table = app.dataframe[0].value
    assert sorted(table["id"].to_list()) == ["benign-000003", "toxic-000002", "train-000001"]
    app.session_state["selected_ids"] = ["train-000010"]
    app.run()
    assert app.dataframe[0].value["id"].to_list() == ["train-000010"]


def test_map_selection_handler_decodes_plotly_points(app: AppTest) -> None:
    from appkit import cached

    path = app.session_state["analysis_path"]
    figure = cached.sample_map(path, "set", None, "")
    # Traces are train, benign, toxic (toxic drawn last, on top).
    points = [{"curve_number": 2, "point_index": 0}, {"curve_number": 0, "point_index": 4}, {"curve_number": 2, "point_index": 0}]
    ids = figure.ids_of(points)
    assert ids == [str(figure.trace_ids[2][0]), str(figure.trace_ids[0][4])]
    assert ids[0].startswith("toxic-") and ids[1].startswith("train-")
    assert figure.ids_of([{"curve_number": 9, "point_index": 0}, {"curveNumber": 1, "pointIndex": 0}]) == [str(figure.trace_ids[1][0])]
    total = sum(len(ids) for ids in figure.trace_ids)
    assert total == 1200  # every sample is drawn: nothing is downsampled


def color_map(app: AppTest, color: str) -> tuple[list[dict], dict, pl.DataFrame]:
    """Open the map in `color`; its point traces, its layout (as sent to the browser) and the samples."""
    open_page(app, "map")
    app.selectbox(key="_w_color_by").set_value(color).run()
    assert not app.exception, [item.value for item in app.exception]
    assert app.session_state["color_by"] == color
    assert app.query_params["color"] == color
    [chart] = app.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    traces = [trace for trace in spec["data"] if trace.get("hovertext") is not None]  # not the legend-only entries
    samples = pl.read_parquet(Path(app.session_state["analysis_path"]) / "samples.parquet")
    return traces, spec["layout"], samples


def spec_array(value: object) -> np.ndarray:
    """An array of a plotly spec: a list, or a typed array (dtype and base64 bytes)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value)


def positions(trace: dict) -> list[tuple[float, float]]:
    return list(zip(spec_array(trace["x"]).astype(np.float32).tolist(), spec_array(trace["y"]).astype(np.float32).tolist(), strict=True))


@pytest.mark.parametrize(("color", "column"), [("cluster", "cluster"), ("column:label", "label"), ("column:category", "category")])
def test_map_category_colorings(app: AppTest, color: str, column: str) -> None:
    """Each category has one color of its own (noise grey), and every point is in its category's trace."""
    traces, _, samples = color_map(app, color)
    label_of = {
        (float(x), float(y)): escape_plotly("noise" if column == "cluster" and value == "-1" else value)
        for x, y, value in samples.select(
            pl.col("x").cast(pl.Float32), pl.col("y").cast(pl.Float32), pl.col(column).cast(pl.String).fill_null("(none)")
        ).iter_rows()
    }
    color_of: dict[str, str] = {}
    drawn = 0
    for trace in traces:
        assert isinstance(trace["marker"]["color"], str), trace["name"]  # one color per trace
        assert color_of.setdefault(trace["name"], trace["marker"]["color"]) == trace["marker"]["color"]
        assert {label_of[point] for point in positions(trace)} == {trace["name"]}
        drawn += len(positions(trace))
    assert drawn == samples.height
    assert set(color_of) == set(label_of.values())  # few categories: none is folded into "other"
    own = [value for name, value in color_of.items() if name != "noise"]
    assert len(set(own)) == len(own) and set(own) <= set(CATEGORY_COLORS)
    assert color_of.get("noise", NOISE_COLOR) == NOISE_COLOR
    assert (column == "cluster") == ("noise" in color_of)


@pytest.mark.parametrize("color", ["score", "score_probe", "feature"])
def test_map_number_colorings(app: AppTest, color: str) -> None:
    """Each point's color is its own value on one color axis over the values present; rows
    without a value are grey."""
    traces, layout, samples = color_map(app, color)
    if color == "feature":
        activation = Analysis.open(app.session_state["analysis_path"]).feature_activation(app.session_state["feature"])
        values = samples.select("id").join(activation, on="id", how="left")["value"].fill_null(0.0)
    else:
        values = samples[color]
    rows = samples.select(pl.col("x").cast(pl.Float32), pl.col("y").cast(pl.Float32)).with_columns(values.cast(pl.Float64).fill_nan(None).alias("value"))
    present = rows.filter(pl.col("value").is_not_null())
    colored = [trace for trace in traces if trace["marker"].get("coloraxis") == "coloraxis"]
    grey = [trace for trace in traces if trace["marker"].get("color") == MISSING_COLOR]
    assert len(colored) + len(grey) == len(traces)
    drawn = sorted(
        (x, y, float(value)) for trace in colored for (x, y), value in zip(positions(trace), spec_array(trace["marker"]["color"]), strict=True)
    )
    assert drawn == sorted(present.iter_rows())
    assert sorted(point for trace in grey for point in positions(trace)) == sorted(rows.filter(pl.col("value").is_null()).select("x", "y").iter_rows())
    assert layout["coloraxis"]["cmin"] == pytest.approx(present["value"].min())
    assert layout["coloraxis"]["cmax"] == pytest.approx(present["value"].max())


def test_map_search_and_detail_pane(app: AppTest) -> None:
    open_page(app, "map")
    app.text_input(key="map_search").input("LEVERAGE").run()
    table = app.dataframe[0].value
    assert table.shape[0] > 0
    assert table["text"].str.contains("leverage").all()
    app.session_state["focus_id"] = table["id"][0]
    app.run()
    assert not app.exception
    highlighted = [item for item in app.html if "rgba(" in item.proto.body]
    assert highlighted, "the detail pane highlights the tokens of the chosen feature"


def test_manual_choices_from_the_map(app: AppTest) -> None:
    open_page(app, "map")
    app.session_state["selected_ids"] = ["train-000001", "train-000002", "toxic-000001"]
    app.run()
    next(button for button in app.button if button.label == "Remove these in the filter").click().run()
    assert app.session_state["manual_remove_ids"] == ["train-000001", "train-000002"]  # reference rows are never removed
    next(button for button in app.button if button.label == "Always keep these").click().run()
    assert app.session_state["manual_keep_ids"] == ["train-000001", "train-000002"]
    assert app.session_state["manual_remove_ids"] == []


def test_clusters_page(app: AppTest) -> None:
    open_page(app, "clusters")
    table = app.dataframe[0].value
    assert "noise" in table["name"].to_list()
    assert table["is_toxic_cluster"].sum() >= 1
    assert table.shape[0] == 9  # 8 topic blobs + noise
    assert [metric.value for metric in app.metric][:2] == ["8", "3"]


def test_clusters_recluster_reports_failure(app: AppTest, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A synthetic analysis has no pipeline config: re-clustering must fail visibly, not crash."""
    from appkit import jobs

    open_page(app, "clusters")
    app.number_input[0].set_value(20)
    next(button for button in app.button if button.label == "Re-cluster").click().run()
    assert not app.exception
    recluster_jobs = [job for job in jobs.list_jobs(cache) if job.kind == "recluster"]
    assert recluster_jobs
    status = jobs.wait_for(recluster_jobs[0].folder, timeout_s=60)
    assert status.state == "failed"
    app.run()
    assert any("re-clustering failed" in item.value for item in app.error)


def test_feature_page(app: AppTest) -> None:
    open_page(app, "features")
    chosen = app.session_state["feature"]
    analysis_features = pl.read_parquet(Path(app.session_state["analysis_path"]) / "features.parquet")
    assert bool(analysis_features.filter(pl.col("feature") == chosen)["is_toxic"][0])  # starts on the strongest toxic feature
    neighbours = app.dataframe[0].value
    assert neighbours.shape[0] == 10 and chosen not in neighbours["feature"].to_list()
    assert (np.diff(neighbours["cosine"].to_numpy()) <= 1e-6).all()  # nearest first
    other = int(analysis_features.filter(~pl.col("is_toxic"))["feature"][0])
    app.selectbox(key="_w_feature").set_value(other).run()
    assert not app.exception
    assert app.session_state["feature"] == other
    assert app.subheader[0].value == f"Feature {other}"


def test_feature_page_reads_tokens_once_per_feature(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 12 sample texts of the page come from one read of tokens.parquet, and a rerun reads nothing."""
    import streamlit as st

    from analysis.artifacts import tokens as artifacts

    st.cache_resource.clear()  # count from a cold start: a fresh Analysis, no cached feature
    calls: list[str] = []
    for name in ("scan_token_offsets", "read_token_rows", "filter_token_rows"):
        original = getattr(artifacts, name)
        monkeypatch.setattr(artifacts, name, lambda *args, _original=original, _name=name, **kwargs: calls.append(_name) or _original(*args, **kwargs))
    open_page(app, "features")
    assert calls == ["scan_token_offsets", "read_token_rows"]  # the id column once, then one slice read
    assert sum("rgba(" in item.proto.body for item in app.html) >= 4  # the top samples are highlighted
    calls.clear()
    app.run()
    assert not app.exception and calls == []
    other = int(pl.read_parquet(Path(app.session_state["analysis_path"]) / "features.parquet").filter(~pl.col("is_toxic"))["feature"][0])
    app.selectbox(key="_w_feature").set_value(other).run()
    assert not app.exception and calls == ["read_token_rows"]


def test_proximity_page(app: AppTest) -> None:
    open_page(app, "proximity")
    ranked = next(frame.value for frame in app.dataframe if "rank" in frame.value.columns)
    assert ranked.shape[0] == 25
    assert (np.diff(ranked["score"].to_numpy()) <= 0).all()
    app.selectbox(key="_w_score").set_value("score_probe").run()
    assert not app.exception
    assert "score_probe" in next(frame.value for frame in app.dataframe if "rank" in frame.value.columns).columns
    assert app.query_params["score"] == "score_probe"
    # The first prompt is explained: a table of features with contributions.
    explanation = next(frame.value for frame in app.dataframe if "contribution" in frame.value.columns)
    assert explanation.shape[0] > 0


def test_proximity_page_offers_the_contrast_families(app: AppTest) -> None:
    """The difference-of-means families: the SAE one explained by its latents, the dense one by its references."""
    from analysis.scoring.families import score_label

    open_page(app, "proximity")
    assert {score_label("score_contrast_direction"), score_label("score_contrast_latents")} <= set(app.selectbox(key="_w_score").options)
    app.selectbox(key="_w_score").set_value("score_contrast_latents").run()
    assert not app.exception
    ranked = next(frame.value for frame in app.dataframe if "rank" in frame.value.columns)
    assert (np.diff(ranked["score_contrast_latents"].to_numpy()) <= 0).all()
    explanation = next(frame.value for frame in app.dataframe if "contribution" in frame.value.columns)
    assert explanation.shape[0] > 0
    app.selectbox(key="_w_score").set_value("score_contrast_direction").run()
    assert not app.exception
    assert any(score_label("score_contrast_direction") in str(item.value) for item in app.caption)
    assert any("not made of SAE features" in str(item.value) for item in app.caption)


def test_proximity_page_shows_the_reference_diagnostics_and_the_benchmark_finding(app: AppTest) -> None:
    from analysis.artifacts.folder import Analysis
    from appkit.views import benchmark_finding

    open_page(app, "proximity")
    model = Analysis.open(app.session_state["analysis_path"]).manifest["model"]["name"]
    assert benchmark_finding(model) in [info.value for info in app.info]
    separation = next(frame.value for frame in app.dataframe if "auroc" in frame.value.columns)
    assert separation.shape[0] >= 9  # one row per family with a value
    assert ((separation["auroc"] >= 0) & (separation["auroc"] <= 1)).all()


def test_proximity_page_says_what_the_packaged_sae_was_measured_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from appkit.findings import findings, packaged_sae_finding

    trained = write_synthetic_analysis(tmp_path / "trained" / "analyses" / "trained", 300, n_features=400, seed=3)
    packaged = tmp_path / "packaged" / "analyses" / "packaged"
    shutil.copytree(trained, packaged)
    manifest = json.loads((packaged / "manifest.json").read_text())
    manifest["sae"] = {**manifest.get("sae", {}), "source": "packaged", "spec": "packaged"}
    (packaged / "manifest.json").write_text(json.dumps(manifest))
    shown = packaged_sae_finding()
    for cache, expected in ((trained.parents[1], False), (packaged.parents[1], True)):
        monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache))
        at = make_app()
        at.run()
        open_page(at, "proximity")
        assert (shown in [info.value for info in at.info]) is expected
    found = findings()["packaged_sae"]  # the benchmark's own figures, not copied by hand
    assert f"{found['mean_auroc']['packaged']:.3f} vs {found['mean_auroc']['own']:.3f}" in shown
    assert found["lowest_explained_variance"]["task"] in shown


def test_evaluate_page(app: AppTest) -> None:
    open_page(app, "evaluate")
    assert app.selectbox(key="evaluate_label").value == "label"
    summary = app.dataframe[0].value
    assert set(summary.columns) == {"score", "auroc", "average_precision"}
    assert summary["auroc"].max() > 0.75
    from analysis.scoring.families import score_label

    assert {score_label("score_contrast_direction"), score_label("score_contrast_latents")} <= set(summary["score"].to_list())
    # with every score drawn, the legends sit under the plots instead of over the curves
    import json

    legends = [json.loads(chart.proto.spec)["layout"]["legend"] for chart in app.get("plotly_chart")]
    assert len(summary) > 5 and len(legends) == 3
    assert all(legend["y"] < 0 and legend["yanchor"] == "top" for legend in legends)


def test_evaluate_page_is_hidden_without_labels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_synthetic_analysis(tmp_path / "analyses" / "unlabelled", 300, n_features=400, with_labels=False)
    samples_path = tmp_path / "analyses" / "unlabelled" / "samples.parquet"
    pl.read_parquet(samples_path).drop("category").write_parquet(samples_path)
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    at = make_app()
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not a missing file: not offered
        at.switch_page(str(PAGES / "evaluate.py"))


def test_choices_survive_page_changes_and_links(app: AppTest) -> None:
    open_page(app, "map")
    app.selectbox(key="_w_color_by").set_value("cluster").run()
    open_page(app, "proximity")
    open_page(app, "map")
    assert app.selectbox(key="_w_color_by").value == "cluster"


def test_a_shared_link_restores_the_view(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache))
    at = make_app()
    at.query_params.update({"analysis": "synthetic-pages", "color": "score_knn", "score": "score_probe", "rule": "threshold:0.4;clusters:0,2"})
    at.run()
    assert not at.exception
    assert at.session_state["color_by"] == "score_knn"
    assert at.session_state["score"] == "score_probe"
    assert at.session_state["rule"]["mode"] == "threshold"
    assert at.session_state["rule"]["threshold"] == 0.4
    assert at.session_state["rule"]["clusters"] == [0, 2]


def test_a_link_cannot_open_folders_outside_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from appkit.state import resolve_analysis_reference

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache))
    assert resolve_analysis_reference("synthetic-pages") == (cache / "analyses" / "synthetic-pages").resolve()
    assert resolve_analysis_reference(str(cache / "analyses" / "synthetic-pages")) is None
    assert resolve_analysis_reference("../analyses/synthetic-pages") is None
    assert resolve_analysis_reference("missing") is None


def test_rule_round_trips_through_a_link() -> None:
    from appkit.state import decode_rule, encode_rule

    rule = {"mode": "top_percent", "top_percent": 7.5, "threshold": None, "clusters": [3, 1]}
    assert encode_rule(rule) == "top:7.5;clusters:3,1"
    assert decode_rule(encode_rule(rule)) == rule
    assert decode_rule("threshold:abc") is None


def test_dataset_text_is_never_markup() -> None:
    from appkit.text import escape_markdown, highlighted_html, hover_expr, token_activation

    text = "<script>alert(1)</script> **bold** & more"
    tokens = pl.DataFrame(
        {
            "id": ["x"] * 3,
            "position": pl.Series([0, 1, 2], dtype=pl.Int32),
            "token": ["<script>alert(1)</script>", "**bold**", "more"],
            "start": pl.Series([0, 26, 37], dtype=pl.Int32),
            "end": pl.Series([25, 34, 41], dtype=pl.Int32),
            "features": [[5, 1], [2], [5]],
            "values": [[2.0, 1.0], [1.0], [0.5]],
        }
    )
    rendered = highlighted_html(text, token_activation(tokens, 5))
    assert "<script>" not in rendered and "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert " &amp; " in rendered and rendered.count("<span") == 2  # the two tokens where feature 5 fires
    hover = pl.DataFrame({"text": [text]}).select(hover_expr("text", 200))["text"][0]
    assert "<" not in hover and "&lt;script&gt;" in hover
    assert escape_markdown("a*b_[c](d) :red[x]") == "a\\*b\\_\\[c\\]\\(d\\) \\:red\\[x\\]"


def test_a_link_can_name_the_page(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache))
    at = make_app()
    at.query_params.update({"analysis": "synthetic-pages", "page": "clusters"})
    at.run()
    assert not at.exception
    assert at.title[0].value == "Clusters"
    assert at.query_params["page"] == "clusters"


def test_word_labels_are_understood(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_synthetic_analysis(tmp_path / "analyses" / "worded", 300, n_features=400)
    samples = pl.read_parquet(folder / "samples.parquet")
    samples.with_columns(pl.col("label").replace_strict({0: "clean", 1: "harmful"}, default=None, return_dtype=pl.String)).write_parquet(
        folder / "samples.parquet"
    )
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    at = make_app()
    at.run()
    open_page(at, "evaluate")
    assert at.selectbox(key="evaluate_label").value == "label"
    assert at.selectbox(key="evaluate_positive").value == "harmful"
    assert at.dataframe[0].value["auroc"].max() > 0.7
    open_page(at, "export")
    assert any(metric.label == "Rows with label = harmful removed" for metric in at.metric)


def test_the_sidebar_follows_and_switches_the_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = write_synthetic_analysis(tmp_path / "analyses" / "first", 200, n_features=400, seed=1)
    second = write_synthetic_analysis(tmp_path / "analyses" / "second", 200, n_features=400, seed=2)
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    at = make_app()
    at.run()
    opened = at.session_state["analysis_path"]
    other = str(first if opened == str(second) else second)
    # Opening another analysis elsewhere (the home page) moves the sidebar along, and it stays.
    at.session_state["analysis_path"] = other
    at.run()
    at.run()
    assert at.session_state["analysis_path"] == other
    assert at.sidebar.selectbox[0].value == other
    at.sidebar.selectbox[0].set_value(opened).run()
    assert at.session_state["analysis_path"] == opened
    assert at.query_params["analysis"] == Path(opened).name


def test_the_benchmark_finding_is_the_analysis_models_own():
    from analysis.config import ENCODER, SMOLLM2
    from appkit.findings import OTHER_MODEL_FINDING
    from appkit.views import benchmark_finding

    assert benchmark_finding(ENCODER) != benchmark_finding(SMOLLM2)
    assert OTHER_MODEL_FINDING not in (benchmark_finding(ENCODER), benchmark_finding(SMOLLM2))
    # both name the benchmark's pick, and which of the two models is shipped as the default
    assert "(the shipped default)" in benchmark_finding(SMOLLM2) and "(the shipped default)" in benchmark_finding(ENCODER)
    assert benchmark_finding("gpt2") == benchmark_finding(None) == OTHER_MODEL_FINDING


def test_features_are_found_by_the_tokens_they_fire_on(app: AppTest) -> None:
    open_page(app, "features")
    features = pl.read_parquet(Path(app.session_state["analysis_path"]) / "features.parquet")
    token = features["top_tokens"].drop_nulls()[0].split(" · ")[0].strip()
    app.text_input(key="feature_search").input(token.upper()).run()
    assert not app.exception
    hits = next(frame.value for frame in app.dataframe if "top_tokens" in frame.value.columns and "toxic_log_odds" in frame.value.columns)
    expected = features.filter(pl.col("top_tokens").fill_null("").str.to_lowercase().str.contains(token.lower(), literal=True))
    assert set(hits["feature"].to_list()) == set(expected["feature"].head(50).to_list()) or hits.height == 50
    assert hits["is_toxic"].to_list() == sorted(hits["is_toxic"].to_list(), reverse=True)  # toxic first
    app.text_input(key="feature_search").input("no token is spelled like this").run()
    assert any("No feature has a top token" in str(item.value) for item in app.caption)


def finding_figure(value: float) -> dict:
    """A benchmark figure as docs/findings.json records it: the value and its interval."""
    return {"auroc": value, "lo": value - 0.01, "hi": value + 0.01}


def test_a_paired_difference_carried_by_one_task_is_said_to_be(monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis.config import SMOLLM2
    from appkit import findings as findings_module

    def payload(leading: dict) -> dict:
        side = {"sae": finding_figure(0.68), "dense": finding_figure(0.65), "sae_minus_dense": finding_figure(0.03), "leading_task": leading}
        return {"llm_seeds10": {
            "seeds": [0, 1, 2], "tasks": 10, "loto": finding_figure(0.70), "in_sample": finding_figure(0.75), "tfidf": finding_figure(0.74),
            "pick": "rank_mean:score_dense_knn+score_lexical_knn @ layer 6",
            "sae_vs_dense": {"default": {"sae": finding_figure(0.69), "dense": finding_figure(0.72), "sae_minus_dense": finding_figure(-0.03)}, "smollm2": side},
        }}

    carried = {"task": "insecure_code", "difference": 0.529, "others_mean": -0.024, "others_range": [-0.121, 0.036]}
    monkeypatch.setattr(findings_module, "findings", lambda: payload(carried))
    assert "but only because of one task (insecure_code: +0.529" in findings_module.model_finding(SMOLLM2)
    spread = {"task": "xstest", "difference": 0.05, "others_mean": 0.03, "others_range": [0.0, 0.06]}
    monkeypatch.setattr(findings_module, "findings", lambda: payload(spread))
    assert "only because of one task" not in findings_module.model_finding(SMOLLM2)


def test_the_chat_llm_finding_adds_the_run_that_read_every_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed-0 run over every layer is quoted beside a several-seed run that did not read the
    layer it picked, and left out once the shown run read that layer itself."""
    from analysis.config import SMOLLM2
    from appkit import findings as findings_module

    def run(seeds: list[int], reads: list[str], pick: str) -> dict:
        side = {"sae": finding_figure(0.70), "dense": finding_figure(0.65), "sae_minus_dense": finding_figure(0.05)}
        return {
            "seeds": seeds, "tasks": 10, "loto": finding_figure(0.74), "in_sample": finding_figure(0.76), "tfidf": finding_figure(0.74), "pick": pick,
            "dense_by_read": {read: finding_figure(0.65) for read in reads},
            "sae_vs_dense": {"default": {"sae": finding_figure(0.69), "dense": finding_figure(0.72), "sae_minus_dense": finding_figure(-0.03)}, "smollm2": side},
        }

    deep = run([0], ["6", "smollm2:4", "smollm2:10", "smollm2:20"], "rank_mean:score_knn+score_lexical_knn @ layer smollm2:20")
    deep["sae_vs_dense"]["smollm2"]["sae"] = finding_figure(0.748)
    block10 = run([0, 1, 2], ["6", "smollm2:10"], "rank_mean:score_dense_knn+score_lexical_knn @ layer 6")
    block20 = run([0, 1, 2], ["6", "smollm2:10", "smollm2:20"], "rank_mean:score_knn+score_lexical_knn @ layer smollm2:20")
    monkeypatch.setattr(findings_module, "findings", lambda: {"llm_seeds10": block10, "llm_layer20": deep})
    shown = findings_module.model_finding(SMOLLM2)
    assert "With every layer read (seed 0 only), its best SAE-based score reaches 0.748 against 0.650" in shown
    assert "the sentence encoder's hidden state 6 (not the default)" in shown
    monkeypatch.setattr(findings_module, "findings", lambda: {"llm_layer20_seeds": block20, "llm_seeds10": block10, "llm_layer20": deep})
    shown = findings_module.model_finding(SMOLLM2)
    assert "With every layer read" not in shown and "the chat LLM's block 20 (the shipped default)" in shown
    assert "pick is the rank average of nearest neighbours in SAE space (toxic minus benign) and nearest neighbours in word space" in shown


def test_the_shipped_default_is_the_benchmarks_pick() -> None:
    """config.py's default model, layer and score are the unit the three-seed selection picked
    (docs/findings.json, written by bench/select_default.py)."""
    from analysis.config import DEFAULT_MODEL, MODEL_LAYERS, MODEL_SCORES, SMOLLM2
    from appkit.findings import MODELS_SECTIONS, findings

    found = findings()[MODELS_SECTIONS[0]]
    assert DEFAULT_MODEL == SMOLLM2
    assert found["pick"] == f"{MODEL_SCORES[DEFAULT_MODEL]} @ layer smollm2:{MODEL_LAYERS[DEFAULT_MODEL]}"
