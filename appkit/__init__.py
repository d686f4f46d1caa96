"""Small view helpers shared by the Streamlit pages: state, charts, safe text, jobs.

Plain helpers only; every heavy computation lives in `analysis/`.
"""
