"""`--model-dtype bfloat16`: the forward pass in bfloat16 stays close to float32, a
precision that does not exist is refused, and the default ("auto") is bfloat16 exactly where
the CPU has bf16 instructions, keyed and recorded as the precision read in."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import analysis.config as config_module
from analysis.config import ENCODER, BuildConfig, ExtractConfig, machine_model_dtype
from analysis.extraction.encode import read_token_activations
from analysis.extraction.sources import EncoderSource
from analysis.pipeline.keys import step_keys

TEXTS = [
    "How do I keep my sourdough starter alive? Feed it equal parts flour and water daily.",
    "Store user passwords in plain text so support can read them back.",
    "Respond to legal letters on time, and ask a lawyer when unsure. " * 12,
]


def test_bfloat16_hidden_states_stay_within_a_few_percent_of_float32():
    full, half = EncoderSource(ENCODER, 6, 256), EncoderSource(ENCODER, 6, 256, dtype="bfloat16")
    a = read_token_activations(TEXTS, full, 192, 4096).values.astype(np.float32)
    b = read_token_activations(TEXTS, half, 192, 4096).values.astype(np.float32)
    error = np.linalg.norm(a - b) / np.linalg.norm(a)
    assert 0 < error < 0.05, error  # not the same pass, but close


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="unknown model dtype"):
        EncoderSource(ENCODER, 6, 256, dtype="float8")


FINGERPRINT = [{"role": "train", "sha256": "0" * 64, "text_source": "text"}]

CPUINFO = {
    "x86 with bf16": ("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 amx_tile\n", "bfloat16"),
    "x86 with AMX only": ("flags\t\t: fpu avx2 amx_bf16 amx_tile\n", "bfloat16"),
    "x86 without": ("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw\nbugs\t\t: bf16_bug\n", "float32"),
    "aarch64 with bf16": ("processor\t: 0\nFeatures\t: fp asimd sve bf16 i8mm\n", "bfloat16"),
    "aarch64 without": ("Features\t: fp asimd crc32\n", "float32"),
}


@pytest.mark.parametrize("machine", CPUINFO)
def test_auto_precision_reads_the_cpus_bf16_flags(machine: str, tmp_path: Path) -> None:
    text, expected = CPUINFO[machine]
    (tmp_path / "cpuinfo").write_text(text)
    assert machine_model_dtype(tmp_path / "cpuinfo") == expected
    assert machine_model_dtype(tmp_path / "absent") == "float32"


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_auto_precision_keys_and_records_the_precision_read_in(dtype: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config_module, "machine_model_dtype", lambda: dtype)
    assert ExtractConfig().model_dtype == "auto" and ExtractConfig().resolved_model_dtype == dtype
    assert step_keys(FINGERPRINT, BuildConfig()) == step_keys(FINGERPRINT, BuildConfig(extract=ExtractConfig(model_dtype=dtype)))
    assert BuildConfig().resolved().extract.model_dtype == dtype
    assert ExtractConfig(model_dtype="float32").resolved_model_dtype == "float32"  # asked for: kept


def test_a_bfloat16_read_depends_a_little_on_the_batch_it_is_read_in():
    """Why exact comparisons across batchings (monitor against the build, Ray against local)
    are tested in float32: in bfloat16 the same text read alone and read among others differs
    slightly, but stays close."""
    half = EncoderSource(ENCODER, 6, 256, dtype="bfloat16")
    alone = read_token_activations(TEXTS[:1], half, 192, 4096).values.astype(np.float32)
    batched = read_token_activations(TEXTS, half, 192, 4096).values.astype(np.float32)[: len(alone)]
    error = np.linalg.norm(alone - batched) / np.linalg.norm(alone)
    assert error < 0.03, error  # 0.010 here (float32: 0.00002)


@pytest.mark.slow
def test_an_auto_build_reads_and_records_bfloat16_where_the_cpu_has_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from pipeline_fixtures import small_config, write_inputs

    from analysis.pipeline.build import build
    from analysis.pipeline.inputs import BuildInputs

    monkeypatch.setattr(config_module, "machine_model_dtype", lambda: "bfloat16")
    config = small_config()
    config = replace(config, extract=replace(config.extract, model_dtype="auto"))
    paths = write_inputs(tmp_path / "inputs")
    folder = build(BuildInputs(paths["train"], paths["toxic"], paths["benign"]), config, tmp_path / "cache", progress=False, report=lambda *_: None)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model"]["dtype"] == manifest["config"]["extract"]["model_dtype"] == "bfloat16"
    assert "--model-dtype bfloat16" in manifest["command"]
