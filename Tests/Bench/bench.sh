#!/usr/bin/env bash
# The whole-program benchmark: `tlstop -r FILE --batch` against the floor (libpcap's pcap_loop with
# an empty callback, a tiny C program built here), ndpiReader and tshark, on the three generated
# workloads; then start-up time, the many-flows memory per connection, and the component
# benchmarks (Tests/Benchmarks, package-benchmark), among them one dashboard redraw over 100k hosts.
#
#   Tests/Bench/bench.sh [RUNS]          RUNS interleaved runs per tool and capture (default 5)
#
# BENCH_TSHARK_RUNS (default 1: tshark takes minutes per capture; 0 leaves it out), BENCH_SKIP_COMPONENTS=1
# to leave out the package-benchmark suite. Data goes to bench-data/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
data=bench-data
mkdir -p "$data"
[ -s "$data/mixed.pcap" ] || python3 Tests/Bench/gen-bench-pcap.py mixed "$data/mixed.pcap" 2000000
[ -s "$data/handshakes.pcap" ] || python3 Tests/Bench/gen-bench-pcap.py handshakes "$data/handshakes.pcap" 2000000
[ -s "$data/many-flows.pcap" ] || python3 Tests/Bench/gen-bench-pcap.py many-flows "$data/many-flows.pcap" 4000000
cc -O2 -o "$data/pcap_floor" Tests/Bench/pcap_floor.c -lpcap
swift build -c release >/dev/null
if ! command -v ndpiReader >/dev/null || ! command -v tshark >/dev/null || [ ! -x /usr/bin/time ]; then
    echo "bench: installing ndpiReader, tshark and GNU time (libndpi-bin, tshark, time)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends libndpi-bin tshark time >/dev/null
fi

python3 Tests/Bench/compare.py --runs "$runs" --tshark-runs "${BENCH_TSHARK_RUNS:-1}" \
    --floor "$data/pcap_floor" --tlstop .build/release/tlstop \
    "$data/mixed.pcap" "$data/handshakes.pcap" "$data/many-flows.pcap"

echo
echo "export, SYN flood and live replay (one run each)"
python3 - .build/release/tlstop "$data/handshakes.pcap" <<'PY'
import json, os, re, subprocess, sys, tempfile
tlstop, capture = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as folder:
    timing, out = os.path.join(folder, "time"), os.path.join(folder, "out.json")
    def run(extra):
        text = subprocess.run(["/usr/bin/time", "-o", timing, "-f", "%e %M", tlstop, "-r", capture, "--batch"] + extra,
                              check=True, capture_output=True, text=True).stdout
        wall, peak = open(timing).read().split()[-2:]
        return float(wall), int(peak), text
    bare, _, _ = run([])
    wall, peak, text = run(["--export", out])
    listed = len(json.load(open(out))["connections"])
    size = os.path.getsize(out)
    print(f"handshakes --export JSON: {wall:.2f} s (without export {bare:.2f} s: export {100 * (wall - bare) / wall:.0f}%"
          f" of the run), {size / 1e6:.1f} MB, {size / max(1, listed):.0f} bytes per listed connection, "
          f"peak {peak / 1024:.0f} MiB")
PY
[ -s "$data/floods/syn-flood.pcap" ] || python3 Tests/Bench/gen-flood-pcaps.py "$data/floods" >/dev/null
/usr/bin/time -f "syn-flood (2M SYNs from random sources) --export: %e s, peak %M KiB" \
    .build/release/tlstop -r "$data/floods/syn-flood.pcap" --batch --export "$data/syn-flood.json" >/dev/null
if [ "$(id -u)" = 0 ] && command -v tcpreplay >/dev/null; then
    Tests/Bench/live-replay-bench.sh 150000 300000 1
else
    echo "live replay: skipped (needs root and tcpreplay: sudo Tests/Bench/live-replay-bench.sh)"
fi

if [ "${BENCH_SKIP_COMPONENTS:-0}" != 1 ]; then
    echo
    echo "component benchmarks (Tests/Benchmarks, package-benchmark; p50 of each)"
    (cd Tests/Benchmarks && swift package --disable-sandbox benchmark --no-progress --format markdown \
        --time-units microseconds 2>/dev/null | grep -E '^\||^#|^$' || true)
fi
