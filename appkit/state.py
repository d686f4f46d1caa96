"""What a user chose (analysis, colors, score, filter rule, selections), kept across pages.

Streamlit forgets a widget's value when its page is left, so every choice lives under a
plain session-state key, and widgets get a separate key that is refilled from it on each
run (`bind`). A view can be shared as a link: `analysis`, `page`, `color`, `score` and
`rule` are mirrored into the URL's query parameters and read back on a session's first run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from analysis.artifacts.cache import default_cache_root
from analysis.artifacts.catalog import list_analyses
from analysis.artifacts.folder import Analysis, AnalysisFormatError, AnalysisNotFound
from analysis.artifacts.layout import ANALYSES, MANIFEST
from appkit import page_links
from appkit.text import escape_markdown

ANALYSIS = "analysis_path"
COLOR = "color_by"
SCORE = "score"
RULE = "rule"
MANUAL_REMOVE = "manual_remove_ids"
MANUAL_KEEP = "manual_keep_ids"
SELECTED = "selected_ids"
FOCUS = "focus_id"
# A large map's box or lasso, with the ids it selected (kept together: the ids are what the
# table shows, the shape is what "zoom to the selection" needs), and its zoom window.
MAP_REGION = "map_region"
MAP_WINDOW = "map_window"
FEATURE = "feature"
MONITOR = "monitor_path"  # the monitor run the Compare page shows
MARK_WHO = "mark_who"  # the name a researcher gives their marks (optional), on every page
QUERY_LOADED = "_query_params_loaded"

DEFAULT_RULE: dict[str, Any] = {"mode": "top_percent", "top_percent": 5.0, "threshold": None, "clusters": []}


def cache_root() -> Path:
    """`ANALYSIS_CACHE_DIR` when set, else `cache/` in the repository (the CLI's rule too)."""
    return default_cache_root()


def ensure_defaults() -> None:
    defaults: dict[str, Any] = {
        ANALYSIS: None,
        COLOR: "set",
        SCORE: None,
        RULE: dict(DEFAULT_RULE),
        MANUAL_REMOVE: [],
        MANUAL_KEEP: [],
        SELECTED: [],
        FOCUS: None,
        MAP_REGION: None,
        MAP_WINDOW: None,
        FEATURE: None,
        MONITOR: None,
        MARK_WHO: None,
    }
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = value


def bind(state_key: str, widget_key: str | None = None) -> dict[str, Any]:
    """Widget kwargs that show and update `st.session_state[state_key]`.

    The widget's own key is refilled from the persistent key before the widget is drawn,
    so the value survives leaving the page; `on_change` copies the user's edit back.
    """
    widget_key = widget_key or f"_w_{state_key}"
    if st.session_state.get(state_key) is not None:
        st.session_state[widget_key] = st.session_state[state_key]

    def copy_back() -> None:
        st.session_state[state_key] = st.session_state[widget_key]

    return {"key": widget_key, "on_change": copy_back}


def resolve_analysis_reference(reference: str) -> Path | None:
    """An analysis named in a link: a folder name under the cache's `analyses/` only.

    Links never carry arbitrary paths, so a crafted URL cannot open folders elsewhere.
    """
    if not reference or "/" in reference or "\\" in reference or reference.startswith("."):
        return None
    candidate = cache_root() / ANALYSES / reference
    return candidate.resolve() if (candidate / MANIFEST).is_file() else None


def load_query_params() -> str | None:
    """On a session's first run, take the shared link's choices; returns the page it names."""
    if st.session_state.get(QUERY_LOADED):
        return None
    st.session_state[QUERY_LOADED] = True
    params = st.query_params
    if "analysis" in params:
        path = resolve_analysis_reference(params["analysis"])
        if path is not None:
            st.session_state[ANALYSIS] = str(path)
    if "color" in params:
        st.session_state[COLOR] = params["color"]
    if "score" in params:
        st.session_state[SCORE] = params["score"]
    if "rule" in params:
        rule = decode_rule(params["rule"])
        if rule is not None:
            st.session_state[RULE] = rule
    return params.get("page")


def sync_query_params(page: str) -> None:
    """Mirror the current choices into the URL, so that copying it shares the view."""
    wanted: dict[str, str] = {"page": page}
    path = st.session_state.get(ANALYSIS)
    if path:
        folder = Path(path)
        if folder.parent == cache_root() / ANALYSES:
            wanted["analysis"] = folder.name
    if st.session_state.get(COLOR):
        wanted["color"] = str(st.session_state[COLOR])
    if st.session_state.get(SCORE):
        wanted["score"] = str(st.session_state[SCORE])
    rule = st.session_state.get(RULE)
    if rule:
        wanted["rule"] = encode_rule(rule)
    current = st.query_params.to_dict()
    if current != wanted:
        st.query_params.from_dict(wanted)


def encode_rule(rule: dict[str, Any]) -> str:
    """`top:5` or `threshold:0.42`, plus `;clusters:1,2` (manual ids stay out of links)."""
    if rule.get("mode") == "threshold" and rule.get("threshold") is not None:
        text = f"threshold:{float(rule['threshold']):g}"
    else:
        text = f"top:{float(rule.get('top_percent') or 0):g}"
    clusters = rule.get("clusters") or []
    if clusters:
        text += ";clusters:" + ",".join(str(int(cluster)) for cluster in clusters)
    return text


def decode_rule(text: str) -> dict[str, Any] | None:
    rule = dict(DEFAULT_RULE)
    try:
        for part in text.split(";"):
            name, _, value = part.partition(":")
            if name == "top":
                rule.update(mode="top_percent", top_percent=float(value))
            elif name == "threshold":
                rule.update(mode="threshold", threshold=float(value))
            elif name == "clusters" and value:
                rule["clusters"] = [int(item) for item in value.split(",")]
    except ValueError:
        return None
    return rule


@st.cache_resource(max_entries=4, show_spinner="Opening the analysis…")
def open_analysis(path: str) -> Analysis:
    """One shared, read-only Analysis per folder (folders never change once complete)."""
    analysis = Analysis.open(path)
    _ = analysis.samples  # the table every page needs: read it once, here
    return analysis


def current_analysis() -> Analysis | None:
    """The open analysis; when none is open, the newest one in the cache is opened."""
    path = st.session_state.get(ANALYSIS)
    if not path:
        newest = list_analyses(cache_root())
        if newest.is_empty():
            return None
        set_analysis(newest["path"][0])
        path = st.session_state[ANALYSIS]
    try:
        return open_analysis(path)
    except AnalysisFormatError as error:  # an older analysis: say why it does not open
        st.session_state[ANALYSIS] = None
        st.error(escape_markdown(str(error)), icon=":material/error:")
        return None
    except AnalysisNotFound:
        st.session_state[ANALYSIS] = None
        return None


def set_analysis(path: str | Path | None) -> None:
    """Switch analysis; selections and manual lists belong to the old one and are dropped."""
    new = str(Path(path).resolve()) if path else None
    if new == st.session_state.get(ANALYSIS):
        return
    st.session_state[ANALYSIS] = new
    st.session_state[SELECTED] = []
    st.session_state[FOCUS] = None
    st.session_state[MAP_REGION] = None
    st.session_state[MAP_WINDOW] = None
    st.session_state[MANUAL_REMOVE] = []
    st.session_state[MANUAL_KEEP] = []
    st.session_state[FEATURE] = None
    st.session_state[MONITOR] = None
    rule = dict(st.session_state.get(RULE) or DEFAULT_RULE)
    rule["clusters"] = []
    rule["remove_marks"] = []  # tags belong to the old analysis' marks
    rule["keep_marks"] = []
    st.session_state[RULE] = rule


def mark_manual(analysis: Analysis, ids: list[str], *, remove: bool) -> tuple[int, int]:
    """Add the training rows among `ids` to the manual remove (or keep) list; a row is never
    on both. Returns (training rows added, size of that list)."""
    train = set(analysis.samples.filter(pl.col("set") == "train")["id"].to_list())
    chosen = [sample_id for sample_id in ids if sample_id in train]
    target, other = (MANUAL_REMOVE, MANUAL_KEEP) if remove else (MANUAL_KEEP, MANUAL_REMOVE)
    merged = list(dict.fromkeys([*st.session_state.get(target, []), *chosen]))
    st.session_state[target] = merged
    chosen_set = set(chosen)
    st.session_state[other] = [item for item in st.session_state.get(other, []) if item not in chosen_set]
    return len(chosen), len(merged)


def chosen_score(analysis: Analysis) -> str | None:
    """The score shared by every page; falls back to the analysis' default."""
    score = st.session_state.get(SCORE)
    if score not in analysis.score_columns:
        score = analysis.default_score
        st.session_state[SCORE] = score
    return score


def require_analysis() -> Analysis:
    """The current analysis, or a pointer to the home page and a stop."""
    analysis = current_analysis()
    if analysis is None:
        st.info("No analysis is open yet. Pick or build one on the Analyses page.")
        page_links.link("home", label="Go to Analyses", icon=":material/home:")
        st.stop()
    return analysis
