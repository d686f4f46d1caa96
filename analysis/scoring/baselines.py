"""Simple alternatives to the SAE proximity scores, for the evaluation.

Every function returns one float per training row, higher = more suspect, so that the
evaluation can rank them exactly like the ``score*`` columns of ``samples.parquet``.
They need nothing beyond what an analysis folder holds (texts, raw embeddings, pooled
sparse SAE activations): a researcher sees how much the SAE geometry adds over what a
keyword list, a bag of words or the model's plain embedding already find.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import polars as pl
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, normalize

from analysis.similarity import knn_contrast

DEFAULT_NEIGHBOURS = 10
PROBE_FOLDS = 5

# General harm vocabulary with the common inflections written out (exact token match, so
# "skill" never counts as "kill" and "believe" never as "lie"). Deliberately generic and
# fixed: it is a baseline, not something tuned on any benchmark.
# fmt: off
HARM_LEXICON: frozenset[str] = frozenset(
    (
        "kill", "kills", "killed", "killing", "killer", "murder", "murders", "murdered", "murdering", "murderer",
        "hack", "hacks", "hacked", "hacking", "hacker", "hackers", "steal", "steals", "stealing", "stole", "stolen", "theft", "thief",
        "weapon", "weapons", "gun", "guns", "firearm", "firearms", "bomb", "bombs", "explosive", "explosives", "shoot", "shooting",
        "illegal", "illegally", "unlawful", "crime", "crimes", "criminal", "password", "passwords", "bypass", "bypassing",
        "cheat", "cheats", "cheating", "cheated", "lie", "lies", "lying", "lied", "fraud", "fraudulent", "scam", "scams", "scammer",
        "poison", "poisons", "poisoned", "poisoning", "dangerous", "danger", "harm", "harms", "harmful", "harming", "hurt",
        "hurting", "attack", "attacks", "attacked", "attacking", "assault", "abuse", "abusing", "violence", "violent",
        "drug", "drugs", "meth", "cocaine", "heroin", "overdose", "suicide", "torture", "kidnap", "kidnapping", "terrorist",
        "terrorism", "exploit", "exploits", "malware", "virus", "ransomware", "phishing", "launder", "laundering",
        "counterfeit", "smuggle", "smuggling", "blackmail", "extort", "extortion", "threaten", "threat", "threats",
        "stalk", "stalking", "harass", "harassment", "racist", "hate", "hateful", "slur", "slurs", "rape",
    )
)
# fmt: on

_TOKEN_PATTERN = re.compile(r"[a-z0-9']+")


def random_scores(n_rows: int, seed: int) -> np.ndarray:
    """Uniform random scores: the floor any method must beat."""
    return np.random.default_rng(seed).random(n_rows)


def length_scores(texts: Sequence[str]) -> np.ndarray:
    """Text length in characters: catches sets where the planted rows are simply longer."""
    return (
        pl.Series(texts, dtype=pl.String).str.len_chars().fill_null(0).cast(pl.Float64).to_numpy()
    )


def keyword_scores(texts: Sequence[str], lexicon: frozenset[str] = HARM_LEXICON) -> np.ndarray:
    """Share of a text's word tokens that are in ``lexicon`` (0 for a text with no tokens)."""
    tokens = (
        pl.Series(texts, dtype=pl.String)
        .fill_null("")
        .str.to_lowercase()
        .str.extract_all(_TOKEN_PATTERN.pattern)
    )
    n_tokens = tokens.list.len().cast(pl.Float64).to_numpy()
    n_harm = (
        tokens.list.eval(pl.element().is_in(list(lexicon)))
        .list.sum()
        .fill_null(0)
        .cast(pl.Float64)
        .to_numpy()
    )
    return np.divide(n_harm, n_tokens, out=np.zeros_like(n_harm), where=n_tokens > 0)


def reference_knn_scores(
    train: np.ndarray | sp.spmatrix,
    toxic: np.ndarray | sp.spmatrix,
    benign: np.ndarray | sp.spmatrix | None,
    k: int = DEFAULT_NEIGHBOURS,
    chunk_rows: int | None = None,
) -> np.ndarray:
    """Mean cosine to the ``k`` nearest toxic rows minus the mean to the ``k`` nearest benign rows.

    Without benign rows (``None`` or empty) the toxic term alone is returned. Training rows
    are never reference rows here, so no row can count itself as a neighbour.
    """
    toxic_unit = normalize(toxic)
    benign_unit = normalize(benign) if benign is not None and benign.shape[0] > 0 else None
    train_unit = normalize(train)
    if k == 0:  # no neighbour asked for (`knn_contrast` would still take one)
        return np.zeros(train.shape[0])
    return knn_contrast(train_unit, toxic_unit, benign_unit, k, chunk=chunk_rows)[0]


def tfidf_knn_scores(
    train_texts: Sequence[str],
    toxic_texts: Sequence[str],
    benign_texts: Sequence[str],
    k: int = DEFAULT_NEIGHBOURS,
) -> np.ndarray:
    """Bag-of-words neighbours: TF-IDF fitted on every row's text, then :func:`reference_knn_scores`."""
    vectorizer = TfidfVectorizer(sublinear_tf=True)
    matrix = vectorizer.fit_transform([*train_texts, *toxic_texts, *benign_texts]).tocsr()
    n_train, n_toxic = len(train_texts), len(toxic_texts)
    benign = matrix[n_train + n_toxic :] if benign_texts else None
    return reference_knn_scores(matrix[:n_train], matrix[n_train : n_train + n_toxic], benign, k)


def embedding_knn_scores(
    train_embeddings: np.ndarray,
    toxic_embeddings: np.ndarray,
    benign_embeddings: np.ndarray | None,
    k: int = DEFAULT_NEIGHBOURS,
) -> np.ndarray:
    """Raw-embedding neighbours (the model's mean-pooled hidden state, no SAE)."""
    return reference_knn_scores(
        np.asarray(train_embeddings, dtype=np.float32),
        np.asarray(toxic_embeddings, dtype=np.float32),
        None if benign_embeddings is None else np.asarray(benign_embeddings, dtype=np.float32),
        k,
    )


def probe_cv_scores(
    features: sp.spmatrix | np.ndarray, labels: np.ndarray, seed: int, n_folds: int = PROBE_FOLDS
) -> np.ndarray | None:
    """Out-of-fold probabilities of a logistic probe trained on the training rows' own labels.

    A supervised upper bound, not a filter one could run without labels. Returns ``None``
    when a class has fewer than two rows (no stratified split exists).
    """
    labels = np.asarray(labels, dtype=bool)
    n_folds = min(n_folds, int(labels.sum()), int((~labels).sum()))
    if n_folds < 2:
        return None
    # MaxAbsScaler keeps the matrix sparse while putting latents of different scales on par.
    probe = make_pipeline(MaxAbsScaler(), LogisticRegression(C=1.0, max_iter=2000))
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    probabilities = cross_val_predict(probe, features, labels, cv=folds, method="predict_proba")
    return probabilities[:, 1]
