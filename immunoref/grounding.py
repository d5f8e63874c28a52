"""Identifier vocabularies (HGNC, MONDO, MeSH, DrugBank) vendored as the small subset the data uses.

The full vocabularies live outside the package (`shared/reference/`); the
subset in `immunoref/_vocab/` lets installed users and the tests check
identifiers offline. `regenerate_subset` rewrites it from the full files.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from immunoref._paths import PACKAGE_VOCAB

#: Columns of each vendored file, in order; the first is the identifier.
VOCAB_COLUMNS: dict[str, tuple[str, ...]] = {
    "hgnc": ("hgnc_id", "symbol", "name", "uniprot_ids"),
    "mondo": ("mondo_id", "name"),
    "mesh": ("mesh_id", "label"),
    "drugbank": ("drugbank_id", "name", "chembl_ids"),
}


@dataclass(frozen=True)
class Vocabularies:
    """Lookup tables keyed by identifier, each value a row of the vendored file."""

    hgnc: Mapping[str, dict[str, str]]
    mondo: Mapping[str, dict[str, str]]
    mesh: Mapping[str, dict[str, str]]
    drugbank: Mapping[str, dict[str, str]]

    def hgnc_by_symbol(self, symbol: str) -> dict[str, str] | None:
        """The vendored HGNC row whose approved symbol is symbol, if any."""
        return next((row for row in self.hgnc.values() if row["symbol"] == symbol), None)


@cache
def load_vocabularies(directory: Path | None = None) -> Vocabularies:
    """Read the vendored subset (the packaged one unless a directory is given)."""
    tables = {}
    for name in VOCAB_COLUMNS:
        text = (
            (directory / f"{name}.tsv").read_text(encoding="utf-8")
            if directory is not None
            else (PACKAGE_VOCAB / f"{name}.tsv").read_text(encoding="utf-8")
        )
        rows = csv.DictReader(io.StringIO(text), delimiter="\t")
        tables[name] = {row[VOCAB_COLUMNS[name][0]]: row for row in rows}
    return Vocabularies(**tables)


#: Columns of the curated list of combination partners that are not immunoref agents.
PARTNER_COLUMNS = ("name", "kind", "drugbank_id")


@cache
def load_partners() -> dict[str, dict[str, str]]:
    """Drugs and drug classes a label may combine an agent with, by lowercase name (curated, not generated)."""
    text = (PACKAGE_VOCAB / "partners.tsv").read_text(encoding="utf-8")
    return {row["name"]: row for row in csv.DictReader(io.StringIO(text), delimiter="\t")}


@dataclass(frozen=True)
class UsedIdentifiers:
    """Identifiers and gene symbols that source records mention."""

    hgnc_ids: frozenset[str]
    symbols: frozenset[str]
    mondo_ids: frozenset[str]
    mesh_ids: frozenset[str]
    drugbank_ids: frozenset[str]


def collect_identifiers(records: Iterable[Mapping[str, Any]]) -> UsedIdentifiers:
    """Gather the identifiers written in raw records, valid or not, so they can be looked up."""
    hgnc, symbols, mondo, mesh, drugbank = set(), set(), set(), set(), set()

    def text(value: object) -> str | None:
        return value if isinstance(value, str) else None

    def entries(record: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = record.get(key)
        return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []

    for record in records:
        drugbank.add(text(record.get("drugbank_id")))
        symbols.add(text(record.get("target_antigen")))
        for target in entries(record, "targets"):
            hgnc.add(text(target.get("hgnc_id")))
            symbols.add(text(target.get("symbol")))
        for indication in entries(record, "indications"):
            mondo.add(text(indication.get("disease_id")))
        for toxicity in entries(record, "toxicities"):
            mesh.add(text(toxicity.get("mesh_id")))
    return UsedIdentifiers(*(frozenset(s - {None}) for s in (hgnc, symbols, mondo, mesh, drugbank)))


#: Files of the full vocabularies (shared/reference/) that regenerate_subset reads.
REFERENCE_FILES = ("hgnc_entries.tsv.gz", "mondo.json.gz", "mesh_id_label_mappings.tsv.gz", "drugbank_mappings.tsv.gz")


def regenerate_subset(reference_dir: Path, used: UsedIdentifiers) -> dict[str, list[tuple[str, ...]]]:
    """Rows of each vendored file: the full vocabularies' entries for the identifiers in use, sorted."""
    return {
        "hgnc": _hgnc_rows(reference_dir / "hgnc_entries.tsv.gz", used),
        "mondo": _mondo_rows(reference_dir / "mondo.json.gz", used.mondo_ids),
        "mesh": _mesh_rows(reference_dir / "mesh_id_label_mappings.tsv.gz", used.mesh_ids),
        "drugbank": _drugbank_rows(reference_dir / "drugbank_mappings.tsv.gz", used.drugbank_ids),
    }


def subset_vocabularies(reference_dir: Path, used: UsedIdentifiers) -> Vocabularies:
    """The full vocabularies' entries for the identifiers in use, without writing the vendored files.

    Lets a curator check a new target or disease before re-vendoring (`immunoref validate --reference`).
    """
    tables = {
        name: {row[0]: dict(zip(VOCAB_COLUMNS[name], row, strict=True)) for row in rows}
        for name, rows in regenerate_subset(reference_dir, used).items()
    }
    return Vocabularies(**tables)


def render_tsv(name: str, rows: list[tuple[str, ...]]) -> str:
    """The text of one vendored file: header, then rows, tab-separated, LF line ends."""
    lines = ["\t".join(VOCAB_COLUMNS[name])] + ["\t".join(row) for row in rows]
    return "\n".join(lines) + "\n"


def _hgnc_rows(path: Path, used: UsedIdentifiers) -> list[tuple[str, ...]]:
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for entry in csv.DictReader(fh, delimiter="\t"):
            if entry["Status"] != "Approved":
                continue
            if entry["HGNC ID"] in used.hgnc_ids or entry["Approved symbol"] in used.symbols:
                uniprots = ",".join(u.strip() for u in entry["UniProt ID(supplied by UniProt)"].split(",") if u.strip())
                rows.append((entry["HGNC ID"], entry["Approved symbol"], entry["Approved name"], uniprots))
    return sorted(rows, key=lambda row: int(row[0].split(":")[1]))


def _mondo_rows(path: Path, used: frozenset[str]) -> list[tuple[str, ...]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        terms = json.load(fh)
    rows = [(f"MONDO:{t['id']}", t["name"]) for t in terms if f"MONDO:{t['id']}" in used]
    return sorted(rows)


def _mesh_rows(path: Path, used: frozenset[str]) -> list[tuple[str, ...]]:
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            descriptor, label = line.split("\t", 2)[:2]
            if f"MESH:{descriptor}" in used:
                rows.append((f"MESH:{descriptor}", label))
    return sorted(rows)


def _drugbank_rows(path: Path, used: frozenset[str]) -> list[tuple[str, ...]]:
    names: dict[str, str] = {}
    chembl: dict[str, set[str]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for entry in csv.DictReader(fh, delimiter="\t"):
            drug = entry["DRUGBANK_ID"]
            if drug not in used:
                continue
            if entry["NAMESPACE"] == "NAME":
                names.setdefault(drug, entry["ID"])
            elif entry["NAMESPACE"] == "CHEMBL":
                chembl.setdefault(drug, set()).add(entry["ID"])
    return sorted((drug, name, ",".join(sorted(chembl.get(drug, ())))) for drug, name in names.items())
