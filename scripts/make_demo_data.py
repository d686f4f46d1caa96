"""Generate the synthetic demo dataset in ``analysis/demo_data/``.

Writes three JSONL files and a README:

- ``train.jsonl``: instruction/response pairs for an assistant across five domains
  (health, legal, career, finance, coding), with about 5% subtly harmful rows planted
  (``label == "harmful"``);
- ``toxic.jsonl``: a reference set of known-harmful assistant behaviour, written
  independently of the planted rows (own prompts, own wording), plus a contemptuous
  "persona" category;
- ``benign.jsonl``: a reference set of careful, good advice.

All text is synthetic and was written for this project. The template text lives in the
``scripts/demo_templates/`` package (one module per domain or reference set); this file
holds only the generator logic. The generator is deterministic (fixed seed, stdlib +
polars only): running it twice gives byte-identical files. After editing a template,
rerun it and commit the output; ``tests/test_demo_data.py`` checks the committed files
match a fresh run.

Usage (from the repository root)::

    python scripts/make_demo_data.py            # writes analysis/demo_data/
    python scripts/make_demo_data.py --out DIR  # writes somewhere else
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

import polars as pl

# The templates package sits next to this file; make it importable when the script is
# run directly or loaded by path (as tests/test_demo_data.py does).
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from demo_templates import (  # noqa: E402
    Topic,
    benign,
    career,
    coding,
    finance,
    health,
    legal,
    toxic,
)
from demo_templates import slots as slot_values  # noqa: E402
from demo_templates.framing import (  # noqa: E402
    CLEAN_CLOSERS,
    CLEAN_CLOSERS_BY_DOMAIN,
    CLEAN_LEADS,
    CLEAN_LEADS_BY_DOMAIN,
    HARM_CLOSERS,
    HARM_LEADS,
    HARM_LEADS_BY_DOMAIN,
    NOTE_HEADINGS,
    PROMPT_PREFIX,
    PROMPT_SUFFIX,
)

SEED = 20260501
DOMAINS = ("health", "legal", "career", "finance", "coding")
N_TRAIN_PER_DOMAIN = 325
N_HARMFUL_PER_DOMAIN = 17
N_TOXIC_PER_CATEGORY = {
    "health": 56,
    "legal": 54,
    "career": 52,
    "finance": 54,
    "coding": 56,
    "persona": 56,
}
N_BENIGN_PER_CATEGORY = {
    "health": 30,
    "legal": 28,
    "career": 28,
    "finance": 28,
    "coding": 30,
    "general": 26,
}
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "analysis" / "demo_data"

# (clean topics, planted harmful topics) per train domain
TRAIN_TOPICS: dict[str, tuple[list[Topic], list[Topic]]] = {
    "health": (health.HEALTH_CLEAN, health.HEALTH_HARMFUL),
    "legal": (legal.LEGAL_CLEAN, legal.LEGAL_HARMFUL),
    "career": (career.CAREER_CLEAN, career.CAREER_HARMFUL),
    "finance": (finance.FINANCE_CLEAN, finance.FINANCE_HARMFUL),
    "coding": (coding.CODING_CLEAN + coding.CODING_LONG, coding.CODING_HARMFUL),
}
_FENCES = {"python": "python", "javascript": "javascript", "sql": "sql", "bash": "bash"}
_PROSE_SLOT = re.compile(r"\{([a-z_0-9]+)\}")
_CODE_SLOT = re.compile(r"<<([a-z_0-9]+)>>")


# --------------------------------------------------------------------------------------
# Slots and text helpers
# --------------------------------------------------------------------------------------
def _money(rng: random.Random, lo: int, hi: int, step: int) -> int:
    """A random amount in [lo, hi] on a grid of ``step``."""
    return rng.randrange(lo, hi + 1, step)


def make_slots(rng: random.Random) -> dict[str, str]:
    """One random value per slot; every row gets a full set so any template can use any slot."""
    cur = rng.choice(slot_values.CURRENCIES)
    name, name2 = rng.sample(slot_values.NAMES, 2)
    return {
        "name": name,
        "name2": name2,
        "age": str(rng.randint(24, 74)),
        "kid_age": str(rng.randint(2, 11)),
        "relation": rng.choice(slot_values.RELATIONS),
        "med": rng.choice(slot_values.MEDS),
        "weeks": str(rng.randint(2, 9)),
        "months": str(rng.randint(2, 18)),
        "years": str(rng.randint(2, 14)),
        "days": str(rng.randint(3, 21)),
        "hours": str(rng.randint(4, 7)),
        "cur": cur,
        "amount": f"{cur}{_money(rng, 1500, 48000, 500):,}",
        "small": f"{cur}{_money(rng, 40, 900, 10):,}",
        "salary": f"{cur}{_money(rng, 38000, 140000, 1000):,}",
        "debt": f"{cur}{_money(rng, 2000, 26000, 250):,}",
        "pct": str(rng.randint(3, 24)),
        "rate": f"{rng.randint(14, 29)}.{rng.randint(0, 9)}",
        "city": rng.choice(slot_values.CITIES),
        "company": rng.choice(slot_values.COMPANIES),
        "role": rng.choice(slot_values.ROLES),
        "field": rng.choice(slot_values.FIELDS),
        "coin": rng.choice(slot_values.COINS),
        "ticker": rng.choice(slot_values.TICKERS),
        "table": rng.choice(slot_values.TABLES),
        "col": rng.choice(slot_values.COLUMNS),
        "host": rng.choice(slot_values.HOSTS),
        "file": rng.choice(slot_values.FILES),
        "dir": rng.choice(slot_values.DIRS),
        "func": rng.choice(slot_values.FUNCS),
        "var": rng.choice(slot_values.VARS),
        "app": rng.choice(slot_values.APPS),
        "port": str(rng.choice([5432, 8080, 3000, 8443, 9000, 6379])),
        "n": str(rng.randint(3, 12)),
        "big_n": str(rng.choice([500, 1000, 2500, 5000, 10000])),
    }


def fill(text: str, slots: dict[str, str]) -> str:
    """Fill {slot} in prose (an unknown slot name is a bug: KeyError)."""
    return _PROSE_SLOT.sub(lambda m: slots[m.group(1)], text)


def fill_code(text: str, slots: dict[str, str]) -> str:
    """Fill <<slot>> in code (braces in code are left alone)."""
    return _CODE_SLOT.sub(lambda m: slots[m.group(1)], text)


def lower_first(text: str) -> str:
    """Lower-case the first letter for use after a lead-in, unless it starts a name or 'I'."""
    first = text.split(" ", 1)[0]
    if first in {"I", "I'd", "I'm", "I've"} or (len(first) > 1 and first[1].isupper()):
        return text
    if any(ch in first.rstrip(",.:") for ch in "._("):  # an identifier such as Array.prototype
        return text
    if first.rstrip(",.") in slot_values.NAMES or first in {
        "CBT-I",
        "Python",
        "JavaScript",
        "SQL",
        "Git",
    }:
        return text
    return text[0].lower() + text[1:]


def _attach_lead(lead: str, first: str) -> str:
    """Fuse a lead-in with the first sentence (lower-casing it after a non-final lead)."""
    if not lead:
        return first
    if lead.rstrip().endswith((".", "!", "?")):
        return lead + first
    return lead + lower_first(first)


# --------------------------------------------------------------------------------------
# Random choices
# --------------------------------------------------------------------------------------
def _pick_sentences(
    rng: random.Random, sents: list[str], lo: int, hi: int, weights: list[int] | None = None
) -> list[str]:
    """Between lo and hi sentences (optionally weighted by count), kept in listed order."""
    hi = min(hi, len(sents))
    lo = min(lo, hi)
    sizes = list(range(lo, hi + 1))
    k = rng.choices(sizes, weights=(weights[: len(sizes)] if weights else None))[0]
    return [sents[i] for i in sorted(rng.sample(range(len(sents)), k))]


def _round_robin(rng: random.Random, n_topics: int, n_rows: int) -> list[int]:
    """Topic index per row, as even as possible, in random order."""
    order: list[int] = []
    while len(order) < n_rows:
        block = list(range(n_topics))
        rng.shuffle(block)
        order.extend(block)
    return order[:n_rows]


def _lead_and_closer(
    rng: random.Random, leads: list[str], closers: list[str], p_lead: float, p_close: float
) -> tuple[str, str]:
    """A lead-in and a closer, each possibly empty (drawn with probability p_lead/p_close)."""
    lead = rng.choice(leads) if rng.random() < p_lead else ""
    closer = rng.choice(closers) if rng.random() < p_close else ""
    return lead, closer


def _make_prompt(
    rng: random.Random, template: str, slots: dict[str, str], p_prefix: float, p_suffix: float
) -> str:
    """Fill a prompt template and maybe add a conversational prefix and suffix."""
    text = fill(template, slots)
    if rng.random() < p_prefix:
        text = _attach_lead(rng.choice(PROMPT_PREFIX), text)
    if rng.random() < p_suffix:
        text = text + rng.choice(PROMPT_SUFFIX)
    return text


def _code_block(lang: str, code: str, slots: dict[str, str]) -> str:
    """A fenced Markdown code block with the <<slot>> placeholders filled."""
    return f"```{_FENCES[lang]}\n{fill_code(code, slots)}\n```"


# --------------------------------------------------------------------------------------
# train.jsonl
# --------------------------------------------------------------------------------------
def _train_framing(rng: random.Random, domain: str, harmful: bool) -> tuple[str, str]:
    """Lead-in and closer of a train answer, in the clean or the harmful register."""
    if harmful:
        leads = HARM_LEADS + HARM_LEADS_BY_DOMAIN[domain]
        return _lead_and_closer(rng, leads, HARM_CLOSERS, 0.5, 0.35)
    leads = CLEAN_LEADS + CLEAN_LEADS_BY_DOMAIN[domain]
    closers = CLEAN_CLOSERS + CLEAN_CLOSERS_BY_DOMAIN[domain]
    return _lead_and_closer(rng, leads, closers, 0.45, 0.25)


def _prose_answer(
    rng: random.Random, topic: Topic, harmful: bool, slots: dict[str, str], lead: str, closer: str
) -> str:
    """A prose train answer of 1-4 sentences."""
    lo = 2 if harmful else 1  # a planted answer always carries its bad advice
    sents = [fill(s, slots) for s in _pick_sentences(rng, topic["s"], lo, 4, [15, 35, 35, 15])]
    sents[0] = _attach_lead(lead, sents[0])
    return " ".join(sents + ([closer] if closer else []))


def _after_code(rng: random.Random, topic: Topic, slots: dict[str, str]) -> list[str]:
    """What follows the code: a headed bullet list of notes (long answers) or 0-2 sentences."""
    if "notes" in topic:
        picked = _pick_sentences(rng, topic["notes"], 5, 9)
        notes = [fill_code(fill(s, slots), slots) for s in picked]
        return [rng.choice(NOTE_HEADINGS), "\n".join(f"- {n}" for n in notes)]
    picked = _pick_sentences(rng, topic["post"], 0, 2)
    post = [fill_code(fill(s, slots), slots) for s in picked]
    return [" ".join(post)] if post else []


def _code_answer(
    rng: random.Random,
    topic: Topic,
    slots: dict[str, str],
    prompt_idx: int,
    lead: str,
    closer: str,
) -> str:
    """A coding train answer: 1-2 sentences, a fenced code block, then notes or remarks."""
    pre = [fill(s, slots) for s in _pick_sentences(rng, topic["s"], 1, 2)]
    pre[0] = _attach_lead(lead, pre[0])
    code_choices = topic.get("pc", {}).get(prompt_idx, range(len(topic["code"])))
    code = topic["code"][rng.choice(list(code_choices))]
    parts = [" ".join(pre), _code_block(topic["lang"], code, slots)]
    parts += _after_code(rng, topic, slots)
    if closer:
        parts.append(closer)
    return "\n\n".join(parts)


def _train_response(
    rng: random.Random,
    domain: str,
    topic: Topic,
    harmful: bool,
    slots: dict[str, str],
    prompt_idx: int,
) -> str:
    """A train answer: prose for prose topics, sentences around code for coding topics."""
    lead, closer = _train_framing(rng, domain, harmful)
    if "code" not in topic:
        return _prose_answer(rng, topic, harmful, slots, lead, closer)
    return _code_answer(rng, topic, slots, prompt_idx, lead, closer)


def _train_plan(rng: random.Random, domain: str) -> list[tuple[Topic, bool]]:
    """(topic, harmful) per row of one domain: clean rows first, then the planted ones."""
    clean_topics, harm_topics = TRAIN_TOPICS[domain]
    n_clean = N_TRAIN_PER_DOMAIN - N_HARMFUL_PER_DOMAIN
    plan = [(clean_topics[i], False) for i in _round_robin(rng, len(clean_topics), n_clean)]
    plan += [
        (harm_topics[i], True) for i in _round_robin(rng, len(harm_topics), N_HARMFUL_PER_DOMAIN)
    ]
    return plan


def _unique_train_pair(
    rng: random.Random,
    domain: str,
    topic: Topic,
    harmful: bool,
    seen_resp: set[str],
    seen_pair: set[tuple[str, str]],
) -> tuple[str, str]:
    """Draw (prompt, response) until the response and the pair are new (at most 500 tries)."""
    for _ in range(500):
        slots = make_slots(rng)
        prompt_idx = rng.randrange(len(topic["p"]))
        prompt = _make_prompt(rng, topic["p"][prompt_idx], slots, 0.3, 0.25)
        response = _train_response(rng, domain, topic, harmful, slots, prompt_idx)
        if response not in seen_resp and (prompt, response) not in seen_pair:
            return prompt, response
    raise RuntimeError(f"could not make a unique {domain} row")


def build_train(rng: random.Random) -> list[dict]:
    """The train rows of every domain, shuffled, with ids ``train-0001`` ..."""
    rows: list[dict] = []
    seen_resp: set[str] = set()
    seen_pair: set[tuple[str, str]] = set()
    for domain in DOMAINS:
        for topic, harmful in _train_plan(rng, domain):
            prompt, response = _unique_train_pair(rng, domain, topic, harmful, seen_resp, seen_pair)
            seen_resp.add(response)
            seen_pair.add((prompt, response))
            rows.append(
                {
                    "prompt": prompt,
                    "response": response,
                    "category": domain,
                    "label": "harmful" if harmful else "clean",
                }
            )
    rng.shuffle(rows)
    return [{"id": f"train-{i:04d}", **r} for i, r in enumerate(rows, start=1)]


# --------------------------------------------------------------------------------------
# toxic.jsonl and benign.jsonl
# --------------------------------------------------------------------------------------
def _persona_response(rng: random.Random) -> str:
    """A contemptuous persona answer: an opener and 2-3 shuffled persona sentences."""
    sents = _pick_sentences(rng, toxic.PERSONA_SENTENCES, 2, 3)
    rng.shuffle(sents)
    return _attach_lead(rng.choice(toxic.PERSONA_OPENERS), " ".join(sents))


def _reference_response(
    rng: random.Random,
    category: str,
    topic: Topic,
    slots: dict[str, str],
    leads: list[str],
    closers: list[str],
) -> str:
    """A reference answer: 2-3 sentences, plus a code block for code topics."""
    if category == "persona":
        return _persona_response(rng)
    p_lead, p_close = (0.6, 0.45) if leads is toxic.TOXIC_LEADS else (0.35, 0.35)
    lead, closer = _lead_and_closer(rng, leads, closers, p_lead, p_close)
    sents = [fill(s, slots) for s in _pick_sentences(rng, topic["s"], 2, 3)]
    sents[0] = _attach_lead(lead, sents[0])
    parts = [" ".join(sents)]
    if "code" in topic:
        parts.append(_code_block(topic["lang"], rng.choice(topic["code"]), slots))
        if topic.get("post") and rng.random() < 0.7:
            parts.append(fill(topic["post"][0], slots))
    if closer:
        parts.append(closer)
    return ("\n\n" if "code" in topic else " ").join(parts)


def _reference_set(
    kind: str,
) -> tuple[dict[str, list[Topic]], dict[str, int], list[str], list[str]]:
    """(topics by category, rows per category, lead-ins, closers) of "toxic" or "benign"."""
    if kind == "toxic":
        return toxic.TOXIC, N_TOXIC_PER_CATEGORY, toxic.TOXIC_LEADS, toxic.TOXIC_CLOSERS
    return benign.BENIGN, N_BENIGN_PER_CATEGORY, benign.BENIGN_LEADS, benign.BENIGN_CLOSERS


def _unique_reference_pair(
    rng: random.Random,
    kind: str,
    category: str,
    topic: Topic,
    framing: tuple[list[str], list[str]],
    seen_resp: set[str],
) -> tuple[str, str]:
    """Draw (prompt, response) until the response is new (at most 500 tries)."""
    for _ in range(500):
        slots = make_slots(rng)
        prompt = fill(rng.choice(topic["p"]), slots)
        response = _reference_response(rng, category, topic, slots, *framing)
        if response not in seen_resp:
            return prompt, response
    raise RuntimeError(f"could not make a unique {kind}/{category} row")


def build_reference(rng: random.Random, kind: str) -> list[dict]:
    """The rows of the "toxic" or "benign" reference set, shuffled, with ids ``<kind>-0001`` ..."""
    topics_by_cat, counts, leads, closers = _reference_set(kind)
    rows: list[dict] = []
    seen_resp: set[str] = set()
    for category, n in counts.items():
        topics = topics_by_cat[category]
        for i in _round_robin(rng, len(topics), n):
            prompt, response = _unique_reference_pair(
                rng, kind, category, topics[i], (leads, closers), seen_resp
            )
            seen_resp.add(response)
            rows.append({"prompt": prompt, "response": response, "category": category})
    rng.shuffle(rows)
    return [{"id": f"{kind}-{i:04d}", **r} for i, r in enumerate(rows, start=1)]


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------
def _write_jsonl(path: Path, rows: list[dict]) -> None:
    """One JSON object per line, UTF-8, LF line endings."""
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _table(df: pl.DataFrame, by: list[str]) -> str:
    """A Markdown table of row counts grouped by the columns ``by``."""
    counts = df.group_by(by).len().sort(by)
    header = "| " + " | ".join(by + ["rows"]) + " |"
    sep = "|" + "---|" * (len(by) + 1)
    lines = [header, sep]
    for rec in counts.iter_rows():
        lines.append("| " + " | ".join(str(v) for v in rec) + " |")
    return "\n".join(lines)


def _readme(train: pl.DataFrame, toxic: pl.DataFrame, benign: pl.DataFrame) -> str:
    """README.md of the output folder: what the files are, with their row counts."""
    n_harm = train.filter(pl.col("label") == "harmful").height
    return f"""# Demo dataset

Synthetic data for the demo of the feature-geometry workbench (see `docs/` and the
project README). **All text is synthetic and was written for this project**: hand-written
prompt stems, answer sentences, openers and closers, combined by a seeded generator with
varied names, numbers, products and code identifiers. Nothing is copied from a public
dataset. Names, companies and hosts (`*.example.com`) are fictional; keys in code are fake.

**Content warning:** `toxic.jsonl` and the rows of `train.jsonl` labelled `harmful`
contain deliberately bad advice (stopping prescribed medication, ignoring a court summons,
lying on a CV, putting all savings into one speculative asset), insecure code (disabled
TLS verification, SQL built by string concatenation, `eval` of user input, hard-coded
secrets, MD5 password hashing) and a contemptuous "persona". They exist so the tool can
find them. There are no operational instructions for serious harm.

## Files
All files are UTF-8 JSONL, one object per line, ids zero-padded and unique per file.

- `train.jsonl` ({train.height} rows): the fine-tuning set to curate. Columns `id`
  (`train-0001` ...), `prompt`, `response`, `category` (`health`, `legal`, `career`,
  `finance`, `coding`), `label` (`clean` or `harmful`). {n_harm} rows
  ({100 * n_harm / train.height:.1f}%) are planted, subtly harmful answers, spread over all
  five domains; the rest are ordinary, helpful answers. Most answers are 1-4 sentences;
  coding answers carry code blocks (Python, JavaScript, SQL, Bash), some over 300 words.
- `toxic.jsonl` ({toxic.height} rows): reference set of known-harmful assistant behaviour.
  Columns `id` (`toxic-0001` ...), `prompt`, `response`, `category` (the five domains plus
  `persona`). Written independently of the planted rows (own prompts, own wording), so the
  tool has to find planted rows through shared features, not copies.
- `benign.jsonl` ({benign.height} rows): reference set of clearly good, careful advice.
  Columns as `toxic.jsonl`; `category` is one of the five domains or `general`.

## Counts

train.jsonl:

{_table(train, ["label"])}

{_table(train, ["category", "label"])}

toxic.jsonl:

{_table(toxic, ["category"])}

benign.jsonl:

{_table(benign, ["category"])}

## Regenerate

```bash
python scripts/make_demo_data.py            # rewrites this folder
python scripts/make_demo_data.py --out /tmp/demo
```

The generator uses only the standard library and polars, with a fixed seed ({SEED}); two
runs give byte-identical files. `tests/test_demo_data.py` checks that the committed files
match a fresh run and checks counts, label shares, ids, duplicates, diversity and that no
planted row is copied from the toxic reference.
"""


def generate(out: Path) -> dict[str, int]:
    """Write the three JSONL files and README.md to ``out``; return the row counts."""
    out.mkdir(parents=True, exist_ok=True)
    train = build_train(random.Random(SEED))
    toxic_rows = build_reference(random.Random(SEED + 1), "toxic")
    benign_rows = build_reference(random.Random(SEED + 2), "benign")
    _write_jsonl(out / "train.jsonl", train)
    _write_jsonl(out / "toxic.jsonl", toxic_rows)
    _write_jsonl(out / "benign.jsonl", benign_rows)
    readme = _readme(pl.DataFrame(train), pl.DataFrame(toxic_rows), pl.DataFrame(benign_rows))
    (out / "README.md").write_text(readme, encoding="utf-8", newline="\n")
    return {"train": len(train), "toxic": len(toxic_rows), "benign": len(benign_rows)}


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python scripts/make_demo_data.py [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    counts = generate(args.out)
    print(", ".join(f"{k}: {v}" for k, v in counts.items()), "->", args.out)


if __name__ == "__main__":
    main()
