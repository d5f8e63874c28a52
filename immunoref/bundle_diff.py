"""Record-level differences between two releases: rows added, removed or changed (old and new values), schema changes,
and the smallest version bump they need. CHANGELOG.md and `immunoref diff` are both rendered from it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from immunoref.bundle import parquet_name, read_datapackage, release_tables
from immunoref.datapackage import NATURAL_KEYS
from immunoref.semver import Bump

if TYPE_CHECKING:
    import pyarrow as pa

Row = dict[str, Any]

#: Tables whose natural key is unique: rows with the same key are the same record, whatever else changed.
#: Other tables (indications) pair rows sharing a key only when most of their other values agree.
_UNIQUE_KEYS = {"agents", "targets", "toxicities", "references", "products"}
_AGENT_TABLES = ("targets", "indications", "toxicities", "products")
_SINGULAR = {"targets": "target", "indications": "indication", "toxicities": "toxicity", "products": "product"}


@dataclass(frozen=True)
class Snapshot:
    """A release's content as plain rows (dates as datetime.date, lists as lists): what a diff compares."""

    version: str
    descriptor: Mapping[str, Any]
    rows: Mapping[str, list[Row]]


def read_snapshot(folder: Path) -> Snapshot:
    """The rows of every table of the release folder, read from its Parquet files."""
    import pyarrow.parquet as pq

    descriptor = read_datapackage(folder)
    rows = {table: pq.read_table(folder / parquet_name(table)).to_pylist() for table in release_tables(descriptor)}
    return Snapshot(str(descriptor.get("version", "?")), descriptor, rows)


def snapshot_of(version: str, descriptor: Mapping[str, Any], tables: Mapping[str, pa.Table]) -> Snapshot:
    """A snapshot of tables held in memory (a release being made)."""
    return Snapshot(version, descriptor, {name: table.to_pylist() for name, table in tables.items()})


@dataclass(frozen=True)
class ChangedRow:
    """One record present in both releases with different values: the fields that changed, old and new."""

    key: dict[str, Any]
    old: Row
    new: Row
    fields: dict[str, tuple[Any, Any]]


@dataclass
class TableDiff:
    """Rows of one table added, removed and changed, each list sorted by natural key."""

    table: str
    added: list[Row] = field(default_factory=list)
    removed: list[Row] = field(default_factory=list)
    changed: list[ChangedRow] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class SchemaDiff:
    """Schema changes: breaking ones (readers of the old release may fail) and additive ones."""

    breaking: list[str]
    additive: list[str]


@dataclass(frozen=True)
class ReleaseDiff:
    """Everything that changed from one release to the next; old_version is None for a first release."""

    old_version: str | None
    new_version: str
    schema: SchemaDiff
    tables: dict[str, TableDiff]

    def needed_bump(self) -> tuple[Bump, str]:
        """The smallest version bump the changes need, and why: major breaks readers, minor adds records."""
        if self.schema.breaking:
            return "major", "the schema changed in a way that breaks readers: " + "; ".join(self.schema.breaking)
        agents = self.tables.get("agents")
        if agents is not None and agents.added:
            names = ", ".join(row["agent_id"] for row in agents.added)
            return "minor", f"agents were added ({names})"
        if self.schema.additive:
            return "minor", "the schema gained: " + "; ".join(self.schema.additive)
        if not any(self.tables.values()):
            return "patch", "no record changed"
        return "patch", "only corrections: no agent added, no schema change"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form: every row in full, dates as ISO text."""
        bump, reason = self.needed_bump()
        return _jsonable(
            {
                "from": self.old_version,
                "to": self.new_version,
                "needed_bump": bump,
                "reason": reason,
                "schema": {"breaking": self.schema.breaking, "additive": self.schema.additive},
                "tables": {
                    name: {
                        "key": list(NATURAL_KEYS.get(name, ("row",))),
                        "added": diff.added,
                        "removed": diff.removed,
                        "changed": [
                            {
                                "key": change.key,
                                "changes": {k: {"old": old, "new": new} for k, (old, new) in change.fields.items()},
                                "old": change.old,
                                "new": change.new,
                            }
                            for change in diff.changed
                        ],
                    }
                    for name, diff in self.tables.items()
                },
            }
        )


def diff_releases(old: Snapshot | None, new: Snapshot) -> ReleaseDiff:
    """The record-level differences from old to new (every row counts as added when old is None)."""
    old_rows: Mapping[str, list[Row]] = old.rows if old is not None else {}
    tables = list(new.rows) + [name for name in old_rows if name not in new.rows]
    diffs = {name: diff_table(name, old_rows.get(name, []), new.rows.get(name, [])) for name in tables}
    schema = diff_schemas(old.descriptor, new.descriptor) if old is not None else SchemaDiff([], [])
    return ReleaseDiff(old.version if old is not None else None, new.version, schema, diffs)


def row_key(table: str, row: Row) -> tuple[Any, ...]:
    """The natural key of a row: targets by (agent_id, symbol, or name when there is no symbol), others by columns."""
    if table == "targets":
        return (row.get("agent_id"), row.get("symbol") or row.get("name"))
    columns = NATURAL_KEYS.get(table)
    if columns is None:
        return tuple(sorted((name, _hashable(value)) for name, value in row.items()))
    return tuple(_hashable(row.get(column)) for column in columns)


def diff_table(table: str, old: Sequence[Row], new: Sequence[Row]) -> TableDiff:
    """Rows added, removed and changed: rows are matched by natural key; within a key, equal rows match first,
    then the most similar ones (for tables whose key is not unique, only when most other values agree)."""
    result = TableDiff(table)
    groups: dict[tuple[Any, ...], tuple[list[Row], list[Row]]] = {}
    for row in old:
        groups.setdefault(row_key(table, row), ([], []))[0].append(row)
    for row in new:
        groups.setdefault(row_key(table, row), ([], []))[1].append(row)
    key_names = NATURAL_KEYS.get(table, ())
    for key in sorted(groups, key=_sort_key):
        before, after = groups[key]
        before, after = _drop_equal(before, after)
        for old_row, new_row in _pair(table, before, after):
            if old_row is None:
                result.added.append(new_row)
            elif new_row is None:
                result.removed.append(old_row)
            else:
                fields = {
                    name: (old_row[name], new_row[name])
                    for name in new_row
                    if name in old_row and not _same(old_row[name], new_row[name])
                }
                result.changed.append(ChangedRow(dict(zip(key_names, key, strict=False)), old_row, new_row, fields))
    return result


def _drop_equal(before: list[Row], after: list[Row]) -> tuple[list[Row], list[Row]]:
    remaining = list(after)
    unmatched = []
    for row in before:
        twin = next((index for index, other in enumerate(remaining) if _same_row(row, other)), None)
        if twin is None:
            unmatched.append(row)
        else:
            remaining.pop(twin)
    return unmatched, remaining


def _pair(table: str, before: list[Row], after: list[Row]) -> list[tuple[Row | None, Row | None]]:
    """Greedy pairing by the number of equal values, deterministic; leftovers are removed or added."""
    scored = sorted(
        ((-_similarity(old, new), i, j) for i, old in enumerate(before) for j, new in enumerate(after)),
    )
    paired_old: dict[int, int] = {}
    used_new: set[int] = set()
    for negative_score, i, j in scored:
        if i in paired_old or j in used_new:
            continue
        if table not in _UNIQUE_KEYS and -negative_score * 2 <= len(set(before[i]) | set(after[j])):
            continue
        paired_old[i] = j
        used_new.add(j)
    pairs: list[tuple[Row | None, Row | None]] = [
        (row, after[paired_old[i]]) for i, row in enumerate(before) if i in paired_old
    ]
    pairs += [(row, None) for i, row in enumerate(before) if i not in paired_old]
    pairs += [(None, row) for j, row in enumerate(after) if j not in used_new]
    return pairs


def _similarity(old: Row, new: Row) -> int:
    return sum(1 for name in new if name in old and _same(old[name], new[name]))


def _same_row(old: Row, new: Row) -> bool:
    return old.keys() == new.keys() and all(_same(old[name], new[name]) for name in new)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b if a is not None and b is not None else a is b


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _sort_key(key: tuple[Any, ...]) -> str:
    return json.dumps(_jsonable(list(key)), sort_keys=True, ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def diff_schemas(old: Mapping[str, Any], new: Mapping[str, Any]) -> SchemaDiff:
    """Schema changes between two datapackage descriptors, field by field.

    Breaking: a table or column removed, a column's type changed, a required column made nullable, an allowed value
    withdrawn. Additive: a table, column or allowed value added. Descriptions and order do not count.
    """
    breaking: list[str] = []
    additive: list[str] = []
    old_tables, new_tables = _fields_by_table(old), _fields_by_table(new)
    for table in old_tables:
        if table not in new_tables:
            breaking.append(f"table {table} removed")
    for table, fields in new_tables.items():
        if table not in old_tables:
            additive.append(f"table {table} added")
            continue
        before = old_tables[table]
        breaking += [f"{table}.{name} removed" for name in before if name not in fields]
        for name, spec in fields.items():
            if name not in before:
                additive.append(f"{table}.{name} added")
                continue
            was = before[name]
            for prop in ("type", "parquetType"):
                if prop in was and prop in spec and was[prop] != spec[prop]:
                    breaking.append(f"{table}.{name} {prop} {was.get(prop)} -> {spec.get(prop)}")
            if _required(was) and not _required(spec):
                breaking.append(f"{table}.{name} may now be null")
            old_enum, new_enum = _enum(was), _enum(spec)
            if old_enum is not None and new_enum is not None:
                if withdrawn := [v for v in old_enum if v not in new_enum]:
                    breaking.append(f"{table}.{name} no longer allows {', '.join(withdrawn)}")
                if allowed := [v for v in new_enum if v not in old_enum]:
                    additive.append(f"{table}.{name} allows {', '.join(allowed)}")
    return SchemaDiff(breaking, additive)


def _fields_by_table(descriptor: Mapping[str, Any]) -> dict[str, dict[str, Mapping[str, Any]]]:
    return {
        resource["name"]: {f["name"]: f for f in resource.get("schema", {}).get("fields", [])}
        for resource in descriptor.get("resources", [])
    }


def _required(spec: Mapping[str, Any]) -> bool:
    return bool(spec.get("constraints", {}).get("required", False))


def _enum(spec: Mapping[str, Any]) -> list[str] | None:
    return spec.get("constraints", {}).get("enum")


# Rendering ------------------------------------------------------------------------------------------------------


def render_markdown(diff: ReleaseDiff) -> str:
    """The differences as Markdown, record by record; a first release lists its agents."""
    lines = [f"# immunoref {diff.new_version}", ""]
    if diff.old_version is None:
        return "\n".join(lines + _first_release(diff)) + "\n"
    bump, reason = diff.needed_bump()
    lines += [
        f"Changes since {diff.old_version}, record by record (generated from the data; "
        f"`immunoref diff` prints the same list).",
        "",
        f"Smallest version bump these changes need: **{bump}** ({reason}).",
        "",
        "| table | added | removed | changed |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {n} | {len(d.added)} | {len(d.removed)} | {len(d.changed)} |" for n, d in diff.tables.items()]
    lines += ["", "## Schema", ""]
    if not (diff.schema.breaking or diff.schema.additive):
        lines.append("No changes.")
    lines += [f"- breaking: {change}" for change in diff.schema.breaking]
    lines += [f"- added: {change}" for change in diff.schema.additive]
    agents = diff.tables.get("agents", TableDiff("agents"))
    added_agents = {row["agent_id"] for row in agents.added}
    removed_agents = {row["agent_id"] for row in agents.removed}
    for name, table_diff in diff.tables.items():
        lines += ["", f"## {name.capitalize()}", ""]
        if not table_diff:
            lines.append("No changes.")
            continue
        added = [r for r in table_diff.added if name in ("agents", "references") or r["agent_id"] not in added_agents]
        removed = [
            r for r in table_diff.removed if name in ("agents", "references") or r["agent_id"] not in removed_agents
        ]
        folded = len(table_diff.added) - len(added) + len(table_diff.removed) - len(removed)
        if folded:
            lines.append(f"{folded} row{'s' * (folded != 1)} of added or removed agents, listed under Agents.")
            lines.append("")
        for title, rows in (("Added", added), ("Removed", removed)):
            if rows:
                lines.append(f"{title} ({len(rows)}):")
                lines += [f"- {describe(name, row)}{_facts(diff, row) if name == 'agents' else ''}" for row in rows]
                lines.append("")
        if table_diff.changed:
            lines.append(f"Changed ({len(table_diff.changed)}):")
            for change in table_diff.changed:
                lines.append(f"- {describe(name, change.old)}")
                lines += [f"  - `{k}`: {_show(old)} → {_show(new)}" for k, (old, new) in change.fields.items()]
        while lines[-1] == "":
            lines.pop()
    return "\n".join(lines) + "\n"


def _first_release(diff: ReleaseDiff) -> list[str]:
    counts = ", ".join(f"{len(d.added)} {name}" for name, d in diff.tables.items())
    lines = ["First release: there is no previous release to compare with.", "", f"Rows: {counts}.", ""]
    agents = diff.tables.get("agents")
    if agents is not None:
        lines.append(f"Agents ({len(agents.added)}):")
        lines += [f"- {describe('agents', row)}" for row in agents.added]
    return lines


def _facts(diff: ReleaseDiff, agent: Row) -> str:
    """Counts of an added or removed agent's own rows, which the table sections do not repeat."""
    parts = []
    for table in _AGENT_TABLES:
        table_diff = diff.tables.get(table)
        if table_diff is not None:
            count = sum(1 for row in table_diff.added + table_diff.removed if row.get("agent_id") == agent["agent_id"])
            parts.append(f"{count} {table if count != 1 else _SINGULAR[table]}")
    return f", with {', '.join(parts)}" if parts else ""


def describe(table: str, row: Row) -> str:
    """A one-line label of a row, naming its key: `pembrolizumab` FDA MONDO:0005105 melanoma (2014-09-04)."""
    agent = f"`{row.get('agent_id')}`"
    if table == "agents":
        return f"{agent} {row.get('name')} ({row.get('therapy_class')})"
    if table == "targets":
        return f"{agent} → {row.get('symbol') or row.get('name')}"
    if table == "indications":
        date = row.get("approval_date")
        when = date.isoformat() if isinstance(date, dt.date) else "no date"
        return f"{agent} {row.get('agency')} {row.get('disease_id')} {row.get('disease')} ({when})"
    if table == "toxicities":
        return f"{agent} {row.get('term')} ({row.get('label_section')})"
    if table == "references":
        return f"`{row.get('reference_id')}` {row.get('title')}"
    if table == "products":
        return f"{agent} {row.get('brand_name')} ({row.get('agency')})"
    return ", ".join(f"{k}={_show(v)}" for k, v in row.items())


def _show(value: Any) -> str:
    return json.dumps(_jsonable(value), ensure_ascii=False)
