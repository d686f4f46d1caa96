"""bench/gpu_check.py is the one script a CUDA machine runs: it must work end to end, and
here (no GPU) it runs the same path on the CPU."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_gpu_check_runs_the_pretrained_path_and_prints_its_figures():
    result = subprocess.run(
        [sys.executable, "bench/gpu_check.py", "--rows", "120", "--d-model", "32", "--layers", "2", "--d-sae", "256", "--context", "32", "--umap-points", "600"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    streaming = figures["streaming"]
    assert streaming["causal"] and streaming["window"] == 32 and streaming["tokens"] > 0
    assert figures["build"]["sae"] == "local folder" and figures["build"]["hook"] == "transformer.h.1"
    assert figures["build"]["geometry_backend"] == figures["geometry"]["backend"] == ("cuml" if figures["device"] == "cuda" else "cpu")
    assert figures["geometry"]["map_shape"] == [600, 2]
