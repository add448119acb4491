"""Where Chromium is missing the browser tests fail with the command to install it."""

from __future__ import annotations

import pytest

from devtools import browser


def test_missing_chromium_names_the_install_command(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(browser.CHROMIUM_ENV, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(browser.ChromiumMissing, match="sudo apt-get install -y chromium"):
        browser.chromium()


def test_a_chosen_binary_must_be_executable(monkeypatch: pytest.MonkeyPatch, tmp_path):
    not_executable = tmp_path / "chromium"
    not_executable.write_text("")
    monkeypatch.setenv(browser.CHROMIUM_ENV, str(not_executable))

    with pytest.raises(browser.ChromiumMissing, match="is not an executable file"):
        browser.chromium()
