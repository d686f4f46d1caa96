"""The sidebar every page shares: which analysis is open, and a quick switch to another."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from analysis.artifacts.catalog import list_analyses
from analysis.artifacts.folder import Analysis
from appkit import state
from appkit.text import escape_markdown


@st.cache_data(max_entries=8, show_spinner=False)
def _listing(cache_root: str, version: int) -> pl.DataFrame:
    return list_analyses(Path(cache_root))


def analyses_table(cache_root: str) -> pl.DataFrame:
    """The analyses in the cache, re-read only when the `analyses/` folder changed.

    Finished builds are renamed into that folder, which updates its modification time.
    """
    folder = Path(cache_root) / "analyses"
    version = folder.stat().st_mtime_ns if folder.is_dir() else 0
    return _listing(cache_root, version)


SWITCHER = "_w_sidebar_analysis"


def analysis_sidebar(analysis: Analysis | None) -> None:
    table = analyses_table(str(state.cache_root()))
    with st.sidebar:
        if analysis is None:
            st.caption("No analysis open.")
        else:
            counts = analysis.counts()
            st.caption("Open analysis")
            st.markdown(f"**{escape_markdown(analysis.name)}**")
            st.caption(
                " · ".join(f"{counts.get(name, 0):,} {name}" for name in ("train", "toxic", "benign"))
            )
        if table.height > 1:
            paths = table["path"].to_list()
            names = dict(zip(paths, table["name"].to_list(), strict=True))
            # The widget shows the open analysis whichever page opened it; a change here opens another.
            if analysis is not None and str(analysis.path) in names:
                st.session_state[SWITCHER] = str(analysis.path)

            def switch() -> None:
                state.set_analysis(st.session_state[SWITCHER])

            st.selectbox(
                "Switch analysis",
                paths,
                format_func=lambda path: names.get(path, path),
                key=SWITCHER,
                on_change=switch,
                placeholder="Choose an analysis",
            )
        manual = len(st.session_state.get(state.MANUAL_REMOVE, [])) + len(st.session_state.get(state.MANUAL_KEEP, []))
        if manual:
            st.caption(f"{manual:,} manual filter choices kept for Filter & export.")
        st.caption("The address bar always holds a link to this view (analysis, page, colors, score, rule).")
