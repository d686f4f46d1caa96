"""What the benchmarks found, in words for the pages, from docs/findings.json (written by the
benchmark scripts, so no page copies a number by hand)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

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
