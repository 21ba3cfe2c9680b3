"""Run a command and print the peak RSS (MB) of it and its descendants on the last line.

Used by the benchmarks so each measurement starts from a fresh process and the
number covers only that command.
"""

from __future__ import annotations

import resource
import subprocess
import sys

if __name__ == "__main__":
    proc = subprocess.run(sys.argv[1:], check=False)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{peak_kb / 1024:.1f}")
    sys.exit(proc.returncode)
