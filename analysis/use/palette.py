"""How the three sets of rows look wherever they are drawn: the app's charts and the HTML report."""

from __future__ import annotations

SET_LABELS = {"train": "Training set", "toxic": "Toxic reference", "benign": "Benign reference"}
SET_COLORS = {"train": "#4C78A8", "toxic": "#E45756", "benign": "#54A24B"}
SET_SYMBOLS = {"train": "circle", "toxic": "diamond", "benign": "square"}
