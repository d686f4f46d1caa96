"""Validate an input file before any job starts; keep uploads only once they are valid.

An upload is written to a private temporary folder (outside the cache), read with
`analysis.artifacts.inputs.load_table`, and only then stored as `cache/uploads/<sha256>.<ext>`; a bad
file therefore leaves the cache untouched.

A local path typed into the app is read only when it lies, symlinks resolved, under a data
root: the folder the app was started in, the repository's demo data, and the folders named
in `ANALYSIS_DATA_ROOTS` (separated like PATH). Whoever can reach the app can type any path,
and its error messages would otherwise tell what exists on the machine.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from analysis.artifacts.inputs import InputError, load_table

DATA_ROOTS_ENV = "ANALYSIS_DATA_ROOTS"
DEMO_DATA = Path(__file__).resolve().parent.parent / "analysis" / "demo_data"
MAX_UPLOAD_MB = 200
ACCEPTED_TYPES = ("jsonl", "json", "csv", "parquet")


@dataclass(frozen=True)
class CheckedInput:
    path: Path
    rows: int
    format: str


class InvalidInput(ValueError):
    """A file that cannot be used, with a message meant for the person who chose it."""


def data_roots() -> list[Path]:
    """The folders local paths may point into (resolved)."""
    extra = [Path(item).expanduser() for item in os.environ.get(DATA_ROOTS_ENV, "").split(os.pathsep) if item.strip()]
    roots = []
    for root in [Path.cwd(), DEMO_DATA, *extra]:
        resolved = root.resolve()
        if resolved not in roots:
            roots.append(resolved)
    return roots


def resolve_local_path(path_text: str) -> Path:
    """The file a typed path names, refused unless it lies under a data root."""
    shown = path_text.strip()
    if not shown or "\x00" in shown:
        raise InvalidInput(f"{shown!r}: not a file path")
    typed = Path(shown).expanduser()
    # Relative paths are read from the folder the app was started in; `..` and symlinks
    # are resolved before the check, so neither leads outside the roots.
    path = (typed if typed.is_absolute() else Path.cwd() / typed).resolve()
    roots = data_roots()
    if not any(path.is_relative_to(root) for root in roots):
        raise InvalidInput(
            f"{shown}: outside the folders this app reads local files from "
            f"({', '.join(str(root) for root in roots)}); upload the file instead, or add its "
            f"folder to {DATA_ROOTS_ENV} before starting the app"
        )
    if not path.is_file():
        raise InvalidInput(f"{shown}: no such file")
    return path


def check_path(path_text: str, role: str) -> CheckedInput:
    """A local file named by the user, under a data root, validated in place."""
    path = resolve_local_path(path_text)
    try:
        table = load_table(path, role, min_rows=1)
    except InputError as error:
        raise InvalidInput(str(error)) from error
    except OSError as error:
        raise InvalidInput(f"{path}: {error.strerror or error}") from error
    return CheckedInput(path=table.path, rows=table.frame.height, format=table.format)


@dataclass(frozen=True)
class CheckedUpload:
    """Uploaded bytes that passed `load_table`, not yet stored."""

    file_name: str
    data: bytes
    rows: int
    format: str

    @property
    def suffix(self) -> str:
        return Path(self.file_name).suffix.lower()


def check_upload(file_name: str, data: bytes, role: str) -> CheckedUpload:
    """Validate uploaded bytes in a private temporary folder (never in the cache)."""
    suffix = Path(file_name).suffix.lower()
    if suffix.lstrip(".") not in ACCEPTED_TYPES:
        raise InvalidInput(f"{file_name}: unsupported file type (use {', '.join(ACCEPTED_TYPES)})")
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        raise InvalidInput(f"{file_name}: larger than {MAX_UPLOAD_MB} MB")
    with tempfile.TemporaryDirectory(prefix="upload-check-") as scratch:
        scratch_path = Path(scratch) / f"{role}{suffix}"
        scratch_path.write_bytes(data)
        try:
            table = load_table(scratch_path, role, min_rows=1)
        except InputError as error:
            # The message names the scratch file; say it with the name the user knows.
            where = f"row {error.row}: " if getattr(error, "row", None) is not None else ""
            raise InvalidInput(f"{file_name}: {where}{getattr(error, 'problem', error)}") from error
        return CheckedUpload(file_name=file_name, data=data, rows=table.frame.height, format=table.format)


def store_upload(upload: CheckedUpload, cache_root: Path) -> Path:
    """Keep a checked upload as cache/uploads/<sha256>.<ext> (written atomically, once)."""
    digest = hashlib.sha256(upload.data).hexdigest()
    folder = Path(cache_root) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{digest}{upload.suffix}"
    if not final.is_file():
        partial = folder / f".{digest}.{uuid.uuid4().hex[:8]}.part"
        partial.write_bytes(upload.data)
        os.replace(partial, final)
    return final
