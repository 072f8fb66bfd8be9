# Stage 3: subtype calls, probabilities and explanations for one chunk of samples.
# Logic lives in `allstrat classify` (allstrat.classify); this rule only wires it.
# Fusion-caller files of the chunk's samples (sheet columns fusions / fusions_format) are
# merged with the expression call by the ordered rules of allstrat.classify.decide.

import json


rule classify_subtypes:
    input:
        sheet=config["samples"],
        expression="results/expression/chunk_{chunk}.h5ad",
        # the fusion-caller files of the chunk's samples
        fusions=lambda w: sorted(
            {
                f.strip()
                for v in SAMPLES.loc[CHUNKS[w.chunk]].get("fusions", [])
                for f in v.split(";")
                if f.strip()
            }
        ),
        # ETP-ALL immunophenotype of T-lineage samples (empty config value: none given)
        clinical=lambda w: [config["clinical"]] if config["clinical"] else [],
    output:
        tsv="results/classify/chunk_{chunk}.tsv",
        explain="results/classify/chunk_{chunk}.explain.json",
        h5ad="results/classify/chunk_{chunk}.h5ad",
    log:
        "logs/classify/classify_subtypes_{chunk}.log",
    conda:
        "../envs/allstrat.yaml"
    resources:
        mem_mb=4000,
        runtime=30,
        cpus_per_task=1,
    params:
        samples_per_job=config["batching"]["samples_per_job"],
        section=json.dumps(config["classify"], sort_keys=True),
        memo=memo_file("classify"),
    shell:
        "allstrat classify --expression {input.expression}"
        " --sheet {input.sheet:q} --chunk {wildcards.chunk}"
        " --samples-per-job {params.samples_per_job}"
        " --config-section {params.section:q}"
        " --clinical={input.clinical:q}"
        " --out {output.tsv} --explain {output.explain} --h5ad {output.h5ad}"
        " --memo={params.memo:q}"
        " > {log} 2>&1"
