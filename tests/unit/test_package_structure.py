"""Package-structure checks that keep the layout of #15 from eroding.

* Imports flow one way (STYLE.md): the core (normalise, copynumber, classify, risk, tall)
  never imports io, cli or report; no library module imports allstrat.cli.
* Every subpackage states its public API in ``__all__`` (and every name there exists).
* Public functions take at most three positional parameters; the rest are keyword-only.
* No function body in the package is longer than 100 lines.

Exceptions are listed here by name with the reason, so that each one is a decision.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import allstrat

PKG = Path(allstrat.__file__).resolve().parent
CORE = ("normalise", "copynumber", "classify", "risk", "tall")
FORBIDDEN_FOR_CORE = ("allstrat.io", "allstrat.cli", "allstrat.report")
MAX_POSITIONAL = 3
MAX_BODY_LINES = 100

#: public functions with more positional parameters, and why (owner's issue in brackets)
POSITIONAL_EXCEPTIONS = {
    "allstrat.io.fusions.check_build": "io API of the fusion readers (#15 item 5, refactor-io)",
    "allstrat.tall.classify.confidence_tier": "T-ALL second stage, just landed (#16)",
    "allstrat.tall.classify.fusion_evidence": "T-ALL second stage, just landed (#16)",
}
#: function bodies over MAX_BODY_LINES, and why; each is to be split into one function per rule
LENGTH_EXCEPTIONS = {}


def _modules() -> list[Path]:
    return sorted(PKG.rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(PKG).as_posix()


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module an ``import`` / ``from ... import`` names (absolute and relative)."""
    package = ".".join(("allstrat", *path.relative_to(PKG).with_suffix("").parts[:-1]))
    return _imports_in(path.read_text(encoding="utf-8"), package)


def _imports_in(source: str, package: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            out.append((node.lineno, name))
            out += [(node.lineno, f"{name}.{a.name}") for a in node.names]
    return out


def _is_under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _core_files() -> list[Path]:
    files = []
    for name in CORE:
        p = PKG / name
        files += sorted(p.rglob("*.py")) if p.is_dir() else [PKG / f"{name}.py"]
    return files


@pytest.mark.parametrize("path", _core_files(), ids=_rel)
def test_core_never_imports_io_cli_or_report(path):
    bad = [
        f"line {line}: {name}"
        for line, name in _imports(path)
        if any(_is_under(name, f) for f in FORBIDDEN_FOR_CORE)
    ]
    assert not bad, f"{_rel(path)} imports {bad}: core modules stay free of io/cli/report"


def test_no_library_module_imports_the_cli():
    bad = [
        f"{_rel(p)} line {line}: {name}"
        for p in _modules()
        if not _rel(p).startswith("cli/")
        for line, name in _imports(p)
        if _is_under(name, "allstrat.cli")
    ]
    assert not bad, bad


def test_import_checker_sees_relative_and_function_level_imports():
    """The checker must not be fooled by imports inside functions or relative imports."""
    src = "def f():\n    from allstrat.io import output\n\nfrom ..report import html\n"
    names = [n for _, n in _imports_in(src, "allstrat.copynumber")]
    assert "allstrat.io" in names
    assert "allstrat.report" in names
    assert "allstrat.report.html" in names


def _subpackages() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(allstrat.__path__, "allstrat.") if m.ispkg)


@pytest.mark.parametrize("name", _subpackages())
def test_subpackage_states_its_public_api(name):
    mod = importlib.import_module(name)
    assert hasattr(mod, "__all__"), f"{name} has no __all__"
    for entry in mod.__all__:
        if not hasattr(mod, entry):
            importlib.import_module(f"{name}.{entry}")  # a submodule is public API too


def _public_functions() -> list[tuple[str, object]]:
    out = []
    for info in pkgutil.walk_packages(allstrat.__path__, "allstrat."):
        mod = importlib.import_module(info.name)
        for entry in getattr(mod, "__all__", ()):
            obj = getattr(mod, entry, None)
            if inspect.isfunction(obj) and obj.__module__ == mod.__name__:
                out.append((f"{mod.__name__}.{entry}", obj))
    return out


def test_public_functions_take_at_most_three_positional_parameters():
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    found = {}
    for qualname, fn in _public_functions():
        params = inspect.signature(fn).parameters.values()  # type: ignore[arg-type]
        n = sum(p.kind in positional for p in params)
        if n > MAX_POSITIONAL:
            found[qualname] = n
    unexpected = {k: v for k, v in found.items() if k not in POSITIONAL_EXCEPTIONS}
    assert not unexpected, (
        f"public functions with more than {MAX_POSITIONAL} positional parameters "
        f"(make the rest keyword-only): {unexpected}"
    )
    stale = sorted(set(POSITIONAL_EXCEPTIONS) - set(found))
    assert not stale, f"exceptions no longer needed, remove them: {stale}"


def _long_functions() -> dict[str, int]:
    out = {}
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            body = node.body
            if (
                isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
                and len(body) > 1
            ):
                body = body[1:]  # the docstring is documentation, not body
            n = (node.end_lineno or node.lineno) - body[0].lineno + 1
            if n > MAX_BODY_LINES:
                out[f"{_rel(path)}::{node.name}"] = n
    return out


def test_no_function_body_over_100_lines():
    found = _long_functions()
    unexpected = {k: v for k, v in found.items() if k not in LENGTH_EXCEPTIONS}
    assert not unexpected, (
        f"function bodies over {MAX_BODY_LINES} lines (split them, one function per rule): "
        f"{unexpected}"
    )
    stale = sorted(set(LENGTH_EXCEPTIONS) - set(found))
    assert not stale, f"exceptions no longer needed, remove them: {stale}"


#: ``cli/`` as a whole (#15): verbs parse arguments, call a library function, write via io
MAX_CLI_LINES = 1000


def test_cli_stays_thin():
    sizes = {
        _rel(p): len(p.read_text(encoding="utf-8").splitlines()) for p in (PKG / "cli").glob("*.py")
    }
    total = sum(sizes.values())
    assert total < MAX_CLI_LINES, (
        f"cli/ has {total} lines ({sizes}); a verb parses arguments, calls one library "
        "function and writes through allstrat.io: move readers, loops and records into the library"
    )
