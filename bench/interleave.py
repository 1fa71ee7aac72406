#!/usr/bin/env python3
"""Time shell commands interleaved: each round runs every case once, in
turn, so that a machine whose load drifts (other builds, other users)
slows every case alike instead of whichever ran during the busy minute.

    interleave.py --runs N --warmup W --base NAME [--overhead NAME] \
        NAME=PREP::CMD ...

Each case is a name, an untimed preparation and a timed command (both
run by bash). With --overhead, that case's median (the wrapper's own
time: a command that does nothing) is taken off every time first.
Prints, per case, the median time and the median of the per-round ratios
to the case named by --base, as JSON on stdout.
"""
import json
import statistics
import subprocess
import sys
import time


def main(argv):
    runs, warmup, base, overhead, cases = 20, 3, None, None, []
    args = iter(argv)
    for arg in args:
        if arg == "--runs":
            runs = int(next(args))
        elif arg == "--warmup":
            warmup = int(next(args))
        elif arg == "--base":
            base = next(args)
        elif arg == "--overhead":
            overhead = next(args)
        else:
            name, _, rest = arg.partition("=")
            prep, _, cmd = rest.partition("::")
            cases.append((name, prep, cmd))
    times = {name: [] for name, _, _ in cases}
    for round_ in range(warmup + runs):
        for name, prep, cmd in cases:
            if prep:
                subprocess.run(["bash", "-c", prep], check=True)
            start = time.perf_counter()
            subprocess.run(["bash", "-c", cmd], check=False)
            elapsed = (time.perf_counter() - start) * 1000
            if round_ >= warmup:
                times[name].append(elapsed)
    if overhead is not None:
        less = statistics.median(times[overhead])
        times = {name: [t - less for t in ts] for name, ts in times.items()}
    out = {}
    for name, _, _ in cases:
        entry = {"median_ms": statistics.median(times[name])}
        if base is not None:
            ratios = [t / b for t, b in zip(times[name], times[base])]
            entry["ratio"] = statistics.median(ratios)
        out[name] = entry
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
