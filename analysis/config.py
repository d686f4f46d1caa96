"""Typed settings of each pipeline step, recorded in the manifest and hashed into cache keys."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

ENCODER = "sentence-transformers/all-MiniLM-L6-v2"  # the packaged sentence encoder
SMOLLM2 = "smollm2-135m-instruct"  # the packaged chat LLM (analysis.extraction.llm)
# The model read when none is asked for: the chat LLM, the kind of model the method is about,
# and the unit the benchmark's fully nested selection picks (bench/RESULTS.md, "SmolLM2 block
# 20 on three seeds"): model, layer and score chosen inside each leave-one-task-out fold.
DEFAULT_MODEL = SMOLLM2

# Latents of a locally trained SAE when none is asked for: the widest whose held-out explained
# variance is at least 0.75 with at most 5% dead latents (bench/sae_budget.py, bench/RESULTS.md).
DEFAULT_SAE_WIDTH = 2048
SAE_WIDTHS = {SMOLLM2: 1024}
# Active latents per token (TopK's k) the same way: the chat LLM's residual stream after block
# 20 needs 64 to reach 0.75 explained variance at its width and token budget (0.774; k 32: 0.720).
DEFAULT_SAE_K = 32
SAE_KS = {SMOLLM2: 64}
# The layer read when none is asked for, per model, from the same selection: the chat LLM's
# residual stream after block 20, the encoder's last hidden state; DEFAULT_LAYER for any other.
DEFAULT_LAYER = 6
MODEL_LAYERS: dict[str, int] = {SMOLLM2: 20, ENCODER: 6}
# The default score per model (a family or "rank_mean:score_a+score_b"), chosen the same way;
# DEFAULT_SCORE (the encoder's pick, which reads no SAE) for any model the benchmark did not pick for.
DEFAULT_SCORE = "rank_mean:score_dense_knn+score_lexical_knn"
MODEL_SCORES: dict[str, str] = {SMOLLM2: "rank_mean:score_knn+score_lexical_knn"}

# `--sae packaged`: the SAE that ships with the package for the model (trained by
# scripts/train_packaged_sae.py at the model's default layer), so a build needs no SAE training.
PACKAGED_SAE = "packaged"
PACKAGED_SAES: dict[str, str] = {ENCODER: "all-MiniLM-L6-v2-hidden-6"}
PACKAGED_SAE_ROOT = Path(__file__).resolve().parent / "packaged_sae"


# The model's precision when none is asked for: bfloat16 where the CPU has bf16 instructions
# (about 2x faster, the default score unchanged on the ten tasks: bench/RESULTS.md, "Reading
# (the encoder in bfloat16, seed 0)"), float32 elsewhere, where bf16 arithmetic is emulated.
AUTO_DTYPE = "auto"
BF16_CPU_FLAGS = frozenset({"avx512_bf16", "amx_bf16", "bf16"})  # x86 (two kinds), aarch64


@cache  # the CPU does not change while the process runs; a build asks several times
def machine_model_dtype(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """"bfloat16" when this machine's CPU lists a bf16 instruction flag, else "float32" (also
    where the CPU's flags cannot be read)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return "float32"
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in ("flags", "Features") and BF16_CPU_FLAGS & set(value.split()):
            return "bfloat16"
    return "float32"


# Settings a pretrained SAE decides itself: the layer is its hook, and nothing is trained.
PRETRAINED_DECIDES = ("layer", "sae_training")


def packaged_sae_folder(model: str) -> Path:
    """The folder of the SAE packaged for `model`; a ValueError names the models that have one."""
    if model not in PACKAGED_SAES:
        raise ValueError(f"--sae {PACKAGED_SAE}: no SAE is packaged for {model} (only for {', '.join(PACKAGED_SAES)}); leave --sae out to train one")
    return PACKAGED_SAE_ROOT / PACKAGED_SAES[model]


# Bump when a step's code changes what it writes, so old cache folders are not reused.
STEP_VERSIONS = {"extract": 4, "geometry": 2, "clusters": 1, "proximity": 4}


@dataclass(frozen=True)
class SaeTrainingConfig:
    """How the local SAE is trained with sae-lens (used only without a pretrained SAE)."""

    architecture: str = "topk"  # "topk" or "jumprelu"
    d_sae: int | None = None  # None: the model's width (SAE_WIDTHS, else DEFAULT_SAE_WIDTH)
    k: int | None = None  # None: the model's k (SAE_KS, else DEFAULT_SAE_K)
    lr: float = 5e-3
    lr_end: float = 5e-4
    lr_warm_up_steps: int = 10
    batch_size: int = 4096
    training_tokens: int = 300_000
    aux_loss_coefficient: float = 1.0
    jumprelu_sparsity_coefficient: float = 0.5
    seed: int = 0


@dataclass(frozen=True)
class ExtractConfig:
    """Model, layer, SAE and pooling: everything that determines the SAE activations."""

    model: str = DEFAULT_MODEL
    sae: str | None = None  # None: train one locally; "packaged", "release/sae_id" or a local sae-lens folder
    layer: int | None = None  # hidden-state index; None: the model's default (`read_layer`)
    pooling: str = "mean"  # "mean" or "max" over the pooled tokens
    pool_tokens: str = "response"  # "response" (when there is one) or "all"
    pooled_top_k: int = 64
    token_top_k: int = 8
    window: int = 256
    stride: int = 192
    batch_tokens: int = 16_384
    device: str = "auto"
    # the model's forward pass: "float32", "bfloat16" (about 2x faster on CPUs with bf16
    # instructions, hidden states within about 1% of float32: bench/RESULTS.md, "Forward pass")
    # or "auto" (`machine_model_dtype`); a build records the precision it read in
    model_dtype: str = AUTO_DTYPE
    # score_self_contrast*: the chat model also answers each row's prompt itself (greedy, at
    # most `self_contrast_tokens` new tokens), and its own answer is read like the row
    self_contrast: bool = False
    self_contrast_tokens: int = 48
    sae_training: SaeTrainingConfig = field(default_factory=SaeTrainingConfig)

    @property
    def read_layer(self) -> int:
        """The hidden-state index read: the one asked for, else the model's default."""
        return self.layer if self.layer is not None else MODEL_LAYERS.get(self.model, DEFAULT_LAYER)

    @property
    def resolved_model_dtype(self) -> str:
        """The precision read in: the one asked for, else this machine's (`machine_model_dtype`)."""
        return machine_model_dtype() if self.model_dtype == AUTO_DTYPE else self.model_dtype

    def sae_location(self) -> str | None:
        """Where the SAE is read from: the packaged SAE's folder for "packaged", else `sae`."""
        if self.sae == PACKAGED_SAE:
            return str(packaged_sae_folder(self.model))
        return self.sae

    def resolved_sae_training(self) -> SaeTrainingConfig:
        """The SAE training settings with the width and k filled in for this model."""
        training = self.sae_training
        return replace(
            training,
            d_sae=training.d_sae if training.d_sae is not None else SAE_WIDTHS.get(self.model, DEFAULT_SAE_WIDTH),
            k=training.k if training.k is not None else SAE_KS.get(self.model, DEFAULT_SAE_K),
        )


@dataclass(frozen=True)
class GeometryConfig:
    """UMAP of samples and of SAE features."""

    svd_components: int = 64
    n_neighbors: int = 15
    min_dist: float = 0.1
    cluster_components: int = 5
    seed: int = 42


@dataclass(frozen=True)
class ClusterConfig:
    """HDBSCAN on the low-dimensional UMAP of samples and of features."""

    min_cluster_size: int = 0  # 0: chosen from the number of samples (see geometry.auto_min_cluster_size)
    min_samples: int | None = 5  # lower than min_cluster_size: 30 clusters instead of 5 on the demo
    feature_min_cluster_size: int = 8


@dataclass(frozen=True)
class ProximityConfig:
    """Toxic latents, toxic clusters and the score families."""

    k_neighbors: int = 10
    fdr_alpha: float = 0.05
    min_toxic_count: int = 3
    default_score: str | None = None  # None: the model's (MODEL_SCORES, else DEFAULT_SCORE)
    probe_c: float = 1.0
    paper_top_n: int = 100  # the paper's toxic features: the top N by association with the toxic reference
    null_draws: int = 64  # random latent sets for the permutation null of decoder proximity
    cross_fit_folds: int = 5  # reference rows are scored by scorers fitted without their fold
    seed: int = 0


@dataclass(frozen=True)
class BuildConfig:
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    geometry: GeometryConfig = field(default_factory=GeometryConfig)
    clusters: ClusterConfig = field(default_factory=ClusterConfig)
    proximity: ProximityConfig = field(default_factory=ProximityConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def resolved(self) -> BuildConfig:
        """This config with the model's and the machine's defaults (layer, precision, SAE width,
        default score) written in where unset."""
        extract = replace(
            self.extract,
            layer=self.extract.read_layer,
            model_dtype=self.extract.resolved_model_dtype,
            sae_training=self.extract.resolved_sae_training(),
        )
        score = self.proximity.default_score or MODEL_SCORES.get(self.extract.model, DEFAULT_SCORE)
        return replace(self, extract=extract, proximity=replace(self.proximity, default_score=score))

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> BuildConfig:
        extract = dict(payload.get("extract", {}))
        extract["sae_training"] = SaeTrainingConfig(**extract.get("sae_training", {}))
        return cls(
            extract=ExtractConfig(**extract),
            geometry=GeometryConfig(**payload.get("geometry", {})),
            clusters=ClusterConfig(**payload.get("clusters", {})),
            proximity=ProximityConfig(**payload.get("proximity", {})),
        )


def field_names(config_cls: type) -> list[str]:
    return [f.name for f in fields(config_cls)]
