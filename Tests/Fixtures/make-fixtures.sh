#!/usr/bin/env bash
# Regenerate tlstop's packet-capture fixtures from REAL clients and servers
# talking over loopback (127.0.0.1 / ::1 only), and the manifest fixtures.json
# describing what each capture must show.  The manifest is derived from what
# the clients themselves report (openssl s_client, gnutls-cli -V, curl -v, plus
# nginx's own $ssl_* log variables where curl is silent) and is cross-checked
# against tshark's dissection of the capture; any disagreement aborts the run.
#
# Usage (as root, on Debian 12 or similar):   sudo Tests/Fixtures/make-fixtures.sh
#
# Environment:
#   BASE_PORT     first port; capture N uses BASE_PORT+N      (default 44300)
#   REGEN_CERTS=1 throw away Tests/Fixtures/certs/* and make new ones
#   KEEP_WORK=1   keep the temporary work directory (logs) for debugging
#
# Idempotent: certificates/DH parameters are reused while valid; captures and
# fixtures.json are rebuilt in a temporary directory and only copied into
# place after every check passed.  See README.md next to this file.

set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/fixture-common.sh
. "$HERE/lib/fixture-common.sh"
fx_init make-fixtures "tcpdump needs to open the loopback interface"

PCAP_DIR="$HERE/pcaps"
CERT_DIR="$HERE/certs"
MANIFEST="$HERE/fixtures.json"
BASE_PORT="${BASE_PORT:-44300}"
SNI="tlstop.test"
HTTP_USER="tlstopuser"
HTTP_PASS="S3cretTestPassw0rd"
HTTP_REQ=$'GET /index.html HTTP/1.0\r\n\r\n'

# --------------------------------------------------------------------------
# prerequisites
# --------------------------------------------------------------------------
# --no-services: do not let the nginx package start the distribution's nginx
# service on port 80: we only run our own private instances on loopback.
fx_ensure_deps --no-services tcpdump=tcpdump openssl=openssl gnutls-cli=gnutls-bin curl=curl \
    nginx=nginx-light python3=python3 tshark=tshark timeout=coreutils base64=coreutils

fx_make_work tlstop-fixtures
WWW="$WORK/www"
mkdir -p "$WWW"
# tiny payload so captures stay small
printf 'tlstop fixture\n' >"$WWW/index.html"

# --------------------------------------------------------------------------
# certificates (test-only material, committed; reused while still valid)
# --------------------------------------------------------------------------
make_certs() {
    mkdir -p "$CERT_DIR"
    local d="$CERT_DIR" days=3650 ext="$WORK/ext.cnf"
    if [[ ${REGEN_CERTS:-0} == 1 ]]; then
        rm -f "$d"/*.pem "$d"/*.key "$d"/*.srl
    fi
    if [[ ! -s $d/ca.key || ! -s $d/ca.pem ]] || ! openssl x509 -in "$d/ca.pem" -noout -checkend 2592000 >/dev/null; then
        log "creating test CA"
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
            -keyout "$d/ca.key" -out "$d/ca.pem" -subj "/O=tlstop test fixtures/CN=tlstop test CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        rm -f "$d"/server-rsa.pem "$d"/server-ecdsa.pem "$d"/client.pem
    fi
    # leaf <name> <cn> <keyalg-args...> -- <extensions>
    leaf() {
        local name=$1 cn=$2 exts=$3; shift 3
        if [[ -s $d/$name.key && -s $d/$name.pem ]] &&
           openssl verify -CAfile "$d/ca.pem" "$d/$name.pem" >/dev/null 2>&1 &&
           openssl x509 -in "$d/$name.pem" -noout -checkend 2592000 >/dev/null; then
            return 0
        fi
        log "creating certificate $name ($cn)"
        openssl genpkey "$@" -out "$d/$name.key" 2>/dev/null
        openssl req -new -key "$d/$name.key" -subj "/O=tlstop test fixtures/CN=$cn" -out "$WORK/$name.csr"
        printf '%b' "$exts" >"$ext"
        openssl x509 -req -in "$WORK/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
            -set_serial "0x$(openssl rand -hex 12)" -days "$days" -sha256 \
            -extfile "$ext" -out "$d/$name.pem" 2>/dev/null
    }
    local srv_ext="subjectAltName=DNS:$SNI\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n"
    leaf server-rsa "$SNI" "${srv_ext}keyUsage=critical,digitalSignature,keyEncipherment\n" \
        -algorithm RSA -pkeyopt rsa_keygen_bits:2048
    leaf server-ecdsa "$SNI" "${srv_ext}keyUsage=critical,digitalSignature\n" \
        -algorithm EC -pkeyopt ec_paramgen_curve:P-256
    leaf client "tlstop test client" \
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n" \
        -algorithm RSA -pkeyopt rsa_keygen_bits:2048
    local bits
    for bits in 2048 1024; do
        if [[ ! -s $d/dh$bits.pem ]] || ! openssl dhparam -in "$d/dh$bits.pem" -check -noout >/dev/null 2>&1; then
            log "generating $bits-bit DH parameters (may take a while)"
            openssl dhparam -out "$d/dh$bits.pem" "$bits" 2>/dev/null
        fi
    done
    chmod 644 "$d"/*
}
make_certs

# --------------------------------------------------------------------------
# helpers: servers, clients (plan records, port checks and capture start/stop
# are in lib/fixture-common.sh)
# --------------------------------------------------------------------------
# ossl_server PORT CERT(rsa|ecdsa) NACCEPT BINDADDR [s_server args...]
ossl_server() {
    local port=$1 cert=$2 naccept=$3 addr=$4; shift 4
    local accept="$addr:$port"
    [[ $addr == *:* ]] && accept="[$addr]:$port"
    (cd "$WWW" && exec timeout 90 openssl s_server -accept "$accept" \
        -cert "$CERT_DIR/server-$cert.pem" -key "$CERT_DIR/server-$cert.key" \
        -WWW -naccept "$naccept" "$@") >"$LOGS/server-$port.log" 2>&1 &
    track_server $! "$port"
}

# ossl_client PCAP PORT HOST [meta key=value ...] -- [s_client args...]
ossl_client() {
    local pcap=$1 port=$2 host=$3; shift 3
    local meta=() rc=0 n=$((++CONN_SEQ))
    while (($#)) && [[ $1 != -- ]]; do meta+=("$1"); shift; done
    (($#)) && shift
    local log="$LOGS/conn-$n-s_client.log" connect="$host:$port"
    [[ $host == *:* ]] && connect="[$host]:$port"
    printf '%s' "$HTTP_REQ" | timeout 30 openssl s_client -connect "$connect" -servername "$SNI" \
        -CAfile "$CERT_DIR/ca.pem" -ign_eof -msg "$@" >"$log" 2>&1 || rc=$?
    ((rc != 124)) || die "s_client timed out (connection $n, $pcap)"
    plan_add kind=conn "pcap=$pcap" tool=openssl "log=$log" "rc=$rc" "server_port=$port" \
        "sni_sent=$SNI" server=openssl "server_log=$LOGS/server-$port.log" "${meta[@]}"
}

# nginx_start DIR PORT MODE(tls|plain)  -- private instance, tracked PID
NGINX_PID=""
nginx_start() {
    local dir=$1 port=$2 mode=$3 listen server_tls=""
    mkdir -p "$dir/tmp"
    if [[ $mode == tls ]]; then
        listen="listen 127.0.0.1:$port ssl http2;"
        server_tls="ssl_certificate $CERT_DIR/server-rsa.pem; ssl_certificate_key $CERT_DIR/server-rsa.key;
        ssl_protocols TLSv1.2 TLSv1.3;"
    else
        listen="listen 127.0.0.1:$port;"
        printf '%s:%s\n' "$HTTP_USER" "$(openssl passwd -apr1 "$HTTP_PASS")" >"$dir/htpasswd"
        server_tls="auth_basic \"tlstop fixture\"; auth_basic_user_file $dir/htpasswd;"
    fi
    cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 32; }
http {
    default_type text/html;
    client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
    uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
    log_format fixture '\$ssl_protocol|\$ssl_cipher|\$ssl_curve|\$ssl_session_reused|\$ssl_server_name|\$ssl_alpn_protocol|\$remote_port|\$remote_user|\$status|\$server_protocol';
    access_log $dir/access.log fixture;
    server {
        $listen
        server_name $SNI;
        $server_tls
        root $WWW;
        index index.html;
        keepalive_timeout 5s;
    }
}
EOF
    nginx -t -q -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" || die "nginx config test failed: $(cat "$dir/error.log")"
    nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
    NGINX_PID=$!
    BG_PIDS+=("$NGINX_PID")
    wait_listen "$port" "$NGINX_PID"
}
nginx_stop() {
    local rc=0
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" || rc=$?
    forget_pid "$NGINX_PID"; NGINX_PID=""
    ((rc == 0 || rc == 143)) || log "warning: nginx exited with $rc"
}

# curl_client PCAP PORT NGINXDIR SCHEME [meta...] -- [curl args...]
curl_client() {
    local pcap=$1 port=$2 ngdir=$3 scheme=$4; shift 4
    local meta=() rc=0 n=$((++CONN_SEQ))
    while (($#)) && [[ $1 != -- ]]; do meta+=("$1"); shift; done
    (($#)) && shift
    local log="$LOGS/conn-$n-curl.log" url
    if [[ $scheme == https ]]; then
        url="https://$SNI:$port/"
        set -- --cacert "$CERT_DIR/ca.pem" --resolve "$SNI:$port:127.0.0.1" "$@"
    else
        url="http://127.0.0.1:$port/"
    fi
    timeout 30 curl -sS -v --max-time 20 -o "$WORK/body-$n" -w '%{local_port}' "$@" "$url" \
        >"$LOGS/conn-$n-curl.localport" 2>"$log" || rc=$?
    ((rc != 124)) || die "curl timed out (connection $n, $pcap)"
    plan_add kind=conn "pcap=$pcap" tool=curl "log=$log" "rc=$rc" "server_port=$port" \
        "localport_file=$LOGS/conn-$n-curl.localport" server=nginx "server_log=$ngdir/access.log" \
        "scheme=$scheme" "${meta[@]}"
}

# run_capture NAME IFACE PORT FUNCTION
run_capture() {
    local name=$1 iface=$2 port=$3 fn=$4
    local lt=()
    [[ $iface == any ]] && lt=(-y LINUX_SLL2)
    log "capture $name (port $port, interface $iface)"
    fx_port_free "$port"
    start_capture "${lt[@]}" "$STAGE/$name" "$iface" "tcp port $port"
    "$fn" "$name" "$port"
    stop_capture "$STAGE/$name"
}

# --------------------------------------------------------------------------
# the captures
# --------------------------------------------------------------------------
LO4=127.0.0.1
LO6=::1

cap_tls10() {
    note "$1" "TLS 1.0 (OpenSSL 3.0 needs @SECLEVEL=0 on both ends), ECDHE key exchange with an RSA certificate, CBC cipher with HMAC-SHA1. openssl s_client against openssl s_server, one request."
    ossl_server "$2" rsa 1 $LO4 -tls1 -cipher 'DEFAULT@SECLEVEL=0'
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.0 expect_established=true -- -tls1 -cipher 'DEFAULT@SECLEVEL=0'
    wait_servers
}
cap_tls11() {
    note "$1" "TLS 1.1 (needs @SECLEVEL=0), ECDHE-RSA, CBC cipher with HMAC-SHA1. openssl s_client against openssl s_server."
    ossl_server "$2" rsa 1 $LO4 -tls1_1 -cipher 'DEFAULT@SECLEVEL=0'
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.1 expect_established=true -- -tls1_1 -cipher 'DEFAULT@SECLEVEL=0'
    wait_servers
}
cap_tls12_ecdhe_rsa() {
    note "$1" "TLS 1.2 full handshake, ECDHE-RSA with AES-128-GCM; the ServerKeyExchange names the curve. Source of the derived link-type variants (.raw/.null/.sll/.vlan/.qinq .pcap and .pcapng)."
    ossl_server "$2" rsa 1 $LO4 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.2 expect_cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 \
        expect_established=true -- -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    wait_servers
}
cap_tls12_dhe_rsa() {
    note "$1" "TLS 1.2 finite-field DHE-RSA with a 2048-bit prime (custom -dhparam, so no named group on the wire: group is null, dh_bits 2048)."
    ossl_server "$2" rsa 1 $LO4 -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 -dhparam "$CERT_DIR/dh2048.pem"
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.2 expect_cipher=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 \
        expect_dh_bits=2048 expect_group=null expect_established=true -- -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256
    wait_servers
}
cap_tls12_dhe_1024() {
    note "$1" "TLS 1.2 DHE-RSA with a weak 1024-bit DH prime (both ends at @SECLEVEL=0): dh_bits 1024."
    ossl_server "$2" rsa 1 $LO4 -tls1_2 -cipher 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0' -dhparam "$CERT_DIR/dh1024.pem"
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.2 expect_cipher=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 \
        expect_dh_bits=1024 expect_group=null expect_established=true -- -tls1_2 -cipher 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0'
    wait_servers
}
cap_tls12_rsa_static() {
    note "$1" "TLS 1.2 static RSA key exchange (no forward secrecy, no ServerKeyExchange), AES-128-CBC with HMAC-SHA1."
    ossl_server "$2" rsa 1 $LO4 -tls1_2 -cipher AES128-SHA
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.2 expect_cipher=TLS_RSA_WITH_AES_128_CBC_SHA \
        expect_group=null expect_established=true -- -tls1_2 -cipher AES128-SHA
    wait_servers
}
cap_tls12_ecdsa() {
    note "$1" "TLS 1.2 ECDHE-ECDSA with an ECDSA P-256 server certificate, AES-256-GCM."
    ossl_server "$2" ecdsa 1 $LO4 -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.2 expect_cipher=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 \
        expect_established=true -- -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
    wait_servers
}
cap_tls13_x25519() {
    note "$1" "TLS 1.3 full handshake, x25519 key share, ALPN h2 offered as h2,http/1.1 (ALPN choice is in EncryptedExtensions, so not visible on the wire; only the offer is)."
    ossl_server "$2" rsa 1 $LO4 -tls1_3 -alpn h2
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.3 expect_group=x25519 expect_alpn=h2 \
        expect_established=true -- -tls1_3 -alpn h2,http/1.1
    wait_servers
}
cap_tls13_hrr() {
    note "$1" "TLS 1.3 with HelloRetryRequest: client sends an x25519 key share, server only accepts P-256, so there are two ClientHellos and two ServerHellos (the first is the HRR)."
    ossl_server "$2" rsa 1 $LO4 -tls1_3 -groups P-256
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.3 expect_group=secp256r1 expect_hrr=true \
        expect_established=true -- -tls1_3 -groups X25519:P-256
    wait_servers
}
cap_tls13_resumption() {
    note "$1" "Two TLS 1.3 connections: a full handshake that receives session tickets, then a PSK (psk_dhe_ke) resumption using the saved session (ServerHello carries pre_shared_key; no Certificate)."
    ossl_server "$2" rsa 2 $LO4 -tls1_3
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.3 expect_resumed=false expect_established=true \
        -- -tls1_3 -sess_out "$WORK/sess13.pem"
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.3 expect_resumed=true expect_established=true \
        -- -tls1_3 -sess_in "$WORK/sess13.pem"
    wait_servers
}
cap_tls13_client_cert() {
    note "$1" "TLS 1.3 with mutual authentication: server requires a client certificate (-Verify 1), client presents certs/client.pem. CertificateRequest and both Certificates are encrypted in TLS 1.3."
    ossl_server "$2" rsa 1 $LO4 -tls1_3 -Verify 1 -CAfile "$CERT_DIR/ca.pem"
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.3 expect_client_cert=true expect_established=true \
        -- -tls1_3 -cert "$CERT_DIR/client.pem" -key "$CERT_DIR/client.key"
    wait_servers
}
cap_tls12_resumption_ticket() {
    note "$1" "Two TLS 1.2 connections: a full ECDHE handshake that issues a NewSessionTicket (server session cache disabled), then an abbreviated handshake resuming from that ticket (no Certificate, no ServerKeyExchange: group is null)."
    ossl_server "$2" rsa 2 $LO4 -tls1_2 -no_cache
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.2 expect_resumed=false expect_established=true \
        -- -tls1_2 -sess_out "$WORK/sess12.pem"
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.2 expect_resumed=true expect_established=true \
        -- -tls1_2 -sess_in "$WORK/sess12.pem"
    wait_servers
}
cap_gnutls_tls13() {
    note "$1" "GnuTLS client (gnutls-cli) against openssl s_server, TLS 1.3; GnuTLS's default key share is secp256r1. ALPN offered h2,http/1.1, server picks http/1.1."
    ossl_server "$2" rsa 1 $LO4 -alpn http/1.1
    local n=$((++CONN_SEQ)) rc=0 log
    log="$LOGS/conn-$n-gnutls.log"
    { printf '%s' "$HTTP_REQ"; sleep 2; } | timeout 30 gnutls-cli -V --insecure -p "$2" $LO4 \
        --sni-hostname "$SNI" --alpn h2 --alpn http/1.1 >"$log" 2>&1 || rc=$?
    ((rc != 124)) || die "gnutls-cli timed out"
    plan_add kind=conn "pcap=$1" tool=gnutls "log=$log" "rc=$rc" "server_port=$2" "sni_sent=$SNI" \
        server=openssl "server_log=$LOGS/server-$2.log" expect_version=TLSv1.3 expect_alpn=http/1.1 \
        expect_established=true
    wait_servers
}
cap_curl_nginx_tls13() {
    note "$1" "curl (OpenSSL backend) against nginx, TLS 1.3, HTTP/2 via ALPN. curl 7.88 does not print the key-exchange group, so group comes from nginx's \$ssl_curve."
    nginx_start "$WORK/nginx-$2" "$2" tls
    curl_client "$1" "$2" "$WORK/nginx-$2" https sni_sent=$SNI expect_version=TLSv1.3 expect_alpn=h2 \
        expect_established=true --
    nginx_stop
}
cap_curl_nginx_tls12() {
    note "$1" "curl forced to TLS 1.2 (--tlsv1.2 --tls-max 1.2) against nginx, ECDHE-RSA, HTTP/2 via ALPN (visible in the ServerHello in TLS 1.2)."
    nginx_start "$WORK/nginx-$2" "$2" tls
    curl_client "$1" "$2" "$WORK/nginx-$2" https sni_sent=$SNI expect_version=TLSv1.2 expect_alpn=h2 \
        expect_established=true -- --tlsv1.2 --tls-max 1.2
    nginx_stop
}
cap_http_plain() {
    note "$1" "Plain HTTP/1.1 (no TLS) to nginx with HTTP Basic authentication. On the wire the credentials are base64 in the Authorization header: 'Basic $(printf '%s:%s' "$HTTP_USER" "$HTTP_PASS" | base64 -w0)', which decodes to $HTTP_USER:$HTTP_PASS. The literal password does NOT appear undecoded in the bytes."
    nginx_start "$WORK/nginx-$2" "$2" plain
    curl_client "$1" "$2" "$WORK/nginx-$2" http expect_established=true -- -u "$HTTP_USER:$HTTP_PASS"
    nginx_stop
}
cap_tls13_ipv6() {
    note "$1" "TLS 1.3 over IPv6 loopback (::1 -> ::1)."
    ossl_server "$2" rsa 1 $LO6 -tls1_3
    ossl_client "$1" "$2" $LO6 expect_version=TLSv1.3 expect_established=true -- -tls1_3
    wait_servers
}
cap_tls12_handshake_failure() {
    note "$1" "Failed TLS 1.2 handshake: the client offers only AES128-SHA, the server accepts only ECDHE-RSA-AES128-GCM-SHA256, and answers the ClientHello with a fatal handshake_failure alert (no ServerHello)."
    ossl_server "$2" rsa 1 $LO4 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    ossl_client "$1" "$2" $LO4 expect_established=false expect_alert=handshake_failure \
        -- -tls1_2 -cipher AES128-SHA
    wait_servers
}
cap_tls13_any_sll2() {
    note "$1" "One TLS 1.3 connection captured with 'tcpdump -i any', so the link type is LINUX_SLL2 (276)."
    ossl_server "$2" rsa 1 $LO4 -tls1_3
    ossl_client "$1" "$2" $LO4 expect_version=TLSv1.3 expect_established=true -- -tls1_3
    wait_servers
}
cap_many_conns() {
    note "$1" "20 sequential connections to one openssl s_server, each from a new client port: even-numbered ones TLS 1.3, odd-numbered TLS 1.2, rotating through three ciphers and three groups (x25519, P-256, P-384)."
    local -a c13=(TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256)
    local -a c12=(ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305)
    local -a groups=(X25519 P-256 P-384) gnames=(x25519 secp256r1 secp384r1)
    local i g
    ossl_server "$2" rsa 20 $LO4
    for ((i = 0; i < 20; i++)); do
        g=$(((i / 2) % 3))
        if ((i % 2 == 0)); then
            ossl_client "$1" "$2" $LO4 expect_version=TLSv1.3 "expect_cipher=${c13[i % 3]}" \
                "expect_group=${gnames[g]}" expect_established=true \
                -- -tls1_3 -ciphersuites "${c13[i % 3]}" -groups "${groups[g]}"
        else
            ossl_client "$1" "$2" $LO4 expect_version=TLSv1.2 "expect_group=${gnames[g]}" expect_established=true \
                -- -tls1_2 -cipher "${c12[i % 3]}" -groups "${groups[g]}"
        fi
    done
    wait_servers
}

run_capture tls10-ecdhe.pcap             lo  $((BASE_PORT + 1))  cap_tls10
run_capture tls11-ecdhe.pcap             lo  $((BASE_PORT + 2))  cap_tls11
run_capture tls12-ecdhe-rsa.pcap         lo  $((BASE_PORT + 3))  cap_tls12_ecdhe_rsa
run_capture tls12-dhe-rsa.pcap           lo  $((BASE_PORT + 4))  cap_tls12_dhe_rsa
run_capture tls12-dhe-1024.pcap          lo  $((BASE_PORT + 5))  cap_tls12_dhe_1024
run_capture tls12-rsa-static.pcap        lo  $((BASE_PORT + 6))  cap_tls12_rsa_static
run_capture tls12-ecdsa.pcap             lo  $((BASE_PORT + 7))  cap_tls12_ecdsa
run_capture tls13-x25519.pcap            lo  $((BASE_PORT + 8))  cap_tls13_x25519
run_capture tls13-hrr.pcap               lo  $((BASE_PORT + 9))  cap_tls13_hrr
run_capture tls13-resumption.pcap        lo  $((BASE_PORT + 10)) cap_tls13_resumption
run_capture tls13-client-cert.pcap       lo  $((BASE_PORT + 11)) cap_tls13_client_cert
run_capture tls12-resumption-ticket.pcap lo  $((BASE_PORT + 12)) cap_tls12_resumption_ticket
run_capture gnutls-tls13.pcap            lo  $((BASE_PORT + 13)) cap_gnutls_tls13
run_capture curl-nginx-tls13.pcap        lo  $((BASE_PORT + 14)) cap_curl_nginx_tls13
run_capture curl-nginx-tls12.pcap        lo  $((BASE_PORT + 15)) cap_curl_nginx_tls12
run_capture http-plain.pcap              lo  $((BASE_PORT + 16)) cap_http_plain
run_capture tls13-ipv6.pcap              lo  $((BASE_PORT + 17)) cap_tls13_ipv6
run_capture tls12-handshake-failure.pcap lo  $((BASE_PORT + 18)) cap_tls12_handshake_failure
run_capture tls13-any-sll2.pcap          any $((BASE_PORT + 19)) cap_tls13_any_sll2
run_capture many-conns.pcap              lo  $((BASE_PORT + 20)) cap_many_conns

# --------------------------------------------------------------------------
# link-type variants of tls12-ecdhe-rsa.pcap, verified with tshark
# --------------------------------------------------------------------------
log "deriving link-type variants of tls12-ecdhe-rsa.pcap"
python3 "$HERE/derive-linktypes.py" --outdir "$STAGE" "$STAGE/tls12-ecdhe-rsa.pcap" >&2
hs_types() { tshark -n -r "$1" -Y tls.handshake -T fields -e tls.handshake.type 2>/dev/null; }
first_protocols() { tshark -n -r "$1" -c 1 -T fields -e frame.protocols 2>/dev/null; }
ref_types="$(hs_types "$STAGE/tls12-ecdhe-rsa.pcap")"
ref_count="$(tshark -n -r "$STAGE/tls12-ecdhe-rsa.pcap" 2>/dev/null | wc -l)"
[[ -n $ref_types ]] || die "tshark sees no handshake in tls12-ecdhe-rsa.pcap"
declare -A want_proto=(
    [raw.pcap]='^raw:ip:tcp'
    [null.pcap]='^null:ip:tcp'
    [sll.pcap]='^sll:ethertype:ip:tcp'
    [vlan.pcap]='^eth:ethertype:vlan:ethertype:ip:tcp'
    [qinq.pcap]='^eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:tcp'
    [pcapng]='^eth:ethertype:ip:tcp'
)
for v in raw.pcap null.pcap sll.pcap vlan.pcap qinq.pcap pcapng; do
    f="$STAGE/tls12-ecdhe-rsa.$v"
    got="$(hs_types "$f")"
    [[ $got == "$ref_types" ]] ||
        die "tshark decodes a different handshake in $(basename "$f"): '$(echo $got)' vs '$(echo $ref_types)'"
    [[ $(tshark -n -r "$f" 2>/dev/null | wc -l) == "$ref_count" ]] || die "packet count differs in $(basename "$f")"
    [[ $(first_protocols "$f") =~ ${want_proto[$v]} ]] ||
        die "$(basename "$f"): unexpected protocol stack '$(first_protocols "$f")'"
    plan_add kind=derived "pcap=tls12-ecdhe-rsa.$v" derived_from=tls12-ecdhe-rsa.pcap
done
[[ $(tshark -n -r "$STAGE/tls12-ecdhe-rsa.vlan.pcap" -c 1 -T fields -e vlan.id 2>/dev/null) == 100 ]] || die "vlan id is not 100"
[[ $(tshark -n -r "$STAGE/tls12-ecdhe-rsa.qinq.pcap" -c 1 -T fields -e ieee8021ad.id -e vlan.id 2>/dev/null) == $'200\t100' ]] ||
    die "qinq tags are not outer 802.1ad 200 / inner 802.1Q 100"
log "variants decode the same handshake: $(echo $ref_types)"

# --------------------------------------------------------------------------
# manifest: derive from the clients' own output, cross-check with tshark
# --------------------------------------------------------------------------
openssl ciphers -stdname -V 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' >"$WORK/openssl-ciphers.txt"
gnutls-cli -l >"$WORK/gnutls-list.txt"
{
    printf 'openssl\t%s\n' "$(openssl version | cut -d' ' -f1-2)"
    printf 'gnutls\t%s\n' "$(gnutls-cli --version | head -n1)"
    printf 'curl\t%s\n' "$(curl --version | head -n1 | cut -d' ' -f1-2)"
    printf 'nginx\t%s\n' "$(nginx -v 2>&1 | sed 's/^nginx version: //')"
    printf 'tshark\t%s\n' "$(tshark --version 2>/dev/null | head -n1)"
} >"$WORK/versions.tsv"

log "building fixtures.json (client reports vs tshark)"
# The builder uses fail, read_plan, the tshark / s_client helpers and the name
# tables of FX_PY_HELPERS in lib/fixture-common.sh without defining them.
fx_python python3 "$PLAN" "$STAGE" "$WORK/openssl-ciphers.txt" "$WORK/gnutls-list.txt" "$WORK/versions.tsv" \
    "$WORK/fixtures.json" <<'PY'
import base64, collections, json, os, re, struct, sys

plan_path, stage, ossl_ciphers, gnutls_list, versions_path, out_path = sys.argv[1:7]


# ---- name tables ----------------------------------------------------------
CODE2STD, NAME2CODE, _ = read_openssl_ciphers(ossl_ciphers)

GNUTLS_SUITES = {}
for line in open(gnutls_list):
    m = re.match(r"(TLS_\S+)\s+0x([0-9a-fA-F]{2}), 0x([0-9a-fA-F]{2})\s+(\S+)", line)
    if m:
        GNUTLS_SUITES[m[1]] = (int(m[2] + m[3], 16), m[4])

VERSIONS_TXT = dict(l.rstrip("\n").split("\t", 1) for l in open(versions_path))

GNUTLS_VERSIONS = {"TLS1.0": "TLSv1.0", "TLS1.1": "TLSv1.1", "TLS1.2": "TLSv1.2", "TLS1.3": "TLSv1.3"}
ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
          40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
          44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
          47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
          51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
          80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
          109: "missing_extension", 110: "unsupported_extension", 112: "unrecognized_name",
          116: "certificate_required", 120: "no_application_protocol"}


# ---- plan -------------------------------------------------------------------
order, notes, plan = read_plan(plan_path)
conns = plan["conn"]
derived = {pcap: recs[-1] for pcap, recs in plan["derived"].items()}


# ---- capture files ----------------------------------------------------------
def capture_info(path):
    data = open(path, "rb").read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        bo = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        off, lt, n = 0, None, 0
        while off + 8 <= len(data):
            btype, blen = struct.unpack(bo + "II", data[off:off + 8])
            if btype == 1 and lt is None:
                lt = struct.unpack(bo + "H", data[off + 8:off + 10])[0]
            elif btype in (3, 6):
                n += 1
            if blen < 12:
                fail(f"{path}: bad pcapng block length")
            off += blen
        return lt, n, "pcapng"
    lt, _, recs, end = pcap_records(path, data)
    if end != len(data):
        fail(f"{path}: truncated")
    return lt & 0xFFFF, len(recs), "pcap"


# ---- tshark -----------------------------------------------------------------
FIELDS = ["frame.number", "tcp.stream", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "tls.record.content_type", "tls.record.opaque_type",
          "tls.handshake.type",
          "tls.handshake.version", "tls.handshake.extensions.supported_version",
          "tls.handshake.ciphersuite", "tls.handshake.extensions_key_share_group",
          "tls.handshake.server_named_curve", "tls.handshake.p_len", "tls.handshake.extension.type",
          "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str",
          "tls.alert_message.desc", "tls.handshake.random", "http.authbasic",
          "http.request.method", "http.request.uri", "http.response.code"]


def tshark_view(rows, server_port):
    srv, cli = directions(rows, server_port)
    if not srv or not cli:
        fail(f"stream without both directions on port {server_port}")
    first = cli[0]
    v = {"client_port": int(first["tcp.srcport"][0]),
         "client_ip": (first["ip.src"] or first["ipv6.src"])[0],
         "server_ip": (first["ip.dst"] or first["ipv6.dst"])[0]}
    ch, real, v["hrr"] = hellos(srv, cli)
    v["client_hellos"] = len(ch)
    v["sni"] = ch[0]["tls.handshake.extensions_server_name"][0] if ch and ch[0]["tls.handshake.extensions_server_name"] else None
    v["alpn_offered"] = ch[0]["tls.handshake.extensions_alpn_str"] if ch else []
    alerts = ints(rows, "tls.alert_message.desc")
    v["alert"] = ALERTS.get(alerts[0], str(alerts[0])) if alerts else None
    v["version"] = v["cipher_code"] = v["group"] = v["dh_bits"] = v["alpn"] = None
    v["resumed"] = False
    if real:
        s = real[-1]
        v["version"] = hello_version(s)
        v["cipher_code"] = ints([s], "tls.handshake.ciphersuite")[0]
        types = set(ints(srv, "tls.handshake.type"))
        if v["version"] == "TLSv1.3":
            ks = ints([s], "tls.handshake.extensions_key_share_group")
            v["group"] = GROUP_CODES.get(ks[0], str(ks[0])) if ks else None
            v["resumed"] = 41 in ints([s], "tls.handshake.extension.type")
        else:
            nc = ints(srv, "tls.handshake.server_named_curve")
            v["group"] = GROUP_CODES.get(nc[0], str(nc[0])) if nc else None
            pl = ints(srv, "tls.handshake.p_len")
            v["dh_bits"] = pl[0] * 8 if pl else None
            v["resumed"] = 11 not in types
            if s["tls.handshake.extensions_alpn_str"]:
                v["alpn"] = s["tls.handshake.extensions_alpn_str"][0]
    # TLS 1.3 records carry content type 23 as the "opaque type"
    appdata_c = 23 in ints(cli, "tls.record.content_type") + ints(cli, "tls.record.opaque_type")
    appdata_s = 23 in ints(srv, "tls.record.content_type") + ints(srv, "tls.record.opaque_type")
    v["established"] = bool(real) and not alerts and appdata_c and appdata_s
    # plaintext HTTP
    v["http_basic"] = next((r["http.authbasic"][0] for r in cli if r["http.authbasic"]), None)
    v["http_status"] = next((int(r["http.response.code"][0]) for r in srv if r["http.response.code"]), None)
    return v


# ---- client output parsers --------------------------------------------------
def parse_openssl(text, rc):
    r = {"source": "openssl s_client", "client": f"openssl s_client ({VERSIONS_TXT['openssl']})"}
    m = re.search(r"^(New|Reused), (\S+), Cipher is (\S+)", text, re.M)
    r["established"] = bool(m) and m[2] != "(NONE)" and rc == 0
    r["version"] = r["cipher"] = r["group"] = r["dh_bits"] = r["alpn"] = None
    r["resumed"] = False
    if r["established"]:
        r["resumed"] = m[1] == "Reused"
        r["version"], r["cipher"] = openssl_session(text, m)
        tk = re.search(r"^Server Temp Key: (.+)$", text, re.M)
        if tk:
            r["group"], r["dh_bits"] = openssl_temp_key(tk[1], r["version"])
        a = re.search(r"^ALPN protocol: (\S+)", text, re.M)
        r["alpn"] = a[1] if a else None
    r["hrr"] = len(re.findall(r"^<<< .*, ServerHello$", text, re.M)) >= 2
    r["client_cert"] = any(int(x, 16) > 8 for x in
                           re.findall(r"^>>> .*Handshake \[length ([0-9a-f]+)\], Certificate$", text, re.M))
    al = re.search(r"^<<< .*Alert \[length [0-9a-f]+\], fatal (\S+)", text, re.M)
    r["alert"] = al[1] if al else None
    return r


def parse_gnutls(text, rc):
    r = {"source": "gnutls-cli -V", "client": VERSIONS_TXT["gnutls"]}
    r["established"] = "- Handshake was completed" in text and rc == 0
    ver = re.search(r"^- Version: (\S+)", text, re.M)
    ciph = re.search(r"^- Cipher: (\S+)", text, re.M)
    desc = re.search(r"^- Description: (.*)$", text, re.M)
    alpn = re.search(r"^- Application protocol: (\S+)", text, re.M)
    if not (ver and ciph and desc):
        fail("gnutls-cli output lacks Version/Cipher/Description")
    r["version"] = GNUTLS_VERSIONS[ver[1]]
    if r["version"] != "TLSv1.3":
        fail("gnutls-cli parser only maps TLS 1.3 suites")
    prefix = "TLS_" + ciph[1].replace("-", "_") + "_"
    cands = [n for n, (c, mv) in GNUTLS_SUITES.items() if mv == "TLS1.3" and n.startswith(prefix)]
    if len(cands) != 1:
        fail(f"cannot map GnuTLS cipher {ciph[1]} to a TLS 1.3 suite: {cands}")
    r["cipher"] = CODE2STD[GNUTLS_SUITES[cands[0]][0]]
    g = re.search(r"\((?:EC)?DHE-([A-Za-z0-9]+)\)", desc[1])
    r["group"] = g[1].lower() if g else None
    r["dh_bits"] = None
    r["alpn"] = alpn[1] if alpn else None
    r["resumed"] = "This is a resumed session" in text
    r["hrr"] = False
    r["client_cert"] = False
    r["alert"] = None
    return r


def nginx_log_line(path):
    lines = [l.rstrip("\n") for l in open(path) if l.strip()]
    if len(lines) != 1:
        fail(f"expected exactly one nginx log line in {path}, got {len(lines)}")
    keys = ["ssl_protocol", "ssl_cipher", "ssl_curve", "ssl_session_reused", "ssl_server_name",
            "ssl_alpn_protocol", "remote_port", "remote_user", "status", "server_protocol"]
    return dict(zip(keys, lines[0].split("|")))


def parse_curl(text, rc, rec):
    r = {"client": VERSIONS_TXT["curl"], "established": rc == 0}
    local_port = open(rec["localport_file"]).read().strip()
    r["client_port_reported"] = int(local_port) if local_port.isdigit() else None
    ng = nginx_log_line(rec["server_log"])
    r["nginx"] = ng
    if rec["scheme"] == "http":
        r["source"] = "curl -v"
        auth = re.search(r"^> Authorization: Basic (\S+)", text, re.M)
        status = re.search(r"^< HTTP/\S+ (\d+)", text, re.M)
        r["http_basic"] = base64.b64decode(auth[1]).decode() if auth else None
        r["http_basic_header"] = f"Basic {auth[1]}" if auth else None
        r["http_status"] = int(status[1]) if status else None
        return r
    r["source"] = "curl -v (version, cipher, ALPN) + nginx $ssl_curve (group)"
    m = re.search(r"SSL connection using (\S+) / (\S+)", text)
    if not m:
        fail("curl -v did not report the TLS connection")
    r["version"] = m[1]
    r["cipher"] = std_cipher(m[2])
    a = re.search(r"ALPN(?::|,) server accepted (?:to use )?(\S+)", text)
    r["alpn"] = a[1] if a else None
    r["resumed"] = "SSL re-using session ID" in text
    # curl 7.88 does not print the group; nginx reports it via $ssl_curve
    r["group"] = OSSL_GROUPS.get(ng["ssl_curve"], ng["ssl_curve"].lower() or None)
    r["dh_bits"] = None
    r["hrr"] = r["client_cert"] = False
    r["alert"] = None
    # nginx's own view must agree with curl's
    if ng["ssl_protocol"] != r["version"] or std_cipher(ng["ssl_cipher"]) != r["cipher"]:
        fail(f"nginx log {ng} disagrees with curl ({r['version']} {r['cipher']})")
    if (ng["ssl_alpn_protocol"] or None) != r["alpn"]:
        fail(f"nginx ALPN {ng['ssl_alpn_protocol']!r} != curl ALPN {r['alpn']!r}")
    if ng["ssl_server_name"] != rec["sni_sent"]:
        fail(f"nginx saw SNI {ng['ssl_server_name']!r}")
    return r


# ---- build ------------------------------------------------------------------
manifest = collections.OrderedDict()
checked = 0
for pcap in order:
    if pcap in derived:
        continue
    path = os.path.join(stage, pcap)
    lt, npk, fmt = capture_info(path)
    recs = conns[pcap]
    port = int(recs[0]["server_port"])
    plain = any(r.get("scheme") == "http" for r in recs)
    streams = tshark_tcp_streams(path, FIELDS, [(port, "http" if plain else "tls")])
    if len(streams) != len(recs):
        fail(f"{pcap}: tshark sees {len(streams)} TCP connections, the script made {len(recs)}")
    out_conns = []
    for i, (rec, rows) in enumerate(zip(recs, streams)):
        where = f"{pcap} connection #{i + 1}"
        text = open(rec["log"], errors="replace").read()
        rc = int(rec["rc"])
        tv = tshark_view(rows, port)
        if rec["tool"] == "openssl":
            c = parse_openssl(text, rc)
        elif rec["tool"] == "gnutls":
            c = parse_gnutls(text, rc)
        else:
            c = parse_curl(text, rc, rec)
        e = collections.OrderedDict()
        e["server_port"] = port
        e["client_port"] = tv["client_port"]
        e["server_ip"] = tv["server_ip"]
        e["client_ip"] = tv["client_ip"]
        if plain:
            e["protocol"] = "plaintext"
            for k in ("version", "cipher", "group", "sni", "alpn"):
                e[k] = None
            e["resumed"] = False
            e["established"] = c["established"] and c["http_status"] == 200
            user, _, pw = (c["http_basic"] or "").partition(":")
            e["http"] = {"request": "GET /", "status": c["http_status"],
                         "authorization_header": c["http_basic_header"],
                         "basic_auth_user": user, "basic_auth_password": pw}
            e["client"] = c["client"]
            e["server"] = VERSIONS_TXT["nginx"]
            e["source"] = c["source"]
            if tv["http_basic"] != c["http_basic"]:
                fail(f"{where}: tshark Basic credentials {tv['http_basic']!r} != curl's {c['http_basic']!r}")
            if tv["http_status"] != c["http_status"]:
                fail(f"{where}: tshark status {tv['http_status']} != curl's {c['http_status']}")
            if c["nginx"]["remote_user"] != user or c["nginx"]["status"] != "200":
                fail(f"{where}: nginx log {c['nginx']} does not show an authenticated 200")
        else:
            e["protocol"] = "tls"
            e["version"] = c["version"]
            e["cipher"] = c["cipher"]
            e["group"] = c["group"]
            e["dh_bits"] = c["dh_bits"]
            e["sni"] = rec["sni_sent"]
            e["alpn"] = c["alpn"]
            e["alpn_offered"] = tv["alpn_offered"]
            e["resumed"] = c["resumed"]
            e["established"] = c["established"]
            e["hello_retry_request"] = tv["hrr"]
            e["client_cert"] = c["client_cert"]
            e["alert"] = c["alert"] if c["alert"] else tv["alert"]
            e["client"] = c["client"]
            e["server"] = VERSIONS_TXT["nginx"] if rec["server"] == "nginx" else f"openssl s_server ({VERSIONS_TXT['openssl']})"
            e["source"] = c["source"]
            # --- cross-check the client's report against tshark's dissection
            checks = {
                "version": (c["version"], tv["version"]),
                "cipher": (NAME2CODE[c["cipher"]] if c["cipher"] else None, tv["cipher_code"]),
                "group": (c["group"], tv["group"]),
                "resumed": (c["resumed"], tv["resumed"]),
                "established": (c["established"], tv["established"]),
                "sni": (rec["sni_sent"], tv["sni"]),
            }
            if c["dh_bits"] is not None or tv["dh_bits"] is not None:
                checks["dh_bits"] = (c["dh_bits"], tv["dh_bits"])
            if rec["tool"] == "openssl":
                checks["hello_retry_request"] = (c["hrr"], tv["hrr"])
            if tv["client_hellos"] != (2 if tv["hrr"] else 1):
                fail(f"{where}: {tv['client_hellos']} ClientHellos (HelloRetryRequest: {tv['hrr']})")
            if c["alert"] or tv["alert"]:
                checks["alert"] = (c["alert"], tv["alert"])
            if c["version"] == "TLSv1.2" or tv["version"] == "TLSv1.2":
                checks["alpn"] = (c["alpn"], tv["alpn"])
            elif c["alpn"] is not None and c["alpn"] not in tv["alpn_offered"]:
                fail(f"{where}: ALPN {c['alpn']!r} was not offered ({tv['alpn_offered']})")
            if rec["tool"] == "curl" and c["client_port_reported"] != tv["client_port"]:
                fail(f"{where}: curl local port {c['client_port_reported']} != tshark {tv['client_port']}")
            for k, (mine, theirs) in checks.items():
                if mine != theirs:
                    fail(f"{where}: {k}: client reports {mine!r} but tshark decodes {theirs!r}")
            if e["client_cert"]:
                slog = open(rec["server_log"], errors="replace").read()
                if "verify return:1" not in slog:
                    fail(f"{where}: server did not verify a client certificate")
        # --- the scenario must be what the script asked for
        for k, want in rec.items():
            if not k.startswith("expect_"):
                continue
            key = {"expect_hrr": "hello_retry_request"}.get(k, k[len("expect_"):])
            if e.get(key) != convert(want):
                fail(f"{where}: expected {key}={want!r}, got {e.get(key)!r}")
        out_conns.append(e)
        checked += 1
    manifest[pcap] = collections.OrderedDict(
        [("link_type", lt), ("link_type_name", LINKTYPE_NAMES.get(lt, str(lt))), ("format", fmt),
         ("packets", npk), ("bytes", os.path.getsize(path)), ("connections", out_conns),
         ("notes", notes.get(pcap, ""))])

for pcap, rec in derived.items():
    src = manifest[rec["derived_from"]]
    path = os.path.join(stage, pcap)
    lt, npk, fmt = capture_info(path)
    if npk != src["packets"]:
        fail(f"{pcap}: {npk} packets, source has {src['packets']}")
    port = src["connections"][0]["server_port"]
    streams = tshark_tcp_streams(path, FIELDS, [(port, "tls")])
    if len(streams) != len(src["connections"]):
        fail(f"{pcap}: stream count differs from source")
    for conn, rows in zip(src["connections"], streams):
        tv = tshark_view(rows, port)
        for k in ("version", "group", "resumed", "established", "client_port", "sni"):
            if tv[k] != conn[k]:
                fail(f"{pcap}: {k} {tv[k]!r} != {conn[k]!r}")
        if CODE2STD.get(tv["cipher_code"]) != conn["cipher"]:
            fail(f"{pcap}: cipher differs from source")
    kind = pcap[len(rec["derived_from"]) - len("pcap"):]
    manifest[pcap] = collections.OrderedDict(
        [("link_type", lt), ("link_type_name", LINKTYPE_NAMES.get(lt, str(lt))), ("format", fmt),
         ("packets", npk), ("bytes", os.path.getsize(path)), ("derived_from", rec["derived_from"]),
         ("connections", src["connections"]),
         ("notes", f"Same packets as {rec['derived_from']} re-wrapped by derive-linktypes.py ({kind}).")])

want_lt = {"tls13-any-sll2.pcap": 276, "tls12-ecdhe-rsa.raw.pcap": 101, "tls12-ecdhe-rsa.null.pcap": 0,
           "tls12-ecdhe-rsa.sll.pcap": 113}
for name, m in manifest.items():
    if m["link_type"] != want_lt.get(name, 1):
        fail(f"{name}: link type {m['link_type']}, expected {want_lt.get(name, 1)}")

with open(out_path, "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
print(f"[make-fixtures] manifest: {len(manifest)} files, {checked} connections cross-checked", file=sys.stderr)
PY

# --------------------------------------------------------------------------
# install the results
# --------------------------------------------------------------------------
fx_check_size 2000000 fixtures "$STAGE"/* "$CERT_DIR"/*
# Replace only this script's captures: the STARTTLS, plaintext and policy scripts own the others.
fx_install_captures "$STAGE"/*.pcap "$STAGE"/*.pcapng
fx_install_manifest "$WORK/fixtures.json"

log "done: $(ls "$PCAP_DIR" | wc -l) capture files in $PCAP_DIR"
fx_list_captures 40 "$PCAP_DIR"/*
