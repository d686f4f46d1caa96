"""How a sample map is colored: the color scales and the rules for category colors.

Shared by the point map (`appkit.charts`) and the density under a large one
(`appkit.density_map`), so a cell's color and the points on it follow the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

CATEGORY_COLORS = (
    "#4C78A8", "#F58518", "#54A24B", "#B279A2", "#72B7B2", "#EECA3B", "#9D755D", "#FF9DA6",
    "#BAB0AC", "#E45756", "#2E91E5", "#1CA71C", "#DA16FF", "#B68100", "#750D86", "#EB663B",
    "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32", "#778AAE", "#862A16",
)
NOISE_COLOR = "#C8C8C8"
MISSING_COLOR = "#D9D9D9"
MAX_CATEGORIES = len(CATEGORY_COLORS)
SCORE_SCALE = "Viridis"
ACTIVATION_SCALE = "OrRd"


@dataclass(frozen=True)
class ColorSpec:
    """How to color a map: by set, by a category column, or by a number (score, activation)."""

    kind: str  # "set", "category", "number"
    title: str
    values: pl.Series | None = None  # aligned with the frame's rows
    colorscale: str = SCORE_SCALE
    noise_value: str | None = None  # a category shown grey (HDBSCAN noise)
    label_groups: bool = False  # write each category's name at its center (cluster ids)
    # The categories that get their own color, when they were chosen on more rows than the
    # frame drawn (a sample of a large map): the colors then agree with the density under it.
    categories: tuple[str, ...] | None = None


def category_labels(values: pl.Expr) -> pl.Expr:
    """A category column as the strings the map shows ("(none)" for missing values)."""
    return values.cast(pl.String).fill_null("(none)")


def top_categories(labels: pl.Series, noise_value: str | None) -> list[str]:
    """The most frequent categories (noise apart), as many as the palette has colors but one:
    past that, the rarest categories share one grey "other" entry."""
    counts = labels.value_counts(sort=True)
    return [value for value in counts[counts.columns[0]].to_list() if value != noise_value][: MAX_CATEGORIES - 1]


def category_groups(labels: pl.Expr, top: list[str], noise_value: str | None) -> pl.Expr:
    """Each label's legend group: itself when among `top` (or noise), else "other"."""
    keep = [*top, *([noise_value] if noise_value is not None else [])]
    return pl.when(labels.is_in(keep)).then(labels).otherwise(pl.lit("other"))


def category_order(top: list[str], noise_value: str | None) -> list[str]:
    """The legend order of the groups: `top` in natural order, then "other", then noise."""
    return _natural_order(top) + [value for value in ("other", noise_value) if value is not None]


def category_colors(order: list[str], noise_value: str | None) -> list[str]:
    """The color of each group of `category_order`; noise and "other" are grey."""
    return [
        NOISE_COLOR if value == noise_value or value == "other" else CATEGORY_COLORS[index % len(CATEGORY_COLORS)]
        for index, value in enumerate(order)
    ]


def _natural_order(values: list[str]) -> list[str]:
    """Numeric-looking categories (cluster ids) in numeric order, others alphabetically."""
    try:
        return sorted(values, key=lambda value: int(value))
    except ValueError:
        return sorted(values)
