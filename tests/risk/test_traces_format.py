"""The compact traces file (format 2) expands to exactly the format-1 traces.

Format 1 wrote every rule's text, condition, sources and settings for every sample and
protocol; format 2 writes them once per chunk (:mod:`allstrat.io.risk_traces`). The
reports read the expanded entries (and hash them for their provenance), so the expansion
must give the same entries, key order included, as format 1 gave.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from allstrat.errors import InputError
from allstrat.io.output import json_text
from allstrat.io.risk_traces import read_risk_traces
from allstrat.risk import assign_risk, evaluate_protocol, load_rulesets
from allstrat.risk.traces import TRACES_FORMAT, expand_traces

from .test_memo import _chunk

DIGESTS = Path(__file__).parents[1] / "data" / "risk" / "traces_v1_digests.json"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[dict, Path]:
    """The traces document of the test chunk and the file written from it."""
    _, traces = assign_risk(load_rulesets(None), **_chunk())
    path = tmp_path_factory.mktemp("traces") / "chunk.traces.json"
    path.write_text(json.dumps(traces, sort_keys=True))
    return traces, path


def _digest(entry: dict) -> str:
    return hashlib.sha256(json.dumps(entry).encode()).hexdigest()


def test_expanded_entries_are_the_format_1_entries(written):
    """Every sample's expanded entry is byte for byte what format 1 held.

    To regenerate the digests after an intended trace change, write
    ``{sid: _digest(e) for sid, e in read_risk_traces(path).items() if sid != "__meta__"}``
    (sorted, indented) to the digest file -- with the code that wrote format 1 when the
    layout itself is in question.
    """
    _, path = written
    expected = json.loads(DIGESTS.read_text())
    entries = read_risk_traces(path)
    meta = entries.pop("__meta__")
    assert meta["format"] == TRACES_FORMAT
    got = {sid: _digest(e) for sid, e in entries.items()}
    assert sorted(got) == sorted(expected)
    differing = [sid for sid in expected if got[sid] != expected[sid]]
    assert not differing, f"expanded traces differ from format 1 for {differing[:10]}"


def test_compact_file_is_a_fraction_of_the_full_traces(written):
    traces, path = written
    full = json_text(expand_traces(json.loads(path.read_text())))
    assert path.stat().st_size * 4 < len(full.encode())
    # the rule texts are in the chunk's templates, not in the samples
    rule = traces["rulesets"]["dcog_all11"]["trace_template"]["rules"][0]
    assert rule["description"] not in json.dumps(traces["samples"])


def test_in_memory_document_expands_like_the_file(written):
    traces, path = written
    from_file = read_risk_traces(path)
    expanded = expand_traces(traces)
    assert "format" not in expanded
    assert all("trace_template" not in rs for rs in expanded["rulesets"].values())
    for sid, entry in expanded["samples"].items():
        assert entry == from_file[sid]


def test_evaluate_protocol_gives_the_full_trace():
    rs = load_rulesets(["nci_rome"])[0]
    from allstrat.risk import build_facts

    facts = build_facts("X", classify=None, copynumber=None, clinical=None)
    res = evaluate_protocol(rs, "X", facts)
    assert [e["outcome"] for e in res.trace["rules"]][-1] == "fired" or any(
        e["outcome"] == "not reached" for e in res.trace["rules"]
    )
    assert {"rules", "derived", "annotations", "facts", "title"} <= set(res.trace)
    assert res.trace["rules"][0]["when"] == rs.rules[0].when


def test_format_1_is_read_as_is_and_an_unknown_format_is_refused(tmp_path):
    v1 = {"samples": {"A": {"protocols": {}}}, "rulesets": {}}
    p = tmp_path / "v1.json"
    p.write_text(json.dumps(v1))
    assert read_risk_traces(p)["A"] == {"protocols": {}}
    p.write_text(json.dumps({**v1, "format": "allstrat-risk-traces/99"}))
    with pytest.raises(InputError, match="format"):
        read_risk_traces(p)
