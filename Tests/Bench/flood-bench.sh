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
if [ ! -s "$normal" ]; then
    python3 Tests/Bench/gen-bench-pcap.py "$normal" 250000 \
        Tests/Fixtures/pcaps/many-conns.pcap Tests/Fixtures/pcaps/tls12-ecdhe-rsa.pcap \
        Tests/Fixtures/pcaps/tls13-x25519.pcap Tests/Fixtures/pcaps/curl-nginx-tls13.pcap \
        Tests/Fixtures/pcaps/http-plain.pcap
fi
swift build -c release >/dev/null

python3 - "$runs" "$limit" .build/release/tlstop "$normal" "$data"/floods/*.pcap <<'PY'
import json, os, statistics, subprocess, sys, tempfile
runs, limit, tlstop, normal, floods = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
# What one tracked connection may cost at most (Connection, analyzer, reassemblers, table slot).
BUDGET = 8 * 1024

def measure(path, extra):
    """Median wall seconds, max peak RSS (KiB) and the snapshot's stats over `runs` runs."""
    walls, peaks, stats = [], [], {}
    with tempfile.TemporaryDirectory() as folder:
        export = os.path.join(folder, "s.json")
        for _ in range(runs):
            timing = os.path.join(folder, "time")
            subprocess.run(["/usr/bin/time", "-o", timing, "-f", "%e %M", tlstop, "-r", path, "--batch",
                            "--export", export] + extra, check=True, stdout=subprocess.DEVNULL)
            wall, peak = open(timing).read().split()[-2:]
            walls.append(float(wall))
            peaks.append(int(peak))
        stats = json.load(open(export))["stats"]
    return statistics.median(walls), max(peaks), stats

base_wall, base_peak, base_stats = measure(normal, [])
base_pps = base_stats["packets"] / max(base_wall, 1e-3)
print(f"{'capture':<24} {'packets':>9} {'limit':>9} {'wall s':>7} {'packets/s':>11} {'vs normal':>9} "
      f"{'peak MiB':>9} {'bound MiB':>9} {'evicted':>9} {'caps hit':>9}")
def row(name, stats, extra, wall, peak, bound):
    pps = stats["packets"] / max(wall, 1e-3)
    caps = stats["reassembly_overflows"] + stats["handshake_limit_hits"]
    print(f"{name:<24} {stats['packets']:>9} {extra:>9} {wall:>7.2f} {pps:>11,.0f} {pps / base_pps:>8.2f}x "
          f"{peak / 1024:>9.0f} {bound:>9} {stats['evicted_connections']:>9} {caps:>9}")
    return pps / base_pps
row("normal (handshakes)", base_stats, "default", base_wall, base_peak, "-")
worst_speed, over = 1.0, []
for path in floods:
    name = os.path.basename(path).removesuffix(".pcap")
    for extra in ([], ["--limit", f"connections={limit}"]):
        wall, peak, stats = measure(path, extra)
        bound = ""
        if extra:
            bound_kib = base_peak + limit * BUDGET // 1024
            bound = f"{bound_kib / 1024:.0f}"
            if peak > bound_kib:
                over.append(name)
        ratio = row(name, stats, "default" if not extra else str(limit), wall, peak, bound or "-")
        worst_speed = min(worst_speed, ratio)
print(f"slowest flood runs at {worst_speed:.2f}x the packet rate of normal traffic (target: at least 0.5x)")
print("memory bound held for every flood" if not over else f"memory bound exceeded: {', '.join(over)}")
PY
