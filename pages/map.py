"""Sample map: every sample on the UMAP of its SAE features; select to inspect and to filter."""

from __future__ import annotations

import streamlit as st

from analysis.use.selection import MapSelection
from appkit import cached, marksview, nav, queryview, state
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

large = cached.is_large_map(path)

st.title("Sample map")
if large:
    st.caption(
        "Shading shows where the samples lie; points are a sample of them. Shape shows a point's set: "
        "● training, ◆ toxic reference, ■ benign reference. Drag a box or lasso to list every sample "
        "inside it, drawn or not (or click a point); pick a row to read it."
    )
else:
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
    st.session_state[state.MAP_REGION] = None


controls[2].text_input(
    "Search the texts",
    key=SEARCH,
    on_change=on_search,
    placeholder="a word or phrase (case-insensitive)",
    help="Matches are circled on the map and listed in the table.",
)
search = st.session_state[SEARCH]

window = st.session_state.get(state.MAP_WINDOW) if large else None
map_figure = cached.sample_map(path, color_key, feature, search, window) if window else cached.sample_map(path, color_key, feature, search)


QUERY_SLOT = "map"
QUERY_TEXT = "map_query_text"


def on_ask() -> None:
    text = st.session_state.get(QUERY_TEXT, "").strip()
    if text:
        queryview.ask(state.cache_root(), path, text, QUERY_SLOT)


with st.expander("Ask the map about a text", icon=":material/travel_explore:", expanded=bool(queryview.current_answer(path, QUERY_SLOT))):
    st.text_area(
        "Text to place on the map",
        key=QUERY_TEXT,
        height=90,
        placeholder="a prompt, a response, any text",
        help="Read by the analysis' own model and SAE and scored by its fitted scorer, nothing refitted: "
        "its place on the map (a star), its score and percentile, its nearest rows and the latents behind its score. "
        "The first question starts a query service that loads the model once (a few seconds); later ones answer at once.",
    )
    st.button("Ask", icon=":material/send:", on_click=on_ask, key="query_ask")
queryview.resolve_pending(QUERY_SLOT)
asked = queryview.current_answer(path, QUERY_SLOT)
answered = asked is not None and "error" not in asked["answer"]
drawn_map = queryview.with_marker(map_figure.figure, asked["answer"]["answers"][0]) if answered else map_figure.figure


def on_map_select() -> None:
    """Selection handler: turn the chart's selection into sample ids for the table.

    On a large map only some rows are drawn, so a box or lasso is applied to every row
    (the shapes' coordinates come with the event); clicked points add their own ids.
    """
    event = st.session_state.get(MAP_KEY)
    selection = event["selection"] if event else None
    ids = map_figure.ids_of(selection["points"] if selection else [])
    st.session_state[state.MAP_REGION] = None
    if large:
        region = MapSelection.from_event(selection, map_figure.ids_of)
        if region.has_region:
            ids = cached.selected_ids(path, region)
            st.session_state[state.MAP_REGION] = {"selection": region, "ids": ids}
    st.session_state[state.SELECTED] = ids
    st.session_state[state.FOCUS] = ids[0] if len(ids) == 1 else None


def current_region() -> MapSelection | None:
    """The box or lasso behind the current selection (None once something else replaced it)."""
    region = st.session_state.get(state.MAP_REGION)
    selected = st.session_state.get(state.SELECTED)
    if region and (region["ids"] is selected or region["ids"] == selected):
        return region["selection"]
    return None


def zoom_to(bounds: tuple[float, float, float, float] | None) -> None:
    if bounds is None:
        st.session_state[state.MAP_WINDOW] = None
        return
    x0, x1, y0, y1 = bounds
    pad_x, pad_y = (x1 - x0) * 0.03 or 0.5, (y1 - y0) * 0.03 or 0.5  # the shape's edge stays in view
    st.session_state[state.MAP_WINDOW] = (x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y)


map_column, detail_column = st.columns([3, 2], gap="medium")
with map_column:
    show_chart(
        drawn_map,
        key=MAP_KEY,
        file_name="sample-map",
        on_select=on_map_select,
        selection_mode=("points", "box", "lasso"),
    )
    if search:
        st.caption(f"{len(cached.search_ids(path, search)):,} samples contain “{escape_markdown(search)}”.")
    overview = map_figure.overview
    if overview is not None:
        where = "in this window" if overview.window else "in the analysis"
        if overview.density:
            st.caption(
                f"Density overview of all {overview.n_view:,} samples {where}, plus a sample of "
                f"{overview.n_drawn:,} of them drawn as points (every search match and toxic-reference rows first). "
                "A box or lasso selects every sample inside it, drawn or not."
            )
        else:
            st.caption(f"All {overview.n_view:,} samples in this window are drawn. A box or lasso selects every sample inside it.")
        region = current_region()
        zoom = st.columns(2)
        if region is not None:
            zoom[0].button(
                "Zoom to the selection", icon=":material/zoom_in:", on_click=zoom_to, args=(region.bounds(),),
                help="Redraw the map inside the selection's bounds: every sample there once few enough.",
            )
        if overview.window:
            zoom[1].button("Show the whole map", icon=":material/zoom_out_map:", on_click=zoom_to, args=(None,))

selected: list[str] = st.session_state.get(state.SELECTED, [])
with map_column:
    st.subheader("Selected samples")
    if not selected:
        st.info("Nothing selected yet: drag on the map (box or lasso), click a point, or search.")
    else:
        region = current_region() if large else None
        if region is not None:
            table, total = cached.region_table(path, region, score, TABLE_LIMIT)
        else:
            table, total = cached.selection_table(analysis, selected, score, TABLE_LIMIT)
        note = f"{total:,} selected" + (f" by {region.describe()}, drawn or not" if region is not None else "") + (
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
        with st.expander(f"Mark the {len(selected):,} selected rows (harmful, fine or an own tag)"):
            marks_log = marksview.marks_of(path).read()
            marksview.show_problems(marks_log)
            marksview.mark_controls(path, selected, marks_log, key="map_marks")
            st.caption("Filter & export lists the marks and can remove the rows by their mark.")

def select_nearest(ids: list[str]) -> None:
    st.session_state[state.SELECTED] = ids
    st.session_state[state.FOCUS] = ids[0] if ids else None
    st.session_state[state.MAP_REGION] = None


with detail_column:
    if asked is not None:
        st.subheader("Your text")
        nearest_train = queryview.show_answer(path, asked)
        if nearest_train:
            st.button(
                "List its nearest training rows", icon=":material/list:", on_click=select_nearest, args=(nearest_train,),
                help="Selects them: the table under the map lists them, to read, mark or remove.",
            )
    st.subheader("Sample")
    focus = st.session_state.get(state.FOCUS)
    if focus:
        sample_detail(analysis, focus, score, key="map_detail")
    else:
        st.caption("Pick a row in the table, or click a single point, to read the sample, its scores and why.")
