"""First start on an empty cache: the CLI's cold demo build against the app's.

    python bench/first_start.py [--watchers none,auto] [--timeout 1800] [--keep] [--skip-cli]

1. `python -m analysis demo --out ROOT` on an empty cache folder, timed.
2. For each file-watcher setting: the app as the project serves it (`python -m streamlit run
   app.py --server.headless true --server.port PORT`, which reads `.streamlit/config.toml`;
   `auto` adds `--server.fileWatcherType auto`, Streamlit's own default) on another empty
   cache folder, opened in Debian's chromium (Playwright). The app starts the demo build by
   itself on a first start; the clock runs from opening the page to the sample map drawn
   after clicking "Sample map". The Streamlit server's own CPU seconds (psutil; the build
   runs in a child process and is not counted) are taken from opening the page to the end
   of the build.

The cache folders lie under bench/out/ (git-ignored), inside the app folder as `cache/` does,
so a file watcher sees the build's writes as it would on a real first start; they are
removed afterwards unless --keep. Prints one table row per setting. `--skip-cli` leaves out
step 1 (with `ANALYSIS_CLI` naming a stand-in build, as the tests do, it checks the script in
seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appkit import jobs  # noqa: E402
from bench.browser import CHROMIUM, CHROMIUM_ARGS, SCRIPT_STATE, free_port, stop_group, wait_healthy  # noqa: E402

OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


@dataclass
class AppRun:
    watcher: str
    command: list[str]
    server_ready_s: float  # process start to health check answering (not in the first start)
    build_s: float  # page opened to the build's exit record
    first_start_s: float  # page opened to the sample map drawn
    server_cpu_s: float  # the server process's own user + system time while the build ran

    @property
    def server_cpu_percent(self) -> float:
        return 100.0 * self.server_cpu_s / self.build_s


def base_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("STREAMLIT_")}
    env.update({key: env.get(key, value) for key, value in OFFLINE.items()})
    env.pop("ANALYSIS_CACHE_DIR", None)
    return env


def cli_cold_demo(cache: Path, timeout_s: float) -> float:
    command = [sys.executable, "-m", "analysis", "demo", "--out", str(cache)]
    started = time.perf_counter()
    with open(cache.parent / f"{cache.name}.stderr.log", "wb") as log:
        result = subprocess.run(command, cwd=ROOT, env=base_env(), stdout=subprocess.PIPE, stderr=log, timeout=timeout_s)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"the CLI demo build failed ({result.returncode}); see {log.name}")
    return seconds


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _demo_job(cache: Path, page, timeout_s: float) -> Path:
    """The job folder of the demo build the app started by itself on its first page run."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [job.folder for job in jobs.list_jobs(cache) if job.kind == "demo"]
        if found:
            return found[0]
        page.wait_for_timeout(250)  # keeps the page's event loop turning while we wait
    raise RuntimeError("the app did not start the demo build")


def app_first_start(cache: Path, watcher: str, timeout_s: float) -> AppRun:
    from playwright.sync_api import sync_playwright

    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port)]
    if watcher != "none":  # "none" is the project's own setting (.streamlit/config.toml)
        command += ["--server.fileWatcherType", watcher]
    env = {**base_env(), "ANALYSIS_CACHE_DIR": str(cache), "ANALYSIS_AUTO_DEMO": "1"}
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    outside: list[str] = []
    try:
        wait_healthy(url, server, timeout_s=120)
        server_ready_s = time.perf_counter() - started
        process = psutil.Process(server.pid)

        def guard(route) -> None:
            if route.request.url.startswith((url, "data:", "blob:", "about:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1600, "height": 1100})
            context.route("**/*", guard)
            page = context.new_page()
            page.set_default_timeout(180_000)

            cpu_before = _cpu_seconds(process)
            opened = time.perf_counter()
            page.goto(url)
            job = _demo_job(cache, page, 120)
            deadline = time.monotonic() + timeout_s
            while not (job / "exit.json").is_file():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the demo build in the app took over {timeout_s:.0f} s")
                page.wait_for_timeout(500)
            build_s = time.perf_counter() - opened
            server_cpu_s = _cpu_seconds(process) - cpu_before
            status = jobs.job_status(job)
            if status.state != "done":
                raise RuntimeError(f"the demo build in the app {status.state}: {status.error or status.log_tail[-2000:]}")

            # The home page opens the finished build by itself; then the user goes to the map.
            page.get_by_text("Open now:", exact=False).first.wait_for(state="visible")
            page.get_by_test_id("stSidebarNav").get_by_text("Sample map", exact=True).click()
            page.wait_for_function(f"() => {SCRIPT_STATE} !== 'running'")
            page.wait_for_function("() => document.querySelector('.js-plotly-plot')?._fullData?.length > 0")
            page.wait_for_selector(".js-plotly-plot .draglayer .nsewdrag")
            first_start_s = time.perf_counter() - opened
            context.close()
            browser.close()
    finally:
        for job in jobs.list_jobs(cache):
            if job.state == "running":
                jobs.cancel_job(job.folder)
        stop_group(server, timeout_s=20)
    if outside:
        raise RuntimeError(f"the browser asked for something other than the app: {outside[:5]}")
    return AppRun(watcher, command, server_ready_s, build_s, first_start_s, server_cpu_s)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--watchers", default="none,auto", help="file-watcher settings of the app runs, in order")
    parser.add_argument("--timeout", type=float, default=1800, help="longest a demo build may take, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the cache folders under bench/out/first-start/")
    parser.add_argument("--skip-cli", action="store_true", help="only the app runs (no CLI build, no ratio)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"chromium is not installed at {CHROMIUM}")

    out = ROOT / "bench" / "out" / "first-start"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    roots: list[Path] = []

    def empty_cache(label: str) -> Path:
        folder = out / f"{stamp}-{label}"
        folder.mkdir(parents=True)
        roots.append(folder)
        return folder

    print(f"{psutil.cpu_count()} logical CPUs, {_load()}", flush=True)
    try:
        cli_s = None
        if not args.skip_cli:
            cli_s = cli_cold_demo(empty_cache("cli"), args.timeout)
            print(f"CLI cold demo (python -m analysis demo --out <empty cache>): {cli_s:.1f} s; {_load()}", flush=True)
        runs = []
        for watcher in [w.strip() for w in args.watchers.split(",") if w.strip()]:
            run = app_first_start(empty_cache(f"app-{watcher}"), watcher, args.timeout)
            runs.append(run)
            print(
                f"app, fileWatcherType={watcher}: server ready {run.server_ready_s:.1f} s, build done {run.build_s:.1f} s, "
                f"map drawn {run.first_start_s:.1f} s after opening the page; {_load()}",
                flush=True,
            )
    finally:
        if not args.keep:
            for folder in roots:
                shutil.rmtree(folder, ignore_errors=True)
                (folder.parent / f"{folder.name}.stderr.log").unlink(missing_ok=True)

    print()
    print("| fileWatcherType | CLI cold demo s | app first start s | ratio app/CLI | server CPU s during the build | server CPU % of a core |")
    print("|---|---|---|---|---|---|")
    cli_cell = "-" if cli_s is None else f"{cli_s:.1f}"
    for run in runs:
        label = f"{run.watcher} (project config)" if run.watcher == "none" else f"{run.watcher} (--server.fileWatcherType {run.watcher})"
        ratio = "-" if cli_s is None else f"{run.first_start_s / cli_s:.2f}"
        print(
            f"| {label} | {cli_cell} | {run.first_start_s:.1f} | {ratio} | {run.server_cpu_s:.1f} | {run.server_cpu_percent:.1f} |"
        )
    record = {
        "cli_cold_demo_s": None if cli_s is None else round(cli_s, 2),
        "app": [
            {**{key: round(value, 2) if isinstance(value, float) else value for key, value in run.__dict__.items()}, "command": run.command[2:]}
            for run in runs  # the command without the interpreter's path
        ],
    }
    print()
    print(json.dumps(record))


if __name__ == "__main__":
    main()
