"""CPython twin of boundscope's `json-parse --output none`: parses every *.json / *.ndjson file
of DIR line by line into columns (the write-up's DataFrame) on threads, processes or one
thread, and prints the same item count and checksum as

    boundscope run json-parse --input DIR --output none --mode MODE --workers N

    python json_parse.py --mode threads|processes|sequential --workers N [--parser json|orjson] DIR

One unit is one file (as in boundscope). A line is accepted when boundscope accepts it: a
JSON object with the seven tick fields of the right types (or the positional array of seven
values); blank lines are skipped; any other line is rejected and counted. Prints
`done N items` every --batch accepted lines of a file and at its end.
"""

import argparse
import json
import math
import os
import struct
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import twinlib

FIELDS = ("symbol", "timestamp", "open", "high", "low", "close", "volume")
MANIFEST = "manifest.json"
BOM = b"\xef\xbb\xbf"
I64 = (-(2**63), 2**63 - 1)
U64_END = 2**64
ROW_FIXED = struct.Struct("<qddddQ")


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def loads_for(parser):
    if parser == "orjson":
        import orjson

        return orjson.loads
    # NaN and Infinity are not JSON (boundscope refuses them); json.loads would take them.
    decoder = json.JSONDecoder(parse_constant=_refuse_constant)
    return lambda line: decoder.decode(line.decode("utf-8"))


def _is_int(v):
    return type(v) is int


def _price(v):
    if type(v) is float and math.isfinite(v):
        return v
    if type(v) is int:
        return float(v)
    raise ValueError("not a price")


def tick(record):
    """The tick's seven values, or ValueError when boundscope would reject the record."""
    if type(record) is dict:
        values = [record[name] for name in FIELDS]  # KeyError: a missing field
    elif type(record) is list and len(record) == len(FIELDS):
        values = record
    else:
        raise ValueError("not a tick")
    symbol, timestamp, o, h, l, c, volume = values
    if type(symbol) is not str:
        raise ValueError("symbol")
    if not (_is_int(timestamp) and I64[0] <= timestamp <= I64[1]):
        raise ValueError("timestamp")
    if not (_is_int(volume) and 0 <= volume < U64_END):
        raise ValueError("volume")
    return symbol, timestamp, _price(o), _price(h), _price(l), _price(c), volume


def parse_file(path, parser, batch):
    """Parses one file into columns; returns (items, rejected, digest)."""
    loads = loads_for(parser)
    columns = tuple([] for _ in FIELDS)
    rejected = 0
    pending = 0
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if number == 1 and line.startswith(BOM):
                line = line[len(BOM) :]
            if not line.strip(b" \t\r\n"):
                continue
            try:
                values = tick(loads(line))
            except (ValueError, KeyError, TypeError, RecursionError):
                rejected += 1
                continue
            for column, value in zip(columns, values):
                column.append(value)
            pending += 1
            if pending == batch:
                twinlib.done(pending)
                pending = 0
    if pending:
        twinlib.done(pending)
    return len(columns[0]), rejected, table_digest(columns)


def table_digest(columns):
    """boundscope's digest of a tick table: per row the symbol, 0xFF, then timestamp, the four
    prices (IEEE bits) and volume, little-endian."""
    if twinlib.xxhash is None:
        return None
    symbols, *fixed = columns
    pack = ROW_FIXED.pack
    rows = (s.encode() + b"\xff" + pack(*row) for s, row in zip(symbols, zip(*fixed)))
    return twinlib.xxh3(b"".join(rows))


def input_files(directory):
    """boundscope's unit order: the *.json / *.ndjson files, sorted by name; a boundscope data
    set's manifest is not input."""
    names = os.listdir(directory)
    has_manifest = MANIFEST in names
    paths = []
    for name in sorted(names):
        path = os.path.join(directory, name)
        json_like = name.lower().endswith((".json", ".ndjson")) and os.path.isfile(path)
        if json_like and not (has_manifest and name == MANIFEST):
            paths.append(path)
    if not paths:
        sys.exit(f"no *.json or *.ndjson files in {directory}")
    return paths


def run(args):
    files = input_files(args.dir)
    work = [(f, args.parser, args.batch) for f in files]
    if args.mode == "sequential":
        return [parse_file(*w) for w in work]
    pool = ThreadPoolExecutor if args.mode == "threads" else ProcessPoolExecutor
    with pool(max_workers=args.workers) as executor:
        return list(executor.map(parse_file, *zip(*work)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", metavar="DIR")
    parser.add_argument("--mode", choices=["sequential", "threads", "processes"], default="threads")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--parser", choices=["json", "orjson"], default="json")
    parser.add_argument("--batch", type=int, default=1024, help="lines per progress line")
    args = parser.parse_args()
    if args.workers < 1 or args.batch < 1:
        parser.error("--workers and --batch must be at least 1")
    started = time.perf_counter()
    results = run(args)
    wall_s = time.perf_counter() - started
    checksum = twinlib.combine_digests({u: digest for u, (_, _, digest) in enumerate(results)})
    items = sum(r[0] for r in results)
    rejected = sum(r[1] for r in results)
    twinlib.summary(items, checksum, wall_s, rejected=rejected, files=len(results))


if __name__ == "__main__":
    main()
