"""What every twin shares: progress lines, the summary line and boundscope's checksums.

Progress: one line `done N items` per finished batch, N being the batch's items (so the
numbers of all `done` lines add up to the summary's item count). Summary: one line
`summary items=N ... checksum=HEX wall_s=S`. Both are flushed at once, whichever thread or
process prints them, so `boundscope exec --progress 'done (\\d+)'` sees them as they happen.

Checksums are boundscope's: xxh3-64 digests (the `xxhash` package from PyPI) of each unit's
result, combined in unit order. Without `xxhash` the summary says `checksum=unavailable`.
"""

import os
import struct
import sys
import threading

try:
    import xxhash
except ImportError:  # the twins still run; they only cannot give the checksum
    xxhash = None

_print_lock = threading.Lock()


def emit(line):
    """Writes one whole line and flushes it (one write call: lines never interleave)."""
    data = (line + "\n").encode()
    with _print_lock:
        sys.stdout.flush()
        os.write(sys.stdout.fileno(), data)


def done(items):
    emit(f"done {items} items")


def summary(items, checksum, wall_s, **extra):
    fields = [f"items={items}"]
    fields += [f"{key}={value}" for key, value in extra.items()]
    fields += [f"checksum={checksum or 'unavailable'}", f"wall_s={wall_s:.6f}"]
    emit("summary " + " ".join(fields))


def xxh3(data):
    """xxh3-64 of `data` as an int, or None without the `xxhash` package."""
    return None if xxhash is None else xxhash.xxh3_64_intdigest(data)


def combine_digests(digests):
    """boundscope's run checksum: xxh3 over (unit, digest) as little-endian u64 pairs, in unit
    order. `digests` maps unit number to digest; None if any digest is missing."""
    if xxhash is None or any(d is None for d in digests.values()):
        return None
    hasher = xxhash.xxh3_64()
    for unit in sorted(digests):
        hasher.update(struct.pack("<QQ", unit, digests[unit]))
    return f"{hasher.intdigest():016x}"
