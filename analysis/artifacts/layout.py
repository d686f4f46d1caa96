"""The names of every file in the folders this library writes, and their format versions.

Three kinds of folder: an analysis (`<cache>/analyses/<name>-<key12>/`, see docs/ARTIFACTS.md),
an export of a cut of its training rows (any new folder) and a monitor of a new batch
(`<cache>/monitors/<analysis>-<batch sha12>/` by default); and one kind of file beside them, the
marks a researcher puts on an analysis' rows (`<cache>/marks/<analysis folder>.jsonl`). Writers
and readers take the names from here, so a file cannot be renamed on one side only.
"""

from __future__ import annotations

from pathlib import Path

# ---------------------------------------------------------------- format versions

# The layout of an analysis folder this code reads (manifest.json `format_version`). Bump it
# when a change to the folder would make older code misread a newer one.
ANALYSIS_FORMAT_VERSION = 3  # 2: the fitted scorer with the word-level family; 3: the contrast-direction families
# The fitted scorer's own files (`scorer/scorer.json` `format_version`).
SCORER_FORMAT_VERSION = 3  # 2: the word-level family (vocabulary, idf); 3: the contrast directions
# A monitor's report.json `format_version`.
MONITOR_FORMAT_VERSION = 1

# ---------------------------------------------------------------- the cache

ANALYSES = "analyses"  # <cache>/analyses/: one folder per analysis
MONITORS = "monitors"  # <cache>/monitors/: the default home of monitor folders
# <cache>/marks/<analysis folder name><MARKS_SUFFIX>: the marks of one analysis. Beside the
# analysis, never inside it: an analysis folder is content-addressed and never changes, marks
# grow as a researcher reads.
MARKS = "marks"
MARKS_SUFFIX = ".jsonl"
# <cache>/queries/<analysis folder name>/: the inbox of a query service (`analysis.use.query_service`):
# one `<id>.request.json` per question, answered by `<id>.answer.json`. Beside the analysis too.
QUERIES = "queries"
QUERY_REQUEST_SUFFIX = ".request.json"
QUERY_ANSWER_SUFFIX = ".answer.json"


def beside_analysis(analysis_dir: str | Path, room: str, suffix: str = "") -> Path:
    """`<cache>/<room>/<analysis folder name><suffix>`: where a file or folder that belongs to an
    analysis but is not part of it lives (its marks, its query inbox). Links are followed, as
    `Analysis.open` follows them."""
    folder = Path(analysis_dir).expanduser().resolve()
    return folder.parent.parent / room / f"{folder.name}{suffix}"

# ---------------------------------------------------------------- an analysis folder

MANIFEST = "manifest.json"
SAMPLES = "samples.parquet"
FEATURES = "features.parquet"
CLUSTERS = "clusters.parquet"
FEATURE_CLUSTERS = "feature_clusters.parquet"
ACTIVATIONS = "activations.parquet"
TOKENS = "tokens.parquet"
EMBEDDINGS = "embeddings.safetensors"
# Unit decoder directions of the active latents (`features` [n], `directions` [n, d_in]):
# the decoder the app reads, for pretrained and locally trained SAEs alike.
ACTIVE_DECODER = "decoder.safetensors"
SCORER = "scorer"  # the fitted scorer's folder, holding the two files below
SCORER_STATE = "scorer.json"
SCORER_TENSORS = "scorer.safetensors"
# With --self-contrast only: the model's own answer to each row's prompt, read like the rows.
# `id`, `response` (null for a row without a prompt), `features`, `values` (its pooled SAE
# codes, the layout of activations.parquet), rows in samples.parquet order.
SELF_RESPONSES = "self_responses.parquet"
# `raw` [n_samples, d_in]: the own answers' pooled hidden states (NaN rows where none).
SELF_EMBEDDINGS = "self_embeddings.safetensors"
SELF_CONTRAST_FILES: tuple[str, ...] = (SELF_RESPONSES, SELF_EMBEDDINGS)
# Every data file of a finished analysis besides manifest.json (the SAE's own folder aside,
# and the SELF_CONTRAST_FILES of an analysis built with --self-contrast).
ANALYSIS_FILES: tuple[str, ...] = (
    SAMPLES,
    FEATURES,
    CLUSTERS,
    FEATURE_CLUSTERS,
    ACTIVATIONS,
    TOKENS,
    EMBEDDINGS,
    ACTIVE_DECODER,
    f"{SCORER}/{SCORER_STATE}",
    f"{SCORER}/{SCORER_TENSORS}",
)

# ---------------------------------------------------------------- an export folder

EXPORT_MANIFEST = MANIFEST
EXPORT_KIND = "filtered_training_set"  # the export manifest's `kind`
EXPORT_PARTS = ("kept", "removed")  # data files `<part>.<ext>`, `<part>[_annotated].<ext>`
# Suffix of an annotated table written in the training input's own format, so that it does
# not take the name of the input's rows.
ANNOTATED_SUFFIX = "_annotated"

# ---------------------------------------------------------------- a monitor folder

MONITOR_REPORT = "report.json"
MONITOR_KIND = "monitor"  # report.json `kind`
MONITOR_SCORES = "scores.parquet"
MONITOR_LATENTS = "latents.parquet"
# The batch rows' pooled codes, in the layout of the analysis' own activations.parquet.
MONITOR_ACTIVATIONS = ACTIVATIONS
# The model's own answers to the batch rows' prompts (an analysis built with --self-contrast).
MONITOR_SELF_RESPONSES = SELF_RESPONSES

# ---------------------------------------------------------------- the packaged SAE

# Beside sae-lens' cfg.json and weights: what it was trained on and how well it reconstructs.
PACKAGED_SAE_TRAINING = "training.json"
