import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from analysis.artifacts.inputs import InputError, detect_format, file_sha256, load_table

FRAME_HEAD = ["id", "text", "prompt", "response", "response_start", "source_row"]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def chat(*turns: tuple[str, str]) -> list[dict]:
    return [{"role": role, "content": content} for role, content in turns]


# ---------------------------------------------------------------- formats and layouts


def test_text_jsonl_with_ids_and_carried_columns(tmp_path):
    path = write_jsonl(
        tmp_path / "train.jsonl",
        [
            {"id": "a", "text": "hello", "label": 1, "cluster": 5},
            {"id": "b", "text": "world", "label": 0, "cluster": 6},
        ],
    )
    table = load_table(path, "train")
    assert table.format == "jsonl"
    assert table.text_source == "text"
    assert table.path == path.resolve()
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == file_sha256(path)
    frame = table.frame
    assert frame.columns == [*FRAME_HEAD, "label", "input_cluster"]
    assert frame["id"].to_list() == ["a", "b"]
    assert frame["text"].to_list() == ["hello", "world"]
    assert frame["prompt"].null_count() == 2
    assert frame["response_start"].dtype == pl.Int32
    assert frame["source_row"].dtype == pl.Int64
    assert frame["source_row"].to_list() == [0, 1]
    assert frame["label"].to_list() == [1, 0]


def test_prompt_response_composition(tmp_path):
    path = write_jsonl(
        tmp_path / "t.jsonl", [{"prompt": "Q?", "response": "A!", "text": "ignored"}]
    )
    table = load_table(path, "train")
    row = table.frame.row(0, named=True)
    assert table.text_source == "prompt_response"
    assert row["text"] == "Q?\n\nA!"
    assert row["response_start"] == len("Q?") + 2
    assert row["text"][row["response_start"] :] == "A!"
    # the unused `text` column is carried, renamed so it cannot shadow the composed text
    assert row["input_text"] == "ignored"


def test_instruction_output_appends_nonblank_input(tmp_path):
    path = tmp_path / "alpaca.csv"
    path.write_text(
        'instruction,input,output\nSum,"1 and 2",3\nGreet,,Hi\nSay,"  ",ok\n', encoding="utf-8"
    )
    table = load_table(path, "train")
    assert table.text_source == "instruction_output"
    assert table.frame["prompt"].to_list() == ["Sum\n\n1 and 2", "Greet", "Say"]
    assert table.frame["text"].to_list() == ["Sum\n\n1 and 2\n\n3", "Greet\n\nHi", "Say\n\nok"]
    assert "input" not in table.frame.columns


def test_chat_messages_last_assistant_is_response(tmp_path):
    rows = [
        {"messages": chat(("system", "Be kind."), ("user", "hi"), ("assistant", "hello"))},
        {
            "messages": chat(
                ("assistant", "a1"), ("user", "u"), ("assistant", "a2"), ("user", "bye")
            )
        },
        {"messages": chat(("user", "only a question"))},
        {"messages": chat(("assistant", "first line"))},
    ]
    table = load_table(write_jsonl(tmp_path / "chat.jsonl", rows), "train")
    frame = table.frame
    assert table.text_source == "messages"
    assert frame["text"][0] == "system: Be kind.\n\nuser: hi\n\nassistant: hello"
    assert frame["prompt"][0] == "system: Be kind.\n\nuser: hi"
    assert frame["response"].to_list() == ["hello", "a2", None, "first line"]
    assert frame["prompt"][1] == "assistant: a1\n\nuser: u"
    assert frame["prompt"][3] == ""
    assert frame["response_start"][2] is None
    for row in frame.filter(pl.col("response").is_not_null()).iter_rows(named=True):
        start = row["response_start"]
        assert row["text"][start : start + len(row["response"])] == row["response"]


def test_chat_offsets_count_characters_not_bytes(tmp_path):
    rows = [{"messages": chat(("user", "héllo 🙂"), ("assistant", "ça va"))}]
    row = load_table(write_jsonl(tmp_path / "c.jsonl", rows), "train").frame.row(0, named=True)
    assert row["text"][row["response_start"] :] == "ça va"


def test_chat_messages_in_csv_as_json_string(tmp_path):
    path = tmp_path / "chat.csv"
    pl.DataFrame({"messages": [json.dumps(chat(("user", "q"), ("assistant", "a")))]}).write_csv(
        path
    )
    frame = load_table(path, "train").frame
    assert frame["text"].to_list() == ["user: q\n\nassistant: a"]
    assert frame["response"].to_list() == ["a"]


def test_parquet_with_chat_and_integer_ids(tmp_path):
    path = tmp_path / "t.parquet"
    pl.DataFrame(
        {
            "id": [10, 11],
            "messages": [chat(("user", "q"), ("assistant", "a")), chat(("user", "z"))],
            "set": ["x", "y"],
        }
    ).write_parquet(path)
    table = load_table(path, "toxic")
    assert table.format == "parquet"
    assert table.frame["id"].to_list() == ["10", "11"]
    assert table.frame["input_set"].to_list() == ["x", "y"]


def test_csv_keeps_string_ids_and_types_other_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        'id,text,label,score_x\n007,"multi\nline",1,0.5\n8,b,0,0.25\n', encoding="utf-8"
    )
    frame = load_table(path, "train").frame
    assert frame["id"].to_list() == ["007", "8"]
    assert frame["text"].to_list() == ["multi\nline", "b"]
    assert frame["label"].dtype == pl.Int64
    assert frame.columns[-1] == "input_score_x"


def test_content_ids_are_stable_and_deduplicated(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"text": "same"}\n\n{"text": "same"}\n{"text": "other"}\n{"text": "same"}\n')
    ids = load_table(path, "train").frame["id"].to_list()
    base = hashlib.sha256(b"same").hexdigest()[:16]
    assert ids == [base, f"{base}-2", hashlib.sha256(b"other").hexdigest()[:16], f"{base}-3"]
    assert load_table(path, "train").frame["id"].to_list() == ids


def test_json_extension_with_json_lines_is_accepted(tmp_path):
    path = write_jsonl(tmp_path / "t.json", [{"text": "x"}])
    assert detect_format(path) == "jsonl"
    assert load_table(path, "train").frame["text"].to_list() == ["x"]


def test_blank_lines_do_not_shift_source_rows(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"id": "a", "text": "x"}\n\n  \n{"id": "b", "text": "y"}\n')
    assert load_table(path, "train").frame["source_row"].to_list() == [0, 1]


# ---------------------------------------------------------------- errors


def error_for(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        load_table(path, kwargs.pop("role", "train"), **kwargs)
    return caught.value


def test_error_message_format():
    assert str(InputError("f.jsonl", "bad", row=3)) == "f.jsonl: row 3: bad"
    assert str(InputError("f.jsonl", "bad")) == "f.jsonl: bad"


def test_missing_file(tmp_path):
    err = error_for(tmp_path / "nope.jsonl")
    assert "not found" in err.problem and err.file.endswith("nope.jsonl")


def test_folder_instead_of_file(tmp_path):
    (tmp_path / "d.jsonl").mkdir()
    assert "folder" in error_for(tmp_path / "d.jsonl").problem


def test_unknown_extension(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("hello")
    assert "unknown file type '.txt'" in error_for(path).problem


def test_json_array_is_refused(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('[{"text": "x"}]')
    assert "JSON Lines" in error_for(path).problem


@pytest.mark.parametrize(
    ("name", "content"), [("e.jsonl", ""), ("e.jsonl", "\n \n"), ("e.csv", "")]
)
def test_empty_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    assert "empty" in error_for(path).problem


def test_header_only_csv(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("id,text\n")
    assert "no data rows" in error_for(path).problem


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "ok"}\n{"text": "bad \xff"}\n')
    err = error_for(path)
    assert err.row == 3 and "UTF-8" in err.problem


def test_invalid_utf8_in_csv_names_the_data_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b'text\n"two\nlines"\nok\nbad \xfe\n')
    err = error_for(path)
    assert err.row == 3 and "UTF-8" in err.problem


def test_malformed_json_line(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"text": "a"}\n\n{"text": "b"\n{"text": "c"}\n')
    err = error_for(path)
    assert err.row == 3 and "malformed JSON" in err.problem


def test_line_that_is_not_an_object(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"text": "a"}\n[1, 2]\n')
    err = error_for(path)
    assert err.row == 2 and "must be an object" in err.problem


def test_no_text_field_lists_found_and_accepted(tmp_path):
    err = error_for(write_jsonl(tmp_path / "t.jsonl", [{"body": "x", "prompt": "y"}]))
    assert "['body', 'prompt']" in err.problem and "instruction" in err.problem


def test_whitespace_text_names_the_row(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"text": "a"}\n\n{"text": "  \\n "}\n')
    err = error_for(path)
    assert err.row == 3 and "empty" in err.problem


def test_missing_text_in_csv_names_the_data_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,text\n1,a\n2,\n")
    assert error_for(path).row == 2


def test_missing_response_names_the_row(tmp_path):
    err = error_for(
        write_jsonl(tmp_path / "t.jsonl", [{"prompt": "q", "response": "a"}, {"prompt": "q"}])
    )
    assert err.row == 2 and "'response'" in err.problem


@pytest.mark.parametrize(
    "messages",
    [
        "just text",
        [{"role": "user"}],
        [{"role": "user", "content": ["parts"]}, 3],
    ],
)
def test_messages_of_the_wrong_shape(tmp_path, messages):
    rows = [{"messages": chat(("user", "q"), ("assistant", "a"))}, {"messages": messages}]
    err = error_for(write_jsonl(tmp_path / "t.jsonl", rows))
    assert "role" in err.problem


def test_messages_json_string_of_wrong_shape_in_csv(tmp_path):
    path = tmp_path / "t.csv"
    pl.DataFrame({"messages": [json.dumps(chat(("user", "q"))), '{"role": "user"}']}).write_csv(
        path
    )
    err = error_for(path)
    assert err.row == 2 and "{role, content}" in err.problem


def test_empty_messages_list(tmp_path):
    err = error_for(
        write_jsonl(tmp_path / "t.jsonl", [{"messages": chat(("user", "q"))}, {"messages": []}])
    )
    assert err.row == 2


def test_null_id(tmp_path):
    err = error_for(
        write_jsonl(tmp_path / "t.jsonl", [{"id": "a", "text": "x"}, {"id": None, "text": "y"}])
    )
    assert err.row == 2 and "id" in err.problem


def test_duplicate_ids_name_both_rows(tmp_path):
    rows = [{"id": "a", "text": "x"}, {"id": "b", "text": "y"}, {"id": "a", "text": "z"}]
    err = error_for(write_jsonl(tmp_path / "t.jsonl", rows))
    assert "duplicate id 'a' in rows 1 and 3" in err.problem


def test_duplicate_ids_in_csv_use_data_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,text\nx,a\nx,b\n")
    assert "rows 1 and 2" in error_for(path).problem


def test_float_ids_are_refused(tmp_path):
    err = error_for(write_jsonl(tmp_path / "t.jsonl", [{"id": 1.5, "text": "x"}]))
    assert "id column" in err.problem


def test_too_few_rows_says_how_many_and_why(tmp_path):
    path = write_jsonl(tmp_path / "t.jsonl", [{"text": "x"}, {"text": "y"}])
    err = error_for(path, role="toxic", min_rows=5)
    assert "has 2 row(s)" in err.problem and "toxic set needs at least 5" in err.problem


def test_unreadable_parquet(tmp_path):
    path = tmp_path / "t.parquet"
    path.write_bytes(b"PAR1 this is not parquet PAR1")
    assert "not a readable Parquet file" in error_for(path).problem


def test_parquet_errors_use_row_index_plus_one(tmp_path):
    path = tmp_path / "t.parquet"
    pl.DataFrame({"text": ["a", "b", " "]}).write_parquet(path)
    assert error_for(path).row == 3
