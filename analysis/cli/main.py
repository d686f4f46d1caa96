"""Command line: build, export, reapply, demo, evaluate, monitor, query, report, recluster.

    python -m analysis build --train TRAIN --toxic TOXIC [--benign BENIGN] [--model ...] [--sae ...] [--out DIR]
    python -m analysis export ANALYSIS_DIR (--top-percent Q | --threshold T) [--score NAME] [--remove-marked MARK ...] --out DIR
    python -m analysis reapply MANIFEST --out DIR
    python -m analysis demo
    python -m analysis evaluate ANALYSIS_DIR (--label-column COL --positive VALUE | --positive-mark M --negative-mark M) [--json]
    python -m analysis monitor ANALYSIS_DIR --data NEW_FILE [--data ...] [--out DIR] [--json] [--alpha A] [--min-effect E] [--top-percent Q]
    python -m analysis query ANALYSIS_DIR --text TEXT [--text TEXT ...] [--file FILE] [--json]
    python -m analysis report ANALYSIS_DIR [--export EXPORT_DIR] [--monitor MONITOR_DIR] --out report.html
    python -m analysis recluster ANALYSIS_DIR MIN_CLUSTER_SIZE [MIN_SAMPLES]

`build` and `demo` print the analysis folder on the last line of standard output; stages
and progress bars go to standard error. `monitor` prints its output folder last (or, with
`--json`, only its report) and exits 0 without drift, 1 when drift is flagged, 2 on error.
`query` prints what the analysis makes of each text (with `--json`, a JSON list) and writes
nothing. `report` writes one self-contained HTML file (opens offline) and prints its path last.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path

from analysis.cli.result import announce_result, record_result
from analysis.config import BuildConfig
from analysis.flags import BUILD_FLAGS, config_from_flags, demo_config_from_flags

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo_data"

Command = Callable[[argparse.Namespace], int]
Commands = argparse._SubParsersAction


def main(argv: list[str] | None = None) -> int:
    """Run one command; SIGTERM and SIGINT stop it with its temporary folders removed."""
    from analysis.cli.interrupt import Stopped, stop_on_signals

    _set_process_environment()
    try:
        with stop_on_signals():
            return _main(argv)
    except Stopped as stop:
        print(f"error: {stop}; temporary files removed, nothing kept", file=sys.stderr)
        return stop.exit_code


def _set_process_environment() -> None:
    """Settings of this whole process, made by the entry point, never by the library: the
    tokenizers' thread pool off, as in the benchmarks (a process that forks after tokenizing
    would otherwise warn, and could deadlock). A value the user set is kept."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


def build_parser() -> argparse.ArgumentParser:
    """The one parser: each subcommand's options and the function that runs it (`run`)."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for add in (
        _add_build_parser,
        _add_demo_parser,
        _add_export_parser,
        _add_reapply_parser,
        _add_evaluate_parser,
        _add_monitor_parser,
        _add_query_parser,
        _add_report_parser,
        _add_recluster_parser,
    ):
        add(commands)
    return parser


def _input_errors_exit_2(run: Command) -> Command:
    """Bad inputs, a missing file or an output that exists: one `error:` line and status 2."""

    @functools.wraps(run)
    def guarded(args: argparse.Namespace) -> int:
        from analysis.artifacts.inputs import InputError

        try:
            return run(args)
        except (InputError, FileExistsError, FileNotFoundError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2

    return guarded


# ---------------------------------------------------------------- build, demo, recluster


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    for flag in BUILD_FLAGS:  # the settings: analysis.flags
        if flag.type is bool:  # a switch; None when absent, so the config keeps its default
            parser.add_argument(flag.name, action="store_true", default=None, help=flag.help_text())
        else:
            parser.add_argument(flag.name, type=flag.type, choices=flag.choices, help=flag.help_text())
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


def config_from_args(args: argparse.Namespace) -> BuildConfig:
    """The build config of a parsed `build` or `demo` command line."""
    if getattr(args, "demo", False):
        return demo_config_from_flags(vars(args))
    return config_from_flags(vars(args))


def _add_build_parser(commands: Commands) -> None:
    parser = commands.add_parser("build", help="build an analysis from a training set and references")
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--toxic", type=Path, required=True)
    parser.add_argument("--benign", type=Path, default=None)
    _add_build_options(parser)
    parser.set_defaults(run=_build)


def _add_demo_parser(commands: Commands) -> None:
    parser = commands.add_parser("demo", help="build the embedded demo analysis")
    _add_build_options(parser)
    parser.set_defaults(
        run=_build,
        demo=True,
        name="demo",
        train=DEMO_DIR / "train.jsonl",
        toxic=DEMO_DIR / "toxic.jsonl",
        benign=DEMO_DIR / "benign.jsonl",
    )


@_input_errors_exit_2
def _build(args: argparse.Namespace) -> int:
    from analysis.geometry.backend import geometry_backend
    from analysis.pipeline.build import build
    from analysis.pipeline.inputs import BuildInputs

    geometry_backend()  # a backend asked for and missing stops here, not after minutes of extraction
    folder = build(
        BuildInputs(train=args.train, toxic=args.toxic, benign=args.benign),
        config_from_args(args),
        cache_root=args.out,
        name=args.name,
        progress=not args.quiet,
        trust_remote_code=args.trust_remote_code,
        engine=args.engine,
    )
    announce_result(folder)
    return 0


def _add_recluster_parser(commands: Commands) -> None:
    parser = commands.add_parser(
        "recluster",
        help="the same analysis with other HDBSCAN settings (a new analysis folder)",
        description="Re-cluster an analysis: extraction and UMAP come from the cache, only the "
        "clustering and what depends on it is recomputed, into a new analysis folder beside it.",
    )
    parser.add_argument("analysis_dir", type=Path, help="an analysis folder written by build")
    parser.add_argument("min_cluster_size", type=int, help="HDBSCAN min_cluster_size")
    parser.add_argument("min_samples", type=int, nargs="?", default=None, help="HDBSCAN min_samples (default: the min cluster size)")
    parser.set_defaults(run=_recluster)


@_input_errors_exit_2
def _recluster(args: argparse.Namespace) -> int:
    from analysis.pipeline.build import recluster

    print("[1/1] Re-clustering samples and features with HDBSCAN", file=sys.stderr, flush=True)
    announce_result(recluster(args.analysis_dir, args.min_cluster_size, args.min_samples))
    return 0


# ---------------------------------------------------------------- export, reapply


def _add_export_parser(commands: Commands) -> None:
    parser = commands.add_parser("export", help="export kept/removed sets under a rule")
    parser.add_argument("analysis_dir", type=Path)
    parser.add_argument("--top-percent", type=float, default=None)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--clusters", type=int, nargs="*", default=[], help="remove every training row of these clusters")
    parser.add_argument("--remove-ids", nargs="*", default=[])
    parser.add_argument("--keep-ids", nargs="*", default=[])
    parser.add_argument("--remove-marked", nargs="*", default=[], metavar="MARK", help="remove every training row marked with one of these marks")
    parser.add_argument("--keep-marked", nargs="*", default=[], metavar="MARK", help="keep only the training rows marked with one of these marks")
    parser.add_argument(
        "--marks",
        type=Path,
        default=None,
        help="the marks file --remove-marked/--keep-marked read (default: the analysis' own, <cache>/marks/<analysis>.jsonl); "
        "the export records the marks it read, so reapply gives the same files whatever is marked later",
    )
    parser.add_argument("--score", default="score")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--formats", default="csv,jsonl", help="extra annotated formats: csv,jsonl or none")
    parser.set_defaults(run=_export)


@_input_errors_exit_2
def _export(args: argparse.Namespace) -> int:
    from analysis.use.export import FilterRule, export

    marked, marks_file = _marks_of_export(args)
    rule = FilterRule(
        score=args.score,
        top_percent=args.top_percent,
        threshold=args.threshold,
        clusters=tuple(args.clusters),
        remove_ids=tuple(args.remove_ids),
        keep_ids=tuple(args.keep_ids),
        remove_marks=tuple(args.remove_marked),
        keep_marks=tuple(args.keep_marked),
        marked=marked,
    )
    formats = () if args.formats == "none" else tuple(f for f in args.formats.split(",") if f)
    folder = export(args.analysis_dir, rule, args.out, extra_formats=formats, marks_file=marks_file)
    _report_score_cut(folder)
    announce_result(folder)
    return 0


def _read_marks(analysis_dir: Path, marks_file: Path | None, wanted: tuple[str, ...]) -> tuple[dict[str, str], Path]:
    """The current marks among `wanted` (id -> mark) of `marks_file`, or of the analysis' own
    marks file, and the file they came from; a note on standard error when none is found."""
    from analysis.use.marks import Marks

    if marks_file is not None and not marks_file.is_file():
        raise FileNotFoundError(f"the marks file {marks_file} does not exist")
    marks = Marks.for_analysis(analysis_dir, file=marks_file)
    snapshot = marks.snapshot(wanted)
    if not snapshot:
        print(f"note: no row of {marks.path} is marked {' or '.join(wanted)}", file=sys.stderr)
    return snapshot, marks.path


def _marks_of_export(args: argparse.Namespace) -> tuple[dict[str, str], Path | None]:
    """The marks an export rule reads (none without --remove-marked / --keep-marked)."""
    wanted = (*args.remove_marked, *args.keep_marked)
    if not wanted:
        if args.marks is not None:
            raise ValueError("--marks needs --remove-marked or --keep-marked")
        return {}, None
    return _read_marks(args.analysis_dir, args.marks, wanted)


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


def _add_reapply_parser(commands: Commands) -> None:
    parser = commands.add_parser("reapply", help="re-run an export from its manifest")
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.set_defaults(run=_reapply)


@_input_errors_exit_2
def _reapply(args: argparse.Namespace) -> int:
    from analysis.use.export import reapply

    announce_result(reapply(args.manifest, args.out))
    return 0


# ---------------------------------------------------------------- evaluate


def _add_evaluate_parser(commands: Commands) -> None:
    parser = commands.add_parser(
        "evaluate",
        help="metrics of every score against a label column (see evaluate --help)",
        description="Rank every score of an analysis and the baselines against a label column.",
    )
    parser.add_argument("analysis_dir", help="an analysis folder written by `python -m analysis build`")
    labels = parser.add_mutually_exclusive_group(required=True)
    labels.add_argument("--label-column", help="column of samples.parquet with the labels")
    labels.add_argument("--positive-mark", help="use marks as labels: the mark of the bad rows (with --negative-mark)")
    parser.add_argument("--positive", help="label value of the bad rows (compared as text; with --label-column)")
    parser.add_argument("--negative-mark", help="the mark of the good rows (with --positive-mark); rows with neither mark are left out")
    parser.add_argument("--marks", type=Path, default=None, help="the marks file (default: the analysis' own, <cache>/marks/<analysis>.jsonl)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples (0: no intervals)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-baselines", action="store_true", help="evaluate only the score columns")
    parser.set_defaults(run=functools.partial(_evaluate, error=parser.error))


def _evaluate(args: argparse.Namespace, error: Callable[[str], None]) -> int:
    """Run `evaluate`; `error` is its parser's (usage, message, exit status 2)."""
    if args.bootstrap < 0:
        error("--bootstrap must be >= 0")
    if args.label_column is not None and (args.positive is None or args.negative_mark or args.marks):
        error("--label-column takes --positive (and no --negative-mark or --marks)")
    if args.positive_mark is not None and (args.negative_mark is None or args.positive is not None):
        error("--positive-mark takes --negative-mark (and no --positive)")
    import json

    from analysis.use.evaluate import EvaluationError, evaluate, evaluate_marks, format_table

    options = {"n_bootstrap": args.bootstrap, "seed": args.seed, "baselines": not args.no_baselines}
    try:
        if args.positive_mark is not None:
            wanted = (args.positive_mark, args.negative_mark)
            marked, _ = _read_marks(Path(args.analysis_dir), args.marks, wanted)
            report = evaluate_marks(args.analysis_dir, marked, *wanted, **options)
        else:
            report = evaluate(args.analysis_dir, args.label_column, args.positive, **options)
    except (EvaluationError, FileNotFoundError, ValueError) as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_json(), indent=2) if args.json else format_table(report))
    return 0


# ---------------------------------------------------------------- monitor, report


def _add_monitor_parser(commands: Commands) -> None:
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
    parser.add_argument(
        "--data", type=Path, required=True, action="append",
        help="the new batch: JSONL, CSV or Parquet, the layouts build reads; repeat it for several batches, "
        "read with one load of the model and SAE, each into its own folder (the last one is the command's result)",
    )
    parser.add_argument("--out", type=Path, default=None, help="new or empty output folder, with one --data only (default: <cache>/monitors/<analysis>-<batch sha12>)")
    parser.add_argument("--json", action="store_true", help="print report.json to standard output (instead of the folder; a JSON list for several batches)")
    parser.add_argument("--alpha", type=float, default=defaults.alpha, help=f"significance of the score-shift and above-cut tests (default {defaults.alpha:g})")
    parser.add_argument("--min-effect", type=float, default=defaults.min_effect, help=f"AUROC the score shift must also reach (default {defaults.min_effect:g})")
    parser.add_argument("--top-percent", type=float, default=defaults.top_percent, help=f"the cut: the training rows' top Q%% (default {defaults.top_percent:g})")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: the analysis' setting)")
    parser.add_argument("--quiet", action="store_true", help="no stages or progress bars (the summary still goes to standard error)")
    parser.set_defaults(run=_monitor)


def _monitor(args: argparse.Namespace) -> int:
    """Run `monitor` on each batch, the model and SAE loaded once; any failure is status 2, so
    a pipeline never reads an error as drift, and 1 when any batch drifted."""
    import json

    if args.out is not None and len(args.data) > 1:
        print("error: --out names one batch's folder: give it with one --data (several batches go to their default folders)", file=sys.stderr)
        return 2
    results = []
    try:
        from analysis.progress import stderr_reporter
        from analysis.scoring.drift import Thresholds
        from analysis.use.monitor import monitor
        from analysis.use.monitor_runs import format_report
        from analysis.use.new_rows import SharedExtractor

        thresholds = Thresholds(alpha=args.alpha, min_effect=args.min_effect, top_percent=args.top_percent)
        extractor = SharedExtractor.of_analysis(args.analysis_dir, args.device)
        for data in args.data:
            result = monitor(
                args.analysis_dir,
                data,
                args.out,
                thresholds,
                device=args.device,
                progress=not args.quiet,
                report=(lambda *_: None) if args.quiet else stderr_reporter,
                extractor=extractor,
            )
            prefix = f"{data.name}: " if len(args.data) > 1 else ""
            print(prefix + format_report(result.report) + (" (earlier run reused)" if result.reused else ""), file=sys.stderr)
            if not args.json and len(results) < len(args.data) - 1:
                print(result.out_dir, flush=True)  # written: named now, in case a later batch fails
            results.append(result)
    except Exception as error:  # exit 1 means drift: no failure may end that way
        if args.json and results:  # the batches done before the failure: written, so shown
            print(json.dumps([result.report for result in results], indent=2, ensure_ascii=False))
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        reports = [result.report for result in results]
        print(json.dumps(reports[0] if len(reports) == 1 else reports, indent=2, ensure_ascii=False))
        record_result(results[-1].out_dir)
    else:
        announce_result(results[-1].out_dir)
    return max(result.exit_code for result in results)


def _add_query_parser(commands: Commands) -> None:
    parser = commands.add_parser(
        "query",
        help="score any text with an analysis (nothing refitted): scores, percentile, map place, neighbours, latents",
        description="Read each text with the analysis' own model and SAE and score it with its fitted scorer, "
        "nothing refitted: the default score (as the build computes it), every family, its percentile among "
        "the training rows, its nearest training, toxic and benign rows and the latents behind its score. "
        "Its place on the sample map is the similarity-weighted mean position of its nearest analysis rows "
        "(the map's UMAP is not kept, so it cannot place new points itself). A --text is read whole; rows of "
        "a --file are read as the build reads them (prompt/response rows pool the response). Times go to "
        "standard error; nothing is written. For a batch and its drift, use monitor.",
    )
    parser.add_argument("analysis_dir", type=Path)
    parser.add_argument("--text", action="append", default=[], help="a text to ask about (repeat for several)")
    parser.add_argument("--file", type=Path, default=None, help="rows to ask about: JSONL, CSV or Parquet, the layouts build reads")
    parser.add_argument("--json", action="store_true", help="print a JSON list, one object per text")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: the analysis' setting)")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="stay loaded and answer the questions left in the analysis' inbox (<cache>/queries/<analysis>/, "
        "analysis.use.query_service) until none came for --idle-minutes: how the app asks",
    )
    parser.add_argument("--idle-minutes", type=float, default=20.0, help="with --serve: end after this long without a question (default 20)")
    parser.set_defaults(run=functools.partial(_query_something, error=parser.error))


def _query_something(args: argparse.Namespace, error: Callable[[str], None]) -> int:
    """`query` with nothing to ask about is a usage error (its parser's, status 2)."""
    if args.serve:
        if args.text or args.file is not None:
            error("--serve answers the questions left in the inbox: give no --text or --file with it")
        return _serve_queries(args)
    if not args.text and args.file is None:
        error("give at least one --text or a --file")
    return _query(args)


@_input_errors_exit_2
def _serve_queries(args: argparse.Namespace) -> int:
    """`query --serve`: load once, then answer the inbox until idle (or a stop signal)."""
    from analysis.use.query import QueryEngine
    from analysis.use.query_service import query_inbox, serve_queries

    engine = QueryEngine.load(args.analysis_dir, args.device)
    inbox = query_inbox(args.analysis_dir)
    print(f"model and SAE loaded in {engine.load_seconds:.2f} s; answering questions left in {inbox}", file=sys.stderr, flush=True)

    def log(request_id: str, answer: dict) -> None:
        what = f"error: {answer['error']}" if "error" in answer else f"answered in {answer['seconds']:.2f} s ({len(answer['answers'])} of them)"
        print(f"question {request_id}: {what}", file=sys.stderr, flush=True)  # texts are data: not printed

    answered = serve_queries(engine.query, inbox, engine.load_seconds, idle_seconds=args.idle_minutes * 60, on_answer=log)
    print(f"no question for {args.idle_minutes:g} minutes: {answered} answered, ending", file=sys.stderr)
    return 0


@_input_errors_exit_2
def _query(args: argparse.Namespace) -> int:
    """Run `query`: the inputs are read (and refused) before the model loads; one query per text."""
    import json
    import time

    import polars as pl

    from analysis.artifacts.inputs import load_table, records_frame
    from analysis.use.query import QueryEngine, format_answer

    parts = [records_frame(args.text, "--text")] if args.text else []
    if args.file is not None:
        parts.append(load_table(args.file, "query").frame)
    rows = pl.concat([part.select("id", "text", "response_start") for part in parts], how="vertical_relaxed")
    engine = QueryEngine.load(args.analysis_dir, args.device)
    print(f"model and SAE loaded in {engine.load_seconds:.2f} s", file=sys.stderr, flush=True)
    answers = []
    for index in range(rows.height):
        started = time.perf_counter()
        answers.extend(engine.query_rows(rows.slice(index, 1)))
        print(f"query {index + 1}/{rows.height}: {time.perf_counter() - started:.2f} s", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(answers, indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(format_answer(answer, position) for position, answer in enumerate(answers, 1)))
    return 0


def _add_report_parser(commands: Commands) -> None:
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
    parser.set_defaults(run=_report)


def _report(args: argparse.Namespace) -> int:
    from analysis.artifacts.folder import AnalysisNotFound
    from analysis.progress import stderr_reporter
    from analysis.use.report import ReportError, write_report

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


if __name__ == "__main__":
    sys.exit(main())
