"""Check source records: each against its class model, then across records; never prints or exits."""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import hashlib
import os
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from immunoref.grounding import Vocabularies, load_partners, load_vocabularies
from immunoref.models import (
    CHEMBL_ID,
    DRUGBANK_ID,
    HGNC_ID,
    MESH_ID,
    MODELS,
    MONDO_ID,
    THERAPY_ADAPTER,
    THERAPY_LIST_ADAPTER,
    AgentBase,
    Therapy,
)
from immunoref.readahead import read_ahead
from immunoref.sources import PLACEHOLDER, Loc, SourceError, SourceRecord, read_source
from immunoref.vocabularies import AGENCY_FIRST_DAY, THERAPY_CLASSES

#: Suffix of source record files; files ending in .yml are reported, not skipped silently.
RECORD_SUFFIX = ".yaml"
_MISNAMED_SUFFIX = ".yml"

#: Forms of identifier fields, shown when a value does not match.
_FORMS = {
    "agent_id": "a lowercase slug: pembrolizumab, talimogene-laherparepvec",
    "reference_id": "a lowercase slug: pembrolizumab-fda-label",
    "reference_ids": "lowercase slugs naming entries of references",
    "hgnc_id": "HGNC:8760",
    "symbol": "an HGNC approved symbol: PDCD1",
    "target_antigen": "an HGNC approved symbol: CD19",
    "uniprot_id": "a UniProt accession: Q15116",
    "disease_id": "MONDO:0005105",
    "mesh_id": "MESH:D011014",
    "drugbank_id": "DB09037",
    "chembl_id": "CHEMBL3137343",
    "pmid": "digits only: 26027431",
    "doi": "10.1056/NEJMoa1503093",
    "url": "https://…",
}
_TYPE_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "literal_error": "invalid-value",
    "enum": "invalid-value",
    "string_pattern_mismatch": "invalid-format",
    "greater_than_equal": "out-of-range",
    "less_than_equal": "out-of-range",
    "too_short": "too-short",
    "string_too_short": "too-short",
    "union_tag_invalid": "unknown-therapy-class",
    "union_tag_not_found": "missing-field",
}


class Issue(BaseModel):
    """One problem in a source record."""

    file: str
    line: int | None  # 1-based, from the YAML node
    column: int | None  # 1-based
    record_id: str | None
    field: str | None  # path in the record, e.g. "indications[3].approval_date"
    code: str  # stable, e.g. "unknown-therapy-class"
    message: str  # what is wrong, quoting it
    hint: str | None = None  # how to fix it
    severity: Literal["error", "warning"] = "error"
    found: str | None = None  # the value as written, shortened; None when absent
    expected: str | None = None  # what the field accepts


#: What a field accepts, by issue code, for problems found by rules rather than by the model.
_EXPECTED = {
    "file-name-mismatch": "agent_id equal to the file name",
    "wrong-class-folder": "the folder named after the record's therapy_class",
    "duplicate-reference-id": "a reference_id defined once",
    "dangling-reference": "a reference_id defined under this record's references",
    "unused-reference": "a reference cited by at least one fact",
    "duplicate-target": "each target once",
    "duplicate-indication": "each approval once",
    "duplicate-toxicity": "each adverse reaction once per label section",
    "duplicate-product": "each product once per agency",
    "future-date": "a date no later than today",
    "before-agency-existed": "a date on or after the agency's first day",
    "missing-approval-date": "the approval date, when a source gives it",
    "originator-after-approval": "the originator's first approval on or before the agency's approvals of the agent",
    "missing-pivotal-trial": "the pivotal trial, when the source names it",
    "undated-withdrawal": "the day the indication was withdrawn, when a source gives it",
    "ungrounded-toxicity": "a MeSH descriptor matching the term",
    "unknown-hgnc-id": "an HGNC ID in the vendored vocabulary",
    "hgnc-symbol-mismatch": "the approved symbol of the HGNC ID",
    "uniprot-mismatch": "a UniProt accession HGNC gives for the gene",
    "unknown-mondo-id": "a MONDO term in the vendored vocabulary",
    "unknown-mesh-id": "a MeSH descriptor in the vendored vocabulary",
    "unknown-drugbank-id": "a DrugBank ID in the vendored vocabulary",
    "unpaired-chembl-id": "the ChEMBL ID the vocabulary pairs with the DrugBank ID",
    "duplicate-agent-id": "an agent_id used by one record only",
    "conflicting-reference": "the same fields wherever a reference_id is reused",
    "unknown-combination-partner": "an agent_id, or a name in immunoref/_vocab/partners.tsv",
    "unfilled-template": "the value, as a source gives it",
}


@dataclass
class CheckResult:
    """The records that passed their model, and every issue found on the way."""

    therapies: list[Therapy] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "error"]


def validate_paths(
    paths: Sequence[Path], *, today: dt.date | None = None, vocabularies: Vocabularies | None = None
) -> list[Issue]:
    """Every issue in the record files at paths (folders are searched for *.yaml)."""
    return check_paths(paths, today=today, vocabularies=vocabularies).issues


def validate_file(path: Path, *, today: dt.date | None = None) -> list[Issue]:
    """Every issue in one record file, on its own."""
    return check_paths([path], today=today).issues


def find_record_files(paths: Sequence[Path]) -> list[tuple[Path, Path | None]]:
    """Record files under paths, sorted, each with the folder it must stay inside (None for named files)."""
    found: dict[Path, Path | None] = {}
    for file, root in _walk_record_files(paths):
        found.setdefault(file, root)
    return sorted(found.items())


def _walk_record_files(paths: Sequence[Path]) -> Iterator[tuple[Path, Path | None]]:
    """Record files under paths as found (a file named twice comes twice), each with its folder."""
    for path in paths:
        if path.is_dir():
            for file in _named_like_records(path):
                yield file, path
        else:
            yield path, None


def _named_like_records(folder: Path) -> Iterator[Path]:
    """Entries under folder named *.yaml or *.yml, as Path.rglob finds them (symlinked folders are not
    entered, unreadable ones are skipped), but streamed: rglob lists each folder in memory and remembers
    every path it has yielded, hundreds of MiB for a folder of a million records."""
    folders = [folder]
    while folders:
        current = folders.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    if entry.name.endswith((RECORD_SUFFIX, _MISNAMED_SUFFIX)):
                        yield current / entry.name
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            folders.append(current / entry.name)
                    except OSError:
                        continue
        except PermissionError:
            continue


class _FilesInAgentOrder:
    """The record files under paths, each once, in agent_id order (file name, then path), kept on disk so
    that listing a million files costs no more memory than listing ten."""

    def __init__(self, paths: Sequence[Path]) -> None:
        from immunoref.spill import Scratch

        self.roots = list(paths)
        self.scratch = Scratch(
            # Stored in reading order, so reading back needs no sort; the key is unique per path as well.
            "CREATE TABLE files (stem BLOB, parts BLOB, root INTEGER, PRIMARY KEY (stem, parts)) WITHOUT ROWID;"
        )
        root_index = {root: index for index, root in enumerate(self.roots)}
        try:
            self.scratch.insert_many(
                "INSERT OR IGNORE INTO files VALUES (?, ?, ?)",
                (
                    # parts sorts as Path objects do (component by component): "/" becomes the lowest byte.
                    (os.fsencode(file.stem), os.fsencode(file).replace(b"/", b"\0"), root_index.get(root))
                    for file, root in _walk_record_files(paths)
                ),
            )
            self.count: int = self.scratch.execute("SELECT count(*) FROM files").fetchone()[0]
        except BaseException:  # a folder that cannot be listed to the end, or no room to list it
            self.scratch.close()
            raise

    def __iter__(self) -> Iterator[tuple[Path, Path | None]]:
        for parts, root in self.scratch.rows("SELECT parts, root FROM files ORDER BY stem, parts"):
            yield Path(os.fsdecode(parts.replace(b"\0", b"/"))), None if root is None else self.roots[root]

    def close(self) -> None:
        self.scratch.close()


def check_paths(
    paths: Sequence[Path], *, today: dt.date | None = None, vocabularies: Vocabularies | None = None
) -> CheckResult:
    """Validate the record files at paths one by one, then across records (against the vendored vocabularies)."""
    result = CheckResult()
    for therapy, issues in check_stream(paths, today=today, vocabularies=vocabularies):
        result.issues.extend(issues)
        if therapy is not None:
            result.therapies.append(therapy)
    result.issues.sort(key=issue_order)
    return result


def issue_order(issue: Issue) -> tuple[str, int, int, str]:
    """Issues in reading order: by file, line, column, then code."""
    return (issue.file, issue.line or 0, issue.column or 0, issue.code)


Progress = Callable[[int, int], None]


def check_stream(
    paths: Sequence[Path],
    *,
    today: dt.date | None = None,
    vocabularies: Vocabularies | None = None,
    progress: Progress | None = None,
) -> Iterator[tuple[Therapy | None, list[Issue]]]:
    """Each record file's model (None if it fails it) and issues, in agent_id order; then the issues across
    records, with None. What must be remembered between records (the files still to read, the identifiers
    seen) is kept on disk, so memory stays flat at any size."""
    today = today or dt.date.today()
    vocabularies = vocabularies or load_vocabularies()
    files = _FilesInAgentOrder(paths)
    try:
        across = _AcrossRecords()
    except BaseException:
        files.close()
        raise
    try:
        for done, (file, root) in enumerate(read_ahead(files), start=1):
            try:
                if file.suffix == _MISNAMED_SUFFIX:
                    raise SourceError(
                        "wrong-extension", "record files end in .yaml", hint=f"rename it to {file.stem}{RECORD_SUFFIX}"
                    )
                source = read_source(file, root=root)
            except SourceError as error:
                yield None, [_source_issue(file, error)]
                continue
            therapy, issues = check_source(source, vocabularies, today)
            if therapy is not None:
                issues += across.add(therapy, source)
            if progress is not None:
                progress(done, files.count)
            yield therapy, issues
        yield None, across.finish()
    finally:
        files.close()
        across.close()


def _source_issue(file: Path, error: SourceError) -> Issue:
    return Issue(
        file=str(file),
        line=error.line,
        column=error.column,
        record_id=None,
        field=None,
        code=error.code,
        message=error.message,
        hint=error.hint,
    )


def validate_bulk(records: Sequence[Any]) -> list[Therapy]:
    """Many raw records (dicts, as read from YAML or JSON) through their models in one call, for pipelines that
    make records in bulk; raises pydantic's ValidationError. No file positions and no cross-record rules:
    use check_paths for curated files. The garbage collector is paused meanwhile, as the records only grow."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return THERAPY_LIST_ADAPTER.validate_python(records)
    finally:
        if enabled:
            gc.enable()


def check_source(
    source: SourceRecord, vocabularies: Vocabularies, today: dt.date
) -> tuple[Therapy | None, list[Issue]]:
    """The record's model (None if it does not validate) and its issues."""
    record_id = source.data.get("agent_id") if isinstance(source.data.get("agent_id"), str) else None
    report = _Reporter(source, record_id)
    therapy: Therapy | None = None
    unfilled = {loc for loc in source.placeholders if re.match(rf"{PLACEHOLDER}\b", _value_at(source.data, loc))}
    for loc in sorted(unfilled, key=source.locate):
        report.add(loc, "unfilled-template", "still the template's TODO", "write the value, or delete an optional line")
    try:
        therapy = THERAPY_ADAPTER.validate_python(source.data)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            if report.record_loc(tuple(detail["loc"])) not in unfilled:
                report.pydantic(detail)
    # Identifiers are checked on the data as written, so they are reported even beside model errors.
    problems = list(_grounding_rules(source.data, vocabularies))
    if therapy is not None:
        problems += _record_rules(therapy, source.path, today)
    for loc, code, message, hint, severity in problems:
        report.add(loc, code, message, hint, severity)
    return therapy, report.issues


def _value_at(data: Any, loc: Loc) -> Any:
    """The value at loc in raw record data, or None where the path does not lead."""
    value = data
    for part in loc:
        in_list = isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value)
        in_mapping = isinstance(part, str) and isinstance(value, dict) and part in value
        if not (in_list or in_mapping):
            return None
        value = value[part]
    return value


class _Reporter:
    """Turns problems at a loc into Issues with the file position and a readable field path."""

    def __init__(self, source: SourceRecord, record_id: str | None) -> None:
        self.source = source
        self.record_id = record_id
        self.issues: list[Issue] = []
        therapy_class = source.data.get("therapy_class")
        self.model: type[AgentBase] | None = MODELS.get(therapy_class) if isinstance(therapy_class, str) else None

    def add(
        self,
        loc: Loc,
        code: str,
        message: str,
        hint: str | None = None,
        severity: Literal["error", "warning"] = "error",
        *,
        key: bool = False,
        found: object = None,
        expected: str | None = None,
    ) -> None:
        line, column = self.source.locate(loc, key=key)
        if found is None and not key:
            found = _value_at(self.source.data, loc)
        self.issues.append(
            Issue(
                file=str(self.source.path),
                line=line,
                column=column,
                record_id=self.record_id,
                field=format_loc(loc) or None,
                code=code,
                message=message,
                hint=hint,
                severity=severity,
                found=None if found is None or isinstance(found, dict | list) else _short(found),
                expected=expected or _EXPECTED.get(code),
            )
        )

    def record_loc(self, loc: Loc) -> Loc:
        """A pydantic loc as a path in the record: without the discriminator tag pydantic puts first."""
        if self.model is not None and loc and loc[0] == self.source.data.get("therapy_class"):
            return loc[1:]
        return loc

    def pydantic(self, detail: dict[str, Any]) -> None:
        loc: Loc = self.record_loc(tuple(detail["loc"]))
        kind: str = detail["type"]
        code = _TYPE_CODES.get(kind, kind if "-" in kind else "wrong-type")
        value = detail.get("input")
        name = next((part for part in reversed(loc) if isinstance(part, str)), "")
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            loc = ("therapy_class",)
            value = self.source.data.get("therapy_class")
            message = "is required" if kind == "union_tag_not_found" else f"{value!r} is not a therapy class"
            self.add(loc, code, message, choices_hint(value, THERAPY_CLASSES), expected=_one_of(THERAPY_CLASSES))
        elif kind == "missing":
            self.add(loc, code, f"{name!r} is required", f"add `{name}:` here", key=True, expected="a value")
        elif kind == "extra_forbidden":
            allowed = _fields_at(self.model, loc[:-1])
            self.add(
                loc,
                code,
                f"{name!r} is not a field here",
                choices_hint(name, allowed),
                key=True,
                found=name,
                expected=_one_of(allowed),
            )
        elif kind in ("literal_error", "enum"):
            allowed = tuple(re.findall(r"'([^']*)'", detail.get("ctx", {}).get("expected", "")))
            self.add(loc, code, f"{value!r} is not allowed", choices_hint(value, allowed), expected=_one_of(allowed))
        elif kind == "string_pattern_mismatch":
            form = _FORMS.get(name) or _FORMS.get(str(loc[-2]) if len(loc) > 1 else "", "")
            self.add(
                loc,
                code,
                f"{value!r} is not of the expected form",
                f"write it as {form}" if form else None,
                expected=form or detail.get("ctx", {}).get("pattern"),
            )
        elif code == "wrong-type":
            self.add(
                loc,
                code,
                f"{_short(value)}: {detail['msg'][0].lower()}{detail['msg'][1:]}",
                _type_hint(kind, value),
                found=value,
                expected=detail["msg"].removeprefix("Input should be "),
            )
        else:
            message = detail["msg"].removeprefix("Value error, ")
            expected = message.removeprefix("Input should be ") if message.startswith("Input should be ") else None
            self.add(loc, code, message, found=value, expected=expected)


def _one_of(allowed: Sequence[str]) -> str | None:
    return f"one of {', '.join(sorted(allowed))}" if allowed else None


def _type_hint(kind: str, value: object) -> str | None:
    if isinstance(value, bool) and kind == "string_type":
        return "YAML reads yes, no, on, off, true and false as booleans: quote the value"
    if kind.startswith("date"):
        return "write dates as YYYY-MM-DD"
    if kind == "list_type":
        return "write a list: [first, second] or one `- item` per line"
    if kind == "string_type":
        return "quote the value to make it text"
    return None


def format_loc(loc: Loc) -> str:
    """A loc as curators read it: indications[3].approval_date."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def choices_hint(value: object, allowed: Sequence[str]) -> str | None:
    if not allowed:
        return None
    folded = {choice.casefold(): choice for choice in allowed}
    close = difflib.get_close_matches(str(value).casefold(), list(folded), n=1, cutoff=0.6) if value is not None else []
    listing = ", ".join(sorted(allowed))
    return f"did you mean {folded[close[0]]!r}? Allowed: {listing}" if close else f"use one of {listing}"


def _fields_at(model: type[BaseModel] | None, loc: Loc) -> tuple[str, ...]:
    """Field names of the model found by following loc from the record's model."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        annotation = current.model_fields[part].annotation if part in current.model_fields else None
        current = _model_in(annotation)
    return tuple(current.model_fields) if current is not None else ()


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) in (list, typing.Union):
        return next((m for a in typing.get_args(annotation) if (m := _model_in(a)) is not None), None)
    return None


_Problem = tuple[Loc, str, str, str | None, Literal["error", "warning"]]


def _record_rules(therapy: Therapy, path: Path, today: dt.date) -> Iterator[_Problem]:
    """Rules over one whole record: its file, its citations, its identifiers, its dates."""
    if path.stem != therapy.agent_id:
        yield (
            ("agent_id",),
            "file-name-mismatch",
            f"agent_id {therapy.agent_id!r} differs from the file name {path.name!r}",
            f"rename the file to {therapy.agent_id}{RECORD_SUFFIX}",
            "error",
        )
    if path.parent.name in THERAPY_CLASSES and path.parent.name != therapy.therapy_class:
        yield (
            ("therapy_class",),
            "wrong-class-folder",
            f"a {therapy.therapy_class} record sits in the folder {path.parent.name}/",
            f"move it to data/{therapy.therapy_class}/",
            "error",
        )
    yield from _citation_rules(therapy)
    yield from _duplicate_rules(therapy)
    yield from _date_rules(therapy, today)
    for index, toxicity in enumerate(therapy.toxicities):
        if toxicity.mesh_id is None:
            yield (
                ("toxicities", index, "mesh_id"),
                "ungrounded-toxicity",
                f"{toxicity.term!r} has no MeSH descriptor",
                "add one if a descriptor matches the term",
                "warning",
            )


def _citation_rules(therapy: Therapy) -> Iterator[_Problem]:
    defined: dict[str, int] = {}
    for index, reference in enumerate(therapy.references):
        if reference.reference_id in defined:
            yield (
                ("references", index, "reference_id"),
                "duplicate-reference-id",
                f"{reference.reference_id!r} is already defined at references[{defined[reference.reference_id]}]",
                "give each reference its own id",
                "error",
            )
        defined.setdefault(reference.reference_id, index)
    cited: set[str] = set()
    for loc, ids in _citations(therapy):
        for position, reference_id in enumerate(ids):
            cited.add(reference_id)
            if reference_id not in defined:
                yield (
                    (*loc, "reference_ids", position),
                    "dangling-reference",
                    f"{reference_id!r} is not among this record's references",
                    choices_hint(reference_id, tuple(defined)) or "add it under references",
                    "error",
                )
    for reference_id, index in defined.items():
        if reference_id not in cited:
            yield (
                ("references", index, "reference_id"),
                "unused-reference",
                f"{reference_id!r} is defined but no fact cites it",
                "cite it or remove it",
                "warning",
            )


def _citations(therapy: Therapy) -> Iterator[tuple[Loc, list[str]]]:
    yield (), therapy.reference_ids
    for group in ("targets", "indications", "toxicities", "products"):
        for index, entry in enumerate(getattr(therapy, group)):
            yield (group, index), entry.reference_ids


def _duplicate_rules(therapy: Therapy) -> Iterator[_Problem]:
    keyed = {
        "targets": lambda t: t.label,
        "indications": lambda i: i.model_dump(exclude={"reference_ids", "note", "disease"}),
        "toxicities": lambda t: (t.term.casefold(), t.label_section),
        "products": lambda p: (p.brand_name.casefold(), p.agency),
    }
    for group, key_of in keyed.items():
        seen: dict[str, int] = {}
        for index, entry in enumerate(getattr(therapy, group)):
            key = repr(key_of(entry))
            if key in seen:
                yield (
                    (group, index),
                    f"duplicate-{group[:-1]}",
                    f"repeats {group}[{seen[key]}]",
                    "merge the two entries",
                    "error",
                )
            seen.setdefault(key, index)


#: Identifiers listed in a record's entries: (group, field, form, vocabulary, issue code, what it names).
_LISTED_IDENTIFIERS = (
    ("indications", "disease_id", MONDO_ID, "mondo", "unknown-mondo-id", "MONDO term"),
    ("toxicities", "mesh_id", MESH_ID, "mesh", "unknown-mesh-id", "MeSH descriptor"),
)


def _grounding_rules(data: dict[str, Any], vocab: Vocabularies) -> Iterator[_Problem]:
    """Identifiers as written (well-formed ones only; the model reports the rest) against the vocabularies."""
    refresh = "if it is right, run `python scripts/vendor_vocabularies.py` to vendor it from shared/reference"
    for loc, target in _entries(data, "targets"):
        hgnc_id = _text(target, "hgnc_id", HGNC_ID)
        if hgnc_id is None:
            continue
        row = vocab.hgnc.get(hgnc_id)
        if row is None:
            yield ((*loc, "hgnc_id"), "unknown-hgnc-id", f"{hgnc_id!r} is not a known HGNC ID", refresh, "error")
            continue
        symbol = target.get("symbol")
        if symbol != row["symbol"]:
            yield (
                (*loc, "symbol"),
                "hgnc-symbol-mismatch",
                f"{hgnc_id} is {row['symbol']!r} in HGNC, not {symbol!r}",
                f"write symbol: {row['symbol']} (or fix hgnc_id)",
                "error",
            )
        uniprots = row["uniprot_ids"].split(",") if row["uniprot_ids"] else []
        uniprot = target.get("uniprot_id")
        if isinstance(uniprot, str) and uniprot not in uniprots:
            yield (
                (*loc, "uniprot_id"),
                "uniprot-mismatch",
                f"{uniprot!r} is not a UniProt ID of {row['symbol']} in HGNC",
                f"use {' or '.join(uniprots)}" if uniprots else None,
                "error",
            )
    for group, name, pattern, table, code, what in _LISTED_IDENTIFIERS:
        known = getattr(vocab, table)
        for loc, entry in _entries(data, group):
            value = _text(entry, name, pattern)
            if value is not None and value not in known:
                yield ((*loc, name), code, f"{value!r} is not a known {what}", refresh, "error")
    drugbank_id = _text(data, "drugbank_id", DRUGBANK_ID)
    chembl_id = _text(data, "chembl_id", CHEMBL_ID)
    if drugbank_id is not None:
        drug = vocab.drugbank.get(drugbank_id)
        if drug is None:
            yield (
                ("drugbank_id",),
                "unknown-drugbank-id",
                f"{drugbank_id!r} is not a known DrugBank ID",
                refresh,
                "error",
            )
        elif chembl_id is not None and chembl_id not in drug["chembl_ids"].split(","):
            yield (
                ("chembl_id",),
                "unpaired-chembl-id",
                f"{chembl_id!r} is not the ChEMBL ID DrugBank gives for {drugbank_id}",
                f"use {drug['chembl_ids']}" if drug["chembl_ids"] else "set chembl_id: null",
                "error",
            )
    elif chembl_id is not None and data.get("drugbank_id") is None:
        yield (
            ("chembl_id",),
            "unpaired-chembl-id",
            "chembl_id needs a drugbank_id to be checked against",
            "add drugbank_id or set chembl_id: null",
            "error",
        )


def _entries(data: dict[str, Any], group: str) -> Iterator[tuple[Loc, dict[str, Any]]]:
    items = data.get(group)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield (group, index), item


def _text(entry: dict[str, Any], name: str, pattern: str) -> str | None:
    """The value of a field if it is a well-formed identifier, else None."""
    value = entry.get(name)
    return value if isinstance(value, str) and re.match(pattern, value) else None


def _date_rules(therapy: Therapy, today: dt.date) -> Iterator[_Problem]:
    """Approval and withdrawal dates: not in the future, not before the agency could approve anything."""
    dated = [("indications", i, e) for i, e in enumerate(therapy.indications)]
    dated += [("products", i, e) for i, e in enumerate(therapy.products)]
    for group, index, entry in dated:
        loc: Loc = (group, index)
        for name in ("approval_date", "withdrawn_date"):
            value = getattr(entry, name, None)
            if value is not None and value > today:
                yield ((*loc, name), "future-date", f"{value} is in the future", None, "error")
        first_day = AGENCY_FIRST_DAY.get(entry.agency)
        if entry.approval_date is not None and first_day and entry.approval_date < dt.date.fromisoformat(first_day):
            yield (
                (*loc, "approval_date"),
                "before-agency-existed",
                f"{entry.approval_date} is before the {entry.agency} could grant approvals ({first_day})",
                "check the date and the agency: an approval by another regulator belongs to that regulator",
                "error",
            )
        if entry.approval_date is None:
            yield (
                (*loc, "approval_date"),
                "missing-approval-date",
                "no approval date: the row is kept, but as-of queries cannot place it",
                "add the date when a source gives it",
                "warning",
            )
    for index, indication in enumerate(therapy.indications):
        if indication.status == "withdrawn" and indication.withdrawn_date is None:
            yield (
                ("indications", index, "withdrawn_date"),
                "undated-withdrawal",
                "withdrawn, but on no known day: as-of queries keep it standing",
                "add the date when a source gives it, and say what is known in note",
                "warning",
            )
        if indication.pivotal_trial is None and indication.setting != "prevention":
            yield (
                ("indications", index, "pivotal_trial"),
                "missing-pivotal-trial",
                "no pivotal trial named",
                "add the trial the approval rests on when the label or approval notice names it",
                "warning",
            )
    yield from _originator_rules(therapy)
    for index, reference in enumerate(therapy.references):
        if reference.accessed > today:
            yield (
                ("references", index, "accessed"),
                "future-date",
                f"{reference.accessed} is in the future",
                None,
                "error",
            )


def _originator_rules(therapy: Therapy) -> Iterator[_Problem]:
    """An agency approves an agent first by approving its originator product, so no approval of the agent by
    that agency can be dated before the originator's first approval; when one is, one of the two dates is
    wrong, or the row belongs to another agency."""
    for index, product in enumerate(therapy.products):
        if product.kind != "originator" or product.approval_date is None:
            continue
        earlier = [
            (indication.approval_date, row)
            for row, indication in enumerate(therapy.indications)
            if indication.agency == product.agency
            and indication.approval_date is not None
            and indication.approval_date < product.approval_date
        ]
        if earlier:
            first_day, row = min(earlier)
            yield (
                ("products", index, "approval_date"),
                "originator-after-approval",
                f"the originator {product.brand_name!r} is first approved on {product.approval_date}, after the"
                f" {product.agency} approval of indications[{row}] on {first_day}",
                "the originator's first approval is the agency's first approval of the agent: check both dates",
                "error",
            )


class _AcrossRecords:
    """What one record needs to know of the others: the first file of each agent_id and reference_id (with
    a digest of the reference's fields), and the combination partners still to be matched against agents
    read later. The identifiers live in a scratch database on disk, not in memory."""

    #: Reference IDs looked up per query (SQLite allows at least 999 parameters).
    LOOKUP_CHUNK = 500

    def __init__(self) -> None:
        from immunoref.spill import Scratch

        self.scratch = Scratch(
            "CREATE TABLE files (id INTEGER PRIMARY KEY, path BLOB NOT NULL);"
            "CREATE TABLE agents (agent_id TEXT PRIMARY KEY, file INTEGER NOT NULL) WITHOUT ROWID;"
            "CREATE TABLE refs (reference_id TEXT PRIMARY KEY, digest BLOB NOT NULL, file INTEGER NOT NULL)"
            " WITHOUT ROWID;"
        )
        self.data_folders: set[Path] = set()
        self.partners = load_partners()
        self.unmatched: list[tuple[Issue, str]] = []

    def add(self, therapy: Therapy, source: SourceRecord) -> list[Issue]:
        report = _Reporter(source, therapy.agent_id)
        self.data_folders.add(source.path.absolute().parent.parent)
        file = self.scratch.execute("INSERT INTO files (path) VALUES (?)", (os.fsencode(source.path),)).lastrowid
        first_file = self.scratch.execute("SELECT file FROM agents WHERE agent_id = ?", (therapy.agent_id,)).fetchone()
        if first_file is None:
            self.scratch.execute("INSERT INTO agents VALUES (?, ?)", (therapy.agent_id, file))
        else:
            report.add(
                ("agent_id",),
                "duplicate-agent-id",
                f"{therapy.agent_id!r} is also the agent_id of {self._path(first_file[0])}",
                "each agent has one record",
            )
        self._check_references(therapy, file, report)
        for index, indication in enumerate(therapy.indications):
            for position, partner in enumerate(indication.combination_with):
                if partner not in self.partners and not self._is_agent(partner):
                    before = len(report.issues)
                    report.add(
                        ("indications", index, "combination_with", position),
                        "unknown-combination-partner",
                        f"{partner!r} is neither an agent of the dataset nor a listed combination partner",
                    )
                    self.unmatched.append((report.issues.pop(before), partner))
        return report.issues

    def _check_references(self, therapy: Therapy, file: int, report: _Reporter) -> None:
        """A reference_id defined by an earlier file with other fields is a conflict; the first definition stays."""
        entries = [
            (
                reference.reference_id,
                hashlib.blake2b(reference.model_dump_json().encode("utf-8"), digest_size=16).digest(),
            )
            for reference in therapy.references
        ]
        ids = list(dict.fromkeys(reference_id for reference_id, _ in entries))
        earlier: dict[str, tuple[bytes, int]] = {}
        for start in range(0, len(ids), self.LOOKUP_CHUNK):
            chunk = ids[start : start + self.LOOKUP_CHUNK]
            marks = ", ".join("?" * len(chunk))
            for reference_id, digest, first_file in self.scratch.execute(
                f"SELECT reference_id, digest, file FROM refs WHERE reference_id IN ({marks})", chunk
            ):
                earlier[reference_id] = (digest, first_file)
        for index, (reference_id, digest) in enumerate(entries):
            first = earlier.get(reference_id)
            if first is not None and first[1] != file and first[0] != digest:
                report.add(
                    ("references", index, "reference_id"),
                    "conflicting-reference",
                    f"{reference_id!r} is defined differently in {self._path(first[1])}",
                    "use the same fields in both records, or another reference_id",
                )
        self.scratch.insert_many(
            "INSERT OR IGNORE INTO refs VALUES (?, ?, ?)",
            ((reference_id, digest, file) for reference_id, digest in entries),
        )

    def _path(self, file: int) -> str:
        return os.fsdecode(self.scratch.execute("SELECT path FROM files WHERE id = ?", (file,)).fetchone()[0])

    def _is_agent(self, agent_id: str) -> bool:
        return self.scratch.execute("SELECT 1 FROM agents WHERE agent_id = ?", (agent_id,)).fetchone() is not None

    def finish(self) -> list[Issue]:
        """Partners that name no agent of the whole dataset (or of the folders beside the files read)."""
        issues: list[Issue] = []
        unmatched = [
            (issue, partner)
            for issue, partner in self.unmatched
            if not self._is_agent(partner) and not _is_neighbour_agent(partner, self.data_folders)
        ]
        if not unmatched:
            return issues
        # Only a failing dataset pays for reading every agent ID back, to suggest the closest one.
        agents = {agent_id for (agent_id,) in self.scratch.rows("SELECT agent_id FROM agents")}
        known = tuple(sorted(agents | _neighbour_agent_ids(self.data_folders) | set(self.partners)))
        for issue, partner in unmatched:
            close = difflib.get_close_matches(partner.casefold(), known, n=1, cutoff=0.75)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else "use an agent_id, or add the drug or drug class to immunoref/_vocab/partners.tsv"
            )
            issues.append(issue.model_copy(update={"hint": hint}))
        return issues

    def close(self) -> None:
        self.scratch.close()


def _is_neighbour_agent(agent_id: str, data_folders: Iterable[Path]) -> bool:
    """Whether a record file of agent_id lies beside the checked ones (data/<class>/<id>.yaml)."""
    return any(
        (data_folder / class_name / f"{agent_id}{RECORD_SUFFIX}").is_file()
        for data_folder in data_folders
        for class_name in THERAPY_CLASSES
    )


def _neighbour_agent_ids(data_folders: Iterable[Path]) -> set[str]:
    """Agent IDs of every record file beside the checked ones (data/<class>/<id>.yaml), so that checking
    one file still knows the other agents its indications may be combined with."""
    found: set[str] = set()
    for data_folder in data_folders:
        for class_name in THERAPY_CLASSES:
            found.update(file.stem for file in (data_folder / class_name).glob(f"*{RECORD_SUFFIX}"))
    return found
