# Stage 4b: the final subtype call of a chunk, checked against the copy-number stage's
# karyotype and hotspot evidence. Logic lives in `allstrat reconcile`
# (allstrat.classify.consistency); this rule only wires it. Risk, the per-sample reports
# and calls.tsv read results/reconcile/, not results/classify/.

import json


rule reconcile_calls:
    input:
        classify="results/classify/chunk_{chunk}.tsv",
        explain="results/classify/chunk_{chunk}.explain.json",
        copynumber="results/copynumber/chunk_{chunk}.tsv",
        cn_evidence="results/copynumber/chunk_{chunk}.evidence.json",
    output:
        tsv="results/reconcile/chunk_{chunk}.tsv",
        explain="results/reconcile/chunk_{chunk}.explain.json",
    log:
        "logs/reconcile/reconcile_calls_{chunk}.log",
    conda:
        "../envs/allstrat.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
        cpus_per_task=1,
    params:
        section=json.dumps(config["consistency"], sort_keys=True),
    shell:
        "allstrat reconcile --classify {input.classify} --explain {input.explain}"
        " --copynumber {input.copynumber} --cn-evidence {input.cn_evidence}"
        " --config-section {params.section:q}"
        " --out {output.tsv} --out-explain {output.explain} > {log} 2>&1"
