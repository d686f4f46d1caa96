"""Checks for the synthetic demo dataset in analysis/demo_data/ (see its README)."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "analysis" / "demo_data"
SCRIPT = ROOT / "scripts" / "make_demo_data.py"
DOMAINS = {"health", "legal", "career", "finance", "coding"}
FILES = ("train.jsonl", "toxic.jsonl", "benign.jsonl", "README.md")

_FENCE = re.compile(r"```[a-z]*\n.*?```", re.S)
_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def _load(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def train() -> list[dict]:
    return _load("train.jsonl")


@pytest.fixture(scope="module")
def toxic() -> list[dict]:
    return _load("toxic.jsonl")


@pytest.fixture(scope="module")
def benign() -> list[dict]:
    return _load("benign.jsonl")


def prose(text: str) -> str:
    """The text without fenced code blocks."""
    return _FENCE.sub(" ", text)


def sentences(text: str) -> list[str]:
    out = []
    for s in _SPLIT.split(prose(text)):
        s = s.strip().lstrip("- ").strip()
        if s:
            out.append(s)
    return out


def norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = norm(text).split()
    return {tuple(words[i : i + n]) for i in range(max(len(words) - n + 1, 1))}


def diversity(rows: list[dict]) -> dict[str, float]:
    responses = [r["response"] for r in rows]
    firsts = [sentences(t)[0] for t in responses]
    per_row = Counter()
    for t in responses:
        per_row.update(set(sentences(t)))
    top_sentence, top_count = per_row.most_common(1)[0]
    return {
        "distinct_responses": len(set(responses)) / len(rows),
        "distinct_prompts": len({r["prompt"] for r in rows}) / len(rows),
        "distinct_first_sentences": len(set(firsts)) / len(rows),
        "max_sentence_share": top_count / len(rows),
        "top_sentence": top_sentence,
    }


# ------------------------------------------------------------------ format and counts


def test_regenerates_byte_identical(tmp_path):
    spec = importlib.util.spec_from_file_location("make_demo_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(tmp_path / "a")
    module.generate(tmp_path / "b")
    for name in FILES:
        fresh = (tmp_path / "a" / name).read_bytes()
        assert fresh == (tmp_path / "b" / name).read_bytes(), f"{name} differs between runs"
        assert fresh == (DATA / name).read_bytes(), f"committed {name} is stale: rerun the script"


@pytest.mark.parametrize(
    ("name", "prefix", "columns"),
    [
        ("train.jsonl", "train", ["id", "prompt", "response", "category", "label"]),
        ("toxic.jsonl", "toxic", ["id", "prompt", "response", "category"]),
        ("benign.jsonl", "benign", ["id", "prompt", "response", "category"]),
    ],
)
def test_format_and_ids(name, prefix, columns):
    raw = (DATA / name).read_bytes()
    text = raw.decode("utf-8")
    assert text.endswith("\n") and "\r" not in text
    rows = [json.loads(line) for line in text.splitlines()]
    for i, row in enumerate(rows, start=1):
        assert list(row) == columns
        assert row["id"] == f"{prefix}-{i:04d}"
        assert all(isinstance(row[c], str) and row[c].strip() for c in columns)
    assert len({r["id"] for r in rows}) == len(rows)
    # English, essentially ASCII (a few €, £, ° and accented names are fine)
    body = "".join(r["prompt"] + r["response"] for r in rows)
    assert sum(not ch.isascii() for ch in body) / len(body) < 0.002


def test_train_counts_and_labels(train):
    assert len(train) >= 1600
    labels = Counter(r["label"] for r in train)
    assert set(labels) == {"clean", "harmful"}
    assert 80 <= labels["harmful"] <= 90
    assert 0.045 <= labels["harmful"] / len(train) <= 0.06
    by_domain = Counter((r["category"], r["label"]) for r in train)
    assert {c for c, _ in by_domain} == DOMAINS
    for domain in DOMAINS:
        assert by_domain[(domain, "harmful")] >= 12, domain
        assert by_domain[(domain, "clean")] >= 250, domain


def test_reference_counts(toxic, benign):
    assert len(toxic) >= 320
    tox = Counter(r["category"] for r in toxic)
    assert set(tox) == DOMAINS | {"persona"}
    assert min(tox.values()) >= 45
    assert len(benign) >= 160
    ben = Counter(r["category"] for r in benign)
    assert set(ben) == DOMAINS | {"general"}
    assert min(ben.values()) >= 20


def test_no_duplicates(train, toxic, benign):
    for rows in (train, toxic, benign):
        assert len({r["response"] for r in rows}) == len(rows)
        assert len({(r["prompt"], r["response"]) for r in rows}) == len(rows)
    # no response is shared between files either
    all_responses = [r["response"] for rows in (train, toxic, benign) for r in rows]
    assert len(set(all_responses)) == len(all_responses)


def test_no_unfilled_slots(train, toxic, benign):
    for row in train + toxic + benign:
        for field in ("prompt", "response"):
            assert not re.search(r"<<[a-z_0-9]+>>", row[field]), row["id"]
            assert not re.search(r"\{[a-z_0-9]+\}", prose(row[field])), row["id"]


# ------------------------------------------------------------------ shape of the text


def test_lengths_and_code(train):
    words = [len(r["response"].split()) for r in train]
    assert sum(w > 300 for w in words) >= 20, "need some long answers (> 256 tokens)"
    prose_rows = [r for r in train if r["category"] != "coding"]
    short = sum(len(sentences(r["response"])) <= 5 for r in prose_rows)
    assert short / len(prose_rows) >= 0.95, "most answers should be 1-4 sentences (+ closer)"
    coding = [r for r in train if r["category"] == "coding"]
    with_code = [r for r in coding if "```" in r["response"]]
    assert len(with_code) / len(coding) >= 0.9
    langs = Counter(re.findall(r"```([a-z]+)\n", "".join(r["response"] for r in coding)))
    assert {"python", "javascript", "sql", "bash"} <= set(langs)
    assert all(r["response"].count("```") % 2 == 0 for r in train)


def test_train_diversity(train):
    d = diversity(train)
    assert d["distinct_responses"] == 1.0
    assert d["distinct_prompts"] >= 0.6, d
    assert d["distinct_first_sentences"] >= 0.5, d
    assert d["max_sentence_share"] <= 0.015, d
    harmful = [r for r in train if r["label"] == "harmful"]
    h = diversity(harmful)
    assert h["distinct_first_sentences"] >= 0.6, h
    assert h["max_sentence_share"] <= 0.1, h
    for domain in DOMAINS:
        rows = [r for r in train if r["category"] == domain]
        dd = diversity(rows)
        assert dd["distinct_first_sentences"] >= 0.4, (domain, dd)
        assert dd["max_sentence_share"] <= 0.05, (domain, dd)


def test_reference_diversity(toxic, benign):
    for rows in (toxic, benign):
        d = diversity(rows)
        assert d["distinct_first_sentences"] >= 0.3, d
        assert d["max_sentence_share"] <= 0.08, d


# ------------------------------------------------------------------ independence and safety


def test_planted_rows_not_copied_from_toxic(train, toxic):
    tox_prompts = {norm(r["prompt"]) for r in toxic}
    tox_sentences = {norm(s) for r in toxic for s in sentences(r["response"])}
    tox_sentences = {s for s in tox_sentences if len(s.split()) >= 5}
    tox_shingles = [shingles(r["response"]) for r in toxic]
    for row in train:
        assert norm(row["prompt"]) not in tox_prompts, row["id"]
        for s in sentences(row["response"]):
            assert norm(s) not in tox_sentences, (row["id"], s)
        sh = shingles(row["response"])
        worst = max(len(sh & t) / len(sh | t) for t in tox_shingles)
        assert worst < 0.2, (row["id"], worst)
    # near-exact text match, checked the slow way for the planted rows only
    # (word-level sequence matching, exact ratio where the cheap bounds allow a match)
    tox_texts = [norm(r["prompt"] + " " + r["response"]).split() for r in toxic]
    for row in (r for r in train if r["label"] == "harmful"):
        text = norm(row["prompt"] + " " + row["response"]).split()
        for other in tox_texts:
            sm = SequenceMatcher(None, text, other, autojunk=False)
            if sm.real_quick_ratio() >= 0.5 and sm.quick_ratio() >= 0.5:
                assert sm.ratio() < 0.5, (row["id"], " ".join(other[:15]))


def test_no_operational_harm_terms(train, toxic, benign):
    banned = re.compile(
        r"\b(explosive|detonat|nerve agent|synthesi[sz]e (meth|drugs)|ransomware|keylogger|"
        r"overdose on|kill yourself|lethal dose|untraceable weapon|ghost gun)\b",
        re.I,
    )
    for row in train + toxic + benign:
        assert not banned.search(row["prompt"] + " " + row["response"]), row["id"]
