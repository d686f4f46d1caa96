"""Marks a researcher puts on an analysis' rows while reading them: harmful, fine or an own tag.

The marks of an analysis live beside it, in `<cache>/marks/<analysis folder name>.jsonl`
(`marks_path`), never inside it: an analysis folder is content-addressed and never changes,
marks grow. The file is append-only JSON Lines, one event per line (docs/ARTIFACTS.md):

    {"ids": ["r1", "r2"], "mark": "harmful", "note": null, "who": null,
     "when": "2025-01-01T12:00:00+00:00", "event": "mark"}

An `undo` event undoes the last mark event not undone yet; its line repeats that event's ids
and mark for whoever reads the file, but replaying the events as a stack is what counts. An
id's current mark is its latest surviving one.

Each event is one `write` of a whole line to the file opened for appending, then an fsync,
under a `filelock` lock beside it (`.<file name>.lock`): two processes (two app sessions, the
app and a notebook) never interleave lines, and a process killed while writing loses at most
the line it was writing. Such a cut-off last line (no line end) is ignored on read and
reported (`MarksLog.problems`, and a logged warning); the next write, holding the lock, cuts
it off before appending. A complete line that is not an event is an error naming the line: the
file was edited by hand.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl
from filelock import FileLock

from analysis.artifacts.folder import Analysis
from analysis.artifacts.layout import MARKS, MARKS_SUFFIX, SAMPLES, beside_analysis

HARMFUL = "harmful"
FINE = "fine"
SUGGESTED_MARKS: tuple[str, ...] = (HARMFUL, FINE)
MAX_TAG_LENGTH = 64
EVENT_MARK = "mark"
EVENT_UNDO = "undo"
EVENT_KEYS: tuple[str, ...] = ("ids", "mark", "note", "who", "when", "event")
CURRENT_SCHEMA = {"id": pl.String, "mark": pl.String, "note": pl.String, "who": pl.String, "when": pl.String}
HISTORY_SCHEMA = {
    "line": pl.Int64,
    "event": pl.String,
    "ids": pl.List(pl.String),
    "mark": pl.String,
    "note": pl.String,
    "who": pl.String,
    "when": pl.String,
    "undone": pl.Boolean,
}
_SHOWN_IDS = 10  # unknown ids named in an error, at most
_TAIL_CHUNK = 65_536  # bytes read at a time when looking back for the last line end

log = logging.getLogger(__name__)


class MarksError(ValueError):
    """A mark that cannot be written (a bad tag, no ids, nothing to undo), or a marks file
    with a line that is not an event."""


class UnknownIdsError(MarksError):
    """Ids that are not rows of the analysis."""


def marks_path(analysis_dir: str | Path) -> Path:
    """Where the marks of the analysis in `analysis_dir` live: `<cache>/marks/<folder>.jsonl`,
    beside `<cache>/analyses/` (as monitors live in `<cache>/monitors/`)."""
    return beside_analysis(analysis_dir, MARKS, MARKS_SUFFIX)


def check_tag(mark: str) -> str:
    """`mark` when it is a usable tag (non-empty, no line break, at most 64 characters)."""
    if not isinstance(mark, str) or not mark.strip():
        raise MarksError(f"a mark must be a non-empty text, got {mark!r}")
    if "\n" in mark or "\r" in mark:
        raise MarksError(f"a mark must hold no line break, got {mark!r}")
    if len(mark) > MAX_TAG_LENGTH:
        raise MarksError(f"a mark has at most {MAX_TAG_LENGTH} characters; {mark[:24]!r}... has {len(mark)}")
    return mark


@dataclass(frozen=True)
class MarkEvent:
    """One line of a marks file."""

    line: int  # 1-based line number in the file
    event: str  # "mark" or "undo"
    ids: tuple[str, ...]
    mark: str
    note: str | None
    who: str | None
    when: str


@dataclass(frozen=True)
class MarksLog:
    """The events of a marks file as read at one moment, replayed."""

    events: tuple[MarkEvent, ...]
    undone: frozenset[int]  # lines of the mark events an undo cancelled
    problems: tuple[str, ...]  # what was ignored on read (a cut-off last line)

    def surviving(self) -> list[MarkEvent]:
        """The mark events no undo cancelled, in file order."""
        return [e for e in self.events if e.event == EVENT_MARK and e.line not in self.undone]

    def current(self) -> pl.DataFrame:
        """The latest surviving mark of every marked id: id, mark, note, who, when; the ids of
        the oldest surviving event first."""
        latest: dict[str, MarkEvent] = {}
        for event in self.surviving():
            for sample_id in event.ids:
                latest.pop(sample_id, None)  # re-inserted: the order follows the latest mark
                latest[sample_id] = event
        rows = [
            {"id": sample_id, "mark": e.mark, "note": e.note, "who": e.who, "when": e.when}
            for sample_id, e in latest.items()
        ]
        return pl.DataFrame(rows, schema=CURRENT_SCHEMA)

    def history(self) -> pl.DataFrame:
        """Every event in file order, with `undone` true on the mark events an undo cancelled."""
        rows = [
            {
                "line": e.line,
                "event": e.event,
                "ids": list(e.ids),
                "mark": e.mark,
                "note": e.note,
                "who": e.who,
                "when": e.when,
                "undone": e.line in self.undone,
            }
            for e in self.events
        ]
        return pl.DataFrame(rows, schema=HISTORY_SCHEMA)

    def snapshot(self, marks: Iterable[str] | None = None) -> dict[str, str]:
        """id -> current mark, sorted by id; only the ids marked with one of `marks` when given."""
        current = self.current()
        if marks is not None:
            current = current.filter(pl.col("mark").is_in(list(marks)))
        return dict(sorted(zip(current["id"].to_list(), current["mark"].to_list(), strict=True)))

    def counts(self) -> pl.DataFrame:
        """Rows per current mark (`mark`, `rows`), most used first."""
        return self.current().group_by("mark").len(name="rows").sort(["rows", "mark"], descending=[True, False])

    def last_surviving(self) -> MarkEvent | None:
        """The mark event an undo would cancel now."""
        surviving = self.surviving()
        return surviving[-1] if surviving else None


def read_log(path: str | Path) -> MarksLog:
    """Read and replay a marks file (a missing file holds no marks). A cut-off last line is
    ignored and reported; a complete line that is not an event raises MarksError."""
    path = Path(path)
    data = path.read_bytes() if path.is_file() else b""
    complete, _, torn = data.rpartition(b"\n")
    problems: list[str] = []
    if torn:
        problems.append(
            f"{path.name}: the last line is incomplete ({len(torn)} bytes without a line end, "
            "a write that was cut off); it was ignored"
        )
        log.warning("%s", problems[-1])
    events: list[MarkEvent] = []
    undone: set[int] = set()
    stack: list[MarkEvent] = []
    for number, raw in enumerate(complete.split(b"\n") if complete else [], start=1):
        if not raw.strip():
            continue
        event = _parse_event(raw, number, path)
        events.append(event)
        if event.event == EVENT_MARK:
            stack.append(event)
        elif stack:
            undone.add(stack.pop().line)
    return MarksLog(tuple(events), frozenset(undone), tuple(problems))


def _parse_event(raw: bytes, number: int, path: Path) -> MarkEvent:
    where = f"{path.name}, line {number}"
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MarksError(f"{where}: not a JSON line ({error})") from None
    if not isinstance(record, dict) or set(record) != set(EVENT_KEYS):
        found = sorted(record) if isinstance(record, dict) else type(record).__name__
        raise MarksError(f"{where}: a mark event has the keys {list(EVENT_KEYS)}, found {found}")
    ids = record["ids"]
    texts_or_null = all(record[key] is None or isinstance(record[key], str) for key in ("note", "who"))
    if (
        record["event"] not in (EVENT_MARK, EVENT_UNDO)
        or not isinstance(ids, list)
        or not all(isinstance(i, str) for i in ids)
        or not isinstance(record["mark"], str)
        or not isinstance(record["when"], str)
        or not texts_or_null
    ):
        raise MarksError(f"{where}: not a mark event: {raw[:200].decode('utf-8', 'replace')}")
    return MarkEvent(
        line=number,
        event=record["event"],
        ids=tuple(ids),
        mark=record["mark"],
        note=record["note"],
        who=record["who"],
        when=record["when"],
    )


def _event_line(event: str, ids: list[str], mark: str, note: str | None, who: str | None) -> bytes:
    record = {
        "ids": ids,
        "mark": mark,
        "note": note,
        "who": who,
        "when": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "event": event,
    }
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def _drop_torn_tail(fd: int, path: Path) -> None:
    """Cut a line a killed writer left without its line end, so the next line starts clean."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    end = size
    while end > 0:
        start = max(0, end - _TAIL_CHUNK)
        newline = os.pread(fd, end - start, start).rfind(b"\n")
        if newline >= 0:
            keep = start + newline + 1
            break
        end = start
    else:
        keep = 0
    os.ftruncate(fd, keep)
    log.warning("%s: dropped an incomplete last line (%d bytes) before appending", path.name, size - keep)


def _append_line(path: Path, line: bytes) -> None:
    """Append one whole line and make it durable; the caller holds the file's lock."""
    created = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        _drop_torn_tail(fd, path)
        written = os.write(fd, line)  # one write of the complete line
        while written < len(line):  # a short write (rare on a local file) finishes the same line
            written += os.write(fd, line[written:])
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:  # the new file's name must survive a crash too
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _optional_text(value: str | None) -> str | None:
    return None if value is None or not str(value).strip() else str(value)


class Marks:
    """The marks of one analysis: read them (`read`, `current`, `history`, `snapshot`), add one
    (`add`) and undo the last (`undo`). Every call reads the file anew, so marks another
    process added meanwhile are seen."""

    def __init__(self, path: Path, analysis: Analysis) -> None:
        self.path = path
        self.analysis = analysis

    @classmethod
    def for_analysis(cls, analysis_path: str | Path | Analysis, file: str | Path | None = None) -> Marks:
        """The marks of an analysis: its own file (`marks_path`), or the marks file `file`."""
        analysis = analysis_path if isinstance(analysis_path, Analysis) else Analysis.open(analysis_path)
        path = Path(file).expanduser().resolve() if file is not None else marks_path(analysis.path)
        return cls(path, analysis)

    @cached_property
    def known_ids(self) -> frozenset[str]:
        """Every row id of the analysis (training and reference rows)."""
        if "samples" in self.analysis.__dict__:  # already read by the caller: no second read
            ids = self.analysis.samples["id"]
        else:
            ids = pl.read_parquet(self.analysis.path / SAMPLES, columns=["id"])["id"]
        return frozenset(ids.cast(pl.String).to_list())

    def _lock(self) -> FileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(self.path.with_name(f".{self.path.name}.lock"))

    def check_ids(self, ids: Iterable[Any]) -> list[str]:
        """`ids` as text, without repeats, in order; raise UnknownIdsError naming the ids that
        are not rows of the analysis."""
        wanted = list(dict.fromkeys(str(i) for i in ids))
        unknown = [i for i in wanted if i not in self.known_ids]
        if unknown:
            shown = ", ".join(repr(i) for i in unknown[:_SHOWN_IDS])
            more = f" and {len(unknown) - _SHOWN_IDS} more" if len(unknown) > _SHOWN_IDS else ""
            raise UnknownIdsError(
                f"{len(unknown)} id(s) are not rows of analysis {self.analysis.name}: {shown}{more}"
            )
        return wanted

    def add(self, ids: Iterable[Any], mark: str, note: str | None = None, who: str | None = None) -> int:
        """Mark the rows `ids` with `mark` (one event); returns how many ids it marked."""
        check_tag(mark)
        wanted = self.check_ids(ids)
        if not wanted:
            raise MarksError("no ids to mark")
        line = _event_line(EVENT_MARK, wanted, mark, _optional_text(note), _optional_text(who))
        with self._lock():
            _append_line(self.path, line)
        return len(wanted)

    def undo(self, who: str | None = None) -> MarkEvent:
        """Undo the last mark event not undone yet (whoever made it); returns that event."""
        with self._lock():
            target = read_log(self.path).last_surviving()
            if target is None:
                raise MarksError(f"nothing to undo: {self.path.name} holds no mark that is not undone")
            _append_line(self.path, _event_line(EVENT_UNDO, list(target.ids), target.mark, None, _optional_text(who)))
        return target

    def read(self) -> MarksLog:
        """The file's events as they are now, replayed."""
        return read_log(self.path)

    def current(self) -> pl.DataFrame:
        """id, mark, note, who, when: the latest surviving mark of every marked id."""
        return self.read().current()

    def history(self) -> pl.DataFrame:
        """Every event: line, event, ids, mark, note, who, when, undone."""
        return self.read().history()

    def snapshot(self, marks: Iterable[str] | None = None) -> dict[str, str]:
        """id -> current mark (only those of `marks` when given), sorted by id: what an export
        rule records. Raises UnknownIdsError when the file names ids that are not rows of this
        analysis (a marks file of another analysis)."""
        snapshot = self.read().snapshot(marks)
        self.check_ids(snapshot)
        return snapshot
