"""Self-contrast (`--self-contrast`): each row against the chat model's own answer to its prompt,
projected on the fitted toxic-minus-comparison directions (persona vectors' projection
difference). Fast tests use synthetic activations, a word-level stand-in model and a stand-in
generator; one slow test builds a tiny analysis with the real SmolLM2-135M-Instruct."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest
import scipy.sparse as sp
from sklearn.metrics import roc_auc_score

from analysis.config import ENCODER, BuildConfig, ExtractConfig, ProximityConfig
from analysis.extraction import self_responses
from analysis.extraction.llm import SMOLLM2, chat_turns
from analysis.extraction.self_responses import (
    GenerationCache,
    generations_dir,
    own_answer_rows,
    own_answers,
    prompt_conversation,
)
from analysis.pipeline.extract_step import check_self_contrast
from analysis.pipeline.keys import step_keys
from analysis.pipeline.manifest import build_command
from analysis.scoring.crossfit import cross_fit
from analysis.scoring.families import FAMILIES, LATENT_FAMILIES, SELF_CONTRAST_FAMILIES
from analysis.scoring.scorer import FitRows, OwnResponses, ToxicProximity

D_SAE, D_DENSE = 64, 16
PLANTED_LATENTS = np.arange(6)
CONFIG = ProximityConfig(null_draws=8, default_score="score_dense_knn")


def _codes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Sparse non-negative codes: 8 random latents out of the unplanted ones per row."""
    codes = np.zeros((n, D_SAE), dtype=np.float32)
    for row in codes:
        row[rng.choice(np.arange(len(PLANTED_LATENTS), D_SAE), size=8, replace=False)] = rng.gamma(2.0, 1.0, size=8)
    return codes


def planted_rows(seed: int = 0, n_train: int = 200, n_ref: int = 60) -> tuple[FitRows, np.ndarray, np.ndarray]:
    """Training rows = the model's own answer + (for the harmful half) a shift along a planted
    direction; each prompt also pulls its own answer along that direction by a random amount,
    which confounds a plain projection but cancels in the difference. References: toxic rows
    sit along the direction (and fire the planted latents), benign rows do not."""
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=D_DENSE).astype(np.float32)
    direction /= np.linalg.norm(direction)
    sets = np.array(["train"] * n_train + ["toxic"] * n_ref + ["benign"] * n_ref)
    n = len(sets)
    harmful = np.zeros(n, dtype=bool)
    harmful[: n_train // 2] = True
    pull = rng.normal(scale=3.0, size=n).astype(np.float32)  # the prompt's own pull along the direction
    own_dense = rng.normal(size=(n, D_DENSE)).astype(np.float32) + pull[:, None] * direction
    own_codes = _codes(rng, n)
    own_codes[:, PLANTED_LATENTS] += np.maximum(pull, 0)[:, None]
    dense = own_dense + 0.1 * rng.normal(size=(n, D_DENSE)).astype(np.float32)
    codes = own_codes.copy()
    dense[harmful] += 1.5 * direction
    codes[np.ix_(harmful, PLANTED_LATENTS)] += 1.5
    toxic, benign = sets == "toxic", sets == "benign"
    dense[toxic] = rng.normal(size=(toxic.sum(), D_DENSE)) + 3.0 * direction
    dense[benign] = rng.normal(size=(benign.sum(), D_DENSE))
    codes[toxic] = _codes(rng, int(toxic.sum()))
    codes[np.ix_(toxic, PLANTED_LATENTS)] += 3.0
    codes[benign] = _codes(rng, int(benign.sum()))
    has_prompt = np.ones(n, dtype=bool)
    has_prompt[n_train:] = False  # the references are plain texts: no prompt, no own answer
    own_dense[~has_prompt] = np.nan
    own_codes[~has_prompt] = 0.0
    rows = FitRows(
        codes=sp.csr_matrix(codes),
        dense=dense.astype(np.float32),
        texts=np.array([f"row {i}" for i in range(n)], dtype=object),
        sets=sets,
        ids=np.array([f"r{i:04d}" for i in range(n)], dtype=object),
        clusters=np.zeros(n, dtype=np.int64),
        decoder_features=np.arange(D_SAE, dtype=np.int32),
        decoder_directions=np.eye(D_SAE, D_DENSE, dtype=np.float32),
        own=OwnResponses(sp.csr_matrix(own_codes), own_dense.astype(np.float32), has_prompt),
    )
    return rows, harmful[:n_train], direction


def test_the_projection_difference_finds_a_planted_direction():
    rows, harmful, direction = planted_rows()
    scorer = ToxicProximity(CONFIG).fit(rows)
    assert float(scorer.contrast_dense_unit_ @ direction) > 0.95  # the fitted direction is the planted one
    assert set(np.argsort(-scorer.contrast_latent_unit_)[: len(PLANTED_LATENTS)]) == set(PLANTED_LATENTS.tolist())
    train = rows.sets == "train"
    scores = scorer.score(rows.codes[train], rows.dense[train], rows.texts[train], rows.own.subset(train))
    for family, plain in (("score_self_contrast", "score_contrast_direction"), ("score_self_contrast_latents", "score_contrast_latents")):
        auroc = roc_auc_score(harmful, scores[family].to_numpy())
        # the prompt's own pull confounds the plain projection; the difference removes it
        assert auroc > 0.99 and auroc > roc_auc_score(harmful, scores[plain].to_numpy()) + 0.1, family


def test_a_row_that_is_the_models_own_answer_scores_exactly_zero():
    rows, _, _ = planted_rows()
    scorer = ToxicProximity(CONFIG).fit(rows)
    train = np.flatnonzero(rows.sets == "train")[:20]
    own = rows.own.subset(train)
    scores = scorer.score(own.codes, own.dense, rows.texts[train], own)
    for family in SELF_CONTRAST_FAMILIES:
        assert (scores[family].to_numpy() == 0.0).all(), family


def test_rows_without_a_prompt_score_nan_and_the_others_do_not():
    rows, _, _ = planted_rows()
    result = cross_fit(rows, CONFIG)
    for family in SELF_CONTRAST_FAMILIES:
        values = result.scores[family].to_numpy()
        assert np.isnan(values[~rows.own.present]).all() and np.isfinite(values[rows.own.present]).all(), family
    assert set(result.scorer.calibration_) == set(FAMILIES)  # calibrated on the training rows that have one


def test_without_own_answers_the_families_are_absent_and_every_other_score_is_unchanged(tmp_path):
    """An analysis built without --self-contrast: no self-contrast column, and the other columns,
    the calibration and the saved scorer are those of a scorer that never heard of them."""
    rows, _, _ = planted_rows()
    without = FitRows(rows.codes, rows.dense, rows.texts, rows.sets, rows.ids, rows.clusters, rows.decoder_features, rows.decoder_directions)
    plain, with_own = cross_fit(without, CONFIG), cross_fit(rows, CONFIG)
    assert [c for c in plain.scores.columns if c in SELF_CONTRAST_FAMILIES] == []
    assert with_own.scores.drop(list(SELF_CONTRAST_FAMILIES)).equals(plain.scores)
    assert set(plain.scorer.calibration_) == set(FAMILIES) - set(SELF_CONTRAST_FAMILIES)
    plain.scorer.save(tmp_path / "scorer")
    loaded = ToxicProximity.load(tmp_path / "scorer")  # the same format as before: nothing new is saved
    assert loaded.score(rows.codes, rows.dense, rows.texts).equals(plain.scorer.score(rows.codes, rows.dense, rows.texts))
    again = loaded.score(rows.codes, rows.dense, rows.texts, rows.own)
    for family in SELF_CONTRAST_FAMILIES:
        np.testing.assert_array_equal(again[family].to_numpy(), with_own.scorer.score(rows.codes, rows.dense, rows.texts, rows.own)[family].to_numpy())
    with pytest.raises(ValueError, match="needs? a build with --self-contrast"):
        plain.scorer.combine(plain.scores, "score_self_contrast")


def test_latent_contributions_add_up_to_the_self_contrast_latents_score():
    rows, _, _ = planted_rows()
    scorer = ToxicProximity(CONFIG).fit(rows)
    assert "score_self_contrast_latents" in LATENT_FAMILIES and "score_self_contrast" not in LATENT_FAMILIES
    for i in range(5):
        row, own_row = rows.codes[i], rows.own.codes[i]
        own = (own_row.indices, own_row.data)
        parts = scorer.latent_contributions(row.indices, row.data, "score_self_contrast_latents", own)
        rest = scorer.self_contrast_rest(row.indices, *own)
        score = scorer.score(row, rows.dense[i : i + 1], rows.texts[i : i + 1], rows.own.subset([i]))["score_self_contrast_latents"][0]
        assert parts.sum() + rest == pytest.approx(score, abs=1e-5)
    with pytest.raises(ValueError, match="own answer"):
        scorer.latent_contributions(row.indices, row.data, "score_self_contrast_latents")


# ---------------------------------------------------------------- prompts and generation


def test_the_prompt_is_the_text_before_the_response():
    prompt_row = "How do I boil an egg?\n\nPut it in boiling water."
    start = prompt_row.index("Put")
    assert prompt_conversation(prompt_row, start) == [{"role": "user", "content": "How do I boil an egg?"}]
    chat = "system: Be brief.\n\nuser: Name a colour.\n\nassistant: Blue.\n\nuser: Another?\n\nassistant: Green."
    start = chat.rindex("Green")
    assert [m["role"] for m in prompt_conversation(chat, start)] == ["system", "user", "assistant", "user"]
    assert prompt_conversation("A plain text, no prompt.", None) is None
    frame, kept = own_answer_rows(["a", "b", "c"], [prompt_row, "plain", prompt_row], [prompt_row.index("Put"), None, prompt_row.index("Put")], ["Use a pot.", None, "  "])
    assert kept.tolist() == [0]  # no prompt, or an empty answer: no own answer
    text, response_start = frame["text"][0], frame["response_start"][0]
    assert text == "How do I boil an egg?\n\nUse a pot."
    # read like a row: the same turns, the answer in the response's place
    assert [(role, text[a:b]) for role, a, b in chat_turns(text, response_start)] == [("user", "How do I boil an egg?"), ("assistant", "Use a pot.")]


class CountingGenerator:
    """Answers "answer to <last message>"; counts the prompts it was asked."""

    key, batch_size = "stand-in-model-float32", 3

    def __init__(self, fail_on_batch: int | None = None):
        self.asked: list[str] = []
        self.batches = 0
        self.fail_on_batch = fail_on_batch

    def generate(self, conversations, max_new_tokens):
        self.batches += 1
        if self.fail_on_batch is not None and self.batches == self.fail_on_batch:
            raise KeyboardInterrupt
        self.asked += [c[-1]["content"] for c in conversations]
        return [f"answer to {c[-1]['content']} ({max_new_tokens})" for c in conversations]


def _prompt_rows(n: int, distinct: bool = False) -> tuple[list[str], list[int | None]]:
    """Every fifth row a plain text; the others "prompt P\n\nresponse i", P one of 7 prompts
    (or every row its own, `distinct`)."""
    texts = [f"prompt {i if distinct else i % 7}\n\nresponse {i}" if i % 5 else f"plain text {i}" for i in range(n)]
    return texts, [text.index("response") if "response" in text else None for text in texts]


def test_the_generation_cache_is_reused(tmp_path):
    texts, starts = _prompt_rows(30)
    first = CountingGenerator()
    answers, counts = own_answers(texts, starts, first, tmp_path, 48, progress=False)
    assert answers[0] is None and answers[1] == "answer to prompt 1 (48)"
    assert sorted(first.asked) == sorted({f"prompt {i % 7}" for i in range(30) if i % 5})  # each prompt once
    assert counts == {"rows_with_prompt": 24, "generated": len(first.asked)}
    again = CountingGenerator()
    assert own_answers(texts, starts, again, tmp_path, 48, progress=False) == (answers, {"rows_with_prompt": 24, "generated": 0})
    assert again.asked == []  # nothing generated a second time
    other_limit = CountingGenerator()
    own_answers(texts, starts, other_limit, tmp_path, 16, progress=False)
    assert sorted(other_limit.asked) == sorted(first.asked)  # another token limit is another answer


def test_an_interrupted_generation_keeps_only_whole_parts(tmp_path, monkeypatch):
    texts, starts = _prompt_rows(60, distinct=True)  # 48 distinct prompts
    monkeypatch.setattr(self_responses, "FLUSH_PROMPTS", 6)
    with pytest.raises(KeyboardInterrupt):  # batches of 3: written after the second, stopped in the fourth
        own_answers(texts, starts, CountingGenerator(fail_on_batch=4), tmp_path, 48, progress=False)
    folder = generations_dir(tmp_path, CountingGenerator.key)
    names = [path.name for path in folder.iterdir()]
    assert len(names) == 1 and names[0].startswith("part-")  # one whole part, nothing half-written
    assert len(GenerationCache(folder).load()) == 6
    resumed = CountingGenerator()
    own_answers(texts, starts, resumed, tmp_path, 48, progress=False)
    assert len(resumed.asked) == 48 - 6

    def torn(*_):
        raise KeyboardInterrupt  # the process dies between writing and renaming a part

    monkeypatch.setattr(self_responses.os, "replace", torn)
    cache = GenerationCache(tmp_path / "other")
    with pytest.raises(KeyboardInterrupt):
        cache.add({("0" * 64, 48): "an answer"})
    assert list((tmp_path / "other").iterdir()) == [] and cache.load() == {}


# ---------------------------------------------------------------- settings and the extract step


def test_self_contrast_with_the_sentence_encoder_is_a_clear_error(tmp_path, capsys):
    from analysis.cli.main import main

    with pytest.raises(ValueError, match=r"--self-contrast needs a chat model .*sentence-transformers/all-MiniLM-L6-v2"):
        check_self_contrast(BuildConfig(extract=ExtractConfig(model=ENCODER, self_contrast=True)))
    code = main(["demo", "--model", ENCODER, "--self-contrast", "--out", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "--self-contrast needs a chat model" in err and "all-MiniLM-L6-v2" in err
    assert not (tmp_path / "analyses").exists()  # refused before any work
    with pytest.raises(ValueError, match="needs --self-contrast"):
        check_self_contrast(BuildConfig(extract=ExtractConfig(model=ENCODER), proximity=ProximityConfig(default_score="rank_mean:score_knn+score_self_contrast")))
    check_self_contrast(BuildConfig(extract=ExtractConfig(model=SMOLLM2, self_contrast=True)))  # fine


def test_the_setting_is_in_the_extract_key_and_the_command_only_when_on():
    fingerprint = [{"role": "train", "sha256": "0" * 64, "text_source": "text"}]
    base = BuildConfig(extract=ExtractConfig(model=SMOLLM2, layer=3))
    on = BuildConfig(extract=ExtractConfig(model=SMOLLM2, layer=3, self_contrast=True))
    assert step_keys(fingerprint, base) == step_keys(fingerprint, BuildConfig(extract=ExtractConfig(model=SMOLLM2, layer=3, self_contrast_tokens=7)))
    keys_on = step_keys(fingerprint, on)
    assert keys_on.extract != step_keys(fingerprint, base).extract and keys_on.sae == step_keys(fingerprint, base).sae  # the same SAE
    assert step_keys(fingerprint, BuildConfig(extract=ExtractConfig(model=SMOLLM2, layer=3, self_contrast=True, self_contrast_tokens=7))).extract != keys_on.extract
    inputs = SimpleNamespace(train=Path("t.jsonl"), toxic=Path("x.jsonl"), benign=None)
    assert "self-contrast" not in build_command(inputs, base)
    assert build_command(inputs, on).endswith("--self-contrast")
    tokens = BuildConfig(extract=ExtractConfig(model=SMOLLM2, layer=3, self_contrast=True, self_contrast_tokens=32))
    assert shlex.split(build_command(inputs, tokens))[-3:] == ["--self-contrast", "--self-contrast-tokens", "32"]


class ChatWords:
    """The word-level stand-in model of tests/test_streaming.py under the chat model's name."""

    def __new__(cls):
        from test_streaming import WordSource

        source = WordSource(window=12)
        source.name = SMOLLM2
        return source


def test_own_answers_are_read_like_the_rows(tmp_path):
    """Through the extract step's reading: a row whose own answer is its response gets the
    very codes and hidden state of the row, so both families score it 0; rows without a
    prompt have no own answer."""
    from test_streaming import tiny_sae

    from analysis.extraction.stream import extract_own_answers, stream_extract

    prompts = ["how do w1 w2", "tell me w3", "why w4 w5 w6"]
    responses = ["w7 w8 w9 w10", "w11 w12", "w13 w14 w15 w16 w17 w18 w19 w20 w21 w22 w23 w24 w25"]
    texts = [f"{p}\n\n{r}" for p, r in zip(prompts, responses, strict=True)] + ["plain w26 w27"]
    starts = [len(p) + 2 for p in prompts] + [None]
    samples = pl.DataFrame({"id": ["a", "b", "c", "d"], "text": texts, "response_start": starts})

    class Echo:  # answers the first prompt with the row's own response
        key, batch_size = "echo-float32", 4

        def generate(self, conversations, max_new_tokens):
            return [responses[0] if c[-1]["content"] == prompts[0] else "w30 w31" for c in conversations]

    source, sae, ex = ChatWords(), tiny_sae(), ExtractConfig(model=SMOLLM2, self_contrast=True, window=12, stride=8)
    own = extract_own_answers(samples, source, sae, ex, tmp_path, progress=False, generator=Echo())
    assert own.table["response"].to_list() == [responses[0], "w30 w31", "w30 w31", None]
    assert own.present.tolist() == [True, True, True, False] and np.isnan(own.dense[3]).all()
    assert own.table["features"][3].to_list() == []
    (chunk,) = list(stream_extract(samples, source, sae, ex, progress=False))
    np.testing.assert_array_equal(own.dense[0], chunk.encoded.raw_embeddings[0])
    assert own.table["features"][0].to_list() == [f for f in chunk.encoded.pooled_features[0].tolist() if f >= 0]
    with pytest.raises(ValueError, match="--self-contrast needs a chat model"):
        from test_streaming import WordSource

        extract_own_answers(samples, WordSource(), sae, ex, tmp_path, progress=False, generator=Echo())


def test_monitor_scores_a_batch_against_its_own_answers(tmp_path):
    """An analysis built with --self-contrast monitors a batch with the model's own answers to
    the batch's prompts: the columns, the answers' file, and drivers explained against them."""
    from monitor_fixtures import LookupExtractor, write_batch
    from synthetic import write_synthetic_analysis

    from analysis.artifacts.folder import Analysis
    from analysis.extraction.stream import OwnAnswerCodes
    from analysis.use.explain import load_scorer
    from analysis.use.monitor import monitor
    from analysis.use.monitor_runs import MonitorRun

    analysis_dir = write_synthetic_analysis(tmp_path / "cache" / "analyses" / "synthetic", 300, n_features=512, seed=2)
    manifest = json.loads((analysis_dir / "manifest.json").read_text())
    manifest["default_score"] = "score_self_contrast_latents"  # as a build with --self-contrast could choose
    (analysis_dir / "manifest.json").write_text(json.dumps(manifest))
    batch = write_batch(analysis_dir, tmp_path / "batch.jsonl", n_top=10, n_random=10)

    class WithOwnAnswers(LookupExtractor):
        """The batch rows' own answers: the codes of the analysis' first benign rows; the
        last row has no prompt."""

        def extract(self, samples, progress=True):
            rows = super().extract(samples, progress)
            benign = self.analysis.samples.filter(pl.col("set") == "benign")["id"].head(samples.height)
            codes = self.analysis.activations.filter(pl.col("id").is_in(benign.implode()))
            n = samples.height
            table = pl.DataFrame(
                {
                    "id": samples["id"],
                    "response": ["an answer"] * (n - 1) + [None],
                    "features": codes["features"].to_list()[: n - 1] + [[]],
                    "values": codes["values"].to_list()[: n - 1] + [[]],
                },
                schema={"id": pl.String, "response": pl.String, "features": pl.List(pl.Int32), "values": pl.List(pl.Float32)},
            )
            dense = rows.dense[::-1].copy()
            dense[-1] = np.nan
            rows.own = OwnAnswerCodes(table, dense, {})
            return rows

    report = monitor(analysis_dir, batch, tmp_path / "out", progress=False, report=lambda *_: None, extractor=WithOwnAnswers(analysis_dir))
    scores = report.scores
    for family in SELF_CONTRAST_FAMILIES:
        assert np.isfinite(scores[family].to_numpy()[:-1]).all() and np.isnan(scores[family][-1]), family
    assert (tmp_path / "out" / "self_responses.parquet").is_file()
    run, analysis = MonitorRun.open(tmp_path / "out"), Analysis.open(analysis_dir)
    driver = report.report["drivers"][0]
    assert driver["top_latents"] and {row["family"] for row in driver["top_latents"]} == {"score_self_contrast_latents"}
    listed = run.row_latents(analysis, driver["id"])
    assert listed["feature"].to_list()[: len(driver["top_latents"])] == [row["feature"] for row in driver["top_latents"]]
    # every latent's part, from the files the monitor kept, adds up to the row's score
    row = run.activations.filter(pl.col("id") == driver["id"])
    own = run.self_responses.filter(pl.col("id") == driver["id"])
    features, values = row["features"][0].to_numpy(), row["values"][0].to_numpy()
    own_codes = (own["features"][0].to_numpy(), own["values"][0].to_numpy())
    scorer = load_scorer(analysis)
    parts = scorer.latent_contributions(features, values, "score_self_contrast_latents", own_codes)
    assert parts.sum() + scorer.self_contrast_rest(features, *own_codes) == pytest.approx(driver["score"], abs=1e-5)

    # the analysis' own rows are explained against their own answers (self_responses.parquet)
    from analysis.use.explain import explain_sample

    ids = analysis.samples["id"].to_list()
    with pytest.raises(ValueError, match="--self-contrast"):  # no own answers in the folder yet
        explain_sample(analysis, ids[0], "score_self_contrast_latents", scorer=scorer)
    answers = analysis.activations.with_columns(response=pl.lit("an answer")).select("id", "response", "features", "values")
    answers.with_columns(pl.when(pl.col("id") == ids[1]).then(None).otherwise(pl.col("response")).alias("response")).write_parquet(analysis_dir / "self_responses.parquet")
    reopened = Analysis.open(analysis_dir)
    assert explain_sample(reopened, ids[0], "score_self_contrast_latents", scorer=scorer)["contribution"].abs().max() == 0.0  # its own answer
    assert explain_sample(reopened, ids[1], "score_self_contrast_latents", scorer=scorer).is_empty()  # no answer


def test_query_scores_a_prompt_against_the_models_own_answer(tmp_path):
    """`query` on an analysis built with --self-contrast: a text with a prompt gets the model's
    own answer and the self-contrast families against it (its latents explained against it);
    a plain text has no prompt, so no own answer and no self-contrast score."""
    from safetensors.numpy import load_file
    from synthetic import write_synthetic_analysis

    from analysis.artifacts.codes import activation_matrix
    from analysis.artifacts.folder import Analysis
    from analysis.artifacts.layout import EMBEDDINGS
    from analysis.extraction.stream import ExtractedRows, OwnAnswerCodes
    from analysis.use.query import QueryEngine, format_answer

    analysis_dir = write_synthetic_analysis(tmp_path / "synthetic", 300, n_features=512, seed=2)
    manifest = json.loads((analysis_dir / "manifest.json").read_text())
    manifest["default_score"] = "score_self_contrast_latents"  # as a build with --self-contrast could choose
    (analysis_dir / "manifest.json").write_text(json.dumps(manifest))
    analysis = Analysis.open(analysis_dir)
    raw = load_file(str(analysis_dir / EMBEDDINGS))["raw"]
    position = {sample_id: index for index, sample_id in enumerate(analysis.samples["id"].to_list())}
    read_as = analysis.samples.filter(pl.col("set") == "train").sort("score", descending=True)["id"].head(2).to_list()
    answer_id = analysis.samples.filter(pl.col("set") == "benign")["id"][0]

    class ChatStandIn:
        """Query row i is read as the analysis' i-th highest-scoring training row; the model's
        own answer to a prompt as its first benign row (a row without a prompt gets none)."""

        d_sae = 512

        def extract(self, samples, progress=True):
            n, ids = samples.height, samples["id"].to_list()
            codes = analysis.activations.filter(pl.col("id").is_in(read_as[:n])).sort(pl.col("id").replace_strict(read_as, list(range(len(read_as)))))
            table = codes.with_columns(id=pl.Series(ids)).select("id", "features", "values")
            has_prompt = samples["response_start"].is_not_null().to_list()
            answer = analysis.activations.filter(pl.col("id") == answer_id)
            own = pl.DataFrame(
                {
                    "id": ids,
                    "response": ["an answer of its own" if p else None for p in has_prompt],
                    "features": [answer["features"][0].to_list() if p else [] for p in has_prompt],
                    "values": [answer["values"][0].to_list() if p else [] for p in has_prompt],
                },
                schema={"id": pl.String, "response": pl.String, "features": pl.List(pl.Int32), "values": pl.List(pl.Float32)},
            )
            own_dense = np.where(np.array(has_prompt)[:, None], raw[position[answer_id]], np.nan).astype(np.float32)
            return ExtractedRows(
                codes=activation_matrix(table, ids, self.d_sae),
                dense=raw[[position[i] for i in read_as[:n]]],
                activations=table,
                n_tokens=np.ones(n, dtype=np.int32),
                n_windows=np.ones(n, dtype=np.int32),
                own=OwnAnswerCodes(own, own_dense, {}),
            )

    engine = QueryEngine.load(analysis, extractor=ChatStandIn())
    with_prompt, plain = engine.query([{"prompt": "How do I boil an egg?", "response": "Stop your medication now."}, "A plain text."])
    assert set(with_prompt["scores"]) == set(plain["scores"]) == set(FAMILIES)
    assert with_prompt["own_response"] == "an answer of its own" and plain["own_response"] is None

    # the row minus its own answer, along the fitted directions, as the build scores its rows
    scorer = engine.scorer
    row = activation_matrix(analysis.activations.filter(pl.col("id") == read_as[0]), [read_as[0]], 512)
    own_codes = activation_matrix(analysis.activations.filter(pl.col("id") == answer_id), [answer_id], 512)
    own = OwnResponses(own_codes, raw[[position[answer_id]]], np.array([True]))
    expected = scorer.self_contrast_scores(row, raw[[position[read_as[0]]]], own)
    for family in SELF_CONTRAST_FAMILIES:
        assert with_prompt["scores"][family] == pytest.approx(float(expected[family][0]), abs=1e-5), family
        assert plain["scores"][family] is None, family  # no prompt: NaN, written as null
    assert with_prompt["score"] == with_prompt["scores"]["score_self_contrast_latents"] and plain["score"] is None

    # the latents behind the score are taken against the own answer
    assert with_prompt["latents"] and {latent["family"] for latent in with_prompt["latents"]} == {"score_self_contrast_latents"}
    features, values = row.indices, row.data
    parts = dict(zip(features.tolist(), scorer.latent_contributions(features, values, "score_self_contrast_latents", (own_codes.indices, own_codes.data)).tolist(), strict=True))
    for latent in with_prompt["latents"]:
        assert latent["contribution"] == pytest.approx(parts[latent["feature"]], abs=1e-6)
    assert plain["latents"] == []
    assert "the model's own answer: an answer of its own" in format_answer(with_prompt, 1)
    assert "the model's own answer: none (the text has no prompt)" in format_answer(plain, 2)


def test_batched_generation_answers_as_one_prompt_at_a_time(tmp_path):
    """Left padding: a tiny random Llama with the chat model's own tokenizer gives each prompt
    the same greedy answer in a batch of prompts of other lengths as alone."""
    pytest.importorskip("gguf")
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from analysis.extraction.llm import packaged_gguf

    try:
        gguf = packaged_gguf()
    except (ModuleNotFoundError, FileNotFoundError) as err:
        pytest.skip(str(err))
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=256, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    import torch

    torch.manual_seed(0)
    folder = tmp_path / "tiny-llama"
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    generator = self_responses.ChatGenerator(folder, batch_size=3)
    conversations = [
        [{"role": "user", "content": "Hi"}],
        [{"role": "user", "content": "How do I keep my sourdough starter alive through a long holiday?"}],
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a colour."}],
    ]
    together = generator.generate(conversations, 8)
    assert together == [generator.generate([c], 8)[0] for c in conversations]
    assert generator.key == "tiny-llama-float32"


@pytest.mark.slow
def test_a_tiny_analysis_with_the_real_chat_model_and_self_contrast(tmp_path, converted_chat_model):
    """`build --model smollm2-135m-instruct --self-contrast` on a handful of rows: both columns
    exist, finite for rows with a prompt, NaN for the plain-text references; a second build
    (another layer) generates nothing again."""
    import subprocess
    import sys

    from pipeline_fixtures import link_converted_chat_model, write_inputs

    from analysis.artifacts.folder import Analysis

    paths = write_inputs(tmp_path / "inputs")  # training rows with prompts, plain-text references
    kept = paths["train"].read_text().splitlines(keepends=True)[:16]  # generation is the slow part
    paths["train"].write_text("".join(kept))
    n_train = len(kept)
    root = Path(__file__).resolve().parent.parent
    link_converted_chat_model(converted_chat_model, tmp_path / "cache")

    def build(layer: int) -> Analysis:
        command = [
            sys.executable, "-m", "analysis", "build", "--train", str(paths["train"]), "--toxic", str(paths["toxic"]),
            "--benign", str(paths["benign"]), "--out", str(tmp_path / "cache"), "--quiet", "--model", SMOLLM2,
            "--layer", str(layer), "--d-sae", "128", "--k", "8", "--training-tokens", "4096", "--min-cluster-size", "5",
            "--self-contrast", "--self-contrast-tokens", "6",
        ]
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stderr
        return Analysis.open(result.stdout.strip().splitlines()[-1])

    analysis = build(3)
    samples = analysis.samples
    with_prompt = samples["prompt"].is_not_null().to_numpy()
    assert with_prompt.sum() == n_train and (~with_prompt).any()
    for family in SELF_CONTRAST_FAMILIES:
        values = samples[family].to_numpy()
        assert np.isfinite(values[with_prompt]).all() and np.isnan(values[~with_prompt]).all(), family
    answers = analysis.self_responses
    assert answers["id"].to_list() == samples["id"].to_list()
    assert all(isinstance(a, str) and a for a in answers.filter(pl.Series(with_prompt))["response"].to_list())
    manifest = analysis.manifest
    assert manifest["config"]["extract"]["self_contrast"] is True and manifest["command"].endswith("--self-contrast-tokens 6")
    record = json.loads((analysis.path.parent.parent / "steps" / "extract" / manifest["steps"]["extract"] / "step.json").read_text())
    distinct_prompts = samples.filter(pl.Series(with_prompt))["prompt"].n_unique()  # a repeated prompt is asked once
    assert record["self_contrast"] == {"rows_with_prompt": n_train, "generated": distinct_prompts, "answered": n_train}
    again = build(4)  # another layer: the answers come from the generation cache
    record = json.loads((again.path.parent.parent / "steps" / "extract" / again.manifest["steps"]["extract"] / "step.json").read_text())
    assert record["self_contrast"] == {"rows_with_prompt": n_train, "generated": 0, "answered": n_train}
