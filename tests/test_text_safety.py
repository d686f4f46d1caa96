"""Data text never becomes markup in a chart, and the app asks the browser for nothing outside.

Plotly renders a subset of HTML (`<b>`, `<a href>`) in trace names, text labels, ticks and
titles; a category value or a column name from the input must show as typed there.
Streamlit draws `:material/...:` icons with its bundled font, except a favicon (the page
icon, or a page's icon standing in for it), which its frontend fetches from a public font
server: those must be emoji.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import polars as pl

from appkit.charts import base_layout, scatter_map
from appkit.map_colors import ColorSpec
from appkit.text import escape_plotly

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = '<a href="https://example.org/x">click</a><b>bold</b> & more'


def test_escape_plotly_keeps_no_tag():
    escaped = escape_plotly(HOSTILE)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.count("&amp;") == 1


def _frame(n: int = 12) -> pl.DataFrame:
    rng = np.random.default_rng(0)
    return pl.DataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "set": ["train"] * n,
            "x": rng.normal(size=n),
            "y": rng.normal(size=n),
            "hover": ["row"] * n,
        }
    )


def test_category_values_and_titles_are_escaped_on_the_map():
    frame = _frame()
    values = pl.Series([HOSTILE if i % 2 else "plain" for i in range(frame.height)])
    color = ColorSpec(kind="category", title="<i>column</i>", values=values, label_groups=True)
    figure = scatter_map(frame, color, title="Map of <b>x</b>").figure
    texts = [str(trace.name) for trace in figure.data]
    for trace in figure.data:
        if trace.text is not None:
            texts.extend(str(value) for value in np.atleast_1d(trace.text))
    texts += [figure.layout.title.text, figure.layout.legend.title.text]
    assert any("click" in text for text in texts)
    assert not any("<a" in text or "<b>" in text or "<i>" in text for text in texts), texts


def test_layout_titles_are_escaped():
    layout = base_layout("a <b>title</b>", "<x>", "<y>", legend_title="<l>")
    shown = [layout["title"]["text"], layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"], layout["legend"]["title"]["text"]]
    assert not any("<" in text for text in shown), shown


def _favicon_icons() -> list[tuple[str, str]]:
    """(file, icon) of every `page_icon=` and `st.Page(..., icon=)` in the app's scripts."""
    found = []
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "appkit").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            for keyword in node.keywords:
                is_favicon = keyword.arg == "page_icon" or (name == "Page" and keyword.arg == "icon")
                if is_favicon and isinstance(keyword.value, ast.Constant):
                    found.append((path.name, str(keyword.value.value)))
    return found


def test_favicons_are_not_material_icons():
    icons = _favicon_icons()
    assert any(file == "app.py" for file, _ in icons)  # the scan sees the app's pages
    assert not [icon for icon in icons if icon[1].startswith(":material/")], icons
