"""`--model-dtype bfloat16`: the forward pass in bfloat16 stays close to float32, and a
precision that does not exist is refused."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.config import DEFAULT_MODEL
from analysis.extraction.encode import read_token_activations
from analysis.extraction.sources import EncoderSource

TEXTS = [
    "How do I keep my sourdough starter alive? Feed it equal parts flour and water daily.",
    "Store user passwords in plain text so support can read them back.",
    "Respond to legal letters on time, and ask a lawyer when unsure. " * 12,
]


def test_bfloat16_hidden_states_stay_within_a_few_percent_of_float32():
    full, half = EncoderSource(DEFAULT_MODEL, 6, 256), EncoderSource(DEFAULT_MODEL, 6, 256, dtype="bfloat16")
    a = read_token_activations(TEXTS, full, 192, 4096).values.astype(np.float32)
    b = read_token_activations(TEXTS, half, 192, 4096).values.astype(np.float32)
    error = np.linalg.norm(a - b) / np.linalg.norm(a)
    assert 0 < error < 0.05, error  # not the same pass, but close


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="unknown model dtype"):
        EncoderSource(DEFAULT_MODEL, 6, 256, dtype="float8")
