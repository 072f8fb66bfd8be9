"""Copy-number normalisation and lesion calls (pure functions on reader DataFrames).

Modules: :mod:`segments` (diploid baseline, purity, absolute copy number),
:mod:`lesions` (gene / exon states, IKZF1 type, PAR1), :mod:`mlpa` (probe calls),
:mod:`ploidy` (arm states, modal number, karyotype class, masked hypodiploidy, iAMP21),
:mod:`ikzf1plus`, :mod:`ukall`, :mod:`rna_dosage` (expression-derived chromosome dosage)
and :mod:`caller` (one output row + evidence per sample).
"""

from allstrat.copynumber.caller import (
    CopyNumberSettings,
    SampleResult,
    call_from_gene_calls,
    call_from_mlpa,
    call_from_segments,
    call_without_copy_number,
    combine_dux4_erg,
)
from allstrat.copynumber.ikzf1plus import call_ikzf1plus
from allstrat.copynumber.segments import find_diploid_baseline, normalise_segments
from allstrat.copynumber.ukall import ukall_cna_profile

__all__ = [
    "CopyNumberSettings",
    "SampleResult",
    "call_from_gene_calls",
    "call_from_mlpa",
    "call_from_segments",
    "call_ikzf1plus",
    "call_without_copy_number",
    "combine_dux4_erg",
    "find_diploid_baseline",
    "normalise_segments",
    "ukall_cna_profile",
]
