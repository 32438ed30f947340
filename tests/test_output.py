"""Where `--output` and `--junit` write: never over an input of the run, through devices
and FIFOs, through symlinks to their target, and keeping a rewritten file's mode.

Real files, links, FIFOs and sockets on disk; the CLI through CliRunner, or a real
process where the file descriptors matter (/dev/stdout).
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from carecli.cli.app import app

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data" / "messages.jsonl"
WEEK = ["--week", "2026-W47", "--as-of", "2026-11-25"]
SLAS = "slas:\n  - {name: CSAT, metric: csat, fail: 80%}\n"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_bytes(SAMPLE.read_bytes())
    return path


def report(*args: str) -> Result:
    return CliRunner().invoke(app, ["report", *WEEK, "--format", "json", *args])


def check(*args: str) -> Result:
    return CliRunner().invoke(app, ["check", *WEEK, *args])


def assert_refused(result: Result, *fragments: str) -> str:
    """Exit 2, one `carecli: error:` line on stderr naming the path, nothing written."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("carecli: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- an input of the run is never the output ---------------------------------------------


@pytest.mark.parametrize("spelling", ["relative", "dot", "absolute", "symlink", "hardlink"])
def test_output_refuses_the_data_file_however_spelled(
    spelling: str, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = data.read_bytes()
    output = {
        "relative": "in.jsonl",
        "dot": "./sub/../in.jsonl",
        "absolute": str(data),
        "symlink": "link.jsonl",
        "hardlink": "hard.jsonl",
    }[spelling]
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.jsonl").symlink_to(data)
    os.link(data, tmp_path / "hard.jsonl")
    result = report("--data", "in.jsonl", "--output", output)
    line = assert_refused(result, f"--output {Path(output)}")
    assert "data file" in line and "choose another" in line
    assert data.read_bytes() == before
    assert (tmp_path / "link.jsonl").is_symlink()
    assert leftovers(tmp_path) == []


def test_output_refuses_any_of_several_data_files(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    (exports / "a.jsonl").write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    (exports / "b.jsonl").write_text("".join(lines[len(lines) // 2 :]), encoding="utf-8")
    before = (exports / "b.jsonl").read_bytes()
    result = report("--data", str(exports / "*.jsonl"), "--output", str(exports / "b.jsonl"))
    assert_refused(result, str(exports / "b.jsonl"), "data file")
    assert (exports / "b.jsonl").read_bytes() == before


def test_output_refuses_the_config_file(data: Path, tmp_path: Path) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_text("timezone: UTC\n", encoding="utf-8")
    result = report("--data", str(data), "--config", str(config), "--output", str(config))
    assert_refused(result, f"--output {config}", "config file")
    assert config.read_text(encoding="utf-8") == "timezone: UTC\n"


def test_output_refuses_the_config_found_in_the_working_directory(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "carecli.yaml").write_text("timezone: UTC\n", encoding="utf-8")
    assert_refused(report("--data", str(data), "--output", "carecli.yaml"), "config file")
    assert (tmp_path / "carecli.yaml").read_text(encoding="utf-8") == "timezone: UTC\n"


def test_junit_refuses_the_config_and_the_data(data: Path, tmp_path: Path) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_text(SLAS, encoding="utf-8")
    base = ["--data", str(data), "--config", str(config)]
    assert_refused(check(*base, "--junit", str(config)), f"--junit {config}", "config file")
    assert config.read_text(encoding="utf-8") == SLAS
    before = data.read_bytes()
    assert_refused(check(*base, "--junit", str(data)), f"--junit {data}", "data file")
    assert data.read_bytes() == before


def test_output_beside_the_inputs_is_still_written(data: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    assert report("--data", str(data), "--output", str(target)).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["period"]["label"] == "2026-W47"


# --- FIFOs and character devices are written through -------------------------------------


class Reader(threading.Thread):
    """Reads a FIFO to its end, as `cat fifo` would."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.data = path, b""

    def run(self) -> None:
        with open(self.path, "rb") as handle:
            self.data = handle.read()


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[tuple[Path, Reader]]:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    reader = Reader(path)
    reader.start()
    yield path, reader
    if reader.is_alive():  # the test failed before opening the FIFO: unblock the reader
        with open(path, "wb"):
            pass
    reader.join(5)


def test_output_into_a_fifo_is_written_through(
    data: Path, fifo: tuple[Path, Reader], tmp_path: Path
) -> None:
    path, reader = fifo
    result = report("--data", str(data), "--output", str(path))
    assert result.exit_code == 0, result.output
    reader.join(10)
    assert json.loads(reader.data)["period"]["label"] == "2026-W47"
    assert stat.S_ISFIFO(os.lstat(path).st_mode)  # still the FIFO, not a file in its place
    assert leftovers(tmp_path) == []


def test_junit_into_a_fifo_is_written_through(
    data: Path, fifo: tuple[Path, Reader], tmp_path: Path
) -> None:
    path, reader = fifo
    config = tmp_path / "carecli.yaml"
    config.write_text(SLAS, encoding="utf-8")
    result = check("--data", str(data), "--config", str(config), "--junit", str(path))
    assert result.exit_code in (0, 1), result.output
    reader.join(10)
    assert reader.data.startswith(b"<?xml")
    assert stat.S_ISFIFO(os.lstat(path).st_mode)


@pytest.fixture
def null_device(tmp_path: Path) -> Path:
    """A character device to write to. As root, a twin of /dev/null made in tmp_path, so
    that a regression replaces that twin, not the system's /dev/null."""
    if os.geteuid() != 0:
        return Path(os.devnull)
    twin = tmp_path / "null"
    try:
        os.mknod(twin, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError:
        pytest.skip("cannot make a device node here (no CAP_MKNOD)")
    return twin


def test_output_to_a_character_device_is_written_through(data: Path, null_device: Path) -> None:
    result = report("--data", str(data), "--output", str(null_device))
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.lstat(null_device).st_mode)
    assert leftovers(null_device.parent) == [] or null_device.parent == Path("/dev")


def test_output_to_stdout_through_a_link_to_it(data: Path, tmp_path: Path) -> None:
    """/dev/stdout is a link to /proc/self/fd/1; a twin link in tmp_path, so that a
    regression replaces the twin. Here fd 1 is a pipe: the report goes down it."""
    if not Path("/proc/self/fd/1").exists():
        pytest.skip("no /proc/self/fd")
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    done = subprocess.run(
        [sys.executable, "-m", "carecli", "report", *WEEK, "--format", "json",
         "--data", str(data), "--output", str(stdout)],
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["period"]["label"] == "2026-W47"
    assert os.readlink(stdout) == "/proc/self/fd/1"


def test_output_to_a_socket_is_refused(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        line = assert_refused(report("--data", str(data), "--output", str(path)), str(path))
    assert "socket" in line
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


# --- a symlink is followed: its target is replaced, the link stays -------------------------


def test_a_symlink_destination_replaces_its_target(data: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    target = reports / "weekly.json"
    target.write_text("last week", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(Path("reports") / "weekly.json")  # relative, as `ln -s` makes them
    result = report("--data", str(data), "--output", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(Path("reports") / "weekly.json")
    assert json.loads(target.read_text(encoding="utf-8"))["period"]["label"] == "2026-W47"
    assert leftovers(tmp_path) == [] and leftovers(reports) == []


def test_a_dangling_symlink_destination_creates_its_target(data: Path, tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "reports" / "new.json")
    assert report("--data", str(data), "--output", str(link)).exit_code == 0
    assert link.is_symlink()
    assert json.loads((tmp_path / "reports" / "new.json").read_text(encoding="utf-8"))


# --- a rewritten report keeps its permissions --------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_rewriting_a_private_report_keeps_it_private(
    data: Path, tmp_path: Path, umask_022: None
) -> None:
    target = tmp_path / "private.json"
    target.write_text("last week", encoding="utf-8")
    target.chmod(0o600)
    assert report("--data", str(data), "--output", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8").startswith("{")


def test_rewriting_through_a_symlink_keeps_the_target_mode(
    data: Path, tmp_path: Path, umask_022: None
) -> None:
    target = tmp_path / "shared.json"
    target.write_text("last week", encoding="utf-8")
    target.chmod(0o664)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert report("--data", str(data), "--output", str(link)).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("{")  # rewritten, through the link
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


def test_a_new_report_gets_the_umask_mode(data: Path, tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "new.json"
    assert report("--data", str(data), "--output", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
