"""Where the pages live, by name, as absolute paths (so links work whatever the entry script).

Below `appkit.state` and `appkit.nav`, so both can link to a page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

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


def link(name: str, label: str, icon: str | None = None) -> None:
    st.page_link(page_path(name), label=label, icon=icon)


def go(name: str) -> None:
    st.switch_page(page_path(name))
