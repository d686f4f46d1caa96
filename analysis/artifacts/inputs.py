"""Read one input set (training, toxic reference or benign reference) and normalise it.

Accepted files: JSON Lines (`.jsonl`, `.ndjson`, or `.json` holding JSON Lines), CSV and
Parquet. Accepted text layouts, in order of priority when several are present:

1. `messages`: OpenAI chat format, a list of `{role, content}`;
2. `prompt` + `response`;
3. `instruction` + `output` (alpaca; a non-blank `input` is appended to the instruction);
4. `text`.

Every problem with the input is an `InputError` that names the file, the row (1-based: the
line number for JSON Lines, the data row for CSV with the header excluded, the row index + 1
for Parquet) and what is wrong. Nothing is written anywhere.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

__all__ = [
    "ACCEPTED_LAYOUTS",
    "RESERVED_COLUMNS",
    "InputError",
    "InputTable",
    "carried_column_name",
    "detect_format",
    "file_sha256",
    "jsonl_record_lines",
    "load_table",
    "read_raw_table",
    "records_frame",
]

JSONL_EXTENSIONS = (".jsonl", ".ndjson", ".json")
CSV_EXTENSIONS = (".csv",)
PARQUET_EXTENSIONS = (".parquet", ".pq")

ACCEPTED_LAYOUTS = "`text`; `prompt` + `response`; `instruction` + `output`; or chat `messages`"

# Names the analysis itself writes into samples.parquet. A carried input column with one of
# these names (or starting with `score_`) is renamed `input_<name>` so it cannot shadow them.
RESERVED_COLUMNS = frozenset(
    {
        "id",
        "set",
        "text",
        "prompt",
        "response",
        "response_start",
        "source_row",
        "n_tokens",
        "n_windows",
        "x",
        "y",
        "cluster",
        "score",
        "nearest_toxic_cluster",
        "nearest_toxic_ids",
        "nearest_toxic_sims",
    }
)

# Input columns consumed by each text layout (they become text/prompt/response).
_LAYOUT_COLUMNS = {
    "messages": ("messages",),
    "prompt_response": ("prompt", "response"),
    "instruction_output": ("instruction", "input", "output"),
    "text": ("text",),
}

# The columns every normalised table starts with (then the carried input columns).
NORMALISED_COLUMNS = ("id", "text", "prompt", "response", "response_start", "source_row")

_CHAT_MESSAGE_DTYPE = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))
_INTEGER_DTYPES = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)


class InputError(ValueError):
    """Bad input: names the file, the row (1-based; None when not row-specific) and the problem."""

    def __init__(self, file: str | Path, problem: str, row: int | None = None):
        self.file = str(file)
        self.problem = problem
        self.row = row
        where = f"{self.file}: row {row}" if row is not None else self.file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class InputTable:
    """One input set, normalised. `frame` columns: id, text, prompt, response, response_start,
    source_row, then the carried input columns."""

    path: Path
    format: str
    sha256: str
    text_source: str
    frame: pl.DataFrame


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks so large files do not fill memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_format(path: Path) -> str:
    """Return "jsonl", "csv" or "parquet" from the file name (and, for `.json`, its content)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in CSV_EXTENSIONS:
        return "csv"
    if suffix in PARQUET_EXTENSIONS:
        return "parquet"
    if suffix in JSONL_EXTENSIONS:
        if suffix == ".json" and _first_non_space_byte(path) == b"[":
            raise InputError(
                path,
                "holds one JSON array, not JSON Lines (one object per line); convert it to .jsonl",
            )
        return "jsonl"
    raise InputError(
        path,
        f"unknown file type {suffix or '(no extension)'!r}; accepted: "
        ".jsonl, .ndjson, .json (JSON Lines), .csv, .parquet",
    )


def _first_non_space_byte(path: Path) -> bytes:
    with open(path, "rb") as handle:
        while chunk := handle.read(4096):
            stripped = chunk.lstrip()
            if stripped:
                return stripped[:1]
    return b""


def jsonl_record_lines(data: bytes) -> list[bytes]:
    """The lines of a JSON Lines file that hold a record (blank lines skipped), without their
    trailing newline. Index i is the line of `source_row` i."""
    return [line for line in data.split(b"\n") if line.strip()]


def _jsonl_record_line_numbers(data: bytes) -> list[int]:
    """1-based file line number of each record (blank lines skipped)."""
    return [number for number, line in enumerate(data.split(b"\n"), 1) if line.strip()]


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file") from None
    except OSError as err:
        raise InputError(path, f"cannot read the file: {err.strerror or err}") from None


def _check_utf8(path: Path, data: bytes, file_format: str) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        problem = f"invalid UTF-8 at byte {err.start} (line {line}); save the file as UTF-8"
        if file_format == "jsonl":
            raise InputError(path, problem, row=line) from None
        raise InputError(path, problem, row=_csv_data_row_at(data, err.start)) from None


def _csv_data_row_at(data: bytes, offset: int) -> int | None:
    """Data row (1-based, header excluded) that contains byte `offset`, honouring quoted
    newlines; None when the offset is inside the header."""
    prefix = data[:offset].decode("utf-8", errors="replace")
    # A sentinel character makes the record holding the offset count even when it is empty.
    try:
        records = sum(1 for _ in csv.reader(io.StringIO(prefix + "x", newline="")))
    except csv.Error:  # the bytes before it are not CSV either: no row to name
        return None
    return records - 1 if records > 1 else None


def plain_reader_message(error: BaseException) -> str:
    """The first line of a reader's (polars') error, without its advice to the programmer
    ("You might want to try: increasing infer_schema_length ...", "Consider setting ...")."""
    text = str(error).strip()
    first = text.split("\n\n", 1)[0].strip().splitlines()
    line = first[0].strip() if first else type(error).__name__
    return line.rstrip(":").strip() or type(error).__name__


def _parse_jsonl(path: Path, data: bytes) -> pl.DataFrame:
    try:
        frame = pl.read_ndjson(io.BytesIO(data), infer_schema_length=None)
    except Exception as polars_error:
        _locate_jsonl_error(path, data)
        _locate_jsonl_type_clash(path, data)
        raise InputError(path, f"cannot read as JSON Lines: {plain_reader_message(polars_error)}") from None
    return frame


def _locate_jsonl_error(path: Path, data: bytes) -> None:
    """polars does not say which line broke; find it with the standard parser."""
    for number, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            # decoded here, not by json.loads: given bytes, it guesses UTF-16/32 from NUL bytes
            value = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            raise InputError(path, "not valid UTF-8 text", row=number) from None
        except json.JSONDecodeError as err:
            raise InputError(
                path, f"malformed JSON: {err.msg} at column {err.colno}", row=number
            ) from None
        if not isinstance(value, dict):
            raise InputError(
                path,
                f"a JSON Lines row must be an object, found {type(value).__name__}",
                row=number,
            )


def _json_shape(value: object) -> str:
    """A readable name of a JSON value's kind, lists by their first element's kind."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        inner = next((item for item in value if item is not None), None)
        return "a list" if inner is None else f"a list of {_json_shape(inner).split(' ', 1)[1]}s"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return "a number"
    return "a string"


def _shapes_clash(first: str, other: str) -> bool:
    # polars turns numbers and true/false into strings when a column mixes them: not a problem
    scalar = ("a string", "a number", "a true/false value")
    return first != other and not (first in scalar and other in scalar)


def _locate_jsonl_type_clash(path: Path, data: bytes) -> None:
    """Name the first row where a field holds another kind of value than in the rows before
    (a list where the others hold text, objects in one row and numbers in another)."""
    seen: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        for key, value in json.loads(line).items():
            if value is None or (isinstance(value, list) and not value):
                continue
            shape = _json_shape(value)
            if key not in seen:
                seen[key] = (shape, number)
            elif _shapes_clash(seen[key][0], shape):
                first_shape, first_row = seen[key]
                raise InputError(
                    path, f"field {key!r} holds {shape} here but {first_shape} in row {first_row}", row=number
                )


def _locate_csv_error(path: Path, data: bytes) -> None:
    """polars does not say which row broke; find it with the standard csv reader.

    Reports an unclosed quote (at the row where it opens), or a row with more fields than
    the header. Rows are data rows, the header excluded."""
    reader = csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline=""), strict=True)
    header: list[str] | None = None
    index = 0  # data rows read so far
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            problem = str(err)
            if "unexpected end of data" in problem or "EOF" in problem:
                problem = "a quoted field is never closed (a \" without its closing \")"
            raise InputError(path, f"malformed CSV: {problem}", row=index + 1 if header is not None else None) from None
        if header is None:
            header = record
            continue
        index += 1
        if len(record) > len(header):
            raise InputError(path, f"has {len(record)} fields but the header names {len(header)} columns", row=index)


def _parse_csv(path: Path, data: bytes, typed: bool) -> pl.DataFrame:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        if not typed:
            return pl.read_csv(io.BytesIO(data), infer_schema=False)
        # Text, ids and chat columns stay strings ("007" is an id, not 7); others are inferred
        # from every row so a late odd value cannot break the read.
        text_columns = {"id", "messages"} | {c for cols in _LAYOUT_COLUMNS.values() for c in cols}
        return pl.read_csv(
            io.BytesIO(data),
            infer_schema_length=None,
            schema_overrides=dict.fromkeys(text_columns, pl.String),
        )
    except Exception as err:
        _locate_csv_error(path, data)
        raise InputError(path, f"cannot read as CSV: {plain_reader_message(err)}") from None


def _parse_parquet(path: Path, data: bytes) -> pl.DataFrame:
    try:
        return pl.read_parquet(io.BytesIO(data))
    except Exception as err:
        raise InputError(path, f"not a readable Parquet file: {plain_reader_message(err)}") from None


def read_raw_table(
    path: str | Path,
    file_format: str | None = None,
    typed: bool = True,
    data: bytes | None = None,
) -> pl.DataFrame:
    """The input file's own columns and rows, as polars reads them (no normalisation).

    `typed=False` reads CSV with every column as a string, so values round-trip as written.
    `data`, when given, is the file's content already read (and checked) by the caller.
    """
    path = Path(path).resolve()
    file_format = file_format or detect_format(path)
    if data is None:
        data = _read_bytes(path)
    _check_not_empty(path, data)
    return _parse(path, data, file_format, typed)


def _check_not_empty(path: Path, data: bytes) -> None:
    if not data.strip():
        raise InputError(path, "the file is empty")


def _parse(path: Path, data: bytes, file_format: str, typed: bool = True) -> pl.DataFrame:
    if file_format == "parquet":
        frame = _parse_parquet(path, data)
    else:
        _check_utf8(path, data, file_format)
        frame = (
            _parse_jsonl(path, data) if file_format == "jsonl" else _parse_csv(path, data, typed)
        )
    if frame.height == 0:
        raise InputError(
            path, "the file has no data rows" + (" (header only)" if file_format == "csv" else "")
        )
    return frame


def load_table(path: str | Path, role: str, min_rows: int = 1) -> InputTable:
    """Read one input set and normalise it to id, text, prompt, response, response_start,
    source_row plus the carried input columns. `role` ("train", "toxic", "benign") is used in
    messages about `min_rows`."""
    path = Path(path).resolve()
    file_format = detect_format(path)
    data = _read_bytes(path)
    _check_not_empty(path, data)
    raw = _parse(path, data, file_format)

    if file_format == "jsonl":
        line_numbers = _jsonl_record_line_numbers(data)
        if len(line_numbers) != raw.height:
            raise InputError(
                path, f"found {len(line_numbers)} non-blank lines but read {raw.height} rows"
            )

        def row_number(index: int) -> int:
            return line_numbers[index]
    else:

        def row_number(index: int) -> int:
            return index + 1

    if raw.height < min_rows:
        raise InputError(
            path,
            f"has {raw.height} row(s); the {role} set needs at least {min_rows} "
            f"for the analysis to be meaningful",
        )

    text_source = _pick_layout(path, raw.columns)
    frame = _normalise(path, raw, text_source, row_number)
    return InputTable(
        path=path,
        format=file_format,
        sha256=hashlib.sha256(data).hexdigest(),
        text_source=text_source,
        frame=frame,
    )


def records_frame(records: Iterable[str | Mapping[str, Any]], source: str = "query") -> pl.DataFrame:
    """In-memory rows normalised as `load_table` normalises a file's: a plain string is a `text`
    row, a mapping holds one of the accepted layouts (`text`, `prompt` + `response`, ...).

    Each row is read on its own, so rows of different layouts can be mixed; a bad row raises
    the `InputError` a file row would, naming `source` and the row (1-based). Columns: those
    of `InputTable.frame`, carried columns left out."""
    frames = []
    for index, record in enumerate(records):
        if isinstance(record, str):
            record = {"text": record}
        if not isinstance(record, Mapping):
            raise InputError(source, f"a row must be a text or a mapping, found {type(record).__name__}", row=index + 1)
        try:
            raw = pl.DataFrame([dict(record)])
        except Exception as error:
            raise InputError(source, f"cannot read the row: {plain_reader_message(error)}", row=index + 1) from None
        try:
            layout = _pick_layout(source, raw.columns)
        except InputError as error:
            raise InputError(source, error.problem, row=index + 1) from None
        frame = _normalise(source, raw, layout, lambda _, row=index + 1: row)
        frames.append(frame.select(NORMALISED_COLUMNS).with_columns(source_row=pl.lit(index, pl.Int64)))
    if not frames:
        raise InputError(source, "no rows to read")
    return pl.concat(frames, how="vertical_relaxed")


def _normalise(path: str | Path, raw: pl.DataFrame, text_source: str, row_number) -> pl.DataFrame:
    """id, text, prompt, response, response_start, source_row and the carried columns of `raw`."""
    texts = _compose_text(path, raw, text_source, row_number)
    _check_texts_not_blank(path, texts, row_number)
    ids = _make_ids(path, raw, texts["text"], row_number)

    consumed = set(_LAYOUT_COLUMNS[text_source]) | {"id"}
    carried = [name for name in raw.columns if name not in consumed]
    taken = {"id", "text", "prompt", "response", "response_start", "source_row"}
    renames = {}
    for name in carried:
        new_name = carried_column_name(name, taken)
        taken.add(new_name)
        renames[name] = new_name

    return pl.concat(
        [
            ids.to_frame("id"),
            texts,
            pl.DataFrame({"source_row": pl.int_range(raw.height, eager=True, dtype=pl.Int64)}),
            raw.select(carried).rename(renames),
        ],
        how="horizontal",
    )


def carried_column_name(name: str, taken: set[str] | frozenset[str] = RESERVED_COLUMNS) -> str:
    """The name a carried input column gets: prefixed `input_` (repeatedly, if needed) while it
    collides with a name the analysis uses or with one already taken."""
    while name in RESERVED_COLUMNS or name.startswith("score_") or name in taken:
        name = f"input_{name}"
    return name


def _pick_layout(path: str | Path, columns: list[str]) -> str:
    present = set(columns)
    if "messages" in present:
        return "messages"
    if {"prompt", "response"} <= present:
        return "prompt_response"
    if {"instruction", "output"} <= present:
        return "instruction_output"
    if "text" in present:
        return "text"
    raise InputError(
        path,
        f"no text field: found columns {sorted(present)}; accepted: {ACCEPTED_LAYOUTS}",
    )


def _require_string(path: Path, raw: pl.DataFrame, column: str) -> None:
    dtype = raw.schema[column]
    if dtype not in (pl.String, pl.Null):
        raise InputError(path, f"column {column!r} must hold text, found {dtype}")


def _first_row(mask: pl.Series) -> int | None:
    """Index of the first True in a boolean series, or None."""
    hits = mask.fill_null(False).arg_true()
    return int(hits[0]) if hits.len() else None


def _compose_text(path: Path, raw: pl.DataFrame, text_source: str, row_number) -> pl.DataFrame:
    """text, prompt, response, response_start for each row."""
    if text_source == "messages":
        return _compose_chat(path, raw, row_number)

    if text_source == "text":
        _require_string(path, raw, "text")
        return raw.select(
            pl.col("text").cast(pl.String),
            pl.lit(None, pl.String).alias("prompt"),
            pl.lit(None, pl.String).alias("response"),
            pl.lit(None, pl.Int32).alias("response_start"),
        )

    if text_source == "prompt_response":
        prompt_column, response_column = "prompt", "response"
        for column in (prompt_column, response_column):
            _require_string(path, raw, column)
        prompt = pl.col("prompt").cast(pl.String)
    else:
        prompt_column, response_column = "instruction", "output"
        for column in ("instruction", "output", *(["input"] if "input" in raw.columns else [])):
            _require_string(path, raw, column)
        prompt = pl.col("instruction").cast(pl.String)
        if "input" in raw.columns:
            extra = pl.col("input").cast(pl.String)
            has_extra = extra.is_not_null() & (extra.str.strip_chars() != "")
            prompt = pl.when(has_extra).then(prompt + "\n\n" + extra).otherwise(prompt)

    for column in (prompt_column, response_column):
        missing = _first_row(raw[column].is_null())
        if missing is not None:
            raise InputError(path, f"{column!r} is missing", row=row_number(missing))

    return raw.select(
        prompt.alias("prompt"), pl.col(response_column).cast(pl.String).alias("response")
    ).select(
        (pl.col("prompt") + "\n\n" + pl.col("response")).alias("text"),
        "prompt",
        "response",
        (pl.col("prompt").str.len_chars() + 2).cast(pl.Int32).alias("response_start"),
    )


def _chat_messages(path: Path, raw: pl.DataFrame, row_number) -> pl.Series:
    """The messages column as list[struct{role, content}], validated."""
    messages = raw["messages"]
    bad_shape = "messages must be a list of {role, content} objects with text role and content"
    if messages.dtype == pl.String:
        # CSV (or mixed JSON Lines) holds the chat as a JSON string per row: parse and check
        # each one so the error can name the row.
        parsed = []
        for index, value in enumerate(messages.to_list()):
            try:
                chat = json.loads(value) if value is not None else None
            except json.JSONDecodeError:
                shown = value if len(value) <= 60 else value[:59] + "…"
                raise InputError(
                    path, f"{bad_shape}; found the text {shown!r}, not a JSON list", row=row_number(index)
                ) from None
            if not isinstance(chat, list) or not all(
                isinstance(m, dict)
                and isinstance(m.get("role"), str)
                and isinstance(m.get("content"), str)
                for m in chat
            ):
                raise InputError(path, bad_shape, row=row_number(index))
            parsed.append([{"role": m["role"], "content": m["content"]} for m in chat])
        return pl.Series("messages", parsed, dtype=_CHAT_MESSAGE_DTYPE)

    inner = messages.dtype.inner if isinstance(messages.dtype, pl.List) else None
    if not isinstance(inner, pl.Struct):
        raise InputError(path, f"{bad_shape}; found {messages.dtype}")
    fields = {field.name: field.dtype for field in inner.fields}
    if fields.get("role") not in (pl.String,) or fields.get("content") not in (pl.String,):
        raise InputError(path, f"{bad_shape}; found message fields {fields}")
    return messages.list.eval(
        pl.struct(pl.element().struct.field("role"), pl.element().struct.field("content"))
    )


def _compose_chat(path: Path, raw: pl.DataFrame, row_number) -> pl.DataFrame:
    messages = _chat_messages(path, raw, row_number)
    empty = _first_row(messages.is_null() | (messages.list.len() == 0))
    if empty is not None:
        raise InputError(path, "messages is missing or an empty list", row=row_number(empty))

    lines = (
        messages.to_frame()
        .with_row_index("row")
        .explode("messages")
        .select(
            "row",
            pl.col("messages").struct.field("role").alias("role"),
            pl.col("messages").struct.field("content").alias("content"),
        )
    )
    incomplete = _first_row(lines["role"].is_null() | lines["content"].is_null())
    if incomplete is not None:
        raise InputError(
            path,
            "a message has no role or no content",
            row=row_number(int(lines["row"][incomplete])),
        )

    separator = 2  # len("\n\n")
    lines = lines.with_columns(
        line=pl.col("role") + ": " + pl.col("content"),
        position=pl.int_range(pl.len()).over("row"),
    ).with_columns(
        line_start=(pl.col("line").str.len_chars() + separator).cum_sum().over("row")
        - (pl.col("line").str.len_chars() + separator),
    )
    is_assistant = pl.col("role") == "assistant"
    lines = lines.with_columns(
        is_response=is_assistant
        & (pl.col("position") == pl.col("position").filter(is_assistant).max().over("row"))
    )
    per_row = lines.group_by("row", maintain_order=True).agg(
        text=pl.col("line").str.join("\n\n"),
        response=pl.col("content").filter("is_response").first(),
        line_start=pl.col("line_start").filter("is_response").first(),
        role_length=pl.col("role").filter("is_response").first().str.len_chars(),
    )
    return per_row.select(
        "text",
        pl.when(pl.col("line_start").is_null())
        .then(None)
        .when(pl.col("line_start") == 0)
        .then(pl.lit(""))
        .otherwise(pl.col("text").str.slice(0, pl.col("line_start") - separator))
        .alias("prompt"),
        "response",
        (pl.col("line_start") + pl.col("role_length") + 2).cast(pl.Int32).alias("response_start"),
    )


def _check_texts_not_blank(path: Path, texts: pl.DataFrame, row_number) -> None:
    blank = _first_row(texts["text"].is_null() | (texts["text"].str.strip_chars() == ""))
    if blank is not None:
        raise InputError(path, "the text is empty or only whitespace", row=row_number(blank))
    blank_response = _first_row(
        texts["response"].is_not_null() & (texts["response"].str.strip_chars() == "")
    )
    if blank_response is not None:
        raise InputError(
            path, "the response is empty or only whitespace", row=row_number(blank_response)
        )


def _make_ids(path: Path, raw: pl.DataFrame, texts: pl.Series, row_number) -> pl.Series:
    if "id" in raw.columns:
        ids = raw["id"]
        if ids.dtype not in (pl.String, pl.Null, *_INTEGER_DTYPES):
            raise InputError(
                path, f"the id column must hold strings or integers, found {ids.dtype}"
            )
        ids = ids.cast(pl.String)
        missing = _first_row(ids.is_null() | (ids.str.strip_chars() == ""))
        if missing is not None:
            raise InputError(path, "the id is missing or empty", row=row_number(missing))
        duplicated = _first_row(ids.is_duplicated())
        if duplicated is not None:
            value = ids[duplicated]
            first, second = (ids == value).arg_true().head(2).to_list()
            raise InputError(
                path,
                f"duplicate id {value!r} in rows {row_number(first)} and {row_number(second)}",
                row=row_number(second),
            )
        return ids.rename("id")

    # No ids: a stable id from the content, so the same text gets the same id in every run.
    hashes = pl.Series(
        "id", [hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] for text in texts.to_list()]
    )
    occurrence = hashes.to_frame().select(pl.int_range(pl.len()).over("id") + 1).to_series()
    return (
        pl.DataFrame({"id": hashes, "occurrence": occurrence})
        .select(
            pl.when(pl.col("occurrence") == 1)
            .then(pl.col("id"))
            .otherwise(pl.col("id") + "-" + pl.col("occurrence").cast(pl.String))
        )
        .to_series()
        .rename("id")
    )
