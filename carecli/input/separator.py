"""Which character separates a CSV's columns, when the header read with the configured
one is a single column: European spreadsheets write ';', others a tab."""

from __future__ import annotations

from pathlib import Path

from carecli.errors import InputError

_SEPARATORS = ("\t", ";", "|", ",")
_SHOWN = {"\t": "a tab", ";": "';'", "|": "'|'", ",": "','"}


def other_separators(header: str, separator: str) -> list[str]:
    """The separators other than `separator` that a one-column header holds: exactly one
    is the file's separator; several leave it unclear."""
    return [c for c in _SEPARATORS if c != separator and c in header]


def wrong_separator(path: Path, header: str, separator: str, found: list[str]) -> InputError:
    """The error for a one-column header that holds several other separators."""
    # YAML reads "\t" (double quotes) as a tab; '\t' would be two characters.
    settings = ['"\\t"' if c == "\t" else repr(c) for c in found]
    held = " and ".join(_SHOWN[c] for c in found)
    return InputError(
        f"{path}: line 1: the header is one column {header[:60]!r}; it holds {held}, not "
        f"{_SHOWN.get(separator, repr(separator))}; set csv_separator: "
        f"{' or '.join(settings)} in the config"
    )
