"""config_yaml.py: the config's YAML read safely, with the line of every key path.

parse_config's own tests (test_config.py) and the bad-config corpus (test_bad_inputs.py)
go through it too; these check read_yaml directly.
"""

from __future__ import annotations

import pytest

from carecli.config.yaml_file import MAX_CONFIG_DEPTH, MAX_CONFIG_VALUES, read_yaml
from carecli.errors import ConfigError

TEXT = """\
timezone: Europe/Berlin
columns:
  role: sender
slas:
  - name: first response
    target: 1h
"""


def test_data_and_the_line_of_every_key_path() -> None:
    data, lines = read_yaml(TEXT, "carecli.yaml")
    assert data["columns"] == {"role": "sender"}
    assert lines[("timezone",)] == 1
    assert lines[("columns",)] == 2  # the key's own line, not the block under it
    assert lines[("columns", "role")] == 3
    assert lines[("slas", 0)] == 5
    assert lines[("slas", 0, "target")] == 6


def test_an_empty_document_is_no_data() -> None:
    assert read_yaml("# nothing set\n", "carecli.yaml") == (None, {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1]\nb: *x\nc: {d: *x}\n", None),  # shared aliases are fine
        ("a: &a [*a]\n", "carecli.yaml:1: an alias refers to a value that contains it"),
        ("timezone: UTC\ntimezone: UTC\n", "carecli.yaml:2: key 'timezone' is written twice"),
        ("a: " + "[" * (MAX_CONFIG_DEPTH + 2) + "]" * (MAX_CONFIG_DEPTH + 2), "levels deep"),
        ("a: b: c\n", "carecli.yaml:1: invalid YAML: mapping values are not allowed here"),
        ("a: \x07\n", "carecli.yaml:1: invalid YAML: character 0x0007 is not allowed"),
        ("a: !!python/name:os.system\n", "invalid YAML"),
    ],
)
def test_what_safe_load_would_accept_but_no_config_means(text: str, message: str | None) -> None:
    if message is None:
        assert read_yaml(text, "carecli.yaml")[0]["c"] == {"d": [1]}
        return
    with pytest.raises(ConfigError) as caught:
        read_yaml(text, "carecli.yaml")
    assert message in str(caught.value)


def test_an_alias_bomb_is_refused_in_linear_time() -> None:
    # Each level doubles the expansion: 10 ** 9 values if expanded, 10 nodes as written.
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    with pytest.raises(ConfigError) as caught:
        read_yaml("\n".join(levels) + "\n", "carecli.yaml")
    assert f"more than {MAX_CONFIG_VALUES:,} values" in str(caught.value)


def _nested(levels: int) -> str:
    return "a: " + "[" * levels + "]" * levels + "\n"


def test_nesting_up_to_the_limit_is_read_and_one_more_level_is_refused() -> None:
    # The top mapping is level 0, so `a: [[...]]` with MAX_CONFIG_DEPTH brackets just fits.
    assert read_yaml(_nested(MAX_CONFIG_DEPTH), "carecli.yaml")[0] is not None
    with pytest.raises(ConfigError, match=rf"carecli\.yaml:1: nested more than {MAX_CONFIG_DEPTH}"):
        read_yaml(_nested(MAX_CONFIG_DEPTH + 1), "carecli.yaml")


def test_nesting_too_deep_for_the_parser_is_a_config_error() -> None:
    # PyYAML's composer recurses per level: thousands of levels must not be a traceback.
    with pytest.raises(ConfigError) as caught:
        read_yaml(_nested(5000), "carecli.yaml")
    assert str(caught.value) == "carecli.yaml: the YAML is nested too deeply to read"


def test_keys_of_different_types_are_different_keys() -> None:
    # YAML tells 1 from "1" (and true from "true"): not a key written twice.
    data, _ = read_yaml("1: a\n'1': b\n", "carecli.yaml")
    assert data == {1: "a", "1": "b"}


def test_two_merge_keys_are_not_a_key_written_twice() -> None:
    text = "x: &x {a: 1}\ny: &y {b: 2}\nz:\n  <<: *x\n  <<: *y\n"
    assert read_yaml(text, "carecli.yaml")[0]["z"] == {"a": 1, "b": 2}
