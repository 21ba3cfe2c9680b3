"""Load YAML with line numbers, so validation errors can name the line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sawt.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses what would pass silently or crash later.

    - a key given twice (the last one would win without a word);
    - escaped surrogates ("\\ud800"), which no file or feed can encode;
    - dates are kept as text, so an impossible one (2026-13-45) is a
      validation error naming its field instead of a crash while loading.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' is given twice", key_node.start_mark
                )
            if isinstance(key, (str, int, float, bool)):
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_scalar(self, node: yaml.ScalarNode | yaml.MappingNode) -> Any:
        value = super().construct_scalar(node)
        if isinstance(value, str) and any("\ud800" <= ch <= "\udfff" for ch in value):
            raise yaml.constructor.ConstructorError(
                None, None, "text holds an unpaired surrogate (not valid Unicode)", node.start_mark
            )
        return value


# Dates stay text: pydantic checks them, with the field's name and line.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, path: Path, *, line_offset: int = 0) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text into data plus its node tree (for line look-ups)."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # reading checks the characters: it may fail already
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:  # a control character: no mark, a position
        at = text.count("\n", 0, exc.position) + 1 + line_offset
        problem = f"character U+{exc.character:04X} is not allowed in YAML"
        raise ConfigError(f"malformed YAML: {problem}", path=path, line=at) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"malformed YAML: {problem}", path=path, line=line) from exc
    except (ValueError, OverflowError) as exc:  # a value the constructors cannot hold
        raise ConfigError(f"malformed YAML: {exc}", path=path) from exc
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def line_of(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """Return the 1-based line of the YAML node at ``loc`` (or its nearest parent)."""
    best = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    best = k.start_mark.line + 1
                    node = v
                    break
            else:
                return best
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return best
            node = node.value[key]
            best = node.start_mark.line + 1
        else:
            return best
    return best


def validate(
    model: type[M], data: Any, node: yaml.Node | None, path: Path, *, line_offset: int = 0
) -> M:
    """Validate YAML data into ``model``; the first error names field and line."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if isinstance(p, (int, str))]
        field = ".".join(str(p) for p in loc) or "(top level)"
        line = line_of(node, loc)
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(
            f"invalid field '{field}': {err['msg']}{suffix}",
            path=path,
            line=line + line_offset if line is not None else None,
        ) from exc
