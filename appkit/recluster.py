"""`python -m appkit.recluster ANALYSIS_DIR MIN_CLUSTER_SIZE [MIN_SAMPLES]`: re-cluster as a job.

Runs `analysis.pipeline.recluster` (only the clustering and what depends on it is
recomputed) in a background job, with the same output convention as the analysis CLI:
a stage line on stderr, the new analysis folder as the last line of stdout and in the
job's result file (`analysis.result`).
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    analysis_dir = Path(argv[0])
    min_cluster_size = int(argv[1])
    min_samples = int(argv[2]) if len(argv) == 3 else None
    print("[1/1] Re-clustering samples and features with HDBSCAN", file=sys.stderr, flush=True)
    from analysis.build.pipeline import recluster
    from analysis.cli.result import announce_result

    announce_result(recluster(analysis_dir, min_cluster_size, min_samples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
