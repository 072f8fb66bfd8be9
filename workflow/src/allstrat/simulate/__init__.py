"""Synthetic paediatric ALL cohorts for demos, tests and model training.

``simulate_cohort(n_samples, seed, ...)`` returns a :class:`SimulatedCohort` held in
memory (counts, truth, genomes and, as they are added, copy-number, fusion and
clinical tables); ``write_cohort(cohort, out_dir, layout=...)`` writes it in the real
input formats plus ``truth.tsv`` and a sample sheet.

The simulator is meant to be realistic and honest about what is hard (Ph vs Ph-like
are not separable by expression, PAX5alt is weak, low blast fractions dilute every
signal); it is never tuned to make a classifier look good.
"""

from allstrat.simulate.cohort import TRUTH_COLUMNS, SimulatedCohort, sample_ids, simulate_cohort

__all__ = ["TRUTH_COLUMNS", "SimulatedCohort", "sample_ids", "simulate_cohort"]
