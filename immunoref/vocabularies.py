"""Controlled vocabularies, each defined once; models, schemas and dtypes derive from them."""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

#: Therapy class of an agent (see DESIGN.md for what belongs where).
TherapyClass: TypeAlias = Literal[
    "checkpoint_inhibitor",
    "monoclonal_antibody",
    "vaccine",
    "car_t",
    "cytokine",
    "oncolytic_virus",
    "adoptive_cell_therapy",
]
THERAPY_CLASSES: tuple[str, ...] = get_args(TherapyClass)

#: Checkpoint inhibitors, by the checkpoint they block.
CheckpointSubclass: TypeAlias = Literal["anti_pd1", "anti_pdl1", "anti_ctla4", "anti_lag3", "bispecific"]
#: Other antibodies, by format.
AntibodySubclass: TypeAlias = Literal[
    "naked",
    "antibody_drug_conjugate",
    "bispecific_engager",
    "bispecific_antibody",
    "radioimmunoconjugate",
    "immunotoxin",
]
#: Vaccines, by platform.
VaccineSubclass: TypeAlias = Literal[
    "cellular",
    "live_bacterial",
    "recombinant_protein",
    "virus_like_particle",
    "peptide",
    "mrna",
    "dna",
    "viral_vector",
]
#: CAR-T products, by the antigen the CAR binds.
CarTSubclass: TypeAlias = Literal["cd19_directed", "bcma_directed", "other_antigen"]
#: Cytokines and cytokine-based agents, by family.
CytokineSubclass: TypeAlias = Literal[
    "interleukin",
    "interferon",
    "tumor_necrosis_factor",
    "il15_superagonist",
    "cytokine_fusion_toxin",
    "cytokine_gene_therapy",
]
#: Oncolytic viruses, by virus.
OncolyticSubclass: TypeAlias = Literal[
    "herpes_simplex_virus", "adenovirus", "enterovirus", "reovirus", "vaccinia_virus", "other_virus"
]
#: Other adoptive cell therapies, by the cells given.
CellTherapySubclass: TypeAlias = Literal["tumor_infiltrating_lymphocytes", "tcr_t"]
SUBCLASSES: dict[str, tuple[str, ...]] = {
    "checkpoint_inhibitor": get_args(CheckpointSubclass),
    "monoclonal_antibody": get_args(AntibodySubclass),
    "vaccine": get_args(VaccineSubclass),
    "car_t": get_args(CarTSubclass),
    "cytokine": get_args(CytokineSubclass),
    "oncolytic_virus": get_args(OncolyticSubclass),
    "adoptive_cell_therapy": get_args(CellTherapySubclass),
}
ALL_SUBCLASSES: tuple[str, ...] = tuple(sorted({s for group in SUBCLASSES.values() for s in group}))

#: Regulatory status of an agent as a whole.
AgentStatus: TypeAlias = Literal["approved", "withdrawn", "investigational"]
AGENT_STATUSES: tuple[str, ...] = get_args(AgentStatus)

#: Regulators. ZVA is Latvia's State Agency of Medicines; HC is Health Canada.
Agency: TypeAlias = Literal["FDA", "EMA", "NMPA", "PMDA", "MHRA", "HC", "TGA", "ZVA"]
AGENCIES: tuple[str, ...] = get_args(Agency)

#: First day each regulator (or the predecessor whose approvals it carries on) could grant an approval;
#: an earlier approval date is a typo. Sources, read 2026-11-22:
#: FDA, Food and Drugs Act signed 1906-06-30 (http://dev.u-s-history.com/pages/h1634.html);
#: EMA began operating 1995-01-26 (https://www.ema.europa.eu/en/news/ema-celebrates-30-years-progress-science-medicines-european-union);
#: NMPA, via the State Drug Administration formed in March 1998 (https://topics.russian-poetry.com/sfda-of-china);
#: PMDA came into service 2004-04-01 (https://www.pmda.go.jp/english/about-pmda/outline/0002.html);
#: MHRA came into being 2003-04-01 (https://hansard.parliament.uk/Commons/2003-06-04/debates/67af6a42-76b3-41c4-92ff-dc683129bff6/MedicinesControlAgency);
#: HC, via the Department of Health created in 1919 (https://wikimili.com/en/Health_Canada);
#: TGA, Therapeutic Goods Act in operation 1991-02-15 (https://www.legislation.gov.au/Details/C2004C07569).
#: ZVA has no entry: no source giving its founding date was found.
AGENCY_FIRST_DAY: dict[str, str] = {
    "FDA": "1906-06-30",
    "EMA": "1995-01-26",
    "NMPA": "1998-03-01",
    "PMDA": "2004-04-01",
    "MHRA": "2003-04-01",
    "HC": "1919-01-01",
    "TGA": "1991-02-15",
}

#: Kind of marketing authorisation granted for one indication.
ApprovalType: TypeAlias = Literal["regular", "accelerated", "conditional", "exceptional_circumstances"]
APPROVAL_TYPES: tuple[str, ...] = get_args(ApprovalType)

#: Line of therapy, as the label words it ("after two or more prior lines" is third_line_or_later).
LineOfTherapy: TypeAlias = Literal[
    "first_line",
    "second_line",
    "second_line_or_later",
    "third_line_or_later",
    "fourth_line_or_later",
    "fifth_line_or_later",
    "any_line",
    "not_applicable",
]
LINES_OF_THERAPY: tuple[str, ...] = get_args(LineOfTherapy)

#: Disease setting of an indication.
Setting: TypeAlias = Literal[
    "advanced",
    "metastatic",
    "unresectable_or_metastatic",
    "locally_advanced",
    "locally_advanced_or_metastatic",
    "recurrent_or_metastatic",
    "recurrent",
    "relapsed_or_refractory",
    "adjuvant",
    "neoadjuvant",
    "perioperative",
    "maintenance",
    "consolidation",
    "definitive",
    "carcinoma_in_situ",
    "prevention",
]
SETTINGS: tuple[str, ...] = get_args(Setting)

#: Whether an indication is still on the label.
IndicationStatus: TypeAlias = Literal["active", "withdrawn"]
INDICATION_STATUSES: tuple[str, ...] = get_args(IndicationStatus)

#: What kind of molecule a target is; only proteins encoded by human genes carry HGNC IDs.
TargetType: TypeAlias = Literal["protein", "viral_protein", "ganglioside", "carbohydrate"]
TARGET_TYPES: tuple[str, ...] = get_args(TargetType)

#: What the agent does to the target.
TargetAction: TypeAlias = Literal["blocker", "agonist", "binder", "engager", "immunogen"]
TARGET_ACTIONS: tuple[str, ...] = get_args(TargetAction)

#: Organ system or kind of a toxicity, for grouping.
ToxicityCategory: TypeAlias = Literal[
    "immune_mediated",
    "infusion_reaction",
    "cytokine_release",
    "neurologic",
    "hematologic",
    "infection",
    "cardiovascular",
    "hepatic",
    "gastrointestinal",
    "dermatologic",
    "pulmonary",
    "renal",
    "endocrine",
    "reproductive",
    "ocular",
    "metabolic",
    "musculoskeletal",
    "constitutional",
    "hypersensitivity",
    "secondary_malignancy",
    "psychiatric",
    "other",
]
TOXICITY_CATEGORIES: tuple[str, ...] = get_args(ToxicityCategory)

#: Section of the label a toxicity row is taken from.
LabelSection: TypeAlias = Literal["boxed_warning", "warnings_and_precautions", "adverse_reactions", "contraindications"]
LABEL_SECTIONS: tuple[str, ...] = get_args(LabelSection)

#: What kind of source a reference is.
ReferenceKind: TypeAlias = Literal["label", "pubmed", "doi", "trial", "web"]
REFERENCE_KINDS: tuple[str, ...] = get_args(ReferenceKind)

#: Antibody heavy-chain isotype.
Isotype: TypeAlias = Literal["IgG1", "IgG2", "IgG2a", "IgG3", "IgG4"]
ISOTYPES: tuple[str, ...] = get_args(Isotype)

#: Species origin of an antibody's variable regions.
AntibodyOrigin: TypeAlias = Literal["human", "humanized", "chimeric", "murine"]
ANTIBODY_ORIGINS: tuple[str, ...] = get_args(AntibodyOrigin)

#: Checkpoint molecules, by their common name.
Checkpoint: TypeAlias = Literal["PD-1", "PD-L1", "CTLA-4", "LAG-3", "TIGIT", "TIM-3"]
CHECKPOINTS: tuple[str, ...] = get_args(Checkpoint)

#: How an antibody kills or stops tumour cells.
EffectorMechanism: TypeAlias = Literal[
    "adcc",
    "cdc",
    "adcp",
    "signalling_blockade",
    "t_cell_redirection",
    "payload_delivery",
    "radiation_delivery",
    "apoptosis_induction",
]
EFFECTOR_MECHANISMS: tuple[str, ...] = get_args(EffectorMechanism)

#: Why a vaccine is given.
VaccineIntent: TypeAlias = Literal["preventive", "therapeutic"]
VACCINE_INTENTS: tuple[str, ...] = get_args(VaccineIntent)

#: Route of administration.
Route: TypeAlias = Literal[
    "intravenous",
    "subcutaneous",
    "intramuscular",
    "intradermal",
    "percutaneous",
    "intratumoral",
    "intravesical",
    "intralesional",
    "isolated_limb_perfusion",
    "oral",
]
ROUTES: tuple[str, ...] = get_args(Route)

#: Costimulatory domain of a CAR besides CD3-zeta.
Costim: TypeAlias = Literal["CD28", "4-1BB"]
COSTIMS: tuple[str, ...] = get_args(Costim)

#: How the CAR gene is delivered into the T cells.
GeneVector: TypeAlias = Literal["lentiviral", "gammaretroviral", "transposon"]
GENE_VECTORS: tuple[str, ...] = get_args(GeneVector)

#: Where the T cells come from.
CellSource: TypeAlias = Literal["autologous", "allogeneic"]
CELL_SOURCES: tuple[str, ...] = get_args(CellSource)

#: How a cytokine differs from the native molecule.
CytokineEngineering: TypeAlias = Literal[
    "recombinant", "mutein", "pegylated", "fusion_protein", "superagonist_complex", "gene_transfer"
]
CYTOKINE_ENGINEERINGS: tuple[str, ...] = get_args(CytokineEngineering)

#: What a product of an agent is: the first one approved, a later formulation, or a copy.
ProductKind: TypeAlias = Literal["originator", "subcutaneous_formulation", "new_formulation", "biosimilar"]
PRODUCT_KINDS: tuple[str, ...] = get_args(ProductKind)
