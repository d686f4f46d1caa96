"""Marks on a page: mark rows (harmful, fine or an own tag) with a note, undo, list the marks.

The marks themselves are `analysis.use.marks`: this module draws the controls and shows what
happened. Buttons act in callbacks, before the page runs again, so the rule and the table
drawn afterwards already see the new mark. Tags, notes and names are data: they reach the page
in tables and plain text, escaped where a widget renders markdown.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from analysis.use.marks import MAX_TAG_LENGTH, SUGGESTED_MARKS, Marks, MarksError, MarksLog
from appkit import cached, state
from appkit.text import escape_markdown, truncate_expr

OWN_TAG = "__own__"  # the choice "own tag" (never a tag itself: it is replaced by the typed one)
NOTICE = "_marks_notice"  # (kind, text) of the last mark or undo, shown once
TEXT_CHARS = 120


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
