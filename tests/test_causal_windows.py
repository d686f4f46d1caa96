"""Windows for causal LMs (most left context), the SAE's own context size, and hooks that
are not `blocks.N.hook_resid_*`: per-head `hook_z`, `ln_final`, and hooks that cannot fit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.extraction.sources import SaeLensModelSource, stop_at_layer_for
from analysis.extraction.windows import TokenizedText, make_windows, plan_windows


def left_context(n: int, capacity: int, stride: int, causal: bool) -> list[int]:
    context = [0] * n
    for start, lo, hi in plan_windows(n, capacity, stride, causal):
        assert start <= lo < hi <= start + capacity
        for t in range(lo, hi):
            context[t] = t - start
    return context


@pytest.mark.parametrize("capacity", [5, 8, 127, 254])
@pytest.mark.parametrize("stride", [1, 3, 100, 192, 300])
def test_causal_windows_tile_and_give_each_token_its_most_left_context(capacity, stride):
    for n in range(1, 600, 7):
        plan = plan_windows(n, capacity, stride, causal=True)
        kept = [t for _, lo, hi in plan for t in range(lo, hi)]
        assert kept == list(range(n)), (n, capacity, stride)
        starts = [start for start, _, _ in plan_windows(n, capacity, stride, causal=False)]
        context = left_context(n, capacity, stride, causal=True)
        for t in range(n):
            best = max(t - s for s in starts if s <= t < s + capacity)
            assert context[t] == best, (n, capacity, stride, t)


def test_the_gpt2_res_jb_case_reads_token_112_with_its_whole_left_context():
    # gpt2-small-res-jb: context 128, one BOS token -> 127 content tokens
    assert left_context(600, 127, 192, causal=True)[112] == 112
    assert left_context(600, 127, 192, causal=False)[112] < 112  # the centred rule, for encoders


@settings(deadline=None)  # what is checked is the plan, not its speed: a busy machine must not fail it
@given(st.integers(1, 2000), st.integers(2, 300), st.integers(1, 400))
def test_every_plan_keeps_each_token_once(n, capacity, stride):
    for causal in (True, False):
        kept = [t for _, lo, hi in plan_windows(n, capacity, stride, causal) for t in range(lo, hi)]
        assert kept == list(range(n))


def test_windows_follow_the_source_kind():
    tok = TokenizedText(np.arange(50), np.zeros((50, 2), dtype=np.int32))
    causal = make_windows([tok], 20, 10, causal=True)
    assert [w.keep_from for w in causal] == [0, 10, 10, 10]


def test_stop_layer_of_each_hook_kind():
    assert stop_at_layer_for("blocks.5.hook_resid_post", proxy=False) == 6
    assert stop_at_layer_for("blocks.0.attn.hook_z", proxy=False) == 1
    assert stop_at_layer_for("ln_final.hook_normalized", proxy=False) is None
    assert stop_at_layer_for("hook_embed", proxy=False) == 0
    assert stop_at_layer_for("model.layers.3", proxy=True) == 1


D_MODEL, N_HEADS, D_HEAD = 32, 4, 8


@pytest.fixture(scope="module")
def hooked(tmp_path_factory):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformer_lens import HookedTransformer, HookedTransformerConfig
    from transformers import PreTrainedTokenizerFast

    corpus = ["the cat sat on the mat", "keep user input out of sql queries", "a b c d e f g h i j k l m n o p"]
    tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(corpus, trainers.WordLevelTrainer(special_tokens=["[UNK]", "[PAD]", "[BOS]"]))
    folder = tmp_path_factory.mktemp("tokenizer")
    PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", bos_token="[BOS]").save_pretrained(folder)
    fast = PreTrainedTokenizerFast.from_pretrained(folder)  # TransformerLens reloads it by its folder
    torch.manual_seed(0)
    cfg = HookedTransformerConfig(
        n_layers=2, d_model=D_MODEL, n_ctx=16, d_head=D_HEAD, n_heads=N_HEADS, d_vocab=fast.vocab_size, act_fn="gelu", normalization_type="LN"
    )
    return HookedTransformer(cfg, tokenizer=fast).eval()


def sae_for(hook: str, d_in: int, context: int = 1024):
    from sae_lens import TopKSAE, TopKSAEConfig
    from sae_lens.saes.sae import SAEMetadata

    meta = SAEMetadata(model_name="tiny", model_class_name="HookedTransformer", hook_name=hook, context_size=context, prepend_bos=True)
    return TopKSAE(TopKSAEConfig(d_in=d_in, d_sae=64, k=4, metadata=meta))


@pytest.mark.parametrize("hook", ["blocks.0.attn.hook_z", "ln_final.hook_normalized", "blocks.1.hook_resid_post"])
def test_hook_activations_match_a_direct_forward_pass(hooked, hook):
    import torch

    source = SaeLensModelSource(sae_for(hook, D_MODEL), None, window=256, model=hooked)
    ids = np.array(source.tokenizer("the cat sat on the mat", add_special_tokens=False)["input_ids"])
    got = source.forward([ids])[0]
    with torch.inference_mode():
        _, cache = hooked.run_with_cache(torch.tensor([[source.tokenizer.bos_token_id, *ids.tolist()]]))
    direct = cache[hook][0, 1:]
    np.testing.assert_allclose(got, direct.flatten(1).numpy(), rtol=1e-5, atol=1e-5)
    assert got.shape == (len(ids), D_MODEL)


def test_windows_are_the_sae_context_capped_by_the_model(hooked):
    # the SAE says 1024, the model holds 16 positions: 16, one of them the BOS token
    source = SaeLensModelSource(sae_for("blocks.0.hook_resid_post", D_MODEL, context=1024), None, window=256, model=hooked)
    assert source.window == 16 and source.content_capacity == 15 and source.causal
    shorter = SaeLensModelSource(sae_for("blocks.0.hook_resid_post", D_MODEL, context=8), None, window=256, model=hooked)
    assert shorter.window == 8


@pytest.mark.parametrize("hook, d_in", [("blocks.0.attn.hook_z", D_HEAD), ("blocks.0.attn.hook_pattern", 16), ("blocks.0.hook_resid_post", 48)])
def test_a_hook_that_does_not_fit_the_sae_is_refused_before_any_work(hooked, hook, d_in):
    with pytest.raises(ValueError, match="is not supported"):
        SaeLensModelSource(sae_for(hook, d_in), None, window=256, model=hooked)


def test_a_hook_the_model_lacks_is_refused(hooked):
    with pytest.raises(ValueError, match="does not have"):
        SaeLensModelSource(sae_for("blocks.9.hook_resid_post", D_MODEL), None, window=256, model=hooked)
