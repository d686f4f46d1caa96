"""The real-model path: an SAE in sae-lens' disk format whose metadata names its model and hook.

The hub is out of reach in tests, so the test builds a tiny GPT-2-style causal LM from a
config and a word-level tokenizer, saves both locally, and saves a TopK SAE for its first
block in sae-lens' own format; `--sae PATH` then goes through sae-lens' `load_from_disk`
and `load_model` exactly as a downloaded release would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from pipeline_fixtures import write_inputs

from analysis.config import BuildConfig, ClusterConfig, ExtractConfig
from analysis.extraction.sae import load_sae
from analysis.pipeline.build import build
from analysis.pipeline.inputs import BuildInputs

ROOT = Path(__file__).resolve().parent.parent
D_MODEL = 32
CONTEXT = 24


def _tiny_model(folder: Path, corpus: list[str]) -> Path:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(corpus, trainers.WordLevelTrainer(special_tokens=["[UNK]", "[PAD]", "[BOS]"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", bos_token="[BOS]")
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=fast.vocab_size, n_positions=64, n_embd=D_MODEL, n_layer=2, n_head=2)
    model = GPT2LMHeadModel(config)
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


def _tiny_sae(folder: Path, model_dir: Path) -> Path:
    import torch
    from sae_lens import TopKSAE, TopKSAEConfig
    from sae_lens.saes.sae import SAEMetadata

    torch.manual_seed(1)
    cfg = TopKSAEConfig(
        d_in=D_MODEL,
        d_sae=128,
        k=6,
        metadata=SAEMetadata(
            model_name=str(model_dir),
            model_class_name="AutoModelForCausalLM",
            hook_name="transformer.h.0",
            context_size=CONTEXT,
            prepend_bos=True,
        ),
    )
    sae = TopKSAE(cfg)
    with torch.no_grad():
        for name in ("W_enc", "W_dec"):
            getattr(sae, name).normal_(0, 0.3)
    sae.save_model(folder)
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("pretrained")
    paths = write_inputs(root / "inputs")
    corpus = []
    for path in paths.values():
        for line in path.read_text().splitlines():
            row = json.loads(line)
            corpus.append(row.get("text") or f"{row['prompt']} {row['response']}")
    model_dir = _tiny_model(root / "model", corpus)
    sae_dir = _tiny_sae(root / "sae", model_dir)
    return {"root": root, "paths": paths, "model": model_dir, "sae": sae_dir}


def test_local_sae_folder_loads_with_its_metadata(tiny):
    sae = load_sae(str(tiny["sae"]))
    assert sae.cfg.metadata.hook_name == "transformer.h.0"
    assert sae.cfg.d_sae == 128


def test_unknown_sae_spec_is_a_clear_error():
    with pytest.raises(ValueError, match="neither a local sae-lens folder nor RELEASE/SAE_ID"):
        load_sae("no-such-release/blocks.0.hook_resid_pre")


def test_build_with_a_pretrained_style_sae(tiny):
    paths = tiny["paths"]
    config = BuildConfig(
        extract=ExtractConfig(sae=str(tiny["sae"]), window=CONTEXT, stride=16),
        clusters=ClusterConfig(min_cluster_size=5, feature_min_cluster_size=4),
    )
    folder = build(BuildInputs(paths["train"], paths["toxic"], paths["benign"]), config, tiny["root"] / "cache", progress=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model"]["hook"] == "transformer.h.0"
    assert manifest["model"]["name"] == str(tiny["model"])
    assert manifest["sae"]["source"] == "local folder" and manifest["sae"]["d_sae"] == 128
    assert not (folder / "sae").exists()  # the SAE stays where it is; the manifest names it
    samples = pl.read_parquet(folder / "samples.parquet")
    # the context of 24 tokens forces windows on most prompt/response rows
    assert manifest["counts"]["windowed_samples"] > 10
    assert samples.filter(pl.col("set") == "train")["score_knn"].is_finite().all()
    activations = pl.read_parquet(folder / "activations.parquet")
    assert activations["features"].list.len().min() > 0
    assert activations["features"].explode().max() < 128


def test_pretrained_activations_match_a_direct_forward_pass(tiny):
    """Windowed reading must give the same hook activations as running the model directly."""
    import torch

    from analysis.extraction.encode import read_token_activations
    from analysis.extraction.sources import SaeLensModelSource

    sae = load_sae(str(tiny["sae"]))
    source = SaeLensModelSource(sae, None, window=64)
    text = "Use parameterised queries to keep user input out of SQL ."
    acts = read_token_activations([text], source, stride=16, batch_tokens=1024)
    tokens = [source.tokenizer.bos_token_id, *source.tokenizer(text, add_special_tokens=False)["input_ids"]]
    with torch.inference_mode():
        _, cache = source.model.run_with_cache(torch.tensor([tokens]), names_filter=["transformer.h.0"])
    direct = cache["transformer.h.0"][0, 1:].numpy()
    np.testing.assert_allclose(acts.values.astype(np.float32), direct, rtol=2e-2, atol=2e-2)


def test_cli_accepts_a_sae_folder(tiny):
    paths = tiny["paths"]
    result = subprocess.run(
        [
            sys.executable, "-m", "analysis", "build", "--train", str(paths["train"]), "--toxic", str(paths["toxic"]),
            "--sae", str(tiny["sae"]), "--out", str(tiny["root"] / "cli-cache"), "--min-cluster-size", "5", "--quiet",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip().splitlines()[-1])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["inputs"]["benign"] is None
    assert any("no benign reference" in note for note in manifest["notes"])
