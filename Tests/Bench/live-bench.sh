#!/usr/bin/env bash
# Live-capture benchmark (not a test): tlstop captures on loopback while `openssl s_time` opens as
# many short real TLS connections as it can; prints packets, drops and resident memory over time.
# Usage (root): Tests/Bench/live-bench.sh [SECONDS]     default 60
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
port=44888
certs=Tests/Fixtures/certs
swift build -c release >/dev/null
out=$(mktemp -d)
trap 'kill $server $capture $load 2>/dev/null || true; rm -rf "$out"' EXIT

openssl s_server -accept $port -cert $certs/server-rsa.pem -key $certs/server-rsa.key -www -quiet \
    >/dev/null 2>&1 &
server=$!
.build/release/tlstop -i lo -f "tcp port $port" --batch --duration $((seconds + 2)) \
    --export "$out/live.json" --no-drop-privileges >"$out/summary.txt" 2>&1 &
capture=$!
sleep 1.5
# Many short connections: a full handshake each, alternating TLS 1.2 and 1.3 clients.
( while true; do
    openssl s_time -connect 127.0.0.1:$port -new -time 5 -tls1_3 >/dev/null 2>&1 || true
    openssl s_time -connect 127.0.0.1:$port -new -time 5 -tls1_2 >/dev/null 2>&1 || true
  done ) &
load=$!
printf '%8s %12s\n' "second" "RSS (MiB)"
for ((t = 0; t <= seconds; t += 5)); do
    rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$capture/status 2>/dev/null || echo "-")
    printf '%8d %12s\n' "$t" "$rss"
    sleep 5
done
kill $load 2>/dev/null || true
wait $capture || true
cat "$out/summary.txt"
python3 - "$out/live.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["stats"]
print(f"connections {s['connections']}, active {s['active_connections']}, expired {s['expired_connections']}, "
      f"folded {s['folded_connections']}, kernel received {s['kernel_received']}, dropped {s['kernel_dropped']}")
PY
