"""`monitor` on N rows against the build's own extraction of the same rows (run by hand).

    python bench/monitor_vs_build.py [--rows 10000] [--model all-MiniLM-L6-v2]

The rows are those of `bench/perf.py`'s real builds (every distinct text of the datasets
folder, a seeded sample; no duplicates, so neither side reads a text twice). In one session,
one after the other, whole processes:

1. `python -m analysis build` on them (fresh cache, the model's packaged SAE, so the
   extract step is the reading and encoding of every row and nothing else), whose manifest
   gives the extract step's own seconds (`read_and_encode`, model load apart);
2. `python -m analysis monitor` of the same rows against that analysis (fresh output):
   the whole command, model load and imports included, and its own extraction seconds.

The goal (monitor at most 1.2x the build's extraction of the same rows) is read as the
whole monitor command against the build's `read_and_encode`, and its own extraction against
the same; the build also reads the 650 reference rows, which the ratio counts against it.
Prints one JSON object; the figures go into the monitor section of bench/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.config import ENCODER, PACKAGED_SAE  # noqa: E402
from bench import tasks as task_builder  # noqa: E402
from bench.perf import real_inputs  # noqa: E402

OUT = ROOT / "bench" / "out" / "monitor_vs_build"


def timed(command: list[str]) -> tuple[float, tuple[float, float]]:
    """Wall seconds of a whole process and the 1-minute load average before and after."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 1):  # monitor exits 1 when it flags drift
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-4000:]}")
    return seconds, (load_before, os.getloadavg()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--model", default=ENCODER)
    parser.add_argument("--datasets", type=Path, default=task_builder.DEFAULT_DATASETS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    folder = OUT / f"{args.model.rsplit('/', 1)[-1]}_{args.rows}"
    if folder.exists():
        shutil.rmtree(folder)  # a fresh cache and output: nothing may be found computed
    inputs = real_inputs(args.datasets, args.rows, folder / "inputs", args.seed)
    cache = folder / "cache"
    build = [
        sys.executable, "-m", "analysis", "build", "--train", str(inputs.train), "--toxic", str(inputs.toxic),
        "--benign", str(inputs.benign), "--model", args.model, "--sae", PACKAGED_SAE,
        "--out", str(cache), "--name", "rows", "--quiet",
    ]
    build_seconds, build_load = timed(build)
    analysis = next((cache / "analyses").glob("rows-*"))
    manifest = json.loads((analysis / "manifest.json").read_text(encoding="utf-8"))
    steps = manifest["timings"]["steps"]

    monitor_out = folder / "monitor"
    monitor = [sys.executable, "-m", "analysis", "monitor", str(analysis), "--data", str(inputs.train), "--out", str(monitor_out), "--quiet"]
    monitor_seconds, monitor_load = timed(monitor)
    report = json.loads((monitor_out / "report.json").read_text(encoding="utf-8"))
    extraction = steps["read_and_encode"]
    print(json.dumps({
        "rows": args.rows,
        "model": args.model,
        "build_rows": {role: manifest["counts"][role] for role in ("train", "toxic", "benign")},
        "tokens": manifest["counts"].get("tokens"),
        "build_wall_s": round(build_seconds, 1),
        "build_load_model_s": steps.get("load_model"),
        "build_read_and_encode_s": extraction,
        "monitor_wall_s": round(monitor_seconds, 1),
        "monitor_timings": report["timings"],
        "monitor_wall_over_build_extraction": round(monitor_seconds / extraction, 3),
        "monitor_extraction_over_build_extraction": round(report["timings"]["extract"] / extraction, 3),
        "load_average": {"build": build_load, "monitor": monitor_load},
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
