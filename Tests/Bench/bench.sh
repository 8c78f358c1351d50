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

if [ "${BENCH_SKIP_COMPONENTS:-0}" != 1 ]; then
    echo
    echo "component benchmarks (Tests/Benchmarks, package-benchmark; p50 of each)"
    (cd Tests/Benchmarks && swift package --disable-sandbox benchmark --no-progress --format markdown \
        --time-units microseconds 2>/dev/null | grep -E '^\||^#|^$' || true)
fi
