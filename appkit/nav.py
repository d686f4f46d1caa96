"""The first lines of every page, and the way pages link to each other (`appkit.page_links`)."""

from __future__ import annotations

import streamlit as st

from appkit import state
from appkit.page_links import go, link, page_path

__all__ = ["go", "link", "page_path", "page_setup"]


def page_setup() -> None:
    """First lines of every page: shared defaults and the link's choices.

    app.py does the same before navigating; repeating it here keeps a page whole when
    Streamlit runs it directly (its legacy `pages/` mode can, on a server's very first run).
    """
    if _leave_legacy_pages_mode():
        st.rerun()  # once per server: run again through app.py's navigation
    state.ensure_defaults()
    state.load_query_params()


def _leave_legacy_pages_mode() -> bool:
    """Streamlit treats a `pages/` folder as the legacy multipage layout until the entry
    script calls `st.navigation`; if a page runs first, switch that off so every later run
    goes through app.py's navigation. Returns True when it was on."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return False
    if getattr(PagesManager, "uses_pages_directory", None):
        PagesManager.uses_pages_directory = False
        return True
    return False
