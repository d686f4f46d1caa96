"""Marks on a page: mark rows (harmful, fine or an own tag) with a note, undo, list the marks.

The marks themselves are `analysis.use.marks`: this module draws the controls and shows what
happened. Buttons act in callbacks, before the page runs again, so the rule and the table
drawn afterwards already see the new mark. Tags, notes and names are data: they reach the page
in tables and plain text, escaped where a widget renders markdown.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from analysis.use.learn_from_marks import LEARNED, NotEnoughMarks, scores_from_marks
from analysis.use.marks import MAX_TAG_LENGTH, SUGGESTED_MARKS, Marks, MarksError, MarksLog
from appkit import cached, state
from appkit.findings import marks_finding
from appkit.text import escape_markdown, truncate_expr

OWN_TAG = "__own__"  # the choice "own tag" (never a tag itself: it is replaced by the typed one)
NOTICE = "_marks_notice"  # (kind, text) of the last mark or undo, shown once
TEXT_CHARS = 120
LEARNED_STATE = "_learned_from_marks"  # {"analysis", "marks": snapshot, "table"} of the last fit
LEARNED_TOP = 20  # unmarked rows shown, best first


def marks_of(path: str) -> Marks:
    """The marks of the analysis at `path` (its own file beside it in the cache)."""
    return Marks.for_analysis(cached.analysis_at(path))


def tag_options(log: MarksLog, chosen: list[str]) -> list[str]:
    """The tags a rule can name: those in use now, most used first, plus those already chosen."""
    in_use = log.counts()["mark"].to_list()
    return list(dict.fromkeys([*in_use, *chosen]))


def _chosen_tag(key: str) -> str:
    choice = st.session_state.get(f"{key}_mark")
    return st.session_state.get(f"{key}_own", "") if choice == OWN_TAG else str(choice)


def _mark(path: str, ids: list[str], key: str) -> None:
    tag = _chosen_tag(key)
    note = st.session_state.get(f"{key}_note")
    who = st.session_state.get(f"_w_{state.MARK_WHO}_{key}")
    st.session_state[state.MARK_WHO] = who
    try:
        count = marks_of(path).add(ids, tag, note=note, who=who)
    except (MarksError, OSError) as error:
        st.session_state[NOTICE] = ("error", f"Not marked: {error}")
        return
    st.session_state[f"{key}_note"] = ""  # a note belongs to one mark
    st.session_state[NOTICE] = ("success", f"{count:,} rows marked {tag}.")


def _undo(path: str, key: str) -> None:
    who = st.session_state.get(f"_w_{state.MARK_WHO}_{key}")
    try:
        undone = marks_of(path).undo(who=who)
    except (MarksError, OSError) as error:
        st.session_state[NOTICE] = ("error", str(error))
        return
    st.session_state[NOTICE] = ("success", f"Undone: {len(undone.ids):,} rows marked {undone.mark}.")


def mark_controls(path: str, ids: list[str], log: MarksLog, *, key: str) -> None:
    """Mark `ids` with a chosen mark and note, and undo the last mark (of anyone)."""
    columns = st.columns([2, 2, 3, 2])
    choice = columns[0].selectbox(
        "Mark",
        [*SUGGESTED_MARKS, OWN_TAG],
        format_func=lambda option: "own tag…" if option == OWN_TAG else option,
        key=f"{key}_mark",
    )
    columns[1].text_input(
        "Own tag", key=f"{key}_own", max_chars=MAX_TAG_LENGTH, disabled=choice != OWN_TAG, placeholder="e.g. unsure"
    )
    columns[2].text_input("Note (optional)", key=f"{key}_note", placeholder="why, in a few words")
    columns[3].text_input("Marked by (optional)", **state.bind(state.MARK_WHO, f"_w_{state.MARK_WHO}_{key}"))
    buttons = st.columns([2, 2, 3])
    buttons[0].button(
        f"Mark {len(ids):,} rows",
        key=f"{key}_do_mark",
        on_click=_mark,
        args=(path, list(ids), key),
        disabled=not ids,
        icon=":material/bookmark_add:",
        type="primary",
    )
    last = log.last_surviving()
    buttons[1].button(
        "Undo the last mark",
        key=f"{key}_undo",
        on_click=_undo,
        args=(path, key),
        disabled=last is None,
        icon=":material/undo:",
        help=None if last is None else f"Unmarks the {len(last.ids):,} rows of the last mark ({escape_markdown(last.mark)}).",
    )
    show_notice()


def show_notice() -> None:
    """What the last mark or undo did, once."""
    notice = st.session_state.pop(NOTICE, None)
    if notice is None:
        return
    kind, text = notice
    if kind == "error":
        st.error(escape_markdown(text), icon=":material/error:")
    else:
        st.toast(escape_markdown(text), icon=":material/bookmark:")


def show_problems(log: MarksLog) -> None:
    for problem in log.problems:
        st.warning(escape_markdown(problem), icon=":material/warning:")


def marks_table(samples: pl.DataFrame, log: MarksLog) -> None:
    """The current marks, the latest first, with the start of each row's text."""
    current = log.current()
    if current.is_empty():
        st.caption("No row is marked yet.")
        return
    counts = ", ".join(f"{rows:,} {escape_markdown(mark)}" for mark, rows in log.counts().iter_rows())
    st.caption(f"{current.height:,} marked rows: {counts}.")
    texts = samples.select("id", "set", truncate_expr("text", TEXT_CHARS))
    shown = current.reverse().join(texts, on="id", how="left", maintain_order="left")
    st.dataframe(
        shown.select("id", "mark", "note", "who", "when", "set", "text"),
        hide_index=True,
        width="stretch",
        height=240,
        column_config={"text": st.column_config.TextColumn("Text", width="large")},
    )


def _fit_learned(path: str, log: MarksLog) -> None:
    snapshot = log.snapshot()
    try:
        table = scores_from_marks(cached.analysis_at(path), snapshot, scorer=cached.scorer_at(path))
    except NotEnoughMarks as reason:
        st.session_state[LEARNED_STATE] = {"analysis": path, "marks": snapshot, "error": str(reason)}
        return
    st.session_state[LEARNED_STATE] = {"analysis": path, "marks": snapshot, "table": table}


def learn_from_marks(path: str, log: MarksLog, samples: pl.DataFrame) -> list[str]:
    """The candidate score learned from the marks (the scorer fitted again with rows marked
    harmful / fine as references): fit it on request, show the unmarked rows it ranks highest
    beside their default score. Returns those rows' ids (empty before a fit, or once the marks
    changed since it)."""
    with st.expander("Learn from the marks: a candidate score beside the default", icon=":material/model_training:"):
        st.caption(
            "Fits this analysis' scorer again with the rows marked harmful as toxic references and those marked fine as "
            "benign ones, then ranks the unmarked training rows by the default score's recipe. A candidate to read next, "
            "never the default: the cut above still uses the score you chose. " + marks_finding()
        )
        st.button(
            "Fit it on the current marks", icon=":material/model_training:", on_click=_fit_learned, args=(path, log),
            key="learn_from_marks", disabled=log.current().is_empty(),
        )
        kept = st.session_state.get(LEARNED_STATE)
        if not kept or kept["analysis"] != path:
            return []
        if kept["marks"] != log.snapshot():
            st.info("The marks changed since the last fit: fit it again to use them.", icon=":material/info:")
            return []
        if "error" in kept:
            st.info(escape_markdown(kept["error"]), icon=":material/info:")
            return []
        table = (
            kept["table"]
            .filter(~pl.col("marked"))
            .join(samples.select("id", "score", truncate_expr("text", TEXT_CHARS)), on="id", how="left")
            .sort([LEARNED, "id"], descending=[True, False], nulls_last=True)
            .head(LEARNED_TOP)
        )
        st.caption(f"The {table.height} unmarked training rows the learned score ranks highest (fitted on {len(kept['marks']):,} marks):")
        st.dataframe(
            table.select("id", LEARNED, "score", "text"),
            hide_index=True,
            width="stretch",
            key="learned_table",
            column_config={
                LEARNED: st.column_config.NumberColumn("Learned score", format="%.3f"),
                "score": st.column_config.NumberColumn("Default score", format="%.3f"),
                "text": st.column_config.TextColumn("Text", width="large"),
            },
        )
        return table["id"].to_list()
