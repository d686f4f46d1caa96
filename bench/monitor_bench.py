"""Benchmark of `python -m analysis monitor` on the embedded demo analysis (run by hand).

    python bench/monitor_bench.py [--cache DIR | --analysis DIR] [--batches 50] [--rows 200]

1. Time: one CLI run on 200 clean demo training rows, model load and imports included.
2. Verdicts: that batch must exit 0; a batch of 200 with 42 % planted harmful demo rows
   (`label == "harmful"`) must exit 1.
3. False alarms and power: every demo training row is scored once through `monitor`, then
   random batches are drawn from those scores (clean rows only, or with 5 / 10 / 20 %
   planted harmful rows) and put through the same drift statistics as the CLI
   (`analysis.drift`), without extracting again.

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

from analysis.drift import Thresholds, above_cut, flag, score_shift  # noqa: E402
from bench.results import replace_section, to_markdown  # noqa: E402

DEMO = ROOT / "analysis" / "demo_data"
OUT = ROOT / "bench" / "out" / "monitor"


def demo_analysis(cache: Path) -> Path:
    """The demo analysis in `cache` (built there first when missing; a cached build takes a second)."""
    from analysis.pipeline import BuildInputs, build

    return build(BuildInputs(DEMO / "train.jsonl", DEMO / "toxic.jsonl", DEMO / "benign.jsonl"), cache_root=cache, name="demo", progress=False, report=lambda *_: None)


def demo_rows() -> tuple[list[str], list[str]]:
    """The demo training file's lines (JSON Lines), clean and harmful."""
    lines = [line for line in (DEMO / "train.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    harmful = [line for line in lines if json.loads(line)["label"] == "harmful"]
    return [line for line in lines if json.loads(line)["label"] != "harmful"], harmful


def run_cli(analysis: Path, lines: list[str], work: Path, name: str) -> tuple[int, float, dict]:
    batch = work / f"{name}.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = work / f"{name}-out"
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "monitor", str(analysis), "--data", str(batch), "--out", str(out), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
    seconds = time.perf_counter() - started
    if result.returncode == 2:
        raise RuntimeError(result.stderr)
    return result.returncode, seconds, json.loads((out / "report.json").read_text(encoding="utf-8"))


def resampled(scores: pl.DataFrame, train: np.ndarray, column: str, share: float, batches: int, rows: int, seed: int, thresholds: Thresholds) -> dict:
    """Flag rate and mean AUROC over random batches with `share` planted harmful rows, judged on `column`."""
    rng = np.random.default_rng(seed)
    clean = scores.filter(pl.col("label") != "harmful")[column].to_numpy()
    harmful = scores.filter(pl.col("label") == "harmful")[column].to_numpy()
    n_harmful = int(round(share * rows))
    flagged, aurocs, by_reason = 0, [], {"score shift": 0, "above cut": 0}
    for _ in range(batches):
        batch = np.concatenate([rng.choice(clean, rows - n_harmful, replace=False), rng.choice(harmful, n_harmful, replace=False)])
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=OUT / "cache", help="cache holding (or to hold) the demo analysis")
    parser.add_argument("--analysis", type=Path, default=None, help="an existing demo analysis folder (skips the build)")
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--also", default="score_probe", help="another score family to measure power with (the CLI uses the default)")
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

    clean_batch = list(rng.choice(clean, args.rows, replace=False))
    clean_status, clean_seconds, clean_report = run_cli(analysis, clean_batch, work, "clean")
    n_planted = round(0.42 * args.rows)
    planted_batch = list(rng.choice(clean, args.rows - n_planted, replace=False)) + list(rng.choice(harmful, n_planted, replace=False))
    planted_status, planted_seconds, planted_report = run_cli(analysis, planted_batch, work, "planted42")
    print(f"clean batch: exit {clean_status} in {clean_seconds:.1f} s; 42 % planted: exit {planted_status} in {planted_seconds:.1f} s", file=sys.stderr)

    # every training row scored once through the monitor, then resampled
    _, all_seconds, _ = run_cli(analysis, clean + harmful, work, "all-train")
    scores = pl.read_parquet(work / "all-train-out" / "scores.parquet")
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
        f"(95 % upper bound {binomtest(round(row['flagged'] * args.batches), args.batches).proportion_ci().high:.1%})"
        for row in null_rows.iter_rows(named=True)
    )

    def verdict(status: int, expected: int) -> str:
        return f"exit {status} ({'as expected' if status == expected else f'EXPECTED {expected}'})"

    timings = clean_report["timings"]
    body = f"""## Monitoring a new batch (`python -m analysis monitor`)

Command: `python bench/monitor_bench.py {"--analysis ANALYSIS_DIR" if args.analysis else "--cache CACHE"} --batches {args.batches} --rows {args.rows}`
on the demo analysis (`{analysis.name}`, default score `{clean_report['analysis']['default_score']}`);
{platform.machine()}, {os.cpu_count()} CPU cores shared with another benchmark running under nice,
Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}. Thresholds: alpha {thresholds.alpha:g},
min effect (AUROC) {thresholds.min_effect:g}, cut at the training rows' top {thresholds.top_percent:g} %.

- **{args.rows} clean demo training rows**: {verdict(clean_status, 0)}, {clean_seconds:.1f} s for the whole
  command (Python start and imports, model and SAE load {timings['load_model']:.1f} s, extraction
  {timings['extract']:.1f} s, scoring and placement {timings['score']:.1f} s, statistics {timings['statistics']:.1f} s);
  AUROC vs the training rows {clean_report['statistics']['score']['auroc']:.3f}.
- **{args.rows} rows, {n_planted} of them planted harmful (42 %)**: {verdict(planted_status, 1)} in {planted_seconds:.1f} s;
  AUROC {planted_report['statistics']['score']['auroc']:.3f}, Mann-Whitney p = {planted_report['statistics']['score']['p']:.2g},
  {planted_report['statistics']['above_cut']['batch_share']:.1%} of the batch above the cut (binomial p = {planted_report['statistics']['above_cut']['p']:.2g}),
  {planted_report['statistics']['latents']['drifting']} latents more frequent ({planted_report['statistics']['latents']['drifting_toxic']} toxic).
- **All {len(clean) + len(harmful):,} demo training rows re-submitted** ({all_seconds:.1f} s): Spearman correlation of their
  monitor `score` with the analysis' own {spearman:.4f}.

False alarms and power: {args.batches} random batches of {args.rows} per row, drawn without replacement from
those scores (clean rows, plus the planted share of the 85 harmful rows), through the CLI's own
statistics (`analysis.drift`). The 0 % rows are the false-alarm rate. A batch flags when either test
fires, so for a batch from the training rows' own population each test fires about alpha of the time
and the verdict at most about 2 alpha; measured: {false_alarms}. The clean batches are drawn from the
training rows, which hold 5 % harmful rows, so they sit slightly below the training distribution and
the measured rate is on the low side; for the same reason a batch with 5 % planted rows is no drift
from the training rows at all, and power can only start above 5 %.

Power is bounded by how well the score separates harmful from clean rows: AUROC on the
re-submitted training rows {", ".join(f"`{k}` {v:.3f}" for k, v in separation.items())}. The CLI uses the
analysis' default score; the `{args.also}` rows put the same batches through the same statistics on
that family instead, to show what a better-separating default would give.

{to_markdown(table)}
"""
    replace_section(args.results, "monitor", body)
    print(work, file=sys.stderr)


if __name__ == "__main__":
    main()
