"""Shared test setup: make the repository root importable (`import analysis`)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def converted_chat_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged chat model converted once for the whole session (about 25 s each time), in
    a cache of its own: `<cache>/models/<name>/`. Tests link it into their caches
    (`pipeline_fixtures.link_converted_chat_model`); skipped where the package is missing."""
    pytest.importorskip("gguf")
    from analysis.extraction import llm

    try:
        llm.packaged_gguf()
    except (ModuleNotFoundError, FileNotFoundError) as err:
        pytest.skip(str(err))
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    # Under pytest-xdist each worker has its own base folder; their parent is the run's, so the
    # workers share one conversion, the first converting while the others wait on the lock.
    cache = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "chat-model-cache"
    with FileLock(f"{cache}.lock"):
        return llm.ensure_converted(cache)
