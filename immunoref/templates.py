"""A commented source-record template for each therapy class, for `immunoref new`.

The class-specific part is generated from the model, so a template never drifts from what validation
accepts; every value still to be written starts with TODO, which `immunoref validate` reports as
`unfilled-template` until the curator replaces it.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import TYPE_CHECKING, Any

from immunoref.models import MODELS, AgentBase
from immunoref.sources import PLACEHOLDER

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

_COMMON_HEAD = """\
# {agent_id}: a new {therapy_class} record. Format and evidence rules: docs/record-format.md;
# walk-through: CONTRIBUTING.md. Replace every TODO; delete optional lines you cannot source.
# Check it with:  immunoref validate --reference ../shared/reference {path}
agent_id: {agent_id}
name: TODO                       # the INN as on the label
therapy_class: {therapy_class}
subclass: TODO                   # one of {subclasses}
status: TODO                     # approved, withdrawn or investigational
brand_names: [TODO]              # trade names: [Keytruda]
synonyms: []                     # code names (MK-3475); optional
drugbank_id: null                # DB09037 from shared/reference/drugbank_mappings.tsv.gz, or null
chembl_id: null                  # only the ChEMBL ID that file pairs with the DrugBank ID
mechanism: >-
  TODO two or three plain sentences on how the agent works.
reference_ids: [{agent_id}-label]   # sources of the agent-level facts
"""

_COMMON_TAIL = """\
targets:
  - symbol: TODO                 # HGNC approved symbol; null for a non-gene target (GD2)
    hgnc_id: TODO                # HGNC:8760; null for a non-gene target
    uniprot_id: TODO             # Q15116; null for a non-gene target
    name: null                   # common name; required when symbol is null
    target_type: protein         # protein, viral_protein, ganglioside or carbohydrate
    action: TODO                 # blocker, agonist, binder, engager or immunogen
    reference_ids: [{agent_id}-label]
indications:                     # one entry per approval: the original and each supplemental one
  - disease: TODO                # the disease as the label words it
    disease_id: TODO             # most specific MONDO term (MONDO:0005105); MONDO:0004992 if tissue-agnostic
    agency: TODO                 # FDA, EMA, NMPA, PMDA, MHRA, HC, TGA or ZVA
    approval_date: TODO          # YYYY-MM-DD; null only if no source gives the day (then say what is known in note)
    approval_type: TODO          # regular, accelerated, conditional or exceptional_circumstances
    line_of_therapy: null        # first_line, second_line_or_later, ... (docs/record-format.md)
    setting: null                # metastatic, adjuvant, neoadjuvant, ... (docs/record-format.md)
    biomarker: null              # as labelled: PD-L1 CPS >=10, MSI-H or dMMR, HER2-positive
    combination_with: []         # agent_ids of other agents, or names from immunoref/_vocab/partners.tsv
    population: null             # as labelled: adults; adults and children 12 years and older
    pivotal_trial: null          # the trial the approval rests on, when the source names it
    status: active               # or withdrawn, with withdrawn_date
    note: null
    reference_ids: [{agent_id}-label]
toxicities:
  - term: TODO                   # the adverse reaction as labelled
    mesh_id: TODO                # MESH:D011014; null when no MeSH descriptor matches the term
    category: TODO               # immune_mediated, cytokine_release, hematologic, ... (docs/record-format.md)
    boxed_warning: false
    label_section: TODO          # boxed_warning, warnings_and_precautions, adverse_reactions or contraindications
    incidence_pct: null          # any grade, percent
    incidence_grade3plus_pct: null
    reference_ids: [{agent_id}-label]
products: []                     # optional: originator, subcutaneous formulations, biosimilars
references:
  - reference_id: {agent_id}-label
    kind: label                  # label, pubmed, doi, trial or web
    title: TODO                  # the document's title as published
    url: TODO                    # the address you read it at
    pmid: null
    doi: null
    accessed: {today}            # the day you read it
    supports: TODO               # what this source supports, in a few words
"""


def render_template(therapy_class: str, agent_id: str, path: str, today: dt.date) -> str:
    """The template text for one new record of therapy_class."""
    model = MODELS[therapy_class]
    values = {
        "agent_id": agent_id,
        "therapy_class": therapy_class,
        "path": path,
        "today": today.isoformat(),
        "subclasses": ", ".join(typing.get_args(model.model_fields["subclass"].annotation)),
    }
    specific = [_field_line(name, info) for name, info in model.model_fields.items() if name not in _COMMON_FIELDS]
    header = f"# {therapy_class} fields\n" if specific else ""
    return _COMMON_HEAD.format(**values) + header + "".join(specific) + _COMMON_TAIL.format(**values)


_COMMON_FIELDS = frozenset(AgentBase.model_fields)


def _field_line(name: str, info: FieldInfo) -> str:
    """One commented line: a TODO for a required field, an empty value for an optional one."""
    annotation = _without_none(info.annotation)
    is_list = typing.get_origin(annotation) is list
    allowed = _literal_values(typing.get_args(annotation)[0] if is_list else annotation)
    comment = info.description or ""
    if allowed:
        comment = f"{'list of ' if is_list else 'one of '}{', '.join(allowed)}. {comment}"
    if info.is_required():
        value = f"[{PLACEHOLDER}]" if is_list else PLACEHOLDER
    else:
        value = "[]" if is_list else "null"
        comment = f"optional. {comment}"
    return f"{name}: {value}".ljust(32) + f" # {comment}\n"


def _without_none(annotation: Any) -> Any:
    """X for X | None; the annotation itself otherwise."""
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return annotation


def _literal_values(annotation: Any) -> tuple[str, ...]:
    """The values of a Literal, also inside Annotated; empty for other types."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _literal_values(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(str(value) for value in typing.get_args(annotation))
    return ()
