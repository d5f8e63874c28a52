"""Outbound links to the registries behind each identifier; hyperlinks only, never loaded by a page."""

from __future__ import annotations


def hgnc(hgnc_id: str) -> str:
    """HGNC gene symbol report: HGNC:8760."""
    return f"https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/{hgnc_id}"


def uniprot(accession: str) -> str:
    """UniProtKB entry: Q15116."""
    return f"https://www.uniprot.org/uniprotkb/{accession}/entry"


def mondo(mondo_id: str) -> str:
    """Mondo term page: MONDO:0005105."""
    return f"https://purl.obolibrary.org/obo/{mondo_id.replace(':', '_')}"


def mesh(mesh_id: str) -> str:
    """MeSH descriptor page: MESH:D011014."""
    return f"https://meshb.nlm.nih.gov/record/ui?ui={mesh_id.removeprefix('MESH:')}"


def drugbank(drugbank_id: str) -> str:
    """DrugBank drug page: DB09037."""
    return f"https://go.drugbank.com/drugs/{drugbank_id}"


def chembl(chembl_id: str) -> str:
    """ChEMBL compound report card: CHEMBL3137343."""
    return f"https://www.ebi.ac.uk/chembl/compound_report_card/{chembl_id}/"


def pubmed(pmid: str) -> str:
    """PubMed record: 25034862."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def doi(value: str) -> str:
    """DOI resolver address: 10.1056/NEJMoa1503093."""
    return f"https://doi.org/{value}"
