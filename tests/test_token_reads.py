"""Token reads by row offsets (analysis.artifacts.tokens): the same rows as filtering the `id`
column, for any layout of the token table."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synthetic import write_synthetic_analysis

from analysis.artifacts import tokens
from analysis.artifacts.folder import Analysis
from analysis.artifacts.layout import TOKENS
from analysis.artifacts.tokens import TOKEN_SCHEMA, scan_token_offsets


def filtered(path: Path, sample_id: str) -> pl.DataFrame:
    """How a sample's tokens were read before: a filter over the whole `id` column."""
    return pl.scan_parquet(path).filter(pl.col("id") == sample_id).sort("position").collect()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic_analysis(tmp_path_factory.mktemp("tokens") / "analyses" / "tokens", 400, n_features=512, seed=5)


def test_offset_reads_return_the_filtered_rows(synthetic: Path) -> None:
    analysis = Analysis.open(synthetic)
    offsets = analysis.token_offsets
    ids = analysis.samples["id"]
    assert offsets is not None and offsets.height == ids.len() and offsets["count"].sum() == analysis.samples["n_tokens"].sum()
    path = synthetic / TOKENS
    for sample_id in ids.gather([0, 1, 57, 200, 398, 399]).to_list():
        assert analysis.tokens_for(sample_id).equals(filtered(path, sample_id))
    chosen = ids.sample(25, seed=1).to_list()
    together = analysis.tokens_of(chosen)
    assert together.equals(pl.concat([filtered(path, sample_id) for sample_id in chosen]))
    assert analysis.tokens_of(["no-such-id", *chosen[:2], chosen[0]]).equals(together.filter(pl.col("id").is_in(chosen[:2])))
    assert analysis.tokens_of([]).schema == pl.Schema(TOKEN_SCHEMA)


def test_a_folder_without_tokens_reads_nothing(tmp_path: Path) -> None:
    analysis = Analysis(tmp_path)
    assert analysis.token_offsets is None
    assert analysis.tokens_for("a").is_empty() and analysis.tokens_for("a").schema == pl.Schema(TOKEN_SCHEMA)


def write_tokens(path: Path, runs: list[tuple[str, int]], row_group: int, shuffled_positions: bool, seed: int) -> None:
    ids = [sample_id for sample_id, count in runs for _ in range(count)]
    # Positions are unique within a sample, also when its rows are split into several runs.
    positions = pl.DataFrame({"id": ids}, schema={"id": pl.String}).select(pl.int_range(pl.len()).over("id").alias("position"))["position"].to_numpy()
    if shuffled_positions and runs:
        # Within each run the rows may come in any position order; a read sorts them.
        rng = np.random.default_rng(seed)
        bounds = np.cumsum([0] + [count for _, count in runs])
        positions = np.concatenate([rng.permutation(positions[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    n = len(ids)
    pl.DataFrame(
        {
            "id": ids,
            "position": positions.astype(np.int32),
            "token": [f"t{i}" for i in range(n)],
            "start": np.arange(n, dtype=np.int32),
            "end": np.arange(n, dtype=np.int32) + 1,
            "features": [[i % 7, i % 5] for i in range(n)],
            "values": [[0.5, float(i)] for i in range(n)],
        },
        schema=TOKEN_SCHEMA,
    ).write_parquet(path, row_group_size=row_group)


layouts = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]), st.integers(1, 9)), min_size=0, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs=layouts, row_group=st.integers(1, 11), batch_rows=st.integers(1, 13), shuffled=st.booleans(), seed=st.integers(0, 1000))
def test_offsets_match_the_filter_for_any_layout(runs: list[tuple[str, int]], row_group: int, batch_rows: int, shuffled: bool, seed: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / TOKENS
        write_tokens(path, runs, row_group, shuffled, seed)
        offsets = scan_token_offsets(path, batch_rows=batch_rows)
        # Neighbouring runs of one id are one run of rows; an id in two separate runs cannot be sliced.
        maximal = [sample_id for sample_id, _ in itertools.groupby(sample_id for sample_id, _ in runs)]
        assert (offsets is not None) == (len(maximal) == len(set(maximal)))
        analysis = Analysis(Path(folder))
        for sample_id in ["a", "b", "c", "d", "e", "f", "g"]:
            assert analysis.tokens_for(sample_id).equals(filtered(path, sample_id))


def test_a_rerun_of_a_read_touches_the_file_once_per_sample_set(synthetic: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    for name in ("scan_token_offsets", "read_token_rows", "filter_token_rows"):
        original = getattr(tokens, name)
        monkeypatch.setattr(tokens, name, lambda *args, _original=original, _name=name, **kwargs: calls.append(_name) or _original(*args, **kwargs))
    analysis = Analysis.open(synthetic)
    ids = analysis.samples["id"].head(12).to_list()
    first_set, first_one = analysis.tokens_of(ids), analysis.tokens_for(ids[0])
    assert calls == ["scan_token_offsets", "read_token_rows", "read_token_rows"]  # the id column is scanned once
    calls.clear()
    second_set, second_one = analysis.tokens_of(ids), analysis.tokens_for(ids[0])  # the rerun
    assert calls == ["read_token_rows", "read_token_rows"]  # one slice read per sample set, no second scan
    assert second_set.equals(first_set) and second_one.equals(first_one)
