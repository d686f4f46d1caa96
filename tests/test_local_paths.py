"""Local paths typed into the app stay under the data roots; SAE metadata runs no remote code."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from appkit.uploads import DEMO_DATA, InvalidInput, check_path, data_roots, resolve_local_path

ROOT = Path(__file__).resolve().parent.parent
ROWS = b"".join(b'{"text": "row %d"}\n' % i for i in range(3))


@pytest.fixture
def rooted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A working folder with a data file, and a folder outside every root with another."""
    inside, outside = tmp_path / "work", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    (inside / "train.jsonl").write_bytes(ROWS)
    (outside / "secret.jsonl").write_bytes(ROWS)
    monkeypatch.chdir(inside)
    monkeypatch.delenv("ANALYSIS_DATA_ROOTS", raising=False)
    return {"inside": inside, "outside": outside}


def test_files_under_the_working_folder_and_the_demo_data_are_read(rooted: dict[str, Path]) -> None:
    assert check_path("train.jsonl", "train").rows == 3
    assert check_path(str(rooted["inside"] / "train.jsonl"), "train").rows == 3
    assert check_path(str(DEMO_DATA / "toxic.jsonl"), "toxic").rows > 0
    assert data_roots() == [rooted["inside"].resolve(), DEMO_DATA.resolve()]


@pytest.mark.parametrize("typed", ["../elsewhere/secret.jsonl", "{outside}/secret.jsonl", "{outside}/missing.jsonl", "/etc/passwd"])
def test_paths_outside_the_roots_are_refused_before_anything_is_read(rooted: dict[str, Path], typed: str) -> None:
    with pytest.raises(InvalidInput, match="outside the folders this app reads local files from"):
        resolve_local_path(typed.format(outside=rooted["outside"]))


def test_a_symlink_out_of_a_root_is_refused(rooted: dict[str, Path]) -> None:
    (rooted["inside"] / "link.jsonl").symlink_to(rooted["outside"] / "secret.jsonl")
    (rooted["inside"] / "linked-folder").symlink_to(rooted["outside"], target_is_directory=True)
    for typed in ("link.jsonl", "linked-folder/secret.jsonl"):
        with pytest.raises(InvalidInput, match="outside the folders"):
            resolve_local_path(typed)


def test_the_environment_adds_roots(rooted: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSIS_DATA_ROOTS", f"{rooted['outside']}{os.pathsep}/nonexistent-root")
    assert check_path(str(rooted["outside"] / "secret.jsonl"), "train").rows == 3
    with pytest.raises(InvalidInput, match="no such file"):
        resolve_local_path(str(rooted["outside"] / "missing.jsonl"))


# ---------------------------------------------------------------- remote code


def test_remote_code_in_sae_metadata_is_dropped_unless_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    from analysis.extraction.sources import model_loading_kwargs

    recorded = {"trust_remote_code": True, "torch_dtype": "float32"}
    assert model_loading_kwargs(recorded) == {"torch_dtype": "float32"}
    assert "--trust-remote-code" in capsys.readouterr().err
    assert model_loading_kwargs(recorded, trust_remote_code=True) == recorded
    assert model_loading_kwargs(None) == {}


def test_the_model_loader_never_sees_remote_code_from_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    import sae_lens.load_model

    from analysis.extraction.sources import SaeLensModelSource

    seen: dict = {}

    def fake_load_model(model_class, name, device, model_from_pretrained_kwargs, hook_names):
        seen.update(model_from_pretrained_kwargs)
        raise RuntimeError("stop here: no model is loaded in this test")

    monkeypatch.setattr(sae_lens.load_model, "load_model", fake_load_model)
    meta = SimpleNamespace(hook_name="blocks.0.hook_resid_pre", model_class_name="HookedTransformer", model_name="some/model", model_from_pretrained_kwargs={"trust_remote_code": True, "revision": "main"}, prepend_bos=True, context_size=16)
    sae = SimpleNamespace(cfg=SimpleNamespace(metadata=meta, d_in=8))
    with pytest.raises(RuntimeError, match="stop here"):
        SaeLensModelSource(sae, None, window=16)
    assert seen == {"revision": "main"}


def test_the_cli_flag_reaches_the_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from analysis.cli import main as cli
    from analysis.pipeline import build as pipeline

    calls: list[bool] = []

    def fake_build(*args, trust_remote_code: bool = False, **kwargs):
        calls.append(trust_remote_code)
        return tmp_path

    monkeypatch.setattr(pipeline, "build", fake_build)
    base = ["build", "--train", "a.jsonl", "--toxic", "b.jsonl"]
    assert cli.main(base) == 0
    assert cli.main([*base, "--trust-remote-code"]) == 0
    assert calls == [False, True]
