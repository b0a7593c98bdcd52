"""CPython twin of boundscope's `csv-import` into SQLite: csv into sqlite3 with a thread pool,
storing or rejecting every row and printing the same counts and checksum as

    boundscope run csv-import --input CSV --db sqlite:DB --mode threads --workers N

    python csv_sqlite.py --workers N CSV DB [--batch 1000] [--chunk-rows 5000]

As in boundscope: the header names the table's columns (a header of a built-in data set gets
its types, any other one types inferred from the data, an INTEGER `id` column the primary
key); the table is the file's name and is kept between runs. One unit is a chunk of
--chunk-rows records: a worker checks its records (field count, UTF-8, numbers, a primary key)
and inserts the good ones on its own connection, one INSERT per row, --batch rows per
transaction (BEGIN IMMEDIATE, WAL journal, synchronous NORMAL). Rows the database refuses (a
duplicate key) are rejected too, and at the end stored + rejected must equal the records
read: the summary says `verified=yes` (or `no`, and the exit status is 1).
Prints `done N items` per committed transaction (N = rows it stored).
"""

import argparse
import csv
import math
import os
import re
import sqlite3
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import twinlib

INTEGER, REAL, TEXT = "INTEGER", "REAL", "TEXT"
INT_TEXT = re.compile(r"[+-]?[0-9]+\Z")
I64 = (-(2**63), 2**63 - 1)


def builtin_tables():
    """boundscope's built-in tables: column names and types, the key being the first."""
    census = [("id", INTEGER)]
    census += [(f"count_{i:03}", INTEGER) if i % 2 else (f"rate_{i:03}", REAL) for i in range(1, 101)]
    customers = [("id", INTEGER), ("first_name", TEXT), ("last_name", TEXT), ("email", TEXT),
                 ("city", TEXT), ("country", TEXT), ("signup_date", TEXT), ("age", INTEGER),
                 ("balance", REAL)]
    products = [("id", INTEGER), ("name", TEXT), ("category", TEXT), ("price", REAL),
                ("stock", INTEGER), ("weight_kg", REAL), ("description", TEXT)]
    return [customers, products, census]


def sanitize(raw, fallback):
    """A safe SQL name, as boundscope makes it: lower case ASCII letters, digits and `_`."""
    out = ""
    for ch in raw.strip():
        if ch.isascii() and ch.isalnum():
            out += ch.lower()
        elif not out.endswith("_"):
            out += "_"
    out = out.strip("_")
    if not out:
        return fallback
    return f"c_{out}" if out[0].isdigit() else out


def column_names(header):
    names = []
    for i, raw in enumerate(header):
        base = sanitize(raw, f"col_{i + 1}")
        name, n = base, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def is_utf8(field):
    """False for a field read from bytes that are not UTF-8 (kept as surrogates)."""
    try:
        field.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def parse_int(text):
    text = text.strip()
    if not INT_TEXT.match(text):
        raise ValueError(f"`{text}` is not an integer")
    value = int(text)
    if not I64[0] <= value <= I64[1]:
        raise ValueError(f"`{text}` is not an integer")
    return value


def parse_real(text):
    text = text.strip()
    value = float(text) if "_" not in text else math.nan
    if not math.isfinite(value):
        raise ValueError(f"`{text}` is not a number")
    return value


def fits(parse, text):
    try:
        parse(text)
        return True
    except ValueError:
        return False


def infer_types(width, records):
    """What the data says each column can be (an empty field fits every type)."""
    is_int, is_real, seen = [True] * width, [True] * width, [False] * width
    for record in records:
        if len(record) != width:
            continue
        for i, field in enumerate(record):
            if not field.strip() or not is_utf8(field):
                continue
            seen[i] = True
            is_int[i] = is_int[i] and fits(parse_int, field)
            is_real[i] = is_real[i] and fits(parse_real, field)
    return [INTEGER if s and i else REAL if s and r else TEXT for s, i, r in zip(seen, is_int, is_real)]


def schema(header, records):
    """(columns, key index) for this header, as boundscope's scan decides them."""
    names = column_names(header)
    for table in builtin_tables():
        if [name for name, _ in table] == names:
            return table, 0
    columns = list(zip(names, infer_types(len(names), records)))
    key = next((i for i, c in enumerate(columns) if c == ("id", INTEGER)), None)
    return columns, key


def convert(record, columns, key):
    """One record as a row of the table's types, or ValueError saying why it is rejected."""
    if len(record) != len(columns):
        raise ValueError(f"expected {len(columns)} fields, found {len(record)}")
    row = []
    for i, (field, (name, ty)) in enumerate(zip(record, columns)):
        if not is_utf8(field):
            raise ValueError(f"invalid UTF-8 in column `{name}`")
        if ty == TEXT:
            value = field
        elif not field.strip():
            value = None
        elif ty == INTEGER:
            value = parse_int(field)
        else:
            value = parse_real(field) or 0.0  # -0.0 is stored (and digested) as 0.0
        if value is None and i == key:
            raise ValueError(f"missing primary key `{name}`")
        row.append(value)
    return row


def digest_rows(rows):
    """boundscope's digest of stored rows: each value tagged by type, each row ended by 0xFF."""
    out = bytearray()
    for row in rows:
        for value in row:
            if value is None:
                out += b"\x00"
            elif type(value) is int:
                out += b"\x01" + struct.pack("<q", value)
            elif type(value) is float:
                out += b"\x02" + struct.pack("<d", value)
            else:
                data = value.encode()
                out += b"\x03" + struct.pack("<Q", len(data)) + data
        out += b"\xff"
    return twinlib.xxh3(bytes(out))


def quote(name):
    return '"' + name.replace('"', '""') + '"'


class Importer:
    """The table, its SQL, and one connection per worker thread."""

    def __init__(self, db, table, columns, key, batch):
        self.db, self.batch = db, batch
        self.columns, self.key = columns, key
        self.local = threading.local()
        cols = ", ".join(
            f"{quote(n)} {ty}{' PRIMARY KEY' if i == key else ''}" for i, (n, ty) in enumerate(columns)
        )
        self.create = f"CREATE TABLE IF NOT EXISTS {quote(table)} ({cols})"
        names = ", ".join(quote(n) for n, _ in columns)
        marks = ", ".join("?" * len(columns))
        self.insert = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"
        self.count = f"SELECT COUNT(*) FROM {quote(table)}"

    def connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.db, timeout=10, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self.local.conn = conn
        return conn

    def rows_in_table(self):
        conn = self.connection()
        conn.execute(self.create)
        return conn.execute(self.count).fetchone()[0]

    def store(self, rows):
        """Inserts rows in transactions of --batch; returns the stored rows and the refusals."""
        conn, stored, refused = self.connection(), [], 0
        for start in range(0, len(rows), self.batch):
            kept = []
            conn.execute("BEGIN IMMEDIATE")
            for row in rows[start : start + self.batch]:
                try:
                    conn.execute(self.insert, row)
                    kept.append(row)
                except sqlite3.IntegrityError:
                    refused += 1
            conn.execute("COMMIT")
            stored += kept
            twinlib.done(len(kept))
        return stored, refused

    def unit(self, records):
        """One chunk: (stored, rejected, digest of the stored rows)."""
        rows, rejected = [], 0
        for record in records:
            try:
                rows.append(convert(record, self.columns, self.key))
            except ValueError:
                rejected += 1
        stored, refused = self.store(rows)
        return len(stored), rejected + refused, digest_rows(stored)


def read_records(path):
    """The header and the records after it (blank lines skipped, as boundscope's reader does).
    Bytes that are not UTF-8 are kept as surrogates so that their record can be rejected."""
    with open(path, newline="", encoding="utf-8-sig", errors="surrogateescape") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            sys.exit(f"CSV file {path} is empty")
        return header, [r for r in reader if r]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", metavar="CSV")
    parser.add_argument("db", metavar="DB", help="SQLite database file (created if missing)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1000, help="rows per transaction")
    parser.add_argument("--chunk-rows", type=int, default=5000, help="records per unit")
    parser.add_argument("--table", help="table name (default: the file's name)")
    args = parser.parse_args()
    if min(args.workers, args.batch, args.chunk_rows) < 1:
        parser.error("--workers, --batch and --chunk-rows must be at least 1")
    started = time.perf_counter()
    header, records = read_records(args.csv)
    stem = os.path.splitext(os.path.basename(args.csv))[0]
    table = sanitize(args.table or stem, "imported")
    columns, key = schema(header, records)
    importer = Importer(args.db, table, columns, key, args.batch)
    before = importer.rows_in_table()
    chunks = [records[i : i + args.chunk_rows] for i in range(0, len(records), args.chunk_rows)]
    with ThreadPoolExecutor(max_workers=args.workers, thread_name_prefix="csv") as executor:
        results = list(executor.map(importer.unit, chunks))
    added = importer.rows_in_table() - before
    wall_s = time.perf_counter() - started
    stored = sum(r[0] for r in results)
    rejected = sum(r[1] for r in results)
    verified = stored + rejected == len(records) and added == stored
    checksum = twinlib.combine_digests({u: r[2] for u, r in enumerate(results)})
    twinlib.summary(stored, checksum, wall_s, rejected=rejected, rows=len(records),
                    table_added=added, verified="yes" if verified else "no")
    sys.exit(0 if verified else 1)


if __name__ == "__main__":
    main()
