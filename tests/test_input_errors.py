"""Bad input is told in plain words: the file, the row, the problem, and nothing else.

The readers are fuzzed: random bytes under every accepted extension, and random JSON
lines of the accepted layouts, either load or raise the project's `InputError` (never a
polars error, never its advice to programmers).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.artifacts.inputs import InputError, load_table

POLARS_ADVICE = ("You might want to try", "infer_schema_length", "Consider setting", "schema_overrides", "context stack")


def error_for(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        load_table(path, "train")
    message = str(caught.value)
    assert not any(advice in message for advice in POLARS_ADVICE), message
    assert "\n" not in message, message
    assert message.startswith(str(path.resolve()))
    return caught.value


def test_csv_row_with_more_fields_than_the_header(tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    path.write_text("text,label\nhello,1\nworld,2,extra\nagain,3\n")
    error = error_for(path)
    assert error.row == 2
    assert error.problem == "has 3 fields but the header names 2 columns"


@pytest.mark.parametrize(
    ("content", "row"),
    [('text,label\n"hello,1\nworld,2\n', 1), ('text,label\nfine,1\nok,2\n"open,3\nmore,4\n', 3)],
)
def test_csv_quote_that_is_never_closed_names_the_row_where_it_opens(tmp_path: Path, content: str, row: int) -> None:
    path = tmp_path / "train.csv"
    path.write_text(content)
    error = error_for(path)
    assert error.row == row
    assert "quoted field is never closed" in error.problem


@pytest.mark.parametrize("data", [b"\x00\x00\x00\x00\x00", b"\x00\xc2\x80\x00\x00"])
def test_nul_bytes_in_json_lines_are_a_plain_error(tmp_path: Path, data: bytes) -> None:
    """Found by the fuzzer at 10,000 examples: the standard parser guessed UTF-16/32 from NULs."""
    path = tmp_path / "nul.jsonl"
    path.write_bytes(data)
    assert "row 1" in str(error_for(path))


def test_chat_messages_that_are_not_a_list_name_their_row(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    good = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    path.write_text(json.dumps(good) + "\n" + json.dumps({"messages": "just text"}) + "\n")
    error = error_for(path)
    assert error.row == 2
    assert "messages must be a list" in error.problem and "'just text'" in error.problem


def test_chat_messages_of_another_kind_name_their_row(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    good = {"messages": [{"role": "user", "content": "hi"}]}
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({"messages": [1, 2]}) + "\n")
    error = error_for(path)
    assert error.row == 3  # the file's line, blank lines counted
    assert "'messages'" in error.problem and "a list of numbers" in error.problem


# ---------------------------------------------------------------- fuzzing

FUZZ = settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _load(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / name
        path.write_bytes(data)
        try:
            load_table(path, "train")
        except InputError as error:
            assert not any(advice in str(error) for advice in POLARS_ADVICE), str(error)


@FUZZ
@given(name=st.sampled_from(["x.csv", "x.jsonl", "x.json", "x.parquet"]), data=st.binary(max_size=300))
def test_random_bytes_raise_only_input_errors(name: str, data: bytes) -> None:
    _load(name, data)


@FUZZ
@given(
    name=st.sampled_from(["x.csv", "x.jsonl"]),
    text=st.text(alphabet=st.sampled_from('ab,"\n\r \t{}[]:'), max_size=120),
)
def test_random_csv_like_text_raises_only_input_errors(name: str, text: str) -> None:
    _load(name, ("text,label\n" if name.endswith(".csv") else "") .encode() + text.encode())


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, width=32) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["role", "content", "x"]), inner, max_size=3),
    max_leaves=8,
)
FIELDS = ["text", "prompt", "response", "instruction", "output", "input", "messages", "id", "label"]
CHAT = st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]) | JSON_VALUES, "content": st.text(max_size=8) | JSON_VALUES}), max_size=3)
ROWS = st.lists(
    st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES | CHAT | st.text(max_size=12), max_size=4) | JSON_VALUES,
    min_size=1,
    max_size=6,
)


@FUZZ
@given(rows=ROWS, blank_lines=st.booleans())
def test_random_json_lines_raise_only_input_errors(rows: list, blank_lines: bool) -> None:
    separator = "\n\n" if blank_lines else "\n"
    _load("x.jsonl", separator.join(json.dumps(row) for row in rows).encode() + b"\n")


@FUZZ
@given(rows=st.lists(st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=10) | JSON_VALUES.map(json.dumps), max_size=4), min_size=1, max_size=5))
def test_random_csv_tables_raise_only_input_errors(rows: list[dict]) -> None:
    import csv
    import io

    columns = sorted({key for row in rows for key in row}) or ["text"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    _load("x.csv", out.getvalue().encode())
