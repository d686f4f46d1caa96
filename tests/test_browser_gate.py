"""The real-browser tests skip where no browser can run, but never under CI (scripts/test.sh alike)."""

from __future__ import annotations

import pytest
import test_browser


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_a_missing_browser_fails_a_ci_run(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setattr(test_browser, "missing_browser", lambda: "chromium is not installed at /usr/bin/chromium")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI is set: the real-browser tests must run"):
        test_browser.require_browser()


@pytest.mark.parametrize("ci", [None, "", "0", "false"])
def test_a_missing_browser_skips_elsewhere(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    monkeypatch.setattr(test_browser, "missing_browser", lambda: "chromium is not installed at /usr/bin/chromium")
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="chromium is not installed"):
        test_browser.require_browser()


def test_a_present_browser_runs_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(test_browser, "missing_browser", lambda: None)
    monkeypatch.setenv("CI", "true")
    test_browser.require_browser()  # neither skips nor fails
