"""Placeholder."""

import streamlit as st

from appkit import nav, state

nav.page_setup()
analysis = state.require_analysis()
st.title("features")
