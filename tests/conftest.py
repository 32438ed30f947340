"""Shared fixtures: every test runs isolated from the caller's config, colours and cwd."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config from the environment or the working directory leaks into a test."""
    monkeypatch.delenv("CARECLI_CONFIG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
