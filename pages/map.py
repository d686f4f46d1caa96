"""Sample map: every sample on the UMAP of its SAE features; select to inspect and to filter."""

from __future__ import annotations

import streamlit as st

from appkit import cached, nav, state
from appkit.charts import show_chart
from appkit.text import escape_markdown
from appkit.views import sample_detail

TABLE_LIMIT = 2_000
MAP_KEY = "sample_map"
TABLE_KEY = "linked_table"
SEARCH = "map_search"

nav.page_setup()
analysis = state.require_analysis()
path = str(analysis.path)
score = state.chosen_score(analysis)
st.session_state.setdefault(SEARCH, "")

st.title("Sample map")
st.caption(
    "Each point is one sample. Shape shows its set: ● training, ◆ toxic reference, ■ benign reference. "
    "Drag a box or lasso (or click a point) to list samples below; pick a row to read it."
)

options = cached.color_options(analysis)
if st.session_state.get(state.COLOR) not in options:
    st.session_state[state.COLOR] = cached.SET_COLOR
controls = st.columns([2, 2, 3])
color_key = controls[0].selectbox("Color by", list(options), format_func=options.get, **state.bind(state.COLOR))
feature = None
if color_key == cached.FEATURE_COLOR:
    names = cached.feature_names(path)
    feature_ids = list(names)
    if st.session_state.get(state.FEATURE) not in names:
        toxic = analysis.features.filter(analysis.features["is_toxic"]).sort("toxic_log_odds", descending=True)
        st.session_state[state.FEATURE] = int(toxic["feature"][0]) if not toxic.is_empty() else feature_ids[0]
    feature = controls[1].selectbox("Feature", feature_ids, format_func=names.get, **state.bind(state.FEATURE))
elif analysis.score_columns:
    controls[1].selectbox(
        "Score for the table",
        analysis.score_columns,
        format_func=cached.score_label,
        **state.bind(state.SCORE),
        help="Used to sort the table and for the detail pane; shared with the other pages.",
    )
    score = st.session_state[state.SCORE]


def on_search() -> None:
    query = st.session_state[SEARCH]
    st.session_state[state.SELECTED] = cached.search_ids(path, query) if query.strip() else []
    st.session_state[state.FOCUS] = None


controls[2].text_input(
    "Search the texts",
    key=SEARCH,
    on_change=on_search,
    placeholder="a word or phrase (case-insensitive)",
    help="Matches are circled on the map and listed in the table.",
)
search = st.session_state[SEARCH]

map_figure = cached.sample_map(path, color_key, feature, search)


def on_map_select() -> None:
    """Selection handler: turn the chart's points into sample ids for the table."""
    event = st.session_state.get(MAP_KEY)
    points = event["selection"]["points"] if event else []
    ids = map_figure.ids_of(points)
    st.session_state[state.SELECTED] = ids
    st.session_state[state.FOCUS] = ids[0] if len(ids) == 1 else None


map_column, detail_column = st.columns([3, 2], gap="medium")
with map_column:
    show_chart(
        map_figure.figure,
        key=MAP_KEY,
        file_name="sample-map",
        on_select=on_map_select,
        selection_mode=("points", "box", "lasso"),
    )
    if search:
        st.caption(f"{len(cached.search_ids(path, search)):,} samples contain “{escape_markdown(search)}”.")

selected: list[str] = st.session_state.get(state.SELECTED, [])
with map_column:
    st.subheader("Selected samples")
    if not selected:
        st.info("Nothing selected yet: drag on the map (box or lasso), click a point, or search.")
    else:
        table, total = cached.selection_table(analysis, selected, score, TABLE_LIMIT)
        note = f"{total:,} selected" + (
            f"; showing the {TABLE_LIMIT:,} with the highest {cached.score_label(score)}" if total > TABLE_LIMIT else ""
        )
        st.caption(note + ". Pick a row to read the sample.")
        shown_ids = table["id"].to_list()

        def on_row() -> None:
            rows = st.session_state[TABLE_KEY]["selection"]["rows"]
            st.session_state[state.FOCUS] = shown_ids[rows[0]] if rows else None

        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            height=320,
            on_select=on_row,
            selection_mode="single-row",
            key=TABLE_KEY,
            column_config={
                "text": st.column_config.TextColumn("Text", width="large"),
                **({score: st.column_config.NumberColumn(cached.score_label(score), format="%.3f")} if score else {}),
            },
        )
        buttons = st.columns(3)
        if buttons[0].button("Remove these in the filter", icon=":material/remove_circle:", help="Adds the selected training rows to the manual removal list of Filter & export."):
            added, total = state.mark_manual(analysis, selected, remove=True)
            st.toast(f"{added:,} training rows marked for removal ({total:,} in total).")
        if buttons[1].button("Always keep these", icon=":material/verified:", help="Exceptions: kept whatever the rule says."):
            added, total = state.mark_manual(analysis, selected, remove=False)
            st.toast(f"{added:,} training rows will always be kept ({total:,} in total).")
        buttons[2].page_link(nav.page_path("export"), label="Go to Filter & export", icon=":material/filter_alt:")

with detail_column:
    st.subheader("Sample")
    focus = st.session_state.get(state.FOCUS)
    if focus:
        sample_detail(analysis, focus, score, key="map_detail")
    else:
        st.caption("Pick a row in the table, or click a single point, to read the sample, its scores and why.")
