"""Windows over long texts: which tokens each forward pass reads and which it keeps.

Texts longer than the window are read in overlapping windows, no token dropped. A
bidirectional encoder takes each token from the window where it sits most centrally; a
causal LM sees only what comes before a token, so it takes each token from the window that
gives it the most left context (the earliest window holding it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class TokenizedText:
    ids: np.ndarray  # [n] int64 token ids
    spans: np.ndarray  # [n, 2] int32 character span of each token in the text
    # [n] bool, or None for none: tokens a chat template added (role tags, special tokens),
    # read for context, never pooled; their span is empty
    markup: np.ndarray | None = None


@dataclass
class Window:
    sample: int
    ids: np.ndarray
    keep_from: int  # content positions [keep_from, keep_to) of this window are used
    keep_to: int
    offset: int  # index of the window's first token in the sample's token list


def window_starts(n_tokens: int, capacity: int, stride: int) -> list[int]:
    """Window starts over n tokens: every `stride` tokens, the last one ending at n.

    A stride of a whole window or more becomes 3/4 of the window, so windows always
    overlap and every token has some context."""
    if n_tokens <= capacity:
        return [0]
    stride = max(1, stride if stride < capacity else (3 * capacity) // 4)
    return list(range(0, n_tokens - capacity, stride)) + [n_tokens - capacity]


def plan_windows(n_tokens: int, capacity: int, stride: int, causal: bool = False) -> list[tuple[int, int, int]]:
    """Split n tokens into windows; return (start, keep_from, keep_to) in sample positions.

    The kept ranges tile [0, n) exactly once. Bidirectional (`causal` False): each token is
    kept from the window whose centre is nearest to it. Causal: from the earliest window
    holding it, where it has the most tokens before it.
    """
    starts = window_starts(n_tokens, capacity, stride)
    if causal:
        ends = [min(start + capacity, n_tokens) for start in starts]
        boundaries = [0, *ends]
    else:
        # boundary between window i and i+1: midway between their centres, inside both windows
        boundaries = [0]
        for left, right in zip(starts[:-1], starts[1:], strict=True):
            middle = (left + right + capacity) // 2 + 1
            boundaries.append(min(max(middle, right), left + capacity))
        boundaries.append(n_tokens)
    return [
        (start, lo, hi)
        for start, lo, hi in zip(starts, boundaries[:-1], boundaries[1:], strict=True)
        if hi > lo
    ]


def make_windows(tokenized: list[TokenizedText], capacity: int, stride: int, causal: bool = False) -> list[Window]:
    windows = []
    for sample, tok in enumerate(tokenized):
        for start, lo, hi in plan_windows(len(tok.ids), capacity, stride, causal):
            ids = tok.ids[start : start + capacity]
            windows.append(Window(sample, ids, lo - start, hi - start, start))
    return windows


def padded_batch(rows: list[np.ndarray], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-padded [n, width] token ids and their attention mask."""
    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return ids, mask
