#!/usr/bin/env bash
# Times `tlstop -r FILE --batch` against libpcap's empty pcap_loop on the same 200k+ packet capture.
# Usage: Tests/Bench/bench.sh [RUNS]   (run from anywhere; builds what it needs)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
data=bench-data
mkdir -p "$data"
capture=$data/handshakes-250k.pcap
[ -s "$capture" ] || python3 Tests/Bench/gen-bench-pcap.py "$capture" 250000
cc -O2 -o "$data/pcap_floor" Tests/Bench/pcap_floor.c -lpcap
swift build -c release >/dev/null
packets=$("$data/pcap_floor" "$capture" | awk '{print $1}')

python3 - "$runs" "$packets" "$capture" "$data/pcap_floor" .build/release/tlstop <<'PY'
import statistics, subprocess, sys, time
runs, packets, capture, floor_bin, tlstop = int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:]
def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start
floor, ours = [], []
for _ in range(runs):  # interleaved, so both see the same machine state
    floor.append(timed([floor_bin, capture]))
    ours.append(timed([tlstop, "-r", capture, "--batch"]))
f, t = statistics.median(floor), statistics.median(ours)
print(f"{'reader (' + str(packets) + ' packets)':<30} {'median s':>10} {'packets/s':>14}")
print(f"{'pcap_loop, empty callback':<30} {f:>10.4f} {packets / f:>14,.0f}")
print(f"{'tlstop -r FILE --batch':<30} {t:>10.4f} {packets / t:>14,.0f}")
print(f"tlstop / floor time: {t / f:.2f}x ({runs} interleaved runs, wall time including process start)")
PY
