"""Diagnostic-genetics rows (``workflow/schemas/lab_genetics.schema.yaml``) for simulated
samples: what a diagnostic laboratory would report at diagnosis.

Modelling choices (UNVERIFIED shares, for the demo only): most B-ALL patients get the
standard fusion screen (BCR::ABL1 and TCF3::PBX1 by RT-PCR, KMT2A-r and ETV6::RUNX1 by
FISH; the ETV6::RUNX1 probe also shows iAMP21), a karyotype (modal number), often a flow
DNA index, sometimes MLPA P335 (IKZF1) and a SNP array (which states hypodiploidy,
including a doubled hypodiploid clone, from genome-wide LOH [DOMAIN §5, S44]). A few
patients have no lab genetics at all and some tests fail (no metaphases, no RNA), so the
demo still shows the indeterminate logic. A rare wrong lab result (LAB_ERROR_PROB) lets
the demo show a lab/pipeline discordance.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

NO_LAB_PROB = 0.12  # patient without any diagnostic genetics in the table
FAILED_PROB = 0.04  # a test that gives no result
LAB_ERROR_PROB = 0.01  # a qualitative result reported wrongly
# finding -> (method, probability the test is done) for B-ALL
SCREEN = (
    ("BCR::ABL1", "RT-PCR", 0.95, ("BCR::ABL1",)),
    ("KMT2A-r", "FISH", 0.95, ("KMT2A",)),
    ("ETV6::RUNX1", "FISH", 0.9, ("ETV6::RUNX1",)),
    ("TCF3::PBX1", "RT-PCR", 0.85, ("TCF3::PBX1",)),
    ("iAMP21", "FISH", 0.9, ("iAMP21",)),
)
KARYOTYPE_PROB = 0.85
DNA_INDEX_PROB = 0.6
MLPA_PROB = 0.6
SNP_ARRAY_PROB = 0.35
SNP_ARRAY_HYPERDIPLOID_PROB = 0.8  # hyperdiploid counts prompt a check for masking
KARYOTYPE_PLOIDY_CALL_PROB = 0.6  # else the karyotype report states (no) hypodiploidy
COLUMNS = ("sample_id", "finding", "result", "method", "value", "date")


def simulate_lab(rng: np.random.Generator, truth: Mapping[str, object]) -> list[dict]:
    """One sample's diagnostic-genetics rows from its truth row (``cohort.TRUTH_COLUMNS``)."""
    sid, subtype = str(truth["sample_id"]), str(truth["subtype"])
    if rng.random() < NO_LAB_PROB:
        return []
    day = int(rng.integers(1, 28))
    date = f"2025-{int(rng.integers(1, 13)):02d}-{day:02d}"
    rows: list[dict] = []

    def add(finding: str, method: str, result: str, value: str = "") -> None:
        if rng.random() < FAILED_PROB:
            result, value = "failed", ""
        elif result in ("positive", "negative") and rng.random() < LAB_ERROR_PROB:
            result = "negative" if result == "positive" else "positive"
        rows.append(
            {"sample_id": sid, "finding": finding, "result": result, "method": method,
             "value": value, "date": date}
        )  # fmt: skip

    modal = int(str(truth["modal_number"]))
    if truth["lineage"] == "B":
        for finding, method, p, labels in SCREEN:
            if rng.random() < p:
                pos = subtype in labels or (finding == "iAMP21" and truth["iamp21"] == "yes")
                add(finding, method, "positive" if pos else "negative")
        if rng.random() < DNA_INDEX_PROB:
            di = modal / 46 + rng.normal(0, 0.01)
            add("DNA_index", "flow_DNA_index", "measured", f"{di:.2f}")
        if rng.random() < MLPA_PROB:
            deleted = truth["ikzf1_status"] in ("deleted", "homozygous_deleted")
            add("IKZF1_deletion", "MLPA", "positive" if deleted else "negative")
        hypo = truth["karyotype_class"] in ("low_hypodiploid", "near_haploid") or modal < 44
        p_snp = SNP_ARRAY_HYPERDIPLOID_PROB if modal >= 48 else SNP_ARRAY_PROB
        snp = rng.random() < p_snp
        if snp:
            add("hypodiploidy", "SNP_array", "positive" if hypo else "negative")
    if rng.random() < KARYOTYPE_PROB:
        add("modal_number", "karyotype", "measured", str(modal))
        # the cytogeneticist's own statement on a hyperdiploid-range karyotype (classic
        # trisomies vs the tetrasomy pattern of a doubled hypodiploid clone)
        if (
            truth["lineage"] == "B"
            and modal >= 48
            and not snp
            and rng.random() < KARYOTYPE_PLOIDY_CALL_PROB
        ):
            add("hypodiploidy", "karyotype", "positive" if hypo else "negative")
    return rows
