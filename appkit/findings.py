"""What the benchmarks found, in words for the pages, from docs/findings.json (written by the
benchmark scripts, so no page copies a number by hand)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from analysis.config import DEFAULT_MODEL, ENCODER, SMOLLM2
from analysis.scoring.families import score_label, spec_label

FINDINGS = Path(__file__).resolve().parent.parent / "docs" / "findings.json"


@cache
def findings() -> dict:
    """The recorded findings (empty when the file is missing or unreadable)."""
    try:
        return json.loads(FINDINGS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def marks_finding() -> str:
    """One sentence per model on the simulated-researcher benchmark (bench/RESULTS.md, `marks`)."""
    sentences = []
    for key, model in (("marks", "the sentence encoder"), ("marks_llm", "the chat LLM")):
        found = findings().get(key)
        if not found:
            continue
        low, high = found["interval"]
        sentences.append(
            f"On {found['tasks']} benchmark tasks with {model}, a simulated researcher reading {found['rows_read']} rows per task "
            f"found {found['learning']} planted rows with it against {found['static']} with the static ranking "
            f"({found['mean_difference']:+.1f} per task, 95% CI {low:+.1f} to {high:+.1f}; better on {found['better']} tasks, "
            f"worse on {found['worse']})."
        )
    return " ".join(sentences) or "Not benchmarked yet (bench/simulated_researcher.py)."


# The selection over both models: on three seeds with the chat LLM's blocks 10 and 20
# (bench/select_default.py --section llm_layer20_seeds), else block 10 alone (llm_seeds10), else
# on seed 0 (--section llm); the permutation test's z per read point comes from seed 0, where
# every layer was read (llm, and llm_layer20 for the chat LLM's block 20).
MODELS_SECTIONS, Z_SECTIONS = ("llm_layer20_seeds", "llm_seeds10", "llm"), ("llm_layer20", "llm")
MODEL_ALIAS = {ENCODER: "default", SMOLLM2: "smollm2"}  # select_default's names
ALIAS_MODEL = {alias: model for model, alias in MODEL_ALIAS.items()}
OTHER_MODEL_FINDING = (
    "This model was not in the benchmark (bench/RESULTS.md covers the sentence encoder and the packaged chat LLM): "
    "check the Evaluate page on labelled rows before trusting any score here."
)


def _z_counts(reads: list[str]) -> str:
    """"after block 4 on 6 of 9 tasks, ...": where the permutation test's z is above 0."""
    counts = {read: count for section in Z_SECTIONS for read, count in findings().get(section, {}).get("z_positive", {}).items()}
    parts = [f"after block {read.split(':')[1]} on {counts[read]['tasks']} of {counts[read]['of']} tasks" for read in reads if read in counts]
    return ", ".join(parts)


def model_finding(model: str | None) -> str:
    """What the benchmark found for `model`'s SAE features against its own hidden states, the
    sentence encoder and TF-IDF; OTHER_MODEL_FINDING for a model it did not cover."""
    found = next((findings()[section] for section in MODELS_SECTIONS if section in findings()), None)
    alias = MODEL_ALIAS.get(model or "")
    if not found or alias is None or alias not in found["sae_vs_dense"]:
        return OTHER_MODEL_FINDING
    mine = found["sae_vs_dense"][alias]
    sae, dense, difference = mine["sae"]["auroc"], mine["dense"]["auroc"], mine["sae_minus_dense"]
    seeds = ", ".join(str(seed) for seed in found["seeds"])
    tasks = f"{found['tasks']} planted-contamination benchmark tasks (seed{'s' if len(found['seeds']) > 1 else ''} {seeds})"
    paired = f"paired difference {difference['auroc']:+.3f} [{difference['lo']:+.3f}, {difference['hi']:+.3f}]"
    tfidf = found["tfidf"]["auroc"]
    encoder_dense = found["sae_vs_dense"]["default"]["dense"]["auroc"]
    if alias == "default":
        verdict = "no SAE-based score of this model beat" if difference["hi"] < 0 else "SAE-based scores of this model did not clearly beat"
        return (
            f"On {tasks}, {verdict} the plain nearest-neighbour score on its hidden states (best SAE family "
            f"{sae:.3f} mean AUROC vs {dense:.3f}, {paired}). The SAE features here explain a score; they do not make it "
            f"more accurate. {_pick(found)}"
        )
    z_llm = _z_counts(["smollm2:4", "smollm2:10", "smollm2:20"])
    z_encoder = findings().get(Z_SECTIONS[-1], {}).get("z_positive", {}).get("6")
    encoder = f" (the sentence encoder: {z_encoder['tasks']} of {z_encoder['of']})" if z_encoder else ""
    than = "better than" if difference["lo"] > 0 else "worse than" if difference["hi"] < 0 else "no better than"
    leading, caveat = mine.get("leading_task"), ""
    if leading and abs(leading["difference"]) > 3 * abs(leading["others_mean"]):
        low, high = leading["others_range"]
        caveat = (
            f", but only because of one task ({leading['task']}: {leading['difference']:+.3f}; on the other tasks "
            f"{leading['others_mean']:+.3f} on average, {low:+.3f} to {high:+.3f})"
        )
    below = "both are below" if max(sae, dense) < min(encoder_dense, tfidf) else "compare them with"
    return (
        f"On {tasks}, this chat LLM's SAE features{_read_at(found)} found planted rows {than} its own residual stream (best SAE "
        f"family {sae:.3f} mean AUROC vs {dense:.3f}, {paired}){caveat}; {below} the sentence encoder (hidden-state kNN "
        f"{encoder_dense:.3f}) and word-level TF-IDF ({tfidf:.3f}). The paper's geometric picture (training rows' latents "
        f"nearer the toxic ones than random latents, permutation z > 0) appears {z_llm}{encoder}. {_pick(found)}"
        f"{_deep_finding(found)}"
    )


def _pick(found: dict) -> str:
    """What the selection picked for the default, and how it does on tasks it was not chosen on."""
    method, _, read = found["pick"].partition(" @ layer ")
    alias, _, layer = read.rpartition(":")  # a read point without an alias is the encoder's
    model = ALIAS_MODEL[alias or "default"]
    where = f"the chat LLM's block {layer}" if model == SMOLLM2 else f"the sentence encoder's hidden state {layer}"
    # a selection over several seeds ran at the read points the first seed's selection chose
    read_points = "the layers on the first seed; " if len(found["seeds"]) > 1 else ""
    shipped = "the shipped default" if model == DEFAULT_MODEL else "not the default"
    return (
        f"The benchmark's pick is the {spec_label(method)} on {where} ({shipped}): {found['loto']['auroc']:.3f} mean AUROC on "
        f"tasks it was not chosen on, with model, layer and score chosen inside each fold ({read_points}"
        f"{found['in_sample']['auroc']:.3f} in sample); TF-IDF alone has {found['tfidf']['auroc']:.3f}."
    )


def _read_at(found: dict) -> str:
    """" (after block 10)" when the run read the chat LLM at one layer only."""
    reads = [read for read in found.get("dense_by_read", {}) if read.startswith("smollm2:")]
    return f" (after block {reads[0].split(':')[1]})" if len(reads) == 1 else ""


def _deep_finding(found: dict) -> str:
    """The chat LLM's SAE against its residual stream over every layer read on the first seed,
    when that run read more layers than `found`."""
    deep = findings().get(Z_SECTIONS[0], {})
    mine = deep.get("sae_vs_dense", {}).get("smollm2")
    # nothing to add when `found` itself read the layer that run picked
    read_already = deep.get("pick", "").partition(" @ layer ")[2] in found.get("dense_by_read", {})
    if not mine or deep is found or read_already or deep.get("tasks", 0) < found.get("tasks", 0):
        return ""
    difference = mine["sae_minus_dense"]
    sentence = (
        f" With every layer read (seed 0 only), its best SAE-based score reaches {mine['sae']['auroc']:.3f} against "
        f"{mine['dense']['auroc']:.3f} for its best hidden-state score (paired difference {difference['auroc']:+.3f} "
        f"[{difference['lo']:+.3f}, {difference['hi']:+.3f}])"
    )
    method, _, read = deep.get("pick", "").partition(" @ layer ")
    if read.startswith("smollm2:"):
        sentence += (
            f", and the benchmark's pick is a score on its block {read.split(':')[1]} ({method}, "
            f"{deep['loto']['auroc']:.3f} on left-out tasks): not yet the default, one seed"
        )
    return sentence + "."


PACKAGED_SECTION = "packaged_sae"  # bench/packaged_sae.py


def packaged_sae_finding() -> str:
    """What the benchmark found for the SAE packaged with the tool against one trained on each
    task's own rows (bench/RESULTS.md, "The packaged SAE against one trained per analysis")."""
    found = findings().get(PACKAGED_SECTION)
    if not found:
        return "This analysis reads the SAE packaged with the tool, trained on other text; it was not benchmarked against an SAE trained on these rows."
    mean, explained, lowest = found["mean_auroc"], found["explained_variance"], found["lowest_explained_variance"]
    moves = sorted(found["by_family"].items(), key=lambda item: item[1]["difference"])
    (worst, w), (best, b) = moves[0], moves[-1]
    return (
        f"This analysis reads the SAE packaged with the tool, trained on other text (no SAE was trained on these rows). "
        f"On {found['tasks']} benchmark tasks its {found['families']} SAE-based scores ranked planted rows as well on average "
        f"as an SAE trained on each task (mean AUROC {mean['packaged']:.3f} vs {mean['own']:.3f}), but not score by score "
        f"({score_label(worst)} {w['difference']:+.3f} {w['interval']}, {score_label(best)} {b['difference']:+.3f} {b['interval']}), "
        f"and it reconstructs a task's own rows less well (explained variance {explained['packaged']:.3f} vs "
        f"{explained['own']:.3f}; {lowest['packaged']:.3f} vs {lowest['own']:.3f} on {lowest['task']}). Build without "
        f"--sae packaged to train one on your rows."
    )
