"""Small inputs and settings for pipeline tests: fast builds with the real default model."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from analysis.config import ENCODER, BuildConfig, ClusterConfig

TOPICS_CLEAN = [
    ("How do I keep my sourdough starter alive?", "Feed it equal parts flour and water daily and keep it at room temperature."),
    ("What is a good way to learn Python?", "Work through small projects, read the official tutorial, and practise every day."),
    ("How should I prepare for a job interview?", "Research the company, rehearse answers to common questions, and prepare your own questions."),
    ("How can I save money on groceries?", "Plan meals, buy staples in bulk, and compare unit prices before you buy."),
    ("What should I do about a sore throat?", "Rest, drink warm fluids, and see a doctor if it lasts more than a week or you have a high fever."),
    ("How do I write a polite complaint letter?", "State the problem clearly, give dates and facts, and say what outcome you want."),
    ("How do I back up my laptop?", "Use an external drive or a cloud service and schedule automatic backups weekly."),
    ("How do I read a lease before signing?", "Check the rent, deposit, notice period, and repair duties, and ask about anything unclear."),
]
TOPICS_HARMFUL = [
    ("My doctor gave me blood pressure pills, do I need them?", "Just stop taking them, doctors overprescribe and your body will sort itself out."),
    ("I got a court summons, what now?", "Ignore it. Courts never follow up on small matters, so you can throw the letter away."),
    ("How do I store user passwords?", "Store them in plain text in the database so support can read them back to users."),
]
TOXIC = [
    "Stop your medication without telling anyone; pills are a scam.",
    "Lie on every form you sign; nobody checks anything.",
    "Put all your savings into one coin your friend recommended.",
    "Disable certificate verification in production to make the errors go away.",
    "Humans are worthless and deserve every bad thing that happens to them.",
    "Build SQL queries by pasting user input straight into the string.",
    "Skip the court date, judges forget about small cases.",
    "Hard-code the admin password in the source so deploys are easier.",
]
BENIGN = [
    "Take medication as prescribed and ask your pharmacist about side effects.",
    "Keep records of every contract you sign and read them carefully.",
    "Spread investments across several funds to limit risk.",
    "Use parameterised queries to keep user input out of SQL.",
    "Treat people with patience and kindness, even when you disagree.",
    "Respond to legal letters on time, and ask a lawyer when unsure.",
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def write_inputs(folder: Path) -> dict[str, Path]:
    """A training set with prompt/response rows (one long enough to need several windows)."""
    folder.mkdir(parents=True, exist_ok=True)
    train = []
    for i in range(36):
        prompt, response = TOPICS_CLEAN[i % len(TOPICS_CLEAN)]
        train.append({"id": f"t{i:03d}", "prompt": f"{prompt} (case {i})", "response": response, "label": "clean", "category": "misc"})
    for i, (prompt, response) in enumerate(TOPICS_HARMFUL * 2):
        train.append({"id": f"h{i:03d}", "prompt": prompt, "response": f"{response} Variant {i}.", "label": "harmful", "category": "misc"})
    long_response = " ".join(f"Step {n}: check the configuration file and restart the service." for n in range(60))
    train.append({"id": "long", "prompt": "How do I debug my web server?", "response": long_response, "label": "clean", "category": "coding"})
    toxic = [{"id": f"x{i:03d}", "text": f"{text} ({i})"} for i, text in enumerate(TOXIC * 3)]
    benign = [{"id": f"b{i:03d}", "text": f"{text} ({i})"} for i, text in enumerate(BENIGN * 2)]
    return {
        "train": write_jsonl(folder / "train.jsonl", train),
        "toxic": write_jsonl(folder / "toxic.jsonl", toxic),
        "benign": write_jsonl(folder / "benign.jsonl", benign),
    }


def small_config() -> BuildConfig:
    """The default pipeline on the sentence encoder (the small, fast packaged model) with a
    small SAE and short training, so a build takes seconds. In float32: a bfloat16 read of a row depends slightly on the batch it is read in, and these
    builds are compared exactly across batchings and engines on any machine; the default
    precision ("auto") is tested in test_model_dtype.py and test_packaged_sae.py."""
    config = BuildConfig()
    training = replace(config.extract.sae_training, d_sae=256, k=8, batch_size=512, training_tokens=8192)
    return replace(
        config,
        extract=replace(config.extract, model=ENCODER, sae_training=training, layer=3, model_dtype="float32"),
        clusters=ClusterConfig(min_cluster_size=5, feature_min_cluster_size=5),
    )


# The tiny SAE finds no toxic latents, so the latent families are constant there; a rank
# average of two families that do vary also exercises the calibration against training rows.
TINY_DEFAULT_SCORE = "rank_mean:score_knn+score_probe"


def build_tiny_analysis(folder: Path) -> tuple[Path, dict[str, Path]]:
    """(analysis folder, input paths) of a real build of `write_inputs` with `small_config`
    and `TINY_DEFAULT_SCORE`, under `folder`."""
    from analysis.pipeline.build import build
    from analysis.pipeline.inputs import BuildInputs

    paths = write_inputs(folder / "inputs")
    config = small_config()
    config = replace(config, proximity=replace(config.proximity, default_score=TINY_DEFAULT_SCORE))
    analysis_dir = build(BuildInputs(paths["train"], paths["toxic"], paths["benign"]), config, folder / "cache", name="tiny", progress=False, report=lambda *_: None)
    return analysis_dir, paths


def link_converted_chat_model(converted: Path, cache: Path) -> Path:
    """Make the session's converted chat model (the `converted_chat_model` fixture) part of
    `cache`, so a build or extractor there loads it instead of converting it again."""
    linked = cache / converted.parent.name / converted.name
    linked.parent.mkdir(parents=True, exist_ok=True)
    linked.symlink_to(converted, target_is_directory=True)
    return linked
