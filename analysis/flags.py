"""The one table of build settings the command line can set.

Each `Flag` names a `BuildConfig` field by its dotted path. The table gives the `build` and
`demo` options (`analysis.cli`), the config a command line asks for (`config_from_flags`) and
the flags of the command that repeats a build (`render_flags`, stored in the manifest), so a
setting added here is parsed, applied and recorded alike. No argparse here: the build renders
its command from this module without importing the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from analysis.config import PACKAGED_SAE, PACKAGED_SAES, PRETRAINED_DECIDES, BuildConfig

# How a flag appears in the rebuild command: always, only when the setting is set (ahead of
# the others, where the command has always put them), only when it differs from its default
# (after the others: a setting added later leaves the commands of earlier builds unchanged),
# or never (it does not change the result). A bool flag is a switch: its name alone.
ALWAYS, WHEN_SET, WHEN_CHANGED, NEVER = "always", "when_set", "when_changed", "never"


@dataclass(frozen=True)
class Flag:
    name: str  # the option, e.g. "--min-samples"
    path: str  # the BuildConfig field, e.g. "clusters.min_samples"
    type: type = str
    help: str | None = None  # "{default}" is replaced by the config's default
    choices: tuple[str, ...] | None = None
    # command-line values that leave the setting at its default (`--neighbors 0` always has)
    unset: tuple[Any, ...] = (None,)
    none_as: Any = None  # the command-line value that stands for a None setting
    rendered: str = ALWAYS

    @property
    def dest(self) -> str:
        """The attribute argparse stores the option under."""
        return self.name.removeprefix("--").replace("-", "_")

    def default(self) -> Any:
        return setting(BuildConfig(), self.path)

    def help_text(self) -> str | None:
        return self.help.format(default=self.default()) if self.help else None


BUILD_FLAGS: tuple[Flag, ...] = (
    Flag("--model", "extract.model", help="smollm2-135m-instruct (the packaged chat LLM, the default), sentence-transformers/all-MiniLM-L6-v2 (the packaged sentence encoder) or another HF model"),
    Flag(
        "--sae",
        "extract.sae",
        help="packaged (the SAE shipped for the sentence encoder, at its default layer), sae-lens RELEASE/SAE_ID or a local sae-lens folder (default: build trains one; demo uses the packaged one where its model has one)",
        rendered=WHEN_SET,
    ),
    Flag(
        "--layer",
        "extract.layer",
        int,
        "hidden-state index read: smollm2-135m-instruct's residual stream after block N, 1-30 "
        "(default 20, the benchmark's pick), or the sentence encoder's 0-6 (default 6, the last layer)",
    ),
    Flag("--pooling", "extract.pooling", choices=("mean", "max")),
    Flag(
        "--model-dtype",
        "extract.model_dtype",
        help="precision of the model's forward pass (default {default}: bfloat16 where the CPU has "
        "bf16 instructions, about 2x faster there, else float32)",
        choices=("auto", "float32", "bfloat16"),
    ),
    Flag("--pool-tokens", "extract.pool_tokens", choices=("response", "all")),
    Flag(
        "--d-sae",
        "extract.sae_training.d_sae",
        int,
        "latents of the locally trained SAE (default 0: the model's own, 2048; 1024 for smollm2-135m-instruct)",
        none_as=0,
    ),
    Flag("--k", "extract.sae_training.k", int, "k of the locally trained TopK SAE"),
    Flag("--sae-architecture", "extract.sae_training.architecture", choices=("topk", "jumprelu")),
    Flag("--training-tokens", "extract.sae_training.training_tokens", int),
    Flag("--min-cluster-size", "clusters.min_cluster_size", int),
    Flag(
        "--min-samples",
        "clusters.min_samples",
        int,
        "HDBSCAN min_samples (0: same as the min cluster size)",
        none_as=0,
    ),
    Flag("--neighbors", "geometry.n_neighbors", int, "UMAP n_neighbors", unset=(None, 0)),
    Flag(
        "--default-score",
        "proximity.default_score",
        help="a score family or rank_mean:score_a+score_b (default: the benchmark's pick)",
    ),
    Flag(
        "--paper-top-n",
        "proximity.paper_top_n",
        int,
        "toxic features of score_paper: the top N by association (default {default})",
    ),
    Flag("--device", "extract.device", help="cpu, cuda, ... (default: cuda when available)", rendered=NEVER),
    Flag(
        "--self-contrast",
        "extract.self_contrast",
        bool,
        "also score each row against the model's own answer to its prompt (score_self_contrast, "
        "score_self_contrast_latents; needs --model smollm2-135m-instruct, which generates it)",
        rendered=WHEN_CHANGED,
    ),
    Flag(
        "--self-contrast-tokens",
        "extract.self_contrast_tokens",
        int,
        "most new tokens of the model's own answer with --self-contrast (default {default})",
        rendered=WHEN_CHANGED,
    ),
)


def setting(config: Any, path: str) -> Any:
    """The value of a dotted field path of a (nested) config dataclass."""
    for name in path.split("."):
        config = getattr(config, name)
    return config


def with_setting(config: Any, path: str, value: Any) -> Any:
    """A copy of a frozen (nested) config dataclass with one dotted field path replaced."""
    name, _, rest = path.partition(".")
    if rest:
        value = with_setting(getattr(config, name), rest, value)
    return replace(config, **{name: value})


def build_flag(name: str) -> Flag:
    """The build flag spelt `name` (e.g. "--model"); a KeyError names the unknown one."""
    for flag in BUILD_FLAGS:
        if flag.name == name:
            return flag
    raise KeyError(f"no build flag {name}")


def config_from_flags(values: Mapping[str, Any], base: BuildConfig | None = None) -> BuildConfig:
    """The config a command line asks for: `base` (the defaults) with each given flag applied.

    `values` maps each flag's `dest` to its parsed value (argparse's namespace, as a dict)."""
    config = base or BuildConfig()
    for flag in BUILD_FLAGS:
        value = values.get(flag.dest)
        if value in flag.unset:
            continue
        if flag.none_as is not None and value == flag.none_as:
            value = None
        config = with_setting(config, flag.path, value)
    return config


def demo_config_from_flags(values: Mapping[str, Any]) -> BuildConfig:
    """The demo's config: as `config_from_flags`, with the SAE packaged for its model unless
    the command line names an SAE, or a layer or training setting that the packaged SAE
    would decide (then one is trained, as a build does)."""
    config = config_from_flags(values)
    decided = [f"extract.{name}" for name in PRETRAINED_DECIDES]
    asks_to_train = any(
        values.get(flag.dest) not in flag.unset and any(flag.path == d or flag.path.startswith(d + ".") for d in decided)
        for flag in BUILD_FLAGS
    )
    model = config.extract.model
    if config.extract.sae is None and not asks_to_train and model in PACKAGED_SAES:
        config = with_setting(config, "extract.sae", PACKAGED_SAE)
    return config


def render_flags(config: BuildConfig) -> list[str]:
    """The flags that set `config` again, in the order the rebuild command has always used;
    the model's defaults (layer, SAE width) are written out, so the command does not depend
    on this version's defaults."""
    config = config.resolved()
    parts: list[str] = []
    for flag in BUILD_FLAGS:
        value = setting(config, flag.path)
        if flag.rendered == WHEN_SET and value:
            parts += [flag.name, str(value)]
    for flag in BUILD_FLAGS:
        if flag.rendered == ALWAYS:
            value = setting(config, flag.path)
            parts += [flag.name, str(flag.none_as if value is None else value)]
    for flag in BUILD_FLAGS:
        value = setting(config, flag.path)
        if flag.rendered == WHEN_CHANGED and value != flag.default():
            parts += [flag.name] if flag.type is bool else [flag.name, str(value)]
    return parts
