"""Where a fenced block sits in its essay, and its YAML body read with line numbers, so every
block error can point at the writer's line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from longform.errors import ContentError
from longform.pymdown import SuperFencesException

if TYPE_CHECKING:
    import yaml

    from longform.content import Essay

# YAML is imported where a block is read, not with this module: an edit's render worker
# imports it before its job comes, and most essays hold no YAML block (PyYAML: 5 ms).
FENCE_OPEN = re.compile(r"(?P<fence>`{3,}|~{3,})[ \t]*\{?[ \t]*\.?(?P<name>[\w-]*)")


class BlockError(ContentError, SuperFencesException):
    """A ContentError that superfences lets through: it turns any other exception raised while
    formatting a fence into a plain code block, which would hide the writer's mistake."""


@dataclass(frozen=True)
class Block:
    """A fence's YAML body with the file and line it came from, so errors can point at it."""

    path: Path
    line: int  # the opening fence's line in the file
    source: str
    data: Any
    node: yaml.Node | None

    def error(self, message: str, *where: str | int) -> BlockError:
        """An error at the key or list item reached by `where`, e.g. ("data", 2)."""
        return BlockError(self.path, self.line_of(*where), message)

    def line_of(self, *where: str | int) -> int:
        import yaml
        node, line = self.node, self.line
        for step in where:
            if isinstance(node, yaml.MappingNode):
                found = [(k, v) for k, v in node.value if k.value == step]
                start, node = found[0] if found else (None, None)  # key line, value below
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                node = start = node.value[step] if step < len(node.value) else None
            else:
                node = start = None
            if start is None:
                break
            line = self.line + 1 + start.start_mark.line
        return line


def fence_line(essay: Essay, seen: set[int], name: str, source: str) -> int:
    """The file line of the first `name` fence, not in `seen` yet, whose body is `source`;
    superfences hands us the body but not its place. The line found is added to `seen`."""
    lines = essay.body_md.split("\n")
    body = [line.strip() for line in source.strip("\n").split("\n")]
    openers = [i for i, found in fence_openers(lines) if found == name and i not in seen]
    same = [i for i in openers if body == [quoted(t) for t in lines[i + 1:i + 1 + len(body)]]]
    chosen = (same or openers or [None])[0]
    if chosen is None:
        return essay.body_line
    seen.add(chosen)
    return essay.body_line + chosen


def fence_openers(lines: list[str]) -> list[tuple[int, str]]:
    """(index, language) of each fence that opens outside another fence: a block shown as an
    example inside a ````markdown fence is text, not a block."""
    openers, closing = [], None
    for index, text in enumerate(map(quoted, lines)):
        if closing is not None:
            closing = None if closing.fullmatch(text) else closing
        elif found := FENCE_OPEN.match(text):
            openers.append((index, found["name"]))
            fence = found["fence"]
            closing = re.compile(rf"{re.escape(fence[0])}{{{len(fence)},}}\s*")
    return openers


def quoted(text: str) -> str:
    """A line as the fence inside a blockquote or list sees it."""
    return re.sub(r"^[ \t]*(>[ \t]?)*", "", text).strip()


def parsed_block(source: str, line: int, path: Path, name: str) -> Block:
    """The block's YAML with its node tree; a YAML error points at its own line in the file."""
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(source)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        at = line + 1 + yaml_error_line(error, source)
        message = f"{name} block: YAML error: {error.problem}"
        raise BlockError(path, at, message) from None
    except yaml.YAMLError as error:
        raise BlockError(path, line, f"{name} block: YAML error: {error}") from None
    finally:
        loader.dispose()
    return Block(path, line, source, data, node)


def yaml_error_line(error: yaml.MarkedYAMLError, source: str) -> int:
    """The 0-based line of the block where the YAML error is: for an unclosed bracket or
    quote, where it opened rather than where YAML noticed."""
    last = len(source.rstrip("\n").split("\n")) - 1
    opened = (error.context or "").startswith(("while parsing a flow", "while scanning a quoted"))
    mark = error.context_mark if opened or error.problem_mark is None else error.problem_mark
    return min(mark.line, last) if mark is not None else 0
