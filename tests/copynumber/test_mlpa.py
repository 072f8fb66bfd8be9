"""MLPA probe calls with blast-fraction-aware thresholds, build checks, IKZF1 type, PAR1."""

from __future__ import annotations

import pandas as pd
import pytest

from allstrat.copynumber import CopyNumberSettings, call_from_mlpa
from allstrat.copynumber.mlpa import MlpaThresholds, probe_state
from allstrat.errors import InputError

P335 = {  # gene: number of probes (illustrative panel; positions inside GRCh38 genes)
    "IKZF1": 8,
    "CDKN2A": 2,
    "CDKN2B": 2,
    "PAX5": 6,
    "ETV6": 5,
    "RB1": 4,
    "BTG1": 3,
    "EBF1": 4,
    "CRLF2": 2,
    "CSF2RA": 2,
    "IL3RA": 2,
}


def panel(
    genes,
    ratios: dict[str, float] | None = None,
    exon_ratio: dict[int, float] | None = None,
    *,
    grch37_ikzf1: bool = False,
) -> pd.DataFrame:
    """Probes at evenly spaced positions inside each GRCh38 gene, ratio 1 unless given."""
    ratios = ratios or {}
    rows = []
    for gene, n in P335.items():
        g = genes.loc[gene]
        step = (int(g["end"]) - int(g["start"])) // (n + 1)
        for k in range(1, n + 1):
            pos = int(g["start"]) + k * step
            if gene == "IKZF1" and grch37_ikzf1:
                pos += 40_310 * 3  # beyond the GRCh38 gene, as GRCh37 exon positions are
            r = ratios.get(gene, 1.0)
            if gene == "IKZF1" and exon_ratio and k in exon_ratio:
                r = exon_ratio[k]
            rows.append(
                {
                    "sample_id": "M1",
                    "probe": f"{gene}-{k}",
                    "gene": gene,
                    "exon": str(k) if gene == "IKZF1" else "",
                    "ratio": r,
                    "chrom": g["chrom"],
                    "position": pos,
                }
            )
    return pd.DataFrame(rows)


def test_resolved_thresholds_match_usual_at_full_purity():
    cut = MlpaThresholds().resolve(1.0)
    assert (cut["del_below"], cut["homdel_below"], cut["gain_above"]) == (0.75, 0.25, 1.25)


def test_resolved_thresholds_at_half_purity():
    cut = MlpaThresholds().resolve(0.5)
    # expected het ratio 1 - f/2 = 0.75, hom 1 - f = 0.5
    assert cut["del_below"] == pytest.approx(0.875)
    assert cut["homdel_below"] == pytest.approx(0.625)
    assert probe_state(0.75, cut) == "deleted"
    assert probe_state(0.5, cut) == "homozygous_deleted"
    assert probe_state(0.95, cut) == "normal"
    low = MlpaThresholds().resolve(0.2)  # midpoint 0.95 would sit in the probe noise
    assert (low["del_below"], low["homdel_below"]) == (0.9, 0.8)
    fixed = MlpaThresholds(mode="fixed").resolve(0.5)
    assert probe_state(0.75, fixed) == "normal"  # the usual 0.75 cut-off misses it


def test_unknown_blast_fraction_uses_fixed_and_flags(gene_rows):
    r = call_from_mlpa(
        panel(gene_rows, {"PAX5": 0.5}), sample_id="M1", genes=gene_rows, blast_fraction=None
    )
    assert r.row["pax5_status"] == "deleted"
    assert "blast_fraction_unknown_fixed_mlpa_thresholds" in r.row["cn_qc_flags"]
    assert r.evidence["mlpa_thresholds"]["mode"] == "fixed"


@pytest.mark.parametrize("f", [0.3, 0.5, 0.8, 1.0])
def test_expected_ratios_called_across_blast_fractions(gene_rows, f):
    het, hom = 1 - f / 2, 1 - f
    r = call_from_mlpa(
        panel(gene_rows, {"ETV6": het, "CDKN2A": hom, "CDKN2B": het}),
        sample_id="M1",
        genes=gene_rows,
        blast_fraction=f,
    )
    assert r.row["etv6_status"] == "deleted"
    assert r.row["cdkn2a_status"] == "homozygous_deleted"
    assert r.row["cdkn2b_status"] == "deleted"
    assert r.row["rb1_status"] == "normal"
    probes = r.evidence["calls"]["ETV6"]["probes"]
    assert all(p["state"] == "deleted" for p in probes)
    assert r.evidence["calls"]["ETV6"]["thresholds"]["blast_fraction"] == f


def test_erg_not_on_p335_is_not_assessable(gene_rows):
    r = call_from_mlpa(
        panel(gene_rows, {"IKZF1": 0.5, "PAX5": 0.5}),
        sample_id="M1",
        genes=gene_rows,
        blast_fraction=1.0,
    )
    assert r.row["erg_status"] == "not_assessable"
    assert r.row["ikzf1plus"] == "not_assessable"  # co-lesion present but ERG unknown
    assert r.row["iamp21"] == "not_assessable"
    assert r.row["karyotype_class"] == "not_assessable"


def test_ikzf1_type_from_probe_exons(gene_rows):
    r = call_from_mlpa(
        panel(gene_rows, exon_ratio={4: 0.5, 5: 0.5, 6: 0.5, 7: 0.5}),
        sample_id="M1",
        genes=gene_rows,
        blast_fraction=1.0,
    )
    assert r.row["ikzf1_status"] == "deleted"
    assert r.row["ikzf1_deletion_type"] == "Δ4–7"


def test_par1_from_probes(gene_rows):
    r = call_from_mlpa(
        panel(gene_rows, {"CSF2RA": 0.5, "IL3RA": 0.5}),
        sample_id="M1",
        genes=gene_rows,
        blast_fraction=1.0,
    )
    assert r.row["par1_status"] == "deleted"
    r2 = call_from_mlpa(
        panel(gene_rows, {"CSF2RA": 0.5, "IL3RA": 0.5, "CRLF2": 0.5}),
        sample_id="M1",
        genes=gene_rows,
        blast_fraction=1.0,
    )
    assert r2.row["par1_status"] == "normal"


def test_low_blast_fraction_makes_normals_not_assessable(gene_rows):
    r = call_from_mlpa(
        panel(gene_rows, {"PAX5": 0.87}), sample_id="M1", genes=gene_rows, blast_fraction=0.1
    )
    assert r.row["rb1_status"] == "not_assessable"
    assert r.row["pax5_status"] == "deleted"  # 0.85 <= 0.87 < 0.9 (noise floor): a loss is evidence


def test_grch37_probe_positions_refused(gene_rows):
    with pytest.raises(InputError, match=r"IKZF1.*outside IKZF1 on GRCh38.*lift them over"):
        call_from_mlpa(
            panel(gene_rows, grch37_ikzf1=True),
            sample_id="M1",
            genes=gene_rows,
            blast_fraction=1.0,
            source="m.tsv",
        )


def test_grch37_build_refused(gene_rows):
    with pytest.raises(InputError, match="GRCh37"):
        call_from_mlpa(panel(gene_rows), sample_id="M1", genes=gene_rows, genome_build="GRCh37")


def test_min_probes_per_call(gene_rows):
    s = CopyNumberSettings(mlpa=MlpaThresholds(min_probes_per_call=2))
    single = panel(gene_rows)
    single.loc[single["probe"] == "PAX5-1", "ratio"] = 0.5
    r = call_from_mlpa(single, sample_id="M1", genes=gene_rows, blast_fraction=1.0, settings=s)
    assert r.row["pax5_status"] == "normal"
    r1 = call_from_mlpa(single, sample_id="M1", genes=gene_rows, blast_fraction=1.0)
    assert r1.row["pax5_status"] == "deleted"
    assert "pax5_single_probe_call" in r1.row["cn_qc_flags"]
