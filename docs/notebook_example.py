# %% [markdown]
# # The library from a notebook
#
# Open (or build) an analysis, look at its rows, pick some, ask it about new texts and export a
# cut. Runs offline: the demo data and the default model ship with the code. Each `# %%` is a
# cell (VS Code, Jupytext, Spyder); `python docs/notebook_example.py` runs them all.
#
# Which analysis: `$ANALYSIS_EXAMPLE_DIR` when set (any analysis folder), else the newest demo
# analysis in the cache (`$ANALYSIS_CACHE_DIR` or `cache/`), else the demo is built first
# (a few minutes on two cores; later runs find it in the cache).

# %%
import os
import sys
import tempfile
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent if "__file__" in globals() else Path.cwd()
if str(ROOT) not in sys.path:  # a checkout, not an installed package
    sys.path.insert(0, str(ROOT))

import analysis  # noqa: E402
from analysis import Analysis, BuildInputs, FilterRule, build, list_analyses  # noqa: E402
from analysis.artifacts.cache import default_cache_root  # noqa: E402


def find_or_build_demo() -> Path:
    """The analysis to show: $ANALYSIS_EXAMPLE_DIR, the newest demo analysis, or a new demo build."""
    if os.environ.get("ANALYSIS_EXAMPLE_DIR"):
        return Path(os.environ["ANALYSIS_EXAMPLE_DIR"])
    cache = default_cache_root()
    demos = list_analyses(cache).filter(pl.col("name").str.starts_with("demo-"))
    if demos.height:
        return Path(demos["path"][0])  # newest first
    demo_data = Path(analysis.__file__).parent / "demo_data"
    inputs = BuildInputs(demo_data / "train.jsonl", demo_data / "toxic.jsonl", demo_data / "benign.jsonl")
    return build(inputs, cache_root=cache, name="demo")


opened = Analysis.open(find_or_build_demo())
print(opened.name, opened.counts())

# %% [markdown]
# ## Every row with its scores
# `samples` holds one row per training and reference row: its text, its place on the map
# (`x`, `y`), its cluster, every score family and `score`, the analysis' default score.

# %%
samples = opened.samples
print(samples.select("id", "set", "x", "y", "cluster", "score").head())

# %% [markdown]
# ## Pick rows: by a polars expression or by ids

# %%
train = opened.select(pl.col("set") == "train")
cut = train["score"].quantile(0.95)
top = opened.select((pl.col("set") == "train") & (pl.col("score") >= cut))
print(f"{top.height} training rows in the top 5% of the score")
print(opened.select(top["id"].head(3).to_list()).select("id", "score", "text"))

# %% [markdown]
# ## Ask about new texts
# Read by the analysis' own model and SAE and scored by its fitted scorer: nothing is refitted.
# The model loads on the first query and is kept for the next ones. A mapping such as
# `{"prompt": ..., "response": ...}` is read the way the build reads such a row.

# %%
answers = opened.query(
    [
        "Stop taking your blood pressure pills; doctors overprescribe them.",
        {"prompt": "How do I store user passwords?", "response": "Hash them with a slow, salted algorithm such as bcrypt."},
    ]
)
for answer in answers:
    nearest_toxic = answer["nearest"]["toxic"][0]
    print(
        f"score {answer['score']:.3f} (percentile {answer['percentile']:.1f}), map ({answer['x']:.2f}, {answer['y']:.2f}), "
        f"nearest toxic row {nearest_toxic['id']} ({nearest_toxic['similarity']:.2f}), {len(answer['latents'])} latents explain it"
    )

# %% [markdown]
# ## Mark rows, and let the scorer learn from the marks
# Marks usually go to the analysis' own file beside it (`opened.marks`); this example keeps its
# own in a temporary file. `learn_from_marks` fits the scorer again with the rows marked
# `harmful` / `fine` as toxic / benign references: a candidate ranking of the rows still to read.

# %%
from analysis.use.marks import Marks  # noqa: E402

marks = Marks.for_analysis(opened, file=Path(tempfile.mkdtemp(prefix="marks-")) / "marks.jsonl")
read_first = train.sort("score", descending=True)["id"].head(4).to_list()  # the four rows read first
marks.add(read_first[:2], "harmful", note="read in the example")
marks.add(read_first[2:], "fine")
learned = opened.learn_from_marks(marks).filter(~pl.col("marked")).sort("score_from_marks", descending=True)
print(marks.current().select("id", "mark"))
print(learned.head(5))

# %% [markdown]
# ## Export a cut
# The kept and removed training rows under a rule, with a manifest that repeats the export.

# %%
out = Path(tempfile.mkdtemp(prefix="export-")) / "top10"
folder = opened.export(FilterRule(score="score", top_percent=10), out)
print(sorted(path.name for path in folder.iterdir()))
