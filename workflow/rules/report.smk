# Stage 6: per-sample JSON + HTML reports, the gathered call table, the cohort AnnData and
# the cohort report. Logic lives in `allstrat report` / `allstrat collect`
# (allstrat.report); these rules only wire it.
#
# Per-sample files are written by one job per chunk (one process renders all samples of a
# chunk). Incremental per sample: the per-sample outputs are update() outputs (Snakemake
# does not delete them before the job), and the job re-renders only samples whose render
# key (record + rendering code) changed or whose files are missing; see
# results/report/sample_keys/ and allstrat.report.samples. The default target asks for
# each chunk's key file, not for the 2 x N per-sample files: Snakemake matches every
# requested file against the output list of each rule that may produce it, which at
# 10,000 samples took 50 M regex matches (quadratic). A per-sample file deleted after its
# chunk was built is asked for by name (common.smk, allstrat.batching.missing_sample_files):
# Snakemake does not rerun a job for a missing update() output nobody requests.
#
# Why one rule per chunk, generated in a loop, and not a `{chunk}` wildcard rule:
# - a chunk's per-sample files are a function of the chunk; Snakemake takes functions for
#   inputs only ("Only input files can be specified as functions", snakemake/snakemake
#   issue 2250, open; programmatic rules or checkpoints are the answers given there);
# - a wildcard rule whose only output is a per-chunk file (key file / manifest) leaves the
#   per-sample files outside the DAG: deleting one sample's report would not be noticed;
#   checkpoints do not change that (they re-evaluate the DAG after a job, they do not
#   declare the files);
# - a per-sample rule (results/samples/{sample}.json) is one job, and one Python process,
#   per sample: benchmarks/bench_dag.py measures the process start (x 10,000 samples)
#   and the DAG of such a rule; job groups do not batch jobs in local execution ("When
#   executing locally, group definitions are ignored", Snakemake docs, Job Grouping).

import json

from allstrat.provenance import config_sha256

REPORT_CONFIG_SHA256 = config_sha256(config)


for _chunk, _ids in CHUNKS.items():

    rule:
        name:
            f"write_sample_reports_{_chunk}"
        input:
            sheet=config["samples"],
            classify=f"results/reconcile/chunk_{_chunk}.tsv",
            explain=f"results/reconcile/chunk_{_chunk}.explain.json",
            copynumber=f"results/copynumber/chunk_{_chunk}.tsv",
            cn_evidence=f"results/copynumber/chunk_{_chunk}.evidence.json",
            risk=f"results/risk/chunk_{_chunk}.tsv",
            traces=f"results/risk/chunk_{_chunk}.traces.json",
            expression=f"results/expression/chunk_{_chunk}.h5ad",
        output:
            # first: Snakemake matches a requested file against a rule's outputs in
            # order, compiling one regex per output (the default target asks for this one)
            render_keys=update(f"results/report/sample_keys/chunk_{_chunk}.json"),
            json=report(
                update(expand("results/samples/{sample}.json", sample=_ids)),
                caption="../report/sample_json.rst",
                category="Samples",
            ),
            html=report(
                update(expand("results/samples/{sample}.html", sample=_ids)),
                caption="../report/sample_report.rst",
                category="Samples",
            ),
        log:
            f"logs/report/write_sample_reports_{_chunk}.log",
        conda:
            "../envs/allstrat.yaml"
        resources:
            mem_mb=3000,
            runtime=30,
            cpus_per_task=1,
        params:
            chunk=_chunk,
            samples_per_job=config["batching"]["samples_per_job"],
            config_sha256=REPORT_CONFIG_SHA256,
            genome_build=config["genome_build"],
        shell:
            "allstrat report samples --sheet {input.sheet:q} --chunk {params.chunk:q}"
            " --samples-per-job {params.samples_per_job}"
            " --default-genome-build {params.genome_build:q}"
            " --classify {input.classify:q} --explain {input.explain:q}"
            " --copynumber {input.copynumber:q} --cn-evidence {input.cn_evidence:q}"
            " --risk {input.risk:q} --traces {input.traces:q} --expression {input.expression:q}"
            " --config-sha256 {params.config_sha256}"
            " --keys {output.render_keys:q}"
            " --outdir results/samples > {log:q} 2>&1"


rule collect_calls:
    input:
        sheet=config["samples"],
        classify=expand("results/reconcile/chunk_{chunk}.tsv", chunk=sorted(CHUNKS)),
        copynumber=expand("results/copynumber/chunk_{chunk}.tsv", chunk=sorted(CHUNKS)),
        risk=expand("results/risk/chunk_{chunk}.tsv", chunk=sorted(CHUNKS)),
        h5ad=expand("results/classify/chunk_{chunk}.h5ad", chunk=sorted(CHUNKS)),
    output:
        calls=report(
            "results/calls.tsv", caption="../report/calls.rst", category="Cohort"
        ),
        h5ad=report(
            "results/cohort.h5ad",
            caption="../report/cohort_h5ad.rst",
            category="Cohort",
        ),
    log:
        "logs/report/collect_calls.log",
    conda:
        "../envs/allstrat.yaml"
    resources:
        mem_mb=16000,
        runtime=60,
        cpus_per_task=1,
    params:
        config_sha256=REPORT_CONFIG_SHA256,
    shell:
        "allstrat collect --sheet {input.sheet:q} --classify {input.classify:q}"
        " --copynumber {input.copynumber:q} --risk {input.risk:q} --h5ad {input.h5ad:q}"
        " --out-calls {output.calls:q} --out-h5ad {output.h5ad:q}"
        " --config-sha256 {params.config_sha256} > {log:q} 2>&1"


rule report_cohort:
    input:
        calls="results/calls.tsv",
        cohort="results/cohort.h5ad",
    output:
        report(
            "results/report/cohort.html",
            caption="../report/cohort_report.rst",
            category="Cohort",
        ),
    log:
        "logs/report/report_cohort.log",
    conda:
        "../envs/allstrat.yaml"
    resources:
        mem_mb=16000,
        runtime=60,
        cpus_per_task=2,
    params:
        section=json.dumps(config["report"], sort_keys=True),
        config_sha256=REPORT_CONFIG_SHA256,
    shell:
        "allstrat report cohort --calls {input.calls:q} --cohort {input.cohort:q}"
        " --config-section {params.section:q} --config-sha256 {params.config_sha256}"
        " --out {output:q} > {log:q} 2>&1"
