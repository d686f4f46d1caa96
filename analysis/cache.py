"""Content-addressed step folders with atomic writes.

Every step writes into a temporary sibling folder and renames it into place only when
complete, so a folder with a final name is always whole, and an interrupted build leaves
nothing that looks finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_cache_root() -> Path:
    """The cache folder: `ANALYSIS_CACHE_DIR` when set, else `cache/` in the repository."""
    return Path(os.environ.get("ANALYSIS_CACHE_DIR", REPO_ROOT / "cache")).resolve()


def stable_hash(payload: Any) -> str:
    """sha256 of a JSON-serialisable value, independent of dict order."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def step_dir(cache_root: Path, step: str, key: str) -> Path:
    return cache_root / "steps" / step / key


def is_complete(folder: Path) -> bool:
    return (folder / "step.json").is_file() or (folder / "manifest.json").is_file()


@contextlib.contextmanager
def atomic_dir(final: Path) -> Iterator[Path]:
    """Yield a temporary folder that becomes `final` when the block ends without error.

    If `final` appeared meanwhile (a concurrent build of the same key), the new copy is
    dropped: both hold the same content by construction of the key.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".tmp-{final.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        yield tmp
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.exists():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_json(path: Path, payload: Any) -> None:
    """Write JSON atomically (temp file in the same folder, then rename)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link a cached artifact into an analysis folder (copy across file systems)."""
    if src.is_dir():
        dst.mkdir(parents=True, exist_ok=True)
        for child in src.iterdir():
            link_or_copy(child, dst / child.name)
        return
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
