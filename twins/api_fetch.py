"""CPython twin of boundscope's `api-fetch --reuse-connections off`: urllib on a thread pool
against `boundscope serve-api`, fetching the same plan and printing the same item count and
checksum as

    boundscope run api-fetch --base-url URL --reuse-connections off --mode threads --workers 8

    python api_fetch.py --workers 8 URL [--requests N] [--batch K] [--mode threads|sequential]

The plan is boundscope's: every tenant's /tenants/ID/connections, then /prices for the
symbols of /companies in batches of --batch; --requests truncates or repeats it. One unit is
one request; its items are the connections or price days it returned. urllib opens a new
connection for every request, as `requests.get` without a session does in the write-up.
Prints `done N items` per finished request.
"""

import argparse
import json
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import twinlib

RETRIES = 3
TIMEOUT_S = 5
RETRY_STATUSES = (429, 500, 502, 503, 504)


def get(base, path):
    """GET base+path; retried like boundscope (5xx, 429, timeouts, connection errors)."""
    for attempt in range(RETRIES + 1):
        try:
            with urllib.request.urlopen(base + path, timeout=TIMEOUT_S) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            if e.code not in RETRY_STATUSES or attempt == RETRIES:
                raise
        except (urllib.error.URLError, OSError):
            if attempt == RETRIES:
                raise
        time.sleep(0.01 * 2**attempt)
    raise AssertionError("unreachable")


def encode(symbol):
    """Percent-encodes all but unreserved characters (as boundscope's plan does)."""
    return urllib.parse.quote(symbol, safe="-._~")


def plan(base, batch, requests):
    tenants = [t["id"] for t in json.loads(get(base, "/tenants"))["tenants"]]
    symbols = json.loads(get(base, "/companies"))["symbols"]
    units = [("tenant", t) for t in tenants]
    units += [("prices", symbols[i : i + batch]) for i in range(0, len(symbols), batch)]
    if requests is not None and units:
        units = [units[i % len(units)] for i in range(requests)]
    return units


def path_of(unit):
    kind, what = unit
    if kind == "tenant":
        return f"/tenants/{what}/connections"
    return "/prices?symbols=" + ",".join(encode(s) for s in what)


def canonical(entry):
    """The JSON boundscope re-encodes a symbol's prices to (serde_json's compact form)."""
    return json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode()


def records_of(unit, body):
    """(items, [(key, digest)]) of one answer, checked against what was asked for."""
    kind, what = unit
    answer = json.loads(body)
    if kind == "tenant":
        if answer["tenant_id"] != what:
            raise ValueError(f"asked for tenant {what}, got {answer['tenant_id']}")
        return len(answer["connections"]), [(f"tenant/{what}", twinlib.xxh3(body))]
    got = [entry["symbol"] for entry in answer["prices"]]
    if got != what:
        raise ValueError(f"asked for prices of {what}, got {got}")
    items = sum(len(entry["days"]) for entry in answer["prices"])
    return items, [(f"prices/{e['symbol']}", twinlib.xxh3(canonical(e))) for e in answer["prices"]]


def unit_digest(records):
    if any(digest is None for _, digest in records):
        return None
    parts = (key.encode() + struct.pack("<Q", digest) for key, digest in records)
    return twinlib.xxh3(b"".join(parts))


def fetch(base, unit):
    """One unit: the request, its check and its digest."""
    items, records = records_of(unit, get(base, path_of(unit)))
    twinlib.done(items)
    return items, unit_digest(records)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", metavar="URL", help="http://HOST:PORT of boundscope serve-api")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--mode", choices=["threads", "sequential"], default="threads")
    parser.add_argument("--requests", type=int, default=None, help="requests (default: the plan)")
    parser.add_argument("--batch", type=int, default=1, help="symbols per /prices request")
    args = parser.parse_args()
    if args.workers < 1 or args.batch < 1 or (args.requests is not None and args.requests < 1):
        parser.error("--workers, --batch and --requests must be at least 1")
    base = args.url.rstrip("/")
    try:
        get(base, "/health")
        units = plan(base, args.batch, args.requests)
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"cannot reach the API at {base}: {e}")
    started = time.perf_counter()
    if args.mode == "sequential":
        results = [fetch(base, u) for u in units]
    else:
        with ThreadPoolExecutor(max_workers=args.workers) as executor:
            results = list(executor.map(lambda u: fetch(base, u), units))
    wall_s = time.perf_counter() - started
    checksum = twinlib.combine_digests({u: digest for u, (_, digest) in enumerate(results)})
    items = sum(items for items, _ in results)
    twinlib.summary(items, checksum, wall_s, requests=len(results))


if __name__ == "__main__":
    main()
