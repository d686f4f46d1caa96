"""Is the packaged SAE as good as one trained per analysis? (issue: the cold demo's SAE)

    python bench/packaged_sae.py [--tasks ...] [--seed 0] [--texts 200]

Needs the builds of both read points, seed 0 (the per-task SAE and the packaged one):

    nice -n 10 python bench/select_default.py --build-only --seeds 0 --layers 6 packaged:6

Two measurements per task, on the same rows for both SAEs:

- reconstruction: explained variance, mean L0 and the share of latents that never fire, on
  the token activations of a seeded sample of the task's training rows (response tokens, as a
  build reads them). The per-task SAE was trained on these very texts (all but 5%), the
  packaged one on other text, which holds some of the same sources (hh-rlhf, ToxiGen, XSTest,
  the demo) but none of the emergent-misalignment rows: the comparison favours the per-task
  SAE, and the column `packaged saw the source` says where. The packaged SAE (trained on
  float32 reads) is also measured on a bfloat16 read of the same rows, as a build reads them
  where the default precision resolves to bfloat16.
- ranking: AUROC of every score family that reads the SAE, planted harmful rows against clean
  ones among the training rows, with the per-task SAE and with the packaged one; per family,
  the paired difference over tasks with a 95% interval from resampling the tasks.

Writes `bench/out/packaged_sae.json` and the `packaged_sae` section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT))

from analysis.config import ENCODER, ExtractConfig, packaged_sae_folder  # noqa: E402
from analysis.extraction.sae import load_sae_from_disk, reconstruction_quality  # noqa: E402
from analysis.extraction.stream import activation_source, read_kept  # noqa: E402
from analysis.pipeline.inputs import BuildInputs, load_inputs  # noqa: E402
from analysis.scoring.families import FAMILIES, LATENT_FAMILIES  # noqa: E402
from analysis.use.evaluate import finite_scores  # noqa: E402
from bench import select_default  # noqa: E402
from bench import tasks as task_builder  # noqa: E402
from bench.results import record_finding, replace_section, to_markdown  # noqa: E402

OUT = REPOSITORY_ROOT / "bench" / "out" / "packaged_sae.json"
SECTION = "packaged_sae"
OWN, PACKAGED = "6", "packaged:6"
SAE_FAMILIES = [f for f in FAMILIES if f in LATENT_FAMILIES]
# Tasks whose training rows come (in part) from a source the packaged SAE was trained on.
SEEN_SOURCES = {"hh_harmless": "yes", "toxigen": "yes", "xstest": "yes", "demo_advice": "yes", "demo_code": "yes", "gore_trivia": "clean rows", "sexual_advice": "clean rows", "insecure_code": "clean rows", "insecure_code_matched": "clean rows", "evil_math": "no"}
RESAMPLES = 2000


def analysis_folder(index: dict[str, str], task: str, seed: int, read: str) -> Path:
    name = select_default.analysis_name(task, seed, read)
    if name not in index:
        raise SystemExit(f"{name} is not built: run bench/select_default.py --build-only --seeds {seed} --layers {OWN} {PACKAGED}")
    path = Path(index[name])
    return path if path.is_absolute() else REPOSITORY_ROOT / path


def token_activations(train: pl.DataFrame, rows: np.ndarray, model_dtype: str) -> Any:
    """The response-token activations of `rows`, read as a build reads them in `model_dtype`."""
    import torch

    ex = ExtractConfig(model=ENCODER, model_dtype=model_dtype)
    source = activation_source(ex, None, "cpu")
    kept = read_kept(train["text"].to_list(), rows, source, ex, None, train["response_start"].to_list())
    values, _ = kept.training_tokens()
    return torch.from_numpy(np.asarray(values, dtype=np.float32))


def reconstruction(task_folder: Path, own_sae: Path, packaged_sae: Any, texts: int, seed: int) -> dict[str, dict[str, float]]:
    """Reconstruction of the same sampled training rows by the task's own SAE and the packaged
    one (both builds read in float32), and by the packaged one on a bfloat16 read of them (what
    a build reads where the default precision resolves to bfloat16)."""
    samples = load_inputs(BuildInputs(task_folder / "train.jsonl", task_folder / "toxic.jsonl", task_folder / "benign.jsonl")).samples
    train = samples.filter(pl.col("set") == "train")
    rows = np.sort(np.random.default_rng(seed).permutation(train.height)[:texts])
    acts = token_activations(train, rows, "float32")
    return {
        "own": reconstruction_quality(load_sae_from_disk(own_sae), acts),
        "packaged": reconstruction_quality(packaged_sae, acts),
        "packaged_bf16_read": reconstruction_quality(packaged_sae, token_activations(train, rows, "bfloat16")),
        "tokens": int(acts.shape[0]),
    }


def family_aurocs(folder: Path) -> dict[str, float]:
    train = pl.read_parquet(folder / "samples.parquet").filter(pl.col("set") == "train")
    truth = (train["label"] == task_builder.HARMFUL).to_numpy()
    return {f: float(roc_auc_score(truth, finite_scores(train[f].to_numpy()))) for f in SAE_FAMILIES if f in train.columns and train[f].is_not_null().any()}


def task_interval(differences: np.ndarray, seed: int) -> tuple[float, float]:
    """95% interval of the mean paired difference, resampling the tasks."""
    rng = np.random.default_rng(seed)
    means = differences[rng.integers(0, len(differences), size=(RESAMPLES, len(differences)))].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def finding(per_task: dict, rows_auroc: list[dict]) -> dict:
    """The headline figures the app quotes beside an analysis built on the packaged SAE."""
    families = [row["family"] for row in rows_auroc]
    means = {side: float(np.mean([per_task[t]["auroc"][side][f] for t in per_task for f in families])) for side in ("own", "packaged")}
    explained = {side: [per_task[t]["reconstruction"][side]["explained_variance"] for t in per_task] for side in ("own", "packaged", "packaged_bf16_read")}
    worst = min(per_task, key=lambda t: per_task[t]["reconstruction"]["packaged"]["explained_variance"])
    return {
        "tasks": len(per_task),
        "families": len(families),
        "mean_auroc": means,
        "explained_variance": {side: float(np.mean(values)) for side, values in explained.items()},
        "lowest_explained_variance": {"task": worst, "packaged": per_task[worst]["reconstruction"]["packaged"]["explained_variance"], "own": per_task[worst]["reconstruction"]["own"]["explained_variance"]},
        "by_family": {row["family"]: {"difference": row["packaged - own"], "interval": row["95% CI (tasks)"]} for row in rows_auroc},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", nargs="+", default=list(task_builder.TASK_NAMES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--texts", type=int, default=200, help="training rows sampled per task for the reconstruction")
    parser.add_argument("--results", type=Path, default=select_default.RESULTS)
    args = parser.parse_args(argv)

    index = select_default.read_index()
    per_task, rows_recon = {}, []
    packaged_sae = load_sae_from_disk(packaged_sae_folder(ENCODER))
    for task in args.tasks:
        own = analysis_folder(index, task, args.seed, OWN)
        packaged = analysis_folder(index, task, args.seed, PACKAGED)
        recon = reconstruction(select_default.OUT / "tasks" / f"{task}-s{args.seed}", own / "sae", packaged_sae, args.texts, args.seed)
        per_task[task] = {"reconstruction": recon, "auroc": {"own": family_aurocs(own), "packaged": family_aurocs(packaged)}}
        rows_recon.append({
            "task": task, "packaged saw the source": SEEN_SOURCES.get(task, "?"), "tokens": recon["tokens"],
            "EV own": recon["own"]["explained_variance"], "EV packaged": recon["packaged"]["explained_variance"],
            "EV packaged, bf16 read": recon["packaged_bf16_read"]["explained_variance"],
            "dead own": recon["own"]["dead_fraction_heldout"], "dead packaged": recon["packaged"]["dead_fraction_heldout"],
        })
        print(json.dumps(rows_recon[-1]), file=sys.stderr, flush=True)

    rows_auroc = []
    for family in SAE_FAMILIES:
        pairs = [(per_task[t]["auroc"]["own"].get(family), per_task[t]["auroc"]["packaged"].get(family)) for t in args.tasks]
        if any(a is None or b is None for a, b in pairs):
            continue
        own_values, packaged_values = np.array(pairs).T
        lo, hi = task_interval(packaged_values - own_values, args.seed)
        rows_auroc.append({
            "family": family, "own SAE": round(float(own_values.mean()), 3), "packaged SAE": round(float(packaged_values.mean()), 3),
            "packaged - own": round(float((packaged_values - own_values).mean()), 3), "95% CI (tasks)": f"[{lo:+.3f}, {hi:+.3f}]",
            "tasks better / worse": f"{int((packaged_values > own_values).sum())} / {int((packaged_values < own_values).sum())}",
        })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"seed": args.seed, "texts": args.texts, "tasks": per_task}, indent=1) + "\n")
    command = f"python bench/packaged_sae.py --seed {args.seed} --texts {args.texts} --tasks {' '.join(args.tasks)}"
    body = "\n".join([
        f"Machine: {platform.machine()}, 2 CPU cores. Command: `{command}` (after the builds of read points `{OWN}` and `{PACKAGED}`).",
        "",
        "Reconstruction of the same sampled training rows (explained variance, share of latents never firing on them):",
        "",
        to_markdown(pl.DataFrame(rows_recon)),
        "",
        "AUROC of each family that reads the SAE, mean over the tasks, per-task SAE against the packaged one:",
        "",
        to_markdown(pl.DataFrame(rows_auroc)),
    ])
    replace_section(args.results, SECTION, body)
    record_finding(SECTION, finding(per_task, rows_auroc))
    print(to_markdown(pl.DataFrame(rows_recon)))
    print(to_markdown(pl.DataFrame(rows_auroc)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
