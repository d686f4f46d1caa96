"""Turn proximity scores into a kept/removed cut of the training set, export it, and re-apply it.

A `FilterRule` is the whole selection: a score cut (top Q% or a threshold), whole sample
clusters, and manual additions/exceptions. `decide` applies it to the training rows of an
analysis; `export` writes kept and removed rows in the training input's own format (JSON
Lines: the original lines byte for byte) plus annotated tables and a `manifest.json`;
`reapply` re-runs an export from its manifest and proves the data files are byte-identical.

Export folder (`<ext>` is the training input's extension):

| file | what |
|---|---|
| `kept.<ext>`, `removed.<ext>` | the input's own rows, unchanged, in input order |
| `kept.parquet`, `removed.parquet` | original columns + `id` (when the input had none), `cluster`, every `score*` column, `removed`, `reason` (named `*_annotated.parquet` when the input is Parquet) |
| `kept.csv` / `kept.jsonl`, ... | the annotated tables again, one per `extra_formats` entry (`*_annotated.<ext>` when that is the input's format; CSV holds list/struct columns as JSON text) |
| `manifest.json` | analysis id and manifest hash, training input, rule, counts, output hashes, versions, command |

`counts.removed_per_reason` counts a row under each of its reasons, so it can sum to more than
`counts.removed`. `score_cut` (null when the rule has no score cut) says how many training rows
have a value of the rule's score (`scored`) and how many do not (`unscored`, null or NaN), and
how many rows the top-q% part selects (`top_percent_rows`).

A score cut only ever removes rows that have a score: top q% takes `top_count(q, scored)` of the
scored rows and a threshold compares scored rows only. A score with no value on any training
row (a score the build left empty, e.g. one that needs a benign reference) is refused with
`EmptyScoreError`.

What `reapply` guarantees: every data file listed in `manifest["outputs"]` is byte-identical
(same sha256) with the same library versions. `manifest.json` itself differs in `created`
and in the output folder named by `command`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl

from analysis.artifacts.inputs import file_sha256, jsonl_record_lines, load_table, read_raw_table

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

MANIFEST = "manifest.json"
SAMPLES = "samples.parquet"
EXPORT_FORMATS = ("csv", "jsonl")
_FORMAT_EXTENSIONS = {"jsonl": "jsonl", "csv": "csv", "parquet": "parquet"}
_ANNOTATION_COLUMNS = ("cluster", "removed", "reason")
_READ_CHUNK = 1 << 20


class ExportError(ValueError):
    """The analysis or its training input is not what the export or its manifest expects."""


class EmptyScoreError(ValueError):
    """The rule cuts on a score that has no value (null or NaN) on any training row."""


def score_columns(samples: pl.DataFrame) -> list[str]:
    """The score columns of samples.parquet (`score` and every `score_*`), in table order."""
    return [name for name in samples.columns if name == "score" or name.startswith("score_")]


def _score_value(name: str) -> pl.Expr:
    # NaN sorts above every number in polars; a missing score must never be "closest".
    return pl.col(name).cast(pl.Float64).fill_nan(None)


def usable_score_columns(samples: pl.DataFrame) -> list[str]:
    """The score columns with a value (not null, not NaN) on at least one training row: the
    scores a cut can use, in table order."""
    names = score_columns(samples)
    if not names:
        return []
    train = samples.filter(pl.col("set") == "train")
    present = train.select(_score_value(name).is_not_null().any() for name in names).row(0)
    return [name for name, has_value in zip(names, present, strict=True) if has_value]


def top_count(top_percent: float | Fraction, n_rows: int) -> int:
    """How many of `n_rows` scored rows a top-`top_percent`% cut removes.

    The one definition used by the export and by `analysis.evaluate` (precision / recall at
    the top q%): q% of n rounded half up, at least one row when n > 0, at most n. So the top
    0.1% of 300 rows is 1 row (0.3 rounds to 0, but a cut that was asked for removes
    something), the top 2.5% of 10 rows is 1, the top 2.5% of 100 rows is 3 (2.5 rounds up).
    q is taken as the decimal number it is written as (a float's shortest repr), so a half is
    a half: 2.3% of 1,500 rows is 34.5 and gives 35 (binary floating point would give
    34.4999... and 34). A `Fraction` is used as it is.
    """
    percent = top_percent if isinstance(top_percent, Fraction) else Fraction(repr(float(top_percent)))
    if not (0 < percent <= 100):
        raise ValueError(f"top_percent must be in (0, 100], got {top_percent}")
    if n_rows <= 0:
        return 0
    exact = percent * n_rows / 100
    return min(n_rows, max(1, math.floor(exact + Fraction(1, 2))))


@dataclass(frozen=True)
class FilterRule:
    """Which training rows to remove. Every criterion adds to the removed set; `keep_ids` wins
    over all of them.

    - `top_percent` Q: remove the `top_count(Q, n_scored)` rows with the highest `score`
      (Q% of the training rows that have a score, rounded half up, at least one); ties at the
      cut are broken by id (ascending ids are removed first). Rows with a null or NaN score
      are never removed by this cut.
    - `threshold` T: remove rows with `score >= T` (a null or NaN score never is).

    A score cut on a score with no value on any training row raises `EmptyScoreError`.
    - `clusters`: remove every training row in these sample clusters.
    - `remove_ids` / `keep_ids`: manual additions / exceptions.
    """

    score: str = "score"
    top_percent: float | None = None
    threshold: float | None = None
    clusters: tuple[int, ...] = ()
    remove_ids: tuple[str, ...] = ()
    keep_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Lists from JSON or a UI become tuples, so the rule stays hashable and comparable.
        object.__setattr__(self, "clusters", tuple(int(c) for c in self.clusters))
        object.__setattr__(self, "remove_ids", tuple(str(i) for i in self.remove_ids))
        object.__setattr__(self, "keep_ids", tuple(str(i) for i in self.keep_ids))
        if self.top_percent is not None:
            if not (0 < float(self.top_percent) <= 100):
                raise ValueError(f"top_percent must be in (0, 100], got {self.top_percent}")
            object.__setattr__(self, "top_percent", float(self.top_percent))
        if self.threshold is not None:
            if not math.isfinite(float(self.threshold)):
                raise ValueError(f"threshold must be a finite number, got {self.threshold}")
            object.__setattr__(self, "threshold", float(self.threshold))
        if not self.score:
            raise ValueError("score must name a score column")

    @property
    def uses_score(self) -> bool:
        return self.top_percent is not None or self.threshold is not None

    def check_has_criteria(self) -> None:
        if not (self.uses_score or self.clusters or self.remove_ids):
            raise ValueError(
                "the rule removes nothing: give top_percent, threshold, clusters or remove_ids"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "top_percent": self.top_percent,
            "threshold": self.threshold,
            "clusters": list(self.clusters),
            "remove_ids": list(self.remove_ids),
            "keep_ids": list(self.keep_ids),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FilterRule:
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown filter rule fields: {sorted(unknown)}")
        return cls(**d)

    def describe(self) -> str:
        parts = []
        if self.top_percent is not None:
            parts.append(f"top {self.top_percent:g}% by {self.score}")
        if self.threshold is not None:
            parts.append(f"{self.score} >= {self.threshold:g}")
        if self.clusters:
            label = "cluster" if len(self.clusters) == 1 else "clusters"
            parts.append(f"{label} {', '.join(str(c) for c in self.clusters)}")
        if self.remove_ids:
            parts.append(f"{len(self.remove_ids)} id(s) chosen by hand")
        text = "remove " + " or ".join(parts) if parts else "remove nothing"
        if self.keep_ids:
            text += f"; always keep {len(self.keep_ids)} id(s)"
        return text


def decide(samples: pl.DataFrame, rule: FilterRule) -> pl.DataFrame:
    """Apply `rule` to the training rows (`set == "train"`) of samples.parquet.

    Returns one row per training sample, in samples order: `id`, `removed` (bool), `reason`
    (str, "" when kept; several reasons joined with "; ").
    """
    rule.check_has_criteria()
    train = samples.filter(pl.col("set") == "train")
    known_ids = set(train["id"].to_list())
    for name, ids in (("remove_ids", rule.remove_ids), ("keep_ids", rule.keep_ids)):
        unknown = [i for i in ids if i not in known_ids]
        if unknown:
            shown = ", ".join(repr(i) for i in unknown[:5])
            raise ValueError(
                f"{name} holds {len(unknown)} id(s) that are not training rows: {shown}"
            )

    reasons: list[pl.Expr] = []
    if rule.uses_score:
        _check_score(train, score_columns(samples), rule.score)
        score = _score_value(rule.score)
        if rule.top_percent is not None:
            reasons.append(_top_percent_reason(train, rule, score))
        if rule.threshold is not None:
            reasons.append(
                pl.when(score >= rule.threshold).then(pl.lit(f"{rule.score} >= {rule.threshold:g}"))
            )
    if rule.clusters:
        if "cluster" not in train.columns:
            raise ValueError("the rule names clusters but samples.parquet has no cluster column")
        reasons.append(
            pl.when(pl.col("cluster").is_in(list(rule.clusters))).then(
                pl.lit("cluster ") + pl.col("cluster").cast(pl.String)
            )
        )
    if rule.remove_ids:
        reasons.append(pl.when(pl.col("id").is_in(list(rule.remove_ids))).then(pl.lit("manual")))

    reason = pl.concat_str(reasons, separator="; ", ignore_nulls=True) if reasons else pl.lit(None)
    reason = pl.when(pl.col("id").is_in(list(rule.keep_ids))).then(pl.lit("")).otherwise(reason)
    return train.select(
        pl.col("id").cast(pl.String),
        reason.fill_null("").cast(pl.String).alias("reason"),
    ).select("id", (pl.col("reason") != "").alias("removed"), "reason")


def _check_score(train: pl.DataFrame, available: list[str], name: str) -> int:
    """Raise unless `name` is a score column with a value on some training row; return how
    many training rows have one."""
    if name not in available:
        raise ValueError(f"unknown score column {name!r}; available: {available}")
    scored = int(train.select(_score_value(name).is_not_null().sum()).item())
    if scored == 0:
        raise EmptyScoreError(
            f"{name} has no value on any training row (null or NaN on all {train.height:,}), "
            "so a score cut cannot rank them; the build leaves a score empty when it cannot "
            "compute it (see the notes in the analysis manifest): choose another score"
        )
    return scored


def score_cut_summary(samples: pl.DataFrame, rule: FilterRule) -> dict[str, Any] | None:
    """What the score part of `rule` works on: {score, scored, unscored, top_percent_rows}
    (training rows with / without a value of the score; rows the top-q% cut selects, None
    without one). None when the rule has no score cut; raises like `decide`."""
    if not rule.uses_score:
        return None
    train = samples.filter(pl.col("set") == "train")
    scored = _check_score(train, score_columns(samples), rule.score)
    return {
        "score": rule.score,
        "scored": scored,
        "unscored": train.height - scored,
        "top_percent_rows": (
            top_count(rule.top_percent, scored) if rule.top_percent is not None else None
        ),
    }


def _top_percent_reason(train: pl.DataFrame, rule: FilterRule, score: pl.Expr) -> pl.Expr:
    # Only scored rows compete: q% of them, never an unscored row.
    scored = train.select(pl.col("id"), score.alias("value")).drop_nulls("value")
    top = scored.sort(["value", "id"], descending=[True, False]).head(
        top_count(rule.top_percent, scored.height)
    )
    cut = top["value"].min()
    cut_text = f" (>= {cut:.4g})" if cut is not None else ""
    label = f"top {rule.top_percent:g}% by {rule.score}{cut_text}"
    return pl.when(pl.col("id").is_in(top["id"].implode())).then(pl.lit(label))


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


def _read_analysis_manifest(analysis_dir: Path) -> tuple[dict[str, Any], str]:
    path = analysis_dir / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{analysis_dir}: not an analysis folder (no {MANIFEST})")
    raw = path.read_bytes()
    return json.loads(raw), hashlib.sha256(raw).hexdigest()


def _plan(analysis_dir: Path, rule: FilterRule) -> _Plan:
    manifest, manifest_sha = _read_analysis_manifest(analysis_dir)
    try:
        train_input = manifest["inputs"]["train"]
        input_path = Path(train_input["path"])
        input_format = train_input["format"]
        expected_sha = train_input["sha256"]
    except (KeyError, TypeError) as err:
        raise ExportError(
            f"{analysis_dir / MANIFEST}: no inputs.train path/format/sha256 ({err})"
        ) from None
    if input_format not in _FORMAT_EXTENSIONS:
        raise ExportError(
            f"{analysis_dir / MANIFEST}: unknown training input format {input_format!r}"
        )

    if not input_path.is_file():
        raise FileNotFoundError(
            f"the training input {input_path} of analysis {analysis_dir.name} is missing; "
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

    samples = pl.read_parquet(analysis_dir / SAMPLES)
    decisions = decide(samples, rule)
    score_cut = score_cut_summary(samples, rule)
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

    return _Plan(
        analysis_dir=analysis_dir,
        analysis_id=str(manifest.get("analysis_id") or analysis_dir.name),
        analysis_manifest_sha256=manifest_sha,
        analysis_build_command=manifest.get("command"),
        analysis_build=(
            {"name": manifest.get("name"), "inputs": manifest["inputs"], "config": manifest["config"], "analysis_id": manifest["analysis_id"]}
            if "config" in manifest and "analysis_id" in manifest
            else None
        ),
        input_path=input_path,
        input_format=input_format,
        input_sha256=actual_sha,
        input_bytes=input_bytes,
        rule=rule,
        rows=rows.sort("source_row").select("source_row", "id", *annotations, "removed", "reason"),
        score_names=scores,
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
    source_rows = {
        "kept": plan.rows.filter(~removed_mask)["source_row"],
        "removed": plan.rows.filter(removed_mask)["source_row"],
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
            suffix = "_annotated" if file_format == plan.input_format else ""
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
) -> str:
    """The command line that runs the same export."""
    args = ["python", "-m", "analysis", "export", str(analysis_dir), "--score", rule.score]
    if rule.top_percent is not None:
        args += ["--top-percent", repr(rule.top_percent)]
    if rule.threshold is not None:
        args += ["--threshold", repr(rule.threshold)]
    for flag, values in (("--clusters", rule.clusters), ("--remove-ids", rule.remove_ids), ("--keep-ids", rule.keep_ids)):
        if values:
            args += [flag, *[str(v) for v in values]]
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
    plan: _Plan, out_dir: Path, extra_formats: tuple[str, ...], outputs: dict
) -> dict[str, Any]:
    manifest_path = out_dir / MANIFEST
    return {
        "kind": "filtered_training_set",
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
        "extra_formats": list(extra_formats),
        "counts": _counts(plan),
        "score_cut": plan.score_cut,
        "outputs": outputs,
        "versions": {"python": platform.python_version(), "polars": pl.__version__},
        "command": export_command(plan.analysis_dir, plan.rule, out_dir, extra_formats),
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


def _build_atomically(out_dir: Path, build: Callable[[Path], None]) -> Path:
    """Run `build` on a temporary sibling folder, then rename it to `out_dir`. On any error the
    temporary folder is removed and `out_dir` is left as it was."""
    _check_out_dir_free(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.partial-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        build(tmp)
        if out_dir.exists():
            out_dir.rmdir()  # empty (checked above); fails loudly if something appeared since
        os.rename(tmp, out_dir)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if out_dir.exists() and any(out_dir.iterdir()):
            raise FileExistsError(
                f"{out_dir} was filled by something else during the export"
            ) from err
        raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


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
) -> Path:
    """Write the kept and removed training rows of the analysis in `analysis_dir` under `rule`
    into the new folder `out_dir` (see the module docstring for its files). Returns `out_dir`.

    Raises FileExistsError when `out_dir` exists and is not empty; on any error nothing is
    left behind.
    """
    analysis_dir = Path(analysis_dir).expanduser().resolve()
    out_dir = Path(out_dir).expanduser().resolve()
    extra_formats = _check_formats(tuple(extra_formats))
    _check_out_dir_free(out_dir)
    plan = _plan(analysis_dir, rule)

    def build(folder: Path) -> None:
        outputs = _write_files(plan, folder, extra_formats)
        _write_manifest(folder / MANIFEST, _manifest(plan, out_dir, extra_formats, outputs))

    return _build_atomically(out_dir, build)


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
    from analysis.build.pipeline import build_from_manifest

    rebuilt = build_from_manifest(build_info, cache_root=missing_dir.parent.parent, progress=False)
    if json.loads((rebuilt / MANIFEST).read_text(encoding="utf-8")).get("analysis_id") != analysis["id"]:
        raise ExportError(f"rebuilding analysis {analysis['id']} gave another analysis ({rebuilt.name})")
    return rebuilt


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
    analysis = recorded["analysis"]
    analysis_dir = Path(analysis["path"])
    if not (analysis_dir / MANIFEST).is_file():
        analysis_dir = _rebuild_analysis(analysis, analysis_dir)
    current, manifest_sha = _read_analysis_manifest(analysis_dir)
    # A rebuilt analysis has the same id (hash of inputs and settings) but a new manifest
    # (creation time, timings); the byte-identity check of the outputs below is the proof.
    if manifest_sha != analysis["manifest_sha256"] and current.get("analysis_id") != analysis["id"]:
        raise ExportError(
            f"analysis {analysis['id']} at {analysis_dir} is not the one this export used "
            "(its manifest.json changed)"
        )
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
    plan = _plan(analysis_dir, rule)

    def build(folder: Path) -> None:
        outputs = _write_files(plan, folder, extra_formats)
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
        _write_manifest(folder / MANIFEST, _manifest(plan, out_dir, extra_formats, outputs))

    return _build_atomically(out_dir, build)
