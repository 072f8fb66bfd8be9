# Stage 2: read, validate and harmonise the expression files of one chunk of samples.
# Logic lives in `allstrat import-expression` (allstrat.io.expression); this rule only wires it.


def expression_inputs(wildcards):
    """The expression files of the chunk's samples (a cohort matrix is listed once)."""
    files = SAMPLES.loc[CHUNKS[wildcards.chunk], "expression"]
    return sorted({f for f in files if f})


rule import_expression:
    input:
        sheet=config["samples"],
        expression=expression_inputs,
    output:
        h5ad="results/expression/chunk_{chunk}.h5ad",
    log:
        "logs/expression/import_expression_{chunk}.log",
    resources:
        mem_mb=4000,
        runtime=30,
        cpus_per_task=1,
    params:
        samples_per_job=config["batching"]["samples_per_job"],
        star_strandedness=config["expression"]["star_strandedness"],
        min_mapped_fraction=config["expression"]["min_mapped_fraction"],
    shell:
        "allstrat import-expression --sheet {input.sheet:q} --chunk {wildcards.chunk}"
        " --samples-per-job {params.samples_per_job}"
        " --star-strandedness {params.star_strandedness}"
        " --min-mapped-fraction {params.min_mapped_fraction}"
        " --out {output.h5ad} > {log} 2>&1"
