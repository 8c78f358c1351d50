#!/usr/bin/env bash
# Regenerate tlstop's "real-world TCP patterns and tunnels" packet-capture
# fixtures: REAL clients (curl, xfreerdp) and servers (nginx, tinyproxy,
# danted, xrdp), with the kernel's own TCP behaviour bent by sysctls and
# nftables rules: TCP Fast Open (accepted and ignored), dropped SYNs and
# repeated SYN-ACKs, a 4-tuple reused after a refused connection, TLS
# tunnelled through an HTTP CONNECT proxy and a SOCKS5 proxy, and RDP's X.224
# negotiation followed by TLS.  Writes pcaps/rw-*.pcap and
# fixtures-realworld.json.
#
# Everything runs inside a private network namespace (created and removed by
# this script): its own loopback, its own net.ipv4.tcp_fastopen, its own
# nftables ruleset and TCP metrics (TFO cookie) cache, and its own /etc/hosts
# (tlstop.test -> 127.0.0.1, via /etc/netns/NAME/hosts, which `ip netns exec`
# bind-mounts), so nothing here touches the host's loopback traffic.
#
# The manifest comes from what the clients report (curl -v, xfreerdp's
# negotiation log, the scripted RDP client's ssl-module report) and from the
# servers' own view (nginx $ssl_* access log, xrdp's log), and is
# cross-checked against tshark's dissection of each capture: the TCP pattern
# (SYN payloads, TFO options, retransmitted SYNs / SYN-ACKs, reused ports),
# the proxy requests, the RDP negotiation and the TLS hellos.  Any
# disagreement aborts the run.
#
# Usage (as root, on Debian 12 or similar):   sudo Tests/Fixtures/make-realworld-fixtures.sh
#
# Environment:
#   BASE_PORT     ports BASE_PORT+1 .. BASE_PORT+51 are used   (default 44800)
#   KEEP_WORK=1   keep the temporary work directory (logs) for debugging
#   RW_NETNS      name of the network namespace   (default tlstop-rw)
#
# Reuses certs/ca.pem and certs/server-rsa.{pem,key} (made by make-fixtures.sh).
# See README.md ("Real-world TCP patterns and tunnels").

set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/fixture-common.sh
. "$HERE/lib/fixture-common.sh"

NS="${RW_NETNS:-tlstop-rw}"

# --------------------------------------------------------------------------
# outside: install what is missing, create the namespace, run the rest in it
# --------------------------------------------------------------------------
if [[ ${RW_INSIDE_NETNS:-} != "$NS" ]]; then
    fx_init make-realworld-fixtures "it creates a network namespace, nftables rules and captures"
    # --no-services: xrdp, tinyproxy, danted and nginx only run as private
    # instances inside the namespace, never as the distribution's services
    fx_ensure_deps --no-services tcpdump=tcpdump openssl=openssl curl=curl python3=python3 tshark=tshark \
        nginx=nginx-light tinyproxy=tinyproxy danted=dante-server nft=nftables ip=iproute2 \
        xrdp=xrdp xfreerdp=freerdp2-x11 xvfb-run=xvfb xauth=xauth timeout=coreutils
    NS_CREATED=""
    # shellcheck disable=SC2317  # run by fx_cleanup
    ns_remove() {
        if [[ -n $NS_CREATED ]]; then
            ip netns del "$NS" 2>/dev/null || true
            rm -rf "/etc/netns/$NS"
            rmdir /etc/netns 2>/dev/null || true
        fi
    }
    FX_CLEANUP_AFTER=ns_remove
    if ip netns list | grep -qw -- "$NS"; then die "network namespace $NS already exists (a run in progress? else: ip netns del $NS)"; fi
    ip netns add "$NS"
    NS_CREATED=1
    mkdir -p "/etc/netns/$NS"
    printf '127.0.0.1\tlocalhost tlstop.test\n::1\tlocalhost ip6-localhost\n' >"/etc/netns/$NS/hosts"
    ip -n "$NS" link set lo up
    rc=0
    ip netns exec "$NS" env RW_INSIDE_NETNS="$NS" bash "$HERE/$(basename "${BASH_SOURCE[0]}")" "$@" || rc=$?
    exit "$rc"
fi

# --------------------------------------------------------------------------
# inside the namespace
# --------------------------------------------------------------------------
fx_init make-realworld-fixtures "tcpdump, sysctl and nft need it"
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ next to responders/ (rdp_scripted.py imports from there)

PCAP_DIR="$HERE/pcaps"
CERT_DIR="$HERE/certs"
RW="$HERE/realworld"
MANIFEST="$HERE/fixtures-realworld.json"
BASE_PORT="${BASE_PORT:-44800}"
SNI="tlstop.test"
LO4=127.0.0.1

for f in ca.pem server-rsa.pem server-rsa.key; do
    [[ -s $CERT_DIR/$f ]] || die "missing $CERT_DIR/$f: run make-fixtures.sh first (it creates the test certificates)"
done
openssl verify -CAfile "$CERT_DIR/ca.pem" "$CERT_DIR/server-rsa.pem" >/dev/null ||
    die "certs/server-rsa.pem does not verify against certs/ca.pem"
getent hosts "$SNI" | grep -q '^127\.0\.0\.1' || die "$SNI does not resolve to 127.0.0.1 inside the namespace"

fx_make_work tlstop-realworld
mkdir -p "$WORK/www" "$WORK/home"
printf 'tlstop fixture\n' >"$WORK/www/index.html"

# namespace state changed below, restored on exit (the namespace goes too)
OLD_TFO="$(sysctl -n net.ipv4.tcp_fastopen)"
# shellcheck disable=SC2317  # run by fx_cleanup
inner_cleanup() {
    nft delete table inet tlstop_rw 2>/dev/null || true
    sysctl -q -w "net.ipv4.tcp_fastopen=$OLD_TFO" || true
}
FX_CLEANUP_AFTER=inner_cleanup

# the commands as the manifest shows them (paths relative to Tests/Fixtures)
show() { local s="$*"; s=${s//$CERT_DIR/certs}; s=${s//$RW/realworld}; printf '%s' "${s//$WORK/WORK}"; }

# --------------------------------------------------------------------------
# servers
# --------------------------------------------------------------------------
# nginx_start DIR PORT LISTEN_OPTIONS -- private instance, tracked PID
NGINX_PID=""
nginx_start() {
    local dir=$1 port=$2 opts=$3
    mkdir -p "$dir/tmp"
    cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 32; }
http {
    default_type text/plain;
    client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
    uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
    log_format rw '\$ssl_protocol|\$ssl_cipher|\$ssl_curve|\$ssl_session_reused|\$ssl_server_name|\$ssl_alpn_protocol|\$remote_addr|\$remote_port|\$status';
    access_log $dir/access.log rw;
    server {
        listen $LO4:$port $opts;
        server_name $SNI;
        ssl_certificate $CERT_DIR/server-rsa.pem;
        ssl_certificate_key $CERT_DIR/server-rsa.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $WORK/www;
        keepalive_timeout 5s;
    }
}
EOF
    nginx -t -q -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" || die "nginx config test failed: $(cat "$dir/error.log")"
    nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
    NGINX_PID=$!
    BG_PIDS+=("$NGINX_PID")
    wait_listen "$port" "$NGINX_PID" "$dir/error.log"
}
nginx_stop() {
    local rc=0
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" || rc=$?
    forget_pid "$NGINX_PID"; NGINX_PID=""
    ((rc == 0 || rc == 143)) || log "warning: nginx exited with $rc"
}
NGINX_VER="$(nginx -v 2>&1 | sed 's/^nginx version: //')"

# stop_bg PID: end one tracked background server
stop_bg() {
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    forget_pid "$1"
}

# tinyproxy_start DIR PORT CONNECT_PORT  (CONNECT allowed to that port only)
PROXY_PID=""
tinyproxy_start() {
    local dir=$1 port=$2 cport=$3
    install -d -o nobody -g nogroup "$dir"
    cat >"$dir/tinyproxy.conf" <<EOF
User nobody
Group nogroup
Port $port
Listen $LO4
Timeout 30
LogFile "$dir/tinyproxy.log"
LogLevel Info
PidFile "$dir/tinyproxy.pid"
MaxClients 10
Allow 127.0.0.1
DisableViaHeader Yes
ConnectPort $cport
EOF
    tinyproxy -d -c "$dir/tinyproxy.conf" >"$dir/stdout.log" 2>&1 &
    PROXY_PID=$!
    BG_PIDS+=("$PROXY_PID")
    wait_listen "$port" "$PROXY_PID" "$dir/stdout.log"
}

# danted_start DIR PORT  (SOCKS5, no authentication, CONNECT only)
danted_start() {
    local dir=$1 port=$2
    mkdir -p "$dir"
    cat >"$dir/danted.conf" <<EOF
logoutput: $dir/danted.log
internal: $LO4 port = $port
external: $LO4
socksmethod: none
clientmethod: none
user.privileged: root
user.unprivileged: nobody
client pass {
    from: 127.0.0.0/8 to: 0.0.0.0/0
    log: connect disconnect error
}
socks pass {
    from: 127.0.0.0/8 to: 0.0.0.0/0
    command: connect
    log: connect disconnect error
}
EOF
    danted -f "$dir/danted.conf" -p "$dir/danted.pid" -N 1 >"$dir/stdout.log" 2>&1 &
    PROXY_PID=$!
    BG_PIDS+=("$PROXY_PID")
    wait_listen "$port" "$PROXY_PID" "$dir/stdout.log"
}

# --------------------------------------------------------------------------
# clients
# --------------------------------------------------------------------------
# curl_run URL [curl args...]: curl -v, log in $CURL_LOG, exit code in $CURL_RC,
# the command as shown in the manifest in $CURL_CMD
CURL_LOG="" CURL_RC=0 CURL_CMD=""
curl_run() {
    local url=$1 n=$((++CONN_SEQ)); shift
    CURL_LOG="$LOGS/conn-$n-curl.log" CURL_RC=0
    timeout 30 curl -sS -v --max-time 20 -o "$WORK/body-$n" --cacert "$CERT_DIR/ca.pem" "$@" "$url" \
        >"$CURL_LOG" 2>&1 || CURL_RC=$?
    ((CURL_RC != 124)) || die "curl timed out (connection $n)"
    CURL_CMD="$(show curl --cacert "$CERT_DIR/ca.pem" "$@" "$url")"
}

# conn PCAP SERVER_PORT PATTERN key=value...: one expected connection of PCAP
# (in capture order), as the manifest builder is to check it
conn() {
    local pcap=$1 port=$2 pattern=$3; shift 3
    plan_add kind=conn "pcap=$pcap" "server_port=$port" "tcp_pattern=$pattern" "$@"
}
# curl_conn PCAP SERVER_PORT PATTERN NGINXDIR key=value...: a connection of the last curl run
curl_conn() {
    local pcap=$1 port=$2 pattern=$3 ngdir=$4; shift 4
    conn "$pcap" "$port" "$pattern" tool=curl "log=$CURL_LOG" "rc=$CURL_RC" "cmd=$CURL_CMD" \
        "nginx_log=$ngdir/access.log" "$@"
}

# nft_rules RULESET: load a table inet tlstop_rw (replacing an older one)
nft_rules() {
    nft delete table inet tlstop_rw 2>/dev/null || true
    nft -f - <<<"$1" || die "nft rejected the ruleset"
}
nft_clear() { nft delete table inet tlstop_rw 2>/dev/null || true; }
# nft_dropped: packets counted by the (single) counter of the table
nft_dropped() { nft list table inet tlstop_rw | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -n1; }

# --------------------------------------------------------------------------
# the captures
# --------------------------------------------------------------------------
P_TFO_ACC=$((BASE_PORT + 1))
P_TFO_IGN=$((BASE_PORT + 2))
P_SYN_RETRY=$((BASE_PORT + 3))
P_SYNACK=$((BASE_PORT + 4))
P_REUSE=$((BASE_PORT + 5))
P_REUSE_LOCAL=$((BASE_PORT + 50))
P_REUSE2=$((BASE_PORT + 6))
P_REUSE2_LOCAL=$((BASE_PORT + 51))
P_HTTP_PROXY=$((BASE_PORT + 10))
P_HTTP_TARGET=$((BASE_PORT + 11))
P_HTTP_PROXY2=$((BASE_PORT + 12))
P_HTTP_TARGET2=$((BASE_PORT + 13))
P_SOCKS=$((BASE_PORT + 20))
P_SOCKS_TARGET=$((BASE_PORT + 21))
P_XRDP=$((BASE_PORT + 30))
P_RDP_PY=$((BASE_PORT + 31))

https() { printf 'https://%s:%s/' "$SNI" "$1"; }

cap_tfo_accepted() { # pcap port
    note "$1" "TCP Fast Open accepted. net.ipv4.tcp_fastopen=3 (client and server) in the namespace, TFO cookie cache flushed; nginx listens with 'ssl fastopen=16'. curl --tcp-fastopen runs twice: the first SYN carries an empty TFO option (cookie request) and no data, the SYN-ACK returns the cookie; the second SYN carries the cookie AND the whole ClientHello (tcp.len > 0), and the SYN-ACK acknowledges the data (ack = ISN + 1 + len). Both are complete TLS 1.3 connections with one HTTP/1.1 GET."
    sysctl -q -w net.ipv4.tcp_fastopen=3
    ip tcp_metrics flush all 2>/dev/null || true
    nginx_start "$WORK/nginx-$2" "$2" "ssl fastopen=16"
    curl_run "$(https "$2")" --tcp-fastopen --resolve "$SNI:$2:$LO4"
    curl_conn "$1" "$2" tfo-cookie-request "$WORK/nginx-$2"
    curl_run "$(https "$2")" --tcp-fastopen --resolve "$SNI:$2:$LO4"
    curl_conn "$1" "$2" tfo-accepted "$WORK/nginx-$2"
    nginx_stop
}
cap_tfo_ignored() {
    note "$1" "Data in the SYN, ignored by the server. net.ipv4.tcp_fastopen=5 in the namespace (0x1 client TFO + 0x4 send data in the SYN without a cookie; no server bit) and nginx listens without fastopen. curl --tcp-fastopen puts the whole ClientHello in the SYN (no TFO option); the SYN-ACK acknowledges only the SYN (ack = ISN + 1), so the client sends the same ClientHello again at relative sequence 1, and the handshake continues normally (TLS 1.3)."
    sysctl -q -w net.ipv4.tcp_fastopen=5
    ip tcp_metrics flush all 2>/dev/null || true
    nginx_start "$WORK/nginx-$2" "$2" "ssl"
    curl_run "$(https "$2")" --tcp-fastopen --resolve "$SNI:$2:$LO4"
    curl_conn "$1" "$2" tfo-ignored "$WORK/nginx-$2"
    nginx_stop
    sysctl -q -w "net.ipv4.tcp_fastopen=$OLD_TFO"
}
cap_syn_retry() {
    note "$1" "First SYN lost. An nftables input-hook rule drops the first SYN of each client port to $2 (it remembers the port in a set), after tcpdump saw it on lo; the kernel retransmits the SYN (same ISN and ports) about 1 s later, which completes. Then a normal TLS 1.3 handshake (curl -> nginx). The capture is the sender's view: both SYNs are in the file."
    nft_rules "table inet tlstop_rw {
  set syn_seen { type inet_service; flags dynamic; }
  chain in { type filter hook input priority 0; policy accept;
    tcp dport $2 tcp flags & (syn|ack) == syn tcp sport != @syn_seen update @syn_seen { tcp sport } counter drop
  }
}"
    nginx_start "$WORK/nginx-$2" "$2" "ssl"
    curl_run "$(https "$2")" --resolve "$SNI:$2:$LO4"
    [[ $(nft_dropped) == 1 ]] || die "nft dropped $(nft_dropped) SYNs, expected 1"
    nft_clear
    curl_conn "$1" "$2" syn-retry "$WORK/nginx-$2"
    nginx_stop
}
cap_synack_repeat() {
    note "$1" "SYN-ACK repeated. nftables rules (input hook) drop every segment the client sends to $2 after its SYN (its ACK and the ClientHello and their retransmissions) until the server has sent its SYN-ACK a second time (counted in the output hook). So the server, still in SYN-RECEIVED, retransmits the SYN-ACK after about 1 s; the client answers it with an ACK, retransmits the ClientHello, and the TLS 1.3 handshake completes. The dropped segments are in the capture (taken before the input hook)."
    nft_rules "table inet tlstop_rw {
  set synack1 { type inet_service; flags dynamic; }
  set synack2 { type inet_service; flags dynamic; }
  chain out { type filter hook output priority 0; policy accept;
    tcp sport $2 tcp flags & (syn|ack) == syn|ack tcp dport @synack1 update @synack2 { tcp dport }
    tcp sport $2 tcp flags & (syn|ack) == syn|ack update @synack1 { tcp dport }
  }
  chain in { type filter hook input priority 0; policy accept;
    tcp dport $2 tcp flags & (syn|ack) == ack tcp sport @synack1 tcp sport != @synack2 counter drop
  }
}"
    nginx_start "$WORK/nginx-$2" "$2" "ssl"
    curl_run "$(https "$2")" --resolve "$SNI:$2:$LO4"
    local dropped
    dropped=$(nft_dropped)
    ((dropped >= 1)) || die "nft dropped nothing"
    nft_clear
    curl_conn "$1" "$2" synack-repeat "$WORK/nginx-$2" "dropped=$dropped"
    nginx_stop
}
cap_tuple_reuse() { # pcap port local_port
    note "$1" "Same 4-tuple used twice. curl --local-port $3 to port $2 while nothing listens there: SYN, RST-ACK (curl: connection refused). Then nginx starts and curl connects again with the same --local-port $3: a new SYN (new ISN) on the identical 4-tuple 127.0.0.1:$3 -> 127.0.0.1:$2, and a complete TLS 1.3 handshake."
    fx_port_free "$2"
    curl_run "$(https "$2")" --resolve "$SNI:$2:$LO4" --local-port "$3"
    ((CURL_RC == 7)) || die "curl to the closed port $2 exited $CURL_RC, expected 7 (connection refused)"
    conn "$1" "$2" refused tool=curl "log=$CURL_LOG" "rc=$CURL_RC" "cmd=$CURL_CMD" local_port="$3"
    sleep 0.5
    nginx_start "$WORK/nginx-$2" "$2" "ssl"
    curl_run "$(https "$2")" --resolve "$SNI:$2:$LO4" --local-port "$3"
    curl_conn "$1" "$2" tuple-reuse "$WORK/nginx-$2" local_port="$3"
    nginx_stop
}
cap_tuple_reuse_stray() { # pcap port local_port
    note "$1" "Same 4-tuple used three times, with a stray segment in between. (1) curl --local-port $3 to port $2 while nothing listens: SYN, RST-ACK. (2) nginx starts; realworld/stray_ack.py makes the kernel send a bare ACK from 127.0.0.1:$3 on a connection nobody has (a TCP_REPAIR socket leaving repair mode sends a window probe, seq = snd_una - 1) and the listener's kernel answers with a RST (seq = the ACK's ack number): no SYN anywhere in that exchange. (3) curl connects again with --local-port $3: new SYN, complete TLS 1.3 handshake."
    fx_port_free "$2"
    curl_run "$(https "$2")" --resolve "$SNI:$2:$LO4" --local-port "$3"
    ((CURL_RC == 7)) || die "curl to the closed port $2 exited $CURL_RC, expected 7 (connection refused)"
    conn "$1" "$2" refused tool=curl "log=$CURL_LOG" "rc=$CURL_RC" "cmd=$CURL_CMD" local_port="$3"
    nginx_start "$WORK/nginx-$2" "$2" "ssl"
    sleep 0.3
    timeout 20 python3 "$RW/stray_ack.py" --port "$2" --local-port "$3" --report "$LOGS/stray-$2.json" \
        >"$LOGS/stray-$2.log" 2>&1 || die "stray_ack.py failed: $(cat "$LOGS/stray-$2.log")"
    conn "$1" "$2" stray-ack tool=stray "log=$LOGS/stray-$2.json" local_port="$3" \
        "cmd=python3 realworld/stray_ack.py --port $2 --local-port $3 --report R"
    sleep 0.3
    curl_run "$(https "$2")" --resolve "$SNI:$2:$LO4" --local-port "$3"
    curl_conn "$1" "$2" tuple-reuse "$WORK/nginx-$2" local_port="$3"
    nginx_stop
}
cap_http_connect() { # pcap proxy_port target_port
    note "$1" "TLS through an HTTP CONNECT proxy: curl -x http://127.0.0.1:$2 (tinyproxy, ConnectPort $3) to https://$SNI:$3/. Connection 1 (client -> proxy, port $2): 'CONNECT $SNI:$3 HTTP/1.1', 'HTTP/1.1 200 Connection established', then the TLS 1.3 handshake and the HTTP/1.1 GET inside the tunnel. Connection 2 (proxy -> nginx, port $3, opened after the CONNECT): the same TLS bytes relayed, an ordinary TLS connection. The proxy resolves $SNI via the namespace's /etc/hosts."
    nginx_start "$WORK/nginx-$3" "$3" "ssl"
    tinyproxy_start "$WORK/tinyproxy-$2" "$2" "$3"
    curl_run "$(https "$3")" -x "http://$LO4:$2" --resolve "$SNI:$3:$LO4"
    curl_conn "$1" "$2" normal "$WORK/nginx-$3" tunnel=http-connect "tunnel_target=$SNI:$3" upstream=next decode=http
    curl_conn "$1" "$3" normal "$WORK/nginx-$3" relay=tinyproxy
    stop_bg "$PROXY_PID"; PROXY_PID=""
    nginx_stop
}
cap_http_connect_refused() {
    note "$1" "HTTP CONNECT refused: tinyproxy allows CONNECT only to port 443 (ConnectPort 443) and answers 'CONNECT $SNI:$3 HTTP/1.1' with 'HTTP/1.1 403 Access violation' and an HTML error page; curl gives up (exit 56). Only the client -> proxy connection exists, all cleartext HTTP; no TLS byte, no connection to port $3."
    tinyproxy_start "$WORK/tinyproxy-$2" "$2" 443
    curl_run "$(https "$3")" -x "http://$LO4:$2" --resolve "$SNI:$3:$LO4"
    ((CURL_RC == 56)) || die "curl through the refusing proxy exited $CURL_RC, expected 56"
    conn "$1" "$2" normal tool=curl "log=$CURL_LOG" "rc=$CURL_RC" "cmd=$CURL_CMD" decode=http \
        "connect_target=$SNI:$3" refused=403
    stop_bg "$PROXY_PID"; PROXY_PID=""
}
cap_socks5() { # pcap proxy_port target_port
    note "$1" "TLS through a SOCKS5 proxy (danted, no authentication): curl --socks5 127.0.0.1:$2 (curl resolves $SNI itself, CONNECT to IPv4 127.0.0.1:$3), then curl --socks5-hostname 127.0.0.1:$2 (CONNECT to the domain name $SNI:$3, resolved by the proxy). Each run makes two connections: client -> proxy (port $2: SOCKS5 greeting, method 'no authentication', CONNECT request and reply, then TLS 1.3 and one HTTP/1.1 GET in the tunnel) and proxy -> nginx (port $3, ordinary TLS)."
    nginx_start "$WORK/nginx-$3" "$3" "ssl"
    danted_start "$WORK/danted-$2" "$2"
    curl_run "$(https "$3")" --socks5 "$LO4:$2" --resolve "$SNI:$3:$LO4"
    curl_conn "$1" "$2" normal "$WORK/nginx-$3" tunnel=socks5 "tunnel_target=$LO4:$3" upstream=next decode=socks
    curl_conn "$1" "$3" normal "$WORK/nginx-$3" relay=danted
    curl_run "$(https "$3")" --socks5-hostname "$LO4:$2"
    curl_conn "$1" "$2" normal "$WORK/nginx-$3" tunnel=socks5 "tunnel_target=$SNI:$3" upstream=next decode=socks
    curl_conn "$1" "$3" normal "$WORK/nginx-$3" relay=danted
    stop_bg "$PROXY_PID"; PROXY_PID=""
    nginx_stop
}
cap_rdp_xrdp() { # pcap port
    note "$1" "RDP with TLS security, real software: xfreerdp /v:$SNI:$2 /cert:ignore +auth-only (under xvfb-run) to xrdp (security_layer=negotiate, certs/server-rsa.pem). TPKT + X.224 Connection Request with cookie 'mstshash=tlstop' and RDP_NEG_REQ requestedProtocols 0x3 (SSL|HYBRID), Connection Confirm with RDP_NEG_RSP selectedProtocol 0x1 (PROTOCOL_SSL; xrdp has no CredSSP), then the TLS 1.3 handshake on the same connection and the start of the RDP session inside TLS (MCS connect, licensing, ...) until xfreerdp leaves (+auth-only). tshark needs '-d tcp.port==$2,tpkt' for the X.224 part."
    local dir="$WORK/xrdp-$2" pid n=$((++CONN_SEQ)) rc=0
    mkdir -p "$dir"
    sed -e "s|^port=3389|port=tcp://$LO4:$2|" -e 's|^fork=true|fork=false|' \
        -e 's|^security_layer=.*|security_layer=negotiate|' \
        -e "s|^certificate=.*|certificate=$CERT_DIR/server-rsa.pem|" -e "s|^key_file=.*|key_file=$CERT_DIR/server-rsa.key|" \
        -e "s|^LogFile=.*|LogFile=$dir/xrdp.log|" -e 's|^EnableSyslog=.*|EnableSyslog=false|' \
        -e 's|^LogLevel=.*|LogLevel=INFO|' /etc/xrdp/xrdp.ini >"$dir/xrdp.ini"
    xrdp -n -c "$dir/xrdp.ini" >"$dir/stdout.log" 2>&1 &
    pid=$!
    BG_PIDS+=("$pid")
    wait_listen "$2" "$pid" "$dir/stdout.log"
    local log="$LOGS/conn-$n-xfreerdp.log"
    HOME="$WORK/home" timeout 60 xvfb-run -a xfreerdp "/v:$SNI:$2" /cert:ignore +auth-only /u:tlstop /p:tlstop \
        /log-level:DEBUG >"$log" 2>&1 || rc=$?
    ((rc != 124)) || die "xfreerdp timed out"
    sleep 0.5
    stop_bg "$pid"
    conn "$1" "$2" normal tool=xfreerdp "log=$log" "rc=$rc" "server_log=$dir/xrdp.log" tunnel=rdp rdp_protocol=ssl \
        decode=tpkt "cmd=xvfb-run -a xfreerdp /v:$SNI:$2 /cert:ignore +auth-only /u:tlstop /p:tlstop /log-level:DEBUG" \
        "server=xrdp ($(dpkg-query -W -f '${Version}' xrdp)), security_layer=negotiate"
}
cap_rdp_scripted() { # pcap port
    note "$1" "RDP negotiation selecting PROTOCOL_HYBRID, scripted: realworld/rdp_scripted.py client sends TPKT + X.224 Connection Request (0xE0) with cookie 'mstshash=tlstop' and RDP_NEG_REQ requestedProtocols 0x3 (SSL|HYBRID); the scripted server answers with a Connection Confirm (0xD0) whose RDP_NEG_RSP selects 0x2 (PROTOCOL_HYBRID, i.e. CredSSP inside TLS). The X.224 bytes are laid out by the script as in [MS-RDPBCGR] 2.2.1.1/2.2.1.2; the TLS 1.3 handshake that follows on the same socket is real OpenSSL (Python ssl module), then close_notify from both ends -- no CredSSP messages follow. tshark needs '-d tcp.port==$2,tpkt' for the X.224 part."
    local n=$((++CONN_SEQ)) rc=0 pid
    timeout 60 python3 "$RW/rdp_scripted.py" server --port "$2" --select hybrid --cert "$CERT_DIR/server-rsa.pem" \
        --key "$CERT_DIR/server-rsa.key" --report "$LOGS/rdp-server-$2.json" >"$LOGS/rdp-server-$2.log" 2>&1 &
    pid=$!
    track_server "$pid" "$2" "$LOGS/rdp-server-$2.log"
    timeout 30 python3 "$RW/rdp_scripted.py" client --port "$2" --request ssl,hybrid --cafile "$CERT_DIR/ca.pem" \
        --report "$LOGS/rdp-client-$2.json" >"$LOGS/conn-$n-rdp-client.log" 2>&1 || rc=$?
    ((rc == 0)) || die "scripted RDP client failed: $(cat "$LOGS/conn-$n-rdp-client.log")"
    fx_wait_servers "scripted RDP server" "$LOGS/rdp-server-$2.log"
    conn "$1" "$2" normal tool=rdp-scripted "log=$LOGS/rdp-client-$2.json" "server_log=$LOGS/rdp-server-$2.json" \
        tunnel=rdp rdp_protocol=hybrid decode=tpkt \
        "cmd=python3 realworld/rdp_scripted.py client --port $2 --request ssl,hybrid --cafile certs/ca.pem --report R"
}


fx_run_capture rw-tfo-accepted.pcap          cap_tfo_accepted         "$P_TFO_ACC"
fx_run_capture rw-tfo-ignored.pcap           cap_tfo_ignored          "$P_TFO_IGN"
fx_run_capture rw-syn-retry.pcap             cap_syn_retry            "$P_SYN_RETRY"
fx_run_capture rw-synack-repeat.pcap         cap_synack_repeat        "$P_SYNACK"
log "capture rw-tuple-reuse.pcap (port $P_REUSE, client port $P_REUSE_LOCAL)"
start_capture "$STAGE/rw-tuple-reuse.pcap" lo "tcp port $P_REUSE"
cap_tuple_reuse rw-tuple-reuse.pcap "$P_REUSE" "$P_REUSE_LOCAL"
stop_capture "$STAGE/rw-tuple-reuse.pcap"
log "capture rw-tuple-reuse-stray.pcap (port $P_REUSE2, client port $P_REUSE2_LOCAL)"
start_capture "$STAGE/rw-tuple-reuse-stray.pcap" lo "tcp port $P_REUSE2"
cap_tuple_reuse_stray rw-tuple-reuse-stray.pcap "$P_REUSE2" "$P_REUSE2_LOCAL"
stop_capture "$STAGE/rw-tuple-reuse-stray.pcap"
fx_run_capture rw-http-connect.pcap          cap_http_connect         "$P_HTTP_PROXY" "$P_HTTP_TARGET"
fx_run_capture rw-http-connect-refused.pcap  cap_http_connect_refused "$P_HTTP_PROXY2" "$P_HTTP_TARGET2"
fx_run_capture rw-socks5.pcap                cap_socks5               "$P_SOCKS" "$P_SOCKS_TARGET"
fx_run_capture rw-rdp.pcap                   cap_rdp_xrdp             "$P_XRDP"
fx_run_capture rw-rdp-hybrid.pcap            cap_rdp_scripted         "$P_RDP_PY"

# --------------------------------------------------------------------------
# manifest: the clients' and servers' reports, cross-checked with tshark
# --------------------------------------------------------------------------
openssl ciphers -stdname -V 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' >"$WORK/openssl-ciphers.txt"
{
    printf 'curl\t%s\n' "$(curl --version | head -n1 | cut -d' ' -f1-2)"
    printf 'nginx\t%s\n' "$NGINX_VER"
    printf 'tinyproxy\t%s\n' "$(tinyproxy -v 2>&1 | head -n1)"
    printf 'danted\t%s\n' "$(danted -v 2>&1 | head -n1 | sed 's/\. *Copyright.*//')"
    printf 'xfreerdp\t%s\n' "xfreerdp (freerdp2-x11 $(dpkg-query -W -f '${Version}' freerdp2-x11))"
    printf 'xrdp\t%s\n' "$(xrdp -v 2>&1 | head -n1)"
    printf 'python\t%s\n' "$(python3 -c 'import ssl, sys; print("Python %d.%d.%d" % sys.version_info[:3], "ssl module,", ssl.OPENSSL_VERSION)')"
    printf 'kernel\t%s\n' "Linux $(uname -r)"
} >"$WORK/versions.tsv"

log "building fixtures-realworld.json (client and server reports vs tshark)"
fx_python python3 "$PLAN" "$STAGE" "$WORK/openssl-ciphers.txt" "$WORK/versions.tsv" "$WORK/fixtures-realworld.json" \
    "$SNI" <"$RW/build_manifest.py"

# install: exactly the files made above, replacing only those (other rw-* files in
# pcaps/ belong to other generators, e.g. derive-realworld.py)
mapfile -t MADE < <(python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))))' "$WORK/fixtures-realworld.json")
for f in "${MADE[@]}"; do [[ -s $STAGE/$f ]] || die "manifest names $f, which was not captured"; done
(($(find "$STAGE" -type f | wc -l) == ${#MADE[@]})) || die "captures in $STAGE that the manifest does not list"
fx_check_size 600000 "real-world fixtures" "$STAGE"/*
fx_install_captures "${MADE[@]/#/$STAGE/}"
fx_install_manifest "$WORK/fixtures-realworld.json"

log "done: ${#MADE[@]} capture files in $PCAP_DIR"
fx_list_captures 30 "${MADE[@]/#/$PCAP_DIR/}"
