"""datapackage.json of a release: a Frictionless Tabular Data Package of the CSV tables and their Parquet twins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from immunoref.bundle import csv_name, parquet_name, sha256
from immunoref.export import CSV_ENCODING, PRIMARY_KEYS
from immunoref.tables import COLUMNS, TABLES, Column

if TYPE_CHECKING:
    import pyarrow as pa

TITLE = "immunoref: a reference dataset of cancer immunotherapies"
DESCRIPTION = (
    "Immune checkpoint inhibitors, monoclonal antibodies and engagers, cancer vaccines, CAR-T cell products, "
    "cytokines and oncolytic viruses, with their mechanism, molecular targets, regulatory approvals and toxicities. "
    "Every fact row cites the sources it was read in (reference_ids -> references.reference_id). "
    "Each table is given as CSV (described here) and as typed Parquet (the 'parquet' property of each resource)."
)
DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
KEYWORDS = ["immunotherapy", "oncology", "checkpoint inhibitors", "CAR-T", "drug approvals", "adverse reactions"]

#: What one row of each table is.
ROW_MEANING: dict[str, str] = {
    "agents": "one agent (product)",
    "targets": "an agent × one molecular target",
    "indications": "an agent × one regulatory approval of one indication",
    "toxicities": "an agent × one adverse reaction",
    "references": "one source the facts were read in",
    "products": "an agent × one marketed product (originator, new formulation or biosimilar)",
}

#: Columns that identify a row for `immunoref diff`; indications have no key that is never null, so rows sharing
#: (agent_id, agency, disease_id) are told apart by their other values.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "agents": ("agent_id",),
    "targets": ("agent_id", "symbol or name"),
    "indications": ("agent_id", "agency", "disease_id"),
    "toxicities": ("agent_id", "term", "label_section"),
    "references": ("reference_id",),
    "products": ("agent_id", "brand_name", "agency"),
}

_FRICTIONLESS_TYPES = {
    "string": "string",
    "category": "string",
    "date": "date",
    "bool": "boolean",
    "float": "number",
    "list": "array",
}

_SOURCES = [
    {
        "title": "Regulatory labels, approval notices, publications and trial records read by the curators "
        "(one row of the references table each)",
        "path": csv_name("references"),
    },
    {"title": "HGNC gene symbols and IDs", "path": "https://www.genenames.org/"},
    {"title": "Mondo Disease Ontology (CC BY 4.0)", "path": "https://mondo.monarchinitiative.org/"},
    {"title": "NLM Medical Subject Headings (MeSH)", "path": "https://www.nlm.nih.gov/mesh/"},
    {"title": "DrugBank open vocabulary (CC0)", "path": "https://go.drugbank.com/releases/latest#open-data"},
]


def arrow_type_name(arrow_type: pa.DataType) -> str:
    """A stable name of an Arrow type, independent of how pyarrow prints types: list<string>, date32, …"""
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        return f"dictionary<{arrow_type_name(arrow_type.index_type)},{arrow_type_name(arrow_type.value_type)}>"
    if pa.types.is_list(arrow_type):
        return f"list<{arrow_type_name(arrow_type.value_type)}>"
    names = {
        pa.string(): "string",
        pa.date32(): "date32",
        pa.bool_(): "bool",
        pa.float64(): "float64",
        pa.int32(): "int32",
        pa.int64(): "int64",
    }
    return names.get(arrow_type, str(arrow_type))


def field_descriptor(column: Column, arrow_type: pa.DataType) -> dict[str, Any]:
    """One Table Schema field: name, type, description, constraints, and the Parquet type it has."""
    description = column.description
    if column.kind in CSV_ENCODING:
        description += f" CSV: {CSV_ENCODING[column.kind]}."
    field: dict[str, Any] = {
        "name": column.name,
        "type": _FRICTIONLESS_TYPES[column.kind],
        "description": description,
        "parquetType": arrow_type_name(arrow_type),
    }
    constraints: dict[str, Any] = {}
    if not column.nullable:
        constraints["required"] = True
    if column.categories:
        constraints["enum"] = list(column.categories)
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(table: str) -> dict[str, Any]:
    """The Table Schema of one table: fields, null marker, primary key, foreign key to agents."""
    from immunoref.tables import arrow_schema

    schema = arrow_schema(table)
    fields = [field_descriptor(column, schema.field(column.name).type) for column in COLUMNS[table]]
    descriptor: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if table in PRIMARY_KEYS:
        descriptor["primaryKey"] = list(PRIMARY_KEYS[table])
    if table != "agents" and any(column.name == "agent_id" for column in COLUMNS[table]):
        descriptor["foreignKeys"] = [
            {"fields": ["agent_id"], "reference": {"resource": "agents", "fields": ["agent_id"]}}
        ]
    return descriptor


def build_datapackage(
    version: str, created: str, files: Mapping[str, bytes], rows: Mapping[str, int], writer: Mapping[str, str]
) -> dict[str, Any]:
    """The datapackage.json of a release whose files (by path in the release) are given."""
    resources = []
    for table in TABLES:
        csv, parquet = files[csv_name(table)], files[parquet_name(table)]
        resources.append(
            {
                "name": table,
                "title": table,
                "description": f"One row per {ROW_MEANING[table].removeprefix('one ')}. "
                f"Rows are identified by ({', '.join(NATURAL_KEYS[table])}).",
                "profile": "tabular-data-resource",
                "path": csv_name(table),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(csv),
                "hash": f"sha256:{sha256(csv)}",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True},
                "schema": table_schema(table),
                "parquet": {
                    "path": parquet_name(table),
                    "mediatype": "application/vnd.apache.parquet",
                    "bytes": len(parquet),
                    "hash": f"sha256:{sha256(parquet)}",
                    "rows": rows[table],
                },
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "immunoref",
        "title": TITLE,
        "description": DESCRIPTION,
        "version": version,
        "created": created,
        "keywords": KEYWORDS,
        "licenses": [DATA_LICENSE],
        "contributors": [{"title": "immunoref contributors", "role": "author"}],
        "sources": _SOURCES,
        "resources": resources,
        "immunoref": {
            "codeLicense": "MIT",
            "csvEncoding": CSV_ENCODING,
            "parquet": "Typed tables: dates date32, lists list<string>, categories dictionary-encoded strings "
            "carrying their whole vocabulary; the same bytes as immunoref/_data in the package of this version.",
            "writer": dict(writer),
        },
    }
