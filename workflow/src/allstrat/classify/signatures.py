"""Literature gene signatures used as classifier features.

Every list below was written from ../shared/MARKERS.md (project brief) which cites the
primary papers; genes marked ✔ (seen in the cited source) only. The key in ``SOURCES``
names the paper(s) / tool panels for each list. Renamed genes use current HGNC symbols
(e.g. RIPPLY3 = DSCR6, ADGRF1 = GPR110, JCHAIN = IGJ).

DUX4 itself is deliberately **not** a feature: it sits in the D4Z4 repeat and standard
gene-level counting loses its reads (DOMAIN.md §4), so DUX4-r is recognised from its
downstream programme (CLEC12A, PCDH17, ...), never from DUX4 counts.

Signatures are keyed by *model class* (see :data:`PH_GROUP`): BCR::ABL1 and Ph-like share
one expression programme and are not separable by expression (Den Boer 2009; ALLSorts
"Ph group"), so they form one expression class.
"""

from __future__ import annotations

from allstrat.contracts import PH_GROUP

UP: dict[str, tuple[str, ...]] = {
    "ETV6::RUNX1": (
        "EPOR",
        "BIRC7",
        "CLIC5",
        "DSC3",
        "TUSC3",
        "ACVR1C",
        "TSPYL5",
        "MYOCD",
        "IGF2BP1",
        "KCNN1",
        "PTPRK",
        "CBFA2T3",
        "CD27",
    ),
    "ETV6::RUNX1-like": (
        "CLIC5",
        "DSC3",
        "IGF2BP1",
        "KCNN1",
        "MYOCD",
        "TAGLN3",
        "NOVA1",
        "KLF15",
        "RAB6C",
        "CD27",
    ),
    "TCF3::PBX1": (
        "PBX1",
        "MERTK",
        "WNT16",
        "ITGA8",
        "PHACTR3",
        "MYBPH",
        "FHOD3",
        "KCNJ12",
        "ANKS1B",
        "RORB",
    ),
    "TCF3::HLF": (
        "HLF",
        "DRP2",
        "CYP3A7",
        "IGFBP1",
        "PEG3",
        "SLITRK6",
        "TSPAN8",
        "NOX4",
        "SNAI2",
        "MEF2C",
    ),
    "KMT2A": (
        "HOXA9",
        "HOXA10",
        "MEIS1",
        "LAMP5",
        "PROM1",
        "FLT3",
        "CSPG4",
        "LGALS1",
        "CCNA1",
        "RUNX2",
        "IGF2BP2",
    ),
    PH_GROUP: (
        "CRLF2",
        "MUC4",
        "ADGRF1",
        "BMPR1B",
        "CA6",
        "NRXN3",
        "SPATS2L",
        "CISH",
        "CHN2",
        "LDB3",
        "IL2RA",
        "GDPD4",
        "HRH1",
        "BAALC",
    ),
    "DUX4": (
        "CLEC12A",
        "CLEC12B",
        "AGAP1",
        "CCNJ",
        "CHST2",
        "CHST7",
        "PTPRM",
        "PCDH17",
        "IGF2",
        "MCAM",
        "CD200R1",
    ),
    "ZNF384": (
        "CLCF1",
        "BTLA",
        "CD33",
        "ANPEP",
        "SALL4",
        "GATA3",
        "IL3",
        "CLEC4C",
        "CXCL2",
        "EFR3B",
    ),
    "MEF2D": ("HDAC9", "GATA3", "BCL9", "CKM", "MYOM2", "ADAM23", "PTPRR", "SLC26A9"),
    "NUTM1": ("NUTM1", "BMI1", "AQP5", "TRIM71", "HOXA9"),
    "BCL2/MYC": ("MYC", "BCL2", "FCRLA", "MEIS2", "SIX1", "UCHL1", "WNT5A"),
    "CDX2/UBTF": ("CDX2", "NTRK3", "HMGA2", "FST", "PCDH17", "MEOX2"),
    "ZEB2/CEBP": ("CEBPE", "SPI1", "IRF8", "LMO1", "CXCL13", "DLK1"),
    "PAX5alt": ("PTPRK", "SP140", "FSTL5", "TPBG", "MS4A1", "TSHZ2", "NELL1", "CUX2", "SYT1"),
    "PAX5 P80R": (
        "MEGF10",
        "BRINP2",
        "TTC16",
        "UBE2M",
        "PDGFRB",
        "STYK1",
        "CDCP1",
        "DUSP16",
        "NAV2",
    ),
    "IKZF1 N159Y": ("SALL1", "YAP1", "ESM1", "DLL3", "FOXP2", "TRPC4", "PID1", "ADORA1"),
    "Hyperdiploid": ("SCML1", "MORC4", "ZNF711"),
    "Near haploid": ("HGF", "CTHRC1", "PLAC1", "FHL5"),
    "iAMP21": ("RIPPLY3", "TTC3", "TMEM50B", "DYRK1A", "CHAF1B", "DONSON", "SON", "HMGN1"),
}

DOWN: dict[str, tuple[str, ...]] = {
    "ETV6::RUNX1": ("CD44", "CD9", "IKZF3", "ITGB2", "ZFYVE9"),
    "ETV6::RUNX1-like": ("BCAT1", "CLU", "PF4", "PPBP", "TYROBP"),
    "TCF3::PBX1": ("SOCS2", "GATA3", "CD34", "CRLF2"),
    "TCF3::HLF": ("RORA",),
    "KMT2A": ("MME", "FHIT", "EGLN1", "ITPR3"),
    PH_GROUP: ("VPREB1", "MERTK"),
    "DUX4": ("CD99", "IRF4", "PON2", "CHN2"),
    "ZNF384": ("MME", "PARD3", "KLF4"),
    "MEF2D": ("MEF2C", "MEF2D", "MME", "RAG1", "CLEC2B", "HLX", "SOCS2"),
    "NUTM1": ("FOXD2",),
    "BCL2/MYC": ("ERG", "FLT3", "RUNX1"),
    "CDX2/UBTF": ("MME", "CD79B", "CD9", "IGLL1"),
    "ZEB2/CEBP": ("NRXN3", "IL2RG", "NT5E"),
    "PAX5alt": ("CDKN2A", "CRLF2", "NTRK3", "IRX1"),
    "PAX5 P80R": ("FADS3", "DPEP1", "LIG4", "LRP6", "TPST1", "VPREB3", "ERG", "IKZF2"),
    "IKZF1 N159Y": ("HHEX", "LRRK1", "SETD7"),
    "Near haploid": ("GRB10", "KLF11"),
}

# Lineage (WHO lineage criteria; Bachir 2009; ALLSorts immuno feature) -- ✔ genes only.
B_LINEAGE: tuple[str, ...] = ("CD19", "CD79A", "CD22", "PAX5", "VPREB3", "BLNK", "EBF1", "CD24")
T_LINEAGE: tuple[str, ...] = ("CD3E", "CD3D", "CD3G", "CD7", "CD5", "CD1A")

# Normal bone-marrow background (mature erythroid / myeloid cells). Used only to flag low
# tumour content: haemoglobin and granule-protein genes are the dominant transcripts of
# non-leukaemic marrow cells (MPO marks myeloid per WHO lineage criteria; haemoglobins and
# neutrophil granule proteins are textbook erythroid / granulocytic products).
NORMAL_MARROW: tuple[str, ...] = (
    "HBB",
    "HBA1",
    "HBA2",
    "HBD",
    "MPO",
    "ELANE",
    "LYZ",
    "S100A8",
    "S100A9",
    "CAMP",
    "LTF",
    "MMP9",
    "AZU1",
    "PRTN3",
)

SOURCES: dict[str, str] = {
    "ETV6::RUNX1": "Torrano 2011 Blood; Gandemer 2007 BMC Genomics; ALLCatchR up/dn sets",
    "ETV6::RUNX1-like": "Zaliova 2017 Genes Chromosomes Cancer; ALLCatchR",
    "TCF3::PBX1": "Ohki 2019 Haematologica; ALLCatchR",
    "TCF3::HLF": "ALLCatchR; MD-ALL README",
    "KMT2A": "Ferrando 2003 Blood; Armstrong 2002; Stam 2010 Blood",
    PH_GROUP: "Harvey 2010 Blood (cluster 8); Den Boer 2009 Lancet Oncol; ALLCatchR",
    "DUX4": "Harvey 2010 (cluster 6); Schumich 2019 Haematologica; Zhang 2016 Nat Genet",
    "ZNF384": "Hirabayashi 2017 Haematologica; ALLCatchR",
    "MEF2D": "Ohki 2019; Gu 2016 Nat Commun",
    "NUTM1": "Boer 2021 Leukemia; MD-ALL",
    "BCL2/MYC": "MD-ALL; ALLCatchR",
    "CDX2/UBTF": "Passet 2022; Kimura 2022 Blood",
    "ZEB2/CEBP": "Akasaka 2007 Blood; Zaliova 2020",
    "PAX5alt": "ALLCatchR; ALLIUM (weakest signature)",
    "PAX5 P80R": "Bastian 2019; ALLCatchR",
    "IKZF1 N159Y": "ALLCatchR only (low confidence)",
    "Hyperdiploid": "Paulsson & Johansson 2009 (X-linked dosage proxies)",
    "Near haploid": "Holmfeldt 2013 Nat Genet; ALLCatchR (weak)",
    "iAMP21": "Rand 2011 Blood; Front Oncol 2023",
    "lineage": "WHO lineage criteria; Bachir 2009",
    "normal_marrow": "textbook erythroid/myeloid products (low-tumour-content flag only)",
}


def panel_genes() -> tuple[str, ...]:
    """Return every gene named by a signature, lineage or background list (sorted, unique)."""
    genes: set[str] = set(B_LINEAGE) | set(T_LINEAGE) | set(NORMAL_MARROW)
    for table in (UP, DOWN):
        for gs in table.values():
            genes.update(gs)
    return tuple(sorted(genes))
