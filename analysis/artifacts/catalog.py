"""The list of the analyses in a cache, from their manifests alone (no table is read)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from analysis.artifacts.folder import SETS
from analysis.artifacts.layout import ANALYSES, MANIFEST


def _describe_sae(value: Any) -> str:
    """Where the SAE came from, as the build recorded it (`source`, `spec`), and its shape."""
    if not isinstance(value, dict):
        return _describe(value)
    architecture = value.get("architecture") or "SAE"
    d_sae = value.get("d_sae")
    shape = f"{architecture}, {d_sae:,} latents" if isinstance(d_sae, int) else str(architecture)
    spec = value.get("spec")
    if value.get("source") == "pretrained" and spec:
        return f"{spec} (pretrained, {shape})"
    if value.get("source") == "packaged":
        return f"packaged with the tool ({shape})"
    if value.get("source") == "local folder" and spec:
        return f"{Path(str(spec)).name} (local folder, {shape})"
    if value.get("release"):
        return f"{value['release']}/{value.get('sae_id', '')}".rstrip("/")
    return f"trained locally ({shape})"


def _describe(value: Any) -> str:
    """A short human summary of a manifest entry that may be a string or a dict."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("name", "id", "release", "model", "path"):
            if isinstance(value.get(key), str):
                layer, dtype = value.get("layer"), value.get("dtype")
                return f"{value[key]}" + (f", layer {layer}" if layer is not None else "") + (f", {dtype}" if dtype else "")
        return ", ".join(f"{key}={val}" for key, val in value.items() if not isinstance(val, dict | list))
    return str(value)


def _describe_inputs(inputs: Any) -> str:
    if not isinstance(inputs, dict):
        return _describe(inputs)
    parts = []
    for role, entry in inputs.items():
        if entry is None:
            continue
        if isinstance(entry, dict):
            file_name = Path(str(entry.get("path", ""))).name or "?"
            rows = entry.get("rows")
            parts.append(f"{role}: {file_name}" + (f" ({rows} rows)" if rows is not None else ""))
        else:
            parts.append(f"{role}: {entry}")
    return "; ".join(parts)


def _manifest_counts(manifest: dict[str, Any]) -> dict[str, int]:
    counts = manifest.get("counts")
    found: dict[str, int] = {}
    if isinstance(counts, dict):
        for set_name in SETS:
            for key in (set_name, f"n_{set_name}", f"{set_name}_samples"):
                if isinstance(counts.get(key), int):
                    found[set_name] = counts[key]
                    break
    inputs = manifest.get("inputs")
    if isinstance(inputs, dict):
        for set_name in SETS:
            entry = inputs.get(set_name)
            if set_name not in found and isinstance(entry, dict) and isinstance(entry.get("rows"), int):
                found[set_name] = entry["rows"]
    return found


LIST_SCHEMA = {
    "name": pl.String,
    "path": pl.String,
    "created": pl.String,
    "inputs": pl.String,
    "model": pl.String,
    "sae": pl.String,
    "counts": pl.String,
    "n_train": pl.Int64,
    "n_toxic": pl.Int64,
    "n_benign": pl.Int64,
}


def list_analyses(cache_root: Path) -> pl.DataFrame:
    """One row per complete analysis under `cache_root/analyses`, newest first.

    A folder counts only when it holds manifest.json (builds rename folders into place
    when complete); names starting with "." or "tmp" are work in progress and skipped.
    An unreadable manifest is listed with what is known rather than hiding the folder.
    """
    root = Path(cache_root) / ANALYSES
    rows: list[dict[str, Any]] = []
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            if folder.name.startswith((".", "tmp")) or not (folder / MANIFEST).is_file():
                continue
            try:
                manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                manifest = {"name": folder.name, "error": "unreadable manifest.json"}
            if not isinstance(manifest, dict):
                manifest = {}
            counts = _manifest_counts(manifest)
            created = manifest.get("created") or manifest.get("created_at") or ""
            if not created:
                created = _mtime_iso(folder / MANIFEST)
            rows.append(
                {
                    "name": folder.name,
                    "path": str(folder.resolve()),
                    "created": str(created),
                    "inputs": _describe_inputs(manifest.get("inputs")),
                    "model": _describe(manifest.get("model")),
                    "sae": _describe_sae(manifest.get("sae")) or "trained locally",
                    "counts": ", ".join(f"{count:,} {name}" for name, count in counts.items()),
                    "n_train": counts.get("train"),
                    "n_toxic": counts.get("toxic"),
                    "n_benign": counts.get("benign"),
                }
            )
    return pl.DataFrame(rows, schema=LIST_SCHEMA).sort("created", descending=True)


def _mtime_iso(path: Path) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).isoformat(timespec="seconds")
