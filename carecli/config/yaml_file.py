"""A config's YAML, read safely: the safe loader, nothing it accepts but no config means
(alias bombs, recursive aliases, absurd nesting, keys written twice), and the line each key
path starts on, for error messages."""

from __future__ import annotations

from typing import Any

import yaml

from carecli.errors import ConfigError

# A real config has a few hundred values at most, a handful of levels deep. Anchors and
# aliases are fine, but a "billion laughs" file expands to 10^9 values: refuse it early.
MAX_CONFIG_VALUES = 100_000
MAX_CONFIG_DEPTH = 64


_INT, _FLOAT, _STR = (f"tag:yaml.org,2002:{t}" for t in ("int", "float", "str"))


def read_yaml(text: str, where: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """(the document's data, key path -> line); ConfigError naming the line otherwise."""
    loader = None
    try:
        loader = yaml.SafeLoader(text)  # already reads: refuses control characters
        node = loader.get_single_node()
        if node is not None:
            _check_structure(node, where)
            _check_scalars(loader, node, where)
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise ConfigError(
            f"{where}:{line}: invalid YAML: character {exc.character:#06x} is not allowed"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{where}{line}: invalid YAML: {problem}") from None
    except RecursionError:  # the composer recurses per level: a pathological nesting
        raise ConfigError(f"{where}: the YAML is nested too deeply to read") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, _line_index(node)


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _check_scalars(loader: yaml.SafeLoader, root: yaml.Node, where: str) -> None:
    """Keep `12:00` as the text it looks like, and name the line of a tagged value that
    cannot be its type (`!!int 1e3`, `!!float abc`).

    YAML 1.1 reads 12:00 as the base-60 number 720: `fail: 12:00` would mean 12 minutes.
    As text, the duration parser explains how to write it.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if not isinstance(node, yaml.ScalarNode):
            stack.extend(_children(node))
            continue
        if node.tag in (_INT, _FLOAT) and ":" in node.value:
            node.tag = _STR
            continue
        construct = loader.yaml_constructors.get(node.tag)
        if construct is None or node.tag == _STR:
            continue  # an unknown tag: construct_document names it
        try:
            construct(loader, node)
        except (ValueError, TypeError, OverflowError, yaml.YAMLError):
            line = node.start_mark.line + 1
            tag = node.tag.rpartition(":")[2]
            raise ConfigError(
                f"{where}:{line}: invalid YAML: {node.value[:60]!r} is not a valid !!{tag}; "
                "remove the tag or correct the value"
            ) from None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_structure(root: yaml.Node, where: str) -> None:
    """Refuse what safe_load accepts but no config means: a recursive alias, an alias bomb,
    absurd nesting, and a key written twice (YAML keeps the last one, silently).

    Aliases share nodes, so sizes are counted once per node (memoised): linear time even
    for a file that would expand to billions of values.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, children_done = stack.pop()
        key = id(node)
        line = node.start_mark.line + 1
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_CONFIG_VALUES:
                raise ConfigError(
                    f"{where}:{line}: anchors and aliases expand this value to more than "
                    f"{MAX_CONFIG_VALUES:,} values; write the config out without them"
                )
            continue
        if key in sizes:
            continue
        if depth > MAX_CONFIG_DEPTH:
            raise ConfigError(f"{where}:{line}: nested more than {MAX_CONFIG_DEPTH} levels deep")
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(node, where)
        on_path.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) in on_path:
                raise ConfigError(
                    f"{where}:{line}: an alias refers to a value that contains it; "
                    "remove the recursive alias"
                )
            if id(child) not in sizes:
                stack.append((child, depth + 1, False))


def _check_unique_keys(node: yaml.MappingNode, where: str) -> None:
    seen: dict[tuple[str, str], int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        line = key_node.start_mark.line + 1
        ident = (key_node.tag, key_node.value)
        if ident in seen:
            raise ConfigError(
                f"{where}:{line}: key {key_node.value[:60]!r} is written twice (also line "
                f"{seen[ident]}); YAML would keep only the last one: remove one"
            )
        seen[ident] = line


def _line_index(node: yaml.Node | None) -> dict[tuple[Any, ...], int]:
    """Map each key path to the 1-based line it starts on, for error messages."""
    index: dict[tuple[Any, ...], int] = {}

    def walk(n: yaml.Node, key_path: tuple[Any, ...], line: int | None = None) -> None:
        index[key_path] = line or n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            for key_node, value_node in n.value:
                # The key's own line: a block under it starts on the next line.
                walk(value_node, (*key_path, key_node.value), key_node.start_mark.line + 1)
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, (*key_path, i))

    if node is not None:
        walk(node, ())
    return index
