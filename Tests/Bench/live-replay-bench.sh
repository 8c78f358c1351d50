#!/usr/bin/env bash
# Live capture under load: real connections (the handshake workload of gen-bench-pcap.py) replayed
# with tcpreplay at a fixed packet rate onto a veth pair in a network namespace this script makes;
# tlstop captures the other end with default options. Prints what the kernel received and dropped
# for tlstop. Needs root; touches nothing outside its own namespace.
#
#   sudo Tests/Bench/live-replay-bench.sh [PPS [PACKETS [RUNS]]]    defaults 150000, 300000, 3
set -euo pipefail
cd "$(dirname "$0")/../.."
pps=${1:-150000}
packets=${2:-300000}
runs=${3:-3}
data=bench-data
mkdir -p "$data"
capture=$data/handshakes-$packets.pcap
[ -s "$capture" ] || python3 Tests/Bench/gen-bench-pcap.py handshakes "$capture" "$packets" >/dev/null
command -v tcpreplay >/dev/null || { echo "live-replay-bench: needs tcpreplay (make test-setup)" >&2; exit 1; }
swift build -c release >/dev/null
tlstop=$PWD/.build/release/tlstop

namespace=tlstop-replay-$$
ip netns add "$namespace"
trap 'ip netns del "$namespace" 2>/dev/null || true' EXIT
in_ns() { ip netns exec "$namespace" "$@"; }
in_ns sysctl -q net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$namespace" link add replay0 type veth peer name sensor0
for link in replay0 sensor0; do ip -n "$namespace" link set "$link" mtu 65535 up; done
ip -n "$namespace" link set lo up

# How long one replay lasts, plus time for tlstop to open the interface and to drain.
seconds=$(python3 -c "print(int($packets / $pps) + 4)")
printf '%-6s %10s %10s %12s %10s %8s\n' run pps sent received dropped "drop %"
for run in $(seq 1 "$runs"); do
    summary=$(mktemp)
    in_ns "$tlstop" -i sensor0 --batch --duration "$seconds" >"$summary" 2>&1 &
    sensor=$!
    sleep 1.5
    in_ns tcpreplay -q -i replay0 --pps="$pps" "$capture" >/dev/null 2>&1
    wait "$sensor" || true
    line=$(grep -E '^capture: kernel received' "$summary" || true)
    received=$(sed -E 's/.*received ([0-9]+).*/\1/' <<<"$line")
    dropped=$(sed -E 's/.*, dropped ([0-9]+).*/\1/' <<<"$line")
    if [ -z "$line" ]; then
        echo "live-replay-bench: tlstop printed no capture line:" >&2
        cat "$summary" >&2
        exit 1
    fi
    share=$(python3 -c "print(f'{100 * $dropped / max(1, $received + $dropped):.2f}')")
    printf '%-6s %10s %10s %12s %10s %8s\n' "$run" "$pps" "$packets" "$received" "$dropped" "$share"
    rm -f "$summary"
done
