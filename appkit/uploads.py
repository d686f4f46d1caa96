"""Validate an input file before any job starts; keep uploads only once they are valid.

An upload is written to a private temporary folder (outside the cache), read with
`analysis.data.load_table`, and only then stored as `cache/uploads/<sha256>.<ext>`; a bad
file therefore leaves the cache untouched.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

MAX_UPLOAD_MB = 200
ACCEPTED_TYPES = ("jsonl", "json", "csv", "parquet")


@dataclass(frozen=True)
class CheckedInput:
    path: Path
    rows: int
    format: str


class InvalidInput(ValueError):
    """A file that cannot be used, with a message meant for the person who chose it."""


def _load_table():
    try:
        from analysis.data import InputError, load_table
    except ImportError as error:  # the reader ships with the pipeline; say so plainly
        raise InvalidInput(f"cannot check input files: analysis.data is unavailable ({error})") from error
    return load_table, InputError


def check_path(path_text: str, role: str) -> CheckedInput:
    """A local file named by the user, validated in place."""
    load_table, input_error = _load_table()
    path = Path(path_text.strip()).expanduser()
    if not path.is_file():
        raise InvalidInput(f"{path_text.strip()}: no such file")
    try:
        table = load_table(path, role, min_rows=1)
    except input_error as error:
        raise InvalidInput(str(error)) from error
    except OSError as error:
        raise InvalidInput(f"{path}: {error.strerror or error}") from error
    return CheckedInput(path=table.path, rows=table.frame.height, format=table.format)


def check_upload(file_name: str, data: bytes, role: str, cache_root: Path) -> CheckedInput:
    """Validate uploaded bytes; on success store them under cache/uploads/<sha256>.<ext>."""
    load_table, input_error = _load_table()
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
        except input_error as error:
            where = f"row {error.row}: " if getattr(error, "row", None) is not None else ""
            raise InvalidInput(f"{file_name}: {where}{getattr(error, 'problem', error)}") from error
        rows, file_format = table.frame.height, table.format
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(cache_root) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{digest}{suffix}"
    if not final.is_file():
        partial = folder / f".{digest}.{uuid.uuid4().hex[:8]}.part"
        partial.write_bytes(data)
        os.replace(partial, final)
    return CheckedInput(path=final, rows=rows, format=file_format)
