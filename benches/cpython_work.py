"""The Python side of benches/cpython.sh: the write-ups' experiments, timed in CPython.

    python cpython_work.py json DIR --parser json|orjson --mode sequential|threads|processes --workers N
    python cpython_work.py api URL --mode sequential|threads --workers N

Each prints one JSON line: {"wall_s": ..., "items": ...}.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

FIELDS = ("symbol", "timestamp", "open", "high", "low", "close", "volume")


def loads_for(parser):
    if parser == "orjson":
        import orjson

        return orjson.loads
    return json.loads


def parse_file(path, parser="json"):
    """Parses one newline-delimited file into columns (the DataFrame of the write-up)."""
    loads = loads_for(parser)
    columns = {name: [] for name in FIELDS}
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                record = loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict):
                continue
            for name in FIELDS:
                columns[name].append(record.get(name))
    return len(columns["symbol"])


def json_files(directory):
    names = sorted(n for n in os.listdir(directory) if n.endswith((".json", ".ndjson")))
    return [os.path.join(directory, n) for n in names]


def run_json(args):
    files = json_files(args.target)
    started = time.perf_counter()
    if args.mode == "sequential":
        items = sum(parse_file(f, args.parser) for f in files)
    else:
        pool = ThreadPoolExecutor if args.mode == "threads" else ProcessPoolExecutor
        with pool(max_workers=args.workers) as executor:
            items = sum(executor.map(parse_file, files, [args.parser] * len(files)))
    return time.perf_counter() - started, items


_local = threading.local()


def fetch(base, path):
    """GET base+path on this thread's kept-open connection (like a requests.Session)."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        url = urllib.parse.urlsplit(base)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        _local.conn = conn
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}")
    return json.loads(body)


def api_paths(base, batch=1000):
    """Every tenant's connections, then every symbol's prices in batches (api-fetch's plan)."""
    tenants = [t["id"] for t in fetch(base, "/tenants")["tenants"]]
    symbols = fetch(base, "/companies")["symbols"]
    paths = [f"/tenants/{t}/connections" for t in tenants]
    for i in range(0, len(symbols), batch):
        chunk = ",".join(urllib.parse.quote(s, safe="") for s in symbols[i : i + batch])
        paths.append(f"/prices?symbols={chunk}")
    return paths


def run_api(args):
    paths = api_paths(args.target)
    started = time.perf_counter()
    if args.mode == "sequential":
        results = [fetch(args.target, p) for p in paths]
    else:
        with ThreadPoolExecutor(max_workers=args.workers) as executor:
            results = list(executor.map(lambda p: fetch(args.target, p), paths))
    return time.perf_counter() - started, len(results)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["json", "api"])
    parser.add_argument("target")
    parser.add_argument("--parser", choices=["json", "orjson"], default="json")
    parser.add_argument("--mode", choices=["sequential", "threads", "processes"], default="sequential")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    wall_s, items = run_json(args) if args.what == "json" else run_api(args)
    json.dump({"wall_s": wall_s, "items": items}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
