"""How a command hands its result (a folder or file) to whoever started it.

The path is printed as the last line of standard output, for people and shell scripts;
a background job (appkit.jobs) also names a file in `ANALYSIS_RESULT_FILE`, and the path
is written there as JSON, so the job never has to guess it from its output (a library
that prints after the command, or a path with a newline, would fool that guess).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

RESULT_FILE_ENV = "ANALYSIS_RESULT_FILE"


def announce_result(path: str | Path) -> None:
    """Print `path` last on standard output; record it where a job asked for it."""
    print(path, flush=True)
    record_result(path)


def record_result(path: str | Path) -> None:
    """Write `path` to the file `ANALYSIS_RESULT_FILE` names (nothing when it is unset)."""
    target = os.environ.get(RESULT_FILE_ENV)
    if not target:
        return
    destination = Path(target)
    partial = destination.with_name(f".{destination.name}.{uuid.uuid4().hex[:8]}.tmp")
    partial.write_text(json.dumps({"result_path": str(Path(path).resolve())}) + "\n", encoding="utf-8")
    os.replace(partial, destination)


def read_result(path: Path) -> str | None:
    """The path a command recorded in its result file, or None when it recorded none."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    result = value.get("result_path") if isinstance(value, dict) else None
    return str(result) if result else None
