"""Choose the default score with a leave-one-task-out selection over the planted tasks.

    python bench/tasks.py --seeds 0 1 2
    nice -n 10 python bench/select_default.py [--tasks ...] [--seeds 0 1 2] [--layers 3 6]
    python bench/select_default.py --evaluate-only      # re-read existing analyses

Builds (``--build-only``: nothing else; ``--evaluate-only``: no build) every task x seed x
layer with the build CLI, sequentially and under
``nice -n 10``; the build is cached per step, so a rerun after a scoring change only
recomputes the steps that changed.

Evaluation, on the training rows of each analysis (``set == "train"``, positive: label
"harmful"):
- candidates: every ``score_*`` column present (the plain ``score`` copy excluded), alone,
  and every pairwise rank average ``rank_mean:score_a+score_b`` (mean of the two columns'
  ``scipy.stats.rankdata`` ranks over the training rows); a column that is entirely missing
  in an analysis is skipped there, and a candidate is eligible only where it exists for
  every task and seed evaluated at that layer. A (candidate, layer) pair is the unit of
  choice.
- baselines (not candidates): random, length, keyword, tfidf_knn, embedding_knn (the raw
  pooled embedding of the analysis' read layer), from ``analysis.scoring.baselines`` as
  ``analysis.use.evaluate`` computes them.
- metric: AUROC. Per task: the mean over its seeds; 95% bootstrap interval from 1,000
  resamples of the rows within each seed (the same resamples for every method and layer),
  the seed AUROCs averaged per resample.
- leave-one-task-out: for each task, the (candidate, layer) with the best mean AUROC over
  the other tasks, reported on the left-out task. In-sample: the best mean over all tasks;
  that pick is the shipped default.

Writes ``bench/out/select/<section>.json`` and the ``<section>`` section (default ``select``) of ``bench/RESULTS.md``;
the last line of standard output is ``default: <candidate> layer <L>``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import numpy as np
import polars as pl
from safetensors.numpy import load_file
from scipy.stats import rankdata

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT))

from analysis.artifacts.layout import EMBEDDINGS  # noqa: E402
from analysis.config import DEFAULT_SCORE, ENCODER, MODEL_SCORES, PACKAGED_SAE, SMOLLM2  # noqa: E402
from analysis.scoring import baselines as baseline_methods  # noqa: E402
from analysis.use.evaluate import finite_scores  # noqa: E402
from analysis.use.resampled_metrics import resample_counts, weighted_auroc  # noqa: E402
from bench import tasks as task_builder  # noqa: E402
from bench.results import record_finding, replace_section, to_markdown  # noqa: E402

OUT = REPOSITORY_ROOT / "bench" / "out"


def relative(path: Path) -> str:
    """A path relative to the repository root, for commands written into RESULTS.md."""
    try:
        return str(path.resolve().relative_to(REPOSITORY_ROOT))
    except ValueError:
        return str(path)


def build_command(task_folder: Path, cache: Path, name: str) -> list[str]:
    """The build CLI on one task folder, with the pipeline's defaults."""
    return [
        sys.executable, "-m", "analysis", "build",
        "--train", relative(task_folder / "train.jsonl"),
        "--toxic", relative(task_folder / "toxic.jsonl"),
        "--benign", relative(task_folder / "benign.jsonl"),
        "--out", relative(cache), "--name", name, "--quiet",
    ]


SELECT_OUT = OUT / "select"
INDEX = SELECT_OUT / "analyses.json"
BUILD_SECONDS = SELECT_OUT / "build_seconds.json"
RESULTS = REPOSITORY_ROOT / "bench" / "RESULTS.md"
SECTION = "select"
DEFAULT_SEEDS = (0, 1, 2)
DEFAULT_LAYERS = ("3", "6")
BOOTSTRAP = 1000
RANK_MEAN = "rank_mean:"
BASELINES = ("random", "length", "keyword", "tfidf_knn", "embedding_knn")
# Families that use no SAE: the model's hidden states, the words of the text.
DENSE_FAMILIES = ("score_dense_knn", "score_contrast_direction", "score_self_contrast")
NON_SAE_FAMILIES = (*DENSE_FAMILIES, "score_lexical_knn")
POSITIVE = task_builder.HARMFUL
MISSING: list[str] = []  # analyses asked for but not found by the last evaluate_runs


# A read point: "6" (the sentence encoder's layer 6) or "<alias>:<layer>" for another model or
# SAE: alias -> its build flags. "packaged:6" is the encoder with the SAE packaged for it
# (trained once on other text, `scripts/train_packaged_sae.py`) instead of one trained per task;
# "bf16:6" the encoder read in bfloat16 (its SAE trained on those activations). Every read
# point names its model and precision, so that a seed built later reads as the earlier ones
# did whatever the defaults ("auto" precision; the chat LLM as the default model).
ENCODER_FLAGS = ["--model", ENCODER, "--model-dtype", "float32"]
MODELS = {
    "smollm2": ["--model", SMOLLM2, "--model-dtype", "bfloat16"],
    "packaged": ["--model", ENCODER, "--sae", PACKAGED_SAE, "--model-dtype", "float32"],
    "bf16": ["--model", ENCODER, "--model-dtype", "bfloat16"],
    # the chat LLM with a TopK SAE of k 64 (k 32 explains 0.720 of block 20's variance, k 64
    # 0.774: "The SAE for the chat model" in RESULTS.md)
    "smollm2k64": ["--model", SMOLLM2, "--model-dtype", "bfloat16", "--k", "64"],
}
# the same, and the model answers every prompt itself (score_self_contrast*): only the tasks
# whose rows hold prompts can be read so
MODELS["smollm2k64sc"] = [*MODELS["smollm2k64"], "--self-contrast"]


def read_parts(read: str) -> tuple[str | None, int]:
    """(model alias or None for the default model, layer) of a read point."""
    alias, _, layer = read.rpartition(":")
    if alias and alias not in MODELS:
        raise ValueError(f"unknown model alias {alias!r} in read point {read!r} (known: {', '.join(MODELS)})")
    return alias or None, int(layer)


def read_flags(read: str) -> list[str]:
    """The build flags of a read point: its layer, and its model and precision when not the default."""
    alias, layer = read_parts(read)
    flags = ["--layer", str(layer)]
    return flags + (MODELS[alias] if alias is not None else ENCODER_FLAGS)


def read_label(read: str) -> str:
    alias, layer = read_parts(read)
    return f"layer {layer}" if alias is None else f"{alias} layer {layer}"


def analysis_name(task: str, seed: int, read: str) -> str:
    alias, layer = read_parts(read)
    return f"{task}-s{seed}-l{layer}" if alias is None else f"{task}-s{seed}-{alias}-l{layer}"


# ---------------------------------------------------------------- building


def read_index() -> dict[str, str]:
    return json.loads(INDEX.read_text()) if INDEX.exists() else {}


def record(name: str, folder: Path, seconds: float | None = None) -> None:
    """Remember which analysis folder a build produced (repository-relative) and, for a
    build that ran, its wall seconds (in ``build_seconds.json``)."""
    index = read_index()
    index[name] = relative(folder)
    _write_json_atomic(INDEX, index)
    if seconds is not None:
        timings = read_build_seconds()
        timings[name] = round(seconds, 1)
        _write_json_atomic(BUILD_SECONDS, timings)


def read_build_seconds() -> dict[str, float]:
    return json.loads(BUILD_SECONDS.read_text()) if BUILD_SECONDS.exists() else {}


def _write_json_atomic(path: Path, payload: dict) -> None:
    SELECT_OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, path)


def layer_build_command(task_folder: Path, cache: Path, name: str, layer: str) -> list[str]:
    """``nice -n 10 python -m analysis build ... --layer L [--model M --model-dtype D]``."""
    return ["nice", "-n", "10", *build_command(task_folder, cache, name), *read_flags(layer)]


def build(task_folder: Path, cache: Path, name: str, layer: str) -> tuple[Path | None, float, str]:
    """Run one build; return the analysis folder (None on failure), wall seconds, stderr tail."""
    started = time.perf_counter()
    completed = subprocess.run(
        layer_build_command(task_folder, cache, name, layer),
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0 or not completed.stdout.strip():
        return None, seconds, completed.stderr[-3000:]
    folder = Path(completed.stdout.strip().splitlines()[-1])
    folder = folder if folder.is_absolute() else REPOSITORY_ROOT / folder
    return folder, seconds, ""


def write_tasks(datasets: Path, names: list[str], seeds: list[int]) -> dict[tuple[str, int], Path]:
    folders = {}
    for seed in seeds:
        for task in task_builder.build_tasks(datasets, seed, tuple(names)):
            folders[(task.name, seed)] = task_builder.write_task(task, OUT / "tasks", seed)
    return folders


def build_all(
    folders: dict[tuple[str, int], Path],
    names: list[str],
    seeds: list[int],
    layers: list[str],
    cache: Path,
) -> list[str]:
    """Every build, seed by seed and layer by layer (the first seed's tasks finish first)."""
    failures = []
    for seed in seeds:
        for layer in layers:
            for task in names:
                name = analysis_name(task, seed, layer)
                print(f"[{name}] building", file=sys.stderr, flush=True)
                folder, seconds, error = build(folders[(task, seed)], cache, name, layer)
                if folder is None:
                    failures.append(name)
                    print(f"[{name}] FAILED after {seconds:.0f} s:\n{error}", file=sys.stderr)
                    continue
                record(name, folder, seconds)
                print(f"[{name}] {relative(folder)} ({seconds:.0f} s)", file=sys.stderr, flush=True)
    return failures


def find_analysis(name: str, cache: Path) -> Path | None:
    """The newest complete ``<name>-<key>`` analysis folder (a scoring change bumps the key,
    so the newest is the one the current code built), or the recorded one, or None."""
    found = [
        f
        for f in (cache / "analyses").glob(f"{name}-*")
        if f.name[len(name) + 1 :].isalnum() and (f / "manifest.json").exists()
    ]
    recorded = read_index().get(name)
    if recorded is not None and (REPOSITORY_ROOT / recorded / "manifest.json").exists():
        found.append(REPOSITORY_ROOT / recorded)
    return max(found, key=lambda f: (f / "manifest.json").stat().st_mtime) if found else None


# ---------------------------------------------------------------- evaluation


def built_analyses(tasks: list[str], seeds: list[int], read: str, cache: Path) -> Iterator[tuple[str, int, Path]]:
    """(name, seed, folder) of every task x seed analysis at read point `read` that is built; a
    missing one is named on standard error and skipped."""
    for task in tasks:
        for seed in seeds:
            name = analysis_name(task, seed, read)
            folder = find_analysis(name, cache)
            if folder is None:
                print(f"{name}: no analysis in {cache}; build it with bench/select_default.py --build-only", file=sys.stderr)
                continue
            yield name, seed, folder


def auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    return float(weighted_auroc(scores, labels, np.ones((1, labels.size)))[0])


def rank_mean_name(a: str, b: str) -> str:
    return f"{RANK_MEAN}{a}+{b}"


def candidate_scores(train: pl.DataFrame) -> dict[str, np.ndarray]:
    """Every ``score_*`` family present (not all missing) and every pairwise rank average."""
    families = {}
    for column in sorted(c for c in train.columns if c.startswith("score_")):
        values = train[column].cast(pl.Float64, strict=False).to_numpy()
        if np.isfinite(values).any():
            families[column] = finite_scores(values)
    ranks = {name: rankdata(values) for name, values in families.items()}
    candidates = dict(families)
    for a, b in combinations(sorted(families), 2):
        candidates[rank_mean_name(a, b)] = (ranks[a] + ranks[b]) / 2
    return candidates


def training_rows(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """All samples (with their row number) and the labelled training rows sorted by id."""
    samples = pl.read_parquet(folder / "samples.parquet").with_row_index("_sample_row")
    train = samples.filter((pl.col("set") == "train") & pl.col("label").is_not_null()).sort("id")
    return samples, train


def text_baselines(samples: pl.DataFrame, train: pl.DataFrame, seed: int) -> dict[str, np.ndarray]:
    texts = train["text"].to_list()
    toxic = samples.filter(pl.col("set") == "toxic")["text"].to_list()
    benign = samples.filter(pl.col("set") == "benign")["text"].to_list()
    return {
        "random": baseline_methods.random_scores(train.height, seed),
        "length": baseline_methods.length_scores(texts),
        "keyword": baseline_methods.keyword_scores(texts),
        "tfidf_knn": baseline_methods.tfidf_knn_scores(texts, toxic, benign),
    }


def embedding_baseline(
    folder: Path, samples: pl.DataFrame, train: pl.DataFrame
) -> np.ndarray | None:
    path = folder / EMBEDDINGS
    if not path.exists():
        return None
    raw = load_file(str(path))["raw"]
    if raw.shape[0] != samples.height:
        return None
    rows = {
        s: samples.filter(pl.col("set") == s)["_sample_row"].to_numpy() for s in ("toxic", "benign")
    }
    return baseline_methods.embedding_knn_scores(
        raw[train["_sample_row"].to_numpy()],
        raw[rows["toxic"]],
        raw[rows["benign"]] if rows["benign"].size else None,
    )


def layer_unit(method: str, layer: str | None) -> str:
    return method if layer is None else f"{method} @ layer {layer}"


def evaluate_runs(
    names: list[str], seeds: list[int], layers: list[str], cache: Path, n_bootstrap: int
) -> dict:
    """AUROC (point and bootstrap) of every candidate and baseline in every existing analysis.

    Returns ``runs[(task, seed)] = {"layers": {layer: {method: (point, boot)}},
    "baselines": {unit: (point, boot)}, "folders": {layer: path}, "n_rows", "n_positive"}``
    for the (task, seed) pairs that have an analysis at every requested layer.
    """
    runs: dict[tuple[str, int], dict] = {}
    build_seconds = read_build_seconds()
    for task in names:
        for seed in seeds:
            folders = {
                layer: find_analysis(analysis_name(task, seed, layer), cache) for layer in layers
            }
            missing = [layer for layer, folder in folders.items() if folder is None]
            MISSING.extend(analysis_name(task, seed, layer) for layer in missing)
            if missing:
                print(
                    f"[{task} s{seed}] no analysis at layer(s) {missing}: left out", file=sys.stderr
                )
                continue
            run: dict = {"layers": {}, "baselines": {}, "folders": {}}
            reference_ids = None
            for layer, folder in folders.items():
                samples, train = training_rows(folder)
                labels = (train["label"].cast(pl.String) == POSITIVE).to_numpy()
                ids = train["id"].to_list()
                if reference_ids is None:
                    reference_ids = ids
                    weights = resample_counts(labels.size, n_bootstrap, seed)
                    run.update(n_rows=int(labels.size), n_positive=int(labels.sum()))
                    for method, values in text_baselines(samples, train, seed).items():
                        run["baselines"][method] = _metric(values, labels, weights)
                elif ids != reference_ids:
                    raise RuntimeError(f"{task} s{seed}: layer {layer} has other training rows")
                run["folders"][layer] = relative(folder)
                run.setdefault("read_facts", {})[layer] = read_facts(folder, build_seconds.get(analysis_name(task, seed, layer)))
                run.setdefault("families", {})[layer] = sorted(
                    c for c in train.columns if c.startswith("score_")
                )
                run["layers"][layer] = {
                    method: _metric(values, labels, weights)
                    for method, values in candidate_scores(train).items()
                }
                embedding = embedding_baseline(folder, samples, train)
                if embedding is not None:
                    run["baselines"][layer_unit("embedding_knn", layer)] = _metric(
                        embedding, labels, weights
                    )
            runs[(task, seed)] = run
            print(f"[{task} s{seed}] evaluated", file=sys.stderr, flush=True)
    return runs


def read_facts(folder: Path, build_seconds: float | None) -> dict:
    """What one analysis says about its read point beside the AUROCs: the permutation test of
    decoder proximity (z, p), the SAE's held-out explained variance and dead share, the rows
    and tokens read, and the build's wall seconds when this script timed it."""
    manifest = json.loads((folder / "manifest.json").read_text())
    test = (manifest.get("diagnostics") or {}).get("superposition_test") or {}
    training = (manifest.get("sae") or {}).get("training") or {}
    counts = manifest.get("counts") or {}
    return {
        "z": test.get("z"),
        "p": test.get("p"),
        "explained_variance": training.get("explained_variance"),
        "dead_fraction_data": (manifest.get("sae") or {}).get("dead_fraction_data"),
        "rows": sum(int(counts.get(key, 0)) for key in ("train", "toxic", "benign")),
        "build_seconds": build_seconds,
    }


def read_point_table(runs: dict, layers: list[str]) -> tuple[list[dict], list[dict]]:
    """Per task, the permutation z at each read point; per read point, its mean z, the tasks
    with z > 0, the SAE's quality and the build cost per 1,000 rows (first seed of each task)."""
    per_task, facts_by_read = [], {layer: [] for layer in layers}
    first_seed = {task: seed for task, seed in sorted(runs, reverse=True)}
    for (task, seed), run in sorted(runs.items()):
        if seed != first_seed[task]:
            continue
        row = {"task": task}
        for layer in layers:
            facts = run.get("read_facts", {}).get(layer, {})
            facts_by_read[layer].append(facts)
            row[read_label(layer)] = "no toxic latent" if facts.get("z") is None else f"{facts['z']:+.1f}"
        per_task.append(row)
    summary = []
    for layer, facts in facts_by_read.items():
        zs = [f["z"] for f in facts if f.get("z") is not None]
        timed = [(f["build_seconds"], f["rows"]) for f in facts if f.get("build_seconds") and f.get("rows")]
        ev = [f["explained_variance"] for f in facts if f.get("explained_variance") is not None]
        dead = [f["dead_fraction_data"] for f in facts if f.get("dead_fraction_data") is not None]
        summary.append(
            {
                "read point": read_label(layer),
                "mean z": f"{np.mean(zs):+.2f}" if zs else "",
                "tasks with z > 0": f"{sum(z > 0 for z in zs)} of {len(zs)}",
                "SAE explained variance (held out, mean)": f"{np.mean(ev):.3f}" if ev else "",
                "dead latents on the data (mean)": f"{np.mean(dead):.1%}" if dead else "",
                "build seconds per 1,000 rows": f"{1000 * sum(t for t, _ in timed) / sum(r for _, r in timed):.0f}" if timed else "",
            }
        )
    return per_task, summary


def _metric(
    values: np.ndarray, labels: np.ndarray, weights: np.ndarray
) -> tuple[float, np.ndarray]:
    values = finite_scores(values)
    return auroc(values, labels), weighted_auroc(values, labels, weights)


def _interval(boot: np.ndarray) -> tuple[float, float]:
    values = boot[np.isfinite(boot)]
    if not values.size:
        return float("nan"), float("nan")
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def aggregate(runs: dict, layers: list[str]) -> dict:
    """Per task: mean AUROC over its seeds and the bootstrap of that mean, for every
    eligible (candidate, layer) unit and every baseline unit."""
    tasks = sorted({task for task, _ in runs}, key=task_builder.TASK_NAMES.index)
    per_task: dict[str, dict[str, tuple[float, np.ndarray]]] = {}
    baselines: dict[str, dict[str, tuple[float, np.ndarray]]] = {}
    seeds_used: dict[str, list[int]] = {}
    eligible: set[str] | None = None
    for task in tasks:
        task_runs = [(seed, run) for (t, seed), run in sorted(runs.items()) if t == task]
        seeds_used[task] = [seed for seed, _ in task_runs]
        units: dict[str, list[tuple[float, np.ndarray]]] = {}
        for _, run in task_runs:
            for layer in layers:
                for method, metric in run["layers"][layer].items():
                    units.setdefault(layer_unit(method, layer), []).append(metric)
        complete = {u for u, metrics in units.items() if len(metrics) == len(task_runs)}
        eligible = complete if eligible is None else eligible & complete
        per_task[task] = {u: _mean_metric(m) for u, m in units.items() if u in complete}
        base_units: dict[str, list[tuple[float, np.ndarray]]] = {}
        for _, run in task_runs:
            for unit, metric in run["baselines"].items():
                base_units.setdefault(unit, []).append(metric)
        baselines[task] = {
            u: _mean_metric(m) for u, m in base_units.items() if len(m) == len(task_runs)
        }
    eligible = eligible or set()
    per_task = {
        t: {u: v for u, v in units.items() if u in eligible} for t, units in per_task.items()
    }
    return {
        "tasks": tasks,
        "seeds": seeds_used,
        "units": sorted(eligible),
        "per_task": per_task,
        "baselines": baselines,
    }


def _mean_metric(metrics: list[tuple[float, np.ndarray]]) -> tuple[float, np.ndarray]:
    return float(np.mean([p for p, _ in metrics])), np.mean([b for _, b in metrics], axis=0)


def unit_layer(unit: str) -> tuple[str, str | None]:
    """(method, read point) of a unit; None for a unit that reads no model layer."""
    if " @ layer " in unit:
        method, layer = unit.rsplit(" @ layer ", 1)
        return method, layer
    return unit, None


def best_unit(units: list[str], per_task: dict, tasks: list[str]) -> tuple[str, float]:
    """The unit with the highest mean of task means over ``tasks`` (first by name on ties)."""
    means = [float(np.mean([per_task[t][u][0] for t in tasks])) for u in units]
    index = int(np.argmax(means))
    return units[index], means[index]


def task_bootstrap(values: list[float], n_bootstrap: int = BOOTSTRAP, seed: int = 0) -> dict:
    """Mean over tasks with a 95% interval from resampling the tasks themselves: the spread
    a new task's expected AUROC has, which a bootstrap of rows within fixed tasks leaves out."""
    values_array = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, values_array.size, (n_bootstrap, values_array.size))
    low, high = np.percentile(values_array[draws].mean(axis=1), [2.5, 97.5])
    return {"auroc": float(values_array.mean()), "lo": float(low), "hi": float(high)}


def _entry(metric: tuple[float, np.ndarray]) -> dict:
    low, high = _interval(metric[1])
    return {"auroc": metric[0], "lo": low, "hi": high}


def _mean_entry(metrics: list[tuple[float, np.ndarray]]) -> dict:
    """Mean over tasks; its interval from the per-resample mean (tasks resampled independently)."""
    return _entry(
        (float(np.mean([p for p, _ in metrics])), np.mean([b for _, b in metrics], axis=0))
    )


def sae_versus_dense(units: list[str], per_task: dict, tasks: list[str]) -> dict:
    """The best single SAE-based family against the best dense family among `units`, per
    task and on the mean, paired, each side also picked by leave-one-task-out."""
    singles = [u for u in units if not u.startswith(RANK_MEAN)]
    sae = [u for u in singles if unit_layer(u)[0] not in NON_SAE_FAMILIES]
    dense = [u for u in singles if unit_layer(u)[0] in DENSE_FAMILIES]
    comparison = {}
    if sae:
        best_sae, _ = best_unit(sae, per_task, tasks)
        comparison["sae"] = best_sae
        if dense:
            best_dense, _ = best_unit(dense, per_task, tasks)
            comparison["dense"] = best_dense
        comparison["per_task"] = {}
        for task in tasks:
            row = {"sae": _entry(per_task[task][best_sae])}
            if dense:
                row["dense"] = _entry(per_task[task][best_dense])
                difference = (
                    per_task[task][best_sae][0] - per_task[task][best_dense][0],
                    per_task[task][best_sae][1] - per_task[task][best_dense][1],
                )
                row["sae_minus_dense"] = _entry(difference)
            for side, pool in (("sae", sae), ("dense", dense)):
                others = [t for t in tasks if t != task]
                if pool and others:
                    pick, _ = best_unit(pool, per_task, others)
                    row[f"{side}_loto"] = {"pick": pick, **_entry(per_task[task][pick])}
            comparison["per_task"][task] = row
        comparison["mean"] = {"sae": _mean_entry([per_task[t][best_sae] for t in tasks])}
        if dense:
            comparison["mean"]["dense"] = _mean_entry([per_task[t][best_dense] for t in tasks])
            comparison["mean"]["sae_minus_dense"] = _mean_entry(
                [
                    (
                        per_task[t][best_sae][0] - per_task[t][best_dense][0],
                        per_task[t][best_sae][1] - per_task[t][best_dense][1],
                    )
                    for t in tasks
                ]
            )
    if sae and len(tasks) > 1:
        for side, pool in (("sae", sae), ("dense", dense)):
            if pool:
                comparison["mean"][f"{side}_loto"] = _mean_entry(
                    [per_task[t][comparison["per_task"][t][f"{side}_loto"]["pick"]] for t in tasks]
                )
        comparison["n_families"] = {"sae": len(sae), "dense": len(dense)}
    return comparison


# Differences of AUROC this small count as ties (two reads of the same rows in bfloat16 differ
# by about 1e-5).
TIE_AUROC = 0.001


def read_point_difference(aggregated: dict, first: str, second: str) -> list[dict]:
    """Every single family and shipped default score read at both points: the mean over tasks
    of (second - first), paired on the same rows (row-bootstrap interval) and over tasks
    (task-bootstrap interval), and on how many tasks the second is better / worse."""
    per_task, tasks = aggregated["per_task"], aggregated["tasks"]
    shipped = {DEFAULT_SCORE, *MODEL_SCORES.values()}
    read_at: dict[str | None, set[str]] = {}
    for method, layer in map(unit_layer, aggregated["units"]):
        if not method.startswith(RANK_MEAN) or method in shipped:
            read_at.setdefault(layer, set()).add(method)
    methods = sorted(read_at.get(first, set()) & read_at.get(second, set()))
    rows = []
    for method in methods:
        a, b = layer_unit(method, first), layer_unit(method, second)
        differences = [(per_task[t][b][0] - per_task[t][a][0], per_task[t][b][1] - per_task[t][a][1]) for t in tasks]
        points = [d for d, _ in differences]
        rows.append(
            {
                "method": method,
                "first": float(np.mean([per_task[t][a][0] for t in tasks])),
                "second": float(np.mean([per_task[t][b][0] for t in tasks])),
                "rows": _mean_entry(differences),
                "tasks": task_bootstrap(points),
                "better": int(sum(d > TIE_AUROC for d in points)),
                "worse": int(sum(d < -TIE_AUROC for d in points)),
            }
        )
    return rows


def paired_markdown(rows: list[dict], first: str, second: str) -> list[str]:
    if not rows:
        return []
    table = pl.DataFrame(
        [
            {
                "method": _unit_md(r["method"]),
                read_label(first): f"{r['first']:.3f}",
                read_label(second): f"{r['second']:.3f}",
                "difference, rows resampled": _cell(r["rows"]),
                "tasks resampled": f"[{r['tasks']['lo']:+.3f}, {r['tasks']['hi']:+.3f}]",
                f"tasks better / worse (by > {TIE_AUROC})": f"{r['better']} / {r['worse']}",
            }
            for r in rows
        ]
    )
    return [
        f"Paired: each method read at {read_label(second)} against {read_label(first)}, mean AUROC over the tasks (mean over seeds per task) and the mean of the per-task differences.",
        "",
        to_markdown(table),
        "",
    ]


def model_of(unit: str) -> str:
    """The model a unit reads: an alias of MODELS, or "default" for the default model."""
    _, read = unit_layer(unit)
    alias = read_parts(read)[0] if read is not None else None
    return alias or "default"


def select(aggregated: dict) -> dict:
    tasks, units, per_task = aggregated["tasks"], aggregated["units"], aggregated["per_task"]
    if not tasks or not units:
        return {}
    in_sample, in_sample_mean = best_unit(units, per_task, tasks)
    loto = {}
    for task in tasks:
        others = [t for t in tasks if t != task]
        pick, train_mean = (
            best_unit(units, per_task, others) if others else (in_sample, float("nan"))
        )
        loto[task] = {
            "pick": pick,
            "mean_on_other_tasks": train_mean,
            **_entry(per_task[task][pick]),
        }
    baselines = aggregated["baselines"]
    best_baseline = {}
    for task in tasks:
        name = max(sorted(baselines[task]), key=lambda u: baselines[task][u][0])
        best_baseline[task] = {"method": name, **_entry(baselines[task][name])}
    common_baselines = sorted(set.intersection(*(set(baselines[t]) for t in tasks)))
    baseline_means = {u: _mean_entry([baselines[t][u] for t in tasks]) for u in common_baselines}
    comparison = sae_versus_dense(units, per_task, tasks)
    by_model = {}
    for model in sorted({model_of(u) for u in units}):
        chosen = sae_versus_dense([u for u in units if model_of(u) == model], per_task, tasks)
        if chosen:
            by_model[model] = chosen
    ranking = sorted(units, key=lambda u: -float(np.mean([per_task[t][u][0] for t in tasks])))
    return {
        "in_sample": {
            "pick": in_sample,
            "mean": _mean_entry([per_task[t][in_sample] for t in tasks]),
            "per_task": {t: _entry(per_task[t][in_sample]) for t in tasks},
        },
        "loto": loto,
        "loto_mean": _mean_entry([per_task[t][loto[t]["pick"]] for t in tasks]),
        "loto_mean_over_tasks": task_bootstrap([loto[t]["auroc"] for t in tasks]),
        "in_sample_mean_over_tasks": task_bootstrap([per_task[t][in_sample][0] for t in tasks]),
        "best_baseline": best_baseline,
        "baseline_means": baseline_means,
        "sae_vs_dense": comparison,
        "sae_vs_dense_by_model": by_model,
        "top_units": [
            {"unit": u, "mean_auroc": float(np.mean([per_task[t][u][0] for t in tasks]))}
            for u in ranking[:15]
        ],
    }


# ---------------------------------------------------------------- report


def _cell(entry: dict) -> str:
    if not np.isfinite(entry["lo"]):
        return f"{entry['auroc']:.3f}"
    return f"{entry['auroc']:.3f} [{entry['lo']:.3f}, {entry['hi']:.3f}]"


def _unit_md(unit: str) -> str:
    method, layer = unit_layer(unit)
    return f"`{method}`" + ("" if layer is None else f" ({read_label(layer)})")


def _json_ready(value):
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def leading_task(comparison: dict) -> dict:
    """The task whose SAE-minus-dense difference is farthest from 0, and the mean difference
    over the other tasks: a mean carried by one task is said to be."""
    differences = {task: row["sae_minus_dense"]["auroc"] for task, row in comparison.get("per_task", {}).items() if "sae_minus_dense" in row}
    if len(differences) < 2:
        return {}
    task = max(differences, key=lambda t: abs(differences[t]))
    others = [value for t, value in differences.items() if t != task]
    return {"leading_task": {"task": task, "difference": differences[task], "others_mean": float(np.mean(others)), "others_range": [min(others), max(others)]}}


def finding_payload(args, selection: dict, runs: dict) -> dict:
    """The headline figures the app quotes (docs/findings.json, appkit.findings): the nested
    and in-sample means, TF-IDF's, each model's SAE against its dense families, and per read
    point the tasks where the permutation test's z is above 0."""
    _, read_points = read_point_table(runs, args.layers)
    baselines = selection["baseline_means"]
    return {
        "seeds": sorted({seed for _, seed in runs}),
        "tasks": len({task for task, _ in runs}),
        "pick": selection["in_sample"]["pick"],
        "loto": selection["loto_mean_over_tasks"],
        "in_sample": selection["in_sample"]["mean"],
        "tfidf": baselines.get("tfidf_knn"),
        "dense_by_read": {unit.split(" @ layer ")[1]: entry for unit, entry in baselines.items() if unit.startswith("embedding_knn @ layer ")},
        "sae_vs_dense": {model: {**comparison["mean"], **leading_task(comparison)} for model, comparison in selection["sae_vs_dense_by_model"].items()},
        "z_positive": {
            read: {"tasks": int(row["tasks with z > 0"].split(" of ")[0]), "of": int(row["tasks with z > 0"].split(" of ")[1])}
            for read, row in zip(args.layers, read_points, strict=True)
            if row["tasks with z > 0"]
        },
    }


def summary_payload(args, runs: dict, aggregated: dict, selection: dict) -> dict:
    per_run = [
        {"task": task, "seed": seed, "layer": layer, "method": method, "auroc": point}
        for (task, seed), run in sorted(runs.items())
        for layer, methods in sorted(run["layers"].items())
        for method, (point, _) in sorted(methods.items())
    ] + [
        {
            "task": task,
            "seed": seed,
            "layer": unit_layer(unit)[1],
            "method": unit_layer(unit)[0],
            "kind": "baseline",
            "auroc": point,
        }
        for (task, seed), run in sorted(runs.items())
        for unit, (point, _) in sorted(run["baselines"].items())
    ]
    per_task = {
        task: {unit: _entry(metric) for unit, metric in sorted(units.items())}
        for task, units in aggregated["per_task"].items()
    }
    baselines = {
        task: {unit: _entry(metric) for unit, metric in sorted(units.items())}
        for task, units in aggregated["baselines"].items()
    }
    return _json_ready(
        {
            "config": {
                "tasks": args.tasks,
                "seeds": args.seeds,
                "layers": args.layers,
                "bootstrap": args.bootstrap,
                "metric": "AUROC",
                "positive": POSITIVE,
            },
            "tasks_evaluated": aggregated["tasks"],
            "seeds_used": aggregated["seeds"],
            "analyses": {
                f"{task}-s{seed}": {str(k): v for k, v in run["folders"].items()}
                for (task, seed), run in sorted(runs.items())
            },
            "score_columns": {
                f"{task}-s{seed}": {str(k): v for k, v in run["families"].items()}
                for (task, seed), run in sorted(runs.items())
            },
            "rows": {
                f"{t}-s{s}": [r["n_rows"], r["n_positive"]] for (t, s), r in sorted(runs.items())
            },
            "missing_analyses": MISSING,
            "n_units": len(aggregated["units"]),
            "units": aggregated["units"],
            "selection": selection,
            "per_task": per_task,
            "baselines_per_task": baselines,
            "per_run": per_run,
            "read_facts": {
                f"{task}-s{seed}": run.get("read_facts", {}) for (task, seed), run in sorted(runs.items())
            },
        }
    )


def comparison_markdown(comparison: dict, tasks: list[str], scope: str) -> list[str]:
    """The SAE-versus-dense table of `sae_versus_dense`, headed by what it compares."""
    if not comparison:
        return []
    header = f"{scope}: best single SAE-based family on all tasks: {_unit_md(comparison['sae'])}"
    if "dense" in comparison:
        header += f"; best dense family: {_unit_md(comparison['dense'])}"
    else:
        header += "; no dense family in these analyses"
    rows = []
    for task in [*tasks, "mean"]:
        entry = comparison["mean"] if task == "mean" else comparison["per_task"][task]
        row = {
            "task": f"**{task}**" if task == "mean" else task,
            "SAE family": _cell(entry["sae"]),
        }
        if "dense" in entry:
            row["dense family"] = _cell(entry["dense"])
            row["SAE - dense (paired)"] = _cell(entry["sae_minus_dense"])
        for side, label in (("sae", "SAE"), ("dense", "dense")):
            if f"{side}_loto" in entry:
                pick = entry[f"{side}_loto"].get("pick")
                row[f"LOTO {label} family"] = _cell(entry[f"{side}_loto"]) + (
                    f" {_unit_md(pick)}" if pick else ""
                )
        rows.append(row)
    counts = comparison.get("n_families", {})
    note = (
        f" The in-sample SAE pick is the best of {counts.get('sae')} (family, layer) units, "
        f"the dense one of {counts.get('dense')}, which favours the SAE side; the LOTO "
        "columns pick each side on the other tasks."
        if counts
        else ""
    )
    return [header + "." + note, "", to_markdown(pl.DataFrame(rows)), ""]


def section_markdown(args, aggregated: dict, selection: dict, runs: dict) -> str:
    tasks = aggregated["tasks"]
    seeds = " ".join(str(s) for s in args.seeds)
    layers = " ".join(str(layer) for layer in args.layers)
    lines = [
        "### Choosing the default score: leave-one-task-out (`bench/select_default.py`)",
        "",
        "Reproduce (from the repository root; the builds are cached per step):",
        "",
        "```",
        f"python bench/tasks.py --seeds {seeds}",
        f"nice -n 10 python bench/select_default.py --seeds {seeds} --layers {layers}",
        "python bench/select_default.py --evaluate-only   # after a scoring change, once rebuilt",
        "```",
        "",
    ]
    requested = len(args.tasks) * len(args.seeds) * len(args.layers)
    if MISSING:
        lines += [
            f"**Incomplete:** {requested - len(MISSING)} of the {requested} requested analyses "
            "exist; a (task, seed) is evaluated only when it has every layer, so these are left "
            f"out: {_missing_by_task()}.",
            "",
        ]
    if not selection:
        return "\n".join([*lines, "No analysis to evaluate yet."])
    n_families = sum(1 for u in aggregated["units"] if not u.startswith(RANK_MEAN))
    lines += [
        f"Candidates: every `score_*` family alone and every pairwise rank average "
        f"(`rank_mean:a+b`), at each layer: {len(aggregated['units'])} (candidate, layer) units, "
        f"{n_families} of them single families. Metric: AUROC on the training rows (planted = "
        f"positive); per task the mean over its seeds, 95% interval from {args.bootstrap} "
        "bootstrap resamples of the rows within each seed (the same resamples for every method), "
        "seed AUROCs averaged per resample. LOTO: the unit with the best mean over the other "
        "tasks, scored on the left-out one. In-sample: the best mean over all tasks (the "
        "shipped default). Best baseline: the best of random, length, keyword, tfidf_knn and "
        "embedding_knn (raw pooled embedding of the read layer) on that task itself, an "
        "in-sample choice that favours the baselines. `*`: planted rows from another source "
        "than the clean rows (style confound, see `bench/tasks.py`).",
        "",
    ]
    descriptions = task_descriptions(tasks, aggregated["seeds"])
    if descriptions:
        lines += [
            "Tasks (`bench/tasks.py`; counts of the first seed):",
            "",
            to_markdown(
                pl.DataFrame(
                    [
                        {
                            "task": task,
                            "pool rows": d["counts"]["train"],
                            "planted": d["counts"]["train_planted"],
                            "pool": d["pool"],
                            "toxic reference": d["toxic"],
                            "benign reference": d["benign"],
                        }
                        for task, d in descriptions.items()
                    ]
                )
            ),
            "",
        ]
    in_sample, loto = selection["in_sample"], selection["loto"]
    rows = []
    for task in tasks:
        star = "*" if task in task_builder.SOURCE_CONFOUNDED else ""
        baseline = selection["best_baseline"][task]
        rows.append(
            {
                "task": f"{task}{star}",
                "seeds": " ".join(str(s) for s in aggregated["seeds"][task]),
                "LOTO pick": _unit_md(loto[task]["pick"]),
                "LOTO AUROC [95% CI]": _cell(loto[task]),
                "in-sample pick AUROC [95% CI]": _cell(in_sample["per_task"][task]),
                "best baseline": _unit_md(baseline["method"]),
                "baseline AUROC [95% CI]": _cell(baseline),
            }
        )
    best_mean_baseline = max(
        selection["baseline_means"], key=lambda u: selection["baseline_means"][u]["auroc"]
    )
    rows.append(
        {
            "task": "**mean**",
            "seeds": "",
            "LOTO pick": "",
            "LOTO AUROC [95% CI]": _cell(selection["loto_mean"]),
            "in-sample pick AUROC [95% CI]": _cell(in_sample["mean"]),
            "best baseline": f"{_unit_md(best_mean_baseline)} (best mean)",
            "baseline AUROC [95% CI]": _cell(selection["baseline_means"][best_mean_baseline]),
        }
    )
    picks = sorted({loto[t]["pick"] for t in tasks})
    lines += [
        to_markdown(pl.DataFrame(rows)),
        "",
        f"**Pick on all tasks: {_unit_md(in_sample['pick'])}**, mean AUROC "
        f"{_cell(in_sample['mean'])}. The left-out-task picks: "
        + ", ".join(f"{_unit_md(p)} ({sum(loto[t]['pick'] == p for t in tasks)})" for p in picks)
        + f"; their mean AUROC on the left-out tasks, {_cell(selection['loto_mean'])}, is the "
        "estimate of what the procedure gives on a new task. Every choice (model, layer, family "
        "or rank average) is made inside each fold. The interval in brackets resamples rows "
        "within the fixed tasks; resampling the tasks themselves (a new task drawn like these) "
        f"gives {_cell(selection['loto_mean_over_tasks'])} for the left-out mean and "
        f"{_cell(selection['in_sample_mean_over_tasks'])} for the in-sample pick.",
        "",
    ]
    lines += comparison_markdown(selection.get("sae_vs_dense") or {}, tasks, "All read points")
    by_model = selection.get("sae_vs_dense_by_model") or {}
    for model, comparison in by_model.items() if len(by_model) > 1 else ():
        label = "the default model" if model == "default" else model
        lines += comparison_markdown(comparison, tasks, f"Within {label} (its own SAE against its own hidden states)")
    if selection.get("mixed_score_columns"):
        lines += [
            "Warning: these score columns exist in some analyses only (built by different "
            "versions of the scoring code); rebuild for a consistent comparison: "
            + ", ".join(f"`{c}`" for c in selection["mixed_score_columns"]),
            "",
        ]
    for family, baseline in selection.get("identical_to_baseline", {}).items():
        lines += [
            f"`{family}` ranks the training rows exactly like the `{baseline}` baseline "
            "(the same AUROC, within 0.001, on every task, seed and layer).",
            "",
        ]
    per_task_z, per_read = read_point_table(runs, list(args.layers))
    lines += [
        "Per read point: the permutation test of decoder geometry (z of the training rows' mean "
        "decoder proximity to the toxic latents, toxic latents excluded, against 64 random latent "
        "sets of the same size and frequency; z > 0 is the paper's picture), the SAE's quality, "
        "and the build's cost (wall seconds of the whole cold build over train + toxic + benign "
        "rows, on this machine while other work ran: indicative, not a speed figure):",
        "",
        to_markdown(pl.DataFrame(per_read)),
        "",
        "Permutation z per task (first seed; \"no toxic latent\": no latent passed the toxic "
        "test, so there is nothing to compare):",
        "",
        to_markdown(pl.DataFrame(per_task_z)),
        "",
        "Best units by mean AUROC over all tasks:",
        "",
        to_markdown(
            pl.DataFrame(
                [
                    {"unit": _unit_md(u["unit"]), "mean AUROC": u["mean_auroc"]}
                    for u in selection["top_units"][:10]
                ]
            )
        ),
        "",
        f"Every number (per task, seed, layer and method) is in `bench/out/select/{args.section}.json`.",
    ]
    return "\n".join(lines)


def _missing_by_task() -> str:
    """``task (s1 l3, s1 l6)`` for every task with a missing analysis."""
    grouped: dict[str, list[str]] = {}
    for name in MISSING:
        task, seed, layer = name.rsplit("-", 2)
        grouped.setdefault(task, []).append(f"{seed} {layer}")
    return "; ".join(f"{task} ({', '.join(items)})" for task, items in grouped.items())


def task_descriptions(tasks: list[str], seeds: dict[str, list[int]]) -> dict[str, dict]:
    found = {}
    for task in tasks:
        path = task_builder.task_folder(OUT / "tasks", task, seeds[task][0]) / "task.json"
        if path.exists():
            found[task] = json.loads(path.read_text())
    return found


def identical_to_baseline(runs: dict) -> dict[str, str]:
    """Score families whose AUROC equals a baseline's (same layer) on every run."""
    identical = {}
    families = (
        set.intersection(
            *(set(methods) for run in runs.values() for methods in run["layers"].values())
        )
        if runs
        else set()
    )
    for family in sorted(f for f in families if not f.startswith(RANK_MEAN)):
        for baseline in BASELINES:
            same = True
            for run in runs.values():
                for layer, methods in run["layers"].items():
                    unit = baseline if baseline in run["baselines"] else layer_unit(baseline, layer)
                    if unit not in run["baselines"] or not np.isclose(
                        methods[family][0], run["baselines"][unit][0], rtol=0, atol=1e-3
                    ):
                        same = False
            if same:
                identical[family] = baseline
                break
    return identical


def mixed_score_columns(runs: dict) -> list[str]:
    """Score columns present in some analyses but not in all (empty when they agree)."""
    sets = [set(f) for run in runs.values() for f in run["families"].values()]
    return sorted(set.union(*sets) - set.intersection(*sets)) if sets else []


def ensure_markers(results: Path, section: str = SECTION) -> None:
    """Put the section's markers at the end of section 1 (before "## 2.") when they are absent."""
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    if start in text and end in text:
        return
    block = f"{start}\n{end}\n\n"
    position = text.find("\n## 2.")
    text = (
        text.rstrip() + "\n\n" + block
        if position < 0
        else text[: position + 1] + block + text[position + 1 :]
    )
    results.write_text(text)


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=task_builder.DEFAULT_DATASETS)
    parser.add_argument(
        "--tasks", nargs="+", choices=task_builder.TASK_NAMES, default=list(task_builder.TASK_NAMES)
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    parser.add_argument(
        "--layers",
        nargs="+",
        default=list(DEFAULT_LAYERS),
        help="read points: N (the default model's layer N) or ALIAS:N (" + ", ".join(f"{a}: {' '.join(flags)}" for a, flags in MODELS.items()) + ")",
    )
    parser.add_argument("--cache", type=Path, default=OUT / "cache")
    parser.add_argument("--bootstrap", type=int, default=BOOTSTRAP)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--evaluate-only", action="store_true", help="read existing analyses only")
    mode.add_argument("--build-only", action="store_true", help="build, do not evaluate")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--section", default=SECTION, help="marker name of the RESULTS.md section (and the summary file) to write")
    parser.add_argument("--paired", nargs=2, metavar=("A", "B"), help="also compare every method read at B with it read at A (two of --layers), paired")
    args = parser.parse_args(argv)
    if args.paired and not set(args.paired) <= set(args.layers):
        parser.error("--paired names two of the read points in --layers")
    for read in args.layers:
        try:
            read_parts(read)
        except ValueError as error:
            parser.error(str(error))
    cache = args.cache if args.cache.is_absolute() else REPOSITORY_ROOT / args.cache
    if not args.evaluate_only:
        if not task_builder.datasets_available(args.datasets):
            print(
                f"reference datasets not found in {args.datasets}: nothing built", file=sys.stderr
            )
            return 0
        folders = write_tasks(args.datasets, args.tasks, args.seeds)
        failures = build_all(folders, args.tasks, args.seeds, args.layers, cache)
        if failures:
            print(f"failed builds: {' '.join(failures)}", file=sys.stderr)
        if args.build_only:
            return 1 if failures else 0
    runs = evaluate_runs(args.tasks, args.seeds, args.layers, cache, args.bootstrap)
    aggregated = aggregate(runs, args.layers)
    selection = select(aggregated)
    if selection:
        selection["identical_to_baseline"] = identical_to_baseline(runs)
        selection["mixed_score_columns"] = mixed_score_columns(runs)
        if selection["mixed_score_columns"]:
            print(
                "warning: the analyses do not all have the same score columns (built by "
                "different versions of the scoring code?); only the common ones are compared",
                file=sys.stderr,
            )
    SELECT_OUT.mkdir(parents=True, exist_ok=True)
    summary = SELECT_OUT / f"{args.section}.json"
    paired = read_point_difference(aggregated, *args.paired) if args.paired and aggregated["tasks"] else []
    summary.write_text(
        json.dumps({**summary_payload(args, runs, aggregated, selection), "paired": _json_ready(paired)}, indent=1) + "\n"
    )
    ensure_markers(args.results, args.section)
    markdown = section_markdown(args, aggregated, selection, runs)
    if paired:
        markdown = markdown.rstrip("\n") + "\n\n" + "\n".join(paired_markdown(paired, *args.paired))
    replace_section(args.results, args.section, markdown)
    if selection:
        record_finding(args.section, finding_payload(args, selection, runs))
    print(
        f"wrote {relative(summary)} and the {args.section} section of {relative(args.results)}",
        file=sys.stderr,
    )
    if not selection:
        print("default: none (no analysis evaluated)")
        return 1
    method, layer = unit_layer(selection["in_sample"]["pick"])
    print(f"default: {method} {read_label(layer) if layer is not None else ''}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
