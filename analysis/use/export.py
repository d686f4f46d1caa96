"""Export a kept/removed cut of the training set, and re-apply it.

The cut is a `FilterRule` applied by `decide` (both in `analysis.use.rules`, re-exported
here); `export` writes kept and removed rows in the training input's own format (JSON
Lines: the original lines byte for byte) plus annotated tables and a `manifest.json`;
`reapply` re-runs an export from its manifest and proves the data files are byte-identical.
The analysis is opened with `Analysis.open`, so one of another format version is refused
before anything is written.

Export folder (`<ext>` is the training input's extension):

| file | what |
|---|---|
| `kept.<ext>`, `removed.<ext>` | the input's own rows, unchanged, in input order |
| `kept.parquet`, `removed.parquet` | original columns + `id` (when the input had none), `cluster`, every `score*` column, `removed`, `reason` (named `*_annotated.parquet` when the input is Parquet) |
| `kept.csv` / `kept.jsonl`, ... | the annotated tables again, one per `extra_formats` entry (`*_annotated.<ext>` when that is the input's format; CSV holds list/struct columns as JSON text) |
| `manifest.json` | analysis id and manifest hash, training input, rule, the marks file the rule's marks were read from, counts, output hashes, versions, command |

`counts.removed_per_reason` counts a row under each of its reasons, so it can sum to more than
`counts.removed`. `score_cut` (null when the rule has no score cut) says how many training rows
have a value of the rule's score (`scored`) and how many do not (`unscored`, null or NaN), and
how many rows the top-q% part selects (`top_percent_rows`).

What `reapply` guarantees: every data file listed in `manifest["outputs"]` is byte-identical
(same sha256) with the same library versions. A rule on marks carries the marks it read
(`rule.marked`, id -> mark), so marks added after the export change nothing on `reapply`;
`command` reads the marks file again, as it is then. `manifest.json` itself differs in `created`
and in the output folder named by `command`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shlex
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from analysis.artifacts.cache import atomic_dir
from analysis.artifacts.folder import Analysis, score_columns
from analysis.artifacts.inputs import file_sha256, jsonl_record_lines, load_table, read_raw_table
from analysis.artifacts.layout import (
    ANNOTATED_SUFFIX,
    EXPORT_KIND,
    EXPORT_MANIFEST,
    EXPORT_PARTS,
    MANIFEST,
)
from analysis.scoring.statistics import top_count
from analysis.use.rules import (
    EmptyScoreError,
    FilterRule,
    decide,
    score_cut_summary,
    usable_score_columns,
)

__all__ = [
    "EXPORT_FORMATS",
    "EmptyScoreError",
    "ExportError",
    "FilterRule",
    "decide",
    "export",
    "export_command",
    "reapply",
    "score_columns",
    "score_cut_summary",
    "top_count",
    "usable_score_columns",
]

EXPORT_FORMATS = ("csv", "jsonl")
_FORMAT_EXTENSIONS = {"jsonl": "jsonl", "csv": "csv", "parquet": "parquet"}


class ExportError(ValueError):
    """The analysis or its training input is not what the export or its manifest expects."""


# ---------------------------------------------------------------- export


@dataclass
class _Plan:
    """Everything an export needs, read and verified before anything is written."""

    analysis_dir: Path
    analysis_id: str
    analysis_manifest_sha256: str
    analysis_build_command: str | None
    analysis_build: dict[str, Any] | None
    input_path: Path
    input_format: str
    input_sha256: str
    input_bytes: bytes
    rule: FilterRule
    # training rows in input order: source_row, id, cluster, score*, removed, reason
    rows: pl.DataFrame
    score_names: list[str] = field(default_factory=list)
    score_cut: dict[str, Any] | None = None


def _train_input(analysis: Analysis) -> tuple[Path, str, str]:
    """The training input the analysis read: its path, format and sha256, from the manifest."""
    manifest_path = analysis.path / MANIFEST
    try:
        train_input = analysis.manifest["inputs"]["train"]
        input_path = Path(train_input["path"])
        input_format = train_input["format"]
        expected_sha = train_input["sha256"]
    except (KeyError, TypeError) as err:
        raise ExportError(f"{manifest_path}: no inputs.train path/format/sha256 ({err})") from None
    if input_format not in _FORMAT_EXTENSIONS:
        raise ExportError(f"{manifest_path}: unknown training input format {input_format!r}")
    return input_path, input_format, expected_sha


def _read_input(analysis: Analysis, input_path: Path, expected_sha: str) -> bytes:
    """The training input's bytes, refused unless they are the ones the analysis read."""
    if not input_path.is_file():
        raise FileNotFoundError(
            f"the training input {input_path} of analysis {analysis.name} is missing; "
            "the export needs the original file to write rows in their own format"
        )
    input_bytes = input_path.read_bytes()
    actual_sha = hashlib.sha256(input_bytes).hexdigest()
    if actual_sha != expected_sha:
        raise ExportError(
            f"the training input {input_path} changed since the analysis was built "
            f"(sha256 {actual_sha[:12]}..., the analysis read {expected_sha[:12]}...); "
            "rebuild the analysis or restore the file"
        )
    return input_bytes


def _training_rows(samples: pl.DataFrame, decisions: pl.DataFrame, input_path: Path, expected_sha: str) -> pl.DataFrame:
    """The decisions joined to the input's rows (`source_row`, `id`, `cluster`, scores,
    `removed`, `reason`); refused unless the input and the analysis hold the same ids, in the
    places samples.parquet recorded."""
    table = load_table(input_path, "train")
    if table.sha256 != expected_sha:
        raise ExportError(f"the training input {input_path} changed while it was being read")
    scores = score_columns(samples)
    annotations = ["cluster", *scores] if "cluster" in samples.columns else scores
    train = samples.filter(pl.col("set") == "train").select("id", *annotations)
    rows = table.frame.select("id", "source_row").join(
        decisions.join(train, on="id", how="left"), on="id", how="full", coalesce=True
    )
    orphans = rows.filter(pl.col("source_row").is_null() | pl.col("removed").is_null())
    if orphans.height:
        in_input = orphans.filter(pl.col("removed").is_null())["id"].head(3).to_list()
        in_analysis = orphans.filter(pl.col("source_row").is_null())["id"].head(3).to_list()
        raise ExportError(
            f"the ids of {input_path} and of the analysis' training rows differ "
            f"(only in the input: {in_input}; only in the analysis: {in_analysis})"
        )
    if "source_row" in samples.columns:
        recorded = samples.filter(pl.col("set") == "train").select(
            "id", pl.col("source_row").alias("recorded_row")
        )
        mismatch = rows.join(recorded, on="id").filter(
            pl.col("source_row") != pl.col("recorded_row")
        )
        if mismatch.height:
            raise ExportError(
                f"samples.parquet places id {mismatch['id'][0]!r} at another row of {input_path}"
            )
    return rows.sort("source_row").select("source_row", "id", *annotations, "removed", "reason")


def _build_record(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """What `reapply` needs to rebuild the analysis when its folder is gone."""
    if "config" not in manifest or "analysis_id" not in manifest:
        return None
    return {"name": manifest.get("name"), "inputs": manifest["inputs"], "config": manifest["config"], "analysis_id": manifest["analysis_id"]}


def _plan(analysis: Analysis, rule: FilterRule) -> _Plan:
    """Read and check everything the export needs; nothing is written."""
    input_path, input_format, expected_sha = _train_input(analysis)
    input_bytes = _read_input(analysis, input_path, expected_sha)
    samples = analysis.samples
    decisions = decide(samples, rule)
    score_cut = score_cut_summary(samples, rule)
    rows = _training_rows(samples, decisions, input_path, expected_sha)
    manifest = analysis.manifest
    return _Plan(
        analysis_dir=analysis.path,
        analysis_id=str(manifest.get("analysis_id") or analysis.name),
        analysis_manifest_sha256=analysis.manifest_sha256,
        analysis_build_command=manifest.get("command"),
        analysis_build=_build_record(manifest),
        input_path=input_path,
        input_format=input_format,
        input_sha256=expected_sha,
        input_bytes=input_bytes,
        rule=rule,
        rows=rows,
        score_names=score_columns(samples),
        score_cut=score_cut,
    )


def _annotated_table(plan: _Plan) -> pl.DataFrame:
    """The input's own (typed) columns plus id, cluster, scores, removed, reason, input order."""
    raw = read_raw_table(plan.input_path, plan.input_format, data=plan.input_bytes)
    added = [name for name in plan.rows.columns if name != "source_row"]
    if "id" in raw.columns:
        added.remove("id")
    # An input column that shares a name with an annotation keeps its values under input_<name>.
    renames = {}
    for name in raw.columns:
        new_name = name
        while new_name in added or new_name in renames.values():
            new_name = f"input_{new_name}"
        if new_name != name:
            renames[name] = new_name
    original = raw.rename(renames)
    annotations = plan.rows.select(added)
    if "id" in added:
        return pl.concat(
            [annotations.select("id"), original, annotations.drop("id")], how="horizontal"
        )
    return pl.concat([original, annotations], how="horizontal")


def _json_encode_nested(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV cannot hold list/struct columns: write those as JSON text (null stays empty)."""
    encoded = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Struct):
            encoded.append(
                pl.when(pl.col(name).is_null())
                .then(None)
                .otherwise(pl.col(name).struct.json_encode())
                .alias(name)
            )
        elif isinstance(dtype, pl.List | pl.Array):
            # polars encodes structs only: wrap the value as {"v": value}, then unwrap the text.
            wrapped = pl.struct(pl.col(name).alias("v")).struct.json_encode()
            value = wrapped.str.strip_prefix('{"v":').str.strip_suffix("}")
            encoded.append(pl.when(pl.col(name).is_null()).then(None).otherwise(value).alias(name))
    return frame.with_columns(encoded) if encoded else frame


def _write_table(frame: pl.DataFrame, path: Path, file_format: str) -> None:
    if file_format == "parquet":
        frame.write_parquet(path, statistics=False)
    elif file_format == "csv":
        _json_encode_nested(frame).write_csv(path)
    else:
        frame.write_ndjson(path)


def _write_jsonl_lines(lines: list[bytes], path: Path) -> None:
    with open(path, "wb") as handle:
        for line in lines:
            handle.write(line)
            handle.write(b"\n")


def _write_files(
    plan: _Plan, folder: Path, extra_formats: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """Write every data file into `folder`; return {file name: {sha256, rows, bytes}}."""
    written: dict[str, int] = {}
    own_extension = _FORMAT_EXTENSIONS[plan.input_format]
    removed_mask = plan.rows["removed"]
    kept, removed = EXPORT_PARTS
    source_rows = {
        kept: plan.rows.filter(~removed_mask)["source_row"],
        removed: plan.rows.filter(removed_mask)["source_row"],
    }

    # 1. the input's own rows, in the input's own format
    if plan.input_format == "jsonl":
        lines = jsonl_record_lines(plan.input_bytes)
        for part, rows in source_rows.items():
            _write_jsonl_lines([lines[i] for i in rows.to_list()], folder / f"{part}.jsonl")
            written[f"{part}.jsonl"] = rows.len()
    else:
        # CSV values are read as text so they come back exactly as written (no "1.50" -> 1.5).
        original = read_raw_table(
            plan.input_path, plan.input_format, typed=False, data=plan.input_bytes
        )
        for part, rows in source_rows.items():
            name = f"{part}.{own_extension}"
            _write_table(original[rows], folder / name, plan.input_format)
            written[name] = rows.len()

    # 2. annotated tables: Parquet always, then the extra formats
    annotated = _annotated_table(plan)
    for file_format in ("parquet", *extra_formats):
        for part, rows in source_rows.items():
            suffix = ANNOTATED_SUFFIX if file_format == plan.input_format else ""
            name = f"{part}{suffix}.{_FORMAT_EXTENSIONS[file_format]}"
            _write_table(annotated[rows], folder / name, file_format)
            written[name] = rows.len()

    return {
        name: {
            "sha256": file_sha256(folder / name),
            "rows": rows,
            "bytes": (folder / name).stat().st_size,
        }
        for name, rows in sorted(written.items())
    }


def export_command(
    analysis_dir: str | Path,
    rule: FilterRule,
    out_dir: str | Path,
    extra_formats: tuple[str, ...] = EXPORT_FORMATS,
    marks_file: str | Path | None = None,
) -> str:
    """The command line that runs the same export (a rule on marks reads `marks_file`, or the
    analysis' own marks file, as it is when the command runs)."""
    args = ["python", "-m", "analysis", "export", str(analysis_dir), "--score", rule.score]
    if rule.top_percent is not None:
        args += ["--top-percent", repr(rule.top_percent)]
    if rule.threshold is not None:
        args += ["--threshold", repr(rule.threshold)]
    for flag, values in (("--clusters", rule.clusters), ("--remove-ids", rule.remove_ids), ("--keep-ids", rule.keep_ids)):
        if values:
            args += [flag, *[str(v) for v in values]]
    if rule.uses_marks and marks_file is not None:
        args += ["--marks", str(marks_file)]
    for flag, marks in (("--remove-marked", rule.remove_marks), ("--keep-marked", rule.keep_marks)):
        if marks:
            args += [flag, *marks]
    args += ["--out", str(out_dir), "--formats", ",".join(extra_formats) if extra_formats else "none"]
    return shlex.join(args)


def _counts(plan: _Plan) -> dict[str, Any]:
    rows = plan.rows
    removed = rows.filter(pl.col("removed"))
    per_cluster: dict[str, int] = {}
    if "cluster" in rows.columns:
        table = removed.group_by("cluster").len().sort("cluster")
        per_cluster = {str(c): int(n) for c, n in table.iter_rows()}
    # A row removed for two reasons counts under each of them.
    reasons = (
        removed.select(pl.col("reason").str.split("; ").alias("reason"))
        .explode("reason")
        .group_by("reason")
        .len()
        .sort(["len", "reason"], descending=[True, False])
    )
    return {
        "train": rows.height,
        "kept": rows.height - removed.height,
        "removed": removed.height,
        "removed_per_cluster": per_cluster,
        "removed_per_reason": {str(r): int(n) for r, n in reasons.iter_rows()},
    }


def _manifest(
    plan: _Plan,
    out_dir: Path,
    extra_formats: tuple[str, ...],
    outputs: dict,
    marks_file: str | Path | None,
) -> dict[str, Any]:
    manifest_path = out_dir / EXPORT_MANIFEST
    marks_file = str(marks_file) if marks_file is not None and plan.rule.uses_marks else None
    return {
        "kind": EXPORT_KIND,
        "analysis": {
            "id": plan.analysis_id,
            "path": str(plan.analysis_dir),
            "manifest_sha256": plan.analysis_manifest_sha256,
            "build_command": plan.analysis_build_command,
            # what `reapply` needs to rebuild the analysis when its folder is gone
            "build": plan.analysis_build,
        },
        "train_input": {
            "path": str(plan.input_path),
            "format": plan.input_format,
            "sha256": plan.input_sha256,
            "rows": plan.rows.height,
        },
        "rule": plan.rule.to_dict(),
        "rule_description": plan.rule.describe(),
        # where the marks in rule.marked were read from (the rule holds them: reapply reads no file)
        "marks_file": marks_file,
        "extra_formats": list(extra_formats),
        "counts": _counts(plan),
        "score_cut": plan.score_cut,
        "outputs": outputs,
        "versions": {"python": platform.python_version(), "polars": pl.__version__},
        "command": export_command(plan.analysis_dir, plan.rule, out_dir, extra_formats, marks_file),
        "reapply_command": shlex.join(
            ["python", "-m", "analysis", "reapply", str(manifest_path), "--out", "NEW_FOLDER"]
        ),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _check_out_dir_free(out_dir: Path) -> None:
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise FileExistsError(
            f"{out_dir} already exists and is not empty; exports never overwrite: choose a new folder"
        )


def _check_formats(extra_formats: tuple[str, ...]) -> tuple[str, ...]:
    extra_formats = tuple(dict.fromkeys(extra_formats))
    unknown = [f for f in extra_formats if f not in EXPORT_FORMATS]
    if unknown:
        raise ValueError(f"unknown export formats {unknown}; choose from {list(EXPORT_FORMATS)}")
    return extra_formats


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def export(
    analysis_dir: str | Path,
    rule: FilterRule,
    out_dir: str | Path,
    extra_formats: tuple[str, ...] = EXPORT_FORMATS,
    marks_file: str | Path | None = None,
) -> Path:
    """Write the kept and removed training rows of the analysis in `analysis_dir` under `rule`
    into the new folder `out_dir` (see the module docstring for its files). Returns `out_dir`.
    `marks_file`: where the marks of a rule on marks came from, recorded in the manifest.

    Raises FileExistsError when `out_dir` exists and is not empty; on any error nothing is
    left behind.
    """
    out_dir = Path(out_dir).expanduser().resolve()
    extra_formats = _check_formats(tuple(extra_formats))
    _check_out_dir_free(out_dir)
    plan = _plan(Analysis.open(analysis_dir), rule)
    with atomic_dir(out_dir, exclusive=True) as folder:
        outputs = _write_files(plan, folder, extra_formats)
        _write_manifest(folder / EXPORT_MANIFEST, _manifest(plan, out_dir, extra_formats, outputs, marks_file))
    return out_dir


def _rebuild_analysis(analysis: dict[str, Any], missing_dir: Path) -> Path:
    """Rebuild a missing analysis from what the export manifest recorded about it."""
    build_info = analysis.get("build")
    if not build_info:
        how = analysis.get("build_command") or (
            "`python -m analysis build` with the inputs and parameters of that analysis"
        )
        raise FileNotFoundError(
            f"analysis {analysis['id']} is missing (expected at {missing_dir}); rebuild it with: {how}"
        )
    from analysis.pipeline.build import build_from_manifest

    rebuilt = build_from_manifest(build_info, cache_root=missing_dir.parent.parent, progress=False)
    if Analysis.open(rebuilt).manifest.get("analysis_id") != analysis["id"]:
        raise ExportError(f"rebuilding analysis {analysis['id']} gave another analysis ({rebuilt.name})")
    return rebuilt


def _recorded_analysis(recorded: dict[str, Any]) -> Analysis:
    """The analysis an export manifest names, rebuilt when its folder is gone; refused when
    its folder now holds another analysis."""
    analysis = recorded["analysis"]
    analysis_dir = Path(analysis["path"])
    if not (analysis_dir / MANIFEST).is_file():
        analysis_dir = _rebuild_analysis(analysis, analysis_dir)
    current = Analysis.open(analysis_dir)
    # A rebuilt analysis has the same id (hash of inputs and settings) but a new manifest
    # (creation time, timings); the byte-identity check of the outputs is the proof.
    if current.manifest_sha256 != analysis["manifest_sha256"] and current.manifest.get("analysis_id") != analysis["id"]:
        raise ExportError(
            f"analysis {analysis['id']} at {analysis_dir} is not the one this export used "
            "(its manifest.json changed)"
        )
    return current


def _check_reproduced(manifest_path: Path, recorded: dict[str, Any], outputs: dict[str, dict[str, Any]]) -> None:
    expected = {name: entry["sha256"] for name, entry in recorded["outputs"].items()}
    produced = {name: entry["sha256"] for name, entry in outputs.items()}
    if produced != expected:
        differing = sorted(
            name
            for name in expected.keys() | produced.keys()
            if expected.get(name) != produced.get(name)
        )
        raise ExportError(
            f"re-applying {manifest_path} did not reproduce the export: {differing} differ "
            f"(recorded with {recorded.get('versions')})"
        )


def reapply(manifest_path: str | Path, out_dir: str | Path) -> Path:
    """Re-run the export described by an export `manifest.json` into the new folder `out_dir`.

    Checks that the analysis folder and the training input are the ones the export used
    (the analysis id, or the sha256 of its manifest, and the sha256 of the input); an
    analysis folder that is gone is rebuilt from the recorded inputs and settings (its
    step caches make that fast when they still exist). Then verifies that every data file
    comes out byte-identical to the recorded one; raises ExportError (and leaves nothing
    behind) if not. Returns `out_dir`.
    """
    manifest_path = Path(manifest_path).expanduser().resolve()
    recorded = json.loads(manifest_path.read_text(encoding="utf-8"))
    analysis = _recorded_analysis(recorded)
    input_path = Path(recorded["train_input"]["path"])
    if input_path.is_file() and file_sha256(input_path) != recorded["train_input"]["sha256"]:
        raise ExportError(
            f"the training input {input_path} changed since the export "
            "(sha256 differs from the export manifest)"
        )

    rule = FilterRule.from_dict(recorded["rule"])
    extra_formats = _check_formats(tuple(recorded.get("extra_formats", EXPORT_FORMATS)))
    out_dir = Path(out_dir).expanduser().resolve()
    _check_out_dir_free(out_dir)
    plan = _plan(analysis, rule)
    with atomic_dir(out_dir, exclusive=True) as folder:
        outputs = _write_files(plan, folder, extra_formats)
        _check_reproduced(manifest_path, recorded, outputs)
        manifest = _manifest(plan, out_dir, extra_formats, outputs, recorded.get("marks_file"))
        _write_manifest(folder / EXPORT_MANIFEST, manifest)
    return out_dir
