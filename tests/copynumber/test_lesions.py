"""Each lesion type on hand-built segments (IKZF1 types, CDKN2A/B, PAX5, ERG, PAR1, ...)."""

from __future__ import annotations

import pytest
from cn_builders import build_segments, exon_span, gene_span

from allstrat.copynumber import call_from_segments
from allstrat.copynumber.lesions import ikzf1_deletion_type, par1_from_states


def _call(genes, chromosomes, exons, *, events=(), whole=None, purity=1.0, dux4=None, **kw):
    df = build_segments(events=list(events), whole=whole, purity=purity, **kw)
    return call_from_segments(
        df,
        sample_id="S1",
        genes=genes,
        chromosomes=chromosomes,
        exons=exons,
        blast_fraction=purity,
        dux4=dux4,
    )


def _focal(genes, symbol, cn, pad=5_000):
    c, s, e = gene_span(genes, symbol)
    return (c, s - pad, e + pad, cn)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (1, 8, "whole gene (Δ1–8)"),
        (4, 7, "Δ4–7"),
        (2, 7, "Δ2–7"),
        (2, 3, "Δ2–3"),
        (4, 8, "Δ4–8"),
        (2, 8, "other"),
        (5, 6, "other"),
    ],
)
@pytest.mark.parametrize("purity", [1.0, 0.5])
def test_ikzf1_deletion_types(gene_rows, chromosomes, test_exons, first, last, expected, purity):
    s, e = exon_span(test_exons, "IKZF1", first, last)
    lo = s - 2_000 if first > 1 else gene_span(gene_rows, "IKZF1")[1] - 10_000
    hi = e + 2_000 if last < 8 else gene_span(gene_rows, "IKZF1")[2] + 10_000
    r = _call(gene_rows, chromosomes, test_exons, events=[("chr7", lo, hi, 1)], purity=purity)
    assert r.row["ikzf1_status"] == "deleted"
    assert r.row["ikzf1_deletion_type"] == expected
    ex = r.evidence["calls"]["IKZF1"]["exons"]
    assert [k for k, v in ex.items() if v == "deleted"] == [str(i) for i in range(first, last + 1)]


def test_ikzf1_normal_has_no_type(gene_rows, chromosomes, test_exons):
    r = _call(gene_rows, chromosomes, test_exons)
    assert r.row["ikzf1_status"] == "normal"
    assert r.row["ikzf1_deletion_type"] == ""


def test_ikzf1_type_without_exon_table(gene_rows, chromosomes):
    r = _call(gene_rows, chromosomes, None, events=[_focal(gene_rows, "IKZF1", 1)])
    assert r.row["ikzf1_deletion_type"] == "whole gene (Δ1–8)"
    assert "ikzf1_exon_table_missing" in r.row["cn_qc_flags"]


def test_ikzf1_deletion_type_rules():
    assert ikzf1_deletion_type(set(), range(1, 9)) == ""
    assert ikzf1_deletion_type({4, 5, 6, 7}, range(1, 9)) == "Δ4–7"
    # exon 8 unassessed: Δ4–7 could be Δ4–8 -> not named
    assert ikzf1_deletion_type({4, 5, 6, 7}, range(1, 8)) == "other"


@pytest.mark.parametrize(
    ("cn_a", "cn_b", "state_a", "state_b"),
    [
        (1, 2, "deleted", "normal"),
        (0, 1, "homozygous_deleted", "deleted"),
        (0, 0, "homozygous_deleted", "homozygous_deleted"),
    ],
)
@pytest.mark.parametrize("purity", [1.0, 0.6])
def test_cdkn2a_cdkn2b_mono_vs_biallelic(
    gene_rows, chromosomes, cn_a, cn_b, state_a, state_b, purity
):
    ev = [_focal(gene_rows, "CDKN2A", cn_a, pad=1_000)]
    if cn_b != 2:
        ev.append(_focal(gene_rows, "CDKN2B", cn_b, pad=1_000))
    r = _call(gene_rows, chromosomes, None, events=ev, purity=purity)
    assert r.row["cdkn2a_status"] == state_a
    assert r.row["cdkn2b_status"] == state_b


@pytest.mark.parametrize("gene", ["PAX5", "ETV6", "RB1", "BTG1", "EBF1"])
def test_single_gene_deletions(gene_rows, chromosomes, gene):
    r = _call(gene_rows, chromosomes, None, events=[_focal(gene_rows, gene, 1)], purity=0.7)
    assert r.row[f"{gene.lower()}_status"] == "deleted"
    others = {"PAX5", "ETV6", "RB1", "BTG1", "EBF1", "IKZF1", "CDKN2A"} - {gene}
    assert all(r.row[f"{g.lower()}_status"] == "normal" for g in others)
    segs = r.evidence["calls"][gene]["segments"]
    assert any(s["state"] == "deleted" for s in segs)
    assert r.evidence["thresholds"]["del_cn_max"] == 1.5


def test_erg_intragenic_deletion(gene_rows, chromosomes):
    c, s, _e = gene_span(gene_rows, "ERG")
    r = _call(gene_rows, chromosomes, None, events=[(c, s + 50_000, s + 120_000, 1)], dux4="yes")
    assert r.row["erg_status"] == "deleted"
    assert r.row["dux4_erg"] == "DUX4-r/ERG-deleted"


def test_erg_broad_loss_is_not_an_erg_deletion(gene_rows, chromosomes):
    r = _call(
        gene_rows, chromosomes, None, events=[("chr21", 20_000_000, 46_000_000, 1)], dux4="yes"
    )
    assert r.row["erg_status"] == "normal"
    assert "erg_broad_loss_not_counted" in r.row["cn_qc_flags"]
    assert r.row["dux4_erg"] == "DUX4-r/ERG-intact"


def test_par1_deletion_keeps_crlf2(gene_rows, chromosomes):
    # P2RY8::CRLF2: from inside P2RY8 to just past CRLF2's 3' end side, CRLF2 kept
    _, _crlf2_s, crlf2_e = gene_span(gene_rows, "CRLF2")
    _, p2_s, _ = gene_span(gene_rows, "P2RY8")
    r = _call(gene_rows, chromosomes, None, events=[("chrX", crlf2_e + 10_000, p2_s + 40_000, 1)])
    assert r.row["par1_status"] == "deleted"
    ev = r.evidence["calls"]["PAR1"]["genes"]
    assert ev["CRLF2"]["state"] == "normal"
    assert ev["CSF2RA"]["state"] == "deleted"


def test_par1_loss_including_crlf2_is_not_counted(gene_rows, chromosomes):
    _, crlf2_s, _ = gene_span(gene_rows, "CRLF2")
    _, p2_s, _ = gene_span(gene_rows, "P2RY8")
    r = _call(gene_rows, chromosomes, None, events=[("chrX", crlf2_s - 10_000, p2_s + 40_000, 1)])
    assert r.row["par1_status"] == "normal"
    assert "par1_loss_includes_crlf2" in r.row["cn_qc_flags"]


def test_par1_from_states_truth():
    assert par1_from_states({"CRLF2": "normal", "CSF2RA": "deleted", "IL3RA": "deleted"})[0] == (
        "deleted"
    )
    assert par1_from_states({})[0] == "not_assessable"
    assert par1_from_states({"CRLF2": "normal", "CSF2RA": "normal", "IL3RA": "normal"})[0] == (
        "normal"
    )


def test_uncovered_gene_is_not_assessable(gene_rows, chromosomes):
    df = build_segments()
    c, _s, _e = gene_span(gene_rows, "PAX5")
    df = df[~(df["chrom"] == c)]  # no chr9 data at all
    r = call_from_segments(
        df, sample_id="S1", genes=gene_rows, chromosomes=chromosomes, exons=None, blast_fraction=1.0
    )
    assert r.row["pax5_status"] == "not_assessable"
    assert r.row["cdkn2a_status"] == "not_assessable"
    assert r.row["modal_chromosome_number"] == ""
    assert r.row["karyotype_class"] == "not_assessable"


def test_low_purity_deletion_still_called_with_known_blast_fraction(gene_rows, chromosomes):
    r = _call(gene_rows, chromosomes, None, events=[_focal(gene_rows, "PAX5", 1)], purity=0.3)
    assert r.row["pax5_status"] == "deleted"
