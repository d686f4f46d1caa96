"""The build's inputs: the training set and the references, read, normalised and fingerprinted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from analysis.artifacts.inputs import InputError, InputTable, load_table

MIN_ROWS = {"train": 10, "toxic": 5, "benign": 5}
ROLES = ("train", "toxic", "benign")


@dataclass(frozen=True)
class BuildInputs:
    train: Path
    toxic: Path
    benign: Path | None = None


@dataclass
class LoadedInputs:
    tables: dict[str, InputTable]
    samples: pl.DataFrame  # id, set, text, prompt, response, response_start + carried columns
    renamed_reference_ids: int


def load_inputs(inputs: BuildInputs) -> LoadedInputs:
    """Read and normalise every set; reference ids that collide with training ids get a prefix."""
    tables = {"train": load_table(inputs.train, "train", MIN_ROWS["train"])}
    tables["toxic"] = load_table(inputs.toxic, "toxic", MIN_ROWS["toxic"])
    if inputs.benign is not None:
        tables["benign"] = load_table(inputs.benign, "benign", MIN_ROWS["benign"])
    frames, seen, renamed = [], set(), 0
    for role, table in tables.items():
        frame = table.frame.drop("source_row").with_columns(pl.lit(role).alias("set"))
        clashes = frame["id"].is_in(list(seen))
        if role != "train" and bool(clashes.any()):
            renamed += int(clashes.sum())
            frame = frame.with_columns(
                pl.when(clashes).then(pl.lit(f"{role}:") + pl.col("id")).otherwise(pl.col("id")).alias("id")
            )
            if bool(frame["id"].is_in(list(seen)).any()) or not frame["id"].is_unique().all():
                raise InputError(table.path, "ids clash with the training set's even after prefixing the set name")
        seen.update(frame["id"].to_list())
        frames.append(frame)
    samples = pl.concat(frames, how="diagonal_relaxed")
    front = ["id", "set", "text", "prompt", "response", "response_start"]
    samples = samples.select(front + [c for c in samples.columns if c not in front])
    return LoadedInputs(tables, samples, renamed)


def inputs_fingerprint(tables: dict[str, InputTable]) -> list[dict[str, str]]:
    """What identifies the inputs in the step keys: each set's role, content hash and text source."""
    return [{"role": role, "sha256": t.sha256, "text_source": t.text_source} for role, t in tables.items()]


def inputs_from_manifest(manifest: dict[str, Any]) -> BuildInputs:
    """The input files an analysis was built from, as its manifest records them."""
    paths = {role: (Path(info["path"]) if info else None) for role, info in manifest["inputs"].items()}
    return BuildInputs(train=paths["train"], toxic=paths["toxic"], benign=paths.get("benign"))
