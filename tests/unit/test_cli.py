"""Every CLI verb has --help and user errors exit 2 with one clear line."""

from __future__ import annotations

import pytest

from allstrat.cli import build_parser, main


def _verbs() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "verb")
    return sorted(sub.choices)


def test_core_verbs_exist():
    assert {"genes"} <= set(_verbs())


@pytest.mark.parametrize("verb", _verbs())
def test_every_verb_has_help(verb, capsys):
    with pytest.raises(SystemExit) as exc:
        main([verb, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"allstrat {verb}" in out
    assert len(out.splitlines()) >= 3
