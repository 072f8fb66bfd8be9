# Retraining target: `snakemake train` (not part of `rule all`).
# A labelled cohort (sample sheet + labels TSV with sample_id, subtype) -> a new model
# version folder models/<name>/<version>/ (model.joblib, model.json, metrics.json). With
# train.simulate true and no cohort on disk, a class-balanced synthetic cohort is generated
# first (allstrat simulate, seed train.seed, different from the demo seed). An existing
# version folder is never overwritten: set train.version to a new value to retrain.
# User paths are shell-quoted (:q): a file name is data, never code.

import shlex

TRAIN = config["train"]
TRAIN_DIR = f"{TRAIN['out_dir']}/{TRAIN['name']}/{TRAIN['version']}"
SIMULATE_CMD = (
    f"allstrat simulate --n-samples {int(TRAIN['n_samples'])} --seed {int(TRAIN['seed'])}"
    " --subtype-balance uniform --layout cohort --sample-prefix TRN"
    f" --out {shlex.quote(str(Path(TRAIN['samples']).parent))}"
)


if TRAIN["simulate"]:

    rule simulate_training_cohort:
        output:
            sheet=TRAIN["samples"],
            labels=TRAIN["labels"],
        log:
            "logs/train/simulate_training_cohort.log",
        conda:
            "../envs/allstrat.yaml"
        resources:
            mem_mb=8000,
            runtime=30,
            cpus_per_task=1,
        params:
            command=SIMULATE_CMD,
        shell:
            "{params.command} > {log:q} 2>&1"


rule train_model:
    input:
        sheet=TRAIN["samples"],
        labels=TRAIN["labels"],
    output:
        card=f"{TRAIN_DIR}/model.json",
        model=f"{TRAIN_DIR}/model.joblib",
        metrics=f"{TRAIN_DIR}/metrics.json",
    log:
        f"logs/train/train_model_{TRAIN['name']}_{TRAIN['version']}.log",
    conda:
        "../envs/allstrat.yaml"
    resources:
        mem_mb=12000,
        runtime=60,
        cpus_per_task=1,
    params:
        out_dir=lambda wildcards, output: Path(output.card).parents[2],
        name=TRAIN["name"],
        version=TRAIN["version"],
        cv_folds=TRAIN["cv_folds"],
        inner_folds=TRAIN["inner_folds"],
        c_grid=" ".join(str(c) for c in TRAIN["c_grid"]),
        seed=TRAIN["seed_model"],
        simulated_from=SIMULATE_CMD if TRAIN["simulate"] else "",
    shell:
        "allstrat train --sheet {input.sheet:q} --labels {input.labels:q}"
        " --out-dir {params.out_dir:q} --name {params.name:q} --version {params.version:q}"
        " --cv-folds {params.cv_folds} --inner-folds {params.inner_folds}"
        " --c-grid {params.c_grid} --seed {params.seed}"
        " --simulated-from {params.simulated_from:q} > {log:q} 2>&1"


rule train:
    input:
        rules.train_model.output.card,
