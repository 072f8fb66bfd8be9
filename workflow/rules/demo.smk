# Stage 1: generate the bundled synthetic demo cohort (only when demo.generate is true).
# Logic lives in `allstrat simulate` (allstrat.simulate); this rule only wires it. The
# outputs are every demo file the sample sheet names plus the clinical / MRD / truth
# tables, so a fresh checkout generates the demo before the first per-chunk job.

if config["demo"]["generate"]:

    rule simulate_demo:
        output:
            demo_outputs(),
        log:
            "logs/demo/simulate_demo.log",
        conda:
            "../envs/allstrat.yaml"
        resources:
            mem_mb=2000,
            runtime=10,
            cpus_per_task=1,
        params:
            n_samples=config["demo"]["n_samples"],
            seed=config["demo"]["seed"],
            out=lambda wildcards: config["demo"]["out"],
        shell:
            "allstrat simulate --n-samples {params.n_samples} --seed {params.seed}"
            " --out {params.out} > {log} 2>&1"
