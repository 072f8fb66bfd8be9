"""Fuzzing: any bytes given to any reader parse to a valid object or raise our own error.

For every reader the input is either arbitrary bytes or, more usefully, a valid file of
that format (``bad_inputs/valid/``) with random damage: fields replaced by hostile tokens
(empty, NaN, inf, negative, huge, non-ASCII, NUL, quotes, delimiters), lines dropped or
duplicated, the file cut at a random byte, the line ending changed. The property: the
reader returns, or raises :class:`allstrat.errors.AllstratError`; never a ``KeyError``,
``IndexError``, ``ValueError`` ... from inside pandas / numpy. Examples are bounded
(100 per reader, derandomised so CI is reproducible); set ``ALLSTRAT_FUZZ_EXAMPLES=2000``
for a longer, randomised local campaign.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allstrat.errors import AllstratError

from .conftest import CORPUS

VALID = CORPUS / "valid"
TOKENS = [
    "",
    " ",
    "NaN",
    "nan",
    "NA",
    "inf",
    "-inf",
    "-1",
    "-0.5",
    "0",
    "1e308",
    "1e400",
    "99999999999999999999",
    "1.5",
    "abc",
    "chr99",
    "chrUn_gl000220",
    "ENST00000000001",
    "\x00",
    "é",
    "\ufeff",
    '"',
    "'",
    "#",
    "\t",
    ",",
    ";",
    "\r",
    "\\",
    "../..",
    "S1",
    "IKZF1",
    "negative",
    "GRCh37",
]


@st.composite
def damaged(draw: st.DrawFn, template: bytes) -> bytes:
    """A valid file with 1-4 random edits, or arbitrary bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=400))
    text = template.decode()
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["field", "field", "field", "drop", "dup", "cut", "crlf"]))
        k = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "field" and lines:
            fields = lines[k].split("\t")
            j = draw(st.integers(0, len(fields) - 1))
            fields[j] = draw(st.sampled_from(TOKENS) | st.text(max_size=6))
            lines[k] = "\t".join(fields)
        elif op == "drop" and lines:
            del lines[k]
        elif op == "dup" and lines:
            lines.insert(k, lines[k])
        elif op == "crlf":
            lines = [ln + "\r" for ln in lines]
    data = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


def _genes():
    from allstrat.io.gene_table import load_gene_table

    return load_gene_table()


def _readers() -> dict[str, tuple[str, str, Callable[[Path], Any]]]:
    """Reader name -> (template file, file suffix, call)."""
    from allstrat.io import clinical, copynumber_readers, expression, fusions, samples

    return {
        "matrix": ("matrix.tsv", ".tsv", lambda p: expression.read_matrix(p, samples=["S1"])),
        "matrix-all": ("matrix.tsv", ".tsv", lambda p: expression.read_matrix(p)),
        "htseq": ("S1.htseq.counts", ".counts", expression.read_htseq),
        "featurecounts": ("S1.featureCounts.txt", ".txt", expression.read_featurecounts),
        "salmon": ("S1.quant.genes.sf", ".sf", expression.read_salmon),
        "star": ("S1.ReadsPerGene.out.tab", ".tab", expression.read_star),
        "h5ad": ("matrix.tsv", ".h5ad", expression.read_h5ad),
        "seg": ("S1.seg", ".seg", lambda p: copynumber_readers.read_seg(p, samples=["S1"])),
        "cnvkit": ("S1.cns", ".cns", lambda p: copynumber_readers.read_cnvkit(p, sample_id="S1")),
        "mlpa": ("S1.mlpa.tsv", ".tsv", copynumber_readers.read_mlpa),
        "gene_calls": ("S1.gene_calls.tsv", ".tsv", copynumber_readers.read_gene_calls),
        "arriba": (
            "S1.arriba.fusions.tsv",
            ".tsv",
            lambda p: fusions.read_arriba(p, sample_id="S1", genes=_genes()),
        ),
        "starfusion": (
            "S1.star-fusion.tsv",
            ".tsv",
            lambda p: fusions.read_starfusion(p, sample_id="S1", genes=_genes()),
        ),
        "clinical": ("clinical.tsv", ".tsv", clinical.read_clinical),
        "mrd": ("mrd.tsv", ".tsv", clinical.read_mrd),
        "sample_sheet": ("samples.tsv", ".tsv", samples.read_sample_sheet),
    }


READERS = _readers()


def _check(name: str, data: bytes) -> None:
    _, suffix, call = READERS[name]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"input{suffix}"
        p.write_bytes(data)
        with contextlib.suppress(AllstratError):
            call(p)


@pytest.mark.parametrize("name", sorted(READERS))
def test_template_parses(name: str) -> None:
    """Control: the undamaged template is accepted by its reader."""
    template, suffix, call = READERS[name]
    if name == "h5ad":
        pytest.skip("the h5ad reader is fuzzed with text/bytes only (no valid template)")
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"input{suffix}"
        p.write_bytes((VALID / template).read_bytes())
        call(p)


def _fuzz(name: str) -> Callable[[], None]:
    template = (VALID / READERS[name][0]).read_bytes()

    @settings(
        max_examples=int(os.environ.get("ALLSTRAT_FUZZ_EXAMPLES", "100")),
        deadline=None,
        derandomize=not os.environ.get("ALLSTRAT_FUZZ_EXAMPLES"),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=damaged(template))
    def run(data: bytes) -> None:
        _check(name, data)

    return run


@pytest.mark.parametrize("name", sorted(READERS))
def test_reader_never_raises_foreign_exceptions(name: str) -> None:
    """Any damaged input: a parsed object or an AllstratError, nothing else."""
    _fuzz(name)()
