"""Write benchmark sections into bench/RESULTS.md: each script owns one marked section."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl


def _cell(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if value != 0 and abs(value) < 1e-3:
            return f"{value:.1e}"
        return f"{value:.3f}"
    return str(value)


def to_markdown(frame: pl.DataFrame) -> str:
    """A GitHub-flavoured Markdown table; floats with three decimals (small ones in e-notation)."""
    lines = [
        "| " + " | ".join(frame.columns) + " |",
        "|" + "|".join("---" for _ in frame.columns) + "|",
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join(lines)


def replace_section(results: Path, key: str, body: str) -> None:
    """Replace the text between ``<!-- key:start -->`` and ``<!-- key:end -->`` (append if absent)."""
    start, end = f"<!-- {key}:start -->", f"<!-- {key}:end -->"
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    results.write_text(text)


FINDINGS = Path(__file__).resolve().parents[1] / "docs" / "findings.json"


def record_finding(key: str, payload: dict) -> None:
    """Keep a benchmark's headline figures in docs/findings.json, which the app reads to say
    what the benchmark found (so no page copies a number by hand)."""
    import json

    findings = json.loads(FINDINGS.read_text()) if FINDINGS.exists() else {}
    findings[key] = payload
    FINDINGS.write_text(json.dumps(findings, indent=2, sort_keys=True) + "\n")
