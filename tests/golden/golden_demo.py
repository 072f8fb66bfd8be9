"""Run the demo workflow and reduce its outputs to the golden form (shared by test + regenerate).

The golden form of a run is ``calls.tsv`` verbatim and every per-sample JSON with the
parts of ``provenance`` that describe the *machinery* rather than the *result* removed:
dependency and Python versions, the config hash, and the checksums of intermediate files
under ``results/`` (their bytes legitimately change when a stage's file layout changes).
What stays compared: every call, probability, explanation, lesion, karyotype, risk group
and trace, the model id + sha256, the rule-set versions + sha256, and the checksum of every
raw input under ``resources/``.
"""

from __future__ import annotations

import gzip
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "golden"
SHIPPED_MODEL = ROOT / "models" / "allstrat-bcp" / "1.0.0"

#: provenance keys that describe the machinery, not the result (see module docstring)
_MACHINERY = {"dependencies", "python", "config_sha256", "upstream", "step", "stage",
              "allstrat_version", "package_version", "provenance_schema_version"}  # fmt: skip


def run_demo(wd: Path) -> Path:
    """Run the demo workflow (calls.tsv + per-sample JSON) in ``wd``; return ``wd/results``."""
    shutil.copytree(ROOT / "config", wd / "config")
    cfg = yaml.safe_load((wd / "config" / "config.yaml").read_text())
    cfg["classify"]["model"] = str(SHIPPED_MODEL)
    cfg["report"]["umap"] = False
    (wd / "config" / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    sheet = (wd / "config" / "samples.tsv").read_text().splitlines()[1:]
    targets = ["results/calls.tsv"] + [
        f"results/samples/{line.split(chr(9))[0]}.json" for line in sheet if line.strip()
    ]
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"),
           "--directory", str(wd), "--cores", "2", "--nolock", *targets]  # fmt: skip
    res = subprocess.run(cmd, cwd=wd, capture_output=True, text=True, check=False, timeout=1800)
    if res.returncode != 0:
        raise RuntimeError(f"demo workflow failed:\n{res.stderr[-4000:]}")
    return wd / "results"


def canonical_sample(doc: dict) -> dict:
    """One per-sample JSON without its machinery provenance."""
    doc = json.loads(json.dumps(doc))
    prov = doc.get("provenance", {})
    for key in _MACHINERY:
        prov.pop(key, None)
    prov["inputs"] = sorted(
        ({"path": i["path"], "sha256": i["sha256"]} for i in prov.get("inputs", [])
         if not str(i["path"]).startswith("results/")),
        key=lambda i: i["path"],
    )  # fmt: skip
    return doc


def golden_form(results: Path) -> tuple[str, dict[str, dict]]:
    """(calls.tsv text, {sample_id: canonical JSON}) of one run."""
    samples = {
        p.stem: canonical_sample(json.loads(p.read_text()))
        for p in sorted((results / "samples").glob("*.json"))
    }
    return (results / "calls.tsv").read_text(), samples


def write_golden(results: Path) -> None:
    """Store a run as the golden outputs (deliberate regeneration only)."""
    calls, samples = golden_form(results)
    (GOLDEN / "calls.tsv").write_text(calls)
    payload = json.dumps(samples, sort_keys=True, indent=1).encode()
    with gzip.GzipFile(GOLDEN / "samples.json.gz", "wb", mtime=0) as fh:
        fh.write(payload)


def read_golden() -> tuple[str, dict[str, dict]]:
    """The stored golden outputs."""
    with gzip.open(GOLDEN / "samples.json.gz", "rb") as fh:
        samples = json.loads(fh.read())
    return (GOLDEN / "calls.tsv").read_text(), samples


def differences(expected, actual, path: str = "", *, rel_tol: float = 1e-9) -> list[str]:
    """Readable differences between two JSON values (floats compared with ``rel_tol``)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                out.append(f"{path}/{key}: missing (expected {str(expected[key])[:80]})")
            elif key not in expected:
                out.append(f"{path}/{key}: unexpected {str(actual[key])[:80]}")
            else:
                out += differences(expected[key], actual[key], f"{path}/{key}", rel_tol=rel_tol)
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: {len(actual)} items, expected {len(expected)}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out += differences(e, a, f"{path}[{i}]", rel_tol=rel_tol)
        return out
    numbers = (int, float)
    if (
        (isinstance(expected, float) or isinstance(actual, float))
        and isinstance(expected, numbers)
        and isinstance(actual, numbers)
    ):
        if math.isclose(expected, actual, rel_tol=rel_tol, abs_tol=1e-12):
            return []
    elif type(expected) is type(actual) and expected == actual:
        return []
    return [f"{path}: {str(actual)[:80]!s} (expected {str(expected)[:80]})"]


if __name__ == "__main__":  # pragma: no cover - manual regeneration
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        write_golden(run_demo(Path(tmp)))
    print(f"golden outputs written to {GOLDEN}")
