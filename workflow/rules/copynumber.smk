# Stage 4: copy-number lesion calls, ploidy, IKZF1plus and DUX4/ERG for one chunk.
# Logic lives in `allstrat copynumber` (allstrat.copynumber); this rule only wires it.
# Samples without DNA copy number get an RNA-derived dosage estimate from the expression
# chunk (cn_source=RNA); the classify chunk supplies the DUX4 expression call.

import json


rule call_copynumber:
    input:
        sheet=config["samples"],
        # the chunk's copy-number files (a multi-sample file is listed once)
        copy_number=lambda w: sorted(
            {f for f in SAMPLES.loc[CHUNKS[w.chunk]].get("copy_number", []) if f}
        ),
        # the chunk's variant calls (allele evidence, hotspots), so a changed VCF reruns it
        variants=lambda w: sorted(
            {f for f in SAMPLES.loc[CHUNKS[w.chunk]].get("variants", []) if f}
        ),
        expression="results/expression/chunk_{chunk}.h5ad",
        classify="results/classify/chunk_{chunk}.tsv",
    output:
        tsv="results/copynumber/chunk_{chunk}.tsv",
        evidence="results/copynumber/chunk_{chunk}.evidence.json",
    log:
        "logs/copynumber/call_copynumber_{chunk}.log",
    conda:
        "../envs/allstrat.yaml"
    resources:
        mem_mb=4000,
        runtime=30,
        cpus_per_task=1,
    params:
        samples_per_job=config["batching"]["samples_per_job"],
        genome_build=config["genome_build"],
        section=json.dumps(config["copynumber"], sort_keys=True),
        memo=memo_file("copynumber"),
    shell:
        "allstrat copynumber --sheet {input.sheet:q} --chunk {wildcards.chunk}"
        " --samples-per-job {params.samples_per_job}"
        " --expression {input.expression} --classify {input.classify}"
        " --default-genome-build {params.genome_build}"
        " --config-section {params.section:q}"
        " --out {output.tsv} --evidence {output.evidence} --memo={params.memo:q}"
        " > {log} 2>&1"
