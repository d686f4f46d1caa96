"""The cold demo and its floor, as whole processes to time side by side.

    python bench/cold_demo.py demo --out DIR [--train-sae] [-- DEMO FLAGS]   # the CLI demo into an emptied DIR
    python bench/cold_demo.py floor                           # the cost any demo build must pay

`demo` empties DIR, then runs `python -m analysis demo --out DIR --quiet` in this process: the
demo as a new user starts it, on the default model (the chat LLM after block 20, its SAE
trained on the demo: no SAE is packaged for it). Flags after `--` go to the demo command as
they are, for example `-- --model sentence-transformers/all-MiniLM-L6-v2` for the sentence
encoder's demo, which reads the SAE packaged for it. With `--train-sae` it builds the
encoder's demo rows the way its demo did before the packaged SAE (an SAE trained on them
first: `python -m analysis build --model sentence-transformers/all-MiniLM-L6-v2` on the demo's
files, which trains one by default).

`floor` loads the sentence encoder and reads every text of the demo once at its default layer,
in float32, with the build's own batching (no SAE, no tables, nothing written): one forward
pass of all-MiniLM-L6-v2 over the demo's tokens, the reference a cold demo is measured against
whatever the default model.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT))

DEMO = REPOSITORY_ROOT / "analysis" / "demo_data"


def demo_samples():
    """Every row of the demo (train, toxic and benign sets) as a build reads them."""
    from analysis.pipeline.inputs import BuildInputs, load_inputs

    return load_inputs(BuildInputs(DEMO / "train.jsonl", DEMO / "toxic.jsonl", DEMO / "benign.jsonl")).samples


def floor() -> int:
    from analysis.config import ENCODER, ExtractConfig
    from analysis.extraction.stream import activation_source, read_kept

    samples = demo_samples()
    # the floor is the sentence encoder's float32 pass, whatever the default model and precision
    ex = ExtractConfig(model=ENCODER, model_dtype="float32")
    source = activation_source(ex, None, "cpu")
    texts, starts = samples["text"].to_list(), samples["response_start"].to_list()
    kept = read_kept(texts, np.arange(len(texts)), source, ex, None, starts)
    print(f"{len(texts)} texts, {kept.tokens.values.shape[0]} token activations read")
    return 0


def demo(out: Path, train_sae: bool, demo_flags: list[str]) -> int:
    from analysis.cli.main import main as cli
    from analysis.config import ENCODER

    shutil.rmtree(out, ignore_errors=True)
    if not train_sae:
        return cli(["demo", "--out", str(out), "--quiet", *demo_flags])
    sets = [f"--{role}={DEMO / f'{role}.jsonl'}" for role in ("train", "toxic", "benign")]
    return cli(["build", *sets, "--name", "demo", "--out", str(out), "--quiet", "--model", ENCODER, *demo_flags])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("demo")
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--train-sae", action="store_true")
    run.add_argument("demo_flags", nargs=argparse.REMAINDER, help="after --: flags for the demo command")
    commands.add_parser("floor")
    args = parser.parse_args(argv)
    if args.command == "floor":
        return floor()
    demo_flags = [flag for flag in args.demo_flags if flag != "--"]
    if demo_flags and args.train_sae:
        parser.error("--train-sae builds the default model's demo; give demo flags without it")
    return demo(args.out, args.train_sae, demo_flags)


if __name__ == "__main__":
    sys.exit(main())
