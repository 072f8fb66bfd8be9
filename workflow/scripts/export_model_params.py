"""Export an existing model's prediction parameters to ``model.params.npz``.

:func:`allstrat.models.save_model` does this for every new model. For a model trained
before the export existed, this script loads (and verifies) ``model.joblib``, writes
``model.params.npz`` next to it (:func:`allstrat.models.write_params`) and adds
``params_file`` / ``params_sha256`` to its card. The pickle stays the source of truth: the
file is derived from it, records the pickle's sha256, and
``tests/classify/test_compiled.py`` checks that every shipped ``model.params.npz`` equals a
fresh export and predicts bit-identically. Run from the checkout root::

    python workflow/scripts/export_model_params.py \
        models/allstrat-bcp/1.0.0 models/allstrat-tall/1.0.0
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from allstrat.io.output import write_json
from allstrat.models import load_model, write_params


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="+", help="model folders")
    args = ap.parse_args()
    for folder in args.models:
        d = Path(folder)
        card = json.loads((d / "model.json").read_text(encoding="utf-8"))
        card.pop("params_file", None)
        card.pop("params_sha256", None)
        loaded = load_model(d)  # verifies the card and the pickle's checksum
        fields = write_params(loaded.estimator, d, model_sha256=loaded.sha256)
        if not fields:
            raise SystemExit(f"{d}: this estimator cannot be exported (predicts via sklearn)")
        write_json(d / "model.json", {**card, **fields})
        print(f"{d}: {fields['params_file']} sha256 {fields['params_sha256'][:12]}")


if __name__ == "__main__":
    main()
