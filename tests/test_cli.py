"""The command line: one parser, one flag table (analysis.flags), the rebuild command unchanged."""

from __future__ import annotations

import ast
import shlex
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

import analysis.config as config_module
from analysis.cli.main import DEMO_DIR, build_parser, config_from_args, main
from analysis.config import (
    ENCODER,
    BuildConfig,
    ClusterConfig,
    ExtractConfig,
    GeometryConfig,
    ProximityConfig,
    SaeTrainingConfig,
)
from analysis.flags import BUILD_FLAGS, NEVER, setting
from analysis.pipeline.manifest import build_command

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["build", "demo", "export", "reapply", "evaluate", "monitor", "report", "recluster"]
RUN_OPTIONS = {"--name", "--out", "--quiet", "--trust-remote-code", "--engine"}

INPUTS = SimpleNamespace(train=Path("data/train.jsonl"), toxic=Path("my toxic.jsonl"), benign=None)
INPUTS_BENIGN = SimpleNamespace(train=Path("/abs/train.csv"), toxic=Path("t.parquet"), benign=Path("b'enign.jsonl"))
MANY = BuildConfig(
    extract=ExtractConfig(
        model="org/model x",
        sae="rel/sae_id",
        layer=3,
        pooling="max",
        pool_tokens="all",
        device="cuda:1",
        model_dtype="bfloat16",
        window=128,
        stride=100,
        sae_training=SaeTrainingConfig(architecture="jumprelu", d_sae=4096, k=16, training_tokens=12345, lr=0.1),
    ),
    geometry=GeometryConfig(n_neighbors=30, seed=7),
    clusters=ClusterConfig(min_cluster_size=12, min_samples=None),
    proximity=ProximityConfig(default_score="rank_mean:score_a+score_b", paper_top_n=50, k_neighbors=3),
)

# Rendered by build_command before the flag table existed: a manifest's "command" must not change.
BEFORE = {
    "default": "python -m analysis build --train data/train.jsonl --toxic 'my toxic.jsonl' --model "
    "sentence-transformers/all-MiniLM-L6-v2 --layer 6 --pooling mean --model-dtype float32 "
    "--pool-tokens response --d-sae 2048 --k 32 --sae-architecture topk --training-tokens 300000 "
    "--min-cluster-size 0 --min-samples 5 --neighbors 15 --default-score "
    "rank_mean:score_dense_knn+score_lexical_knn --paper-top-n 100",
    "many": "python -m analysis build --train /abs/train.csv --toxic t.parquet --benign "
    "'b'\"'\"'enign.jsonl' --sae rel/sae_id --model 'org/model x' --layer 3 --pooling max "
    "--model-dtype bfloat16 --pool-tokens all --d-sae 4096 --k 16 --sae-architecture jumprelu "
    "--training-tokens 12345 --min-cluster-size 12 --min-samples 0 --neighbors 30 --default-score "
    "rank_mean:score_a+score_b --paper-top-n 50",
    "trained_sae": "python -m analysis build --train /abs/train.csv --toxic t.parquet --benign "
    "'b'\"'\"'enign.jsonl' --model 'org/model x' --layer 3 --pooling max --model-dtype bfloat16 "
    "--pool-tokens all --d-sae 4096 --k 16 --sae-architecture jumprelu --training-tokens 12345 "
    "--min-cluster-size 0 --min-samples 3 --neighbors 30 --default-score rank_mean:score_a+score_b "
    "--paper-top-n 50",
}


def parse(argv: list[str]):
    return build_parser().parse_args(argv)


def test_the_rebuild_command_is_byte_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    # the default precision is the machine's: on one without bf16 instructions the command is
    # as it always was, and on one with them it names the precision the build read in
    encoder = BuildConfig(extract=ExtractConfig(model=ENCODER))
    monkeypatch.setattr(config_module, "machine_model_dtype", lambda: "bfloat16")
    assert build_command(INPUTS, encoder) == BEFORE["default"].replace("--model-dtype float32", "--model-dtype bfloat16")
    monkeypatch.setattr(config_module, "machine_model_dtype", lambda: "float32")
    trained = replace(
        MANY,
        extract=replace(MANY.extract, sae=None),
        clusters=ClusterConfig(min_cluster_size=0, min_samples=3),
    )
    assert build_command(INPUTS, encoder) == BEFORE["default"]
    assert build_command(INPUTS_BENIGN, MANY) == BEFORE["many"]
    assert build_command(INPUTS_BENIGN, trained) == BEFORE["trained_sae"]


@pytest.mark.parametrize("sae", [None, "rel/sae_id"])
def test_the_rebuild_command_parses_back_to_its_config(sae: str | None) -> None:
    """Every setting a flag sets comes back from the command; the device is left out on purpose."""
    config = BuildConfig(
        extract=ExtractConfig(
            model="org/model x",
            sae=sae,
            layer=3,
            pooling="max",
            pool_tokens="all",
            model_dtype="bfloat16",
            self_contrast=True,
            self_contrast_tokens=32,
            sae_training=SaeTrainingConfig(architecture="jumprelu", d_sae=4096, k=16, training_tokens=12345),
        ),
        geometry=GeometryConfig(n_neighbors=30),
        clusters=ClusterConfig(min_cluster_size=12, min_samples=None),
        proximity=ProximityConfig(default_score="score_paper", paper_top_n=50),
    )
    changed = [flag.name for flag in BUILD_FLAGS if setting(config, flag.path) != flag.default()]
    rendered = [flag.name for flag in BUILD_FLAGS if flag.rendered != NEVER]
    assert changed == [name for name in rendered if sae or name != "--sae"]  # every flag is tested
    argv = shlex.split(build_command(INPUTS_BENIGN, config))[3:]
    assert config_from_args(parse(argv)) == config
    assert config_from_args(parse(shlex.split(build_command(INPUTS, BuildConfig()))[3:])) == BuildConfig().resolved()


def test_flags_map_to_the_config_as_they_always_have() -> None:
    base = ["build", "--train", "a.jsonl", "--toxic", "b.jsonl"]
    assert config_from_args(parse(base)) == BuildConfig()
    config = config_from_args(parse([*base, "--min-samples", "0", "--neighbors", "0", "--device", "cpu"]))
    assert config.clusters.min_samples is None  # 0: HDBSCAN's own default
    assert config.geometry.n_neighbors == GeometryConfig().n_neighbors  # 0 keeps the default
    assert config.extract.device == "cpu"
    config = config_from_args(parse([*base, "--min-samples", "7", "--neighbors", "9", "--sae", "r/s", "--k", "8"]))
    assert (config.clusters.min_samples, config.geometry.n_neighbors) == (7, 9)
    assert (config.extract.sae, config.extract.sae_training.k) == ("r/s", 8)
    with pytest.raises(SystemExit):
        parse([*base, "--pooling", "median"])


def test_every_flag_names_one_config_field_and_is_an_option_of_build_and_demo() -> None:
    assert len({flag.name for flag in BUILD_FLAGS}) == len({flag.path for flag in BUILD_FLAGS}) == len(BUILD_FLAGS)
    for flag in BUILD_FLAGS:
        value = setting(BuildConfig(), flag.path)
        assert value is None or isinstance(value, flag.type), flag
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in ("build", "demo"):
        options = {o for action in commands[name]._actions for o in action.option_strings}
        assert {flag.name for flag in BUILD_FLAGS} | RUN_OPTIONS <= options
    assert [flag.name for flag in BUILD_FLAGS if flag.rendered == NEVER] == ["--device"]


def test_demo_reads_the_packaged_data() -> None:
    args = parse(["demo"])
    assert (args.train, args.toxic, args.benign) == (DEMO_DIR / "train.jsonl", DEMO_DIR / "toxic.jsonl", DEMO_DIR / "benign.jsonl")
    assert all(path.is_file() for path in (args.train, args.toxic, args.benign))
    assert args.name == "demo" and parse(["demo", "--name", "mine"]).name == "mine"


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    shown = capsys.readouterr().out
    assert all(command in shown for command in COMMANDS)
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    usage = " ".join(capsys.readouterr().out.split())  # argparse wraps long usage lines
    assert usage.startswith("usage: python -m analysis evaluate [-h] (--label-column LABEL_COLUMN | --positive-mark POSITIVE_MARK)")


def test_evaluate_refuses_a_negative_bootstrap(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", "x", "--label-column", "a", "--positive", "b", "--bootstrap", "-1"])
    assert stop.value.code == 2
    assert "python -m analysis evaluate: error: --bootstrap must be >= 0" in capsys.readouterr().err


def test_recluster_calls_the_library(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from analysis.pipeline import build as pipeline

    calls = []

    def fake_recluster(analysis_dir, min_cluster_size, min_samples=None):
        calls.append((analysis_dir, min_cluster_size, min_samples))
        return tmp_path / "new"

    monkeypatch.setattr(pipeline, "recluster", fake_recluster)
    assert main(["recluster", str(tmp_path / "a"), "20"]) == 0
    assert main(["recluster", str(tmp_path / "a"), "20", "3"]) == 0
    assert calls == [(tmp_path / "a", 20, None), (tmp_path / "a", 20, 3)]
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == str(tmp_path / "new")
    assert "[1/1] Re-clustering samples and features with HDBSCAN" in captured.err
    for wrong in ([], ["a"], ["a", "x"], ["a", "1", "2", "3"]):
        with pytest.raises(SystemExit):
            main(["recluster", *wrong])


def test_the_app_runs_recluster_as_a_subcommand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from appkit import jobs

    monkeypatch.delenv("ANALYSIS_CLI", raising=False)
    missing = tmp_path / "analyses" / "gone"
    folder = jobs.start_job(tmp_path, ["recluster", str(missing), "20"], kind="recluster", label="x")
    status = jobs.wait_for(folder, timeout_s=120)
    assert jobs._read_json(folder / "job.json")["command"] == [sys.executable, "-m", "analysis", "recluster", str(missing), "20"]
    assert status.state == "failed" and status.returncode == 2
    assert "manifest.json" in status.error
    assert not (ROOT / "appkit" / "recluster.py").exists()


def _functions(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_cli_functions_are_short_and_the_build_never_imports_the_cli() -> None:
    for path in [*(ROOT / "analysis" / "cli").glob("*.py"), ROOT / "analysis" / "flags.py"]:
        for node in _functions(path):
            assert node.end_lineno - node.lineno + 1 <= 80, f"{path.name}:{node.name}"
    for path in [ROOT / "analysis" / "flags.py", ROOT / "analysis" / "config.py", *(ROOT / "analysis" / "build").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name == "argparse" or name.startswith("analysis.cli") for name in names), path.name
