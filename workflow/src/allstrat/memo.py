"""Per-sample memo of a chunk stage: a rerun redoes only the samples whose inputs changed.

The workflow runs each stage once per chunk of samples (``batching.samples_per_job``), and
Snakemake reruns a chunk's job when any of its input files changes. Without a memo, one
changed sample (its fusion file, its rows of a shared SEG file) costs the whole chunk.
A stage that loops over samples keeps, next to its outputs, one memo file per chunk
(``results/memo/<stage>/chunk_NNNN.json``; not a Snakemake output, so a rerun does not
delete it): for every sample, the digest of everything that sample's result depends on
and the result. On the next run a sample whose digest is unchanged reuses its result;
only the others are computed. The outputs are the same as a run without a memo (tests
compare them byte for byte).

What a digest covers:

* the **context** of the whole stage: allstrat version, a digest of the package's source
  files and bundled resources (so any code or resource change invalidates every entry),
  the stage's settings, model ids/checksums and anything else the caller passes;
* the **sample's own inputs**, as parsed objects (sheet row, its copy-number rows, its
  variant calls, its expression row, upstream calls): :func:`digest` hashes their
  content, not file paths or times.

A memo file that is missing, unreadable, of another format or of another context is
ignored (everything is recomputed) and replaced; a memo never changes a result, it can
only save its computation. The file is JSON (never a pickle: only the model loader
unpickles, after checksum checks): results are stored as JSON values (numpy scalars and
arrays become numbers and lists, tuples lists; NaN and infinities are kept), and a stage
rebuilds its result objects from them.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allstrat import __version__
from allstrat.io.output import atomic_path

logger = logging.getLogger(__name__)

__all__ = ["MEMO_FORMAT", "MEMO_HELP", "SampleMemo", "code_digest", "digest"]

#: Help text of the ``--memo`` option of the chunk verbs.
MEMO_HELP = (
    "per-sample memo file of this chunk (JSON): samples whose inputs, settings and code "
    "are unchanged reuse their results; outputs are the same (default: none)"
)

#: Bumped when the memo file layout changes (older files are then ignored).
MEMO_FORMAT = "allstrat-sample-memo/1"

#: Dataclass fields that describe how an object was made, not what it holds.
_IGNORED_FIELDS = frozenset({"seconds"})


def digest(*parts: Any) -> str:
    """SHA-256 (hex) of the content of ``parts`` (nested Python / numpy / pandas objects).

    Equal content gives an equal digest across processes (no ``hash()``, no object ids);
    ``1`` and ``1.0`` and ``"1"`` differ; NaN equals NaN. Unknown types raise
    ``TypeError`` rather than being hashed by their ``repr`` (which may hide content).
    """
    h = hashlib.sha256()
    for p in parts:
        _feed(h, p)
    return h.hexdigest()


def _feed(h: Any, obj: Any) -> None:  # noqa: C901 - one branch per supported type
    if obj is None or isinstance(obj, bool):
        h.update(f"<{obj!r}>".encode())
    elif isinstance(obj, (int, np.integer)):
        h.update(f"i{int(obj)};".encode())
    elif isinstance(obj, (float, np.floating)):
        x = float(obj)
        h.update(b"fnan;" if math.isnan(x) else f"f{x!r};".encode())
    elif isinstance(obj, str):
        b = obj.encode()
        h.update(f"s{len(b)}:".encode() + b)
    elif isinstance(obj, bytes):
        h.update(f"b{len(obj)}:".encode() + obj)
    elif isinstance(obj, np.ndarray):
        _feed_array(h, obj)
    elif isinstance(obj, pd.DataFrame):
        if obj.attrs:  # pandas deep-copies attrs into every column it hands out
            obj = obj.copy(deep=False)
            obj.attrs = {}
        h.update(b"D")
        _feed(h, [str(c) for c in obj.columns])
        _feed(h, obj.index)
        for col in obj.columns:
            _feed(h, obj[col].to_numpy())
    elif isinstance(obj, pd.Series):
        h.update(b"S")
        _feed(h, obj.index)
        _feed(h, obj.to_numpy())
    elif isinstance(obj, pd.Index):
        h.update(b"I")
        _feed(h, obj.to_numpy())
    elif isinstance(obj, Mapping):
        h.update(f"m{len(obj)}:".encode())
        for k in sorted(obj, key=repr):
            _feed(h, k)
            _feed(h, obj[k])
    elif isinstance(obj, (list, tuple)):
        h.update(f"l{len(obj)}:".encode())
        for x in obj:
            _feed(h, x)
    elif isinstance(obj, (set, frozenset)):
        _feed(h, sorted(obj, key=repr))
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        h.update(f"c{type(obj).__qualname__}:".encode())
        for f in dataclasses.fields(obj):
            if f.name not in _IGNORED_FIELDS:
                _feed(h, f.name)
                _feed(h, getattr(obj, f.name))
    elif isinstance(obj, Path):
        _feed(h, str(obj))
    else:
        raise TypeError(f"memo digest: no content hash for {type(obj).__name__}")


def _feed_array(h: Any, a: np.ndarray) -> None:
    h.update(f"a{a.dtype.str}{a.shape}:".encode())
    if a.dtype.kind in "biufcmM":
        h.update(np.ascontiguousarray(a).tobytes())
        return
    # object / strings: element by element (NaN-safe, type-tagged); all-str arrays (sample
    # ids, chromosome names: few distinct values) as their distinct strings and the code of
    # each element, all-int arrays as one update of the same bytes as element by element
    items = a.ravel().tolist()
    kinds = set(map(type, items))
    if kinds == {str}:
        codes, uniques = pd.factorize(a.ravel())
        h.update(b"F%d:" % len(uniques))  # "F": no element's type tag
        for x in uniques.tolist():
            _feed(h, x)
        h.update(codes.astype("<i8").tobytes())
    elif kinds == {int}:
        h.update(b"".join(b"i%d;" % x for x in items))
    else:
        for x in items:
            _feed(h, x)


@functools.cache
def code_digest() -> str:
    """Digest of allstrat's version, its Python sources and its bundled resources.

    Any edit to the package or a resource file gives another digest and so invalidates
    every memo entry: a memo can never outlive the code that computed it.
    """
    from allstrat.paths import resources_dir

    package = Path(__file__).resolve().parent
    roots = [(package, sorted(package.rglob("*.py")))]
    res = resources_dir()
    if res.is_dir():
        roots.append((res, sorted(p for p in res.rglob("*") if p.is_file())))
    h = hashlib.sha256(__version__.encode())
    for root, files in roots:
        for p in files:  # relative names: the same code elsewhere gives the same digest
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


class SampleMemo:
    """Per-sample results of one stage for one chunk, reused while their inputs are equal.

    A result is any JSON value except ``None`` (``get`` returns ``None`` for a miss); a
    reused result comes back as JSON gives it (lists for tuples and arrays), so a stage
    stores what it needs to rebuild its objects. ``SampleMemo(None, ...)`` is a memo that
    never hits and never writes (CLI use without ``--memo``). Typical use::

        memo = SampleMemo(path, stage="copynumber", context=(settings, build))
        for sid in samples:
            key = memo.key(sid, its_inputs...)
            result = memo.get(sid, key)
            if result is None:
                result = compute(sid)
                memo.put(sid, key, result)
        memo.save()  # keeps exactly this run's samples
    """

    def __init__(self, path: str | Path | None, *, stage: str, context: Iterable[Any] = ()):
        self.path = Path(path) if path else None
        self.stage = stage
        # no file, no reuse: skip hashing the package and resources (~0.1-0.4 s)
        self.context = digest(MEMO_FORMAT, stage, code_digest(), *context) if path else ""
        self._read_ok = False  # the file held this context's entries
        self._old: dict[str, tuple[str, Any]] = self._load() if self.path else {}
        self._new: dict[str, tuple[str, Any]] = {}
        self._changed = False  # put() since loading
        self.hits = 0
        self.misses = 0

    def _load(self) -> dict[str, tuple[str, Any]]:
        assert self.path is not None
        if not self.path.is_file():
            return {}
        try:
            doc = json.loads(self.path.read_bytes())
        except (OSError, ValueError) as exc:  # a broken memo is only a cache miss
            logger.warning("memo %s unreadable (%s): recomputing every sample", self.path, exc)
            return {}
        if not isinstance(doc, dict) or doc.get("format") != MEMO_FORMAT:
            logger.info("memo %s is of another format: recomputing every sample", self.path)
            return {}
        if doc.get("context") != self.context:
            logger.info(
                "memo %s: code, resources or settings changed: recomputing every sample",
                self.path,
            )
            return {}
        entries = doc.get("samples")
        if not isinstance(entries, dict):
            return {}
        out = {k: tuple(v) for k, v in entries.items() if isinstance(v, list) and len(v) == 2}
        self._read_ok = len(out) == len(entries)
        return out

    def key(self, *parts: Any) -> str:
        """Digest of one sample's inputs (see :func:`digest`)."""
        return digest(*parts) if self.path else ""

    def get(self, sample: str, key: str) -> Any | None:
        """The stored result of ``sample`` if it was computed from inputs with ``key``."""
        old = self._old.get(sample)
        if old is not None and old[0] == key:
            self.hits += 1
            self._new[sample] = old
            return old[1]
        self.misses += 1
        return None

    def put(self, sample: str, key: str, result: Any) -> None:
        """Record ``sample``'s freshly computed ``result`` under ``key``."""
        if self.path:
            self._new[sample] = (key, result)
            self._changed = True

    def save(self) -> None:
        """Write the entries of this run (samples no longer in the chunk are dropped)."""
        if self.path is None:
            return
        logger.info(
            "%s memo: %d sample(s) reused, %d computed (%s)",
            self.stage,
            self.hits,
            self.misses,
            self.path,
        )
        if self._read_ok and not self._changed and self._new.keys() == self._old.keys():
            return  # every sample reused: the file already holds exactly these entries
        doc = {"format": MEMO_FORMAT, "context": self.context, "samples": self._new}
        text = json.dumps(doc, separators=(",", ":"), default=_json_default)
        with atomic_path(self.path) as tmp:
            tmp.write_text(text, encoding="utf-8")


def _json_default(obj: Any) -> Any:
    """Turn numpy values into JSON numbers / lists (NaN kept: ``json`` writes it as ``NaN``)."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"memo: cannot store a {type(obj).__name__} (JSON values only)")
