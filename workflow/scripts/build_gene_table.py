"""Build ``resources/genes/genes_grch38.tsv.gz`` from Bioconductor's org.Hs.eg.db.

Source: the Debian package ``r-bioc-org.hs.eg.db`` (Bioconductor org.Hs.eg.db 3.16.0,
Entrez Gene 2022-Sep12, UCSC hg38 = GRCh38 gene positions 2022-Aug31, Ensembl
2022-Jun28). The package ships a SQLite database; we read it directly, no R needed.

Usage::

    python workflow/scripts/build_gene_table.py            # downloads the .deb with apt-get
    python workflow/scripts/build_gene_table.py --sqlite /path/org.Hs.eg.sqlite

Coordinates: UCSC knownGene transcript spans are 0-based half-open; we write 1-based
inclusive ``start``/``end``. A gene's span is the union of the transcripts of its
largest cluster of overlapping transcripts on its own (primary) chromosome, so
multi-copy genes such as DUX4 get one locus, not a span across the repeat.
Genes without a primary-assembly position are left out (the table must carry
GRCh38 coordinates for every gene). PAR genes placed on X and Y are given on chrX
with ``par=1``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

PACKAGE = "r-bioc-org.hs.eg.db"
SQLITE_IN_DEB = "usr/lib/R/site-library/org.Hs.eg.db/extdata/org.Hs.eg.sqlite"
PRIMARY = {str(i) for i in range(1, 23)} | {"X", "Y", "MT"}
COLUMNS = [
    "symbol",
    "entrez_id",
    "ensembl_ids",
    "chrom",
    "start",
    "end",
    "strand",
    "gene_type",
    "par",
    "aliases",
    "name",
]


def fetch_sqlite(workdir: Path) -> tuple[Path, str]:
    """Download the Debian package and extract its SQLite database."""
    subprocess.run(["apt-get", "download", PACKAGE], cwd=workdir, check=True)
    deb = next(workdir.glob(f"{PACKAGE}_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(workdir / "x")], check=True)
    return workdir / "x" / SQLITE_IN_DEB, deb.name


def _clusters(spans: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    spans = sorted(spans)
    out: list[list[tuple[int, int]]] = []
    for s, e in spans:
        if out and s <= max(x[1] for x in out[-1]):
            out[-1].append((s, e))
        else:
            out.append([(s, e)])
    return out


def build(sqlite: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Read the database and return table rows plus its metadata."""
    con = sqlite3.connect(f"file:{sqlite}?mode=ro", uri=True)
    meta = dict(con.execute("SELECT name, value FROM metadata"))
    genes = {
        _id: {"entrez_id": gid, "symbol": sym, "name": name}
        for _id, gid, sym, name in con.execute(
            "SELECT g._id, g.gene_id, i.symbol, i.gene_name "
            "FROM genes g JOIN gene_info i USING(_id)"
        )
    }
    gtype = dict(con.execute("SELECT _id, gene_type FROM genetype"))
    chrom_of: dict[int, set[str]] = defaultdict(set)
    for _id, c in con.execute("SELECT _id, chromosome FROM chromosomes"):
        chrom_of[_id].add(c)
    locs: dict[tuple[int, str], list[tuple[int, int, str]]] = defaultdict(list)
    for _id, seq, s, e in con.execute(
        "SELECT _id, seqname, start_location, end_location FROM chromosome_locations"
    ):
        if seq in PRIMARY:
            locs[(_id, seq)].append((abs(s), abs(e), "-" if s < 0 else "+"))
    ens: dict[int, list[str]] = defaultdict(list)
    for _id, eid in con.execute("SELECT _id, ensembl_id FROM ensembl ORDER BY ensembl_id"):
        ens[_id].append(eid)
    aliases: dict[int, list[str]] = defaultdict(list)
    for _id, a in con.execute("SELECT _id, alias_symbol FROM alias ORDER BY alias_symbol"):
        aliases[_id].append(a)
    rows = []
    for _id, g in genes.items():
        candidates = [seq for seq in ("X", "Y") if (_id, seq) in locs]
        on = [seq for seq in PRIMARY if (_id, seq) in locs]
        if not on:
            continue
        par = 0
        if set(candidates) == {"X", "Y"}:
            seq, par = "X", 1
        elif len(on) == 1:
            seq = on[0]
        else:
            wanted = [s for s in on if s in chrom_of.get(_id, set())]
            seq = sorted(wanted or on)[0]
        tx = locs[(_id, seq)]
        strands = {t[2] for t in tx}
        clusters = _clusters([(t[0], t[1]) for t in tx])
        best = max(clusters, key=lambda c: (len(c), max(x[1] for x in c) - min(x[0] for x in c)))
        start = min(x[0] for x in best) + 1  # 0-based txStart -> 1-based
        end = max(x[1] for x in best)
        strand = strands.pop() if len(strands) == 1 else "."
        rows.append(
            {
                "symbol": g["symbol"],
                "entrez_id": g["entrez_id"],
                "ensembl_ids": "|".join(ens.get(_id, [])),
                "chrom": "chr" + ("M" if seq == "MT" else seq),
                "start": str(start),
                "end": str(end),
                "strand": strand,
                "gene_type": gtype.get(_id, ""),
                "par": str(par),
                "aliases": "|".join(a for a in aliases.get(_id, []) if a != g["symbol"]),
                "name": g["name"] or "",
            }
        )
    rows.sort(key=lambda r: (r["chrom"], int(r["start"]), r["symbol"]))
    return rows, meta


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sqlite", type=Path, help="org.Hs.eg.sqlite (default: apt-get download)")
    ap.add_argument("--out", type=Path, default=Path("resources/genes/genes_grch38.tsv.gz"))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.sqlite:
            sqlite, deb = args.sqlite, "(given sqlite)"
        else:
            sqlite, deb = fetch_sqlite(Path(tmp))
        rows, meta = build(sqlite)
    header = (
        f"# source: Bioconductor org.Hs.eg.db via Debian {deb}; "
        f"Entrez Gene {meta.get('EGSOURCEDATE')}; positions UCSC hg38 (GRCh38) "
        f"{meta.get('GPSOURCEDATE')}; Ensembl {meta.get('ENSOURCEDATE')}; "
        "coordinates 1-based inclusive\n"
    )
    text = (
        header
        + "\t".join(COLUMNS)
        + "\n"
        + "".join("\t".join(r[c] for c in COLUMNS) + "\n" for r in rows)
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = args.out.with_suffix(".tmp")
    with tmp_out.open("wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(text.encode())
    tmp_out.replace(args.out)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    sys.stdout.write(f"{args.out}\t{len(rows)} genes\tsha256={digest}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
