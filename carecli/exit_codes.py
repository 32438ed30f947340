"""Process exit codes: the contract cron jobs and CI pipelines rely on."""

from enum import IntEnum


class ExitCode(IntEnum):
    """Every exit code carecli returns.

    OK (0): the command succeeded (and, for checks, every SLA target held).
    SLA_BREACH (1): the command succeeded but an SLA target's fail level was breached.
    USAGE_OR_DATA_ERROR (2): bad command line, config or input data; nothing was written.
    INTERNAL_ERROR (3): a bug in carecli itself (rerun with --traceback and report it).
    """

    OK = 0
    SLA_BREACH = 1
    USAGE_OR_DATA_ERROR = 2
    INTERNAL_ERROR = 3
