"""Before loading: what polars would read silently or misleadingly from the raw files.

A CSV that is not UTF-8 (polars replaces bad bytes), a header line repeated by
`cat a.csv b.csv` (it would be read as a data row) and two header columns that both read as
one field (polars would quietly take one). The pre-scan runs beside the load (see
cli_common.start_run); `quality.assess` looks at the loaded timeline afterwards.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from carecli.config.model import Config
from carecli.errors import InputError
from carecli.input.findings import Finding
from carecli.input.load import Source, detect_format, open_source
from carecli.input.rawbytes import scans_elsewhere


def prescan(
    files: Sequence[Path],
    config: Config,
    input_format: str | None = None,
    preset: str | None = None,
) -> list[Finding]:
    """Check what polars reads silently or misleadingly; raise InputError when the file
    cannot be read right, return findings for what is only degraded.

    Files that cannot be opened are left to load_dataset, which says why. The byte-level
    tests run in a child process (carecli.input.rawbytes), the header checks here, file
    by file in order: the first error is the first file's.
    """
    findings: list[Finding] = []
    csv_files = [path for path in files if _is_csv(path, config, input_format)]
    with scans_elsewhere(csv_files) as scans:
        for path in csv_files:
            source = open_source(path, "csv", config.csv_separator)
            _check_ambiguous_columns(source, config, preset)
            bad_lines, first_bad, repeated = next(scans)
            if repeated is not None:
                raise InputError(
                    f"{path}: line {repeated}: the header line is repeated (files joined with "
                    "cat?); delete that line, or pass each file with its own --data"
                )
            if bad_lines:
                findings.append(
                    Finding(
                        "invalid_utf8",
                        bad_lines,
                        f"{bad_lines} lines of {path} are not valid UTF-8; their bad bytes "
                        "were read as \ufffd (save the file as UTF-8, e.g. iconv -f latin1 "
                        "-t utf-8)",
                        f"line {first_bad}",
                    )
                )
    return findings


def _is_csv(path: Path, config: Config, input_format: str | None) -> bool:
    """A CSV file with bytes to test (JSON must be UTF-8 and polars says where it is not;
    Parquet is typed)."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        return detect_format(path, input_format or config.input_format) == "csv"
    except InputError:
        return False


def _check_ambiguous_columns(source: Source, config: Config, preset: str | None) -> None:
    """Two header columns that both read as one field: polars would quietly take one.

    Duplicate names that carecli does not use (two 'Notes' columns) are left alone.
    """
    from carecli.input.normalize import resolve_mapping, simple_name
    from carecli.input.presets import with_preset

    header = _raw_header(source.path, config.csv_separator)
    file_config, _ = with_preset(source, config, preset)
    mapping = resolve_mapping(source, file_config)
    used = {**mapping, **{f"threads.{k}": v for k, v in file_config.threads.items()}}
    for field_name, column in used.items():
        explicit = field_name.startswith("threads.") or file_config.columns.get(field_name)
        same = [
            i
            for i, name in enumerate(header)
            if (name == column if explicit else simple_name(name) == simple_name(column))
        ]
        if len(same) > 1:
            shown = ", ".join(f"{header[i]!r} (column {i + 1})" for i in same)
            raise InputError(
                f"{source.path}: line 1: {len(same)} columns could be field "
                f"{field_name!r}: {shown}; rename or remove all but one"
            )


def _raw_header(path: Path, separator: str) -> list[str]:
    """The header as written (polars renames a repeated name to name_duplicated_0)."""
    if path.suffix.lower() == ".tsv" and separator == ",":
        separator = "\t"
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        try:
            return next(csv.reader(handle, delimiter=separator), [])
        except csv.Error as exc:  # a name over 128 KiB: the first line is no header
            raise InputError(
                f"{path}: line 1: unreadable header ({exc}); the first line must name the columns"
            ) from None
