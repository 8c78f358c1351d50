#!/usr/bin/env bash
# Live-capture benchmark (not a test): tlstop captures on loopback while `openssl s_time` opens as
# many short real TLS connections as it can. Two phases under the same load, process attribution
# off (--no-processes) then on: packets, drops, resident memory over time, tlstop's CPU time per
# thousand packets, and how many connections were attributed. The difference in CPU per packet is
# what attribution costs the capture.
# Usage (root): Tests/Bench/live-bench.sh [SECONDS_PER_PHASE]     default 30
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
port=44888
certs=Tests/Fixtures/certs
swift build -c release >/dev/null
out=$(mktemp -d)
chmod 0777 "$out"
server=""
capture=""
load=""
trap 'kill $server $capture $load 2>/dev/null || true; rm -rf "$out"' EXIT

openssl s_server -accept $port -cert $certs/server-rsa.pem -key $certs/server-rsa.key -www -quiet \
    >/dev/null 2>&1 &
server=$!

phase() { # phase NAME EXTRA_ARGS...
    local name=$1
    shift
    .build/release/tlstop -i lo -f "tcp port $port" --batch --duration $((seconds + 2)) \
        --export "$out/$name.json" "$@" >"$out/$name.txt" 2>&1 &
    capture=$!
    sleep 1.5
    # Many short connections: a full handshake each, alternating TLS 1.2 and 1.3 clients.
    ( while true; do
        openssl s_time -connect 127.0.0.1:$port -new -time 5 -tls1_3 >/dev/null 2>&1 || true
        openssl s_time -connect 127.0.0.1:$port -new -time 5 -tls1_2 >/dev/null 2>&1 || true
      done ) &
    load=$!
    printf '%s\n%8s %12s\n' "== $name" "second" "RSS (MiB)"
    local ticks=0
    for ((t = 0; t <= seconds; t += 5)); do
        rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$capture/status 2>/dev/null || echo "-")
        # utime + stime, in clock ticks, of the whole process and of the attribution thread alone.
        ticks=$(awk '{print $14 + $15}' /proc/$capture/stat 2>/dev/null || echo "$ticks")
        attribution=0
        for task in /proc/$capture/task/*; do
            if [ "$(cat "$task/comm" 2>/dev/null)" = "tlstop-attrib" ]; then
                attribution=$(awk '{print $14 + $15}' "$task/stat" 2>/dev/null || echo 0)
            fi
        done
        [ "$attribution" = 0 ] || echo "$attribution" >"$out/$name.attribution"
        printf '%8d %12s\n' "$t" "$rss"
        sleep 5
    done
    pkill -P $load 2>/dev/null || true
    kill $load 2>/dev/null || true
    wait $capture || true
    echo "$ticks" >"$out/$name.ticks"
    cat "$out/$name.txt"
}

phase off --no-processes
phase on
python3 - "$out" "$(getconf CLK_TCK)" <<'PY'
import json, sys
out, hz = sys.argv[1], int(sys.argv[2])
rows = {}
for name in ("off", "on"):
    d = json.load(open(f"{out}/{name}.json"))
    s = d["stats"]
    cpu = int(open(f"{out}/{name}.ticks").read()) / hz
    try:
        attribution = int(open(f"{out}/{name}.attribution").read()) / hz
    except OSError:
        attribution = 0.0
    states = {}
    for c in d["connections"]:
        state = (c.get("local_process") or {}).get("state", "none")
        states[state] = states.get(state, 0) + 1
    rows[name] = (s["packets"], s["kernel_dropped"], s["connections"], cpu, states, attribution)
    print(f"{name:>3}: attribution {d.get('process_attribution')}; {s['packets']} packets, {s['connections']} "
          f"connections, kernel dropped {s['kernel_dropped']}, CPU {cpu:.2f} s "
          f"({1000 * cpu / max(1, s['packets']) * 1000:.1f} ms per 1k packets, attribution thread {attribution:.2f} s); "
          f"held connections by process state {states}")
off, on = rows["off"], rows["on"]
per_off = off[3] / max(1, off[0])
per_on = on[3] / max(1, on[0])
capture_on = (on[3] - on[5]) / max(1, on[0])
rate_off, rate_on = off[0] / max(1, off[2]), on[0] / max(1, on[2])
print(f"attribution cost: {100 * (capture_on - per_off) / per_off:+.1f}% CPU per packet on the capture side, "
      f"{100 * (per_on - per_off) / per_off:+.1f}% with the attribution thread; "
      f"packets captured {on[0]} vs {off[0]} ({100 * (on[0] - off[0]) / max(1, off[0]):+.1f}%), drops {on[1]} vs {off[1]}")
PY
