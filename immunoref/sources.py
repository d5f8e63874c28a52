"""Read one YAML source record into plain Python data, keeping where each value was written.

libyaml's composer recurses and crashes on deeply nested input, and PyYAML's
loaders expand aliases and keep the last of duplicate keys silently; so the
tree is built here from libyaml's event stream, which lets a record be
rejected early and precisely for each of those.
"""

from __future__ import annotations

import datetime as dt
import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

#: Largest source file read, in bytes; a record is a few hundred lines.
MAX_BYTES = 1_048_576
#: Deepest nesting of mappings and lists accepted; records need five or six levels.
MAX_DEPTH = 32

Loc = tuple[str | int, ...]
#: Values a template leaves for the curator begin with this word (see immunoref.templates).
PLACEHOLDER = "TODO"
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
    #: Where a value is still a template placeholder (text starting with TODO), in file order.
    placeholders: tuple[Loc, ...] = field(default=(), repr=False)

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
    if root is not None and not path.resolve().is_relative_to(_resolved(root)):
        raise SourceError(
            "outside-data-folder",
            f"resolves to {path.resolve()}, outside the data folder {root}",
            hint="records must be real files inside the data folder, not links out of it",
        )
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            # A folder named like a record is no record; reading a FIFO would wait for a writer forever.
            raise SourceError("not-a-file", "not a regular file", hint="records are plain files")
        size = status.st_size
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


@lru_cache(maxsize=64)
def _resolved(folder: Path) -> Path:
    return folder.resolve()


def parse_source(raw: bytes, path: Path) -> SourceRecord:
    """Parse the bytes of a record; path is only used to name it."""
    text = _decode(raw)
    _reject_tab_indentation(text)
    try:
        tree = _build_tree(_Loader(text))
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
    if tree.documents == 0 or tree.root is None:
        raise SourceError("empty-file", "the file holds no record", hint="start from `immunoref new CLASS ID`")
    if not isinstance(tree.root, dict):
        kind = "a list" if isinstance(tree.root, list) else "a single value"
        raise SourceError(
            "not-a-mapping",
            f"the file holds {kind}, not a mapping of fields",
            line=1,
            column=1,
            hint="a record is a mapping: `agent_id: …`, `name: …`, …",
        )
    return SourceRecord(path, tree.root, tree.value_positions, tree.key_positions, tuple(tree.placeholders))


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


_TAB_IN_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)


def _reject_tab_indentation(text: str) -> None:
    found = _TAB_IN_INDENT.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise SourceError(
            "tab-indentation",
            "a tab is used for indentation",
            line=line,
            column=found.end() - found.start(),
            hint="YAML indents with spaces only",
        )


@dataclass
class _Tree:
    """What the event stream built: the root value, where each value and key was written, placeholders."""

    root: Any = None
    documents: int = 0
    value_positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    placeholders: list[Loc] = field(default_factory=list)


_SCALAR = yaml.ScalarEvent
_OPENERS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSERS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _build_tree(loader: Any) -> _Tree:  # noqa: PLR0915 (one loop on purpose, see below)
    """Turn parser events into dicts, lists and scalars, recording positions; reject what a record must not use.

    One loop with local names: it runs once per YAML event, so it is the hot path of validation.
    """
    tree = _Tree()
    values, keys = tree.value_positions, tree.key_positions
    # Each open container: [container, its loc, pending mapping key or None, {key: line}].
    stack: list[list[Any]] = []
    get_event = loader.get_event
    while (event := get_event()) is not None:
        kind = type(event)
        if kind is _SCALAR:
            value = event.value
            if event.tag is not None or (event.implicit[0] and not _plainly_text(value)):
                value = _scalar(event)
        elif kind in _OPENERS:
            if len(stack) >= MAX_DEPTH:
                raise SourceError(
                    "too-deep",
                    f"nesting deeper than {MAX_DEPTH} levels",
                    *_where(event),
                    hint="records nest at most a few levels: fields, lists of entries, their fields",
                )
            value = {} if kind is yaml.MappingStartEvent else []
        elif kind in _CLOSERS:
            stack.pop()
            continue
        elif kind is yaml.DocumentStartEvent:
            tree.documents += 1
            if tree.documents > 1:
                raise SourceError(
                    "multiple-documents",
                    "the file holds more than one YAML document",
                    line=event.start_mark.line + 1,
                    column=1,
                    hint="one record per file: remove the `---`",
                )
            continue
        elif kind is yaml.AliasEvent:
            raise SourceError(
                "yaml-alias",
                f"the alias *{event.anchor} is not allowed",
                *_where(event),
                hint="write each value out in full; records do not use anchors and aliases",
            )
        else:
            continue
        mark = event.start_mark
        position = (mark.line + 1, mark.column + 1)
        if not stack:
            tree.root = value
            values[()] = position
            loc: Loc = ()
        else:
            frame = stack[-1]
            container, parent_loc = frame[0], frame[1]
            if type(container) is list:
                loc = (*parent_loc, len(container))
                container.append(value)
                values[loc] = position
            elif frame[2] is None:  # this value is a key
                if kind is not _SCALAR or not isinstance(value, str):
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
                keys[(*parent_loc, value)] = position
                continue
            else:
                key = frame[2]
                frame[2] = None
                container[key] = value
                loc = (*parent_loc, key)
                values[loc] = position
        if kind is _SCALAR:
            if type(value) is str and value.startswith(PLACEHOLDER):
                tree.placeholders.append(loc)
        else:
            stack.append([value, loc, None, {}])
    return tree


def _scalar(event: yaml.ScalarEvent) -> Any:
    """A plain scalar that may be more than text, or a tagged one, read as PyYAML's safe loader reads it."""
    value = event.value
    if event.tag is None:
        if value in _WORDS:
            return _WORDS[value]
        if _DECIMAL.fullmatch(value):
            return int(value)
        if _POINT.fullmatch(value):
            return float(value)
        if _DAY.fullmatch(value):
            try:
                return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
            except ValueError:
                return value  # an impossible date such as 2011-02-30: the model reports it at its field
    tag = event.tag or _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit)
    node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
    try:
        return _construct(node)
    except (ValueError, OverflowError):
        # An impossible date such as 2011-02-30: keep the text so the model reports it at its field.
        if tag == "tag:yaml.org,2002:timestamp":
            return value
        raise SourceError(
            "yaml-value",
            f"cannot read the value {value!r}",
            *_where(event),
            hint="quote the value to keep it as text",
        ) from None
    except yaml.YAMLError as error:
        raise SourceError(
            "yaml-value",
            f"cannot read the value {value!r}: {getattr(error, 'problem', error)}",
            *_where(event),
            hint="quote the value to keep it as text",
        ) from None


def _construct(node: yaml.ScalarNode) -> Any:
    """The node's value, forgotten by the constructor at once: PyYAML keeps every node it constructed (for
    aliases) until its document ends, and ours never ends, so a million records would pile them all up."""
    try:
        return _CONSTRUCTOR.construct_object(node)
    finally:
        _CONSTRUCTOR.constructed_objects.clear()


_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


#: Plain integers without a leading zero (YAML 1.1 reads 017 as octal), decimals and ISO days: the numbers
#: and dates records hold, read without the resolver's regular expressions.
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)")
_POINT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: Plain words YAML 1.1 reads as booleans or null, with their values.
_WORDS: dict[str, bool | None] = {
    **dict.fromkeys(["yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], True),
    **dict.fromkeys(["no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], False),
    **dict.fromkeys(["null", "Null", "NULL", "~", ""], None),
}

#: First characters of plain scalars that YAML 1.1 may read as something other than text.
_MAYBE_NOT_TEXT = frozenset("0123456789-+.~<=")
#: Words starting with another letter that YAML 1.1 reads as booleans or null.
_BOOL_NULL_WORDS = frozenset(
    {"yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE"}
    | {"on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL"}
)


def _plainly_text(value: str) -> bool:
    """Whether a plain scalar can only be text, by the rules of PyYAML's resolver."""
    return bool(value) and value[0] not in _MAYBE_NOT_TEXT and value not in _BOOL_NULL_WORDS


def _where(event: yaml.Event) -> tuple[int, int]:
    return (event.start_mark.line + 1, event.start_mark.column + 1)
