"""Which environment variables a config may name as holding a secret: CARECLI_ ones only.

A config file is shared and committed, and the same config names the server a secret is
sent to (`smtp.host` for `smtp.password_env`). If it could name any variable, a config
with `password_env: AWS_SECRET_ACCESS_KEY` would send that key to a mail server of its
choosing. Limited to CARECLI_ names, carecli reads only what the user exported for it.
Every config key that names a secret's variable (webhooks too, when they come) uses this.
"""

from __future__ import annotations

import re

PREFIX = "CARECLI_"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def secret_env_problem(value: object, example: str) -> str | None:
    """Why `value` cannot name the variable of a secret (None if it can); `example` is a
    name to suggest, such as CARECLI_SMTP_PASSWORD."""
    if not isinstance(value, str) or not _NAME.match(value):
        return f"{value!r} is not an environment variable name; use e.g. {example}"
    if not value.startswith(PREFIX) or value == PREFIX:
        return (
            f"{value!r} does not start with {PREFIX}: carecli reads a secret only from a "
            f"{PREFIX} variable, so that a shared config cannot send another secret (a cloud "
            f"key, a token) to the server it names; use e.g. {example}"
        )
    return None
