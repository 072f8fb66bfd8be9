"""Sample sheet reader: validated against ``workflow/schemas/samples.schema.yaml``."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import yaml

from allstrat.errors import InputError
from allstrat.paths import project_root

SCHEMA_DIR = project_root() / "workflow" / "schemas"


@functools.cache
def load_schema(name: str) -> dict:
    """Load a JSON schema (YAML) from ``workflow/schemas``."""
    with (SCHEMA_DIR / name).open() as fh:
        return yaml.safe_load(fh)


def read_table_str(path: str | Path, *, what: str) -> pd.DataFrame:
    """Read a TSV as strings (no NA guessing), with clear errors."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} not found", path=p)
    try:
        df = pd.read_csv(
            p, sep="\t", dtype=str, keep_default_na=False, comment=None, skip_blank_lines=True
        )
    except pd.errors.EmptyDataError:
        raise InputError(
            f"{what} is empty; expected a tab-separated table with a header", path=p
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{what} is not a valid tab-separated table: {exc}", path=p) from None
    if df.shape[1] == 1 and ("," in df.columns[0] or ";" in df.columns[0]):
        raise InputError(
            f"{what} looks comma/semicolon-separated; expected tab-separated", path=p, line=1
        )
    df.columns = [c.strip() for c in df.columns]
    return df.apply(lambda s: s.str.strip())


def read_sample_sheet(path: str | Path) -> pd.DataFrame:
    """Read and validate the sample sheet; returns a DataFrame indexed by ``sample_id``.

    Every row is validated against the schema; errors name the line (1-based, header = 1)
    and the sample.
    """
    p = Path(path)
    df = read_table_str(p, what="sample sheet")
    schema = load_schema("samples.schema.yaml")
    allowed = set(schema["properties"])
    unknown = [c for c in df.columns if c not in allowed]
    if unknown:
        raise InputError(f"unknown column(s) {unknown}; allowed: {sorted(allowed)}", path=p, line=1)
    validator = jsonschema.Draft202012Validator(schema)
    first = _first_invalid_row(df, schema)
    if first is not None:
        i, row = first + 2, df.iloc[first].to_dict()
        err = next(iter(sorted(validator.iter_errors(row), key=lambda e: list(e.path))), None)
        if err is not None:
            field = ".".join(str(x) for x in err.path) or "row"
            if field == "sample_id":
                raise InputError(
                    f"sample_id {row.get('sample_id')!r} is not allowed: use letters, digits, "
                    "'_', '.', '-' only (not '.' or '..'); it names output files",
                    path=p,
                    line=i,
                )
            raise InputError(
                f"column {field}: {err.message}", path=p, line=i, sample=row.get("sample_id")
            )
    dup = df["sample_id"][df["sample_id"].duplicated()]
    if len(dup):
        line = int(dup.index[0]) + 2
        raise InputError(
            "duplicate sample_id; every sample must appear once",
            path=p,
            line=line,
            sample=dup.iloc[0],
        )
    for col in ("expression", "copy_number", "fusions", "variants"):
        if col in df.columns:
            fmt = f"{col}_format" if col != "fusions" else "fusions_format"
            if fmt in df.columns:
                bad = df[(df[col] != "") & (df[fmt] == "")]
                if len(bad):
                    raise InputError(
                        f"{col} is given but {fmt} is empty",
                        path=p,
                        line=int(bad.index[0]) + 2,
                        sample=bad["sample_id"].iloc[0],
                    )
    if "fusions" in df.columns and "fusions_format" in df.columns:
        _check_fusion_lists(df, p)
    if "blast_fraction" in df.columns:
        df["blast_fraction"] = [math.nan if v == "" else float(v) for v in df["blast_fraction"]]
    return df.set_index("sample_id", drop=False)


def _first_invalid_row(df: pd.DataFrame, schema: dict) -> int | None:
    """Position of the first row that breaks the sheet schema, or None.

    The caller validates the row found as a whole for the error message
    (:func:`invalid_rows`).
    """
    hits = invalid_rows(df, schema)
    return int(hits[0]) if len(hits) else None


def invalid_rows(df: pd.DataFrame, schema: dict) -> np.ndarray:
    """Positions (ascending) of the rows of a text table that break a row schema.

    The table schemas constrain each column on its own (``properties``; ``required``
    columns are table columns; no other keyword at the top level), so a row is valid
    when each of its cells is: every distinct value of a column is checked once instead
    of every row as a whole (10,000 rows: 0.1 s instead of ~4 s, paid by every chunk
    job). A text cell's schema of ``pattern`` / ``enum`` / ``not enum`` is checked as
    ``jsonschema`` checks it (:func:`_text_cell_check`); any other cell schema by
    ``jsonschema`` itself. A schema of another shape, a column it does not
    allow or a cell that is not a string gives every row (the caller's ``jsonschema``
    validation of each row then decides). Callers validate the rows returned with
    ``jsonschema`` (for the message), so the errors are the ones a row-by-row
    validation gives.
    """
    everything = np.arange(len(df))
    props = schema.get("properties", {})
    top = set(schema) - {"$schema", "description", "type", "additionalProperties"}
    if top - {"properties", "required"} or schema.get("type", "object") != "object":
        return everything
    if set(schema.get("required", [])) - set(df.columns) or set(df.columns) - set(props):
        return everything
    bad = np.zeros(len(df), dtype=bool)
    for col in df.columns:
        values = df[col].to_numpy(dtype=object)
        try:
            distinct = set(values.tolist())
        except TypeError:  # unhashable cells: not a text table
            return everything
        if not all(isinstance(v, str) for v in distinct):
            return everything
        rule = {k: v for k, v in props[col].items() if k != "description"}
        if rule == {"type": "string"}:
            continue  # every cell checked here is a string
        ok = _text_cell_check(rule) or jsonschema.Draft202012Validator(rule).is_valid
        invalid = {v for v in distinct if not ok(v)}
        if invalid:
            bad |= np.fromiter((v in invalid for v in values), dtype=bool, count=len(values))
    return np.flatnonzero(bad)


def _text_cell_check(rule: dict) -> Callable[[object], bool] | None:
    """``jsonschema``'s answer for a text cell, for a string rule of ``pattern`` / ``enum`` /
    ``not: {enum}`` (string values) only; ``None`` for any other rule (use ``jsonschema``).

    Draft 2020-12 semantics: ``pattern`` matches anywhere (``re.search``), ``enum`` and
    ``not enum`` compare by equality. The sample_id column (10,000 distinct values) took
    ~0.1 s through ``jsonschema`` in every job that reads the sheet.
    """
    if rule.get("type") != "string" or set(rule) - {"type", "pattern", "enum", "not"}:
        return None
    enum, refused = rule.get("enum"), rule.get("not", {"enum": []})
    if set(refused) != {"enum"}:
        return None
    lists = [x for x in (enum, refused["enum"]) if x is not None]
    if not all(isinstance(x, list) and all(type(v) is str for v in x) for x in lists):
        return None
    pattern = re.compile(rule["pattern"]).search if "pattern" in rule else None
    allowed = None if enum is None else frozenset(enum)
    no = frozenset(refused["enum"])

    def check(v: object) -> bool:
        return (
            isinstance(v, str)
            and (pattern is None or pattern(v) is not None)
            and (allowed is None or v in allowed)
            and v not in no
        )

    return check


def blast_fraction(value: object) -> float | None:
    """One sample's blast fraction from a sheet row, ``None`` when the sheet does not say.

    :func:`read_sample_sheet` has already validated the 0–1 pattern and typed the column
    (empty → NaN); rows that come from elsewhere may still hold text. Empty text,
    ``nan`` / ``na`` / ``none`` and NaN all mean "not stated" — never a default value.

    Examples
    --------
    >>> blast_fraction("0.85"), blast_fraction(float("nan")), blast_fraction("")
    (0.85, None, None)
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text or text.lower() in ("nan", "na", "none"):
        return None
    f = float(text)
    return None if math.isnan(f) else f


def fusion_list_problem(files: Sequence[str], formats: Sequence[str]) -> str | None:
    """Why one sample's fusion files and formats do not pair up (``None`` when they do).

    Several callers per sample: one format per file (same order), each caller once.
    """
    if len(files) != len(formats):
        return (
            f"fusions lists {len(files)} file(s) but fusions_format {len(formats)} format(s); "
            "give one format per file, ';'-separated in the same order"
        )
    dup = sorted({m for m in formats if list(formats).count(m) > 1})
    if dup:
        return f"fusions_format names caller(s) {dup} twice; give one file per caller"
    return None


def _check_fusion_lists(df: pd.DataFrame, p: Path) -> None:
    """Every sheet row's fusion files and formats pair up (:func:`fusion_list_problem`)."""
    for i, (sid, files, fmts) in enumerate(
        zip(df["sample_id"], df["fusions"], df["fusions_format"], strict=True), start=2
    ):
        fs = [f for f in files.split(";") if f.strip()]
        ms = [m for m in fmts.split(";") if m.strip()]
        problem = fusion_list_problem(fs, ms)
        if problem:
            raise InputError(problem, path=p, line=i, sample=sid)


def blast_fractions(rows: pd.DataFrame) -> dict[str, float | None]:
    """Sample id -> :func:`blast_fraction` of sheet rows (all ``None`` without the column)."""
    column = rows["blast_fraction"] if "blast_fraction" in rows.columns else None
    if column is None:
        return dict.fromkeys(map(str, rows.index))
    return {str(s): blast_fraction(v) for s, v in column.items()}


def select_sheet_rows(
    path: str | Path,
    *,
    chunk: str | None = None,
    samples_per_job: int = 250,
    samples: Sequence[str] = (),
) -> pd.DataFrame:
    """Rows of the sample sheet at ``path`` for one chunk and / or samples (sorted by id).

    ``chunk``: id of the workflow's batching (:func:`allstrat.batching.split_chunks` of the
    sorted ids, ``samples_per_job`` per chunk); ``samples``: keep only these. An unknown
    chunk or sample is an :class:`~allstrat.errors.InputError` naming the sheet.
    """
    from allstrat.batching import split_chunks

    sheet = read_sample_sheet(path)
    ids = sorted(sheet.index)
    if chunk is not None:
        chunks = split_chunks(ids, samples_per_job=samples_per_job)
        if chunk not in chunks:
            raise InputError(
                f"no chunk {chunk!r}; the sheet has chunks {sorted(chunks)}", path=path
            )
        ids = chunks[chunk]
    if samples:
        missing = [s for s in samples if s not in sheet.index]
        if missing:
            raise InputError(f"sample(s) {missing} not in the sample sheet", path=path)
        ids = [s for s in ids if s in set(samples)]
    rows = sheet.loc[ids]
    rows.attrs[SHARED_FILES] = shared_input_files(sheet)
    return rows


#: ``attrs`` key of :func:`select_sheet_rows`' rows: the sheet's :func:`shared_input_files`
SHARED_FILES = "shared_input_files"
#: sheet columns naming data files that one file may hold for several samples
_SHAREABLE_COLUMNS = ("expression", "copy_number")


def shared_input_files(sheet: pd.DataFrame) -> frozenset[str]:
    """Input files the whole sheet lists for more than one sample (a cohort count matrix,
    a multi-sample SEG file).

    Their provenance is recorded per sample (``scope: sample``: a digest of that sample's
    data in the file), so that a change to one sample's column or rows leaves the other
    samples' records, and reports, as they were. Decided on the whole sheet, not on a chunk,
    so the record does not depend on the batching.
    """
    out: set[str] = set()
    for col in _SHAREABLE_COLUMNS:
        if col in sheet.columns:
            counts = sheet[col].astype(str).value_counts()
            out.update(str(f) for f, n in counts.items() if f and n > 1)
    return frozenset(out)
