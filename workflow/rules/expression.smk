# Stage 2: read, validate and harmonise the expression files of one chunk of samples.
# Logic lives in `allstrat import-expression` (allstrat.io.cohort); this rule only wires it.


import json


rule import_expression:
    input:
        sheet=config["samples"],
        # the chunk's expression files; a cohort matrix shared by samples is listed once
        expression=lambda wc: sorted(
            {f for f in SAMPLES.loc[CHUNKS[wc.chunk], "expression"] if f}
        ),
    output:
        h5ad="results/expression/chunk_{chunk}.h5ad",
    log:
        "logs/expression/import_expression_{chunk}.log",
    conda:
        "../envs/allstrat.yaml"
    resources:
        mem_mb=4000,
        runtime=30,
        cpus_per_task=1,
    params:
        samples_per_job=config["batching"]["samples_per_job"],
        section=json.dumps(config["expression"], sort_keys=True),
    shell:
        "allstrat import-expression --sheet {input.sheet:q} --chunk {wildcards.chunk}"
        " --samples-per-job {params.samples_per_job}"
        " --config-section {params.section:q}"
        " --out {output.h5ad} > {log} 2>&1"
