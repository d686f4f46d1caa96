"""Command line: build, export, reapply, demo, evaluate, monitor, report.

    python -m analysis build --train TRAIN --toxic TOXIC [--benign BENIGN] [--model ...] [--sae ...] [--out DIR]
    python -m analysis export ANALYSIS_DIR (--top-percent Q | --threshold T) [--score NAME] --out DIR
    python -m analysis reapply MANIFEST --out DIR
    python -m analysis demo
    python -m analysis evaluate ANALYSIS_DIR --label-column COL --positive VALUE [--json]
    python -m analysis monitor ANALYSIS_DIR --data NEW_FILE [--out DIR] [--json] [--alpha A] [--min-effect E] [--top-percent Q]
    python -m analysis report ANALYSIS_DIR [--export EXPORT_DIR] [--monitor MONITOR_DIR] --out report.html

`build` and `demo` print the analysis folder on the last line of standard output; stages
and progress bars go to standard error. `monitor` prints its output folder last (or, with
`--json`, only its report) and exits 0 without drift, 1 when drift is flagged, 2 on error.
`report` writes one self-contained HTML file (opens offline) and prints its path last.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from analysis.cli.result import announce_result, record_result

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo_data"


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    from analysis.config import DEFAULT_MODEL

    parser.add_argument("--model", default=DEFAULT_MODEL, help="HF model (default: the packaged all-MiniLM-L6-v2)")
    parser.add_argument("--sae", default=None, help="sae-lens RELEASE/SAE_ID or a local sae-lens folder (default: train one)")
    parser.add_argument("--layer", type=int, default=None, help="hidden-state index read by the default encoder (default 6, the last layer)")
    parser.add_argument("--pooling", choices=["mean", "max"], default=None)
    parser.add_argument(
        "--model-dtype", choices=["float32", "bfloat16"], default=None,
        help="precision of the model's forward pass (default float32; bfloat16 is about 2x faster on CPUs with bf16 instructions)",
    )
    parser.add_argument("--pool-tokens", choices=["response", "all"], default=None)
    parser.add_argument("--d-sae", type=int, default=None, help="latents of the locally trained SAE")
    parser.add_argument("--k", type=int, default=None, help="k of the locally trained TopK SAE")
    parser.add_argument("--sae-architecture", choices=["topk", "jumprelu"], default=None)
    parser.add_argument("--training-tokens", type=int, default=None)
    parser.add_argument("--min-cluster-size", type=int, default=None)
    parser.add_argument("--min-samples", type=int, default=None, help="HDBSCAN min_samples (0: same as the min cluster size)")
    parser.add_argument("--neighbors", type=int, default=None, help="UMAP n_neighbors")
    parser.add_argument("--default-score", default=None, help="a score family or rank_mean:score_a+score_b (default: the benchmark's pick)")
    parser.add_argument("--paper-top-n", type=int, default=None, help="toxic features of score_paper: the top N by association (default 100)")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: cuda when available)")
    parser.add_argument("--name", default=None, help="readable name of the analysis folder")
    parser.add_argument("--out", type=Path, default=None, help="cache folder (default: cache/ or $ANALYSIS_CACHE_DIR)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument(
        "--trust-remote-code",
        action="store_true",
        help="let a pretrained SAE's metadata load its model with the model repository's own code (off: dropped)",
    )
    parser.add_argument(
        "--engine",
        choices=["local", "ray"],
        default="local",
        help="where extraction runs: this process (default) or a Ray Data job on $RAY_ADDRESS or a local Ray "
        "(pip install -r requirements-scale.txt); the same analysis, up to float rounding",
    )


def config_from_args(args: argparse.Namespace):
    from analysis.config import BuildConfig

    config = BuildConfig()
    ex, training = config.extract, config.extract.sae_training
    training = replace(
        training,
        **{k: v for k, v in {"d_sae": args.d_sae, "k": args.k, "architecture": args.sae_architecture, "training_tokens": args.training_tokens}.items() if v is not None},
    )
    ex = replace(
        ex,
        model=args.model,
        sae=args.sae,
        sae_training=training,
        **{k: v for k, v in {"layer": args.layer, "pooling": args.pooling, "pool_tokens": args.pool_tokens, "device": args.device, "model_dtype": args.model_dtype}.items() if v is not None},
    )
    clusters = replace(
        config.clusters,
        **{k: v for k, v in {"min_cluster_size": args.min_cluster_size}.items() if v is not None},
        **({"min_samples": args.min_samples or None} if args.min_samples is not None else {}),
    )
    geometry = replace(config.geometry, **({"n_neighbors": args.neighbors} if args.neighbors else {}))
    proximity = replace(
        config.proximity,
        **{k: v for k, v in {"default_score": args.default_score, "paper_top_n": args.paper_top_n}.items() if v is not None},
    )
    return replace(config, extract=ex, clusters=clusters, geometry=geometry, proximity=proximity)


def _build(args: argparse.Namespace, train: Path, toxic: Path, benign: Path | None) -> int:
    from analysis.build.pipeline import BuildInputs, build
    from analysis.geometry.embedding import geometry_backend

    geometry_backend()  # a backend asked for and missing stops here, not after minutes of extraction
    folder = build(
        BuildInputs(train=train, toxic=toxic, benign=benign),
        config_from_args(args),
        cache_root=args.out,
        name=args.name,
        progress=not args.quiet,
        trust_remote_code=args.trust_remote_code,
        engine=args.engine,
    )
    announce_result(folder)
    return 0


def _report_score_cut(folder: Path) -> None:
    """Say on standard error what the score cut worked on when some training rows lack a score."""
    import json

    cut = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("score_cut")
    if cut and cut["unscored"]:
        print(
            f"note: {cut['unscored']:,} of {cut['scored'] + cut['unscored']:,} training rows have no "
            f"{cut['score']} value; the score cut ranked the {cut['scored']:,} scored rows and "
            "removed none of the others",
            file=sys.stderr,
        )


def _add_monitor_parser(commands: argparse._SubParsersAction) -> None:
    from analysis.scoring.drift import Thresholds

    defaults = Thresholds()
    parser = commands.add_parser(
        "monitor",
        help="score a new batch against an analysis and flag drift (exit 0 none, 1 drift, 2 error)",
        description="Score a new batch with an analysis' model, SAE and fitted scorer (nothing is refitted), "
        "place it on the analysis' map and compare it with the training rows. Exit status: 0 no drift, "
        "1 drift flagged, 2 error (bad input, missing analysis, output folder not empty).",
    )
    parser.add_argument("analysis_dir", type=Path)
    parser.add_argument("--data", type=Path, required=True, help="the new batch: JSONL, CSV or Parquet, the layouts build reads")
    parser.add_argument("--out", type=Path, default=None, help="new or empty output folder (default: <cache>/monitors/<analysis>-<batch sha12>)")
    parser.add_argument("--json", action="store_true", help="print report.json to standard output (instead of the folder)")
    parser.add_argument("--alpha", type=float, default=defaults.alpha, help=f"significance of the score-shift and above-cut tests (default {defaults.alpha:g})")
    parser.add_argument("--min-effect", type=float, default=defaults.min_effect, help=f"AUROC the score shift must also reach (default {defaults.min_effect:g})")
    parser.add_argument("--top-percent", type=float, default=defaults.top_percent, help=f"the cut: the training rows' top Q%% (default {defaults.top_percent:g})")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: the analysis' setting)")
    parser.add_argument("--quiet", action="store_true", help="no stages or progress bars (the summary still goes to standard error)")


def _monitor(args: argparse.Namespace) -> int:
    """Run `monitor`; any failure is status 2, so a pipeline never reads an error as drift."""
    import json

    try:
        from analysis.scoring.drift import Thresholds
        from analysis.use.monitor import format_report, monitor, stderr_reporter

        thresholds = Thresholds(alpha=args.alpha, min_effect=args.min_effect, top_percent=args.top_percent)
        result = monitor(
            args.analysis_dir,
            args.data,
            args.out,
            thresholds,
            device=args.device,
            progress=not args.quiet,
            report=(lambda *_: None) if args.quiet else stderr_reporter,
        )
    except Exception as error:  # exit 1 means drift: no failure may end that way
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_report(result.report) + (" (earlier run reused)" if result.reused else ""), file=sys.stderr)
    if args.json:
        print(json.dumps(result.report, indent=2, ensure_ascii=False))
        record_result(result.out_dir)
    else:
        announce_result(result.out_dir)
    return result.exit_code


def _add_report_parser(commands: argparse._SubParsersAction) -> None:
    from analysis.use.report import MAX_MAP_POINTS

    parser = commands.add_parser(
        "report",
        help="one self-contained HTML report of an analysis (with its export and a monitor run)",
        description="Write one HTML file that opens offline: the sample map, toxic clusters and features, "
        "the cut (--export), the evaluation when labels exist, the drift of a batch (--monitor) and the provenance.",
    )
    parser.add_argument("analysis_dir", type=Path)
    parser.add_argument("--export", type=Path, default=None, help="an export folder of this analysis (adds the cut)")
    parser.add_argument("--monitor", type=Path, default=None, help="a monitor folder of this analysis (adds the drift)")
    parser.add_argument("--out", type=Path, required=True, help="the HTML file to write (replaced when it exists)")
    parser.add_argument("--max-points", type=int, default=MAX_MAP_POINTS, help=f"points drawn on a map (default {MAX_MAP_POINTS:,})")
    parser.add_argument("--quiet", action="store_true", help="no stage lines")


def _report(args: argparse.Namespace) -> int:
    from analysis.artifacts.folder import AnalysisNotFound
    from analysis.use.report import ReportError, stderr_reporter, write_report

    try:
        out = write_report(
            args.analysis_dir,
            args.out,
            args.export,
            args.monitor,
            max_points=args.max_points,
            report=(lambda *_: None) if args.quiet else stderr_reporter,
        )
    except (AnalysisNotFound, ReportError, FileNotFoundError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"report: {out.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    announce_result(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; SIGTERM and SIGINT stop it with its temporary folders removed."""
    from analysis.cli.interrupt import Stopped, stop_on_signals

    try:
        with stop_on_signals():
            return _main(argv)
    except Stopped as stop:
        print(f"error: {stop}; temporary files removed, nothing kept", file=sys.stderr)
        return stop.exit_code


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "evaluate":
        from analysis.use.evaluate import main as evaluate_main

        return evaluate_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    build_parser = commands.add_parser("build", help="build an analysis from a training set and references")
    build_parser.add_argument("--train", type=Path, required=True)
    build_parser.add_argument("--toxic", type=Path, required=True)
    build_parser.add_argument("--benign", type=Path, default=None)
    _add_build_options(build_parser)

    demo_parser = commands.add_parser("demo", help="build the embedded demo analysis")
    _add_build_options(demo_parser)

    export_parser = commands.add_parser("export", help="export kept/removed sets under a rule")
    export_parser.add_argument("analysis_dir", type=Path)
    export_parser.add_argument("--top-percent", type=float, default=None)
    export_parser.add_argument("--threshold", type=float, default=None)
    export_parser.add_argument("--clusters", type=int, nargs="*", default=[], help="remove every training row of these clusters")
    export_parser.add_argument("--remove-ids", nargs="*", default=[])
    export_parser.add_argument("--keep-ids", nargs="*", default=[])
    export_parser.add_argument("--score", default="score")
    export_parser.add_argument("--out", type=Path, required=True)
    export_parser.add_argument("--formats", default="csv,jsonl", help="extra annotated formats: csv,jsonl or none")

    reapply_parser = commands.add_parser("reapply", help="re-run an export from its manifest")
    reapply_parser.add_argument("manifest", type=Path)
    reapply_parser.add_argument("--out", type=Path, required=True)

    commands.add_parser("evaluate", help="metrics of every score against a label column (see evaluate --help)")
    _add_monitor_parser(commands)
    _add_report_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "monitor":
        return _monitor(args)
    if args.command == "report":
        return _report(args)

    from analysis.artifacts.inputs import InputError

    try:
        if args.command == "build":
            return _build(args, args.train, args.toxic, args.benign)
        if args.command == "demo":
            if args.name is None:
                args.name = "demo"
            return _build(args, DEMO_DIR / "train.jsonl", DEMO_DIR / "toxic.jsonl", DEMO_DIR / "benign.jsonl")
        if args.command == "export":
            from analysis.use.export import FilterRule, export

            rule = FilterRule(
                score=args.score,
                top_percent=args.top_percent,
                threshold=args.threshold,
                clusters=tuple(args.clusters),
                remove_ids=tuple(args.remove_ids),
                keep_ids=tuple(args.keep_ids),
            )
            formats = () if args.formats == "none" else tuple(f for f in args.formats.split(",") if f)
            folder = export(args.analysis_dir, rule, args.out, extra_formats=formats)
            _report_score_cut(folder)
            announce_result(folder)
            return 0
        if args.command == "reapply":
            from analysis.use.export import reapply

            announce_result(reapply(args.manifest, args.out))
            return 0
    except (InputError, FileExistsError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
