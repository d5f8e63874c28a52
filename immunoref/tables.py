"""The public tables: their columns (a public contract), Arrow types, and rows from records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, get_args

from immunoref import vocabularies as v

if TYPE_CHECKING:
    import pyarrow as pa

    from immunoref.models import Therapy

Table: TypeAlias = Literal["agents", "targets", "indications", "toxicities", "references", "products"]
TABLES: tuple[str, ...] = get_args(Table)

Kind = Literal["string", "date", "bool", "float", "list", "category"]


@dataclass(frozen=True)
class Column:
    """One column: name, kind, description; categories list the allowed values in a fixed order."""

    name: str
    kind: Kind
    description: str
    nullable: bool = True
    categories: tuple[str, ...] = ()


def _cat(name: str, values: tuple[str, ...], description: str, nullable: bool = True) -> Column:
    return Column(name, "category", description, nullable, values)


_REFS = Column("reference_ids", "list", "reference_id of each source supporting the row.", False)
_AGENT = Column("agent_id", "string", "Agent the row belongs to (agents.agent_id).", False)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "agents": (
        Column("agent_id", "string", "Stable slug of the INN: pembrolizumab.", False),
        Column("name", "string", "International nonproprietary name.", False),
        _cat("therapy_class", v.THERAPY_CLASSES, "Therapy class: checkpoint_inhibitor, monoclonal_antibody, …", False),
        _cat("subclass", v.ALL_SUBCLASSES, "Class-specific grouping (checkpoint, format, platform, …).", False),
        _cat("status", v.AGENT_STATUSES, "approved, withdrawn or investigational.", False),
        Column("brand_names", "list", "Trade names.", False),
        Column("synonyms", "list", "Code names and other names.", False),
        Column("mechanism", "string", "How the agent works, in plain sentences.", False),
        Column("drugbank_id", "string", "DrugBank accession: DB09037."),
        Column("chembl_id", "string", "ChEMBL ID: CHEMBL3137343."),
        Column("checkpoints", "list", "Checkpoint inhibitors: checkpoints blocked (PD-1, CTLA-4, …)."),
        _cat("isotype", v.ISOTYPES, "Antibodies: heavy-chain isotype."),
        _cat("origin", v.ANTIBODY_ORIGINS, "Antibodies: human, humanized, chimeric or murine."),
        Column("payload", "string", "Conjugates: drug or isotope delivered."),
        Column("linker", "string", "Conjugates: linker chemistry."),
        Column("effector_mechanisms", "list", "Antibodies: adcc, cdc, t_cell_redirection, payload_delivery, …"),
        _cat("intent", v.VACCINE_INTENTS, "Vaccines: preventive or therapeutic."),
        Column("antigens", "list", "Vaccines: antigens presented."),
        Column("adjuvant", "string", "Vaccines: adjuvant."),
        _cat("route", v.ROUTES, "Vaccines, cytokines, oncolytic viruses: route of administration."),
        Column("target_antigen", "string", "Cell therapies: HGNC symbol of the antigen the CAR or TCR binds."),
        _cat("costimulatory_domain", v.COSTIMS, "CAR-T: CD28 or 4-1BB."),
        _cat("vector", v.GENE_VECTORS, "Cell therapies: lentiviral, gammaretroviral or transposon."),
        _cat("cell_source", v.CELL_SOURCES, "Cell therapies: autologous or allogeneic."),
        Column("binder", "string", "CAR-T: antigen-binding domain."),
        Column("cell_type", "string", "Other cell therapies: the cells given."),
        Column("hla_restriction", "string", "TCR-T: HLA alleles the receptor needs."),
        Column("cytokine", "string", "Cytokines: the cytokine it is or delivers."),
        Column("engineering", "list", "Cytokines: recombinant, pegylated, fusion_protein, …"),
        Column("virus_family", "string", "Oncolytic viruses: taxonomic family."),
        Column("strain", "string", "Oncolytic viruses: parent strain."),
        Column("deletions", "list", "Oncolytic viruses: genes deleted or disabled."),
        Column("transgenes", "list", "Oncolytic viruses: genes inserted."),
        _REFS,
    ),
    "targets": (
        _AGENT,
        Column("symbol", "string", "HGNC approved symbol; null for non-gene targets such as GD2."),
        Column("hgnc_id", "string", "HGNC ID: HGNC:8760."),
        Column("uniprot_id", "string", "UniProt accession: Q15116."),
        Column("name", "string", "Common name of the target: PD-1."),
        _cat("target_type", v.TARGET_TYPES, "protein, viral_protein, ganglioside or carbohydrate.", False),
        _cat("action", v.TARGET_ACTIONS, "blocker, agonist, binder, engager or immunogen.", False),
        Column("note", "string", "What is bound exactly, when more than the gene product."),
        _REFS,
    ),
    "indications": (
        _AGENT,
        Column("disease", "string", "Disease as labelled.", False),
        Column("disease_id", "string", "MONDO term: MONDO:0005105.", False),
        _cat("agency", v.AGENCIES, "Regulator: FDA, EMA, NMPA, PMDA, …", False),
        Column("approval_date", "date", "Date of this approval; null when no source gives the day."),
        _cat("approval_type", v.APPROVAL_TYPES, "regular, accelerated, conditional, …; null when no source says."),
        _cat("line_of_therapy", v.LINES_OF_THERAPY, "first_line, second_line_or_later, …"),
        _cat("setting", v.SETTINGS, "metastatic, adjuvant, neoadjuvant, perioperative, …"),
        Column("biomarker", "string", "Selection biomarker as labelled: PD-L1 CPS >=10."),
        Column("combination_with", "list", "Agents given with it.", False),
        Column("population", "string", "Patients as labelled."),
        Column("pivotal_trial", "string", "Trial the approval rests on."),
        _cat("status", v.INDICATION_STATUSES, "active or withdrawn.", False),
        Column("withdrawn_date", "date", "Date the indication was withdrawn."),
        Column("note", "string", "Conversions, disagreements between sources, caveats."),
        _REFS,
    ),
    "toxicities": (
        _AGENT,
        Column("term", "string", "Adverse reaction as labelled.", False),
        Column("mesh_id", "string", "MeSH descriptor: MESH:D011014; null when none matches the term."),
        _cat("category", v.TOXICITY_CATEGORIES, "Grouping: immune_mediated, cytokine_release, …", False),
        Column("boxed_warning", "bool", "True when the label's boxed warning names it.", False),
        _cat("label_section", v.LABEL_SECTIONS, "Label section the row comes from.", False),
        Column("incidence_pct", "float", "Any-grade incidence, percent."),
        Column("incidence_grade3plus_pct", "float", "Grade 3 or higher incidence, percent."),
        Column("note", "string", "Population or trial the incidence comes from."),
        _REFS,
    ),
    "references": (
        Column("reference_id", "string", "Stable slug of the source.", False),
        _cat("kind", v.REFERENCE_KINDS, "label, pubmed, doi, trial or web.", False),
        Column("title", "string", "Title of the document.", False),
        Column("url", "string", "Address the source was read at.", False),
        Column("pmid", "string", "PubMed ID."),
        Column("doi", "string", "DOI."),
        Column("accessed", "date", "Day the source was read.", False),
        Column("supports", "string", "What in the source supports the data.", False),
    ),
    "products": (
        _AGENT,
        Column("brand_name", "string", "Trade name of the product.", False),
        Column("nonproprietary_name", "string", "Full nonproprietary name when it differs: trastuzumab-dkst."),
        _cat("kind", v.PRODUCT_KINDS, "originator, subcutaneous_formulation, new_formulation or biosimilar.", False),
        _cat("route", v.ROUTES, "Route of administration of the product."),
        _cat("agency", v.AGENCIES, "Regulator that approved the product.", False),
        Column("approval_date", "date", "Date the product was first approved; null when no source gives the day."),
        Column("note", "string", "Scope of the approval, caveats."),
        _REFS,
    ),
}


#: Views derived from the tables, loadable like them (`immunoref.load("therapies")`) but not stored.
def _columns(table: str, *names: str, nullable: bool | None = None) -> tuple[Column, ...]:
    """Columns of a table, by name, for a view; nullable overrides theirs (a left join makes them nullable)."""
    by_name = {column.name: column for column in COLUMNS[table]}
    picked = (by_name[name] for name in names)
    return tuple(picked if nullable is None else (replace(c, nullable=nullable) for c in picked))


#: Views derived from the tables, loadable like them (`immunoref.load("therapies")`) but not stored.
VIEWS: dict[str, tuple[Column, ...]] = {
    "therapies": (
        *_columns("agents", "agent_id", "name", "therapy_class", "subclass", "status", "brand_names"),
        Column("targets", "list", "HGNC symbols (or names, for non-gene targets) of the agent's targets.", False),
        Column("boxed_warnings", "list", "Adverse reactions named in the label's boxed warning.", False),
        *_columns(
            "indications",
            *("disease", "disease_id", "agency", "approval_date", "approval_type", "line_of_therapy", "setting"),
            "biomarker",
            nullable=True,
        ),
        *_columns("indications", "combination_with"),
        *_columns("indications", "population", "pivotal_trial", nullable=True),
        _cat("indication_status", v.INDICATION_STATUSES, "active or withdrawn; null for an agent without approvals."),
        *_columns("indications", "withdrawn_date"),
        Column("reference_ids", "list", "Sources of the indication (or of the agent, if it has none).", False),
    ),
}


def therapies_view(agents: pa.Table, targets: pa.Table, indications: pa.Table, toxicities: pa.Table) -> pa.Table:
    """One row per agent x indication, with the agent's class, targets and boxed warnings; an agent
    without approvals keeps one row with empty indication columns."""
    by_agent: dict[str, dict[str, list[Any]]] = {}
    for row in targets.select(["agent_id", "symbol", "name"]).to_pylist():
        by_agent.setdefault(row["agent_id"], {}).setdefault("targets", []).append(row["symbol"] or row["name"])
    for row in toxicities.select(["agent_id", "term", "boxed_warning"]).to_pylist():
        boxed = by_agent.setdefault(row["agent_id"], {}).setdefault("boxed", [])
        if row["boxed_warning"] and row["term"] not in boxed:
            boxed.append(row["term"])
    for row in indications.to_pylist():
        by_agent.setdefault(row["agent_id"], {}).setdefault("indications", []).append(row)
    rows = []
    for agent in agents.select(["agent_id", "name", "therapy_class", "subclass", "status", "brand_names"]).to_pylist():
        facts = by_agent.get(agent["agent_id"], {})
        shared = {**agent, "targets": facts.get("targets", []), "boxed_warnings": facts.get("boxed", [])}
        approvals = facts.get("indications") or [{"combination_with": [], "reference_ids": []}]
        for indication in approvals:
            row = {**shared, **{k: val for k, val in indication.items() if k not in ("agent_id", "status", "note")}}
            row["indication_status"] = indication.get("status")
            rows.append(row)
    return table_from_rows(VIEWS["therapies"], rows, "therapies")


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema a table is written with: explicit types, descriptions as field metadata."""
    return _schema(COLUMNS[table], table)


def _schema(columns: Sequence[Column], name: str) -> pa.Schema:
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "date": pa.date32(),
        "bool": pa.bool_(),
        "float": pa.float64(),
        "list": pa.list_(pa.field("element", pa.string())),  # Parquet's own name for list items
        "category": pa.dictionary(pa.int32(), pa.string()),
    }
    fields = [
        pa.field(c.name, types[c.kind], nullable=c.nullable, metadata={"description": c.description}) for c in columns
    ]
    return pa.schema(fields, metadata={"table": name})


def rows_of(table: str, therapies: Sequence[Therapy]) -> list[dict[str, Any]]:
    """One dict per row, in the table's order: agents by agent_id, facts in curated order, references by id."""
    ordered = sorted(therapies, key=lambda therapy: therapy.agent_id)
    if table == "agents":
        return [
            therapy.model_dump(exclude={"targets", "indications", "toxicities", "products", "references"})
            for therapy in ordered
        ]
    if table == "references":
        unique = {r.reference_id: r for therapy in ordered for r in therapy.references}
        return [unique[key].model_dump() for key in sorted(unique)]
    return [
        {"agent_id": therapy.agent_id, **entry.model_dump()} for therapy in ordered for entry in getattr(therapy, table)
    ]


def arrow_table(table: str, therapies: Sequence[Therapy]) -> pa.Table:
    """The table as Arrow, with every category column encoded against its full vocabulary."""
    return table_from_rows(COLUMNS[table], rows_of(table, therapies), table)


def table_from_rows(columns: Sequence[Column], rows: Sequence[dict[str, Any]], name: str) -> pa.Table:
    """Rows (dicts by column name) as an Arrow table with the columns' explicit types."""
    import pyarrow as pa

    schema = _schema(columns, name)
    arrays = [
        _array([row.get(c.name) for row in rows], c, field.type) for c, field in zip(columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _array(values: Iterable[Any], column: Column, arrow_type: pa.DataType) -> pa.Array:
    import pyarrow as pa

    values = list(values)
    if column.kind == "list":
        values = [[] if value is None and not column.nullable else value for value in values]
    if column.kind != "category":
        return pa.array(values, type=arrow_type)
    position = {value: index for index, value in enumerate(column.categories)}
    indices = pa.array([None if value is None else position[value] for value in values], type=pa.int32())
    return pa.DictionaryArray.from_arrays(indices, pa.array(column.categories, type=pa.string()))
