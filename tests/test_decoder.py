"""The compact decoder (analysis/decoder.py): the active latents' directions only, never a
[d_sae, d_in] matrix, with the same cosines as the dense computation."""

from __future__ import annotations

import json
import shutil
import tracemalloc
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from synthetic import write_synthetic_analysis

from analysis.artifacts.decoder import CompactDecoder, LatentNotActive
from analysis.artifacts.folder import Analysis

WIDE = 1_000_000
D_IN = 64  # the synthetic analysis' d_in


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def dense_neighbours(dense: np.ndarray, active: np.ndarray, latent: int, top: int | None) -> tuple[list[int], np.ndarray]:
    """What the app computed before: every active latent but `latent` against it, on the dense matrix."""
    others = np.sort(active[active != latent])
    cosine = dense[others] @ dense[latent]
    order = np.argsort(-cosine, kind="stable")[:top]
    return others[order].tolist(), cosine[order]


def test_cosines_equal_the_dense_computation() -> None:
    rng = np.random.default_rng(4)
    dense = unit(rng.normal(size=(300, 16)))
    active = rng.choice(300, size=120, replace=False)  # unsorted on purpose
    decoder = CompactDecoder.from_arrays(active.astype(np.int32), dense[active], width=300)
    assert decoder.features.tolist() == sorted(active.tolist())
    for latent in active[:12]:
        for top in (1, 10, None):
            table = decoder.cosine_to(int(latent), top=top)
            features, cosine = dense_neighbours(dense, active, int(latent), top)
            assert table["feature"].to_list() == features
            np.testing.assert_allclose(table["cosine"].to_numpy(), cosine, rtol=1e-5, atol=1e-6)
    picked = active[[5, 0, 7]]
    np.testing.assert_array_equal(decoder.rows_of(picked), dense[picked])
    missing = int(np.setdiff1d(np.arange(300), active)[0])
    assert missing not in decoder and int(active[0]) in decoder and "3" not in decoder
    assert decoder.index_of([missing, int(active[3]), 10**9]).tolist()[::2] == [-1, -1]
    with pytest.raises(LatentNotActive, match="not active in this data"):
        decoder.rows_of([missing])
    with pytest.raises(LatentNotActive, match=f"latent {missing} not active in this data"):
        decoder.cosine_to(missing)


def test_directions_must_be_unit_and_ids_unique() -> None:
    with pytest.raises(ValueError, match="unit-norm"):
        CompactDecoder.from_arrays(np.array([1, 2]), np.full((2, 4), 2.0, dtype=np.float32))
    with pytest.raises(ValueError, match="repeat"):
        CompactDecoder.from_arrays(np.array([2, 2]), np.eye(4, dtype=np.float32)[:2])
    empty = CompactDecoder.from_arrays(np.zeros(0, dtype=np.int32), np.zeros((0, 4), dtype=np.float32))
    assert len(empty) == 0 and 0 not in empty and empty.rows_of([]).shape == (0, 4)


def widen(source: Path, folder: Path, width: int, seed: int = 0) -> np.ndarray:
    """A copy of a synthetic analysis whose SAE has `width` latents: every latent id is moved
    to a sparse id in [0, width) (order kept), as a pretrained SAE's would be. Returns the map."""
    shutil.copytree(source, folder)
    shutil.rmtree(folder / "sae")  # a pretrained SAE: only decoder.safetensors is kept
    manifest = json.loads((folder / "manifest.json").read_text())
    old_width = manifest["sae"]["d_sae"]
    new_ids = np.sort(np.random.default_rng(seed).choice(width, size=old_width, replace=False)).astype(np.int32)
    old, new = [-1, *range(old_width)], [-1, *new_ids.tolist()]

    def moved(column: str) -> pl.Expr:
        return pl.col(column).replace_strict(old, new, return_dtype=pl.Int32)

    def moved_lists(column: str) -> pl.Expr:
        return pl.col(column).list.eval(pl.element().replace_strict(old, new, return_dtype=pl.Int32))

    pl.read_parquet(folder / "features.parquet").with_columns(moved("feature"), moved("nearest_toxic_feature")).write_parquet(folder / "features.parquet")
    for name in ("clusters.parquet", "feature_clusters.parquet"):
        pl.read_parquet(folder / name).with_columns(moved_lists("top_features")).write_parquet(folder / name)
    for name in ("activations.parquet", "tokens.parquet"):
        pl.read_parquet(folder / name).with_columns(moved_lists("features")).write_parquet(folder / name)
    from safetensors.numpy import load_file, save_file

    tensors = load_file(str(folder / "decoder.safetensors"))
    save_file({"features": new_ids[tensors["features"]], "directions": tensors["directions"]}, str(folder / "decoder.safetensors"))
    manifest["sae"] = {**manifest["sae"], "d_sae": width, "release": "wide-test-release", "sae_id": "layer-0"}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return new_ids


@pytest.fixture(scope="module")
def narrow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic_analysis(tmp_path_factory.mktemp("narrow") / "analyses" / "narrow", 300, n_features=512, seed=2)


def test_a_million_wide_sae_costs_only_its_active_latents(tmp_path: Path, narrow: Path) -> None:
    new_ids = widen(narrow, tmp_path / "wide", WIDE)
    analysis = Analysis.open(tmp_path / "wide")
    tracemalloc.start()
    try:
        decoder = analysis.decoder
        active = decoder.features
        neighbours = decoder.cosine_to(int(active[0]), top=10)
        rows = decoder.rows_of(active[::7])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    n_active = len(decoder)
    assert decoder.width == WIDE and 400 <= n_active <= 512 and active.max() > 10 * 512
    # Every array is sized by the active latents; a dense decoder would be 1M x 64 float32 = 256 MB.
    assert decoder.directions.shape == (n_active, D_IN) and active.shape == (n_active,)
    assert rows.shape == (len(active[::7]), D_IN) and neighbours.height == 10
    active_bytes = n_active * D_IN * 4
    assert peak < 8 * active_bytes, f"peak {peak:,} bytes for {active_bytes:,} bytes of directions"

    # The same neighbours as the dense computation on the narrow original, under the id map.
    narrow_decoder = Analysis.open(narrow).decoder
    dense = np.zeros((512, D_IN), dtype=np.float32)
    dense[narrow_decoder.features] = narrow_decoder.directions
    old_latent = int(np.searchsorted(new_ids, active[0]))
    features, cosine = dense_neighbours(dense, narrow_decoder.features, old_latent, 10)
    assert neighbours["feature"].to_list() == new_ids[features].tolist()
    np.testing.assert_allclose(neighbours["cosine"].to_numpy(), cosine, rtol=1e-5, atol=1e-6)


def test_the_feature_page_on_a_million_wide_sae(tmp_path: Path, narrow: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from safetensors.numpy import load_file, save_file
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parent.parent
    folder = tmp_path / "analyses" / "wide"
    widen(narrow, folder, WIDE)
    # One latent of features.parquet loses its direction: the page must say so, not fail.
    tensors = load_file(str(folder / "decoder.safetensors"))
    without = int(tensors["features"][-1])
    save_file({name: np.ascontiguousarray(value[:-1]) for name, value in tensors.items()}, str(folder / "decoder.safetensors"))

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    at = AppTest.from_string((root / "app.py").read_text(), default_timeout=60)
    at.run()
    at.switch_page(str(root / "pages" / "features.py")).run()
    assert not at.exception, [item.value for item in at.exception]
    chosen = at.session_state["feature"]
    expected = Analysis.open(folder).decoder.cosine_to(chosen, top=10)
    neighbours = at.dataframe[0].value
    assert neighbours["feature"].tolist() == expected["feature"].to_list()
    assert max(neighbours["feature"]) > 10 * 512  # ids of the wide SAE

    at.selectbox(key="_w_feature").set_value(without).run()
    assert not at.exception, [item.value for item in at.exception]
    assert any(f"Feature {without} is not active in this data" in item.value for item in at.caption)
