"""Write the hand-made stage outputs of one 4-sample chunk used by tests/report.

Run from the checkout root: ``python tests/data/report/make_fixtures.py``. The values are
invented to cover the report's cases (see README.md); they are not model output.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = ["RPT_01", "RPT_02", "RPT_03", "RPT_04"]
LABELS = ["ETV6::RUNX1", "Hyperdiploid", "DUX4", "Ph-like", "PAX5alt", "KMT2A"]
# chromosome lengths (GRCh38), only to lay out whole-arm segments
LEN = dict(
    zip(
        [f"chr{i}" for i in range(1, 23)] + ["chrX"],
        [
            248956422,
            242193529,
            198295559,
            190214555,
            181538259,
            170805979,
            159345973,
            145138636,
            138394717,
            133797422,
            135086622,
            133275309,
            114364328,
            107043718,
            101991189,
            90338345,
            83257441,
            80373285,
            58617616,
            64444167,
            46709983,
            50818468,
            156040895,
        ],
        strict=True,
    )
)
AUTOSOMES = [f"chr{i}" for i in range(1, 23)] + ["chrX"]


def probs(top: str, p: float) -> dict[str, float]:
    rest = (1 - p) / (len(LABELS) - 1)
    return {lab: round(p if lab == top else rest, 4) for lab in LABELS}


def classify_rows():
    header = [
        "sample_id",
        "subtype",
        "confidence_tier",
        "top_probability",
        "candidates",
        "lineage",
        "ph_group",
        "ph_like",
        "ph_like_kinase_class",
        "dux4",
        "decided_by",
        "qc_flags",
        "model_id",
        "model_sha256",
        # T-ALL second stage (contracts.TALL_CLASSIFY_COLUMNS): not applicable to B lineage
        "tall_subgroup",
        "tall_confidence_tier",
        "tall_top_probability",
        "tall_decided_by",
        "tall_model_id",
        "etp_status",
        "etp_source",
        *[f"prob:{lab}" for lab in LABELS],
    ]
    sha = "ab" * 32
    spec = [
        (
            "RPT_01",
            "Ph-like",
            "high",
            0.91,
            "Ph-like",
            "yes",
            "yes",
            "CRLF2-r",
            "no",
            "expression",
            "",
        ),
        ("RPT_02", "DUX4", "medium", 0.72, "DUX4", "no", "no", "", "yes", "expression", ""),
        (
            "RPT_03",
            "Hyperdiploid",
            "high",
            0.88,
            "Hyperdiploid",
            "no",
            "no",
            "",
            "no",
            "expression",
            "",
        ),
        (
            "RPT_04",
            "unclassified",
            "none",
            0.31,
            "",
            "no",
            "not_assessable",
            "",
            "no",
            "expression",
            "low_tumour_content;out_of_distribution",
        ),
    ]
    rows = []
    for sid, sub, tier, p, cand, phg, phl, kin, dux, dec, qc in spec:
        top = sub if sub in LABELS else "PAX5alt"
        pr = probs(top, p)
        rows.append(
            [
                sid,
                sub,
                tier,
                str(p),
                cand,
                "B",
                phg,
                phl,
                kin,
                dux,
                dec,
                qc,
                "allstrat-bcell/0.1.0",
                sha,
                *["not_applicable", "none", "", "", "", "not_applicable", ""],
                *[str(pr[lab]) for lab in LABELS],
            ]
        )
    return header, rows


def explain():
    ref = {
        "CRLF2": {
            "Ph-like": (7.5, 9.0, 10.1, 11.0, 12.0),
            "other B-ALL": (2.0, 3.5, 4.4, 5.5, 7.0),
        },
        "CLEC12A": {"DUX4": (6.0, 7.2, 8.0, 8.8, 9.9), "other B-ALL": (1.0, 2.0, 2.6, 3.4, 4.8)},
        "SCML1": {
            "Hyperdiploid": (5.0, 6.0, 6.5, 7.0, 8.0),
            "other B-ALL": (3.0, 4.0, 4.6, 5.1, 6.0),
        },
        "MUC4": {"Ph-like": (3.0, 5.0, 6.2, 7.1, 8.5), "other B-ALL": (0.0, 0.5, 1.0, 1.8, 3.0)},
    }
    keys = ("q05", "q25", "median", "q75", "q95")

    def gene(g, value, ref_group):
        return {
            "gene": g,
            "value": value,
            "direction": "up",
            "reference": {
                k: dict(zip(keys, v, strict=True))
                for k, v in ref[g].items()
                if k in (ref_group, "other B-ALL")
            },
        }

    return {
        "model_id": "allstrat-bcell/0.1.0",
        "unit": "log2 CPM",
        "samples": {
            # layout of allstrat.classify (top_features; one reference mean/sd per gene)
            "RPT_01": {
                "sample_id": "RPT_01",
                "decided_by": "expression",
                "explained_class": "Ph-like",
                "top_probabilities": {"Ph-like": 0.91, "DUX4": 0.018},
                "decision": {"top_class": "Ph-like", "rule": "gep_score"},
                "missing_panel_genes": [],
                "top_features": [
                    {
                        "feature": "expr:CRLF2",
                        "contribution": 1.8,
                        "kind": "gene",
                        "gene": "CRLF2",
                        "measured": True,
                        "log2_cpm": 11.4,
                        "reference_mean": 4.6,
                        "reference_sd": 1.5,
                        "z": 4.53,
                    },
                    {
                        "feature": "sig:Ph-like",
                        "contribution": 1.1,
                        "kind": "signature",
                        "value": 2.7,
                        "reference_mean": 0.0,
                    },
                    {
                        "feature": "expr:MUC4",
                        "contribution": 0.7,
                        "kind": "gene",
                        "gene": "MUC4",
                        "measured": True,
                        "log2_cpm": 6.9,
                        "reference_mean": 1.3,
                        "reference_sd": 1.2,
                        "z": 4.67,
                    },
                ],
            },
            "RPT_02": {
                "decided_by": "expression",
                "rule": "gep_score",
                "top_genes": [gene("CLEC12A", 8.3, "DUX4")],
                "note": "DUX4 read counts are unreliable (D4Z4 repeats); call rests on GEP",
            },
            "RPT_03": {
                "decided_by": "expression",
                "rule": "gep_score",
                "top_genes": [gene("SCML1", 6.8, "Hyperdiploid")],
            },
            "RPT_04": {"decided_by": "expression", "rule": "below_threshold", "top_genes": []},
        },
    }


def genome(extra):
    """Whole-chromosome segments at log2 0 plus `extra` focal segments (split around them)."""
    segs = []
    for c in AUTOSOMES:
        segs.append(
            {
                "chrom": c,
                "start": 1,
                "end": LEN.get(c, 50_000_000),
                "log2": 0.0,
                "cn": 2.0,
                "state": "normal",
            }
        )
    return segs + extra


def cn_rows_and_evidence():
    genes = ["IKZF1", "CDKN2A", "CDKN2B", "PAX5", "ERG", "ETV6", "RB1", "BTG1", "EBF1", "PAR1"]
    header = [
        "sample_id",
        "cn_source",
        *[f"{g.lower()}_status" for g in genes],
        "ikzf1_deletion_type",
        "ikzf1plus",
        "dux4_erg",
        "modal_chromosome_number",
        "karyotype_class",
        "favourable_trisomies",
        "masked_hypodiploidy_warning",
        "iamp21",
        "ukall_cna_profile",
        "cn_qc_flags",
    ]
    normal = dict.fromkeys(genes, "normal")
    s1 = {
        **normal,
        "IKZF1": "deleted",
        "PAX5": "deleted",
        "CDKN2A": "homozygous_deleted",
        "CDKN2B": "homozygous_deleted",
        "PAR1": "deleted",
    }
    s2 = {**normal, "IKZF1": "deleted", "ERG": "deleted"}
    s3 = dict(normal)
    s4 = dict.fromkeys(genes, "not_assessable")
    rows = [
        [
            "RPT_01",
            "DNA",
            *[s1[g] for g in genes],
            "Δ4–7",
            "positive",
            "no",
            "46",
            "diploid",
            "",
            "no",
            "no",
            "poor",
            "",
        ],
        [
            "RPT_02",
            "DNA",
            *[s2[g] for g in genes],
            "whole gene (Δ1–8)",
            "negative",
            "DUX4-r/ERG-deleted",
            "46",
            "diploid",
            "",
            "no",
            "no",
            "poor",
            "",
        ],
        [
            "RPT_03",
            "RNA",
            *[s3[g] for g in genes],
            "",
            "negative",
            "no",
            "55",
            "high_hyperdiploid",
            "+4;+10;+17",
            "no",
            "no",
            "not_assessable",
            "rna_derived",
        ],
        [
            "RPT_04",
            "none",
            *[s4[g] for g in genes],
            "",
            "not_assessable",
            "not_assessable",
            "",
            "not_assessable",
            "",
            "not_assessable",
            "not_assessable",
            "not_assessable",
            "no_copy_number_data",
        ],
    ]
    ikzf1 = {
        "chrom": "chr7",
        "start": 50_330_000,
        "end": 50_370_000,
        "log2": -0.85,
        "cn": 1.0,
        "state": "deleted",
    }
    cdkn2 = {
        "chrom": "chr9",
        "start": 21_900_000,
        "end": 22_100_000,
        "log2": -2.3,
        "cn": 0.1,
        "state": "homozygous_deleted",
    }
    pax5 = {
        "chrom": "chr9",
        "start": 36_900_000,
        "end": 37_000_000,
        "log2": -0.9,
        "cn": 1.0,
        "state": "deleted",
    }
    par1 = {
        "chrom": "chrX",
        "start": 1_250_000,
        "end": 1_480_000,
        "log2": -0.8,
        "cn": 1.0,
        "state": "deleted",
    }
    erg = {
        "chrom": "chr21",
        "start": 38_450_000,
        "end": 38_520_000,
        "log2": -0.7,
        "cn": 1.1,
        "state": "deleted",
    }
    ik_whole = {
        "chrom": "chr7",
        "start": 49_800_000,
        "end": 51_200_000,
        "log2": -0.8,
        "cn": 1.0,
        "state": "deleted",
    }
    thresholds = {"homdel_cn_max": 0.5, "del_cn_max": 1.5, "gain_cn_min": 2.5, "amp_cn_min": 4.5}
    ev = {
        # layout of allstrat.copynumber: arm states + per-lesion segments, no genome list
        "RPT_01": {
            "cn_source": "DNA",
            "ploidy": {
                "modal_chromosome_number": 46,
                "karyotype_class": "diploid",
                "chromosomes": {
                    c: {"p_state": 2, "q_state": 1 if c == "chr9" else 2, "whole_state": 2}
                    for c in AUTOSOMES
                },
            },
            "calls": {
                "IKZF1": {"status": "deleted", "flags": [], "segments": [ikzf1]},
                "CDKN2A": {"status": "homozygous_deleted", "flags": [], "segments": [cdkn2]},
                "PAX5": {"status": "deleted", "flags": [], "segments": [pax5]},
                "PAR1": {"status": "deleted", "flags": [], "segments": [par1]},
            },
            "ikzf1plus": {"result": "positive", "reason": "IKZF1 deleted + CDKN2A/B homozygous"},
            "thresholds": thresholds,
            "lesions": {
                "IKZF1": {
                    "status": "deleted",
                    "region": "chr7:50304068-50405101",
                    "coverage": 1.0,
                    "exons_deleted": "4-7",
                },
                "CDKN2A": {"status": "homozygous_deleted", "coverage": 1.0},
            },
        },
        "RPT_02": {"segments": genome([ik_whole, erg]), "thresholds": thresholds},
        "RPT_03": {
            "segments": [
                {
                    "chrom": c,
                    "start": 1,
                    "end": LEN.get(c, 50_000_000),
                    "log2": 0.58
                    if c in ("chr4", "chr6", "chr10", "chr14", "chr17", "chr18", "chr21", "chrX")
                    else 0.0,
                    "state": "gained"
                    if c in ("chr4", "chr6", "chr10", "chr14", "chr17", "chr18", "chr21", "chrX")
                    else "normal",
                }
                for c in AUTOSOMES
            ],
            "method": "expression-derived chromosome dosage",
        },
        "RPT_04": {
            "reason": "no copy-number file and too few expressed genes for RNA-derived calls"
        },
    }
    ev["RPT_03"]["allelic"] = rna_allelic()
    # allele-evidence columns of the copy-number stage: RPT_03 has an RNA VCF
    header = [*header[:-1], "allelic_evidence", "loh_chromosomes", "hotspot_mutations",
              "driver_mutations", "oncogenetic_class", header[-1]]  # fmt: skip
    na = ";".join(f"{g}=not_assessable" for g in ("NOTCH1", "FBXW7", "KRAS", "NRAS", "PTEN"))
    rows = [
        [*r[:-1], "assessed" if r[0] == "RPT_03" else "not_given", "", "", na, "not_assessable",
         r[-1]]
        for r in rows
    ]  # fmt: skip
    return header, rows, ev


def rna_allelic() -> dict:
    """RPT_03's allele evidence: the allelic module on the Strelka2 hyperdiploid fixture VCF.

    (tests/data/variants/strelka2_hyperdiploid.vcf.gz: +4 +6 +10 +14 +17 +18 +X at 1:2,
    +21 +21 at 2:2, blast fraction 0.9), with the gene-level build check.
    """
    from allstrat.copynumber.allelic import summarise_sites
    from allstrat.copynumber.build_check import check_build, common_gene_spans
    from allstrat.copynumber.resources import load_gene_coordinates_grch37
    from allstrat.io.gene_table import load_gene_table
    from allstrat.io.variants import read_vcf

    vcf = HERE.parent / "variants" / "strelka2_hyperdiploid.vcf.gz"
    calls = read_vcf(vcf, samples=["RPT_03"])["RPT_03"]
    out = summarise_sites(calls.sites, blast_fraction=0.9)
    out["input"] = {**calls.summary(), "file": "variants/RPT_03.vcf.gz"}
    spans = common_gene_spans(load_gene_table().table, load_gene_coordinates_grch37())
    out["build_check"] = {
        **check_build(calls.sites, "GRCh38", spans=spans),
        "file": "variants/RPT_03.vcf.gz",
    }
    return json.loads(json.dumps(out))  # plain JSON types (numpy scalars -> numbers)


def risk_rows_and_traces():
    header = [
        "sample_id",
        "protocol",
        "ruleset_version",
        "risk_group",
        "minimum_group",
        "possible_groups",
        "decided_by_rule",
        "missing_inputs",
        "annotations",
    ]
    rows = []
    traces = {}
    spec = {
        "RPT_01": [
            ("nci_rome", "HR", "nci.hr", "", ""),
            (
                "aieop_bfm_2017",
                "HR",
                "bfm17.ikzf1plus",
                "",
                "IKZF1plus;JAK-STAT inhibitor trial eligibility",
            ),
            ("dcog_all11", "MR", "all11.mr", "", "IKZF1-deleted: maintenance +1 year"),
        ],
        "RPT_02": [
            ("nci_rome", "SR", "nci.sr", "", ""),
            ("aieop_bfm_2017", "MR", "bfm17.mr", "", ""),
            ("dcog_all11", "MR", "all11.mr", "", "IKZF1-deleted: maintenance +1 year"),
        ],
        "RPT_03": [
            ("nci_rome", "SR", "nci.sr", "", ""),
            ("aieop_bfm_2017", "SR", "bfm17.sr", "", ""),
            ("dcog_all11", "SR", "all11.sr", "", ""),
        ],
        "RPT_04": [
            ("nci_rome", "indeterminate", "", "age_years;wbc", ""),
            ("aieop_bfm_2017", "indeterminate", "", "mrd_pcr_d33;mrd_pcr_d78", ""),
            ("dcog_all11", "indeterminate", "", "mrd_pcr_tp1;mrd_pcr_tp2", ""),
        ],
    }
    for sid, items in spec.items():
        traces[sid] = {}
        for proto, group, rule, missing, ann in items:
            possible = (
                {"nci_rome": "SR;HR", "aieop_bfm_2017": "SR;MR;HR", "dcog_all11": "SR;MR;HR"}[proto]
                if missing
                else group
            )
            minimum = possible.split(";")[0]
            rows.append([sid, proto, "2026.1", group, minimum, possible, rule, missing, ann])
            # layout of allstrat.risk (ordered rules, facts used, settings)
            traces[sid].setdefault("protocols", {})[proto] = {
                "protocol": proto,
                "ruleset_version": "2026.1",
                "risk_group": group,
                "rules": [
                    {
                        "id": f"{proto}.infant",
                        "when": "age_years < 1",
                        "group": "n/a",
                        "outcome": "unknown" if missing else "not fired",
                        "missing": missing.split(";") if missing else [],
                    },
                    {
                        "id": rule or f"{proto}.fallback",
                        "when": "see rule set",
                        "group": group,
                        "outcome": "unknown" if missing else "fired",
                    },
                ],
                "facts": {"age_years": {"value": None if missing else 7, "source": "clinical"}},
                "settings": {"mrd_threshold": {"value": 0.001, "verified": False}},
            }
        traces[sid]["pharmacogenetics"] = {
            "TPMT": "NM",
            "NUDT15": "not_assessable",
            "note": "no genotype given",
        }
    return header, rows, traces


def write_tsv(path: Path, header, rows) -> None:
    text = "\t".join(header) + "\n" + "".join("\t".join(r) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    h, r = classify_rows()
    write_tsv(HERE / "classify.tsv", h, r)
    (HERE / "classify.explain.json").write_text(json.dumps(explain(), indent=1) + "\n")
    h, r, ev = cn_rows_and_evidence()
    write_tsv(HERE / "copynumber.tsv", h, r)
    (HERE / "copynumber.evidence.json").write_text(json.dumps({"samples": ev}, indent=1) + "\n")
    h, r, tr = risk_rows_and_traces()
    write_tsv(HERE / "risk.tsv", h, r)
    rulesets = {
        p: {"version": "2026.1", "sha256": f"{i}" * 64, "file": f"resources/risk/{p}.yaml"}
        for i, p in enumerate(["aieop_bfm_2017", "dcog_all11", "nci_rome"], start=1)
    }
    (HERE / "risk.traces.json").write_text(
        json.dumps({"rulesets": rulesets, "samples": tr}, indent=1, ensure_ascii=False) + "\n"
    )
    sheet = "sample_id\texpression\texpression_format\n" + "".join(
        f"{s}\ttests/data/report/counts.tsv\tmatrix\n" for s in SAMPLES
    )
    (HERE / "samples.tsv").write_text(sheet)
    counts = (
        "gene_symbol\t" + "\t".join(SAMPLES) + "\nCRLF2\t900\t10\t30\t5\nCLEC12A\t4\t400\t8\t6\n"
    )
    (HERE / "counts.tsv").write_text(counts)


if __name__ == "__main__":
    main()
