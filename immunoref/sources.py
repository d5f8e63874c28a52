"""Read one YAML source record into plain Python data, keeping where each value was written.

libyaml's composer recurses and crashes on deeply nested input, and PyYAML's
loaders expand aliases and keep the last of duplicate keys silently; so the
tree is built here from libyaml's event stream, which lets a record be
rejected early and precisely for each of those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Largest source file read, in bytes; a record is a few hundred lines.
MAX_BYTES = 1_048_576
#: Deepest nesting of mappings and lists accepted; records need five or six levels.
MAX_DEPTH = 32

Loc = tuple[str | int, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class SourceError(Exception):
    """A problem that stops a file from being read at all."""

    code: str
    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None


@dataclass(frozen=True)
class SourceRecord:
    """A record's data as written, and the 1-based (line, column) of each value and key in it."""

    path: Path
    data: dict[str, Any]
    value_positions: dict[Loc, tuple[int, int]] = field(repr=False)
    key_positions: dict[Loc, tuple[int, int]] = field(repr=False)

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Where the value (or key) at loc was written; the nearest written ancestor if it is absent."""
        positions = self.key_positions if key else self.value_positions
        for end in range(len(loc), -1, -1):
            prefix = loc[:end]
            if prefix in positions:
                return positions[prefix]
            if prefix in self.key_positions:
                return self.key_positions[prefix]
        return (1, 1)


def read_source(path: Path, *, root: Path | None = None) -> SourceRecord:
    """Parse the YAML record at path; raise SourceError for anything that is not one plain mapping."""
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        raise SourceError(
            "outside-data-folder",
            f"resolves to {path.resolve()}, outside the data folder {root}",
            hint="records must be real files inside the data folder, not links out of it",
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(
                "file-too-large",
                f"{size} bytes; a record may have at most {MAX_BYTES}",
                hint="split the record or remove pasted material",
            )
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError("unreadable-file", f"cannot read the file: {error.strerror}") from None
    return parse_source(raw, path)


def parse_source(raw: bytes, path: Path) -> SourceRecord:
    """Parse the bytes of a record; path is only used to name it."""
    text = _decode(raw)
    _reject_tab_indentation(text)
    builder = _TreeBuilder()
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise SourceError(
            "yaml-syntax",
            f"invalid YAML: {problem}",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint="check indentation, colons and quotes around this place",
        ) from None
    except yaml.YAMLError as error:
        raise SourceError("yaml-syntax", f"invalid YAML: {error}") from None
    if builder.documents == 0 or builder.root is None:
        raise SourceError("empty-file", "the file holds no record", hint="start from `immunoref new CLASS ID`")
    if not isinstance(builder.root, dict):
        kind = "a list" if isinstance(builder.root, list) else "a single value"
        raise SourceError(
            "not-a-mapping",
            f"the file holds {kind}, not a mapping of fields",
            line=1,
            column=1,
            hint="a record is a mapping: `agent_id: …`, `name: …`, …",
        )
    return SourceRecord(path, builder.root, builder.value_positions, builder.key_positions)


def _decode(raw: bytes) -> str:
    if b"\x00" in raw:
        raise SourceError("binary-file", "the file holds NUL bytes; it is not a text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceError(
            "not-utf8",
            f"byte 0x{raw[error.start]:02x} is not UTF-8",
            line=line,
            column=column,
            hint="save the file as UTF-8",
        ) from None


def _reject_tab_indentation(text: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            raise SourceError(
                "tab-indentation",
                "a tab is used for indentation",
                line=number,
                column=indent.index("\t") + 1,
                hint="YAML indents with spaces only",
            )


class _TreeBuilder:
    """Turns parser events into dicts, lists and scalars, recording positions; rejects what a record must not use."""

    def __init__(self) -> None:
        self.documents = 0
        self.root: Any = None
        self.value_positions: dict[Loc, tuple[int, int]] = {}
        self.key_positions: dict[Loc, tuple[int, int]] = {}
        # Each open container: [container, its loc, pending mapping key or None, {key: line}].
        self._stack: list[list[Any]] = []
        self._resolver = yaml.resolver.Resolver()
        self._constructor = yaml.constructor.SafeConstructor()

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise SourceError(
                    "multiple-documents",
                    "the file holds more than one YAML document",
                    line=event.start_mark.line + 1,
                    column=1,
                    hint="one record per file: remove the `---`",
                )
        elif isinstance(event, yaml.AliasEvent):
            raise SourceError(
                "yaml-alias",
                f"the alias *{event.anchor} is not allowed",
                *_where(event),
                hint="write each value out in full; records do not use anchors and aliases",
            )
        elif isinstance(event, yaml.ScalarEvent):
            self._add(self._scalar(event), event)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(self._stack) >= MAX_DEPTH:
                raise SourceError(
                    "too-deep",
                    f"nesting deeper than {MAX_DEPTH} levels",
                    *_where(event),
                    hint="records nest at most a few levels: fields, lists of entries, their fields",
                )
            container: dict[str, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
            loc = self._add(container, event)
            self._stack.append([container, loc, None, {}])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self._stack.pop()

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag or self._resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self._constructor.construct_object(node)
        except (ValueError, OverflowError):
            # An impossible date such as 2011-02-30: keep the text so the model reports it at its field.
            if tag == "tag:yaml.org,2002:timestamp":
                return event.value
            raise SourceError(
                "yaml-value",
                f"cannot read the value {event.value!r}",
                *_where(event),
                hint="quote the value to keep it as text",
            ) from None
        except yaml.YAMLError as error:
            raise SourceError(
                "yaml-value",
                f"cannot read the value {event.value!r}: {getattr(error, 'problem', error)}",
                *_where(event),
                hint="quote the value to keep it as text",
            ) from None

    def _add(self, value: Any, event: yaml.NodeEvent) -> Loc:
        """Place value in the open container and return its loc."""
        position = _where(event)
        if not self._stack:
            self.root = value
            self.value_positions[()] = position
            return ()
        frame = self._stack[-1]
        container, parent_loc = frame[0], frame[1]
        if isinstance(container, list):
            loc = (*parent_loc, len(container))
            container.append(value)
            self.value_positions[loc] = position
            return loc
        if frame[2] is None:  # this value is a key
            if not isinstance(value, str) or isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                raise SourceError(
                    "invalid-key",
                    f"field names must be text, not {value!r}",
                    *position,
                    hint="write field names as plain words: `approval_date:`",
                )
            seen: dict[str, int] = frame[3]
            if value in seen:
                raise SourceError(
                    "duplicate-key",
                    f"{value!r} appears twice in this mapping (first on line {seen[value]})",
                    *position,
                    hint="keep one; YAML would silently drop the other",
                )
            seen[value] = position[0]
            frame[2] = value
            self.key_positions[(*parent_loc, value)] = position
            return (*parent_loc, value)
        key, frame[2] = frame[2], None
        container[key] = value
        loc = (*parent_loc, key)
        self.value_positions[loc] = position
        return loc


def _where(event: yaml.Event) -> tuple[int, int]:
    return (event.start_mark.line + 1, event.start_mark.column + 1)
