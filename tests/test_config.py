"""config.py: YAML -> Config, every problem with its key path and line, config discovery."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from carecli.config.files import find_config_path, load_config
from carecli.config.model import Config, CsatConfig, format_key_path, parse_config
from carecli.config.shapes import ContactCentre
from carecli.config.targets import Levels
from carecli.errors import ConfigError

WHERE = Path("carecli.yaml")


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, WHERE)
    return caught.value.problems


def problem_of(text: str) -> str:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


# --- defaults and every key ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n", "# just a comment\n", "---\n"])
def test_empty_config_is_all_defaults(text: str) -> None:
    config = parse_config(text, WHERE)
    assert config == Config(path=WHERE)


def test_defaults() -> None:
    config = Config()
    assert config.timezone == "UTC"
    assert config.source_timezone == "UTC"
    assert config.timestamp_format is None
    assert config.epoch_unit == "auto"
    assert config.input_format == "auto"
    assert config.granularity == "auto"
    assert config.csv_separator == ","
    assert config.columns == {}
    assert config.values == {}
    assert config.channels == ()
    assert config.csat == CsatConfig(scale_min=1, scale_max=5, satisfied_min=4)
    assert config.slas == ()
    assert config.preset is None
    assert config.constants == {}
    assert config.threads == {}
    assert config.path is None
    assert config.explicit == frozenset()


EVERY_KEY = """\
timezone: Europe/Berlin
source_timezone: America/New_York
timestamp_format: "%d.%m.%Y %H:%M"
epoch_unit: ms
input_format: csv
granularity: conversations
csv_separator: ";"
columns:
  conversation_id: Ticket
  created_at: Opened
  resolved_at: [Closed date, Closed time]
units:
  talk_seconds: minutes
missing: ["-", Not Provided]
memory_limit: 4GB
contact_centre:
  answer_within: 30s
  short_abandon: 5s
values:
  status:
    resolved: [Erledigt, 1]
  escalated:
    "true": JA
channels: [SMS, Line]
csat:
  scale: [0, 10]
  satisfied_min: 8
slas:
  - {name: CSAT, metric: csat, fail: 80%}
preset: zendesk
constants:
  channel: email
  priority: 1
threads:
  message_id: id
  reply_to: parent
agent_side_fields: [agent, team]
smtp:
  host: smtp.example.com
  sender: Care team <care@example.com>
  username: care
notify:
  - https://hooks.slack.com/services/T/B/X
  - {url: "${CARECLI_TEAMS_WEBHOOK}", kind: teams, timeout: 5, retries: 1}
calendars:
  office: {timezone: Europe/Berlin, hours: {mon-fri: "09:00-18:00"}}
clock: business
channel_calendars: {email: office, Default: office}
"""


def test_every_key() -> None:
    config = parse_config(EVERY_KEY, WHERE)
    assert config.timezone == "Europe/Berlin"
    assert config.source_timezone == "America/New_York"
    assert config.timestamp_format == "%d.%m.%Y %H:%M"
    assert config.epoch_unit == "ms"
    assert config.input_format == "csv"
    assert config.granularity == "conversations"
    assert config.csv_separator == ";"
    assert config.columns == {"conversation_id": "Ticket", "created_at": "Opened"}
    assert config.combined == {"resolved_at": ("Closed date", "Closed time")}
    assert config.units == {"talk_seconds": 60.0}
    assert config.missing == ("-", "not provided")
    assert config.contact_centre == ContactCentre(answer_within_s=30.0, short_abandon_s=5.0)
    assert config.memory_limit == 4 * 1000**3
    # Spellings are matched lower-cased, YAML numbers as the text a file holds.
    assert config.values == {
        "status": {"resolved": ("erledigt", "1")},
        "escalated": {"true": ("ja",)},
    }
    assert config.channels == ("sms", "line")
    assert config.csat == CsatConfig(scale_min=0, scale_max=10, satisfied_min=8)
    assert len(config.slas) == 1
    target = config.slas[0]
    assert (target.name, target.metric, target.statistic) == ("CSAT", "csat", "rate")
    assert target.levels == {"default": Levels(warn=None, fail=0.8)}
    assert config.preset == "zendesk"
    assert config.constants == {"channel": "email", "priority": "1"}
    assert config.threads == {"message_id": "id", "reply_to": "parent"}
    assert config.agent_side_fields == ("agent", "team")
    assert config.smtp is not None
    assert (config.smtp.host, config.smtp.port, config.smtp.username) == (
        "smtp.example.com",
        587,
        "care",
    )
    assert [(w.url, w.kind, w.timeout, w.retries, w.where) for w in config.notify] == [
        ("https://hooks.slack.com/services/T/B/X", None, 10.0, 3, "notify[0]"),
        ("${CARECLI_TEAMS_WEBHOOK}", "teams", 5.0, 1, "notify[1]"),
    ]
    assert set(config.calendars) == {"office"}
    assert config.clock == "business"
    assert config.channel_calendars == {"email": "office", "default": "office"}
    assert config.path == WHERE
    derived = {"path", "explicit", "combined"}  # combined: from columns:
    settable = {f.name for f in dataclasses.fields(Config)} - derived
    assert config.explicit == settable  # the test sets every key there is


def test_explicit_lists_only_the_keys_set() -> None:
    config = parse_config("timezone: Europe/Paris\ncsat: {satisfied_min: 5}\n")
    assert config.explicit == {"timezone", "csat"}
    assert config.csat == CsatConfig(scale_min=1, scale_max=5, satisfied_min=5)
    assert config.path is None


def test_satisfied_min_defaults_to_one_below_the_top_of_the_scale() -> None:
    assert parse_config("csat: {scale: [0, 10]}\n").csat == CsatConfig(0, 10, 9)


def test_null_values_keep_defaults() -> None:
    config = parse_config("timezone:\ncolumns:\ncsat:\n")
    assert (config.timezone, config.columns, config.csat) == ("UTC", {}, CsatConfig())


# --- syntax errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "timezone: UTC\ncolumns:\n\trole: sender\n",
            "carecli.yaml:3: invalid YAML: found character '\\t' that cannot start any token",
        ),
        ("timezone: UTC\ncsat: {scale: [1, 5]\n", "carecli.yaml:3: invalid YAML: "),
        ("timezone: UTC\na: b: c\n", "carecli.yaml:2: invalid YAML: mapping values are not"),
        (
            "timezone: UTC\nchannels: [a, b\ncsat: {}\n",
            "carecli.yaml:3: invalid YAML: expected ',' or ']', but got ':'",
        ),
    ],
)
def test_yaml_syntax_error_reports_the_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, WHERE)
    assert str(caught.value).startswith(message), str(caught.value)
    assert caught.value.problems == [str(caught.value)]
    assert "\n" not in str(caught.value)


def test_yaml_error_without_a_path() -> None:
    with pytest.raises(ConfigError, match=r"^<config>:1: invalid YAML"):
        parse_config("a: b: c\n")


def test_unsafe_yaml_tags_are_rejected() -> None:
    with pytest.raises(ConfigError, match="invalid YAML"):
        parse_config("timezone: !!python/object/apply:os.getcwd []\n", WHERE)


# --- unknown keys and bad values -------------------------------------------------------------


def test_unknown_key_with_did_you_mean() -> None:
    assert problem_of("timezone: UTC\ntimezon: Europe/Paris\n") == (
        "carecli.yaml:2: timezon: unknown key; did you mean 'timezone'? (see config.example.yaml)"
    )


def test_unknown_key_without_a_close_match() -> None:
    assert problem_of("xyzzy: 1\n") == (
        "carecli.yaml:1: xyzzy: unknown key (see config.example.yaml)"
    )


def test_unknown_column_field_with_did_you_mean() -> None:
    assert problem_of("columns:\n  rol: sender\n") == (
        "carecli.yaml:2: columns.rol: unknown field; did you mean 'role'? (see docs/config.md)"
    )


@pytest.mark.parametrize("text", ["- timezone: UTC\n- csat: {}\n", "just text\n", "42\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    assert problem_of(text) == (
        "carecli.yaml:1: (top level): the config must be a mapping of keys "
        "(timezone:, columns:, ...)"
    )


@pytest.mark.parametrize(
    ("csat", "message"),
    [
        ("scale: [5, 1]", "csat.scale: [5, 1] must be [lowest, highest], e.g. [1, 5]"),
        ("scale: [1]", "csat.scale: [1] must be [lowest, highest], e.g. [1, 5]"),
        ("scale: [1, 2, 3]", "csat.scale: [1, 2, 3] must be [lowest, highest], e.g. [1, 5]"),
        ("scale: [1, 5.5]", "csat.scale: [1, 5.5] must be [lowest, highest], e.g. [1, 5]"),
        ("scale: [true, 5]", "csat.scale: [True, 5] must be [lowest, highest], e.g. [1, 5]"),
        ("scale: 5", "csat.scale: 5 must be [lowest, highest], e.g. [1, 5]"),
        ("satisfied_min: 6", "csat.satisfied_min: 6 must be a whole rating between 1 and 5"),
        ("satisfied_min: 0", "csat.satisfied_min: 0 must be a whole rating between 1 and 5"),
        ("satisfied_min: 4.5", "csat.satisfied_min: 4.5 must be a whole rating between 1 and 5"),
    ],
)
def test_bad_csat(csat: str, message: str) -> None:
    assert problem_of(f"timezone: UTC\ncsat:\n  {csat}\n") == f"carecli.yaml:3: {message}"


def test_csat_unknown_key() -> None:
    assert problem_of("csat:\n  scale: [1, 5]\n  satisfied: 4\n") == (
        "carecli.yaml:3: csat.satisfied: unknown key; use scale: [1, 5] or satisfied_min: 4"
    )


def test_csat_not_a_mapping() -> None:
    assert problem_of("csat: 5\n") == (
        "carecli.yaml:1: csat: expected a mapping with scale: and satisfied_min:"
    )


def test_csat_satisfied_min_rejects_booleans() -> None:
    problem_of("csat: {satisfied_min: true}\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "timezone: Mars/Olympus\n",
            "carecli.yaml:1: timezone: 'Mars/Olympus' is not an IANA timezone; "
            "use e.g. Europe/Paris or UTC",
        ),
        (
            "source_timezone: CEST\n",
            "carecli.yaml:1: source_timezone: 'CEST' is not an IANA timezone; "
            "use e.g. Europe/Paris or UTC",
        ),
        ("timezone: 5\n", "carecli.yaml:1: timezone: expected a text value, got 5"),
        (
            "epoch_unit: minutes\n",
            "carecli.yaml:1: epoch_unit: 'minutes' is not one of auto, s, ms",
        ),
        (
            "input_format: xlsx\n",
            "carecli.yaml:1: input_format: 'xlsx' is not one of auto, csv, jsonl, parquet",
        ),
        (
            "granularity: tickets\n",
            "carecli.yaml:1: granularity: 'tickets' is not one of auto, messages, conversations",
        ),
        ('csv_separator: ";;"\n', "carecli.yaml:1: csv_separator: ';;' must be a single character"),
        ("columns: [a, b]\n", "carecli.yaml:1: columns: expected a mapping of canonical field: "),
        ("columns:\n  role: 5\n", "carecli.yaml:2: columns.role: expected a column name, got 5"),
        (
            "values:\n  role:\n    wizard: [w]\n",
            "carecli.yaml:3: values.role.wizard: 'wizard' is not one of customer, agent, bot",
        ),
        ("values:\n  agent: {a: [b]}\n", "carecli.yaml:2: values.agent: value spellings can be"),
        (
            "values:\n  channel:\n    email: []\n",
            "carecli.yaml:3: values.channel.email: expected a spelling or a list of spellings",
        ),
        ("channels: sms\n", "carecli.yaml:1: channels: expected a list of extra channel names"),
        ("constants: {colour: red}\n", "carecli.yaml:1: constants.colour: unknown field"),
        ("constants: {channel: [a]}\n", "carecli.yaml:1: constants.channel: expected a single"),
        ("threads: {message_id: id}\n", "carecli.yaml:1: threads: expected {message_id: <column>"),
        ("preset: 5\n", "carecli.yaml:1: preset: expected a text value, got 5"),
    ],
)
def test_bad_values(text: str, message: str) -> None:
    assert problem_of(text).startswith(message)


@pytest.mark.parametrize("value", ["[{agent: 1}]", "agent", "[agent, colour]"])
def test_bad_agent_side_fields_is_a_config_error(value: str) -> None:
    assert problem_of(f"agent_side_fields: {value}\n").startswith(
        "carecli.yaml:1: agent_side_fields: "
    )


# --- several problems at once ------------------------------------------------------------------


def test_every_problem_is_reported() -> None:
    text = (
        "timezon: UTC\n"  # 1
        "timezone: Mars/Base\n"  # 2
        "csat:\n"  # 3
        "  scale: [1]\n"  # 4
        "epoch_unit: min\n"  # 5
        "columns:\n"  # 6
        "  rol: sender\n"  # 7
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(text, WHERE)
    problems = caught.value.problems
    assert sorted(problems) == sorted(
        [
            "carecli.yaml:1: timezon: unknown key; did you mean 'timezone'? "
            "(see config.example.yaml)",
            "carecli.yaml:2: timezone: 'Mars/Base' is not an IANA timezone; "
            "use e.g. Europe/Paris or UTC",
            "carecli.yaml:4: csat.scale: [1] must be [lowest, highest], e.g. [1, 5]",
            "carecli.yaml:5: epoch_unit: 'min' is not one of auto, s, ms",
            "carecli.yaml:7: columns.rol: unknown field; did you mean 'role'? (see docs/config.md)",
        ]
    )
    # The exception's own message: the first problem, and how many more there are.
    assert str(caught.value) == problems[0] + " (and 4 more problems)"


def test_two_problems_message_is_singular() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("timezon: UTC\ngranularity: x\n", WHERE)
    assert len(caught.value.problems) == 2
    assert str(caught.value).endswith(" (and 1 more problem)")


def test_sla_problems_are_collected_with_the_others() -> None:
    problems = problems_of("timezon: UTC\nslas:\n  - {name: a, metric: speed, fail: 1h}\n")
    assert len(problems) == 2
    assert any(p.startswith("carecli.yaml:3: slas[0].metric:") for p in problems)


def test_format_key_path() -> None:
    assert format_key_path(()) == "(top level)"
    assert format_key_path(("csat", "scale")) == "csat.scale"
    assert format_key_path(("slas", 2, "fail")) == "slas[2].fail"


# --- finding the config file ---------------------------------------------------------------------


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A working directory with ./carecli.yaml, a file for $CARECLI_CONFIG, one for --config."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("CARECLI_CONFIG", raising=False)
    paths = {
        "local": work / "carecli.yaml",
        "env": tmp_path / "env.yaml",
        "explicit": tmp_path / "explicit.yaml",
    }
    for name, path in paths.items():
        path.write_text(f"timezone: {'Europe/Paris' if name == 'local' else 'UTC'}\n")
    return paths


def test_explicit_config_wins(places: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECLI_CONFIG", str(places["env"]))
    assert find_config_path(places["explicit"]) == places["explicit"]


def test_environment_beats_the_working_directory(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARECLI_CONFIG", str(places["env"]))
    assert find_config_path(None) == places["env"]


def test_working_directory_config_is_the_fallback(places: dict[str, Path]) -> None:
    assert find_config_path(None) == Path("carecli.yaml")
    config = load_config(None)
    assert config.timezone == "Europe/Paris"
    assert config.path == Path("carecli.yaml")


def test_empty_environment_variable_is_ignored(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARECLI_CONFIG", "")
    assert find_config_path(None) == Path("carecli.yaml")


def test_no_config_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARECLI_CONFIG", raising=False)
    assert find_config_path(None) is None
    assert load_config(None) == Config()


def test_a_directory_named_carecli_yaml_is_not_a_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARECLI_CONFIG", raising=False)
    (tmp_path / "carecli.yaml").mkdir()
    assert find_config_path(None) is None


def test_missing_explicit_config(places: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as caught:
        find_config_path(missing)
    assert str(caught.value) == f"{missing}: config file not found; check the --config path"


def test_missing_config_named_by_the_environment(
    places: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "gone.yaml"
    monkeypatch.setenv("CARECLI_CONFIG", str(missing))
    with pytest.raises(ConfigError) as caught:
        find_config_path(None)
    assert str(caught.value) == (
        f"{missing}: config file named by $CARECLI_CONFIG not found; fix or unset $CARECLI_CONFIG"
    )


def test_load_config_reports_problems_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("timezone: UTC\ngranularity: rows\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}:2: granularity: 'rows' is not one of auto, messages, conversations"
    )


def test_load_config_rejects_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("timezone: Europe/Zürich\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1\.yaml:1: byte 0xfc is not UTF-8"):
        load_config(path)


# --- rules pinned by a mutation sweep of config.py -----------------------------------------------


def test_a_huge_value_is_cut_to_300_characters_in_its_problem() -> None:
    # A pasted blob must not flood the terminal: the message is cut, "..." says so.
    problem = problem_of(f"timezone: {'x' * 1000}\n")
    prefix = "carecli.yaml:1: timezone: "
    assert problem.startswith(prefix + "'xxx")
    assert len(problem) - len(prefix) == 300
    assert problem.endswith("x...")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # An empty text is no setting: said, not kept as "" (or read as no timezone).
        ("timestamp_format: ''\n", "timestamp_format: expected a text value, got ''"),
        ("columns:\n  role: ''\n", "columns.role: expected a column name, got ''"),
        ("constants: {channel: null}\n", "constants.channel: expected a single value"),
        (
            "values:\n  status:\n    resolved: [done, null]\n",
            "values.status.resolved: expected a spelling or a list of spellings",
        ),
        (
            "threads: {message_id: id, reply_to: parent, root: r}\n",
            "threads: expected {message_id: <column>, reply_to: <column>}",
        ),
        ("threads: {message_id: id, reply_to: ''}\n", "threads: message_id and reply_to must"),
        ("csat: {scale: [3, 3]}\n", "csat.scale: [3, 3] must be [lowest, highest]"),
        # A list is not a calendar name: a problem, not a crash on an unhashable value.
        (
            "calendars:\n  office: {timezone: UTC, hours: {mon-fri: '09:00-17:00'}}\n"
            "channel_calendars: {email: [office]}\n",
            "channel_calendars.email: unknown calendar ['office'] (office)",
        ),
    ],
)
def test_more_bad_values(text: str, message: str) -> None:
    assert problem_of(text).split(": ", 1)[1].startswith(message)


def test_an_sla_on_an_undefined_calendar_names_its_key_and_line() -> None:
    text = "timezone: UTC\nslas:\n  - {name: a, metric: csat, fail: 80%, calendar: office}\n"
    assert problem_of(text) == (
        "carecli.yaml:3: slas[0].calendar: unknown calendar 'office'; define it under calendars:"
    )


def test_satisfied_min_may_be_the_bottom_of_the_scale() -> None:
    # Both ends are allowed: "every rating counts as satisfied" is a valid (if odd) choice.
    assert parse_config("csat: {satisfied_min: 1}\n").csat == CsatConfig(1, 5, 1)


def test_extra_channels_may_have_spellings() -> None:
    # A channel declared under channels: is a canonical channel for values.channel too.
    config = parse_config("channels: [kiosk]\nvalues:\n  channel:\n    kiosk: [Walk-in]\n")
    assert config.values == {"channel": {"kiosk": ("walk-in",)}}


def test_a_second_sla_problem_points_at_its_own_line() -> None:
    text = (
        "slas:\n"  # 1
        "  - {name: a, metric: csat, fail: 80%}\n"  # 2
        "  - name: b\n"  # 3
        "    fail: 1h\n"  # 4
    )
    # No metric: key, so the problem points at the entry: line 3, not the list's line 2.
    assert problem_of(text).startswith("carecli.yaml:3: slas[1].metric:")


@pytest.mark.parametrize("key", ["epoch_unit", "input_format", "granularity", "clock"])
def test_an_empty_choice_key_keeps_its_default(key: str) -> None:
    assert getattr(parse_config(f"{key}:\n"), key) == getattr(Config(), key)


def test_a_yes_no_constant_is_the_text_a_file_would_hold() -> None:
    # YAML reads `true` as a bool: a free-text field (team) would otherwise group as "True".
    config = parse_config("constants: {team: true, topic: No, priority: 2}\n")
    assert config.constants == {"team": "true", "topic": "false", "priority": "2"}
