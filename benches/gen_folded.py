#!/usr/bin/env python3
"""Writes a deterministic, realistic folded-stack file of about SIZE_MB megabytes to stdout.

Deep Rust-like stacks: a thread name, runtime frames, then a random walk through a call graph of
generic-heavy function names, so prefixes are shared like in real profiles while the number of
distinct stacks is large. Usage: gen_folded.py [SIZE_MB] > big.folded
"""
import random
import sys

size = int(float(sys.argv[1] if len(sys.argv) > 1 else 100) * 1_000_000)
rng = random.Random(42)
crates = ["serde_json", "hashbrown", "tokio", "rayon_core", "boundscope", "alloc", "core",
          "std", "regex", "csv", "rusqlite", "hyper", "h2", "bytes", "smallvec", "memchr"]
words = ["parse", "read", "write", "visit", "next", "poll", "call", "map", "fold", "insert",
         "extend", "decode", "encode", "scan", "flush", "grow", "push", "run", "step", "drive"]
types = ["Vec<u8>", "String", "Value", "Deserializer<R>", "HashMap<K, V>", "Row", "Record",
         "Frame", "Task", "Reader<File>"]
names = []
for i in range(6000):
    c = rng.choice(crates)
    mod = rng.choice(words) + "_" + rng.choice(words)
    if rng.random() < 0.3:
        name = f"<{c}::{mod}::{rng.choice(types)} as {rng.choice(crates)}::{rng.choice(words).title()}>::{rng.choice(words)}"
    else:
        name = f"{c}::{mod}::{rng.choice(words)}_{i}"
    names.append(name)
# each function calls a handful of others: a sparse call graph gives shared prefixes
callees = [[rng.randrange(len(names)) for _ in range(rng.randint(2, 7))] for _ in names]
threads = [f"bs-threads-{i}" for i in range(16)] + ["main", "bs-tokio-0", "bs-rayon-3"]
prefix = ["std::sys::pal::unix::thread::Thread::new::thread_start",
          "core::ops::function::FnOnce::call_once{{vtable.shim}}",
          "std::thread::Builder::spawn_unchecked_::{{closure}}",
          "std::sys::backtrace::__rust_begin_short_backtrace"]
out = sys.stdout
written = 0
while written < size:
    frames = [rng.choice(threads)] + prefix
    f = rng.randrange(200)
    depth = rng.randint(12, 70)
    for _ in range(depth):
        frames.append(names[f])
        # skewed: the first callee is the hot path, as in real profiles
        f = callees[f][0] if rng.random() < 0.6 else rng.choice(callees[f])
    line = ";".join(frames) + " " + str(rng.randint(1, 40)) + "\n"
    out.write(line)
    written += len(line)
