# allstrat: childhood ALL subtype calls and protocol risk assignment (research use only).
# Entry point only: configuration, includes and the default target.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/demo.smk"
include: "workflow/rules/expression.smk"
include: "workflow/rules/classify.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/risk.smk"
include: "workflow/rules/copynumber.smk"
include: "workflow/rules/reconcile.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
