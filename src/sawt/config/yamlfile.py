"""Load YAML with line numbers, so validation errors can name the line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sawt.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def parse_yaml(text: str, path: Path, *, line_offset: int = 0) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text into data plus its node tree (for line look-ups)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"malformed YAML: {problem}", path=path, line=line) from exc
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
