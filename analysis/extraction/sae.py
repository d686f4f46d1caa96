"""SAEs: train one with sae-lens on token activations, or load a pretrained / local one.

The trained SAE is saved in sae-lens' own inference format (`cfg.json` +
`sae_weights.safetensors`) and always read back with `SAE.load_from_disk`, so a locally
trained SAE and a downloaded one go through the same code.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from analysis.config import SaeTrainingConfig
from analysis.stopping import raise_if_stopped

# Held-out texts for the explained variance: 5% of the tokens, at most this many.
HELDOUT_SHARE = 0.05
HELDOUT_MAX_TOKENS = 20_000


def sample_budget(cfg: SaeTrainingConfig) -> int:
    """Token activations kept to train an SAE: the training budget plus its held-out texts."""
    return cfg.training_tokens + HELDOUT_MAX_TOKENS


def _activation_batches(acts: Any, rows: Any, batch_size: int, seed: int) -> Iterator[Any]:
    """Endless shuffled batches of the token activations at `rows` (new order each epoch).

    Batches are gathered by index, so the (large) activation matrix is never copied whole.
    """
    import torch

    generator = torch.Generator().manual_seed(seed)
    n = len(rows)
    while True:
        order = rows[torch.randperm(n, generator=generator)]
        for start in range(0, n - batch_size + 1, batch_size):
            raise_if_stopped()  # sae-lens' loop has no stop of its own: each step asks here
            yield acts[order[start : start + batch_size]].float()
        if n < batch_size:
            raise_if_stopped()
            yield acts[rows[torch.randint(0, n, (batch_size,), generator=generator)]].float()


def heldout_texts(offsets: np.ndarray, share: float, max_tokens: int, seed: int) -> np.ndarray:
    """Whole texts held out of SAE training: a seeded random set covering about `share` of the
    tokens (at most `max_tokens`), so the explained variance is measured on unseen texts."""
    counts = np.diff(np.asarray(offsets))
    order = np.random.default_rng(seed).permutation(len(counts))
    budget = min(max_tokens, max(32, int(share * counts.sum())))
    taken = np.cumsum(counts[order])
    n_texts = int(np.searchsorted(taken, budget) + 1)
    # keep at least one text for training
    return np.sort(order[: min(n_texts, len(counts) - 1)])


def token_rows(offsets: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """Token-row indices of the given texts."""
    offsets = np.asarray(offsets)
    if len(texts) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(offsets[t], offsets[t + 1]) for t in texts]).astype(np.int64)


def trainer_config(cfg: SaeTrainingConfig, total: int, batch_size: int, n_batches_for_norm: int, device: str) -> Any:
    """sae-lens trainer settings: warm-up, then a plain cosine from `lr` to `lr_end`.

    `lr_decay_steps` stays 0: in sae-lens it is an extra linear decay to 0 appended after
    the main schedule, taking its steps from the cosine phase.
    """
    from sae_lens.config import LoggingConfig, SAETrainerConfig

    steps = total // batch_size
    return SAETrainerConfig(
        total_training_samples=total,
        train_batch_size_samples=batch_size,
        lr=cfg.lr,
        lr_end=cfg.lr_end,
        lr_scheduler_name="cosineannealing",
        lr_warm_up_steps=min(cfg.lr_warm_up_steps, max(steps - 1, 0)),
        lr_decay_steps=0,
        device=device,
        dead_feature_window=max(steps // 4, 1),
        feature_sampling_window=max(steps // 2, 1),
        logger=LoggingConfig(log_to_wandb=False),
        n_batches_for_norm_estimate=n_batches_for_norm,
    )


def training_sae(cfg: SaeTrainingConfig, d_in: int, device: str) -> Any:
    """A fresh sae-lens training SAE of the configured architecture."""
    from sae_lens import (
        JumpReLUTrainingSAE,
        JumpReLUTrainingSAEConfig,
        TopKTrainingSAE,
        TopKTrainingSAEConfig,
    )

    common = dict(d_in=d_in, d_sae=cfg.d_sae, dtype="float32", device=device, normalize_activations="expected_average_only_in")
    if cfg.architecture == "topk":
        return TopKTrainingSAE(TopKTrainingSAEConfig(k=cfg.k, aux_loss_coefficient=cfg.aux_loss_coefficient, **common))
    if cfg.architecture == "jumprelu":
        return JumpReLUTrainingSAE(JumpReLUTrainingSAEConfig(l0_coefficient=cfg.jumprelu_sparsity_coefficient, **common))
    raise ValueError(f"unknown SAE architecture {cfg.architecture!r}: use 'topk' or 'jumprelu'")


def train_sae(
    token_acts: np.ndarray,
    offsets: np.ndarray,
    cfg: SaeTrainingConfig,
    out_dir: Path,
    metadata: dict[str, Any],
    device: str = "cpu",
) -> dict[str, Any]:
    """Train a TopK or JumpReLU SAE with sae-lens' SAETrainer and save it to `out_dir`.

    `offsets` are the text boundaries of `token_acts` (text i owns rows offsets[i]:offsets[i+1]);
    whole texts are held out, and the statistics returned (explained variance, L0, dead
    latents) are measured on their tokens.
    """
    import torch
    from sae_lens.training.sae_trainer import SAETrainer

    torch.manual_seed(cfg.seed)
    acts = torch.from_numpy(np.ascontiguousarray(token_acts))
    n_tokens, d_in = acts.shape
    if n_tokens < 64:
        raise ValueError(f"only {n_tokens} tokens to train an SAE on: at least 64 are needed")
    held_texts = heldout_texts(offsets, share=HELDOUT_SHARE, max_tokens=HELDOUT_MAX_TOKENS, seed=cfg.seed)
    held_rows = token_rows(offsets, held_texts)
    is_train = np.ones(n_tokens, dtype=bool)
    is_train[held_rows] = False
    train_rows = torch.from_numpy(np.flatnonzero(is_train))
    heldout = acts[torch.from_numpy(held_rows)].float()
    batch_size = min(cfg.batch_size, len(train_rows))

    sae = training_sae(cfg, d_in, device)
    for key, value in metadata.items():
        sae.cfg.metadata[key] = value
    total = max(cfg.training_tokens // batch_size, 1) * batch_size
    trainer_cfg = trainer_config(cfg, total, batch_size, min(50, max(len(train_rows) // batch_size, 1)), device)
    started = time.perf_counter()
    trainer = SAETrainer(cfg=trainer_cfg, sae=sae, data_provider=_activation_batches(acts, train_rows, batch_size, cfg.seed))
    trained = trainer.fit()
    seconds = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    trained.save_inference_model(str(out_dir))

    inference = load_sae_from_disk(out_dir, device)
    quality = reconstruction_quality(inference, heldout)
    return {
        "architecture": cfg.architecture,
        "training_tokens": total,
        "available_tokens": int(n_tokens),
        "heldout_texts": int(len(held_texts)),
        "heldout_tokens": int(len(held_rows)),
        "seconds": round(seconds, 2),
        **quality,
    }


def reconstruction_quality(sae: Any, acts: Any) -> dict[str, float]:
    """Explained variance, mean L0 and dead-latent share of `sae` on activations `acts`."""
    import torch

    with torch.inference_mode():
        x = acts.to(sae.device).float()
        codes = sae.encode(x)
        recon = sae.decode(codes)
    residual = ((x - recon) ** 2).sum()
    total = ((x - x.mean(dim=0, keepdim=True)) ** 2).sum()
    fired = (codes > 0).any(dim=0)
    return {
        "explained_variance": round(float(1 - residual / total), 4),
        "mean_l0": round(float((codes > 0).sum(dim=1).float().mean()), 2),
        "dead_fraction_heldout": round(float(1 - fired.float().mean()), 4),
    }


def load_sae_from_disk(path: Path | str, device: str = "cpu") -> Any:
    from sae_lens import SAE

    return SAE.load_from_disk(str(path), device=device)


def load_sae(spec: str, device: str = "cpu") -> Any:
    """A local sae-lens folder, or `RELEASE/SAE_ID` from sae-lens' pretrained directory.

    SAE ids contain slashes themselves (`layer_12/width_16k/canonical`), so the release is
    the longest known release name that prefixes the spec.
    """
    path = Path(spec).expanduser()
    if path.is_dir():
        if not (path / "cfg.json").is_file():
            raise ValueError(f"{path}: not a sae-lens SAE folder (no cfg.json)")
        return load_sae_from_disk(path, device)
    from sae_lens import SAE
    from sae_lens.loading.pretrained_saes_directory import get_pretrained_saes_directory

    releases = get_pretrained_saes_directory()
    matches = [r for r in releases if spec.startswith(r + "/")]
    if not matches:
        raise ValueError(
            f"--sae {spec!r} is neither a local sae-lens folder nor RELEASE/SAE_ID of a known "
            "sae-lens release (e.g. gpt2-small-res-jb/blocks.8.hook_resid_pre)"
        )
    release = max(matches, key=len)
    sae_id = spec[len(release) + 1 :]
    return SAE.from_pretrained(release, sae_id, device=device)


def decoder_directions(sae: Any, latents: np.ndarray | None = None) -> np.ndarray:
    """Unit-norm decoder directions of `latents` (all when None), [n, d_in]."""
    import torch

    w = sae.W_dec.detach()
    if latents is not None:
        w = w[torch.as_tensor(np.asarray(latents), dtype=torch.long, device=w.device)]
    w = w.float().cpu().numpy()
    norms = np.linalg.norm(w, axis=1, keepdims=True)
    return w / np.maximum(norms, 1e-12)
