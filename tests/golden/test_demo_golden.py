"""Golden whole-chain test: the demo's calls.tsv and per-sample JSON stay as stored.

The demo (60 simulated samples, ``config/config.yaml``, shipped model) is run through the
real workflow in a tmp directory and compared with ``tests/data/golden/``: ``calls.tsv``
byte for byte, every per-sample JSON field for field (floats to 1e-9 relative), except the
machinery parts of ``provenance`` listed in ``golden_demo.py``. A refactor must leave this
green; a change that is meant to alter results regenerates the golden files on purpose
(``python tests/golden/golden_demo.py``) and states why in its commit message.
"""

from __future__ import annotations

import pytest

from .golden_demo import differences, golden_form, read_golden, run_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, dict]]:
    """Golden form of one fresh demo run."""
    return golden_form(run_demo(tmp_path_factory.mktemp("golden") / "wd"))


def test_calls_table_is_unchanged(demo_run) -> None:
    expected, _ = read_golden()
    actual, _ = demo_run
    if actual != expected:
        exp, act = expected.splitlines(), actual.splitlines()
        diff = [f"line {i + 1}:\n  expected {e}\n  actual   {a}"
                for i, (e, a) in enumerate(zip(exp, act, strict=False)) if e != a]  # fmt: skip
        pytest.fail(f"calls.tsv differs ({len(act)} vs {len(exp)} lines):\n" + "\n".join(diff[:10]))


def test_sample_json_is_unchanged(demo_run) -> None:
    _, expected = read_golden()
    _, actual = demo_run
    assert sorted(actual) == sorted(expected)
    diffs = [f"{sid}{d}" for sid in sorted(expected)
             for d in differences(expected[sid], actual[sid])]  # fmt: skip
    assert not diffs, f"{len(diffs)} differences, first 20:\n" + "\n".join(diffs[:20])


def test_differences_reports_what_changed() -> None:
    """The comparison itself: tolerant to float noise, strict on everything else."""
    a = {"x": [1, 2.0, "B"], "p": 0.5}
    assert differences(a, {"x": [1, 2.0 + 1e-13, "B"], "p": 0.5}) == []
    assert differences(a, {"x": [1, 2.0, "T"], "p": 0.5}) == ["/x[2]: T (expected B)"]
    assert differences(a, {"x": [1, 2.0, "B"], "p": 0.6}) == ["/p: 0.6 (expected 0.5)"]
    assert differences(a, {"x": [1, 2.0], "p": 0.5}) == ["/x: 2 items, expected 3"]
    assert differences({"k": 1}, {"k": "1"}) == ["/k: 1 (expected 1)"]
