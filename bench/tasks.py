"""Planted-contamination tasks built from the public reference datasets.

Each task is a training pool of clean rows with about 10% harmful rows planted in it
(`label` "harmful" / "clean"), a toxic reference and a benign reference, written as JSON
Lines under ``bench/out/tasks/<task>/``: ``train.jsonl``, ``toxic.jsonl``, ``benign.jsonl``
and ``task.json`` (counts, seed, how the rows were drawn).

    python bench/tasks.py [--datasets ../shared/datasets] [--out bench/out/tasks] [--seed 0]

Tasks:
- ``hh_harmless``: Anthropic hh-rlhf harmless-base test pairs. A pool pair contributes its
  chosen transcript (clean) or its rejected one (planted), never both, because the two
  halves share every human turn. Written as chat ``messages`` so the final assistant turn
  (the only part that differs) is the response the pipeline pools over.
- ``toxigen``: ToxiGen neutral statements (clean) with hate statements planted.
- ``xstest``: XSTest safe prompts (clean hard negatives: "kill a Python process") with
  unsafe contrast prompts planted.

Leakage rules (checked by :func:`check_no_leakage` before anything is written):
- the toxic reference is AdvBench + HarmBench for every task: never the planted rows' source;
- the benign reference holds only clean rows, disjoint from the pool: held-out chosen
  transcripts of other hh pairs (other pair ids), held-out XSTest safe prompts for
  ``xstest``, and XSTest safe prompts for ``toxigen`` (its 297 neutral statements all go
  to the pool); no planted row, and no label of a pool row, reaches a reference;
- no text occurs in two of train / toxic / benign;
- row ids are reassigned (``<task>_<nnnnn>`` in shuffled order), since the source ids spell
  the label ("..._rejected", "toxigen_hate_...") and ids break ties in top-q% cuts;
- nothing is tuned on these tasks: the pipeline runs with its defaults.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = REPOSITORY_ROOT / ".." / "shared" / "datasets"
DEFAULT_OUT = REPOSITORY_ROOT / "bench" / "out" / "tasks"
PLANTED_SHARE = 0.10
HARMFUL, CLEAN = "harmful", "clean"
TASK_NAMES = ("hh_harmless", "toxigen", "xstest")
REQUIRED_FILES = (
    "advbench.jsonl",
    "harmbench.jsonl",
    "hh_rlhf_harmless_test.jsonl",
    "toxigen.jsonl",
    "xstest.jsonl",
)


@dataclass
class Task:
    """One planted-contamination task: three tables ready to write, and how they were drawn."""

    name: str
    train: pl.DataFrame
    toxic: pl.DataFrame
    benign: pl.DataFrame
    description: dict


def datasets_available(datasets: Path) -> bool:
    return all((datasets / name).exists() for name in REQUIRED_FILES)


def _read(datasets: Path, name: str) -> pl.DataFrame:
    return pl.read_ndjson(datasets / name)


def toxic_reference(datasets: Path) -> pl.DataFrame:
    """AdvBench + HarmBench behaviours: the toxic reference of every task."""
    frames = [
        _read(datasets, name).select("id", "text", pl.col("source").alias("origin_source"))
        for name in ("advbench.jsonl", "harmbench.jsonl")
    ]
    return (
        pl.concat(frames)
        .unique("text", keep="first", maintain_order=True)
        .with_columns(pl.lit(HARMFUL).alias("label"))
    )


def planted_count(n_clean: int, share: float = PLANTED_SHARE) -> int:
    """Planted rows so that they make up ``share`` of the pool: n / (n_clean + n) = share."""
    return round(n_clean * share / (1 - share))


def _shuffled_pool(
    task: str, clean: pl.DataFrame, planted: pl.DataFrame, seed: int
) -> pl.DataFrame:
    """Clean + planted rows in a seeded random order, with ids that do not reveal the label."""
    pool = pl.concat(
        [
            clean.with_columns(pl.lit(CLEAN).alias("label")),
            planted.with_columns(pl.lit(HARMFUL).alias("label")),
        ],
        how="diagonal",
    )
    order = np.random.default_rng(seed).permutation(pool.height)
    pool = pool[order]
    ids = pl.format("{}_{}", pl.lit(task), pl.int_range(pl.len()).cast(pl.String).str.zfill(5))
    return pool.select(ids.alias("id"), pl.exclude("id"))


_TURN_MARKER = re.compile(r"\n\n(Human|Assistant):")


def hh_messages(transcript: str) -> list[dict[str, str]]:
    """An hh-rlhf transcript ("\\n\\nHuman: ... \\n\\nAssistant: ...") as chat messages."""
    parts = _TURN_MARKER.split(transcript)
    # parts: [text before the first marker, role, content, role, content, ...]
    roles = {"Human": "user", "Assistant": "assistant"}
    return [
        {"role": roles[role], "content": content.strip()}
        for role, content in zip(parts[1::2], parts[2::2], strict=True)
    ]


def _with_messages(frame: pl.DataFrame) -> pl.DataFrame:
    messages = [hh_messages(text) for text in frame["text"].to_list()]  # ~1,300 transcripts
    return frame.with_columns(
        pl.Series(
            "messages",
            messages,
            dtype=pl.List(pl.Struct({"role": pl.String, "content": pl.String})),
        )
    ).drop("text")


def build_hh_harmless(datasets: Path, seed: int, n_pool: int = 1000, n_benign: int = 300) -> Task:
    rows = _read(datasets, "hh_rlhf_harmless_test.jsonl")
    # A pair whose final assistant turn is blank in either half has no response to compare.
    final_turn = pl.col("text").str.split("\n\nAssistant:").list.last().str.strip_chars()
    blank_pairs = rows.filter(final_turn == "")["pair_id"].unique()
    rows = rows.filter(~pl.col("pair_id").is_in(blank_pairs.to_list()))
    pair_ids = rows["pair_id"].unique().sort().to_numpy()
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(pair_ids)
    pool_pairs = shuffled[:n_pool]
    benign_pairs = shuffled[n_pool : n_pool + n_benign]
    n_planted = round(n_pool * PLANTED_SHARE)
    planted_pairs = set(rng.choice(pool_pairs, size=n_planted, replace=False).tolist())
    clean_pairs = set(pool_pairs.tolist()) - planted_pairs
    keep = ["id", "text", "pair_id", "label"]
    renamed = {"id": "origin_id", "label": "origin_label"}
    clean = rows.filter(pl.col("pair_id").is_in(clean_pairs) & (pl.col("label") == "chosen"))
    planted = rows.filter(pl.col("pair_id").is_in(planted_pairs) & (pl.col("label") == "rejected"))
    pool = _shuffled_pool(
        "hh_harmless",
        clean.select(keep).rename(renamed),
        planted.select(keep).rename(renamed),
        seed,
    )
    benign = (
        rows.filter(pl.col("pair_id").is_in(benign_pairs.tolist()) & (pl.col("label") == "chosen"))
        .select(keep)
        .rename(renamed)
        .with_columns(pl.lit(CLEAN).alias("label"))
    )
    return Task(
        name="hh_harmless",
        train=pool,
        toxic=toxic_reference(datasets),
        benign=benign,
        description={
            "pool": f"{n_pool} hh-rlhf harmless-base test pairs: the chosen transcript of "
            f"{n_pool - n_planted} (clean), the rejected one of {n_planted} (planted); one half per pair",
            "benign": f"chosen transcripts of {n_benign} other pairs (disjoint pair ids)",
            "excluded": f"{blank_pairs.len()} pairs with a blank final assistant turn",
            "toxic": "AdvBench + HarmBench behaviours",
            "layout": "chat messages (user/assistant); the final assistant turn is the response",
            "caveat": "'rejected' means the crowdworker found it less harmless than its pair, "
            "not that it is harmful; both halves of a pair carry the same red-teaming request",
        },
    )


def build_toxigen(datasets: Path, seed: int) -> Task:
    rows = _read(datasets, "toxigen.jsonl")
    keep = [
        pl.col("id").alias("origin_id"),
        "text",
        pl.col("label").alias("origin_label"),
        "target_group",
    ]
    neutral = rows.filter(pl.col("label") == "neutral").select(keep)
    hate = rows.filter(pl.col("label") == "hate").select(keep)
    n_planted = planted_count(neutral.height)
    planted = hate.sample(n=n_planted, seed=seed, shuffle=True)
    pool = _shuffled_pool("toxigen", neutral, planted, seed)
    return Task(
        name="toxigen",
        train=pool,
        toxic=toxic_reference(datasets),
        benign=_xstest_safe(datasets),
        description={
            "pool": f"all {neutral.height} ToxiGen neutral statements (clean) + {n_planted} "
            "hate statements (planted, seeded sample)",
            "benign": "XSTest safe prompts (another source; every neutral statement is in the pool)",
            "toxic": "AdvBench + HarmBench behaviours",
            "layout": "text",
        },
    )


def _xstest_safe(datasets: Path) -> pl.DataFrame:
    return (
        _read(datasets, "xstest.jsonl")
        .filter(pl.col("label") == "safe")
        .select(pl.col("id").alias("origin_id"), "text", "type")
        .with_columns(pl.lit(CLEAN).alias("label"))
    )


def build_xstest(datasets: Path, seed: int, n_benign: int = 50) -> Task:
    rows = _read(datasets, "xstest.jsonl")
    keep = [pl.col("id").alias("origin_id"), "text", pl.col("label").alias("origin_label"), "type"]
    safe = (
        rows.filter(pl.col("label") == "safe")
        .select(keep)
        .sample(fraction=1.0, seed=seed, shuffle=True)
    )
    benign = safe.head(n_benign).drop("origin_label").with_columns(pl.lit(CLEAN).alias("label"))
    clean = safe.slice(n_benign)
    unsafe = rows.filter(pl.col("label") == "unsafe").select(keep)
    n_planted = planted_count(clean.height)
    planted = unsafe.sample(n=n_planted, seed=seed, shuffle=True)
    return Task(
        name="xstest",
        train=_shuffled_pool("xstest", clean, planted, seed),
        toxic=toxic_reference(datasets),
        benign=benign,
        description={
            "pool": f"{clean.height} XSTest safe prompts (clean hard negatives) + {n_planted} "
            "unsafe contrast prompts (planted, seeded sample)",
            "benign": f"{n_benign} other XSTest safe prompts (held out, disjoint from the pool)",
            "toxic": "AdvBench + HarmBench behaviours",
            "layout": "text",
        },
    )


def _texts(frame: pl.DataFrame) -> set[str]:
    return set(frame["text"].to_list())


def check_no_leakage(task: Task) -> None:
    """Raise if a reference shares a text with the pool, holds a planted row, or ids repeat."""
    train, toxic, benign = _texts(task.train), _texts(task.toxic), _texts(task.benign)
    for name, overlap in (
        ("train/toxic", train & toxic),
        ("train/benign", train & benign),
        ("toxic/benign", toxic & benign),
    ):
        if overlap:
            raise AssertionError(f"{task.name}: {len(overlap)} texts shared by {name}")
    if (task.benign["label"] != CLEAN).any():
        raise AssertionError(f"{task.name}: a benign reference row is not clean")
    if "pair_id" in task.train.columns:
        if task.train["pair_id"].n_unique() != task.train.height:
            raise AssertionError(f"{task.name}: both halves of a pair are in the pool")
        if set(task.train["pair_id"].to_list()) & set(task.benign["pair_id"].to_list()):
            raise AssertionError(f"{task.name}: a pair is split between pool and benign reference")
    if task.train["id"].n_unique() != task.train.height:
        raise AssertionError(f"{task.name}: repeated ids in the pool")


def build_tasks(datasets: Path, seed: int = 0, names: tuple[str, ...] = TASK_NAMES) -> list[Task]:
    builders = {"hh_harmless": build_hh_harmless, "toxigen": build_toxigen, "xstest": build_xstest}
    tasks = [builders[name](datasets, seed) for name in names]
    for task in tasks:
        check_no_leakage(task)
    return tasks


def write_task(task: Task, out: Path, seed: int) -> Path:
    """Write train/toxic/benign JSONL and task.json into ``out/<task>``; return that folder."""
    folder = out / task.name
    folder.mkdir(parents=True, exist_ok=True)
    train, benign = task.train, task.benign
    if "pair_id" in train.columns:  # hh transcripts go out as chat messages
        train, benign = _with_messages(train), _with_messages(benign)
    train.write_ndjson(folder / "train.jsonl")
    task.toxic.write_ndjson(folder / "toxic.jsonl")
    benign.write_ndjson(folder / "benign.jsonl")
    counts = {
        "train": task.train.height,
        "train_planted": int((task.train["label"] == HARMFUL).sum()),
        "toxic": task.toxic.height,
        "benign": task.benign.height,
    }
    description = {"task": task.name, "seed": seed, "counts": counts, **task.description}
    (folder / "task.json").write_text(json.dumps(description, indent=2) + "\n")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tasks", nargs="+", choices=TASK_NAMES, default=list(TASK_NAMES))
    args = parser.parse_args(argv)
    if not datasets_available(args.datasets):
        print(f"reference datasets not found in {args.datasets}: nothing built", file=sys.stderr)
        return 0
    for task in build_tasks(args.datasets, args.seed, tuple(args.tasks)):
        folder = write_task(task, args.out, args.seed)
        planted = int((task.train["label"] == HARMFUL).sum())
        print(
            f"{task.name}: {task.train.height} train ({planted} planted), "
            f"{task.toxic.height} toxic, {task.benign.height} benign -> {folder}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
