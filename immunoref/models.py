"""Pydantic models of one source record per agent; no I/O, no printing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, model_validator
from pydantic_core import PydanticCustomError

from immunoref.vocabularies import (
    Agency,
    AgentStatus,
    AntibodyOrigin,
    AntibodySubclass,
    ApprovalType,
    CarTSubclass,
    CellSource,
    CellTherapySubclass,
    Checkpoint,
    CheckpointSubclass,
    Costim,
    CytokineEngineering,
    CytokineSubclass,
    EffectorMechanism,
    GeneVector,
    IndicationStatus,
    Isotype,
    LabelSection,
    LineOfTherapy,
    OncolyticSubclass,
    ProductKind,
    ReferenceKind,
    Route,
    Setting,
    TargetAction,
    TargetType,
    TherapyClass,
    ToxicityCategory,
    VaccineIntent,
    VaccineSubclass,
)

#: Forms of identifiers, shared with the checks that look them up in the vocabularies.
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
HGNC_ID = r"^HGNC:[1-9][0-9]*$"
MONDO_ID = r"^MONDO:[0-9]{7}$"
MESH_ID = r"^MESH:D[0-9]{6,9}$"
DRUGBANK_ID = r"^DB[0-9]{5}$"
CHEMBL_ID = r"^CHEMBL[1-9][0-9]*$"

AgentId = Annotated[str, StringConstraints(pattern=SLUG)]
ReferenceId = Annotated[str, StringConstraints(pattern=SLUG)]
HgncId = Annotated[str, StringConstraints(pattern=HGNC_ID)]
GeneSymbol = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Za-z0-9-]*(@)?$")]
UniprotId = Annotated[
    str,
    StringConstraints(pattern=r"^([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2})$"),
]
MondoId = Annotated[str, StringConstraints(pattern=MONDO_ID)]
MeshId = Annotated[str, StringConstraints(pattern=MESH_ID)]
DrugbankId = Annotated[str, StringConstraints(pattern=DRUGBANK_ID)]
ChemblId = Annotated[str, StringConstraints(pattern=CHEMBL_ID)]
Pmid = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,8}$")]
Doi = Annotated[str, StringConstraints(pattern=r"^10\.[0-9]{4,9}/\S+$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+\.[^\s]+$")]
Text = Annotated[str, StringConstraints(min_length=1)]
Percent = Annotated[float, Field(ge=0, le=100)]
Citations = Annotated[
    list[ReferenceId],
    Field(min_length=1, description="reference_id of each source that supports this fact; at least one."),
]


def _problem(code: str, message: str) -> PydanticCustomError:
    """A validation error whose type is a stable immunoref issue code."""
    return PydanticCustomError(code, message)


_CLASS_FIELD = "The record's therapy class; it decides which class-specific fields apply."


class Record(BaseModel):
    """Shared configuration: unknown fields are errors and records never change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Reference(Record):
    """A source that was read, cited by reference_id from the facts it supports."""

    reference_id: ReferenceId = Field(description="Lowercase slug, unique across the dataset: pembrolizumab-fda-label.")
    kind: ReferenceKind = Field(description="label, pubmed, doi, trial or web.")
    title: Text = Field(description="Title of the document as published.")
    url: Url = Field(description="Address the curator read the source at.")
    pmid: Pmid | None = Field(default=None, description="PubMed ID, digits only; required for kind pubmed.")
    doi: Doi | None = Field(default=None, description="DOI without resolver prefix: 10.1056/NEJMoa1503093.")
    accessed: dt.date = Field(description="Day the curator read the source (YYYY-MM-DD).")
    supports: Text = Field(description="What in this source supports the record, in a few words.")

    @model_validator(mode="after")
    def _kind_has_its_identifier(self) -> Self:
        if self.kind == "pubmed" and self.pmid is None:
            raise _problem("missing-pmid", "a reference of kind pubmed needs its pmid")
        if self.kind == "doi" and self.doi is None:
            raise _problem("missing-doi", "a reference of kind doi needs its doi")
        return self


class Target(Record):
    """A molecular target; human gene products are grounded in HGNC, others are named."""

    symbol: GeneSymbol | None = Field(
        default=None, description="HGNC approved symbol: PDCD1. Null for non-gene targets such as GD2."
    )
    hgnc_id: HgncId | None = Field(default=None, description="HGNC ID of the symbol: HGNC:8760.")
    uniprot_id: UniprotId | None = Field(default=None, description="UniProt accession of the protein: Q15116.")
    name: Text | None = Field(
        default=None, description="Common name: PD-1. Required when there is no gene symbol (GD2)."
    )
    target_type: TargetType = Field(description="protein, viral_protein, ganglioside or carbohydrate.")
    action: TargetAction = Field(description="blocker, agonist, binder, engager or immunogen.")
    note: Text | None = Field(
        default=None, description="What the agent binds exactly, when more than the gene: gp100 peptide on HLA-A*02:01."
    )
    reference_ids: Citations

    @model_validator(mode="after")
    def _grounded_when_a_human_protein(self) -> Self:
        if self.target_type == "protein":
            if self.symbol is None or self.hgnc_id is None:
                raise _problem("ungrounded-target", "a human protein target needs symbol and hgnc_id from HGNC")
        elif self.symbol is not None or self.hgnc_id is not None:
            raise _problem(
                "gene-id-on-non-gene-target",
                f"a {self.target_type} target has no HGNC gene: leave symbol and hgnc_id empty",
            )
        if self.symbol is None and self.name is None:
            raise _problem("unnamed-target", "a target without a gene symbol needs a name")
        return self

    @property
    def label(self) -> str:
        """The symbol when there is one, else the name; targets are unique by it within an agent."""
        return self.symbol or self.name or ""


class Indication(Record):
    """One regulatory approval of one indication (original or supplemental)."""

    disease: Text = Field(description="Disease as the label words it: unresectable or metastatic melanoma.")
    disease_id: MondoId = Field(
        description="Most specific MONDO term: MONDO:0005105. Tissue-agnostic approvals use MONDO:0004992."
    )
    agency: Agency = Field(description="Regulator that granted the approval: FDA, EMA, NMPA, PMDA, …")
    approval_date: dt.date | None = Field(
        description="Date this approval was granted (YYYY-MM-DD); null only when no source gives the day.",
    )
    approval_type: ApprovalType | None = Field(
        description="regular, accelerated, conditional or exceptional_circumstances; null when no source says which."
    )
    line_of_therapy: LineOfTherapy | None = Field(
        default=None, description="first_line, second_line_or_later, …; null when the label does not say."
    )
    setting: Setting | None = Field(
        default=None, description="metastatic, adjuvant, neoadjuvant, perioperative, maintenance, …"
    )
    biomarker: Text | None = Field(
        default=None, description="Selection biomarker as labelled: PD-L1 CPS >=10, MSI-H or dMMR, HER2-positive."
    )
    combination_with: list[Text] = Field(
        default_factory=list, description="Agents given with it: agent_ids or lowercase drug names."
    )
    population: Text | None = Field(
        default=None, description="Patients as labelled: adults; adults and children 12 years and older."
    )
    pivotal_trial: Text | None = Field(default=None, description="Trial the approval rests on: KEYNOTE-006.")
    status: IndicationStatus = Field(default="active", description="active, or withdrawn from the label.")
    withdrawn_date: dt.date | None = Field(
        default=None, description="Date the indication was withdrawn; null if withdrawn on a day no source gives."
    )
    note: Text | None = Field(
        default=None, description="Conversions to regular approval, disagreements between sources, caveats."
    )
    reference_ids: Citations

    @model_validator(mode="after")
    def _withdrawal_is_dated(self) -> Self:
        if self.status == "active" and self.withdrawn_date is not None:
            raise _problem("withdrawn-date-on-active", "withdrawn_date is set but status is active")
        if (
            self.withdrawn_date is not None
            and self.approval_date is not None
            and self.withdrawn_date < self.approval_date
        ):
            raise _problem(
                "withdrawn-before-approved",
                f"withdrawn_date {self.withdrawn_date} is before approval_date {self.approval_date}",
            )
        return self


class Toxicity(Record):
    """One adverse reaction of an agent, as its label or pivotal trial reports it."""

    term: Text = Field(description="Adverse reaction as labelled: Immune-mediated pneumonitis.")
    mesh_id: MeshId | None = Field(
        description="MeSH descriptor that matches the term: MESH:D011014; null when none does (never a loose fit)."
    )
    category: ToxicityCategory = Field(description="Grouping: immune_mediated, cytokine_release, hematologic, …")
    boxed_warning: bool = Field(default=False, description="True when the label's boxed warning names it.")
    label_section: LabelSection = Field(
        description="Label section the row comes from: boxed_warning, warnings_and_precautions, adverse_reactions."
    )
    incidence_pct: Percent | None = Field(default=None, description="Any-grade incidence in percent (0-100).")
    incidence_grade3plus_pct: Percent | None = Field(
        default=None, description="Grade 3 or higher incidence in percent (0-100)."
    )
    note: Text | None = Field(
        default=None, description="Population or trial the incidence comes from, and other caveats."
    )
    reference_ids: Citations

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.label_section == "boxed_warning" and not self.boxed_warning:
            raise _problem("boxed-warning-flag", "label_section is boxed_warning, so boxed_warning must be true")
        if (
            self.incidence_pct is not None
            and self.incidence_grade3plus_pct is not None
            and self.incidence_grade3plus_pct > self.incidence_pct
        ):
            raise _problem(
                "incidence-order",
                f"incidence_grade3plus_pct {self.incidence_grade3plus_pct} exceeds incidence_pct {self.incidence_pct}",
            )
        return self


class Product(Record):
    """One marketed product of the agent: the originator, a later formulation, or a biosimilar."""

    brand_name: Text = Field(description="Trade name of the product: Keytruda Qlex.")
    nonproprietary_name: Text | None = Field(
        default=None, description="Full nonproprietary name when it differs from the agent's: trastuzumab-dkst."
    )
    kind: ProductKind = Field(description="originator, subcutaneous_formulation, new_formulation or biosimilar.")
    route: Route | None = Field(default=None, description="Route of administration of this product.")
    agency: Agency = Field(description="Regulator that approved this product.")
    approval_date: dt.date | None = Field(
        description="Date the product was first approved (YYYY-MM-DD); null only when no source gives the day."
    )
    note: Text | None = Field(default=None, description="Scope of the approval, caveats.")
    reference_ids: Citations


class AgentBase(Record):
    """Fields every therapy class shares, in the order curators write them."""

    agent_id: AgentId = Field(description="Stable slug of the INN, never reused: pembrolizumab.")
    name: Annotated[str, StringConstraints(min_length=2)] = Field(
        description="International nonproprietary name, as on the label."
    )
    therapy_class: TherapyClass = Field(description="The therapy class; decides the record's model.")
    subclass: str = Field(description="Class-specific grouping; each class lists its values.")
    status: AgentStatus = Field(description="approved, withdrawn or investigational.")
    brand_names: list[Text] = Field(default_factory=list, description="Trade names: Keytruda.")
    synonyms: list[Text] = Field(default_factory=list, description="Code names and other names: MK-3475.")
    drugbank_id: DrugbankId | None = Field(default=None, description="DrugBank accession: DB09037.")
    chembl_id: ChemblId | None = Field(
        default=None, description="ChEMBL ID paired with the DrugBank ID in the reference vocabulary."
    )
    mechanism: Annotated[str, StringConstraints(min_length=40)] = Field(
        description="How the agent works, in two or three plain sentences."
    )
    reference_ids: Citations = Field(
        description="Sources of the agent-level facts: mechanism, class-specific fields, names, identifiers."
    )
    targets: list[Target] = Field(default_factory=list, description="Molecular targets, each once.")
    indications: list[Indication] = Field(default_factory=list, description="One entry per approval.")
    toxicities: list[Toxicity] = Field(default_factory=list, description="Adverse reactions, each once per section.")
    products: list[Product] = Field(
        default_factory=list, description="Marketed products: originator, subcutaneous formulations, biosimilars."
    )
    references: list[Reference] = Field(min_length=1, description="Every source cited in this record.")


class CheckpointInhibitor(AgentBase):
    """An immune checkpoint inhibitor, as curated in data/checkpoint_inhibitor/<agent_id>.yaml."""

    therapy_class: Literal["checkpoint_inhibitor"] = Field(description=_CLASS_FIELD)
    subclass: CheckpointSubclass = Field(description="By checkpoint blocked: anti_pd1, anti_pdl1, anti_ctla4, …")
    checkpoints: list[Checkpoint] = Field(min_length=1, description="Checkpoints blocked: PD-1.")
    isotype: Isotype | None = Field(description="Heavy-chain isotype: IgG4; null when no source states it.")
    origin: AntibodyOrigin | None = Field(
        description="human, humanized, chimeric or murine; null when no source states it."
    )


class MonoclonalAntibody(AgentBase):
    """An anti-tumour antibody, conjugate or engager, as curated in data/monoclonal_antibody/."""

    therapy_class: Literal["monoclonal_antibody"] = Field(description=_CLASS_FIELD)
    subclass: AntibodySubclass = Field(description="Format: naked, antibody_drug_conjugate, bispecific_engager, …")
    isotype: Isotype | None = Field(default=None, description="Heavy-chain isotype; null for Fc-less fragments.")
    origin: AntibodyOrigin | None = Field(
        description="human, humanized, chimeric or murine; null when no antibody variable region (tebentafusp's TCR)."
    )
    payload: Text | None = Field(default=None, description="Conjugated drug or isotope: monomethyl auristatin E.")
    linker: Text | None = Field(
        default=None, description="Linker of a conjugate: protease-cleavable valine-citrulline."
    )
    effector_mechanisms: list[EffectorMechanism] = Field(
        min_length=1, description="How it acts: adcc, cdc, t_cell_redirection, payload_delivery, …"
    )

    @model_validator(mode="after")
    def _conjugates_name_their_payload(self) -> Self:
        conjugated = self.subclass in {"antibody_drug_conjugate", "radioimmunoconjugate", "immunotoxin"}
        if conjugated and self.payload is None:
            raise _problem("missing-payload", f"a {self.subclass} needs its payload")
        if not conjugated and (self.payload is not None or self.linker is not None):
            raise _problem("payload-on-unconjugated", f"a {self.subclass} antibody has no payload or linker")
        return self


class Vaccine(AgentBase):
    """A preventive or therapeutic cancer vaccine, as curated in data/vaccine/."""

    therapy_class: Literal["vaccine"] = Field(description=_CLASS_FIELD)
    subclass: VaccineSubclass = Field(description="Platform: cellular, live_bacterial, virus_like_particle, …")
    intent: VaccineIntent = Field(description="preventive or therapeutic.")
    antigens: list[Text] = Field(default_factory=list, description="Antigens it presents: HPV L1 (types 16, 18).")
    adjuvant: Text | None = Field(
        default=None, description="Adjuvant, if any: amorphous aluminum hydroxyphosphate sulfate."
    )
    route: Route = Field(description="Route of administration: intravesical.")


class CarT(AgentBase):
    """A CAR-T cell product, as curated in data/car_t/<agent_id>.yaml."""

    therapy_class: Literal["car_t"] = Field(description=_CLASS_FIELD)
    subclass: CarTSubclass = Field(description="By antigen: cd19_directed, bcma_directed, other_antigen.")
    target_antigen: GeneSymbol = Field(description="HGNC symbol of the antigen the CAR binds: CD19.")
    costimulatory_domain: Costim | None = Field(
        description="Signalling domain besides CD3ζ: 4-1BB or CD28; null when no source gives it."
    )
    vector: GeneVector | None = Field(
        description="lentiviral, gammaretroviral or transposon; null when no source gives it."
    )
    cell_source: CellSource = Field(description="autologous or allogeneic.")
    binder: Text | None = Field(default=None, description="Antigen-binding domain: murine FMC63 scFv.")

    @model_validator(mode="after")
    def _antigen_is_a_target(self) -> Self:
        if self.target_antigen not in {t.symbol for t in self.targets}:
            raise _problem("antigen-not-a-target", f"list {self.target_antigen} under targets too")
        return self


class Cytokine(AgentBase):
    """A recombinant or engineered cytokine or cytokine-based agent, as curated in data/cytokine/."""

    therapy_class: Literal["cytokine"] = Field(description=_CLASS_FIELD)
    subclass: CytokineSubclass = Field(description="Family: interleukin, interferon, il15_superagonist, …")
    cytokine: Text = Field(description="The cytokine it is or delivers: interleukin-2.")
    engineering: list[CytokineEngineering] = Field(
        min_length=1, description="How it differs from the native molecule: recombinant, pegylated, …"
    )
    route: Route = Field(description="Route of administration: intravenous.")


class OncolyticVirus(AgentBase):
    """A replicating virus that lyses tumour cells, as curated in data/oncolytic_virus/."""

    therapy_class: Literal["oncolytic_virus"] = Field(description=_CLASS_FIELD)
    subclass: OncolyticSubclass = Field(description="Virus: herpes_simplex_virus, adenovirus, …")
    virus_family: Text = Field(description="Taxonomic family: Herpesviridae.")
    strain: Text | None = Field(default=None, description="Parent strain: HSV-1 strain JS1.")
    deletions: list[Text] = Field(default_factory=list, description="Genes deleted or disabled: ICP34.5.")
    transgenes: list[Text] = Field(default_factory=list, description="Genes inserted: human GM-CSF.")
    route: Route = Field(description="Route of administration: intratumoral.")


class CellTherapy(AgentBase):
    """An adoptive cell therapy other than CAR-T (TIL, TCR-T), as curated in data/adoptive_cell_therapy/."""

    therapy_class: Literal["adoptive_cell_therapy"] = Field(description=_CLASS_FIELD)
    subclass: CellTherapySubclass = Field(description="tumor_infiltrating_lymphocytes or tcr_t.")
    cell_type: Text = Field(description="Cells given: autologous tumour-derived T cells.")
    target_antigen: GeneSymbol | None = Field(
        default=None, description="HGNC symbol of the antigen an engineered receptor binds (MAGEA4); null for TIL."
    )
    hla_restriction: Text | None = Field(
        default=None, description="HLA alleles the receptor needs on the tumour: HLA-A*02:01P, -A*02:02P, …"
    )
    vector: GeneVector | None = Field(default=None, description="Gene vector of engineered cells; null for TIL.")
    cell_source: CellSource = Field(description="autologous or allogeneic.")

    @model_validator(mode="after")
    def _antigen_is_a_target(self) -> Self:
        if self.target_antigen is not None and self.target_antigen not in {t.symbol for t in self.targets}:
            raise _problem("antigen-not-a-target", f"list {self.target_antigen} under targets too")
        return self


Therapy: TypeAlias = Annotated[
    CheckpointInhibitor | MonoclonalAntibody | Vaccine | CarT | Cytokine | OncolyticVirus | CellTherapy,
    Field(discriminator="therapy_class"),
]
THERAPY_ADAPTER: TypeAdapter[Therapy] = TypeAdapter(Therapy)
THERAPY_LIST_ADAPTER: TypeAdapter[list[Therapy]] = TypeAdapter(list[Therapy])

#: Model of each therapy class, in the order of vocabularies.THERAPY_CLASSES.
MODELS: dict[str, type[AgentBase]] = {
    "checkpoint_inhibitor": CheckpointInhibitor,
    "monoclonal_antibody": MonoclonalAntibody,
    "vaccine": Vaccine,
    "car_t": CarT,
    "cytokine": Cytokine,
    "oncolytic_virus": OncolyticVirus,
    "adoptive_cell_therapy": CellTherapy,
}
