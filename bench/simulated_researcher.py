"""Does learning from marks find more planted rows? A simulated researcher on the benchmark tasks.

    python bench/select_default.py --build-only --seeds 0 --layers 6   # the task analyses, once
    python bench/simulated_researcher.py [--seeds 0] [--read 6] [--looks 20] [--rounds 3]

On each task analysis (bench/out/cache, built by select_default.py) the researcher reads the
training rows in rounds. Each round reveals the true label of the `--looks` unread rows ranked
highest by the current score and marks them (`harmful` for a planted row, `fine` otherwise);
the learning researcher then refits the analysis' scorer with those marks as references
(`analysis.use.learn_from_marks`) and ranks by the learned score, the static one keeps the
default score. After `--rounds` rounds both have read the same number of rows; the table gives
the planted rows each found, per task with a 95% Wilson interval of the share found among the
rows read, and the mean difference over tasks with a 95% interval from resampling the tasks.

Writes bench/out/marks/<section>.json and the `<section>` section (default `marks`) of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT))

from analysis.artifacts.folder import Analysis  # noqa: E402
from analysis.use.explain import load_scorer  # noqa: E402
from analysis.use.learn_from_marks import LEARNED, fit_rows, scores_from_marks  # noqa: E402
from analysis.use.marks import FINE, HARMFUL  # noqa: E402
from bench import select_default  # noqa: E402
from bench import tasks as task_builder  # noqa: E402
from bench.results import record_finding, replace_section, to_markdown  # noqa: E402

OUT = REPOSITORY_ROOT / "bench" / "out" / "marks"
BOOTSTRAP = 1000


def ranked_unread(ids: np.ndarray, score: np.ndarray, read: set[str], n: int) -> list[str]:
    """The `n` unread ids with the highest score (NaN last, ties by id): the next rows to read."""
    frame = pl.DataFrame({"id": ids, "score": np.where(np.isfinite(score), score, -np.inf)})
    return frame.filter(~pl.col("id").is_in(list(read))).sort(["score", "id"], descending=[True, False]).head(n)["id"].to_list()


def simulate(folder: Path, looks: int, rounds: int) -> dict:
    """Planted rows found by the static and the learning researcher on one task analysis."""
    analysis = Analysis.open(folder)
    train = analysis.samples.filter(pl.col("set") == "train")
    ids = train["id"].to_numpy().astype(str)
    planted = dict(zip(ids, (train["label"] == task_builder.HARMFUL).to_list(), strict=True))
    default = train["score"].to_numpy().astype(np.float64)
    static_read = ranked_unread(ids, default, set(), looks * rounds)
    scorer = load_scorer(analysis)
    rows = fit_rows(analysis, scorer.d_sae_)
    read: list[str] = []
    current = default
    started = time.perf_counter()
    for _ in range(rounds):
        read += ranked_unread(ids, current, set(read), looks)
        marks = {sample_id: HARMFUL if planted[sample_id] else FINE for sample_id in read}
        learned = scores_from_marks(analysis, marks, rows, scorer)
        current = learned[LEARNED].to_numpy().astype(np.float64)
        assert learned["id"].to_list() == ids.tolist()
    return {
        "rows": int(train.height),
        "planted": int(sum(planted.values())),
        "read": len(read),
        "static": int(sum(planted[i] for i in static_read)),
        "learning": int(sum(planted[i] for i in read)),
        "refit_seconds": round((time.perf_counter() - started) / rounds, 2),
    }


def wilson(found: int, n: int) -> tuple[float, float]:
    """95% Wilson interval of the share `found / n`."""
    if n == 0:
        return float("nan"), float("nan")
    z = 1.959964
    share = found / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(centre - half), float(centre + half)


def task_interval(values: list[float], seed: int = 0) -> tuple[float, float, float]:
    """Mean over tasks and its 95% interval from resampling the tasks."""
    array = np.asarray(values, dtype=np.float64)
    draws = np.random.default_rng(seed).integers(0, array.size, (BOOTSTRAP, array.size))
    low, high = np.percentile(array[draws].mean(axis=1), [2.5, 97.5])
    return float(array.mean()), float(low), float(high)


def task_differences(runs: dict[str, dict]) -> dict[str, float]:
    """Learning minus static per task, averaged over the task's seeds: the seeds of one task
    share its rows, so the interval resamples tasks, not runs."""
    by_task: dict[str, list[float]] = {}
    for name, run in runs.items():
        by_task.setdefault(name.split("-s")[0], []).append(float(run["learning"] - run["static"]))
    return {task: float(np.mean(values)) for task, values in by_task.items()}


def section(args: argparse.Namespace, runs: dict[str, dict]) -> str:
    rows = []
    for task, run in runs.items():
        static_lo, static_hi = wilson(run["static"], run["read"])
        learn_lo, learn_hi = wilson(run["learning"], run["read"])
        rows.append(
            {
                "task": task,
                "training rows": run["rows"],
                "planted": run["planted"],
                "rows read": run["read"],
                "static: found [95% share CI]": f"{run['static']} [{static_lo:.2f}, {static_hi:.2f}]",
                "learning from marks: found [95% share CI]": f"{run['learning']} [{learn_lo:.2f}, {learn_hi:.2f}]",
                "difference": run["learning"] - run["static"],
                "refit s": run["refit_seconds"],
            }
        )
    differences = list(task_differences(runs).values())
    mean, low, high = task_interval(differences)
    better = sum(d > 0 for d in differences)
    worse = sum(d < 0 for d in differences)
    total_static = sum(run["static"] for run in runs.values())
    total_learning = sum(run["learning"] for run in runs.values())
    command = f"python bench/simulated_researcher.py --seeds {' '.join(map(str, args.seeds))} --read {args.read} --looks {args.looks} --rounds {args.rounds}"
    lines = [
        "### Learning from marks: a simulated researcher (`bench/simulated_researcher.py`)",
        "",
        f"Command: `{command}` (task analyses of `bench/select_default.py`, read point {select_default.read_label(args.read)}, "
        f"seed{'s' if len(args.seeds) > 1 else ''} {', '.join(map(str, args.seeds))}). Each round reads the {args.looks} unread training rows ranked "
        f"highest and marks them by their true label; the learning researcher refits the analysis' scorer with the marks as "
        f"references (`analysis.use.learn_from_marks`) before the next round, the static one keeps the default score. "
        f"{args.rounds} rounds: {args.looks * args.rounds} rows read by each.",
        "",
        to_markdown(pl.DataFrame(rows)),
        "",
        f"Planted rows found in {args.looks * args.rounds} looks, summed over the tasks: static {total_static}, learning {total_learning}. "
        f"Mean difference per task {mean:+.2f} rows (a task's seeds averaged) [95% CI over tasks {low:+.2f}, {high:+.2f}]; "
        f"learning found more on {better} of {len(differences)} task{'s' if len(differences) != 1 else ''}, fewer on {worse}.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--read", default="6", help="read point of the task analyses (select_default.py's --layers)")
    parser.add_argument("--tasks", nargs="+", default=list(task_builder.TASK_NAMES))
    parser.add_argument("--looks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--section", default="marks")
    parser.add_argument("--cache", type=Path, default=select_default.OUT / "cache")
    args = parser.parse_args()
    runs: dict[str, dict] = {}
    for name, _, folder in select_default.built_analyses(args.tasks, args.seeds, args.read, args.cache):
        runs[name] = simulate(folder, args.looks, args.rounds)
        print(f"{name}: {runs[name]}", file=sys.stderr, flush=True)
    if not runs:
        print("no task analysis found", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{args.section}.json").write_text(json.dumps({"args": vars(args) | {"cache": str(args.cache)}, "runs": runs}, indent=2))
    replace_section(select_default.RESULTS, args.section, section(args, runs))
    differences = list(task_differences(runs).values())
    mean, low, high = task_interval(differences)
    record_finding(
        args.section,
        {
            "read": select_default.read_label(args.read),
            "tasks": len(differences),
            "rows_read": args.looks * args.rounds,
            "static": sum(run["static"] for run in runs.values()),
            "learning": sum(run["learning"] for run in runs.values()),
            "mean_difference": round(mean, 2),
            "interval": [round(low, 2), round(high, 2)],
            "better": sum(d > 0 for d in differences),
            "worse": sum(d < 0 for d in differences),
        },
    )
    print(section(args, runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
