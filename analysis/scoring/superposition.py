"""The permutation null of decoder proximity: random latent sets like the toxic set.

Is a row's non-toxic latent mass closer in decoder geometry to the toxic latents than to a
random set of latents of the same size and activation frequency? The scorer keeps, for
each random set drawn here, the weights `matched_set_weights` gives; its
`score_superposition_z` and `analysis.scoring.diagnostics.superposition_test` compare the
observed excluding score with the scores under these sets.
"""

from __future__ import annotations

import numpy as np


def frequency_matched_sets(frequency: np.ndarray, chosen: np.ndarray, draws: int, seed: int, bins: int = 10) -> np.ndarray:
    """`draws` random latent sets of the size of `chosen`, matching its activation-frequency profile.

    Latents are binned by frequency quantile; each draw takes, from every bin, as many
    non-chosen latents as `chosen` has there. Returns a [draws, len(frequency)] bool mask.
    """
    rng = np.random.default_rng(seed)
    n = len(frequency)
    masks = np.zeros((draws, n), dtype=bool)
    if len(chosen) == 0 or n == 0:
        return masks
    edges = np.unique(np.quantile(frequency, np.linspace(0, 1, bins + 1)[1:-1]))
    bin_of = np.searchsorted(edges, frequency, side="right")
    is_chosen = np.zeros(n, dtype=bool)
    is_chosen[chosen] = True
    wanted = np.bincount(bin_of[is_chosen], minlength=len(edges) + 1)
    pools = [np.flatnonzero((bin_of == b) & ~is_chosen) for b in range(len(edges) + 1)]
    everything = np.flatnonzero(~is_chosen)
    for r in range(draws):
        for b, count in enumerate(wanted):
            if count == 0:
                continue
            pool = pools[b] if len(pools[b]) >= count else everything
            masks[r, rng.choice(pool, size=min(count, len(pool)), replace=False)] = True
    return masks


def matched_set_weights(directions: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Excluding-variant weights under each random set: [draws, len(directions)] float32.

    A latent's weight is its max decoder cosine to a member of the set; the members weigh 0,
    as the toxic latents do in the excluding variant.
    """
    weights = np.zeros(masks.shape, dtype=np.float32)
    for r in range(masks.shape[0]):
        members = np.flatnonzero(masks[r])
        if len(members) == 0:
            continue
        cos = directions @ directions[members].T
        cos[members, np.arange(len(members))] = -np.inf
        best = cos.max(axis=1)
        weights[r] = np.where(masks[r] | ~np.isfinite(best), 0.0, best)
    return weights
