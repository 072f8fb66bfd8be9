"""Column and label contracts between pipeline stages (one place, imported everywhere).

Stage tables are TSV, one row per sample, keyed by ``sample_id``. Missing values are
empty cells; status columns never use an empty cell to mean "negative": they say
``not_assessable`` (or ``indeterminate`` in risk) explicitly.
"""

from __future__ import annotations

# --- subtype labels (canonical strings; the ontology in resources/subtypes.tsv maps the
# WHO 2016 / WHO-HAEM5 / ICC 2022 names onto these) ---------------------------------
B_SUBTYPES: tuple[str, ...] = (
    "ETV6::RUNX1",
    "ETV6::RUNX1-like",
    "TCF3::PBX1",
    "TCF3::HLF",
    "KMT2A",
    "ZNF384",
    "MEF2D",
    "NUTM1",
    "BCL2/MYC",
    "CDX2/UBTF",
    "ZEB2/CEBP",
    "PAX5alt",
    "PAX5 P80R",
    "IKZF1 N159Y",
    "Hyperdiploid",
    "Low hypodiploid",
    "Near haploid",
    "iAMP21",
    "BCR::ABL1",
    "Ph-like",
    "DUX4",
)
T_ALL = "T-ALL"
# T-ALL subgroups (second-stage model ``allstrat-tall``; resources/markers/tall_markers.tsv):
# transcription-factor drivers of S1 / DOMAIN.md §1.3 plus the subgroups of Liu et al. 2017
# and Pölönen et al. 2024 named in issue #16. HOXA = KMT2A-r, MLLT10-r (incl.
# PICALM::MLLT10) and SET::NUP214.
TALL_SUBGROUPS: tuple[str, ...] = (
    "TAL1",
    "TAL2",
    "LMO1/LMO2",
    "LYL1",
    "TLX1",
    "TLX3",
    "NKX2-1/NKX2-5",
    "HOXA",
    "BCL11B-activated",
    "SPI1",
    "MYB",
    "ETP-like",
)
UNCLASSIFIED = "unclassified"
MULTIPLE = "multiple candidates"
# Ph-type expression profile when no fusion data were given: BCR::ABL1 and Ph-like share
# one expression programme, so without fusion evidence BCR::ABL1 is not excluded.
PH_GROUP = "Ph group"
# The same for the other fusion-defined classes whose "-like" form shares the expression
# programme (MD-ALL rule 5): without fusion data the profile is reported as the group
# (fusion not confirmed, not excluded); with fusion data and no defining fusion as "-like".
ER_GROUP = "ETV6::RUNX1 group"
KMT2A_GROUP = "KMT2A group"
ZNF384_GROUP = "ZNF384 group"
KMT2A_LIKE = "KMT2A-like"
ZNF384_LIKE = "ZNF384-like"
#: model class -> (group label without fusion data, "-like" label without the fusion).
FUSION_GROUPS: dict[str, tuple[str, str]] = {
    "ETV6::RUNX1": (ER_GROUP, "ETV6::RUNX1-like"),
    "ETV6::RUNX1-like": (ER_GROUP, "ETV6::RUNX1-like"),
    "KMT2A": (KMT2A_GROUP, KMT2A_LIKE),
    "ZNF384": (ZNF384_GROUP, ZNF384_LIKE),
}
#: Labels that are not model classes nor B_SUBTYPES but can appear in ``subtype``.
GROUP_LABELS: tuple[str, ...] = (PH_GROUP, ER_GROUP, KMT2A_GROUP, ZNF384_GROUP)
LIKE_LABELS: tuple[str, ...] = (KMT2A_LIKE, ZNF384_LIKE)
CONFIDENCE_TIERS: tuple[str, ...] = ("high", "medium", "low", "none")

# --- classify stage: results/classify/chunk_*.tsv ------------------------------------
# Second stage (T lineage only; allstrat.tall): T-ALL subgroup and ETP-ALL status.
TALL_CLASSIFY_COLUMNS: tuple[str, ...] = (
    "tall_subgroup",  # TALL_SUBGROUPS, UNCLASSIFIED, MULTIPLE; "not_assessed" (T lineage, no
    #                   T-ALL model); "not_applicable" (not T lineage)
    "tall_confidence_tier",  # CONFIDENCE_TIERS
    "tall_top_probability",  # empty unless the T-ALL model ran
    "tall_decided_by",  # "expression", "fusion", "expression+fusion"
    "tall_model_id",
    "etp_status",  # "yes"/"no"/"not_assessable" (T lineage); "not_applicable"
    "etp_source",  # "immunophenotype" / "expression" / "" (not assessable / applicable)
)
CLASSIFY_COLUMNS: tuple[str, ...] = (
    "sample_id",
    "subtype",  # a B_SUBTYPES label, T_ALL, GROUP_LABELS, LIKE_LABELS, UNCLASSIFIED, MULTIPLE
    "confidence_tier",  # CONFIDENCE_TIERS
    "top_probability",
    "candidates",  # ";"-separated labels above their threshold
    "lineage",  # "B", "T" or "uncertain"
    "ph_group",  # "yes"/"no": Ph-type expression profile; "not_assessable": insufficient data
    "ph_like",  # "yes"/"no"/"not_assessable"
    "ph_like_kinase_class",  # ABL-class / JAK-STAT / CRLF2-r / unknown / ""
    "dux4",  # "yes"/"no"/"not_assessable" (expression; never "no" from absent DUX4 reads)
    "decided_by",  # "expression", "fusion", "expression+fusion", "rule:<id>"; after
    #                allstrat reconcile also "expression+mutation" (classify.consistency)
    "qc_flags",  # ";"-separated (e.g. low_tumour_content, out_of_distribution)
    "model_id",
    "model_sha256",
    *TALL_CLASSIFY_COLUMNS,
)
# plus one "prob:<label>" column per model class.

# --- copy-number stage: results/copynumber/chunk_*.tsv -------------------------------
LESION_GENES: tuple[str, ...] = (
    "IKZF1",
    "CDKN2A",
    "CDKN2B",
    "PAX5",
    "ERG",
    "ETV6",
    "RB1",
    "BTG1",
    "EBF1",
    "PAR1",
)
LESION_STATES: tuple[str, ...] = (
    "normal",
    "deleted",  # mono-allelic / heterozygous loss
    "homozygous_deleted",
    "gained",
    "amplified",
    "not_assessable",
)
#: karyotype classes of the copy-number stage (column karyotype_class)
KARYOTYPE_CLASSES: tuple[str, ...] = (
    "high_hyperdiploid",
    "low_hyperdiploid",
    "diploid",
    "high_hypodiploid",
    "low_hypodiploid",
    "near_haploid",
    "not_assessable",
)
COPYNUMBER_COLUMNS: tuple[str, ...] = (
    "sample_id",
    "cn_source",  # "DNA" (segments / MLPA / gene calls), "RNA" (expression-derived), "none"
    *(f"{g.lower()}_status" for g in LESION_GENES),  # LESION_STATES
    "ikzf1_deletion_type",  # "whole gene (Δ1–8)", "Δ4–7", "Δ2–7", "Δ2–3", "Δ4–8", "other", ""
    "ikzf1plus",  # "positive" / "negative" / "not_assessable"
    "dux4_erg",  # "DUX4-r/ERG-deleted", "DUX4-r/ERG-intact", "DUX4-r/ERG-not_assessable", "no"
    "modal_chromosome_number",  # integer or empty
    "karyotype_class",  # KARYOTYPE_CLASSES
    "favourable_trisomies",  # e.g. "+4;+10;+17" (subset present)
    "masked_hypodiploidy_warning",  # "yes"/"no"/"not_assessable"
    "iamp21",  # "yes"/"no"/"not_assessable"
    "ukall_cna_profile",  # "good"/"poor"/"not_assessable"
    "allelic_evidence",  # RNA VCF allele evidence: "assessed"/"not_assessable"/"not_given"
    "loh_chromosomes",  # ";"-separated chromosomes (1..22, X) with LOH (VCF or DNA BAF)
    "hotspot_mutations",  # "PAX5 P80R=detected(VAF=0.41);IKZF1 N159Y=not_detected(DP=45);..."
    # NOTCH1/FBXW7/KRAS/NRAS/PTEN status (allstrat.tall.mutations): "NOTCH1=mutated(p.Leu1594Pro,
    # VAF=0.41);FBXW7=not_found;KRAS=not_assessable;..."
    "driver_mutations",
    "oncogenetic_class",  # N/F + R/P classifier: "low"/"high"/"not_assessable" (explanatory)
    "cn_qc_flags",
)

# --- risk stage: results/risk/chunk_*.tsv (long: one row per sample x protocol) ------
RISK_COLUMNS: tuple[str, ...] = (
    "sample_id",
    "protocol",  # nci_rome, cog, aieop_bfm_2009, aieop_bfm_2017, dcog_all10, dcog_all11
    "ruleset_version",
    "risk_group",  # protocol's group label, "not_applicable", or "indeterminate"
    "minimum_group",  # lowest-risk group the available data do not rule out ("" if n/a)
    "possible_groups",  # ";"-separated groups still possible (one when definite)
    "decided_by_rule",  # rule id; for indeterminate the unresolved rule ids + the first true
    "missing_inputs",  # ";"-separated
    "annotations",  # ";"-separated treatment annotations
)

# --- gathered output: results/calls.tsv (one row per sample) -------------------------
CALLS_COLUMNS: tuple[str, ...] = (
    "sample_id",
    "subtype",
    "confidence_tier",
    "top_probability",
    "lineage",
    "ph_like",
    "ph_like_kinase_class",
    "dux4_erg",
    "ikzf1plus",
    "ikzf1_deletion_type",
    "karyotype_class",
    "modal_chromosome_number",
    "iamp21",
    "cn_source",
    "qc_flags",  # ";"-separated, prefixed by stage (classify:, copynumber:)
    "model_id",
    "tall_subgroup",
    "tall_confidence_tier",
    "etp_status",
    "etp_source",
    "driver_mutations",  # NOTCH1/FBXW7/KRAS/NRAS/PTEN status per gene (copy-number stage)
    "tall_oncogenetic_class",  # T-lineage: low/high/not_assessable; others not_applicable
)
# plus one "risk:<protocol>" column per protocol (risk group or "indeterminate").
RISK_PREFIX = "risk:"

# --- input tables: clinical (one row per sample) and MRD (long) file layouts ----------
# ETP-ALL immunophenotype (Coustan-Smith 2009): % of blasts positive per marker, 0-100.
ETP_MARKER_COLUMNS = (
    "cd1a_pct",
    "cd8_pct",
    "cd5_pct",
    "cd117_pct",
    "cd34_pct",
    "hla_dr_pct",
    "cd13_pct",
    "cd33_pct",
    "cd11b_pct",
    "cd65_pct",
)
CLINICAL_COLUMNS = (
    "sample_id",
    "age_years",
    "wbc_1e9_per_l",
    "sex",
    "immunophenotype",
    "down_syndrome",
    "cns_status",
    "testicular_involvement",
    "steroid_pretreatment",
    "prednisone_response",
    "induction_failure",
    "tpmt_diplotype",
    "nudt15_diplotype",
    *ETP_MARKER_COLUMNS,
)
# MRD values and sensitivities are in the unit named by the required ``unit`` column.
MRD_UNITS = ("fraction", "percent", "log10")
MRD_INPUT_COLUMNS = ("sample_id", "day", "tissue", "method", "value", "unit", "sensitivity")
# The clinical table names each quantity's unit in its header: exactly one of each pair.
AGE_HEADERS = {"age_years": 1.0, "age_months": 1.0 / 12.0}  # header -> factor to years
WBC_HEADERS = {"wbc_1e9_per_l": 1.0, "wbc_per_ul": 1e-3}  # header -> factor to 10^9/L

# --- input table: diagnostic genetics from the diagnostic lab (long) ------------------
LAB_GENETICS_COLUMNS = ("sample_id", "finding", "result", "method", "value", "date")
LAB_RESULTS = ("positive", "negative", "failed", "measured")
LAB_METHODS = (
    "FISH",
    "RT-PCR",
    "karyotype",
    "MLPA",
    "flow_DNA_index",
    "SNP_array",
    "fusion_panel",
)
# finding -> (kind, methods that can establish it). kind "binary": positive / negative /
# failed; "number": measured (with value) / failed.
LAB_FINDINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "BCR::ABL1": ("binary", ("FISH", "RT-PCR", "karyotype", "fusion_panel")),
    "KMT2A-r": ("binary", ("FISH", "RT-PCR", "karyotype", "fusion_panel")),
    "ETV6::RUNX1": ("binary", ("FISH", "RT-PCR", "fusion_panel")),
    "TCF3::PBX1": ("binary", ("FISH", "RT-PCR", "karyotype", "fusion_panel")),
    "TCF3::HLF": ("binary", ("FISH", "RT-PCR", "karyotype", "fusion_panel")),
    "iAMP21": ("binary", ("FISH", "MLPA", "SNP_array")),
    "high_hyperdiploidy": ("binary", ("karyotype", "SNP_array", "flow_DNA_index", "FISH")),
    "hypodiploidy": ("binary", ("karyotype", "SNP_array", "flow_DNA_index")),
    "low_hypodiploidy": ("binary", ("karyotype", "SNP_array")),
    "near_haploidy": ("binary", ("karyotype", "SNP_array")),
    "trisomy_4": ("binary", ("FISH", "karyotype", "SNP_array")),
    "trisomy_10": ("binary", ("FISH", "karyotype", "SNP_array")),
    "trisomy_17": ("binary", ("FISH", "karyotype", "SNP_array")),
    "IKZF1_deletion": ("binary", ("MLPA", "SNP_array")),
    "DNA_index": ("number", ("flow_DNA_index",)),
    "modal_number": ("number", ("karyotype", "SNP_array")),
}
# spellings accepted in the finding column -> canonical finding
LAB_FINDING_ALIASES = {
    "BCR-ABL1": "BCR::ABL1",
    "KMT2A": "KMT2A-r",
    "ETV6-RUNX1": "ETV6::RUNX1",
    "TCF3-PBX1": "TCF3::PBX1",
    "TCF3-HLF": "TCF3::HLF",
}
