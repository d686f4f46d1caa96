"""The stakeholder report on a page: prepare it (with a status box), then download it.

The HTML comes from `analysis.use.report.build_report`, cached per (analysis, export, monitor):
those folders never change once written, so a report is built once per server.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from appkit.text import escape_markdown

READY = "_report_ready"


@st.cache_data(max_entries=4, show_spinner=False)
def report_html(analysis_path: str, export_path: str | None, monitor_path: str | None) -> bytes:
    from analysis.use.report import build_report

    return build_report(analysis_path, export_path, monitor_path).encode("utf-8")


def report_download(analysis_path: str, *, export_path: str | None = None, monitor_path: str | None = None, key: str) -> None:
    """A button that writes the report, then a download button for it."""
    wanted = (analysis_path, export_path, monitor_path)
    ready: dict[str, tuple] = st.session_state.setdefault(READY, {})
    parts = ["the map, toxic clusters and features, the evaluation when labels exist, the provenance"]
    if export_path:
        parts.append("this cut")
    if monitor_path:
        parts.append("this batch's drift")
    help_text = "One HTML file that opens offline (no server, nothing fetched): " + ", ".join(parts) + "."
    prepare = ready.get(key) != wanted and st.button(
        "Prepare the stakeholder report", key=f"{key}_prepare", icon=":material/summarize:", help=help_text
    )
    if prepare:
        from analysis.use.report import ReportError

        with st.status("Writing the stakeholder report (map, clusters, features, evaluation, provenance)…", expanded=False) as box:
            try:
                report_html(*wanted)
            except (ReportError, OSError, ValueError) as error:
                box.update(label="The report could not be written", state="error")
                st.error(escape_markdown(error))
                return
            box.update(label="The stakeholder report is ready", state="complete")
        ready[key] = wanted
    if ready.get(key) == wanted:
        name = Path(analysis_path).name + ("-cut" if export_path else "") + ("-drift" if monitor_path else "")
        st.download_button(
            "Download the stakeholder report (HTML)",
            data=lambda: report_html(*wanted),
            file_name=f"{name}-report.html",
            mime="text/html",
            key=f"{key}_download",
            on_click="ignore",
            icon=":material/download:",
            help=help_text,
        )
