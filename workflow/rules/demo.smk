# Stage 1: generate the bundled synthetic demo cohort (only when demo.generate is true).
# Logic lives in `allstrat simulate` (allstrat.simulate); this rule only wires it. The
# outputs are every demo file the sample sheet names plus the clinical / MRD / truth
# tables, so a fresh checkout generates the demo before the first per-chunk job.

from pathlib import Path


def demo_outputs():
    """Files under config demo.out that the sheet and config name (the simulator writes them)."""
    out = Path(config["demo"]["out"])
    files = set()
    for col in ("expression", "copy_number", "fusions"):
        if col in SAMPLES.columns:
            files.update(f for f in SAMPLES[col] if f)
    files.update(config.get(key, "") for key in ("clinical", "mrd"))
    files.add(str(out / "truth.tsv"))
    return sorted(
        f for f in files if f and Path(f).parts[: len(out.parts)] == out.parts
    )


if config["demo"]["generate"]:

    rule simulate_demo:
        output:
            demo_outputs(),
        log:
            "logs/demo/simulate_demo.log",
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
