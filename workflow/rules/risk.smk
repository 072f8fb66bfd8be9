# Stage 5: protocol risk groups with decision traces for one chunk of samples.
# Logic lives in `allstrat risk` (allstrat.risk; rule sets in resources/risk/*.yaml); this
# rule only wires it. An empty `clinical` / `mrd` / `lab_genetics` config value means "not given": every
# rule needing those inputs then reports indeterminate with the missing inputs listed.

import json


rule assign_risk:
    input:
        classify="results/reconcile/chunk_{chunk}.tsv",
        copynumber="results/copynumber/chunk_{chunk}.tsv",
        clinical=lambda w: [config["clinical"]] if config["clinical"] else [],
        mrd=lambda w: [config["mrd"]] if config["mrd"] else [],
        lab=lambda w: [config["lab_genetics"]] if config["lab_genetics"] else [],
        sheet=config["samples"],
    output:
        tsv="results/risk/chunk_{chunk}.tsv",
        traces="results/risk/chunk_{chunk}.traces.json",
    log:
        "logs/risk/assign_risk_{chunk}.log",
    conda:
        "../envs/allstrat.yaml"
    resources:
        # measured peak: 0.3 GB at 250 samples per job, 1.5 GB at 2,500 (benchmarks/bench_scale.py)
        mem_mb=3000,
        runtime=30,
        cpus_per_task=1,
    params:
        section=json.dumps(config["risk"], sort_keys=True),
        memo=memo_file("risk"),
    shell:
        "allstrat risk --classify {input.classify} --copynumber {input.copynumber}"
        " --clinical={input.clinical:q} --mrd={input.mrd:q} --lab-genetics={input.lab:q}"
        " --sample-sheet {input.sheet:q} --config-section {params.section:q}"
        " --out {output.tsv} --traces {output.traces} --memo={params.memo:q} > {log} 2>&1"
