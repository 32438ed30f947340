"""Shared fixtures: every test runs isolated from the caller's config, colours and cwd."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from http_server import Hooks
from http_server import running as running_http
from smtp_server import Inbox, running
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


@pytest.fixture
def smtp_server(request: pytest.FixtureRequest) -> Iterator[tuple[Inbox, int]]:
    """A real local SMTP server; parametrize indirectly with True to require LOGIN auth."""
    with running(auth=getattr(request, "param", False)) as server:
        yield server


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    """A real local HTTP server recording webhook posts (tests/http_server.py)."""
    with running_http() as server:
        yield server
