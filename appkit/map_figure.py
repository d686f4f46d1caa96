"""What a drawn sample map is: its figure, the samples behind each trace, and (large maps) its cells.

Kept apart from the builders (`appkit.charts`, `appkit.density_map`) so both can return it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from analysis.use.selection import Box


@dataclass(frozen=True)
class MapOverview:
    """What a large map shows: how many rows it stands for, how many are drawn, its cells."""

    n_total: int  # rows of the analysis
    n_view: int  # rows in the window shown (every row when not zoomed)
    n_drawn: int  # rows drawn as points
    window: Box | None  # the zoom window, None for the whole map
    density: bool  # whether a density is drawn under the points
    x_edges: np.ndarray
    y_edges: np.ndarray

    def cell_box(self, row: int, column: int) -> Box | None:
        """The bounds of one density cell (row = y bin, column = x bin)."""
        if not (0 <= row < len(self.y_edges) - 1 and 0 <= column < len(self.x_edges) - 1):
            return None
        return (float(self.x_edges[column]), float(self.x_edges[column + 1]), float(self.y_edges[row]), float(self.y_edges[row + 1]))


@dataclass
class MapFigure:
    """A scatter map plus, for each trace, the sample ids of its points (to decode selections)."""

    figure: go.Figure
    trace_ids: list[np.ndarray] = field(default_factory=list)
    # What each trace's points are ("analysis" rows, "batch" rows, ...) when a map mixes kinds.
    trace_kinds: list[str] = field(default_factory=list)
    # Set for the map of a large analysis (appkit.density_map): what is drawn, and the density's cells.
    overview: MapOverview | None = None

    def picks_of(self, points: list[dict]) -> list[tuple[str, str]]:
        """(kind, id) of selected plotly points, in selection order; kinds from `trace_kinds`."""
        found: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for point in points:
            curve = point.get("curve_number", point.get("curveNumber"))
            index = point.get("point_index", point.get("pointIndex", point.get("point_number")))
            if curve is None or index is None or not 0 <= curve < len(self.trace_ids):
                continue
            if not isinstance(index, int | np.integer):
                continue  # a density cell ([row, column]) is no sample
            ids = self.trace_ids[curve]
            kind = self.trace_kinds[curve] if curve < len(self.trace_kinds) else "analysis"
            if 0 <= index < len(ids) and (kind, str(ids[index])) not in seen:
                seen.add((kind, str(ids[index])))
                found.append((kind, str(ids[index])))
        return found

    def ids_of(self, points: list[dict]) -> list[str]:
        """Sample ids of selected plotly points (curve and point numbers), in selection order."""
        return list(dict.fromkeys(sample_id for _, sample_id in self.picks_of(points)))
