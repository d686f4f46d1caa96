"""Cache keys come only from what changes the result (docs/ARTIFACTS.md, "What an analysis id identifies")."""

from __future__ import annotations

from dataclasses import replace

from analysis.config import BuildConfig, ExtractConfig, SaeTrainingConfig
from analysis.pipeline.keys import step_keys

FINGERPRINT = [{"role": "train", "sha256": "0" * 64, "text_source": "text"}]


def keys(**extract):
    return step_keys(FINGERPRINT, BuildConfig(extract=ExtractConfig(**extract)))


def test_device_and_batch_size_do_not_change_any_key():
    base = keys()
    assert keys(device="cuda", batch_tokens=4096) == base
    assert keys(sae="release/some-sae", device="cpu").analysis == keys(sae="release/some-sae", device="cuda:1").analysis


def test_a_pretrained_sae_ignores_the_layer_and_the_training_settings():
    pretrained = keys(sae="gemma-scope-2b-pt-res-canonical/layer_12/width_16k/canonical")
    assert keys(sae="gemma-scope-2b-pt-res-canonical/layer_12/width_16k/canonical", layer=3, sae_training=SaeTrainingConfig(d_sae=4096)).analysis == pretrained.analysis


def test_settings_that_change_the_result_change_the_key():
    base = keys(model_dtype="float32")
    for changed in (keys(model_dtype="float32", layer=3), keys(model_dtype="float32", sae_training=SaeTrainingConfig(k=16)), keys(model_dtype="float32", pooling="max"), keys(model_dtype="float32", stride=100), keys(model_dtype="float32", window=128), keys(model_dtype="float32", sae="release/x"), keys(model_dtype="bfloat16")):
        assert changed.extract != base.extract and changed.analysis != base.analysis
    assert keys(model_dtype="bfloat16").sae != base.sae  # an SAE trained on other activations
    config = BuildConfig(extract=ExtractConfig(model_dtype="float32"))
    assert step_keys(FINGERPRINT, replace(config, clusters=replace(config.clusters, min_cluster_size=9))).extract == base.extract


def test_the_sae_width_defaults_per_model_and_an_explicit_width_wins():
    from analysis.config import DEFAULT_SAE_WIDTH, ENCODER, SMOLLM2, ExtractConfig

    assert ExtractConfig(model=ENCODER).resolved_sae_training().d_sae == DEFAULT_SAE_WIDTH == 2048
    assert ExtractConfig().resolved_sae_training().d_sae == 1024  # the default model is the chat LLM
    assert ExtractConfig(model=SMOLLM2).resolved_sae_training().d_sae == 1024
    chosen = ExtractConfig(model=SMOLLM2, sae_training=SaeTrainingConfig(d_sae=512))
    assert chosen.resolved_sae_training().d_sae == 512


def test_the_sae_k_defaults_per_model_and_an_explicit_k_wins():
    from analysis.config import DEFAULT_SAE_K, ENCODER, SMOLLM2, BuildConfig, ExtractConfig

    assert ExtractConfig(model=ENCODER).resolved_sae_training().k == DEFAULT_SAE_K == 32
    assert ExtractConfig(model=SMOLLM2).resolved_sae_training().k == 64  # block 20 needs it for 0.75 EV
    assert ExtractConfig(model=SMOLLM2, sae_training=SaeTrainingConfig(k=32)).resolved_sae_training().k == 32
    assert BuildConfig().resolved().extract.sae_training.k == 64  # the default model's, written in before keying


def test_a_build_config_resolves_the_models_layer_and_width():
    from analysis.config import ENCODER, SMOLLM2, BuildConfig, ExtractConfig

    resolved = BuildConfig(extract=ExtractConfig(model=SMOLLM2)).resolved()
    assert resolved.extract.layer == resolved.extract.read_layer == 20 and resolved.extract.sae_training.d_sae == 1024
    assert resolved.proximity.default_score == "rank_mean:score_knn+score_lexical_knn"
    assert BuildConfig().resolved() == resolved  # the default model is the chat LLM
    encoder = BuildConfig(extract=ExtractConfig(model=ENCODER)).resolved()
    assert encoder.extract.layer == 6 and encoder.proximity.default_score == "rank_mean:score_dense_knn+score_lexical_knn"
    assert BuildConfig(extract=ExtractConfig(model="org/other")).resolved().extract.layer == 6
    assert ExtractConfig(layer=3).read_layer == 3



def test_a_pretrained_sae_reads_its_own_model_unless_another_is_named(monkeypatch):
    """A packaged model's name (the default one, or the encoder an older analysis recorded) is
    no sae-lens model: the SAE's metadata decides; any other name is passed on."""
    from types import SimpleNamespace

    from analysis.config import ENCODER, SMOLLM2
    from analysis.extraction import sources
    from analysis.extraction.stream import activation_source

    asked: list[str | None] = []
    monkeypatch.setattr(sources, "SaeLensModelSource", lambda sae, model_name, *args, **kwargs: asked.append(model_name))
    metadata = SimpleNamespace(model_class_name="HookedTransformer", model_name="gpt2", hook_name="blocks.1.hook_resid_pre")
    sae = SimpleNamespace(cfg=SimpleNamespace(metadata=metadata))
    for model in (SMOLLM2, ENCODER, "org/my-gpt2"):
        activation_source(ExtractConfig(model=model, sae="release/id"), sae, "cpu")
    assert asked == [None, None, "org/my-gpt2"]
