"""carecli's weekly report by channel, written as DuckDB SQL.

What an analyst would write from docs/metrics.md: load the needed columns once into a
temporary table, derive one row per conversation with one filtered GROUP BY (ties broken
by ``arg_max(..., (ts, rank))``), reply turns with window functions (``lag`` and a
"min over the following rows" for the next agent message), the backlog with the latest
state event before the period end, and the statistics with ``quantile_cont`` over
``GROUPING SETS ((channel), ())`` for the per-channel and overall rows.

    python benchmarks/impl_duckdb.py --data events.csv --week 2026-W47

Prints the same JSON document as impl_pandas.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

SATISFIED_MIN = 4


def week_bounds(week: str) -> tuple[str, str]:
    """'2026-W47' -> ISO UTC timestamps of [Monday 00:00, next Monday 00:00)."""
    year, number = week.upper().split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    return f"{monday} 00:00:00+00", f"{monday + timedelta(days=7)} 00:00:00+00"


def reader(path: Path) -> str:
    quoted = "'" + str(path).replace("'", "''") + "'"
    if path.suffix == ".parquet":
        return f"read_parquet({quoted})"
    if path.suffix in (".jsonl", ".ndjson"):
        return f"read_json({quoted}, format = 'newline_delimited')"
    return f"read_csv({quoted}, types = {{'timestamp': 'TIMESTAMPTZ', 'csat': 'DOUBLE'}})"


LOAD = """
CREATE TEMP TABLE ev AS
SELECT conversation_id, "timestamp"::TIMESTAMPTZ AS ts, coalesce(event, 'message') AS event,
       role, channel, csat::DOUBLE AS csat, nps::DOUBLE AS nps,
       -- same-second ties: customer, bot, agent, then status events, then surveys
       CASE WHEN coalesce(event, 'message') = 'message'
                 THEN CASE role WHEN 'customer' THEN 0 WHEN 'bot' THEN 1
                                WHEN 'agent' THEN 2 ELSE 3 END
            WHEN event IN ('csat', 'nps') THEN 4 ELSE 3 END AS rk
FROM {reader}
"""

CONVERSATIONS = """
CREATE TEMP TABLE conv AS
WITH starts AS (
    SELECT conversation_id, min(ts) AS t0
    FROM ev WHERE event = 'message' AND role = 'customer'
    GROUP BY conversation_id
), per_conversation AS (
    SELECT ev.conversation_id,
           any_value(s.t0) AS t0,
           min(ts) FILTER (event = 'message' AND role = 'agent' AND ts >= s.t0) AS first_agent,
           min(ts) FILTER (event = 'message' AND role = 'bot' AND ts >= s.t0) AS first_bot,
           arg_max(event, (ts, rk)) FILTER (event IN ('resolved', 'reopened')) AS last_state,
           max(ts) FILTER (event = 'resolved') AS last_resolved,
           bool_or(event = 'reopened') AS reopened,
           bool_or(event IN ('escalated', 'transferred')) AS escalated,
           arg_max(csat, (ts, rk)) FILTER (csat IS NOT NULL) AS csat,
           arg_max(nps, (ts, rk)) FILTER (nps IS NOT NULL) AS nps,
           arg_max(channel, (ts, rk)) FILTER (channel IS NOT NULL) AS channel,
           count(*) FILTER (event = 'message' AND role = 'customer') AS inbound,
           count(*) FILTER (event = 'message' AND role IN ('agent', 'bot')) AS outbound
    FROM ev JOIN starts s USING (conversation_id)
    GROUP BY ev.conversation_id
)
SELECT *,
       epoch(first_agent) - epoch(t0) AS first_response_s,
       epoch(first_bot) - epoch(t0) AS bot_first_response_s,
       coalesce(last_state = 'resolved', false) AS is_resolved,
       CASE WHEN last_state = 'resolved' THEN epoch(last_resolved) - epoch(t0) END
           AS resolution_s
FROM per_conversation
"""

TURNS = """
CREATE TEMP TABLE turns AS
WITH people AS (
    SELECT conversation_id, ts, role,
           lag(role) OVER (PARTITION BY conversation_id ORDER BY ts, rk) AS previous_role,
           min(CASE WHEN role = 'agent' THEN ts END) OVER (
               PARTITION BY conversation_id ORDER BY ts, rk
               ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS next_agent
    FROM ev WHERE event = 'message' AND role IN ('customer', 'agent')
)
SELECT conversation_id, epoch(next_agent) - epoch(ts) AS reply_s
FROM people
WHERE role = 'customer' AND (previous_role IS NULL OR previous_role <> 'customer')
"""


def duration_columns(column: str, prefix: str) -> str:
    return f"""
       count({column}) AS "{prefix}.count", avg({column}) AS "{prefix}.mean",
       median({column}) AS "{prefix}.median",
       quantile_cont({column}, 0.9) AS "{prefix}.p90",
       quantile_cont({column}, 0.95) AS "{prefix}.p95",
       max({column}) AS "{prefix}.max" """


WEEK = f"""
SELECT channel, grouping(channel) AS is_overall,
       count(*) AS "volume.conversations",
       sum(inbound) AS "volume.inbound_messages", sum(outbound) AS "volume.outbound_messages",
       {duration_columns("first_response_s", "first_response_time")},
       count(*) - count(first_response_s) AS "first_response_time.awaiting_first_response",
       {duration_columns("bot_first_response_s", "bot_first_response_time")},
       count(*) - count(bot_first_response_s) AS "bot_first_response_time.without_bot_response",
       {duration_columns("resolution_s", "resolution_time")},
       count(*) FILTER (NOT is_resolved) AS "resolution_time.unresolved",
       count(*) FILTER (is_resolved AND NOT reopened AND NOT escalated)
           AS "fcr_rate.first_contact_resolved",
       count(*) FILTER (is_resolved) AS "fcr_rate.resolved",
       count(*) FILTER (is_resolved AND NOT reopened AND NOT escalated)
           / nullif(count(*) FILTER (is_resolved), 0) AS "fcr_rate.rate",
       count(*) FILTER (csat >= {SATISFIED_MIN}) / nullif(count(csat), 0) AS "csat.rate",
       avg(csat) AS "csat.mean", count(csat) AS "csat.count",
       count(*) FILTER (csat >= {SATISFIED_MIN}) AS "csat.satisfied",
       100 * (count(*) FILTER (nps >= 9) - count(*) FILTER (nps <= 6)) / nullif(count(nps), 0)
           AS "nps.score",
       count(*) FILTER (nps >= 9) AS "nps.promoters",
       count(*) FILTER (nps <= 6) AS "nps.detractors", count(nps) AS "nps.count"
FROM conv
WHERE t0 >= $start AND t0 < $end
GROUP BY GROUPING SETS ((channel), ())
"""

WEEK_TURNS = f"""
SELECT c.channel, grouping(c.channel) AS is_overall,
       {duration_columns("reply_s", "reply_time")},
       count(*) - count(reply_s) AS "reply_time.waiting_turns"
FROM turns t JOIN conv c USING (conversation_id)
WHERE c.t0 >= $start AND c.t0 < $end
GROUP BY GROUPING SETS ((c.channel), ())
"""

BACKLOG = """
WITH state_at_end AS (
    SELECT conversation_id, arg_max(event, (ts, rk)) = 'resolved' AS resolved_at_end
    FROM ev WHERE event IN ('resolved', 'reopened') AND ts < $end
    GROUP BY conversation_id
)
SELECT c.channel, grouping(c.channel) AS is_overall,
       count(*) FILTER (NOT coalesce(s.resolved_at_end, false)) AS "backlog.open"
FROM conv c LEFT JOIN state_at_end s USING (conversation_id)
WHERE c.t0 < $end
GROUP BY GROUPING SETS ((c.channel), ())
"""


def report(path: Path, week: str) -> dict[str, Any]:
    start, end = week_bounds(week)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(LOAD.format(reader=reader(path)))
    con.execute(CONVERSATIONS)
    con.execute(TURNS)
    document: dict[str, Any] = {"overall": {}, "groups": {}}
    for sql, params in (
        (WEEK, {"start": start, "end": end}),
        (WEEK_TURNS, {"start": start, "end": end}),
        (BACKLOG, {"end": end}),
    ):
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            record = dict(zip(names, row, strict=True))
            channel, overall = record.pop("channel"), record.pop("is_overall")
            target = document["overall"] if overall else document["groups"].setdefault(channel, {})
            for column, value in record.items():
                metric, stat = column.split(".", 1)
                target.setdefault(metric, {})[stat] = value
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--week", default="2026-W47")
    args = parser.parse_args(argv)
    json.dump(report(args.data, args.week), sys.stdout, default=float)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
