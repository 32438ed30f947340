"""carecli's own exceptions: each carries a one-line, actionable message for the user."""


class CareError(Exception):
    """Base class: a problem the user can fix; the CLI prints it on one line and exits 2."""


class UsageError(CareError):
    """A command-line option has an invalid value."""


class ConfigError(CareError):
    """The YAML config file is invalid (message names the key path and line)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class InputError(CareError):
    """An input data file cannot be read or has invalid content (message names file and row)."""
