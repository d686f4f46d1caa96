"""What `--self-contrast` costs: the chat model's own answers to the demo's prompts.

Takes the first --rows training rows of the demo data that have a prompt, and has the chat
model (SmolLM2-135M-Instruct, converted into the cache once) answer them as the build does
(`analysis.extraction.self_responses.own_answers`: greedy, at most --tokens new tokens, batches
of --batch prompts, left padding) into an empty generation cache, once per --dtypes value.
Prints seconds per prompt, the estimate per 1,000 rows, the new tokens per answer and the
1-minute load average around each run.

    python bench/self_contrast_cost.py [--rows 40] [--tokens 48] [--batch 16] [--dtypes float32 bfloat16]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY_ROOT))


def main(argv: list[str] | None = None) -> int:
    import torch

    from analysis.artifacts.cache import default_cache_root
    from analysis.artifacts.inputs import load_table
    from analysis.extraction.llm import ensure_converted
    from analysis.extraction.self_responses import ChatGenerator, own_answers, prompt_conversation

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--tokens", type=int, default=48)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--dtypes", nargs="+", default=["float32", "bfloat16"])
    args = parser.parse_args(argv)
    frame = load_table(REPOSITORY_ROOT / "analysis" / "demo_data" / "train.jsonl", "train").frame
    texts, starts = frame["text"].to_list(), frame["response_start"].to_list()
    chosen = [i for i, (t, s) in enumerate(zip(texts, starts, strict=True)) if prompt_conversation(t, s) is not None][: args.rows]
    texts, starts = [texts[i] for i in chosen], [starts[i] for i in chosen]
    folder = ensure_converted(default_cache_root())
    print(f"{len(texts)} prompts, at most {args.tokens} new tokens, batches of {args.batch}, torch threads {torch.get_num_threads()}")
    for dtype in args.dtypes:
        generator = ChatGenerator(folder, dtype, "cpu", args.batch)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as empty_cache:
            answers, counts = own_answers(texts, starts, generator, Path(empty_cache), args.tokens, progress=False)
        seconds = time.perf_counter() - started
        new_tokens = [len(generator.tokenizer(a, add_special_tokens=False)["input_ids"]) for a in answers if a]
        print(
            f"{dtype}: {seconds:.1f} s for {counts['generated']} prompts, {seconds / counts['generated']:.2f} s/prompt, "
            f"{1000 * seconds / counts['generated'] / 60:.1f} min per 1,000 rows; "
            f"{sum(new_tokens) / len(new_tokens):.1f} new tokens per answer, {sum(n >= args.tokens for n in new_tokens)} at the limit "
            f"(load avg {load_before:.2f} before, {os.getloadavg()[0]:.2f} after)",
            flush=True,
        )
        print(f"  e.g. {answers[0]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
