"""Monitor runs on synthetic analyses, with no model: only the extraction is stood in for.

`LookupExtractor` gives each batch row the pooled SAE code and hidden state of the analysis
row its `source_id` column names; everything after the extraction (scoring with the fitted
scorer, placement on the map, drift tests, the folder's files) is `analysis.use.monitor`'s own.

Run as a script it stands in for `python -m analysis monitor` (same options, stage lines
on stderr, the folder last on stdout, exit 0 / 1 drift / 2 error), for the app's job tests.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from analysis.artifacts.folder import Analysis  # noqa: E402
from analysis.artifacts.layout import EMBEDDINGS  # noqa: E402

PLANTED = "<script>alert(1)</script>"


@dataclass
class LookupExtractor:
    """The codes of analysis rows, as if the model had read the batch rows again."""

    analysis_dir: Path

    @property
    def analysis(self) -> Analysis:
        return Analysis.open(self.analysis_dir)

    @property
    def d_sae(self) -> int:
        return int(self.analysis.manifest["sae"]["d_sae"])

    def extract(self, samples: pl.DataFrame, progress: bool = True):
        from safetensors.numpy import load_file

        from analysis.artifacts.codes import activation_matrix
        from analysis.extraction.stream import ExtractedRows

        analysis = self.analysis
        sources = samples["source_id"].cast(pl.String).to_list()
        ids = samples["id"].to_list()
        order = pl.DataFrame({"id": ids, "source": sources})
        table = order.join(
            analysis.activations.rename({"id": "source"}), on="source", how="left", maintain_order="left"
        ).select("id", "features", "values")
        position = {sample_id: index for index, sample_id in enumerate(analysis.samples["id"].to_list())}
        rows = np.array([position[source] for source in sources], dtype=np.int64)
        raw = load_file(str(analysis.path / EMBEDDINGS))["raw"]
        return ExtractedRows(
            codes=activation_matrix(table, ids, self.d_sae),
            dense=raw[rows],
            activations=table,
            n_tokens=analysis.samples["n_tokens"].to_numpy()[rows].astype(np.int32),
            n_windows=analysis.samples["n_windows"].to_numpy()[rows].astype(np.int32),
        )


def write_batch(analysis_dir: Path, path: Path, n_top: int = 30, n_random: int = 30, seed: int = 0, planted: bool = True) -> Path:
    """A batch of training rows re-sent: the `n_top` highest-scoring ones (so the batch drifts)
    and `n_random` others; the first row's prompt starts with a planted script tag."""
    train = Analysis.open(analysis_dir).samples.filter(pl.col("set") == "train").sort(["score", "id"], descending=[True, False])
    rng = np.random.default_rng(seed)
    rest = train.slice(n_top)
    chosen = pl.concat([train.head(n_top), rest.gather(np.sort(rng.choice(rest.height, min(n_random, rest.height), replace=False)))])
    lines = []
    for index, row in enumerate(chosen.iter_rows(named=True)):
        prompt = (PLANTED + " " if planted and index == 0 else "") + (row["prompt"] or "")
        lines.append(json.dumps({"id": f"batch-{index:04d}", "prompt": prompt, "response": row["response"], "label": row.get("label"), "source_id": row["id"]}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_monitor(analysis_dir: Path, batch: Path, out: Path | None = None, thresholds=None):
    from analysis.use.monitor import monitor

    return monitor(analysis_dir, batch, out, thresholds, progress=False, report=lambda *_: None, extractor=LookupExtractor(Path(analysis_dir)))


def _cli(argv: list[str]) -> int:
    from analysis.progress import stderr_reporter
    from analysis.scoring.drift import Thresholds
    from analysis.use.monitor import monitor
    from analysis.use.monitor_runs import format_report

    parser = argparse.ArgumentParser(prog="monitor_fixtures.py")
    parser.add_argument("command", choices=["monitor"])
    parser.add_argument("analysis_dir", type=Path)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--alpha", type=float, default=Thresholds().alpha)
    parser.add_argument("--min-effect", type=float, default=Thresholds().min_effect)
    parser.add_argument("--top-percent", type=float, default=Thresholds().top_percent)
    args, _unknown = parser.parse_known_args(argv)
    time.sleep(float(os.environ.get("MONITOR_DELAY", "0")))  # lets a test see the job running
    try:
        thresholds = Thresholds(alpha=args.alpha, min_effect=args.min_effect, top_percent=args.top_percent)
        result = monitor(args.analysis_dir, args.data, args.out, thresholds, progress=False, report=stderr_reporter, extractor=LookupExtractor(args.analysis_dir))
    except Exception as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_report(result.report), file=sys.stderr)
    from analysis.cli.result import announce_result

    announce_result(result.out_dir)
    return result.exit_code


if __name__ == "__main__":
    raise SystemExit(_cli(sys.argv[1:]))
