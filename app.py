"""Feature-geometry workbench: `streamlit run app.py`.

The entry point only sets up navigation, the shared sidebar and the shareable link; each
view lives in pages/. Analyses are read from `cache/` (or `ANALYSIS_CACHE_DIR`).
"""

from __future__ import annotations

import streamlit as st

from appkit import state
from appkit.nav import page_path
from appkit.sidebar import analysis_sidebar

# Emoji, not `:material/...:`, for the favicon and the pages (a page's icon stands in for the
# favicon): Streamlit's frontend fetches a material favicon from a public font server, while
# the icons of buttons and links come from its bundled font and stay local.
st.set_page_config(page_title="Feature geometry workbench", page_icon="🧭", layout="wide")

state.ensure_defaults()
requested_page = state.load_query_params()
analysis = state.current_analysis()

PAGES = {
    "home": st.Page(page_path("home"), title="Analyses", icon="📂", url_path="home", default=True),
    "map": st.Page(page_path("map"), title="Sample map", icon="🗺️", url_path="map"),
    "clusters": st.Page(page_path("clusters"), title="Clusters", icon="🫧", url_path="clusters"),
    "features": st.Page(page_path("features"), title="Feature map", icon="🧩", url_path="features"),
    "proximity": st.Page(page_path("proximity"), title="Proximity", icon="📡", url_path="proximity"),
    "export": st.Page(page_path("export"), title="Filter & export", icon="🧹", url_path="export"),
    "compare": st.Page(page_path("compare"), title="Compare a batch", icon="⚖️", url_path="compare"),
    "evaluate": st.Page(page_path("evaluate"), title="Evaluate", icon="📈", url_path="evaluate"),
}
visible = [name for name in PAGES if name != "evaluate" or (analysis is not None and analysis.has_labels)]
navigation = st.navigation([PAGES[name] for name in visible])

# A link may name the page as ?page=... (the path works too); honour it once per session.
if requested_page in visible and PAGES[requested_page].url_path != navigation.url_path and navigation.url_path in ("", "home"):
    st.switch_page(PAGES[requested_page])

analysis_sidebar(analysis)
try:
    navigation.run()
finally:
    # After the page ran (or stopped), so choices it made on this run are in the link too.
    state.sync_query_params(navigation.url_path or "home")
