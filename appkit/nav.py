"""Where the pages live, by name, as absolute paths (so links work whatever the entry script)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from appkit import state

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
PAGE_FILES = {
    "home": "home.py",
    "map": "map.py",
    "clusters": "clusters.py",
    "features": "features.py",
    "proximity": "proximity.py",
    "export": "export.py",
    "compare": "compare.py",
    "evaluate": "evaluate.py",
}


def page_path(name: str) -> str:
    return str(PAGES_DIR / PAGE_FILES[name])


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


def link(name: str, label: str, icon: str | None = None) -> None:
    st.page_link(page_path(name), label=label, icon=icon)


def go(name: str) -> None:
    st.switch_page(page_path(name))
