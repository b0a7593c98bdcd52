"""CPython twin of boundscope's `csv-import` into PostgreSQL in async mode: asyncio and asyncpg,
one task per chunk, storing or rejecting every row and printing the same counts and checksum as

    boundscope run csv-import --input CSV --db DSN --mode async --in-flight N

    python pg_asyncio.py DSN CSV [--in-flight 2] [--batch 1000] [--chunk-rows 5000]

The rows are read and checked as csv_sqlite.py does (boundscope's rules). At most --in-flight
chunks are in flight at once, each on its own pooled connection. As boundscope does for
PostgreSQL, a chunk's rows go in transactions of --batch rows, one INSERT per row; when the
database refuses a row, that transaction is rolled back and done again row by row under
savepoints, so that only the refused rows are rejected. The summary says `verified=yes` when
stored + rejected equals the records read and the table grew by the stored rows (else `no`,
and the exit status is 1). Prints `done N items` per committed transaction.
"""

import argparse
import asyncio
import os
import sys
import time

import asyncpg

import twinlib
from csv_sqlite import INTEGER, REAL, convert, digest_rows, quote, read_records, sanitize, schema

PG_TYPES = {INTEGER: "BIGINT", REAL: "DOUBLE PRECISION"}


class Table:
    """The table's SQL for PostgreSQL."""

    def __init__(self, name, columns, key):
        cols = ", ".join(
            f"{quote(n)} {PG_TYPES.get(ty, 'TEXT')}{' PRIMARY KEY' if i == key else ''}"
            for i, (n, ty) in enumerate(columns)
        )
        self.create = f"CREATE TABLE IF NOT EXISTS {quote(name)} ({cols})"
        names = ", ".join(quote(n) for n, _ in columns)
        marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        self.insert = f"INSERT INTO {quote(name)} ({names}) VALUES ({marks})"
        self.count = f"SELECT COUNT(*) FROM {quote(name)}"


async def insert_group(conn, table, rows):
    """One transaction of rows; on a refusal, again row by row under savepoints. Returns the
    stored rows."""
    try:
        async with conn.transaction():
            for row in rows:
                await conn.execute(table.insert, *row)
        return rows
    except asyncpg.IntegrityConstraintViolationError:
        pass
    stored = []
    async with conn.transaction():
        for row in rows:
            try:
                async with conn.transaction():  # a savepoint
                    await conn.execute(table.insert, *row)
                stored.append(row)
            except asyncpg.IntegrityConstraintViolationError:
                pass
    return stored


async def unit(pool, table, spec, records, batch):
    """One chunk: (stored, rejected, digest of the stored rows)."""
    columns, key = spec
    rows, rejected = [], 0
    for record in records:
        try:
            rows.append(convert(record, columns, key))
        except ValueError:
            rejected += 1
    stored = []
    async with pool.acquire() as conn:
        for start in range(0, len(rows), batch):
            group = rows[start : start + batch]
            kept = await insert_group(conn, table, group)
            stored += kept
            twinlib.done(len(kept))
    return len(stored), rejected + len(rows) - len(stored), digest_rows(stored)


async def run(args):
    header, records = read_records(args.csv)
    stem = os.path.splitext(os.path.basename(args.csv))[0]
    spec = schema(header, records)
    table = Table(sanitize(args.table or stem, "imported"), *spec)
    pool = await asyncpg.create_pool(args.dsn, min_size=1, max_size=args.in_flight)
    try:
        async with pool.acquire() as conn:
            await conn.execute(table.create)
            before = await conn.fetchval(table.count)
        chunks = [records[i : i + args.chunk_rows] for i in range(0, len(records), args.chunk_rows)]
        results = await asyncio.gather(*(unit(pool, table, spec, c, args.batch) for c in chunks))
        async with pool.acquire() as conn:
            added = await conn.fetchval(table.count) - before
    finally:
        await pool.close()
    return len(records), results, added


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dsn", metavar="DSN", help="postgres://USER@HOST:PORT/DB")
    parser.add_argument("csv", metavar="CSV")
    parser.add_argument("--in-flight", type=int, default=2, help="chunks (and connections) at once")
    parser.add_argument("--batch", type=int, default=1000, help="rows per transaction")
    parser.add_argument("--chunk-rows", type=int, default=5000, help="records per unit")
    parser.add_argument("--table", help="table name (default: the file's name)")
    args = parser.parse_args()
    if min(args.in_flight, args.batch, args.chunk_rows) < 1:
        parser.error("--in-flight, --batch and --chunk-rows must be at least 1")
    started = time.perf_counter()
    try:
        rows, results, added = asyncio.run(run(args))
    except (OSError, asyncpg.PostgresError) as e:
        sys.exit(f"PostgreSQL at {args.dsn.split('@')[-1]}: {e}")
    wall_s = time.perf_counter() - started
    stored = sum(r[0] for r in results)
    rejected = sum(r[1] for r in results)
    verified = stored + rejected == rows and added == stored
    checksum = twinlib.combine_digests({u: r[2] for u, r in enumerate(results)})
    twinlib.summary(stored, checksum, wall_s, rejected=rejected, rows=rows, table_added=added,
                    verified="yes" if verified else "no")
    sys.exit(0 if verified else 1)


if __name__ == "__main__":
    main()
