"""Numbers and text as a person reads them in a report or a CI log."""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np


def number(value: Any, pattern: str = "{:.3g}") -> str:
    """`value` formatted by `pattern`; "n/a" for a missing or non-finite number, and the plain
    text of a value the pattern cannot format."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    try:
        return pattern.format(value)
    except (TypeError, ValueError):
        return str(value)


def percent(value: Any, digits: int = 1) -> str:
    """A share (0.123) as a percentage ("12.3%")."""
    return number(value, f"{{:.{digits}%}}")


def esc(value: Any) -> str:
    """Any value as escaped HTML text (None as an empty string)."""
    return "" if value is None else html.escape(str(value), quote=True)


def flat_text(text: str | None, limit: int) -> str:
    """`text` on one line (runs of white space as one space), cut to `limit` characters with "…"."""
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def json_safe(value: Any) -> Any:
    """NaN and infinities become null, numpy scalars plain numbers: what is written is strict JSON."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
