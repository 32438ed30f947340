"""The config's `smtp:` section -> SmtpSettings, checked key by key (sending: delivery.mail).

The password is never read from the config file, only from an environment variable
(`CARECLI_SMTP_PASSWORD` unless `password_env:` names another CARECLI_ one).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr

from carecli.config.entry import Problem
from carecli.config.secrets import secret_env_problem

SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
PASSWORD_ENV = "CARECLI_SMTP_PASSWORD"
_KEYS = ("host", "port", "security", "sender", "username", "password_env", "timeout")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
MAX_TIMEOUT = 3600  # seconds: an hour is already no timeout


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail. The password comes from os.environ[password_env]."""

    host: str
    port: int = 587
    security: str = "starttls"  # "starttls", "ssl" (implicit TLS, port 465) or "none"
    sender: str = ""
    username: str | None = None
    password_env: str = PASSWORD_ENV
    timeout: float = 30.0

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def host_problem(host: str) -> str | None:
    """Why `host` cannot be looked up (the socket layer fails on it with an internal
    error), or None. An IP address, or DNS labels of 1-63 characters."""
    import ipaddress

    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    if len(host) > 253:
        return "longer than 253 characters"
    for label in host.removesuffix(".").split("."):
        if not label:
            return "an empty part between dots"
        if len(label) > 63:
            return f"the part {label[:20]!r}... is longer than 63 characters"
        try:
            label.encode("idna")
        except UnicodeError:
            return f"the part {label[:20]!r} is not a valid name"
    return None


def is_address(value: str) -> bool:
    _, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain) and not any(c in value for c in "\r\n")


def read_smtp(raw: object, problem: Problem) -> SmtpSettings | None:
    """Parse the config's `smtp:` mapping, reporting each problem with its key path."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problem(("smtp",), "expected a mapping with host:, sender: and optionally port:, ...")
        return None
    ok = True

    def bad(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        problem(("smtp", key), message)

    for key in raw:
        if key == "password":
            bad(key, f"never put the password in the config; export ${PASSWORD_ENV} instead")
        elif key not in _KEYS:
            bad(key, f"unknown key; use {', '.join(_KEYS)}")
    host = raw.get("host")
    if not isinstance(host, str) or not host.strip() or any(c.isspace() for c in host.strip()):
        bad("host", "expected the SMTP server's host name, e.g. smtp.example.com")
        host = ""
    elif (reason := host_problem(host.strip())) is not None:
        bad("host", f"{host.strip()[:60]!r} is not a host name: {reason}")
        host = ""
    security = raw.get("security", "starttls")
    if security not in SECURITY:
        bad("security", f"{security!r} is not one of {', '.join(SECURITY)}")
        security = "starttls"
    port = raw.get("port", DEFAULT_PORTS[security])
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        bad("port", f"{port!r} is not a port number (1-65535); usually 587 or 465")
        port = DEFAULT_PORTS[security]
    sender = raw.get("sender")
    if sender is None:
        bad("sender", "required: the From address, e.g. 'Care team <care@example.com>'")
        sender = ""
    elif not isinstance(sender, str) or not is_address(sender):
        bad("sender", f"{sender!r} is not an email address, e.g. 'Care team <care@example.com>'")
        sender = ""
    username = raw.get("username")
    if username is not None and (not isinstance(username, str) or not username):
        bad("username", "expected the login name as text (omit it for no login)")
        username = None
    password_env = raw.get("password_env", PASSWORD_ENV)
    reason = secret_env_problem(password_env, PASSWORD_ENV)
    if reason is not None:
        bad("password_env", reason)
        password_env = PASSWORD_ENV
    timeout = raw.get("timeout", 30)
    number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
    if not number or not 0 < timeout <= MAX_TIMEOUT:  # also false for NaN and .inf
        bad("timeout", f"{timeout!r} is not a number of seconds above 0, at most {MAX_TIMEOUT}")
        timeout = 30
    if username and security == "none" and host.strip() not in _LOCAL_HOSTS:
        bad("security", "security: none would send the password unencrypted; use starttls or ssl")
    if not ok:
        return None
    return SmtpSettings(
        host=host.strip(),
        port=port,
        security=security,
        sender=sender.strip(),
        username=username,
        password_env=password_env,
        timeout=float(timeout),
    )
