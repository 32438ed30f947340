"""One run of carecli as one call: a frozen request in, a typed result out.

`run(Request(...))` reads the config and the data, picks the period and the as-of moment,
assesses data quality (and applies `strict_data`), computes the report, evaluates the SLA
targets and, for a digest, the weekly trend. The CLI is parse -> run -> render -> write or
deliver; a Python caller gets exactly what the CLI shows, findings and warnings included::

    from carecli import Request, run
    result = run(Request(data=(Path("messages.jsonl"),), week="2026-W45"))
    result.report.overall.current["csat"]["rate"], result.outcomes, result.warnings
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from carecli import memory
from carecli.config.files import load_config
from carecli.config.model import Config
from carecli.errors import CareError, UsageError
from carecli.input import strict
from carecli.input.changed_input import unchanged
from carecli.input.findings import Finding
from carecli.input.prescan import prescan
from carecli.periods import Period, check_in_range, select_period
from carecli.report import quality
from carecli.report.basis import Basis
from carecli.report.build import COMPARISONS, Dataset, Report, build_report, load_dataset
from carecli.report.trend import DailyVolume, TrendPoint, daily_volume, weekly_trend
from carecli.schema import CHANNELS
from carecli.sla.evaluate import Outcome, evaluate, unavailable_warnings
from carecli.timeline.asof import AsOf, default_as_of
from carecli.timeline.partitions import Progress

INPUT_FORMATS = ("csv", "jsonl", "parquet")
CLOCKS = ("calendar", "business")
# How long after its last event an export read later may have been taken: a quiet
# weekend (Friday evening to Monday morning).
EXPORT_GRACE = timedelta(days=3)


@dataclass(frozen=True)
class Request:
    """What to compute: the CLI's options as plain values (None: the config's or default)."""

    data: tuple[Path, ...]
    config: Path | None = None  # None: $CARECLI_CONFIG, then ./carecli.yaml, else defaults
    week: str | None = None  # "2026-W45", or "last" for the last complete week
    since: str | None = None
    until: str | None = None
    everything: bool = False  # all the data, whatever its dates
    timezone: str | None = None
    clock: str | None = None  # "calendar" or "business"
    as_of: str | None = None  # a date-time in the reporting timezone, or "now"
    input_format: str | None = None  # "csv", "jsonl" or "parquet" when the name does not say
    preset: str | None = None
    strict_data: bool = False  # any data-quality finding is an error (exit 2)
    # The report (report=False: SLA outcomes only, as `carecli check`).
    report: bool = True
    group_by: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    comparison: str = "like_for_like"  # or "plain"
    digest_weeks: int | None = None  # the digest's weekly trend over this many weeks
    # "4GB", "700MB": above the estimated peak, big exports are read in partitions on disk.
    memory_limit: str | None = None  # None: the config's memory_limit:, else carecli.memory


@dataclass(frozen=True)
class Result:
    """Everything a run found: what the renderers show and what the CLI says on stderr."""

    config: Config
    dataset: Dataset
    period: Period
    as_of: AsOf
    outcomes: tuple[Outcome, ...]
    findings: tuple[Finding, ...]  # data-quality findings (also in the report's data)
    notes: tuple[str, ...]  # what carecli decided for the user (a preset detected, the as-of)
    warnings: tuple[str, ...]  # what the user should look at (findings, unavailable metrics)
    report: Report | None = None
    trend: tuple[TrendPoint, ...] = ()
    daily: DailyVolume | None = None

    @property
    def basis(self) -> Basis:
        return Basis(self.period, self.as_of, self.config.clock, self.dataset.summary())

    @property
    def inputs(self) -> dict[Path, str]:
        """The files this run read, which --output and --junit must never overwrite."""
        files = {path: "data file" for path in self.dataset.files or (self.dataset.path,)}
        if self.config.path is not None:
            files[self.config.path] = "config file"
        return files


# `loading(message)` wraps the load. What it yields, if callable, is told how far the load
# is: progress(stage, done, total, unit), unit "bytes", "partitions" or "steps".
Loading = Callable[[str], AbstractContextManager[Progress | None]]


def run(request: Request, loading: Loading | None = None) -> Result:
    """Compute everything `request` asks for. `loading(message)` wraps the load (the CLI
    shows a progress bar on a terminal). Bad input raises a CareError with a one-line
    reason."""
    if not request.data:
        raise UsageError("no data file given")
    if request.input_format is not None and request.input_format not in INPUT_FORMATS:
        raise UsageError(f"--format-in {request.input_format!r}: use csv, jsonl or parquet")
    if request.comparison not in COMPARISONS:
        raise UsageError(f"comparison {request.comparison!r}: use like_for_like or plain")
    config = _configured(request)
    _check_channels(request.filters, config)
    zone = config.timezone
    wall_clock = datetime.now(UTC)
    requested = parse_as_of(request.as_of, zone)
    # The period options are checked before a big file is read; the period itself is
    # chosen once the as-of moment is known (it may be the end of the data).
    _select(request, zone, requested or wall_clock)
    dataset, findings = _load(request, config, wall_clock, loading or (lambda _: nullcontext()))
    notes = list(dataset.notes)
    warnings = [finding.line() for finding in findings if not finding.printed]
    created = dataset.timeline.conversations["created_at"]
    if created.len() and created.is_null().all() and not request.everything:
        raise UsageError(
            f"{', '.join(map(str, request.data))}: the data has no creation time, so "
            "conversations cannot be placed in a period; use --all to report on the whole file"
        )
    moment = AsOf(requested, "option") if requested else default_as_of(dataset.timeline, wall_clock)
    if moment.source == "data":
        notes.append(
            f"as of {local_time(moment.moment, zone)}, the end of the data (--as-of sets another)"
        )
    # An open --until ends at the as-of moment; a bare --week counts from selection_moment.
    counted_from = moment.moment if request.since else selection_moment(moment, wall_clock)
    period = _select(request, zone, counted_from)
    outcomes = tuple(evaluate(dataset.timeline, config.slas, period, config, moment.utc))
    warnings += unavailable_warnings(outcomes)
    result = Result(config, dataset, period, moment, outcomes, tuple(findings), tuple(notes), ())
    if request.report:
        result = _with_report(result, request, warnings)
    return dataclasses.replace(result, warnings=tuple(warnings))


def _configured(request: Request) -> Config:
    """The config file with the request's overrides (timezone, clock) applied."""
    config = load_config(request.config)
    config = dataclasses.replace(config, timezone=resolve_timezone(request.timezone, config))
    if request.memory_limit is not None:
        try:
            limit = memory.parse_size(request.memory_limit)
        except memory.MemoryLimitError as exc:
            raise UsageError(f"--memory-limit: {exc}") from None
        config = dataclasses.replace(config, memory_limit=limit)
    clock = request.clock
    if clock is not None:
        if clock not in CLOCKS:
            raise UsageError(f"--clock {clock!r}: use calendar or business")
        if clock == "business" and not config.channel_calendars:
            raise UsageError(
                "--clock business needs calendars: and channel_calendars: in the config "
                "(see docs/business-hours.md)"
            )
        config = dataclasses.replace(config, clock=clock)
    return config


def _check_channels(filters: Mapping[str, tuple[str, ...]], config: Config) -> None:
    """`--where channel=emial` would match nothing, silently: a channel is one carecli
    knows (read from any spelling onto these) or one the config adds under channels:."""
    known = (*CHANNELS, *config.channels)
    for value in filters.get("channel", ()):
        if value not in known:
            raise UsageError(
                f"--where channel={value[:60]}: not a channel; known channels: "
                f"{', '.join(known)} (add yours under channels: in the config)"
            )


def _select(request: Request, zone: str, moment: datetime) -> Period:
    return select_period(
        request.week, request.since, request.until, zone, moment, request.everything
    )


def _load(
    request: Request, config: Config, wall_clock: datetime, loading: Loading
) -> tuple[Dataset, list[Finding]]:
    """The dataset, with the findings of the pre-scan and of the quality assessment."""
    files = list(request.data)
    fmt, preset = request.input_format, request.preset
    label = f"Loading {files[0] if len(files) == 1 else f'{len(files)} files'}"
    with unchanged(files), loading(label) as progress:
        # The byte-level pre-scan runs beside the load: polars releases the GIL while it
        # reads, so on a large CSV the pre-scan costs almost no wall time.
        with ThreadPoolExecutor(max_workers=1) as pool:
            prescanned = pool.submit(prescan, files, config, fmt, preset)
            try:
                dataset = load_dataset(
                    files,
                    config,
                    fmt,
                    preset,
                    memory_limit=config.memory_limit,
                    progress=progress if callable(progress) else None,
                )
            except CareError:
                prescanned.result()  # a pre-scan error (say, a repeated header) is the cause
                raise
            findings = prescanned.result()
        # The real clock, not --as-of: data after a past as-of date is not in the future.
        dataset, more = quality.assess(dataset, wall_clock)
    findings += more
    if request.strict_data and findings:
        raise strict.strict_error(findings, files, config, fmt, preset)
    return dataset, findings


def _with_report(result: Result, request: Request, warnings: list[str]) -> Result:
    """The report (and the digest's trend), with the data-quality findings in its data:
    every format shows them, not only stderr."""
    dataset, period, config = result.dataset, result.period, result.config
    filters = {k: tuple(v) for k, v in request.filters.items()}
    report = build_report(
        dataset,
        period,
        config,
        request.group_by,
        request.metrics,
        filters,
        as_of=result.as_of,
        comparison=request.comparison,
    )
    found = [finding.as_dict() for finding in result.findings]
    report = dataclasses.replace(report, data={**report.data, "warnings": found})
    if report.overall.current.get("volume", {}).get("conversations") == 0:
        warnings.append(_nothing_in(period, filters, dataset))
    if request.digest_weeks is None:
        return dataclasses.replace(result, report=report)
    trend = weekly_trend(
        dataset,
        period,
        config,
        request.digest_weeks,
        filters,
        report.as_of.utc,
        report.comparison,
    )
    daily = daily_volume(dataset, period, config, filters)
    return dataclasses.replace(result, report=report, trend=tuple(trend), daily=daily)


def _nothing_in(period: Period, filters: Mapping[str, tuple[str, ...]], dataset: Dataset) -> str:
    if filters:  # the period may well have conversations: none matched
        wanted = " ".join(f"--where {k}={','.join(v)}" for k, v in filters.items())
        return (
            f"no conversations in {period.label} match {wanted}; values must match exactly "
            "(`carecli inspect` shows how the file spells them)"
        )
    summary = dataset.summary()
    return (
        f"no conversations in {period.label}; the data covers "
        f"{summary['first_conversation_at']} to {summary['last_conversation_at']}"
    )


def resolve_timezone(override: str | None, config: Config) -> str:
    name = override or config.timezone
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
        raise UsageError(
            f"--tz {name[:60]!r}: not an IANA timezone; use e.g. Europe/Paris or UTC"
        ) from None
    return name


def parse_as_of(value: str | None, tz: str) -> datetime | None:
    """`--as-of`: a date or date-time (local to the reporting timezone), `now`, or None."""
    if value is None:
        return None
    if value.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--as-of {value!r}: expected a date or date-time like 2026-11-23T08:00, or now"
        ) from None
    check_in_range(moment, f"--as-of {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


def local_time(moment: datetime, zone: str) -> str:
    """`2026-11-30 14:05:13 CET`: a moment as a reader in the reporting timezone says it."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")


def selection_moment(as_of: AsOf, wall_clock: datetime) -> datetime:
    """The moment a bare --week (the last complete week) counts from.

    An explicit --as-of, or now for live data. An export read later was taken some time
    after its last event: up to EXPORT_GRACE after it, and not after now. So a Monday
    cron on an export whose last event is Friday evening reports that week, and a rerun
    of a Wednesday export next month still reports the week before it, as it did then.
    """
    if as_of.source != "data":
        return as_of.moment
    return min(wall_clock, as_of.moment + EXPORT_GRACE)
