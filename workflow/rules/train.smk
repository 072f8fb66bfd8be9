# Retraining target: `snakemake train` (not part of `rule all`).
# A labelled cohort (sample sheet + labels TSV with sample_id, subtype) -> a new model
# version folder models/<name>/<version>/ (model.joblib, model.json, metrics.json). With
# train.simulate true and no cohort on disk, a class-balanced synthetic cohort is generated
# first (allstrat simulate, seed train.seed, different from the demo seed). An existing
# version folder is never overwritten: set train.version to a new value to retrain.
# User paths are shell-quoted (:q): a file name is data, never code.

import json
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
        section=json.dumps(TRAIN, sort_keys=True),
        simulated_from=SIMULATE_CMD if TRAIN["simulate"] else "",
    shell:
        "allstrat train --sheet {input.sheet:q} --labels {input.labels:q}"
        " --out-dir {params.out_dir:q} --config-section {params.section:q}"
        " --simulated-from {params.simulated_from:q} > {log:q} 2>&1"


rule train:
    input:
        rules.train_model.output.card,


# Second-stage T-ALL subgroup model: `snakemake train_tall` (config train_tall; same scheme).
TRAIN_TALL = config["train_tall"]
TRAIN_TALL_DIR = f"{TRAIN_TALL['out_dir']}/{TRAIN_TALL['name']}/{TRAIN_TALL['version']}"
SIMULATE_TALL_CMD = (
    f"allstrat simulate --n-samples {int(TRAIN_TALL['n_samples'])}"
    f" --seed {int(TRAIN_TALL['seed'])}"
    " --subtype-balance tall --layout cohort --sample-prefix TRT"
    f" --out {shlex.quote(str(Path(TRAIN_TALL['samples']).parent))}"
)


if TRAIN_TALL["simulate"]:

    rule simulate_training_cohort_tall:
        output:
            sheet=TRAIN_TALL["samples"],
            labels=TRAIN_TALL["labels"],
        log:
            "logs/train/simulate_training_cohort_tall.log",
        conda:
            "../envs/allstrat.yaml"
        resources:
            mem_mb=8000,
            runtime=30,
            cpus_per_task=1,
        params:
            command=SIMULATE_TALL_CMD,
        shell:
            "{params.command} > {log:q} 2>&1"


rule train_model_tall:
    input:
        sheet=TRAIN_TALL["samples"],
        labels=TRAIN_TALL["labels"],
    output:
        card=f"{TRAIN_TALL_DIR}/model.json",
        model=f"{TRAIN_TALL_DIR}/model.joblib",
        metrics=f"{TRAIN_TALL_DIR}/metrics.json",
    log:
        f"logs/train/train_model_{TRAIN_TALL['name']}_{TRAIN_TALL['version']}.log",
    conda:
        "../envs/allstrat.yaml"
    resources:
        mem_mb=8000,
        runtime=30,
        cpus_per_task=1,
    params:
        out_dir=lambda wildcards, output: Path(output.card).parents[2],
        section=json.dumps(TRAIN_TALL, sort_keys=True),
        simulated_from=SIMULATE_TALL_CMD if TRAIN_TALL["simulate"] else "",
    shell:
        "allstrat train --panel tall --label-column tall_subgroup"
        " --sheet {input.sheet:q} --labels {input.labels:q}"
        " --out-dir {params.out_dir:q} --config-section {params.section:q}"
        " --simulated-from {params.simulated_from:q} > {log:q} 2>&1"


rule train_tall:
    input:
        rules.train_model_tall.output.card,
