"""Benchmark of `python -m analysis monitor` (run by hand).

    python bench/monitor_bench.py [--cache DIR | --analysis DIR] [--batches 50] [--rows 200]
        [--tasks-cache bench/out/cache] [--task-batches 200]

1. Time: the CLI on 200 clean demo training rows and on 10,000 rows drawn with replacement
   from every demo training row (new ids), model load and imports included, split into
   model load / extraction / scoring / statistics (the run's own `timings`), against the
   goals of 15 s and 60 s on 2 CPU cores; the machine's load is recorded with them.
2. Verdicts: the 200 clean rows must exit 0; a batch of 200 with 42 % planted harmful demo
   rows (`label == "harmful"`) must exit 1.
3. False alarms and power on the demo: the distinct rows of the 10,000-row run (every demo
   training row scored through `monitor`, up to the few a draw of 10,000 misses), resampled
   into batches (clean rows only, or with 5 / 10 / 20 / 42 % planted harmful rows) and put
   through the same drift statistics as the CLI (`analysis.scoring.drift`), without extracting again.
4. False alarms and power on the planted-contamination tasks of `bench/tasks.py` (seed 0,
   layer 6, the newest analysis of each under `--tasks-cache`): their training rows' scores
   resampled the same way, for the score families the default is chosen among
   (`TASK_FAMILIES`), against each task's whole training pool.

The numbers go into the `monitor` section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scipy.stats import binomtest  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from analysis.scoring.drift import Thresholds, above_cut, flag, score_shift  # noqa: E402
from bench.results import replace_section, to_markdown  # noqa: E402

DEMO = ROOT / "analysis" / "demo_data"
OUT = ROOT / "bench" / "out" / "monitor"
GOALS = {200: 15.0, 10_000: 60.0}  # seconds for the whole command on 2 CPU cores
RANK_PREFIX = "rank_mean:"
TASK_FAMILIES = ("score_dense_knn", "score_lexical_knn", "rank_mean:score_dense_knn+score_lexical_knn")
TASK_SHARES = (0.0, 0.05, 0.10, 0.20)


def demo_analysis(cache: Path) -> Path:
    """The demo analysis in `cache` (built there first when missing; a cached build takes a second)."""
    from analysis.config import ENCODER, BuildConfig, ExtractConfig
    from analysis.pipeline.build import build
    from analysis.pipeline.inputs import BuildInputs

    # the sentence encoder, whose demo the recorded figures are of (the default model is the chat LLM)
    config = BuildConfig(extract=ExtractConfig(model=ENCODER))
    return build(BuildInputs(DEMO / "train.jsonl", DEMO / "toxic.jsonl", DEMO / "benign.jsonl"), config, cache_root=cache, name="demo", progress=False, report=lambda *_: None)


def demo_rows() -> tuple[list[str], list[str]]:
    """The demo training file's lines (JSON Lines), clean and harmful."""
    lines = [line for line in (DEMO / "train.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    harmful = [line for line in lines if json.loads(line)["label"] == "harmful"]
    return [line for line in lines if json.loads(line)["label"] != "harmful"], harmful


def run_cli(analysis: Path, lines: list[str], work: Path, name: str) -> tuple[int, float, dict, tuple[float, float]]:
    """Exit status, wall seconds, report.json and the 1-minute load average before and after."""
    batch = work / f"{name}.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = work / f"{name}-out"
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "monitor", str(analysis), "--data", str(batch), "--out", str(out), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
    seconds = time.perf_counter() - started
    if result.returncode == 2:
        raise RuntimeError(result.stderr)
    return result.returncode, seconds, json.loads((out / "report.json").read_text(encoding="utf-8")), (load_before, os.getloadavg()[0])


def redrawn(lines: list[str], n: int, rng: np.random.Generator) -> list[str]:
    """`n` rows drawn with replacement from `lines`, each with a new id and its `origin_id`."""
    rows = []
    for index, line in enumerate(rng.choice(lines, n, replace=True)):
        row = json.loads(line)
        row["origin_id"] = row.get("id")
        row["id"] = f"redrawn-{index:05d}"
        rows.append(json.dumps(row, ensure_ascii=False))
    return rows


def timing_line(rows: int, status: int, seconds: float, report: dict, load: tuple[float, float]) -> str:
    timings = report["timings"]
    parts = sum(timings.get(key, 0.0) for key in ("load_model", "extract", "score", "statistics"))
    goal = GOALS.get(rows)
    met = "" if goal is None else f" Goal {goal:.0f} s: **{'met' if seconds <= goal else 'not met'}**."
    return (
        f"- **{rows:,} rows**: {seconds:.1f} s for the whole command, exit {status}: model and SAE load "
        f"{timings['load_model']:.1f} s, extraction {timings['extract']:.1f} s, scoring and placement "
        f"{timings['score']:.1f} s, statistics {timings['statistics']:.1f} s, Python start, imports, reading and "
        f"writing {seconds - parts:.1f} s; load average {load[0]:.1f} before, {load[1]:.1f} after.{met}"
    )


def resampled(
    scores: pl.DataFrame, train: np.ndarray, column: str, share: float, batches: int, rows: int, seed: int, thresholds: Thresholds,
    replace: bool = False,
) -> dict:
    """Flag rate and mean AUROC over random batches with `share` planted harmful rows, judged on `column`
    against the reference `train`; rows drawn without replacement, or with it (`replace`) for small pools."""
    rng = np.random.default_rng(seed)
    clean = scores.filter(pl.col("label") != "harmful")[column].to_numpy()
    harmful = scores.filter(pl.col("label") == "harmful")[column].to_numpy()
    n_harmful = int(round(share * rows))
    flagged, aurocs, by_reason = 0, [], {"score shift": 0, "above cut": 0}
    for _ in range(batches):
        batch = np.concatenate([rng.choice(clean, rows - n_harmful, replace=replace), rng.choice(harmful, n_harmful, replace=replace)])
        shift, cut = score_shift(batch, train), above_cut(batch, train, thresholds.top_percent)
        is_flagged, reasons = flag(shift, cut, thresholds)
        flagged += is_flagged
        by_reason["score shift"] += any("shifted up" in r for r in reasons)
        by_reason["above cut"] += any("cut" in r for r in reasons)
        aurocs.append(shift["auroc"])
    return {
        "score": column,
        "planted": f"{share:.0%} ({n_harmful} of {rows})",
        "batches": batches,
        "flagged": flagged / batches,
        "by score shift": by_reason["score shift"] / batches,
        "by above cut": by_reason["above cut"] / batches,
        "mean AUROC vs training": float(np.mean(aurocs)),
    }


def upper_bound(flagged: int, batches: int) -> float:
    """The upper end of the exact (Clopper-Pearson) 95 % interval of a flag rate."""
    return float(binomtest(flagged, batches).proportion_ci(0.95).high)


# ---------------------------------------------------------------- the planted-contamination tasks


def newest_task_analysis(cache: Path, task: str, seed: int, layer: int) -> Path | None:
    """The newest finished analysis `<task>-s<seed>-l<layer>-<hash>` in `cache` (by its manifest's `created`)."""
    found = []
    for folder in (cache / "analyses").glob(f"{task}-s{seed}-l{layer}-*"):
        manifest = folder / "manifest.json"
        if manifest.is_file() and (folder / "samples.parquet").is_file():
            found.append((json.loads(manifest.read_text(encoding="utf-8")).get("created", ""), folder))
    return max(found)[1] if found else None


def percentile_among(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Mid-rank share of `reference` below each value (the scorer's own percentile; NaN stays NaN)."""
    ordered = np.sort(reference[np.isfinite(reference)])
    below, at_or_below = np.searchsorted(ordered, values, side="left"), np.searchsorted(ordered, values, side="right")
    return np.where(np.isfinite(values), (below + at_or_below) / (2.0 * max(len(ordered), 1)), np.nan)


def family_values(train: pl.DataFrame, spec: str) -> np.ndarray | None:
    """A score spec's value for every training row; `rank_mean:a+b` is the mean of the families'
    percentiles among the training rows. None when the analysis lacks a family."""
    if spec.startswith(RANK_PREFIX):
        parts = [family_values(train, name) for name in spec.removeprefix(RANK_PREFIX).split("+")]
        if any(part is None for part in parts):
            return None
        ranks = np.vstack([percentile_among(part, part) for part in parts])
        with np.errstate(all="ignore"):
            return np.where(np.isfinite(ranks).any(axis=0), np.nanmean(np.where(np.isfinite(ranks), ranks, np.nan), axis=0), np.nan)
    return train[spec].cast(pl.Float64).fill_nan(None).fill_null(float("nan")).to_numpy() if spec in train.columns else None


def task_rows(cache: Path, seed: int, layer: int, batches: int, rows: int, thresholds: Thresholds) -> tuple[pl.DataFrame, list[str]]:
    """One row per task and family: separation, flag rate per planted share, false alarms with bounds."""
    from bench.tasks import TASK_NAMES

    table, notes = [], []
    for t, task in enumerate(TASK_NAMES):
        folder = newest_task_analysis(cache, task, seed, layer)
        if folder is None:
            notes.append(f"`{task}`: no analysis `{task}-s{seed}-l{layer}-*` under the cache")
            continue
        train = pl.read_parquet(folder / "samples.parquet").filter(pl.col("set") == "train")
        labels = train["label"].cast(pl.String)
        n_harmful = int((labels == "harmful").sum())
        for f, spec in enumerate(TASK_FAMILIES):
            values = family_values(train, spec)
            if values is None:
                notes.append(f"`{task}` ({folder.name}) has no `{spec}`")
                continue
            scores = pl.DataFrame({"label": labels, spec: values})
            finite = np.isfinite(values)
            separation = float(roc_auc_score((labels == "harmful").to_numpy()[finite], values[finite]))
            row = {"task": task, "score": spec, "pool (clean + planted)": f"{train.height - n_harmful} + {n_harmful}", "separation AUROC": separation}
            for i, share in enumerate(TASK_SHARES):
                result = resampled(scores, values, spec, share, batches, rows, seed * 1_000 + t * 100 + f * 10 + i, thresholds, replace=True)
                row[f"flagged {share:.0%}"] = result["flagged"]
                if share == 0.0:
                    row["clean: exact 95 % upper"] = upper_bound(round(result["flagged"] * batches), batches)
                if share == 0.10:
                    row["10 % (= pool): exact 95 % upper"] = upper_bound(round(result["flagged"] * batches), batches)
                if share == TASK_SHARES[-1]:
                    row[f"AUROC vs pool at {share:.0%}"] = result["mean AUROC vs training"]
            row["analysis"] = folder.name
            table.append(row)
    return pl.DataFrame(table), notes


def task_means(table: pl.DataFrame, batches: int) -> pl.DataFrame:
    """Per family: the mean over tasks, and the pooled false alarms with their bound."""
    rows = []
    for spec in TASK_FAMILIES:
        part = table.filter(pl.col("score") == spec)
        if part.is_empty():
            continue
        total = batches * part.height
        clean = int(round(part["flagged 0%"].sum() * batches))
        pool = int(round(part["flagged 10%"].sum() * batches))
        rows.append(
            {
                "score": spec,
                "tasks": part.height,
                "mean separation AUROC": part["separation AUROC"].mean(),
                "clean batches flagged": f"{clean} of {total} (95 % upper {upper_bound(clean, total):.1%})",
                "5 %": part["flagged 5%"].mean(),
                "10 % (= pool) flagged": f"{pool} of {total} (95 % upper {upper_bound(pool, total):.1%})",
                "power at 20 %": part["flagged 20%"].mean(),
                "tasks with power >= 0.8 at 20 %": int((part["flagged 20%"] >= 0.8).sum()),
            }
        )
    return pl.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=OUT / "cache", help="cache holding (or to hold) the demo analysis")
    parser.add_argument("--analysis", type=Path, default=None, help="an existing demo analysis folder (skips the build)")
    parser.add_argument("--batches", type=int, default=50, help="resampled batches per row of the demo table")
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--large", type=int, default=10_000, help="rows of the large timing batch")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--also", default="score_probe", help="another score family to measure power with (the CLI uses the default)")
    parser.add_argument("--tasks-cache", type=Path, default=ROOT / "bench" / "out" / "cache", help="cache holding the task analyses")
    parser.add_argument("--task-batches", type=int, default=200, help="resampled batches per task, family and share")
    parser.add_argument("--task-seed", type=int, default=0)
    parser.add_argument("--task-layer", type=int, default=6)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    analysis = args.analysis.resolve() if args.analysis else demo_analysis(args.cache.resolve())
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=OUT))
    thresholds = Thresholds()
    rng = np.random.default_rng(args.seed)
    clean, harmful = demo_rows()
    load_start = os.getloadavg()

    clean_batch = list(rng.choice(clean, args.rows, replace=False))
    clean_status, clean_seconds, clean_report, clean_load = run_cli(analysis, clean_batch, work, "clean")
    n_planted = round(0.42 * args.rows)
    planted_batch = list(rng.choice(clean, args.rows - n_planted, replace=False)) + list(rng.choice(harmful, n_planted, replace=False))
    planted_status, planted_seconds, planted_report, _ = run_cli(analysis, planted_batch, work, "planted42")
    print(f"clean batch: exit {clean_status} in {clean_seconds:.1f} s; 42 % planted: exit {planted_status} in {planted_seconds:.1f} s", file=sys.stderr)
    large_status, large_seconds, large_report, large_load = run_cli(analysis, redrawn(clean + harmful, args.large, rng), work, "large")
    print(f"{args.large:,} rows: exit {large_status} in {large_seconds:.1f} s", file=sys.stderr)

    # every training row scored through the monitor (the distinct rows of the large batch), then resampled
    scores = pl.read_parquet(work / "large-out" / "scores.parquet").unique("origin_id", keep="first").drop("id").rename({"origin_id": "id"})
    samples = pl.read_parquet(analysis / "samples.parquet").filter(pl.col("set") == "train")
    agreement = scores.join(samples.select("id", pl.col("score").alias("in_analysis")), on="id")
    spearman = float(agreement.select(pl.corr("score", "in_analysis", method="spearman")).item())
    table = pl.DataFrame(
        [
            resampled(scores, samples[column].to_numpy().astype(np.float64), column, share, args.batches, args.rows, args.seed + i, thresholds)
            for column in ("score", *([args.also] if args.also else []))
            for i, share in enumerate((0.0, 0.05, 0.10, 0.20, 0.42))
        ]
    )
    separation = {
        column: float(roc_auc_score((scores["label"] == "harmful").to_numpy(), scores[column].fill_nan(None).fill_null(strategy="min").to_numpy()))
        for column in ("score", *([args.also] if args.also else []))
    }
    print(table, file=sys.stderr)
    null_rows = table.filter(pl.col("planted").str.starts_with("0%"))
    false_alarms = "; ".join(
        f"`{row['score']}` {round(row['flagged'] * args.batches)} of {args.batches} "
        f"(95 % upper bound {upper_bound(round(row['flagged'] * args.batches), args.batches):.1%})"
        for row in null_rows.iter_rows(named=True)
    )

    started = time.perf_counter()
    tasks, task_notes = task_rows(args.tasks_cache.resolve(), args.task_seed, args.task_layer, args.task_batches, args.rows, thresholds)
    means = task_means(tasks, args.task_batches) if not tasks.is_empty() else pl.DataFrame()
    task_seconds = time.perf_counter() - started
    print(tasks, means, file=sys.stderr, sep="\n")
    load_end = os.getloadavg()

    def verdict(status: int, expected: int) -> str:
        return f"exit {status} ({'as expected' if status == expected else f'EXPECTED {expected}'})"

    def shown(frame: pl.DataFrame, drop: tuple[str, ...] = ()) -> str:
        return to_markdown(frame.drop([c for c in drop if c in frame.columns])) if not frame.is_empty() else "(no task analysis found)"

    analyses = ", ".join(f"`{name}`" for name in tasks["analysis"].unique(maintain_order=True).to_list()) if not tasks.is_empty() else "none"
    notes = "".join(f"\n- {note}" for note in task_notes)
    body = f"""## Monitoring a new batch (`python -m analysis monitor`)

Command: `python bench/monitor_bench.py {"--analysis ANALYSIS_DIR" if args.analysis else "--cache CACHE"} --batches {args.batches} --rows {args.rows} --large {args.large} --task-batches {args.task_batches}`
on the demo analysis (`{analysis.name}`, default score `{clean_report['analysis']['default_score']}`);
{platform.machine()}, {os.cpu_count()} CPU cores shared with another benchmark (task builds of `bench/select_default.py`)
and test runs; 1-minute load average {load_start[0]:.1f} at the start and {load_end[0]:.1f} at the end (2 would be both cores busy),
Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}. Thresholds: alpha {thresholds.alpha:g},
min effect (AUROC) {thresholds.min_effect:g}, cut at the training rows' top {thresholds.top_percent:g} %.

### Time

{timing_line(args.rows, clean_status, clean_seconds, clean_report, clean_load)}
{timing_line(args.large, large_status, large_seconds, large_report, large_load)} The rows are drawn with replacement from
  the {len(clean) + len(harmful):,} demo training rows (5 % planted), with new ids.

The machine was not idle (load averages above): the numbers are upper bounds of what 2 free cores give,
and the extraction (the MiniLM forward passes) is the part that scales with the rows
({1000 * large_report['timings']['extract'] / args.large:.1f} ms per row here; {args.large:,} rows in {GOALS.get(args.large, 60):.0f} s would need
{1000 * (GOALS.get(args.large, 60) - clean_seconds + clean_report['timings']['extract']) / args.large:.1f} ms per row at most, a share of the
cores lost to the other load explains a factor of about 2 at the load averages above). Duplicate rows are not
skipped: the {args.large:,} rows hold {scores.height:,} distinct texts and all {args.large:,} are read.

### Verdicts on the demo

- **{args.rows} clean demo training rows**: {verdict(clean_status, 0)}; AUROC vs the training rows {clean_report['statistics']['score']['auroc']:.3f}.
- **{args.rows} rows, {n_planted} of them planted harmful (42 %)**: {verdict(planted_status, 1)} in {planted_seconds:.1f} s;
  AUROC {planted_report['statistics']['score']['auroc']:.3f}, Mann-Whitney p = {planted_report['statistics']['score']['p']:.2g},
  {planted_report['statistics']['above_cut']['batch_share']:.1%} of the batch above the cut (binomial p = {planted_report['statistics']['above_cut']['p']:.2g}),
  {planted_report['statistics']['latents']['drifting']} latents more frequent ({planted_report['statistics']['latents']['drifting_toxic']} toxic).
- **The {args.large:,}-row batch** scored {scores.height:,} distinct demo training rows: Spearman correlation of their
  monitor `score` with the analysis' own {spearman:.4f}.

### False alarms and power on the demo

{args.batches} random batches of {args.rows} per row, drawn without replacement from those scores (clean rows,
plus the planted share of the 85 harmful rows), through the CLI's own statistics (`analysis.scoring.drift`), against
the whole training pool. The 0 % rows are the false-alarm rate. A batch flags when either test fires, so
for a batch from the training rows' own population each test fires about alpha of the time and the verdict
at most about 2 alpha; measured: {false_alarms}. The clean batches are drawn from the clean training rows,
while the pool holds 5 % harmful rows, so they sit slightly below the pool and the measured rate is on
the low side; for the same reason a batch with 5 % planted rows is no drift from the pool at all, and
power can only start above 5 %.

Power is bounded by how well the score separates harmful from clean rows: AUROC on the
re-submitted training rows {", ".join(f"`{k}` {v:.3f}" for k, v in separation.items())}. The CLI uses the
analysis' default score; the `{args.also}` rows put the same batches through the same statistics on
that family instead, to show what a better-separating default would give.

{to_markdown(table)}

### False alarms and power on the planted-contamination tasks

Each task of `bench/tasks.py` (seed {args.task_seed}, layer {args.task_layer}; analyses {analyses}) has a
training pool with ~10 % planted harmful rows. For each task and score family, {args.task_batches} batches of
{args.rows} rows per planted share, drawn **with replacement** (several pools hold fewer than {args.rows} clean
or {round(0.2 * args.rows)} planted rows) from the pool's clean rows only plus the share of its planted rows, go through
`analysis.scoring.drift` (same thresholds as the CLI) against the task's **whole training pool** as the reference,
as `monitor` does. `rank_mean:a+b` is the mean of the two families' mid-rank percentiles among the training
rows (as the scorer combines them). {task_seconds:.0f} s for all of it.

How to read it:
- **0 % (clean)** is a false alarm on a batch with no planted row at all. Where the family ranks planted rows
  above clean ones (separation AUROC > 0.5) such a batch sits below the pool (which holds ~10 % planted rows)
  and this rate is a conservative one; where it ranks them below (separation < 0.5) the clean rows sit
  *above* the pool and a "clean" batch can rightly look shifted up.
- **10 % equals the pool**: such a batch is drawn from the reference's own population, it is *not* drift, and its
  flag rate is a false-alarm rate too (the one for "a batch like the training data").
- **20 %** (twice the pool's share) is the only share that is drift against this reference: its flag rate is the power.
- The batches are drawn from the reference rows themselves, so under the null the tests are conservative
  (a batch resampled from the reference varies less around it than an independent sample would).

Why power at 20 % is low even for a family that separates well: against a reference pool with a share
p0 of planted rows, a batch with a share p1 has an expected AUROC of 0.5 + (p1 - p0)(S - 0.5), S the
family's separation AUROC. At p0 = 10 %, p1 = 20 % even a perfect family (S = 1) reaches only 0.55, below
the minimum effect of 0.56, so the score-shift test cannot fire and every flag at 20 % comes from the
above-cut test (the top-5 % cut of the pool is then made of planted rows, and a batch with twice the
pool's share crosses it about twice as often). With the default thresholds a score shift needs
p1 - p0 >= 0.06 / (S - 0.5): 12 points more planted rows than the pool for a perfect family, 24 for S = 0.75.

Per family, over the tasks (clean and 10 % counts pooled over tasks, with the exact 95 % upper bound):

{shown(means)}

Per task:

{shown(tasks, drop=("analysis",))}
{notes}
"""
    replace_section(args.results, "monitor", body)
    print(work, file=sys.stderr)


if __name__ == "__main__":
    main()
