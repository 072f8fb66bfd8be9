"""Argument helpers shared by the per-chunk workflow verbs."""

from __future__ import annotations

import argparse

import pandas as pd

from allstrat.batching import split_chunks
from allstrat.errors import InputError
from allstrat.io.samples import read_sample_sheet


def add_sample_selection(p: argparse.ArgumentParser) -> None:
    """Add ``--sheet``, ``--chunk``, ``--samples-per-job`` and ``--sample``."""
    g = p.add_argument_group("sample selection")
    g.add_argument("--sheet", required=True, help="sample sheet TSV")
    g.add_argument("--chunk", help="chunk id (e.g. 0003) of the workflow's batching")
    g.add_argument("--samples-per-job", type=int, default=250, help="chunk size (default 250)")
    g.add_argument(
        "--sample", action="append", default=[], help="restrict to this sample (repeatable)"
    )


def select_samples(args: argparse.Namespace) -> pd.DataFrame:
    """Read the sheet and return the rows of the selected chunk / samples (sorted by id)."""
    sheet = read_sample_sheet(args.sheet)
    ids = sorted(sheet.index)
    if args.chunk is not None:
        chunks = split_chunks(ids, samples_per_job=args.samples_per_job)
        if args.chunk not in chunks:
            raise InputError(
                f"no chunk {args.chunk!r}; the sheet has chunks {sorted(chunks)}", path=args.sheet
            )
        ids = chunks[args.chunk]
    if args.sample:
        missing = [s for s in args.sample if s not in sheet.index]
        if missing:
            raise InputError(f"sample(s) {missing} not in the sample sheet", path=args.sheet)
        ids = [s for s in ids if s in set(args.sample)]
    return sheet.loc[ids]
