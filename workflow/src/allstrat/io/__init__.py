"""All code that reads user input files or writes outputs lives in this package.

Readers return plain pandas / AnnData objects with the column contracts documented in
each reader module and raise :class:`allstrat.errors.InputError` naming file, line or
sample on malformed input. Writers are atomic (see :mod:`allstrat.io.output`).
"""

# the public API is the reader / writer modules themselves (one per input kind)
__all__ = [
    "chunk",
    "clinical",
    "cohort",
    "copynumber_readers",
    "counts_input",
    "expression",
    "fusions",
    "gene_table",
    "output",
    "risk_inputs",
    "rnaseqcnv",
    "samples",
    "training",
]
