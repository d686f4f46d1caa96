"""Content-addressed step folders with atomic writes and per-key locks.

Every step writes into a temporary sibling folder and renames it into place only when
complete, so a folder with a final name is always whole, and an interrupted build leaves
nothing that looks finished. Its writer holds a lock file beside the temporary folder for
as long as it exists, so a later build can tell an abandoned `.tmp-*` folder (its writer
died, even by SIGKILL: the OS drops the lock) from one being written, and sweep it.
Builds of the same step key take `step_lock` first, so the second waits and reuses the
first one's result instead of computing it again. Exports and monitors write their folders
through the same `atomic_dir` (`exclusive=True`), so they are whole or absent alike.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from analysis.artifacts.layout import ANALYSES, MANIFEST

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_cache_root() -> Path:
    """The cache folder: `ANALYSIS_CACHE_DIR` when set, else `cache/` in the repository (a
    checkout or an editable install), else, for a package installed into site-packages,
    the user's cache folder (`$XDG_CACHE_HOME/toxic-proximity`, ~/.cache by default)."""
    if os.environ.get("ANALYSIS_CACHE_DIR"):
        return Path(os.environ["ANALYSIS_CACHE_DIR"]).expanduser().resolve()
    if (REPO_ROOT / "pyproject.toml").is_file():
        return (REPO_ROOT / "cache").resolve()
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()
    return (user_cache / "toxic-proximity").resolve()


def stable_hash(payload: Any) -> str:
    """sha256 of a JSON-serialisable value, independent of dict order."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def step_dir(cache_root: Path, step: str, key: str) -> Path:
    return cache_root / "steps" / step / key


def is_complete(folder: Path) -> bool:
    return (folder / "step.json").is_file() or (folder / MANIFEST).is_file()


TMP_PREFIX = ".tmp-"
TMP_SUFFIX_LENGTH = 8  # hex digits that make two writers' temporary folders differ
LOCK_SUFFIX = ".lock"


@contextlib.contextmanager
def step_lock(final: Path) -> Iterator[None]:
    """Hold the lock of one step folder (or analysis) while it is checked and built.

    Lock files live apart, in `.locks/<kind>/` beside the kind's folder (`steps/.locks/sae/`,
    `.locks/analyses/`), so listings of step folders and analyses see none; they stay (they
    are empty): removing a lock file others may be waiting on would let two builds hold
    "the" lock at once. The lock itself is released when the block ends or the process dies.
    """
    lock = final.parent.parent / ".locks" / final.parent.name / f"{final.name}{LOCK_SUFFIX}"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(lock):
        yield


def _writer_lock(tmp: Path) -> FileLock:
    return FileLock(tmp.with_name(tmp.name + LOCK_SUFFIX))


@contextlib.contextmanager
def atomic_dir(final: Path, *, exclusive: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that becomes `final` when the block ends without error.

    Without `exclusive` (a step folder or an analysis, named by the hash of its content): if
    `final` appeared meanwhile (a concurrent build of the same key), the new copy is dropped,
    both hold the same content by construction of the key.

    With `exclusive` (a folder a person named: an export, a monitor): `final` may be missing
    or an empty folder, never anything else. First the temporary folders of `final` that a
    killed writer left beside it are swept (only those: the folder beside it is the user's);
    then, when `final` was filled by something else meanwhile, FileExistsError and the new
    copy is dropped.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    if exclusive:
        sweep_stale_tmp([final.parent], name=final.name)
    tmp = final.parent / f"{TMP_PREFIX}{final.name}-{uuid.uuid4().hex[:TMP_SUFFIX_LENGTH]}"
    writer = _writer_lock(tmp)
    writer.acquire()
    try:
        tmp.mkdir()
        try:
            yield tmp
            _rename_into_place(tmp, final, exclusive)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        writer.release()
        Path(writer.lock_file).unlink(missing_ok=True)


def _rename_into_place(tmp: Path, final: Path, exclusive: bool) -> None:
    try:
        if exclusive and final.is_dir():
            final.rmdir()  # empty, or OSError: something filled it meanwhile
        os.rename(tmp, final)
    except OSError as error:
        if not final.exists():
            raise
        if exclusive:
            raise FileExistsError(f"{final} was filled by something else while it was written") from error
        shutil.rmtree(tmp, ignore_errors=True)


def sweep_stale_tmp(folders: list[Path], name: str | None = None) -> list[Path]:
    """Remove the `.tmp-*` folders (and lock files) under `folders` whose writer is gone.

    A folder whose writer lock can be taken at once has no live writer: it was left by a
    writer that was killed. With `name`, only the temporary folders of a final folder of
    that name (`.tmp-<name>-<8 hex>`). Returns the folders removed.
    """
    pattern = f"{TMP_PREFIX}{glob.escape(name)}-{'[0-9a-f]' * TMP_SUFFIX_LENGTH}" if name is not None else f"{TMP_PREFIX}*"
    removed: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for tmp in sorted(folder.glob(pattern)):
            if tmp.name.endswith(LOCK_SUFFIX):
                continue
            writer = _writer_lock(tmp)
            try:
                writer.acquire(timeout=0)
            except Timeout:
                continue  # a live writer is writing it
            try:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
                    removed.append(tmp)
            finally:
                writer.release()
                Path(writer.lock_file).unlink(missing_ok=True)
        for orphan in folder.glob(f"{pattern}{LOCK_SUFFIX}"):
            if not orphan.with_name(orphan.name[: -len(LOCK_SUFFIX)]).exists():
                lock = FileLock(orphan)
                try:
                    lock.acquire(timeout=0)
                except Timeout:
                    continue
                lock.release()
                orphan.unlink(missing_ok=True)
    return removed


def cache_folders(cache_root: Path) -> list[Path]:
    """Every folder of `cache_root` that step folders or analyses are renamed into."""
    steps = Path(cache_root) / "steps"
    kinds = sorted(path for path in steps.iterdir() if path.is_dir() and not path.name.startswith(".")) if steps.is_dir() else []
    return [*kinds, Path(cache_root) / ANALYSES]


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
