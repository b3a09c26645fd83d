"""Cold start of the whole server (every spec loaded) until its first answer, several times.

Usage: ``python bench/cold_start.py [--runs 7]`` (``make bench-cold``). It starts ``python -m
mockserver run`` as ``bench/run.py`` does (pinned to CPU 0, caches warm after the first run) and
prints each time and the median; ``bench/run.py`` reports one such start per run.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from run import ours


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="starts to time (default 7)")
    args = parser.parse_args()
    times = []
    for _ in range(args.runs):
        with ours() as server:
            times.append(server.cold_start)
            rss = server.rss_mib()
    print("cold start s: " + ", ".join(f"{t:.2f}" for t in times))
    print(f"median {statistics.median(times):.2f} s, best {min(times):.2f} s; RSS {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
