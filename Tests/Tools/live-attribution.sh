#!/usr/bin/env bash
# Live process attribution end to end (root only; used by LiveAttributionTests).
#
#   Tests/Tools/live-attribution.sh TLSTOP OUT_DIR
#
# Two network namespaces joined by a veth pair: "host" (10.77.0.1), where tlstop captures on its
# end of the pair, and "peer" (10.77.0.2). Real programs talk TLS across it:
#   inbound  openssl s_client (peer)  -> openssl s_server (host) :4433
#   inbound  curl (peer)              -> nginx (host)            :8443
#   outbound openssl s_client (host)  -> openssl s_server (peer) :4434
#   outbound curl (host)              -> nginx (peer)            :4435
# Each connection lasts about three seconds (curl fetches four pages over one kept-alive connection
# at a request a second; s_client waits on its input), as real sessions do: long enough for the
# lookup when CI runs the rest of the suite on the same two cores (at one second, curl had once
# exited before tlstop got to its packets). tlstop's snapshot is written to
# OUT_DIR/export/snapshot.json (a folder the unprivileged user tlstop switches to can write).
set -euo pipefail
tlstop=$1
out=$2
certs=$(cd "$(dirname "$0")/../Fixtures/certs" && pwd)
host=tlstop-attr-h-$$
peer=tlstop-attr-p-$$
pids=()
cleanup() {
    # Everything that ran in the namespaces, then the feeders of the servers' input.
    for ns in "$host" "$peer"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        pkill -P "$pid" 2>/dev/null || true
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    ip netns del "$host" 2>/dev/null || true
    ip netns del "$peer" 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p "$out/www" "$out/export"
chmod 0777 "$out/export"
echo tlstop >"$out/www/index.html"

ip netns add "$host"
ip netns add "$peer"
ip link add h0 netns "$host" type veth peer name p0 netns "$peer"
ip -n "$host" addr add 10.77.0.1/24 dev h0
ip -n "$peer" addr add 10.77.0.2/24 dev p0
for ns in "$host" "$peer"; do ip -n "$ns" link set lo up; done
ip -n "$host" link set h0 up
ip -n "$peer" link set p0 up

in_host() { ip netns exec "$host" "$@"; }
in_peer() { ip netns exec "$peer" "$@"; }
server_tls=(-cert "$certs/server-rsa.pem" -key "$certs/server-rsa.key")

# Servers. s_server reads what it sends from stdin: keep it open so sessions stay up.
(sleep 60 | in_host openssl s_server -accept 10.77.0.1:4433 "${server_tls[@]}" -quiet -naccept 1 >/dev/null 2>&1) &
pids+=($!)
(sleep 60 | in_peer openssl s_server -accept 10.77.0.2:4434 "${server_tls[@]}" -quiet -naccept 1 >/dev/null 2>&1) &
pids+=($!)
# nginx_conf NAME ADDRESS:PORT: a private nginx serving $out/www over TLS.
nginx_conf() {
    mkdir -p "$out/$1/tmp"
    cat >"$out/$1/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $out/$1/nginx.pid;
error_log $out/$1/error.log;
events { worker_connections 16; }
http {
    client_body_temp_path $out/$1/tmp; proxy_temp_path $out/$1/tmp; fastcgi_temp_path $out/$1/tmp;
    uwsgi_temp_path $out/$1/tmp; scgi_temp_path $out/$1/tmp;
    access_log off;
    server {
        listen $2 ssl;
        ssl_certificate $certs/server-rsa.pem;
        ssl_certificate_key $certs/server-rsa.key;
        root $out/www;
    }
}
CONF
}
nginx_conf nginx-host 10.77.0.1:8443
nginx_conf nginx-peer 10.77.0.2:4435
ip netns exec "$host" nginx -e "$out/nginx-host/error.log" -p "$out/nginx-host" -c "$out/nginx-host/nginx.conf" &
pids+=($!)
ip netns exec "$peer" nginx -e "$out/nginx-peer/error.log" -p "$out/nginx-peer" -c "$out/nginx-peer/nginx.conf" &
pids+=($!)

# The capture, then the clients once everything listens.
ip netns exec "$host" "$tlstop" -i h0 --batch --duration 60 --export "$out/export/snapshot.json" \
    --log "$out/export/events.ndjson" >"$out/tlstop.log" 2>&1 &
capture=$!
for _ in $(seq 50); do
    if in_host ss -ltn | grep -q 10.77.0.1:8443 && in_peer ss -ltn | grep -q 10.77.0.2:4435; then break; fi
    sleep 0.1
done
sleep 1.5 # libpcap attached

(sleep 3) | in_peer openssl s_client -connect 10.77.0.1:4433 -servername tlstop.test >/dev/null 2>&1 &
a=$!
page=https://10.77.0.1:8443/index.html
in_peer curl -sk --rate 1/s -o /dev/null -o /dev/null -o /dev/null -o /dev/null "$page" "$page" "$page" "$page" &
b=$!
(sleep 3) | in_host openssl s_client -connect 10.77.0.2:4434 -servername tlstop.test >/dev/null 2>&1 &
c=$!
page=https://10.77.0.2:4435/index.html
in_host curl -sk --rate 1/s -o /dev/null -o /dev/null -o /dev/null -o /dev/null "$page" "$page" "$page" "$page" &
d=$!
wait "$a" "$b" "$c" "$d" || true
sleep 1.5 # the last answers reach a snapshot
kill -INT "$capture"
wait "$capture"
