"""A selection on the sample map as a predicate over every row, not a list of drawn points.

A large map draws a density of all rows and only a sample of them as points, so a box or a
lasso has to be applied to the rows themselves: a row is selected when its map position
(`x`, `y`) lies in one of the boxes or lassos, or when its id was picked (a click on a drawn
point). Plotly's selection events carry the boxes' ranges and the lassos' vertices in data
coordinates, which is all the predicate needs; the points plotly lists are only the drawn ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

Box = tuple[float, float, float, float]  # x0, x1, y0, y1 with x0 <= x1 and y0 <= y1
Polygon = tuple[tuple[float, ...], tuple[float, ...]]  # the x and the y of each vertex


@dataclass(frozen=True)
class MapSelection:
    """The union of boxes, lasso polygons and picked ids. Frozen and made of tuples, so it can
    be a cache key and be kept in a session as it is."""

    boxes: tuple[Box, ...] = ()
    lassos: tuple[Polygon, ...] = ()
    ids: tuple[str, ...] = ()

    @classmethod
    def from_event(
        cls, selection: Mapping[str, Any] | None, ids_of: Callable[[list[dict[str, Any]]], list[str]] | None = None
    ) -> MapSelection:
        """From a `st.plotly_chart` selection (`box`: [{x: [x0, x1], y: [y0, y1]}], `lasso`:
        [{x: [...], y: [...]}], `points`: the drawn points it hit); `ids_of` turns points into
        sample ids. Points inside a box or lasso add nothing (the shape covers them), so only
        clicked points outside every shape become picked ids. Malformed or degenerate shapes
        are left out rather than failing: the event comes from the browser."""
        selection = selection or {}
        boxes = tuple(box for item in selection.get("box") or () if (box := _box_of(item)) is not None)
        lassos = tuple(polygon for item in selection.get("lasso") or () if (polygon := _polygon_of(item)) is not None)
        shapes = cls(boxes, lassos)
        points = [point for point in selection.get("points") or () if isinstance(point, Mapping)]
        if ids_of is None or not points:
            return shapes
        if shapes.has_region:
            x = np.array([_coordinate(point.get("x")) for point in points])
            y = np.array([_coordinate(point.get("y")) for point in points])
            covered = shapes.position_mask(x, y)
            points = [point for point, inside in zip(points, covered, strict=True) if not inside]
        return cls(boxes, lassos, tuple(dict.fromkeys(str(sample_id) for sample_id in ids_of(points))))

    @property
    def has_region(self) -> bool:
        """Whether it holds a box or a lasso (a predicate on positions), not only picked ids."""
        return bool(self.boxes or self.lassos)

    @property
    def is_empty(self) -> bool:
        return not (self.boxes or self.lassos or self.ids)

    def bounds(self) -> Box | None:
        """The smallest box holding every box and lasso (None without a region)."""
        xs = [value for box in self.boxes for value in box[:2]] + [value for polygon in self.lassos for value in polygon[0]]
        ys = [value for box in self.boxes for value in box[2:]] + [value for polygon in self.lassos for value in polygon[1]]
        if not xs:
            return None
        return (min(xs), max(xs), min(ys), max(ys))

    def describe(self) -> str:
        """"a box", "2 boxes and a lasso", "3 picked points": for captions."""
        parts = []
        for count, one, many in ((len(self.boxes), "a box", "boxes"), (len(self.lassos), "a lasso", "lassos")):
            if count:
                parts.append(one if count == 1 else f"{count} {many}")
        if self.ids:
            parts.append("a picked point" if len(self.ids) == 1 else f"{len(self.ids):,} picked points")
        return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts) or "nothing"

    def position_mask(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Rows whose position lies in a box (edges included) or inside a lasso."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        mask = np.zeros(x.shape, dtype=bool)
        for x0, x1, y0, y1 in self.boxes:
            mask |= (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        for xs, ys in self.lassos:
            mask |= points_in_polygon(x, y, np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64))
        return mask

    def mask(self, samples: pl.DataFrame) -> np.ndarray:
        """A boolean per row of `samples` (columns `x`, `y`, `id`): every row, drawn or not."""
        mask = self.position_mask(samples["x"].to_numpy(), samples["y"].to_numpy())
        if self.ids:
            mask |= samples["id"].is_in(list(self.ids)).to_numpy()
        return mask

    def expr(self) -> pl.Expr:
        """The same predicate as a polars expression over `x`, `y` and `id` (for lazy frames)."""
        positions = pl.struct("x", "y").map_batches(
            lambda rows: pl.Series(self.position_mask(rows.struct.field("x").to_numpy(), rows.struct.field("y").to_numpy())),
            return_dtype=pl.Boolean,
        )
        return positions | pl.col("id").is_in(list(self.ids)) if self.ids else positions

    def select_ids(self, samples: pl.DataFrame) -> list[str]:
        """Ids of the selected rows, in the rows' order."""
        return samples["id"].filter(pl.Series(self.mask(samples))).to_list()


def points_in_polygon(x: np.ndarray, y: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Even-odd rule: is each point (x, y) inside the polygon with vertices (xs, ys)?

    A horizontal ray from the point crosses the polygon's edges an odd number of times when
    the point is inside. The candidates are sorted by y once, so that each edge tests only the
    points whose y lies within its span: the work grows with the number of crossings, not with
    points times vertices (a hand-drawn lasso has hundreds of vertices).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    inside = np.zeros(x.shape, dtype=bool)
    if len(xs) < 3:
        return inside
    near = np.flatnonzero((x >= xs.min()) & (x <= xs.max()) & (y >= ys.min()) & (y <= ys.max()))
    if near.size == 0:
        return inside
    order = near[np.argsort(y[near], kind="stable")]
    sorted_y = y[order]
    for xa, ya, xb, yb in zip(xs, ys, np.roll(xs, -1), np.roll(ys, -1), strict=True):
        if ya == yb:
            continue  # parallel to the ray: never crossed
        low, high = (ya, yb) if ya < yb else (yb, ya)
        # the points with low <= y < high: the edge straddles their ray (one end counted once)
        start, stop = np.searchsorted(sorted_y, [low, high], side="left")
        if start == stop:
            continue
        rows = order[start:stop]
        crossing = xa + (y[rows] - ya) * (xb - xa) / (yb - ya)
        inside[rows] ^= x[rows] < crossing
    return inside


def _finite(values: Sequence[Any]) -> list[float] | None:
    try:
        numbers = [float(value) for value in values]
    except (TypeError, ValueError):
        return None
    return numbers if all(math.isfinite(value) for value in numbers) else None


def _coordinate(value: Any) -> float:
    """A point's coordinate, NaN when missing or not a number (such a point is in no shape)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _box_of(item: Any) -> Box | None:
    if not isinstance(item, Mapping):
        return None
    xs, ys = _finite(item.get("x") or ()), _finite(item.get("y") or ())
    if not xs or not ys or len(xs) < 2 or len(ys) < 2:
        return None
    return (min(xs), max(xs), min(ys), max(ys))


def _polygon_of(item: Any) -> Polygon | None:
    if not isinstance(item, Mapping):
        return None
    xs, ys = _finite(item.get("x") or ()), _finite(item.get("y") or ())
    if not xs or not ys or len(xs) != len(ys) or len(xs) < 3:
        return None
    return (tuple(xs), tuple(ys))
