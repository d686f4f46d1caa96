"""The score families: their names, which ones latents explain, score specs and human labels.

Every family is "higher = closer to toxic". A score spec names one family, or
`rank_mean:score_a+score_b`, the mean of the families' percentiles among the training rows
the scorer was calibrated on.
"""

from __future__ import annotations

from collections.abc import Iterable

FAMILIES: tuple[str, ...] = (
    "score_toxic_activation",
    "score_decoder_proximity",
    "score_decoder_proximity_excl",
    "score_superposition_z",
    "score_paper",
    "score_knn",
    "score_dense_knn",
    "score_lexical_knn",
    "score_cluster_distance",
    "score_probe",
    "score_contrast_direction",
    "score_contrast_latents",
    "score_self_contrast",
    "score_self_contrast_latents",
)
# Families that need the model's own answer to each row's prompt (`--self-contrast`): an
# analysis built without it has no such columns.
SELF_CONTRAST_FAMILIES: tuple[str, ...] = ("score_self_contrast", "score_self_contrast_latents")
# Families whose value is a sum over the sample's latents (explained exactly by them).
LATENT_FAMILIES = frozenset(FAMILIES) - {"score_dense_knn", "score_lexical_knn", "score_contrast_direction", "score_self_contrast"}
RANK_PREFIX = "rank_mean:"

# What the app and the HTML report call each score column (`score` is the default spec).
LABELS: dict[str, str] = {
    "score": "default score",
    "score_toxic_activation": "toxic-feature activation",
    "score_decoder_proximity": "decoder proximity",
    "score_decoder_proximity_excl": "decoder proximity (toxic features excluded)",
    "score_superposition_z": "decoder proximity vs random latents (z)",
    "score_paper": "paper recipe (top-100 toxic features, decoder cosine)",
    "score_knn": "nearest neighbours in SAE space (toxic minus benign)",
    "score_dense_knn": "nearest neighbours in the model's hidden states (no SAE)",
    "score_lexical_knn": "nearest neighbours in word space (TF-IDF, no model)",
    "score_cluster_distance": "closeness to nearest toxic cluster",
    "score_probe": "toxic-vs-benign probe",
    "score_contrast_direction": "toxic-minus-benign mean direction in the model's hidden states (no SAE)",
    "score_contrast_latents": "toxic-minus-benign mean direction in SAE space",
    "score_self_contrast": "row minus the model's own answer, along the toxic-minus-benign direction (hidden states, no SAE)",
    "score_self_contrast_latents": "row minus the model's own answer, along the toxic-minus-benign direction in SAE space",
}


def score_label(column: str) -> str:
    """The human label of a score column; a column this version does not know reads as its name."""
    return LABELS.get(column, column.removeprefix("score_").replace("_", " "))


def scored_families(columns: Iterable[str]) -> list[str]:
    """The families among `columns`, in FAMILIES order (the self-contrast ones only where built)."""
    present = set(columns)
    return [name for name in FAMILIES if name in present]


def spec_label(spec: str) -> str:
    """The human label of a score spec: a family's label, or "rank average of A and B"."""
    if not spec.startswith(RANK_PREFIX):
        return score_label(spec)
    names = [score_label(name) for name in spec.removeprefix(RANK_PREFIX).split("+")]
    return "rank average of " + ", ".join(names[:-1]) + " and " + names[-1]


def score_components(spec: str) -> tuple[str, ...]:
    """The families a score spec combines: `score_knn` -> (score_knn,), `rank_mean:a+b` -> (a, b)."""
    names = tuple(spec.removeprefix(RANK_PREFIX).split("+")) if spec.startswith(RANK_PREFIX) else (spec,)
    unknown = [name for name in names if name not in FAMILIES]
    if unknown or (spec.startswith(RANK_PREFIX) and len(names) < 2):
        raise ValueError(f"unknown score {spec!r}: use one of {', '.join(FAMILIES)} or {RANK_PREFIX}score_a+score_b")
    return names
