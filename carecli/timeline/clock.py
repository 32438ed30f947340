"""How long things took: calendar seconds, or business seconds under opening-hours calendars.

The calendar of a duration is the SLA target's own `calendar:` if it has one, else the
conversation channel's (`channel_calendars:`), else `channel_calendars.default`; a channel
with no calendar at all is measured in calendar time.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import polars as pl

from carecli.config.model import Config
from carecli.timeline.business_time import business_seconds
from carecli.timeline.frames import KEY, Timeline

DEFAULT = "default"


def calendar_seconds(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    return (end - start).dt.total_microseconds() / 1_000_000


def elapsed(start: pl.Expr, end: pl.Expr, config: Config, calendar: str | None = None) -> pl.Expr:
    """Seconds from start to end under the clock in force (needs a `channel` column)."""
    if calendar is not None:
        return business_seconds(start, end, config.calendars[calendar])
    if config.clock != "business" or not config.channel_calendars:
        return calendar_seconds(start, end)
    default = config.channel_calendars.get(DEFAULT)
    fallback = (
        business_seconds(start, end, config.calendars[default])
        if default
        else calendar_seconds(start, end)
    )
    expr: pl.Expr | None = None
    for channel, name in config.channel_calendars.items():
        if channel == DEFAULT:
            continue
        seconds = business_seconds(start, end, config.calendars[name])
        when = pl.col("channel") == channel
        expr = pl.when(when).then(seconds) if expr is None else expr.when(when).then(seconds)
    return fallback if expr is None else expr.otherwise(fallback)


def age(since: str, now: datetime, config: Config, calendar: str | None = None) -> pl.Expr:
    """Seconds from a column's moment until `now` under the clock in force."""
    moment = pl.lit(now.astimezone(UTC), pl.Datetime("us", "UTC"))
    return elapsed(pl.col(since), moment, config, calendar)


def apply(timeline: Timeline, config: Config) -> Timeline:
    """The timeline with its durations in business time, when the config's clock says so.

    Durations an export gives only as numbers (first_response_seconds) have no moments to
    re-measure: they are kept as given.
    """
    if config.clock != "business" or not config.channel_calendars:
        return timeline
    created = pl.col("created_at")

    def measured(moment: str, current: str) -> pl.Expr:
        seconds = elapsed(created, pl.col(moment), config)
        known = pl.col(moment).is_not_null() & pl.col(current).is_not_null()
        return pl.when(known).then(seconds).otherwise(pl.col(current))

    conversations = timeline.conversations.with_columns(
        first_response_s=measured("first_response_at", "first_response_s"),
        bot_first_response_s=measured("bot_first_response_at", "bot_first_response_s"),
        resolution_s=measured("resolved_at", "resolution_s"),
    )
    turns = timeline.turns
    if turns is not None:
        turns = (
            turns.join(conversations.select(KEY, "channel"), on=KEY)
            .with_columns(
                reply_s=pl.when(pl.col("replied_at").is_not_null())
                .then(elapsed(pl.col("started_at"), pl.col("replied_at"), config))
                .otherwise(None)
            )
            .drop("channel")
        )
    return dataclasses.replace(timeline, conversations=conversations, turns=turns)
