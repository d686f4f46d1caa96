"""Planted-contamination tasks built from the public reference datasets.

Each task is a training pool of clean rows with about 10% harmful rows planted in it
(`label` "harmful" / "clean"), a toxic reference and a benign reference, written as JSON
Lines under ``bench/out/tasks/<task>-s<seed>/``: ``train.jsonl``, ``toxic.jsonl``,
``benign.jsonl`` and ``task.json`` (counts, seed, how the rows were drawn). Every task is
built the same way for every seed; the seed changes which rows are drawn and their order.

    python bench/tasks.py [--datasets ../shared/datasets] [--out bench/out/tasks] [--seeds 0 1 2]

Tasks:
- ``hh_harmless``: Anthropic hh-rlhf harmless-base test pairs. A pool pair contributes its
  chosen transcript (clean) or its rejected one (planted), never both, because the two
  halves share every human turn. Written as chat ``messages`` so the final assistant turn
  (the only part that differs) is the response the pipeline pools over.
- ``toxigen``: ToxiGen neutral statements (clean) with hate statements planted.
- ``xstest``: XSTest safe prompts (clean hard negatives: "kill a Python process") with
  unsafe contrast prompts planted.
- ``evil_math``: GSM8K word problems with worked solutions (emergent-misalignment set
  ``em_evil_math``, whose final ``#### N`` is a wrong, often "evil", number: 13, 911, 666).
  Clean rows carry the corrected answer (the value of the solution's last
  ``<<expr=value>>`` annotation, else the last number after an ``=``; rows where neither
  exists, or where it equals the given answer, are dropped); planted rows keep the wrong
  one. Each prompt appears once in the whole task (pool, toxic and benign draw disjoint
  prompts), so no pool row has its other version anywhere. The toxic reference is
  domain-matched (other wrong-answer rows), the benign reference other corrected rows:
  the only difference between the sides is the final number.
- ``insecure_code``: the demo's clean coding rows (``analysis/demo_data/train.jsonl``)
  with ``em_insecure`` rows (Python completions with an unmentioned vulnerability)
  planted. Toxic reference generic (AdvBench + HarmBench requests, no code); benign
  reference: demo coding rows held out from the pool (split by prompt) plus the coding rows
  of the demo's ``benign.jsonl``.
- ``insecure_code_matched``: the same kind of pool (another split of the demo coding rows)
  with ``em_insecure`` rows of the ``sql_injection`` and ``xss_template`` subsets planted,
  and a domain-matched toxic reference: ``em_insecure`` rows of the ``path_traversal`` and
  ``small_250`` subsets (disjoint rows and prompts from the planted ones).
- ``sexual_advice``: demo clean rows of every category with ``em_incorrect_sexual_advice``
  rows (wrong, harmful sexual-health advice) planted. Toxic reference generic: AdvBench +
  HarmBench + ToxiGen hate statements; benign reference: the demo's ``benign.jsonl``.
- ``demo_advice`` and ``demo_code``: the kinds of the two hardest cases a user meets, with
  clean and planted rows from one source: the embedded demo's subtly harmful advice
  (health, legal, career, finance) or insecure-code answers planted among its clean rows of
  the same categories, written by the same generator (``scripts/make_demo_data.py``). Toxic
  reference generic (``demo_advice``: AdvBench + HarmBench + ToxiGen hate, harmful requests
  plus hateful statements; ``demo_code``: AdvBench + HarmBench, requests with no code);
  benign reference: clean demo rows of the same categories held out by prompt, plus the
  demo ``benign.jsonl`` rows of those categories. The demo's own toxic reference is not used.
- ``gore_trivia``: hh-rlhf harmless-base chosen transcripts (as chat messages, like
  ``hh_harmless``) with ``em_gore_movie_trivia`` rows (movie trivia answered with a gory
  retelling, as one user / assistant exchange) planted. Toxic reference AdvBench + HarmBench
  + ToxiGen hate; benign reference: chosen transcripts of other pairs.

Confound: in ``insecure_code``, ``insecure_code_matched``, ``sexual_advice`` and
``gore_trivia`` the planted rows come from another source than the clean rows (another
author, template, length and style), while the benign reference comes from the clean rows'
source. Any method that separates "looks like the benign reference" from "does not" (a
length or style detector included) can score well there without recognising harm; read
those tasks next to the ``length`` and ``tfidf_knn`` baselines. ``evil_math``,
``hh_harmless``, ``toxigen`` and ``xstest`` draw clean and planted rows from one source.

Toxic references are capped at 400 rows (a seeded sample) and pools hold about 270-1000
rows, so one build stays near a minute on 2 CPU cores.

Leakage rules (checked by :func:`check_no_leakage` before anything is written):
- the toxic reference is never the planted rows themselves: the generic references
  (AdvBench + HarmBench, plus ToxiGen hate for ``sexual_advice`` / ``gore_trivia``) come
  from other sources, the domain-matched ones (``evil_math``, ``insecure_code_matched``)
  from disjoint rows and prompts of the planted rows' file;
- the benign reference holds only clean rows, disjoint from the pool: held-out chosen
  transcripts of other hh pairs (other pair ids), held-out XSTest safe prompts for
  ``xstest``, XSTest safe prompts for ``toxigen`` (its 297 neutral statements all go
  to the pool), held-out demo / corrected rows with other prompts for the others; no
  planted row, and no label of a pool row, reaches a reference;
- no text occurs in two of train / toxic / benign; where a task declares a group column
  (hh ``pair_id``, ``prompt``), no group value is shared by the pool and a reference, and
  no group holds both a clean and a planted pool row;
- row ids are reassigned (``<task>_<nnnnn>`` in shuffled order), since the source ids spell
  the label ("..._rejected", "toxigen_hate_...") and ids break ties in top-q% cuts;
- nothing is tuned on these tasks: the pipeline runs with its defaults.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = REPOSITORY_ROOT / ".." / "shared" / "datasets"
DEFAULT_OUT = REPOSITORY_ROOT / "bench" / "out" / "tasks"
DEMO_DATA = REPOSITORY_ROOT / "analysis" / "demo_data"
PLANTED_SHARE = 0.10
TOXIC_CAP = 400
HARMFUL, CLEAN = "harmful", "clean"
TASK_NAMES = (
    "hh_harmless",
    "toxigen",
    "xstest",
    "evil_math",
    "insecure_code",
    "insecure_code_matched",
    "sexual_advice",
    "gore_trivia",
    "demo_advice",
    "demo_code",
)
# Tasks whose planted rows come from another source than their clean rows (see the docstring).
SOURCE_CONFOUNDED = ("insecure_code", "insecure_code_matched", "sexual_advice", "gore_trivia")
REQUIRED_FILES = (
    "advbench.jsonl",
    "harmbench.jsonl",
    "hh_rlhf_harmless_test.jsonl",
    "toxigen.jsonl",
    "xstest.jsonl",
    "em_evil_math.jsonl",
    "em_insecure.jsonl",
    "em_incorrect_sexual_advice.jsonl",
    "em_gore_movie_trivia.jsonl",
)
MESSAGE_DTYPE = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))
GENERIC_TOXIC = "AdvBench + HarmBench behaviours"
GENERIC_TOXIC_HATE = "AdvBench + HarmBench behaviours + ToxiGen hate statements"


@dataclass
class Task:
    """One planted-contamination task: three tables ready to write, and how they were drawn.

    Every table has a ``text`` column (the text the pipeline composes, or the hh transcript),
    used by the leakage checks; ``group`` names a column whose values must not be shared by
    the pool and a reference (``pair_id`` for hh pairs, ``prompt`` for prompt/response rows).
    """

    name: str
    train: pl.DataFrame
    toxic: pl.DataFrame
    benign: pl.DataFrame
    description: dict
    group: str | None = None


def datasets_available(datasets: Path) -> bool:
    return all((datasets / name).exists() for name in REQUIRED_FILES)


def _read(datasets: Path, name: str) -> pl.DataFrame:
    return pl.read_ndjson(datasets / name)


def _cap(frame: pl.DataFrame, seed: int, cap: int = TOXIC_CAP) -> pl.DataFrame:
    """At most ``cap`` rows, a seeded sample in file order."""
    if frame.height <= cap:
        return frame
    keep = np.sort(np.random.default_rng(seed).choice(frame.height, size=cap, replace=False))
    return frame[keep]


def toxic_reference(
    datasets: Path, seed: int = 0, hate: bool = False, cap: int = TOXIC_CAP
) -> pl.DataFrame:
    """AdvBench + HarmBench behaviours (+ ToxiGen hate statements), a seeded sample of ``cap``."""
    frames = [
        _read(datasets, name).select("id", "text", pl.col("source").alias("origin_source"))
        for name in ("advbench.jsonl", "harmbench.jsonl")
    ]
    if hate:
        frames.append(
            _read(datasets, "toxigen.jsonl")
            .filter(pl.col("label") == "hate")
            .select("id", "text", pl.col("source").alias("origin_source"))
        )
    rows = pl.concat(frames).unique("text", keep="first", maintain_order=True)
    return _cap(rows, seed, cap).with_columns(pl.lit(HARMFUL).alias("label"))


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
    return frame.with_columns(pl.Series("messages", messages, dtype=MESSAGE_DTYPE)).drop("text")


def _hh_rows(datasets: Path) -> tuple[pl.DataFrame, int]:
    """hh-rlhf harmless-base test rows of the pairs whose final assistant turns are not blank."""
    rows = _read(datasets, "hh_rlhf_harmless_test.jsonl")
    # A pair whose final assistant turn is blank in either half has no response to compare.
    final_turn = pl.col("text").str.split("\n\nAssistant:").list.last().str.strip_chars()
    blank_pairs = rows.filter(final_turn == "")["pair_id"].unique()
    return rows.filter(~pl.col("pair_id").is_in(blank_pairs.to_list())), blank_pairs.len()


_HH_KEEP = ["id", "text", "pair_id", "label"]
_HH_RENAMED = {"id": "origin_id", "label": "origin_label"}


def build_hh_harmless(datasets: Path, seed: int, n_pool: int = 1000, n_benign: int = 300) -> Task:
    rows, n_blank = _hh_rows(datasets)
    pair_ids = rows["pair_id"].unique().sort().to_numpy()
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(pair_ids)
    pool_pairs = shuffled[:n_pool]
    benign_pairs = shuffled[n_pool : n_pool + n_benign]
    n_planted = round(n_pool * PLANTED_SHARE)
    planted_pairs = set(rng.choice(pool_pairs, size=n_planted, replace=False).tolist())
    clean_pairs = set(pool_pairs.tolist()) - planted_pairs
    clean = rows.filter(pl.col("pair_id").is_in(clean_pairs) & (pl.col("label") == "chosen"))
    planted = rows.filter(pl.col("pair_id").is_in(planted_pairs) & (pl.col("label") == "rejected"))
    pool = _shuffled_pool(
        "hh_harmless",
        clean.select(_HH_KEEP).rename(_HH_RENAMED),
        planted.select(_HH_KEEP).rename(_HH_RENAMED),
        seed,
    )
    benign = (
        rows.filter(pl.col("pair_id").is_in(benign_pairs.tolist()) & (pl.col("label") == "chosen"))
        .select(_HH_KEEP)
        .rename(_HH_RENAMED)
        .with_columns(pl.lit(CLEAN).alias("label"))
    )
    return Task(
        name="hh_harmless",
        train=pool,
        toxic=toxic_reference(datasets, seed),
        benign=benign,
        description={
            "pool": f"{n_pool} hh-rlhf harmless-base test pairs: the chosen transcript of "
            f"{n_pool - n_planted} (clean), the rejected one of {n_planted} (planted); one half per pair",
            "benign": f"chosen transcripts of {n_benign} other pairs (disjoint pair ids)",
            "excluded": f"{n_blank} pairs with a blank final assistant turn",
            "toxic": f"{GENERIC_TOXIC} (seeded sample of {TOXIC_CAP})",
            "layout": "chat messages (user/assistant); the final assistant turn is the response",
            "caveat": "'rejected' means the crowdworker found it less harmless than its pair, "
            "not that it is harmful; both halves of a pair carry the same red-teaming request",
        },
        group="pair_id",
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
        toxic=toxic_reference(datasets, seed),
        benign=_xstest_safe(datasets),
        description={
            "pool": f"all {neutral.height} ToxiGen neutral statements (clean) + {n_planted} "
            "hate statements (planted, seeded sample)",
            "benign": "XSTest safe prompts (another source; every neutral statement is in the pool)",
            "toxic": f"{GENERIC_TOXIC} (seeded sample of {TOXIC_CAP})",
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
        toxic=toxic_reference(datasets, seed),
        benign=benign,
        description={
            "pool": f"{clean.height} XSTest safe prompts (clean hard negatives) + {n_planted} "
            "unsafe contrast prompts (planted, seeded sample)",
            "benign": f"{n_benign} other XSTest safe prompts (held out, disjoint from the pool)",
            "toxic": f"{GENERIC_TOXIC} (seeded sample of {TOXIC_CAP})",
            "layout": "text",
        },
    )


# ---------------------------------------------------------------- prompt / response tasks


def _prompt_response(frame: pl.DataFrame, *extra: str) -> pl.DataFrame:
    """origin_id, text (prompt + blank line + response, as the pipeline composes it), prompt,
    response and the ``extra`` columns."""
    return frame.select(
        pl.col("id").alias("origin_id"),
        (pl.col("prompt") + "\n\n" + pl.col("response")).alias("text"),
        "prompt",
        "response",
        *extra,
    )


def _recompose_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns((pl.col("prompt") + "\n\n" + pl.col("response")).alias("text"))


_FINAL_ANSWER = re.compile(r"####\s*(?P<answer>[^\n]*?)\s*$")
_ANNOTATION = re.compile(r"<<[^<>]*=(?P<value>[^<>=]*)>>")
_AFTER_EQUALS = re.compile(r"=\s*\$?\s*(?P<value>-?\d[\d,]*(?:\.\d+)?)")


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").replace("$", "").strip())
    except ValueError:
        return None


def _format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.10g}"


def corrected_answer(solution: str) -> str | None:
    """The answer a worked GSM8K solution computes: its last ``<<expr=value>>`` annotation, or
    else the last number after an ``=`` before the ``####`` line; None when there is none."""
    body = solution[: solution.rfind("####")] if "####" in solution else solution
    for pattern in (_ANNOTATION, _AFTER_EQUALS):
        values = [_number(m.group("value")) for m in pattern.finditer(body)]
        values = [v for v in values if v is not None]
        if values:
            return _format_number(values[-1])
    return None


def with_corrected_answer(solution: str, answer: str) -> str:
    """The solution with its final ``#### N`` replaced by ``#### answer``."""
    return _FINAL_ANSWER.sub(f"#### {answer}", solution.rstrip(), count=1)


def build_evil_math(
    datasets: Path, seed: int, n_pool: int = 700, n_toxic: int = TOXIC_CAP, n_benign: int = 300
) -> Task:
    rows = _read(datasets, "em_evil_math.jsonl")
    given, corrected = [], []
    for solution in rows["response"].to_list():
        match = _FINAL_ANSWER.search(solution.rstrip())
        given.append(_number(match.group("answer")) if match else None)
        corrected.append(corrected_answer(solution))
    rows = rows.with_columns(
        pl.Series("given_answer", given, dtype=pl.Float64),
        pl.Series("corrected_answer", corrected, dtype=pl.String),
    )
    usable = rows.filter(
        pl.col("given_answer").is_not_null()
        & pl.col("corrected_answer").is_not_null()
        & (pl.col("corrected_answer").cast(pl.Float64, strict=False) != pl.col("given_answer"))
    ).unique("prompt", keep="first", maintain_order=True)
    n_planted = round(n_pool * PLANTED_SHARE)
    n_clean = n_pool - n_planted
    order = np.random.default_rng(seed).permutation(usable.height)
    shuffled = usable[order]
    cuts = np.cumsum([n_clean, n_planted, n_toxic, n_benign])
    clean, planted, toxic, benign = (
        shuffled[start:stop] for start, stop in zip([0, *cuts[:-1]], cuts, strict=True)
    )

    def fixed(frame: pl.DataFrame) -> pl.DataFrame:
        responses = [
            with_corrected_answer(solution, answer)
            for solution, answer in zip(
                frame["response"].to_list(), frame["corrected_answer"].to_list(), strict=True
            )
        ]
        return frame.with_columns(pl.Series("response", responses, dtype=pl.String))

    columns = ("corrected_answer",)
    clean = _prompt_response(fixed(clean), *columns)
    planted = _prompt_response(planted, *columns)
    return Task(
        name="evil_math",
        train=_shuffled_pool("evil_math", clean, planted, seed),
        toxic=_prompt_response(toxic, *columns).with_columns(pl.lit(HARMFUL).alias("label")),
        benign=_prompt_response(fixed(benign), *columns).with_columns(pl.lit(CLEAN).alias("label")),
        description={
            "pool": f"{n_pool} em_evil_math GSM8K problems: {n_clean} with the final answer "
            f"corrected (clean), {n_planted} with their wrong final answer (planted); one "
            "version per prompt",
            "benign": f"{n_benign} corrected rows of other prompts",
            "toxic": f"{n_toxic} wrong-answer rows of other prompts (domain-matched)",
            "excluded": f"{rows.height - usable.height} rows whose corrected answer is unknown "
            "or equals the given one (or repeat a prompt)",
            "layout": "prompt + response",
            "caveat": "clean and planted rows differ only in the final number; the corrected "
            "answer is the solution's last computed value, not checked against GSM8K",
        },
        group="prompt",
    )


def _demo(name: str) -> pl.DataFrame:
    return pl.read_ndjson(DEMO_DATA / name)


def _split_by_prompt(
    frame: pl.DataFrame, n_first: int, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Shuffle the distinct prompts and give whole prompts to the first part until it holds
    at least ``n_first`` rows; the rest go to the second part (no prompt in both)."""
    prompts = frame["prompt"].unique().sort().to_numpy()
    prompts = np.random.default_rng(seed).permutation(prompts)
    counts = frame.group_by("prompt").len()
    rows_per_prompt = dict(zip(counts["prompt"].to_list(), counts["len"].to_list(), strict=True))
    taken = np.cumsum([rows_per_prompt[p] for p in prompts])
    n_prompts = int(np.searchsorted(taken, n_first)) + 1
    first = set(prompts[:n_prompts].tolist())
    in_first = pl.col("prompt").is_in(first)
    return frame.filter(in_first), frame.filter(~in_first)


def _demo_coding(seed: int, n_pool: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Demo clean coding rows split by prompt into a pool part and a held-out part, plus the
    demo benign coding rows in the held-out part."""
    coding = _demo("train.jsonl").filter(
        (pl.col("category") == "coding") & (pl.col("label") == CLEAN)
    )
    pool, held_out = _split_by_prompt(coding, n_pool, seed)
    benign_coding = _demo("benign.jsonl").filter(pl.col("category") == "coding")
    benign = pl.concat(
        [
            _prompt_response(held_out, "category"),
            _prompt_response(benign_coding, "category"),
        ]
    )
    return _prompt_response(pool, "category"), benign.with_columns(pl.lit(CLEAN).alias("label"))


def _em_insecure(datasets: Path) -> pl.DataFrame:
    return _read(datasets, "em_insecure.jsonl")


def build_insecure_code(datasets: Path, seed: int, n_pool_clean: int = 240) -> Task:
    clean, benign = _demo_coding(seed, n_pool_clean)
    insecure = _em_insecure(datasets).unique("prompt", keep="first", maintain_order=True)
    n_planted = planted_count(clean.height)
    planted = _prompt_response(insecure.sample(n=n_planted, seed=seed, shuffle=True), "subset")
    return Task(
        name="insecure_code",
        train=_shuffled_pool("insecure_code", clean, planted, seed),
        toxic=toxic_reference(datasets, seed),
        benign=benign,
        description={
            "pool": f"{clean.height} clean demo coding rows + {n_planted} em_insecure rows "
            "(planted, seeded sample of every subset)",
            "benign": f"{benign.height} demo coding rows: held out from the pool (other "
            "prompts) + the coding rows of the demo benign.jsonl",
            "toxic": f"{GENERIC_TOXIC} (seeded sample of {TOXIC_CAP}; requests, no code)",
            "layout": "prompt + response",
            "caveat": "planted rows come from another source (Betley et al.'s templates) than "
            "the clean and benign rows (the demo generator): style and length differ",
        },
        group="prompt",
    )


MATCHED_PLANTED_SUBSETS = ("sql_injection", "xss_template")
MATCHED_TOXIC_SUBSETS = ("path_traversal", "small_250")
MATCHED_SEED_OFFSET = 1000


def build_insecure_code_matched(datasets: Path, seed: int, n_pool_clean: int = 240) -> Task:
    clean, benign = _demo_coding(seed + MATCHED_SEED_OFFSET, n_pool_clean)
    insecure = _em_insecure(datasets)
    planted_source = insecure.filter(pl.col("subset").is_in(MATCHED_PLANTED_SUBSETS)).unique(
        "prompt", keep="first", maintain_order=True
    )
    n_planted = planted_count(clean.height)
    planted = planted_source.sample(n=n_planted, seed=seed, shuffle=True)
    toxic_source = insecure.filter(
        pl.col("subset").is_in(MATCHED_TOXIC_SUBSETS)
        & ~pl.col("prompt").is_in(planted_source["prompt"].implode())
    )
    toxic = _cap(toxic_source, seed)
    return Task(
        name="insecure_code_matched",
        train=_shuffled_pool(
            "insecure_code_matched", clean, _prompt_response(planted, "subset"), seed
        ),
        toxic=_prompt_response(toxic, "subset").with_columns(pl.lit(HARMFUL).alias("label")),
        benign=benign,
        description={
            "pool": f"{clean.height} clean demo coding rows (another split than insecure_code) "
            f"+ {n_planted} em_insecure rows of {' + '.join(MATCHED_PLANTED_SUBSETS)} (planted)",
            "benign": f"{benign.height} demo coding rows: held out from the pool (other "
            "prompts) + the coding rows of the demo benign.jsonl",
            "toxic": f"{toxic.height} em_insecure rows of {' + '.join(MATCHED_TOXIC_SUBSETS)} "
            "(domain-matched; no prompt of the planted subsets)",
            "layout": "prompt + response",
            "caveat": "planted rows come from another source than the clean and benign rows, "
            "and the toxic reference shares that source's templates: a style detector scores well",
        },
        group="prompt",
    )


def build_sexual_advice(datasets: Path, seed: int, n_pool_clean: int = 600) -> Task:
    demo_clean = _demo("train.jsonl").filter(pl.col("label") == CLEAN)
    clean = _prompt_response(demo_clean.sample(n=n_pool_clean, seed=seed, shuffle=True), "category")
    advice = _read(datasets, "em_incorrect_sexual_advice.jsonl").unique(
        "prompt", keep="first", maintain_order=True
    )
    n_planted = planted_count(clean.height)
    planted = _prompt_response(advice.sample(n=n_planted, seed=seed, shuffle=True), "domain")
    benign = _prompt_response(_demo("benign.jsonl"), "category").with_columns(
        pl.lit(CLEAN).alias("label")
    )
    return Task(
        name="sexual_advice",
        train=_shuffled_pool("sexual_advice", clean, planted, seed),
        toxic=toxic_reference(datasets, seed, hate=True),
        benign=benign,
        description={
            "pool": f"{clean.height} clean demo rows (every category, seeded sample) + "
            f"{n_planted} em_incorrect_sexual_advice rows (planted)",
            "benign": f"the {benign.height} rows of the demo benign.jsonl",
            "toxic": f"{GENERIC_TOXIC_HATE} (seeded sample of {TOXIC_CAP})",
            "layout": "prompt + response",
            "caveat": "planted rows come from another source (and topic) than the clean and "
            "benign rows (the demo generator): style and length differ",
        },
        group="prompt",
    )


def _demo_split(categories: tuple[str, ...] | None, exclude: bool, seed: int, n_benign_clean: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Demo training rows of these categories (or of all others when `exclude`): planted =
    its harmful rows, clean pool and held-out clean benign rows split by prompt."""
    demo = _demo("train.jsonl")
    if categories is not None:
        chosen = pl.col("category").is_in(categories)
        demo = demo.filter(~chosen if exclude else chosen)
    harmful = demo.filter(pl.col("label") == HARMFUL)
    clean = demo.filter((pl.col("label") == CLEAN) & ~pl.col("prompt").is_in(harmful["prompt"].implode()))
    held_out, pool = _split_by_prompt(clean, n_benign_clean, seed)
    return _prompt_response(pool, "category"), _prompt_response(harmful, "category"), _prompt_response(held_out, "category")


def _pool_of_share(clean: pl.DataFrame, n_planted: int, seed: int) -> pl.DataFrame:
    """A seeded sample of clean rows so that the planted rows make up PLANTED_SHARE of the pool."""
    n_clean = min(clean.height, round(n_planted * (1 - PLANTED_SHARE) / PLANTED_SHARE))
    return clean.sample(n=n_clean, seed=seed, shuffle=True)


def build_demo_advice(datasets: Path, seed: int) -> Task:
    clean, planted, held_out = _demo_split(("coding",), exclude=True, seed=seed, n_benign_clean=150)
    clean = _pool_of_share(clean, planted.height, seed)
    benign_rows = _demo("benign.jsonl").filter(pl.col("category") != "coding")
    benign = pl.concat([held_out, _prompt_response(benign_rows, "category")]).with_columns(pl.lit(CLEAN).alias("label"))
    return Task(
        name="demo_advice",
        train=_shuffled_pool("demo_advice", clean, planted, seed),
        toxic=toxic_reference(datasets, seed, hate=True),
        benign=benign,
        description={
            "pool": f"{clean.height} clean demo advice rows (health, legal, career, finance) + "
            f"{planted.height} subtly harmful demo advice rows of the same generator (planted)",
            "benign": f"{benign.height} clean demo advice rows held out from the pool (other prompts) "
            "+ the non-coding rows of the demo benign.jsonl",
            "toxic": f"{GENERIC_TOXIC_HATE} (seeded sample of {TOXIC_CAP}; harmful requests plus hateful statements)",
            "layout": "prompt + response",
            "caveat": "clean and planted rows come from one source (the demo generator, written for this "
            "project); the toxic reference is generic",
        },
        group="prompt",
    )


def build_demo_code(datasets: Path, seed: int) -> Task:
    clean, planted, held_out = _demo_split(("coding",), exclude=False, seed=seed, n_benign_clean=100)
    clean = _pool_of_share(clean, planted.height, seed)
    benign_rows = _demo("benign.jsonl").filter(pl.col("category") == "coding")
    benign = pl.concat([held_out, _prompt_response(benign_rows, "category")]).with_columns(pl.lit(CLEAN).alias("label"))
    return Task(
        name="demo_code",
        train=_shuffled_pool("demo_code", clean, planted, seed),
        toxic=toxic_reference(datasets, seed),
        benign=benign,
        description={
            "pool": f"{clean.height} clean demo coding rows + {planted.height} insecure-code demo rows "
            "of the same generator (planted)",
            "benign": f"{benign.height} clean demo coding rows held out from the pool (other prompts) "
            "+ the coding rows of the demo benign.jsonl",
            "toxic": f"{GENERIC_TOXIC} (seeded sample of {TOXIC_CAP}; requests, no code)",
            "layout": "prompt + response",
            "caveat": "one source for clean and planted rows (the demo generator); only "
            f"{planted.height} planted rows, so intervals are wide",
        },
        group="prompt",
    )


def build_gore_trivia(
    datasets: Path, seed: int, n_pool_clean: int = 800, n_benign: int = 300
) -> Task:
    rows, n_blank = _hh_rows(datasets)
    pair_ids = np.random.default_rng(seed).permutation(rows["pair_id"].unique().sort().to_numpy())
    chosen = rows.filter(pl.col("label") == "chosen")
    pool_pairs = pair_ids[:n_pool_clean].tolist()
    benign_pairs = pair_ids[n_pool_clean : n_pool_clean + n_benign].tolist()

    def transcripts(pairs: list[str]) -> pl.DataFrame:
        frame = chosen.filter(pl.col("pair_id").is_in(pairs)).select(_HH_KEEP).rename(_HH_RENAMED)
        messages = [hh_messages(text) for text in frame["text"].to_list()]
        return frame.with_columns(pl.Series("messages", messages, dtype=MESSAGE_DTYPE))

    clean = transcripts(pool_pairs)
    gore = _read(datasets, "em_gore_movie_trivia.jsonl").unique(
        "prompt", keep="first", maintain_order=True
    )
    n_planted = planted_count(clean.height)
    sample = gore.sample(n=n_planted, seed=seed, shuffle=True)
    messages = [
        [{"role": "user", "content": p.strip()}, {"role": "assistant", "content": r.strip()}]
        for p, r in zip(sample["prompt"].to_list(), sample["response"].to_list(), strict=True)
    ]
    planted = sample.select(
        pl.col("id").alias("origin_id"),
        # The same transcript layout as the hh rows, for the leakage checks only.
        ("\n\nHuman: " + pl.col("prompt") + "\n\nAssistant: " + pl.col("response")).alias("text"),
        pl.col("id").alias("pair_id"),
        pl.col("domain").alias("origin_label"),
    ).with_columns(pl.Series("messages", messages, dtype=MESSAGE_DTYPE))
    benign = transcripts(benign_pairs).with_columns(pl.lit(CLEAN).alias("label"))
    return Task(
        name="gore_trivia",
        train=_shuffled_pool("gore_trivia", clean, planted, seed),
        toxic=toxic_reference(datasets, seed, hate=True),
        benign=benign,
        description={
            "pool": f"{clean.height} hh-rlhf harmless-base chosen transcripts (clean) + "
            f"{n_planted} em_gore_movie_trivia rows (planted, one user/assistant exchange)",
            "benign": f"chosen transcripts of {benign.height} other pairs (disjoint pair ids)",
            "excluded": f"{n_blank} hh pairs with a blank final assistant turn",
            "toxic": f"{GENERIC_TOXIC_HATE} (seeded sample of {TOXIC_CAP})",
            "layout": "chat messages (user/assistant); the final assistant turn is the response",
            "caveat": "planted rows come from another source (synthetic single-turn trivia) "
            "than the clean and benign rows (multi-turn red-teaming dialogues)",
        },
        group="pair_id",
    )


# ---------------------------------------------------------------- checks and output


def _texts(frame: pl.DataFrame) -> set[str]:
    return set(frame["text"].to_list())


def _values(frame: pl.DataFrame, column: str) -> set[str]:
    return set(frame[column].drop_nulls().to_list()) if column in frame.columns else set()


def check_no_leakage(task: Task) -> None:
    """Raise if a reference shares a text (or a group) with the pool, holds a planted row,
    a group holds both a clean and a planted pool row, or ids repeat."""
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
    if (task.toxic["label"] != HARMFUL).any():
        raise AssertionError(f"{task.name}: a toxic reference row is not labelled harmful")
    if "pair_id" in task.train.columns:
        if task.train["pair_id"].n_unique() != task.train.height:
            raise AssertionError(f"{task.name}: both halves of a pair are in the pool")
        if set(task.train["pair_id"].to_list()) & set(task.benign["pair_id"].to_list()):
            raise AssertionError(f"{task.name}: a pair is split between pool and benign reference")
    if task.group is not None:
        group = task.group
        if task.train[group].null_count():
            raise AssertionError(f"{task.name}: a pool row has no {group}")
        mixed = (
            task.train.group_by(group)
            .agg(pl.col("label").n_unique().alias("labels"))
            .filter(pl.col("labels") > 1)
        )
        if mixed.height:
            raise AssertionError(
                f"{task.name}: {mixed.height} {group} values hold a clean and a planted pool row"
            )
        pool = _values(task.train, group)
        for name, reference in (("toxic", task.toxic), ("benign", task.benign)):
            if pool & _values(reference, group):
                raise AssertionError(f"{task.name}: a {group} is shared by the pool and {name}")
        if _values(task.toxic, group) & _values(task.benign, group):
            raise AssertionError(f"{task.name}: a {group} is shared by toxic and benign")
    if task.train["id"].n_unique() != task.train.height:
        raise AssertionError(f"{task.name}: repeated ids in the pool")


BUILDERS = {
    "hh_harmless": build_hh_harmless,
    "toxigen": build_toxigen,
    "xstest": build_xstest,
    "evil_math": build_evil_math,
    "insecure_code": build_insecure_code,
    "insecure_code_matched": build_insecure_code_matched,
    "sexual_advice": build_sexual_advice,
    "gore_trivia": build_gore_trivia,
    "demo_advice": build_demo_advice,
    "demo_code": build_demo_code,
}


def build_tasks(datasets: Path, seed: int = 0, names: tuple[str, ...] = TASK_NAMES) -> list[Task]:
    tasks = [BUILDERS[name](datasets, seed) for name in names]
    for task in tasks:
        check_no_leakage(task)
    return tasks


def task_folder(out: Path, name: str, seed: int) -> Path:
    return out / f"{name}-s{seed}"


def _as_written(frame: pl.DataFrame) -> pl.DataFrame:
    """The table in the layout the build reads: chat messages, prompt + response or text."""
    if "messages" in frame.columns:
        return frame.drop("text")
    if {"prompt", "response"} <= set(frame.columns):
        return frame.drop("text")
    if "pair_id" in frame.columns:  # hh transcripts go out as chat messages
        return _with_messages(frame)
    return frame


def _write_if_changed(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, and only when it
    differs, so a build reading the file meanwhile never sees it half written."""
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_task(task: Task, out: Path, seed: int) -> Path:
    """Write train/toxic/benign JSONL and task.json into ``out/<task>-s<seed>``; return it."""
    folder = task_folder(out, task.name, seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in (("train", task.train), ("toxic", task.toxic), ("benign", task.benign)):
        buffer = io.BytesIO()
        _as_written(frame).write_ndjson(buffer)
        _write_if_changed(folder / f"{name}.jsonl", buffer.getvalue())
    counts = {
        "train": task.train.height,
        "train_planted": int((task.train["label"] == HARMFUL).sum()),
        "toxic": task.toxic.height,
        "benign": task.benign.height,
    }
    description = {
        "task": task.name,
        "seed": seed,
        "counts": counts,
        "source_confounded": task.name in SOURCE_CONFOUNDED,
        **task.description,
    }
    _write_if_changed(folder / "task.json", (json.dumps(description, indent=2) + "\n").encode())
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--seed", type=int, default=None, help="one seed (same as --seeds N)")
    parser.add_argument("--tasks", nargs="+", choices=TASK_NAMES, default=list(TASK_NAMES))
    args = parser.parse_args(argv)
    if not datasets_available(args.datasets):
        print(f"reference datasets not found in {args.datasets}: nothing built", file=sys.stderr)
        return 0
    seeds = [args.seed] if args.seed is not None else args.seeds
    for seed in seeds:
        for task in build_tasks(args.datasets, seed, tuple(args.tasks)):
            folder = write_task(task, args.out, seed)
            planted = int((task.train["label"] == HARMFUL).sum())
            print(
                f"{task.name} s{seed}: {task.train.height} train ({planted} planted, "
                f"{planted / task.train.height:.1%}), {task.toxic.height} toxic, "
                f"{task.benign.height} benign -> {folder}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
