"""Conversations as reply chains (tweets): each message's conversation is its chain's root."""

from __future__ import annotations

import polars as pl

from carecli.config.model import Config
from carecli.errors import InputError
from carecli.input.load import Source, column_list

THREAD_ID = "__message_id"
THREAD_PARENT = "__reply_to"


def thread_columns(source: Source, config: Config) -> dict[str, str]:
    if not config.threads:
        return {}
    columns = {THREAD_ID: config.threads["message_id"], THREAD_PARENT: config.threads["reply_to"]}
    for column in columns.values():
        if column not in source.columns:
            raise InputError(
                f"{source.path}: threads: names column {column!r}, which the file does not "
                f"have; its columns are: {column_list(source.columns)}"
            )
    return columns


def thread_roots(frame: pl.DataFrame) -> pl.Series:
    """The root message of each message's reply chain, by pointer doubling (log depth).

    A reply to a message absent from the file (a cut-off thread) starts its own chain.
    """
    ids = frame[THREAD_ID].str.replace(r"\.0+$", "")
    parents = frame[THREAD_PARENT].str.replace(r"\.0+$", "")
    links = pl.DataFrame({"id": ids, "up": parents}).with_columns(
        up=pl.when(pl.col("up").is_in(ids.implode()) & (pl.col("up") != pl.col("id")))
        .then(pl.col("up"))
        .otherwise(pl.col("id"))
    )
    lookup = links.unique("id", keep="first")
    for _ in range(64):  # 2^64 links: any real thread depth
        step = links.join(
            lookup.select(pl.col("id").alias("up"), pl.col("up").alias("next")),
            on="up",
            how="left",
            maintain_order="left",
        ).with_columns(next=pl.coalesce("next", "up"))
        if step["next"].equals(links["up"]):
            break
        links = step.select("id", up="next")
        lookup = links.unique("id", keep="first")
    return links["up"]
