"""Finding and reading the config file: --config, then $CARECLI_CONFIG, then ./carecli.yaml."""

from __future__ import annotations

import os
from pathlib import Path

from carecli.config.model import Config, parse_config
from carecli.errors import ConfigError

CONFIG_ENV_VAR = "CARECLI_CONFIG"
DEFAULT_CONFIG_NAME = "carecli.yaml"


def find_config_path(explicit: Path | None) -> Path | None:
    """`--config`, then `$CARECLI_CONFIG`, then `./carecli.yaml`; None when there is none."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found; check the --config path")
        return explicit
    from_env = os.environ.get(CONFIG_ENV_VAR)
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise ConfigError(
                f"{path}: config file named by ${CONFIG_ENV_VAR} not found; "
                f"fix or unset ${CONFIG_ENV_VAR}"
            )
        return path
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.is_file() else None


def load_config(explicit: Path | None = None) -> Config:
    """Find and parse the config file; defaults when there is none."""
    path = find_config_path(explicit)
    if path is None:
        return Config()
    return parse_config(read_config_text(path), path)


def read_config_text(path: Path) -> str:
    """The config file's text (UTF-8, with or without a byte-order mark)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}:{line}: byte 0x{raw[exc.start]:02x} is not UTF-8; save the config as UTF-8"
        ) from None
