"""The local SAE's training schedule and its held-out measurement."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.config import SaeTrainingConfig
from analysis.extraction.sae import (
    heldout_texts,
    token_rows,
    train_sae,
    trainer_config,
    training_sae,
)


def _learning_rates(cfg: SaeTrainingConfig, steps: int) -> list[float]:
    import torch
    from sae_lens.training.sae_trainer import SAETrainer

    batch = 64
    sae = training_sae(cfg, d_in=8, device="cpu")
    data = iter(lambda: torch.randn(batch, 8), None)
    trainer = SAETrainer(cfg=trainer_config(cfg, steps * batch, batch, 1, "cpu"), sae=sae, data_provider=data)
    rates = []
    for _ in range(steps):
        rates.append(trainer.optimizer.param_groups[0]["lr"])
        trainer.optimizer.step()
        trainer.lr_scheduler.step()
    return rates


def test_schedule_is_warm_up_then_plain_cosine_to_lr_end():
    cfg = SaeTrainingConfig(d_sae=16, k=4, lr=5e-3, lr_end=5e-4, lr_warm_up_steps=10)
    rates = np.array(_learning_rates(cfg, steps=73))
    assert rates[:10].max() <= cfg.lr * 1.0001  # linear warm-up
    assert rates[9] == pytest.approx(cfg.lr, rel=1e-3)
    cosine = rates[10:]
    assert np.all(np.diff(cosine) <= 1e-12)  # monotone decay after warm-up
    # a plain cosine spends half its steps above the midpoint of lr and lr_end
    midpoint = (cfg.lr + cfg.lr_end) / 2
    assert abs((cosine > midpoint).mean() - 0.5) < 0.1
    assert cosine.min() >= cfg.lr_end * 0.999  # never decays to 0
    assert cosine[-1] == pytest.approx(cfg.lr_end, rel=0.05)


def test_heldout_is_whole_texts():
    offsets = np.array([0, 10, 25, 40, 41, 80, 100])
    held = heldout_texts(offsets, share=0.2, max_tokens=1000, seed=0)
    assert 0 < len(held) < len(offsets) - 1
    rows = token_rows(offsets, held)
    expected = sum(offsets[t + 1] - offsets[t] for t in held)
    assert len(rows) == expected
    for t in held:  # every token of a held-out text is held out
        assert set(range(offsets[t], offsets[t + 1])) <= set(rows.tolist())


def test_train_sae_reports_heldout_texts(tmp_path):
    rng = np.random.default_rng(0)
    acts = rng.normal(size=(3000, 8)).astype(np.float16)
    offsets = np.arange(0, 3001, 30)
    cfg = SaeTrainingConfig(d_sae=16, k=4, batch_size=256, training_tokens=2048, lr_warm_up_steps=2)
    meta = {"model_name": "tiny", "hook_name": "encoder.layer.0", "model_class_name": "AutoModel", "context_size": 32, "prepend_bos": False}
    stats = train_sae(acts, offsets, cfg, tmp_path / "sae", meta)
    assert stats["heldout_texts"] >= 1
    assert stats["heldout_tokens"] == 30 * stats["heldout_texts"]
    assert (tmp_path / "sae" / "cfg.json").is_file()
