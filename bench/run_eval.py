"""Build every planted-contamination task with the pipeline and evaluate its scores.

    nice -n 10 python bench/run_eval.py [--datasets ../shared/datasets] [--bootstrap 1000]

For each task of ``bench/tasks.py`` it runs
``python -m analysis build --train ... --toxic ... --benign ... --out bench/out/cache``
with the pipeline's defaults (nothing tuned on these tasks), evaluates every score and
baseline against the planted labels (``analysis.evaluate.evaluate``, the same as
``python -m analysis evaluate <folder> --label-column label --positive harmful``), tests
whether ``score_decoder_proximity_excl`` is higher on the planted rows (Cohen's d, AUROC,
one-sided permutation test), and rewrites the evaluation section of ``bench/RESULTS.md``.
Per-task JSON reports go to ``bench/out/eval/``. Skips cleanly when the datasets are absent.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
from scipy.stats import permutation_test
from sklearn.metrics import roc_auc_score

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT))

from analysis.evaluate import evaluate  # noqa: E402
from bench import tasks as task_builder  # noqa: E402
from bench.results import replace_section, to_markdown  # noqa: E402

OUT = REPOSITORY_ROOT / "bench" / "out"
GEOMETRY_SCORE = "score_decoder_proximity_excl"
PERMUTATIONS = 10_000
METRIC_COLUMNS = (
    "auroc",
    "ap",
    "precision_at_5",
    "recall_at_5",
    "precision_at_10",
    "recall_at_10",
    "precision_at_20",
    "recall_at_20",
    "tpr_at_1pct_fpr",
)


def relative(path: Path) -> str:
    """A path relative to the repository root, for commands written into RESULTS.md."""
    try:
        return str(path.resolve().relative_to(REPOSITORY_ROOT))
    except ValueError:
        return str(path)


def build_command(task_folder: Path, cache: Path, name: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "analysis",
        "build",
        "--train",
        relative(task_folder / "train.jsonl"),
        "--toxic",
        relative(task_folder / "toxic.jsonl"),
        "--benign",
        relative(task_folder / "benign.jsonl"),
        "--out",
        relative(cache),
        "--name",
        name,
        "--quiet",
    ]


def build_analysis(task_folder: Path, cache: Path, name: str) -> tuple[Path, float]:
    """Run the build CLI; return the analysis folder (last stdout line) and the wall time."""
    started = time.perf_counter()
    completed = subprocess.run(
        build_command(task_folder, cache, name),
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"build of {name} failed:\n{completed.stderr[-3000:]}")
    folder = Path(completed.stdout.strip().splitlines()[-1])
    return (folder if folder.is_absolute() else REPOSITORY_ROOT / folder), seconds


def cohens_d(planted: np.ndarray, clean: np.ndarray) -> float:
    """Mean difference over the pooled standard deviation (ddof 1)."""
    n_a, n_b = planted.size, clean.size
    pooled = ((n_a - 1) * planted.var(ddof=1) + (n_b - 1) * clean.var(ddof=1)) / (n_a + n_b - 2)
    return float((planted.mean() - clean.mean()) / np.sqrt(pooled)) if pooled > 0 else float("nan")


def geometric_claim(folder: Path, seed: int) -> dict[str, float]:
    """Is the pure-superposition score higher on planted rows than on clean ones?"""
    train = pl.read_parquet(
        folder / "samples.parquet", columns=["set", "label", GEOMETRY_SCORE]
    ).filter((pl.col("set") == "train") & pl.col("label").is_not_null())
    is_planted = (train["label"] == task_builder.HARMFUL).to_numpy()
    scores = train[GEOMETRY_SCORE].to_numpy().astype(np.float64)
    planted, clean = scores[is_planted], scores[~is_planted]
    test = permutation_test(
        (planted, clean),
        lambda a, b, axis: np.mean(a, axis=axis) - np.mean(b, axis=axis),
        permutation_type="independent",
        alternative="greater",
        n_resamples=PERMUTATIONS,
        vectorized=True,
        random_state=seed,
    )
    return {
        "mean_planted": float(planted.mean()),
        "mean_clean": float(clean.mean()),
        "cohens_d": cohens_d(planted, clean),
        "auroc": float(roc_auc_score(is_planted, scores)),
        "p_value": float(test.pvalue),
        "n_planted": int(planted.size),
        "n_clean": int(clean.size),
    }


def mean_across_tasks(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    stacked = pl.concat(
        [table.with_columns(pl.lit(name).alias("task")) for name, table in tables.items()]
    )
    return (
        stacked.group_by("method", "kind")
        .agg(pl.len().alias("n_tasks"), *(pl.col(c).mean() for c in METRIC_COLUMNS))
        .sort("auroc", descending=True)
    )


def _interval(table: pl.DataFrame, metric: str) -> list[str]:
    return [
        f"{value:.3f} [{low:.3f}, {high:.3f}]"
        for value, low, high in table.select(metric, f"{metric}_lo", f"{metric}_hi").iter_rows()
    ]


def task_table(table: pl.DataFrame, default_score: str | None) -> pl.DataFrame:
    """One task's metrics, best AUROC first; ``score`` is labelled as the copy it is."""
    table = table.sort("auroc", descending=True)
    methods = [
        f"score (= {default_score})" if method == "score" and default_score else method
        for method in table["method"]
    ]
    return table.select(
        pl.Series("method", methods),
        "kind",
        pl.Series("AUROC [95% CI]", _interval(table, "auroc")),
        pl.Series("AP [95% CI]", _interval(table, "ap")),
        *METRIC_COLUMNS[2:],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=task_builder.DEFAULT_DATASETS)
    parser.add_argument(
        "--tasks", nargs="+", choices=task_builder.TASK_NAMES, default=list(task_builder.TASK_NAMES)
    )
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=OUT / "cache")
    parser.add_argument("--results", type=Path, default=REPOSITORY_ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args(argv)
    if not task_builder.datasets_available(args.datasets):
        print(
            f"reference datasets not found in {args.datasets}: benchmark skipped", file=sys.stderr
        )
        return 0

    tasks_out = OUT / "tasks"
    eval_out = OUT / "eval"
    eval_out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, pl.DataFrame] = {}
    claims: dict[str, dict[str, float]] = {}
    section = [
        "Reproduce (from the repository root):",
        "",
        "```",
        f"python bench/tasks.py --seed {args.seed}",
        f"nice -n 10 python bench/run_eval.py --bootstrap {args.bootstrap} --seed {args.seed}",
        "```",
        "",
    ]
    for task in task_builder.build_tasks(args.datasets, args.seed, tuple(args.tasks)):
        task_folder = task_builder.write_task(task, tasks_out, args.seed)
        print(f"[{task.name}] building", file=sys.stderr, flush=True)
        folder, build_seconds = build_analysis(task_folder, args.cache, task.name)
        print(f"[{task.name}] evaluating {folder.name}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        report = evaluate(
            folder, "label", task_builder.HARMFUL, n_bootstrap=args.bootstrap, seed=args.seed
        )
        eval_seconds = time.perf_counter() - started
        (eval_out / f"{task.name}.json").write_text(json.dumps(report.to_json(), indent=1) + "\n")
        tables[task.name] = report.table
        claims[task.name] = geometric_claim(folder, args.seed)
        manifest = json.loads((folder / "manifest.json").read_text())
        description = json.loads((task_folder / "task.json").read_text())
        command = [
            Path(sys.executable).name,
            *build_command(task_folder, args.cache, task.name)[1:],
        ]
        section += [
            f"### {task.name}",
            "",
            f"- pool: {description['pool']}",
            f"- toxic reference: {description['toxic']}; benign reference: {description['benign']}",
            *([f"- caveat: {description['caveat']}"] if "caveat" in description else []),
            f"- build: `{shlex.join(command)}` ({build_seconds:.0f} s wall, default score "
            f"`{manifest.get('default_score')}`, {manifest['counts'].get('toxic_features')} toxic latents)",
            f"- evaluate: `python -m analysis evaluate {relative(folder)} --label-column label "
            f"--positive harmful --bootstrap {args.bootstrap}` ({eval_seconds:.0f} s)",
            *(f"- note: {note}" for note in report.notes),
            "",
            to_markdown(task_table(report.table, manifest.get("default_score"))),
            "",
        ]
    section += [
        "### Mean across tasks",
        "",
        "Unweighted mean of each metric over the tasks (`n_tasks`: tasks where the method ran).",
        "",
        to_markdown(mean_across_tasks(tables)),
        "",
        f"### Geometric claim: is `{GEOMETRY_SCORE}` higher on planted rows?",
        "",
        f"Training rows only. Cohen's d with the pooled SD; AUROC of the score alone; p: one-sided "
        f"permutation test of the difference in means, {PERMUTATIONS:,} permutations "
        f"(`scipy.stats.permutation_test`, seed {args.seed}).",
        "",
        to_markdown(pl.DataFrame([{"task": name, **claim} for name, claim in claims.items()])),
        "",
    ]
    replace_section(args.results, "eval", "\n".join(section))
    print(f"wrote the evaluation section of {relative(args.results)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
