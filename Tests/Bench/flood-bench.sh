#!/usr/bin/env bash
# Hostile traffic: throughput and peak memory of `tlstop -r FILE --batch` on the flood captures
# (Tests/Bench/gen-flood-pcaps.py), next to the same figures for ordinary handshake traffic.
#
#   Tests/Bench/flood-bench.sh [RUNS] [CONNECTIONS_LIMIT]
#
# Each flood is read twice: with the default caps, and with `--limit connections=N` (default
# 65536), where the memory bound is the baseline's peak plus N times the per-connection budget.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
limit=${2:-65536}
data=bench-data
mkdir -p "$data"
python3 Tests/Bench/gen-flood-pcaps.py "$data/floods"
normal=$data/handshakes-250k.pcap
[ -s "$normal" ] || python3 Tests/Bench/gen-bench-pcap.py handshakes "$normal" 250000
swift build -c release >/dev/null

python3 - "$runs" "$limit" .build/release/tlstop "$normal" "$data"/floods/*.pcap <<'PY'
import os, re, statistics, subprocess, sys, tempfile
runs, limit, tlstop, normal, floods = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
# What one tracked connection may cost at most (Connection, analyzer, reassemblers, table slot).
BUDGET = 8 * 1024

def measure(path, extra):
    """Medians of the read rate (tlstop's own figure: packets over the time spent reading) and of
    the wall time, the largest peak RSS (KiB), and the limits the run reached."""
    rates, walls, peaks = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        timing = os.path.join(folder, "time")
        for _ in range(runs):
            out = subprocess.run(["/usr/bin/time", "-o", timing, "-f", "%e %M", tlstop, "-r", path, "--batch"]
                                 + extra, check=True, capture_output=True, text=True).stdout
            wall, peak = open(timing).read().split()[-2:]
            walls.append(float(wall))
            peaks.append(int(peak))
            packets, rate = re.search(r"read (\d+) packets.*\((\d+) packets/s\)", out).groups()
            rates.append(int(rate))
            limits = re.search(r"limits reached: (\d+) connections and (\d+) hosts evicted, (\d+) reassembly "
                               r"overflows, (\d+) handshake caps", out)
    evicted, caps = (int(limits[1]), int(limits[3]) + int(limits[4])) if limits else (0, 0)
    return int(packets), statistics.median(rates), statistics.median(walls), max(peaks), evicted, caps

packets, base_rate, wall, base_peak, evicted, caps = measure(normal, [])
print(f"{'capture':<22} {'packets':>9} {'limit':>8} {'packets/s':>10} {'vs normal':>9} {'wall s':>7} "
      f"{'peak MiB':>8} {'bound':>6} {'evicted':>8} {'caps hit':>8}")
def row(name, limit_text, packets, rate, wall, peak, bound, evicted, caps):
    print(f"{name:<22} {packets:>9} {limit_text:>8} {rate:>10,} {rate / base_rate:>8.2f}x {wall:>7.2f} "
          f"{peak / 1024:>8.0f} {bound:>6} {evicted:>8} {caps:>8}")
row("normal (handshakes)", "default", packets, base_rate, wall, base_peak, "-", evicted, caps)
slowest, over = 1e9, []
for path in floods:
    name = os.path.basename(path).removesuffix(".pcap")
    for extra in ([], ["--limit", f"connections={limit}"]):
        packets, rate, wall, peak, evicted, caps = measure(path, extra)
        bound = "-"
        if extra:
            bound_kib = base_peak + limit * BUDGET // 1024
            bound = f"{bound_kib // 1024}"
            if peak > bound_kib:
                over.append(name)
        row(name, str(limit) if extra else "default", packets, rate, wall, peak, bound, evicted, caps)
        slowest = min(slowest, rate / base_rate)
print(f"slowest flood reads at {slowest:.2f}x the packet rate of normal traffic (target: 0.5x or more)")
print("memory stayed under the bound (normal peak + limit x 8 KiB) for every flood" if not over
      else f"memory bound exceeded: {', '.join(over)}")
PY
