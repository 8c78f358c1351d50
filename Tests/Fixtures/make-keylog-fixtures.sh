#!/usr/bin/env bash
# Regenerate tlstop's "key log" packet-capture fixtures: REAL TLS 1.3
# connections (openssl s_client, curl -> openssl s_server) and one REAL QUIC v1
# connection (aioquic), each captured together with the NSS key log file
# (SSLKEYLOGFILE format) its client wrote, so that the encrypted handshake
# (EncryptedExtensions, Certificate, CertificateVerify) can be decrypted.
# Writes pcaps/keylog-*.pcap, keylogs/keylog-*.keys (one per capture, the same
# base name), keylogs/keylog-rsa1024-wrong.keys (derived: every secret of
# keylog-rsa1024.keys with its bytes inverted, same client randoms),
# certs-keylog/ (the test CA and certificates) and fixtures-keylog.json.
#
# Everything runs inside a private network namespace (created and removed by
# this script), on its own loopback, so nothing here sees or touches the
# host's loopback traffic.
#
# The manifest comes from tshark's dissection of each capture decrypted with
# its key log (`-o tls.keylog_file:...`): ServerHello version, suite and
# key_share group, HelloRetryRequest, SNI, the ALPN in EncryptedExtensions,
# the certificates and the x509af fields tshark decodes from them, the
# CertificateVerify scheme and the client's Certificate; and from
# `openssl x509 -noout -text` of the certificate files (the certificate on
# the wire must be byte for byte one of them).  It is cross-checked against
# what the clients report (s_client's Protocol / Cipher / Server Temp Key /
# Peer signature type, curl -v, aioquic's own view), against the scenario the
# script asked for (the expect_* values below) and against tshark WITHOUT the
# key log (no Certificate visible) and with the wrong key log (no Certificate
# either).  Any disagreement aborts the run.
#
# Usage (as root, on Debian 12 or similar):   sudo Tests/Fixtures/make-keylog-fixtures.sh
#
# Environment:
#   BASE_PORT      capture N uses BASE_PORT+N (TCP, N = 1..6; QUIC server +7,
#                  client +17)                                   (default 45000)
#   REGEN_CERTS=1  throw away certs-keylog/* and make new keys and certificates
#   AIOQUIC_SPEC   what `pip install` gets when aioquic is missing (default "aioquic")
#   KEEP_WORK=1    keep the temporary work directory (logs) for debugging
#   KEYLOG_NETNS   name of the network namespace                 (default tlstop-keylog)
#
# If python3 cannot import aioquic, it is pip-installed into a temporary venv
# (needs PyPI), removed again on exit.  Captures, key logs and the manifest are
# built in a temporary directory and only copied into place after every check
# passed.  See README.md ("Key log captures").

set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/fixture-common.sh
. "$HERE/lib/fixture-common.sh"

NS="${KEYLOG_NETNS:-tlstop-keylog}"
AIOQUIC_SPEC="${AIOQUIC_SPEC:-aioquic}"

# --------------------------------------------------------------------------
# outside: install what is missing (and aioquic, which needs the network),
# create the namespace, run the rest in it
# --------------------------------------------------------------------------
if [[ ${KEYLOG_INSIDE_NETNS:-} != "$NS" ]]; then
    fx_init make-keylog-fixtures "it creates a network namespace and captures on its loopback"
    extra=()
    python3 -c 'import ensurepip, venv' 2>/dev/null || extra+=(python3-venv)
    fx_ensure_deps tcpdump=tcpdump openssl=openssl curl=curl python3=python3 tshark=tshark ip=iproute2 \
        timeout=coreutils -- "${extra[@]}"
    VENV="" NS_CREATED=""
    # shellcheck disable=SC2317  # run by fx_cleanup
    outer_cleanup() {
        if [[ -n $NS_CREATED ]]; then ip netns del "$NS" 2>/dev/null || true; fi
        if [[ -n $VENV && -d $VENV ]]; then rm -rf "$VENV"; fi
    }
    FX_CLEANUP_AFTER=outer_cleanup
    QUIC_PY=python3
    if ! python3 -c 'import aioquic' 2>/dev/null; then
        VENV="$(mktemp -d /tmp/tlstop-keylog-venv.XXXXXX)"
        log "aioquic not importable by python3; installing '$AIOQUIC_SPEC' into a venv in $VENV"
        python3 -m venv "$VENV" || die "python3 -m venv failed"
        "$VENV/bin/pip" install --disable-pip-version-check -q "$AIOQUIC_SPEC" >"$VENV/pip.log" 2>&1 ||
            die "pip install $AIOQUIC_SPEC failed: $(tail -n 5 "$VENV/pip.log")"
        QUIC_PY="$VENV/bin/python"
    fi
    "$QUIC_PY" -c 'import aioquic' || die "aioquic does not import"
    if ip netns list | grep -qw -- "$NS"; then die "network namespace $NS already exists (a run in progress? else: ip netns del $NS)"; fi
    ip netns add "$NS"
    NS_CREATED=1
    ip -n "$NS" link set lo up
    rc=0
    ip netns exec "$NS" env KEYLOG_INSIDE_NETNS="$NS" KEYLOG_QUIC_PY="$QUIC_PY" \
        bash "$HERE/$(basename "${BASH_SOURCE[0]}")" "$@" || rc=$?
    exit "$rc"
fi

# --------------------------------------------------------------------------
# inside the namespace
# --------------------------------------------------------------------------
fx_init make-keylog-fixtures "tcpdump needs to open the loopback interface"
export PYTHONDONTWRITEBYTECODE=1

PCAP_DIR="$HERE/pcaps"
KEYS_DIR="$HERE/keylogs"
CERT_DIR="$HERE/certs-keylog"
MANIFEST="$HERE/fixtures-keylog.json"
QUIC_SERVER="$HERE/quic-responders/quic_server.py"
QUIC_CLIENT="$HERE/quic-responders/keylog-quic-client.py"
QUIC_PY="${KEYLOG_QUIC_PY:?}"
BASE_PORT="${BASE_PORT:-45000}"
SNI="tlstop.test"
HTTP_REQ=$'GET /index.html HTTP/1.0\r\n\r\n'
LO4=127.0.0.1

((BASE_PORT >= 1024 && BASE_PORT + 17 <= 65535)) || die "BASE_PORT out of range"
for f in "$QUIC_SERVER" "$QUIC_CLIENT"; do [[ -s $f ]] || die "missing $f"; done
[[ $(openssl version) == "OpenSSL 3.0."* ]] ||
    log "warning: written for OpenSSL 3.0, found '$(openssl version)'; scenario values may differ"

fx_make_work tlstop-keylog-fixtures
WWW="$WORK/www"
CA_DB="$WORK/ca"         # throw-away `openssl ca` database
KEYSTAGE="$WORK/keylogs"
mkdir -p "$WWW" "$CA_DB" "$KEYSTAGE"
printf 'tlstop fixture\n' >"$WWW/index.html"

# --------------------------------------------------------------------------
# certificates (test-only material, committed; reused while still as specified)
# --------------------------------------------------------------------------
# Fixed serials and dates (openssl ca -startdate/-enddate), one test CA.
CA_SUBJ="/O=tlstop test fixtures/CN=tlstop keylog test CA"
LEAF_SUBJ="/O=tlstop test fixtures/CN=$SNI"
CLIENT_SUBJ="/O=tlstop test fixtures/CN=tlstop test client"

fx_write_ca_cnf "$CA_DB/ca.cnf"
cat >>"$CA_DB/ca.cnf" <<'CNF'
[ ext_ca ]
basicConstraints       = critical,CA:true
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
[ ext_rsa ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:tlstop.test
[ ext_ec ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:tlstop.test
[ ext_client ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
CNF

# openssl date text ("Jan  1 00:00:00 2025 GMT") -> 20250101000000Z
asn1_date() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
cert_field() { openssl x509 -in "$1" -noout "-$2" | cut -d= -f2-; }

# cert_ok NAME SERIAL START END SIGNER(ca|self): NAME.pem/.key exist, match, and are as specified
cert_ok() {
    local serial=$2 start=$3 end=$4 signer=$5 c="$CERT_DIR/$1.pem" k="$CERT_DIR/$1.key"
    [[ -s $c && -s $k ]] || return 1
    [[ $(cert_field "$c" serial) == "$serial" ]] || return 1
    [[ $(asn1_date "$(cert_field "$c" startdate)") == "$start" ]] || return 1
    [[ $(asn1_date "$(cert_field "$c" enddate)") == "$end" ]] || return 1
    openssl x509 -in "$c" -noout -text | grep -q "Signature Algorithm: sha256With\|Signature Algorithm: ecdsa-with-SHA256" || return 1
    [[ $(openssl x509 -in "$c" -noout -pubkey) == "$(openssl pkey -in "$k" -pubout)" ]] || return 1
    if [[ $signer == self ]]; then
        openssl verify -no_check_time -auth_level 0 -check_ss_sig -CAfile "$c" "$c" >/dev/null 2>&1
    else
        openssl verify -no_check_time -auth_level 0 -CAfile "$CERT_DIR/ca.pem" "$c" >/dev/null 2>&1
    fi
}

# issue NAME SUBJECT SERIAL START END EXT SIGNER(ca|self) -- KEYGEN-ARGS...
# Reuses NAME.key if present (a fresh key with REGEN_CERTS=1 or if missing).
issue() {
    local name=$1 subj=$2 serial=$3 start=$4 end=$5 ext=$6 signer=$7; shift 8
    local k="$CERT_DIR/$name.key" c="$CERT_DIR/$name.pem" signargs=()
    if [[ ! -s $k ]]; then
        openssl genpkey "$@" -out "$k" 2>"$LOGS/genpkey-$name.log" || return 1
    fi
    (
        cd "$CA_DB"
        fx_reset_ca_db "$serial"
        openssl req -new -config ca.cnf -key "$k" -subj "$subj" -out "$name.csr" 2>/dev/null
        if [[ $signer == self ]]; then
            signargs=(-selfsign -keyfile "$k")
        else
            signargs=(-cert "$CERT_DIR/ca.pem" -keyfile "$CERT_DIR/ca.key")
        fi
        openssl ca -batch -config ca.cnf -notext -md sha256 -startdate "$start" -enddate "$end" \
            "${signargs[@]}" -extensions "$ext" -extfile ca.cnf -in "$name.csr" -out "$c.new" \
            2>"$LOGS/ca-$name.log"
    ) || { rm -f "$c.new"; return 1; }
    mv "$c.new" "$c"
    cert_ok "$name" "$serial" "$start" "$end" "$signer" || { log "freshly issued $name does not check out"; return 1; }
}

# cert NAME SUBJECT SERIAL START END EXT SIGNER -- KEYGEN-ARGS...   (reuse or issue)
cert() {
    if cert_ok "$1" "$3" "$4" "$5" "$7"; then return 0; fi
    log "creating certificate $1 (serial 0x$3, $4 .. $5)"
    rm -f "$CERT_DIR/$1.pem"
    issue "$@" || die "cannot issue $1: $(cat "$LOGS/genpkey-$1.log" "$LOGS/ca-$1.log" 2>/dev/null)"
}

make_certs() {
    mkdir -p "$CERT_DIR"
    if [[ ${REGEN_CERTS:-0} == 1 ]]; then rm -f "$CERT_DIR"/*.pem "$CERT_DIR"/*.key; fi
    local rsa2048=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048)
    if ! cert_ok ca 6000 20190101000000Z 20400101000000Z self; then
        log "creating the test CA (certs-keylog/ca.pem)"
        rm -f "$CERT_DIR"/*.pem    # every certificate must be re-signed by the new CA
        issue ca "$CA_SUBJ" 6000 20190101000000Z 20400101000000Z ext_ca self -- "${rsa2048[@]}" ||
            die "cannot create the CA: $(cat "$LOGS/genpkey-ca.log" "$LOGS/ca-ca.log" 2>/dev/null)"
    fi
    cert rsa1024    "$LEAF_SUBJ"   6001 20250101000000Z 20350101000000Z ext_rsa    ca -- \
        -algorithm RSA -pkeyopt rsa_keygen_bits:1024
    cert rsa2048    "$LEAF_SUBJ"   6002 20250101000000Z 20350101000000Z ext_rsa    ca -- "${rsa2048[@]}"
    cert ecdsa-p256 "$LEAF_SUBJ"   6003 20250101000000Z 20350101000000Z ext_ec     ca -- \
        -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve
    cert expired    "$LEAF_SUBJ"   6004 20190601000000Z 20200601000000Z ext_rsa    ca -- "${rsa2048[@]}"
    cert client     "$CLIENT_SUBJ" 6005 20250101000000Z 20350101000000Z ext_client ca -- "${rsa2048[@]}"
    chmod 644 "$CERT_DIR"/*
}
make_certs

# --------------------------------------------------------------------------
# servers and clients
# --------------------------------------------------------------------------
# the commands as the manifest shows them (paths relative to Tests/Fixtures)
show() { local s="$*"; s=${s//$CERT_DIR/certs-keylog}; s=${s//$HERE\//}; s=${s//$LOGS/WORK}; printf '%s' "${s//$WORK/WORK}"; }

# ossl_server PORT CERTNAME [s_server args...]: one connection (-naccept 1), -WWW from $WWW
ossl_server() {
    local port=$1 cert=$2; shift 2
    (cd "$WWW" && exec timeout 60 openssl s_server -accept "$LO4:$port" -cert "$CERT_DIR/$cert.pem" \
        -key "$CERT_DIR/$cert.key" -WWW -naccept 1 "$@") >"$LOGS/server-$port.log" 2>&1 &
    track_server $! "$port" "$LOGS/server-$port.log"
    SERVER_CMD=$(show openssl s_server -accept "$LO4:$port" -cert "$CERT_DIR/$cert.pem" \
        -key "$CERT_DIR/$cert.key" -WWW -naccept 1 "$@")
}

# ossl_client PCAP PORT CERTNAME [key=value ...] -- [s_client args...]: one
# s_client connection with -keylogfile; the key=value pairs go to the plan
# (expect_* are checked against the manifest)
ossl_client() {
    local pcap=$1 port=$2 cert=$3; shift 3
    local meta=() rc=0 n=$((++CONN_SEQ))
    while (($#)) && [[ $1 != -- ]]; do meta+=("$1"); shift; done
    (($#)) && shift
    local log="$LOGS/conn-$n-s_client.log" keys="$LOGS/conn-$n.keys"
    local args=(-connect "$LO4:$port" -servername "$SNI" -verify_hostname "$SNI" -verifyCAfile "$CERT_DIR/ca.pem"
        -keylogfile "$keys" -ign_eof -msg "$@")
    rm -f "$keys"
    printf '%s' "$HTTP_REQ" | timeout 30 openssl s_client "${args[@]}" >"$log" 2>&1 || rc=$?
    ((rc == 0)) || die "s_client failed with exit $rc (connection $n, $pcap): $(tail -n 5 "$log")"
    grep -q 'tlstop fixture' "$log" || die "s_client did not get the page (connection $n, $pcap)"
    plan_add kind=conn "pcap=$pcap" tool=s_client "log=$log" "keylog=$keys" "server_port=$port" \
        "cert_file=$CERT_DIR/$cert.pem" "server_cmd=$SERVER_CMD" \
        "client_cmd=$(show openssl s_client "${args[@]}")" "${meta[@]}"
}

# curl_client PCAP PORT CERTNAME [key=value ...] -- [curl args...]: one curl
# connection with SSLKEYLOGFILE
curl_client() {
    local pcap=$1 port=$2 cert=$3; shift 3
    local meta=() rc=0 n=$((++CONN_SEQ))
    while (($#)) && [[ $1 != -- ]]; do meta+=("$1"); shift; done
    (($#)) && shift
    local log="$LOGS/conn-$n-curl.log" keys="$LOGS/conn-$n.keys"
    local args=(-sS -v --max-time 20 -o "$WORK/body-$n" --resolve "$SNI:$port:$LO4" "$@" "https://$SNI:$port/index.html")
    rm -f "$keys"
    SSLKEYLOGFILE="$keys" timeout 30 curl "${args[@]}" >"$log" 2>&1 || rc=$?
    ((rc == 0)) || die "curl failed with exit $rc (connection $n, $pcap): $(tail -n 5 "$log")"
    grep -q 'tlstop fixture' "$WORK/body-$n" || die "curl did not get the page (connection $n, $pcap)"
    plan_add kind=conn "pcap=$pcap" tool=curl "log=$log" "keylog=$keys" "server_port=$port" \
        "cert_file=$CERT_DIR/$cert.pem" "server_cmd=$SERVER_CMD" \
        "client_cmd=SSLKEYLOGFILE=WORK/keys $(show curl "${args[@]}")" "${meta[@]}"
}

# --------------------------------------------------------------------------
# the captures (one TLS 1.3 connection each).  expect_* are what the scenario
# is built for; the manifest builder checks them against tshark's decode.
# --------------------------------------------------------------------------
SL0='DEFAULT@SECLEVEL=0'

cap_rsa1024() {
    note "$1" "TLS 1.3, openssl s_client -> s_server, RSA 1024 leaf (CA-signed, SHA-256). OpenSSL 3.0 needs -cipher $SL0 on both ends to use and accept the 1024-bit key. keylog-rsa1024-wrong.keys is the same key log with every secret's bytes inverted: decrypting with it must show no Certificate."
    ossl_server "$2" rsa1024 -tls1_3 -cipher "$SL0"
    ossl_client "$1" "$2" rsa1024 expect_cipher=TLS_AES_256_GCM_SHA384 expect_group=x25519 \
        expect_alpn=null expect_chain_length=1 expect_client_certificate=false \
        expect_certificate_verify_scheme=rsa_pss_rsae_sha256 \
        -- -tls1_3 -cipher "$SL0"
    wait_servers
}
cap_rsa2048() {
    note "$1" "TLS 1.3, curl (SSLKEYLOGFILE, -k --tlsv1.3, ALPN h2,http/1.1 offered) -> openssl s_server -alpn http/1.1 with an RSA 2048 leaf; the server sends the chain leaf + CA (-cert_chain), so the Certificate message holds 2 certificates."
    ossl_server "$2" rsa2048 -tls1_3 -alpn http/1.1 -cert_chain "$CERT_DIR/ca.pem"
    curl_client "$1" "$2" rsa2048 expect_cipher=TLS_AES_256_GCM_SHA384 expect_group=x25519 \
        expect_alpn=http/1.1 expect_chain_length=2 expect_client_certificate=false \
        expect_certificate_verify_scheme=rsa_pss_rsae_sha256 \
        -- -k --tlsv1.3
    wait_servers
}
cap_ecdsa() {
    note "$1" "TLS 1.3 with TLS_CHACHA20_POLY1305_SHA256 (-ciphersuites on the client), ECDSA P-256 leaf; client -alpn h2,http/1.1, server -alpn http/1.1."
    ossl_server "$2" ecdsa-p256 -tls1_3 -alpn http/1.1
    ossl_client "$1" "$2" ecdsa-p256 expect_cipher=TLS_CHACHA20_POLY1305_SHA256 expect_group=x25519 \
        expect_alpn=http/1.1 expect_chain_length=1 expect_client_certificate=false \
        expect_certificate_verify_scheme=ecdsa_secp256r1_sha256 \
        -- -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 -alpn h2,http/1.1
    wait_servers
}
cap_expired() {
    note "$1" "TLS 1.3 with TLS_AES_256_GCM_SHA384 (-ciphersuites on both ends); the RSA 2048 leaf (CA-signed) expired on 2020-06-01. s_client reports verify error 10 (certificate has expired) and carries on."
    ossl_server "$2" expired -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384
    ossl_client "$1" "$2" expired expect_cipher=TLS_AES_256_GCM_SHA384 expect_group=x25519 \
        expect_alpn=null expect_chain_length=1 expect_client_certificate=false expect_verify_code=10 \
        expect_certificate_verify_scheme=rsa_pss_rsae_sha256 \
        -- -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384
    wait_servers
}
cap_hrr() {
    note "$1" "TLS 1.3 HelloRetryRequest: the client (-groups X25519:P-256) sends an x25519 key share only, the server accepts only P-256 (-groups P-256) and asks again; two ClientHellos (same random), HRR then ServerHello with a secp256r1 key share. RSA 2048 leaf."
    ossl_server "$2" rsa2048 -tls1_3 -groups P-256
    ossl_client "$1" "$2" rsa2048 expect_cipher=TLS_AES_256_GCM_SHA384 expect_group=secp256r1 \
        expect_hello_retry_request=true expect_alpn=null expect_chain_length=1 expect_client_certificate=false \
        expect_certificate_verify_scheme=rsa_pss_rsae_sha256 \
        -- -tls1_3 -groups X25519:P-256
    wait_servers
}
cap_client_cert() {
    note "$1" "TLS 1.3 with TLS_AES_128_GCM_SHA256 (-ciphersuites on the client); the server requires a client certificate (-Verify 1 -verifyCAfile certs-keylog/ca.pem: a CertificateRequest without certificate_authorities), the client presents certs-keylog/client.pem (RSA 2048, CN tlstop test client) with its own CertificateVerify. Server leaf RSA 2048."
    ossl_server "$2" rsa2048 -tls1_3 -Verify 1 -verifyCAfile "$CERT_DIR/ca.pem"
    ossl_client "$1" "$2" rsa2048 client_cert_file="$CERT_DIR/client.pem" \
        expect_cipher=TLS_AES_128_GCM_SHA256 expect_group=x25519 expect_alpn=null expect_chain_length=1 \
        expect_client_certificate=true expect_certificate_verify_scheme=rsa_pss_rsae_sha256 \
        -- -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -cert "$CERT_DIR/client.pem" -key "$CERT_DIR/client.key"
    wait_servers
}

P() { echo $((BASE_PORT + $1)); }

fx_run_capture keylog-rsa1024.pcap     cap_rsa1024     "$(P 1)"
fx_run_capture keylog-rsa2048.pcap     cap_rsa2048     "$(P 2)"
fx_run_capture keylog-ecdsa-p256.pcap  cap_ecdsa       "$(P 3)"
fx_run_capture keylog-expired.pcap     cap_expired     "$(P 4)"
fx_run_capture keylog-hrr.pcap         cap_hrr         "$(P 5)"
fx_run_capture keylog-client-cert.pcap cap_client_cert "$(P 6)"

# --------------------------------------------------------------------------
# QUIC: aioquic server (quic-responders/quic_server.py) and client
# (quic-responders/keylog-quic-client.py, secrets_log_file)
# --------------------------------------------------------------------------
quic_capture() {
    local pcap=$1 sp=$2 cp=$3 cert=$4 pid
    local slog="$LOGS/$pcap.server.log" clog="$LOGS/$pcap.client.log" cjson="$LOGS/$pcap.client.json"
    local keys="$LOGS/quic.keys"
    local sargs=(--port "$sp" --cert "$CERT_DIR/$cert.pem" --key "$CERT_DIR/$cert.key" --alpn hq-interop
        --versions 1 --timeout 20)
    local cargs=(--port "$sp" --local-port "$cp" --sni "$SNI" --ca "$CERT_DIR/ca.pem" --alpn hq-interop
        --keylog "$keys" --timeout 10)
    fx_port_free "$sp" is_bound
    fx_port_free "$cp" is_bound
    log "capture $pcap (QUIC v1, udp $cp -> $sp)"
    start_capture "$STAGE/$pcap" lo "udp and host $LO4 and (port $sp or port $cp)"
    timeout 30 "$QUIC_PY" "$QUIC_SERVER" "${sargs[@]}" >"$slog" 2>&1 &
    pid=$!
    BG_PIDS+=("$pid"); SERVER_PIDS+=("$pid")
    fx_wait_port is_bound "$sp" "$pid" 200 || die "QUIC server for port $sp exited early: $(cat "$slog")"
    timeout 20 "$QUIC_PY" "$QUIC_CLIENT" "${cargs[@]}" >"$cjson" 2>"$clog" ||
        die "$pcap: QUIC client failed: $(tail -n 20 "$clog")"
    fx_wait_servers "QUIC server" "$slog"
    stop_capture "$STAGE/$pcap"
    plan_add kind=conn "pcap=$pcap" tool=aioquic "log=$cjson" "keylog=$keys" "server_port=$sp" \
        "client_port=$cp" "cert_file=$CERT_DIR/$cert.pem" \
        "server_cmd=$(show python3 "$QUIC_SERVER" "${sargs[@]}")" \
        "client_cmd=$(show python3 "$QUIC_CLIENT" "${cargs[@]}")" \
        expect_protocol=quic expect_cipher=TLS_AES_256_GCM_SHA384 expect_group=secp256r1 expect_alpn=hq-interop \
        expect_chain_length=1 expect_client_certificate=false expect_certificate_verify_scheme=ecdsa_secp256r1_sha256
    note "$pcap" "one QUIC v1 connection (aioquic $AIOQUIC_VERSION client and server) on UDP: TLS 1.3 handshake, ALPN hq-interop (in EncryptedExtensions), SNI $SNI, ECDSA P-256 leaf; one request/answer stream, clean CONNECTION_CLOSE. aioquic's ClientHello offers TLS_AES_256_GCM_SHA384 first and key shares for secp256r1, secp384r1, x25519 and x448; its server takes the first of each. The key log is aioquic's secrets_log_file (no EXPORTER_SECRET line: aioquic writes only the traffic secrets)."
}
AIOQUIC_VERSION=$("$QUIC_PY" -c 'import aioquic; print(aioquic.__version__)')
quic_capture keylog-quic.pcap "$(P 7)" "$(P 17)" ecdsa-p256

# --------------------------------------------------------------------------
# the key log files: each capture's client key logs, in connection order;
# plus the derived wrong one
# --------------------------------------------------------------------------
while IFS=$'\t' read -r pcap keys; do
    cat "$keys" >>"$KEYSTAGE/${pcap%.pcap}.keys"
done < <(awk -F'\t' '$1 == "kind=conn" { p = k = ""; for (i = 2; i <= NF; i++) {
            if ($i ~ /^pcap=/) p = substr($i, 6); if ($i ~ /^keylog=/) k = substr($i, 8) }
            print p "\t" k }' "$PLAN")
# keylog-rsa1024-wrong.keys: same labels and client randoms, every secret byte inverted (x ^ 0xff)
awk '/^#/ || NF != 3 { print; next }
     { s = ""; for (i = 1; i <= length($3); i++) {
           c = index("0123456789abcdef", tolower(substr($3, i, 1))) - 1
           if (c < 0) { print "bad hex in " $1 > "/dev/stderr"; exit 1 }
           s = s substr("fedcba9876543210", c + 1, 1) }
       print $1, $2, s }' "$KEYSTAGE/keylog-rsa1024.keys" >"$KEYSTAGE/keylog-rsa1024-wrong.keys"


# --------------------------------------------------------------------------
# manifest: tshark's decode with the key log (and without it, and with the
# wrong one), the certificate files, cross-checked with the clients' reports
# --------------------------------------------------------------------------
openssl ciphers -stdname -V 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' >"$WORK/openssl-ciphers.txt"
{
    printf 'openssl\t%s\n' "$(openssl version | cut -d' ' -f1-2)"
    printf 'curl\t%s\n' "$(curl --version | head -n1 | cut -d' ' -f1-2)"
    printf 'aioquic\t%s\n' "$AIOQUIC_VERSION"
    printf 'tshark\t%s\n' "$(tshark --version 2>/dev/null | head -n1)"
} >"$WORK/versions.tsv"

log "building fixtures-keylog.json (tshark with the key logs, openssl x509, the clients' reports)"
# The builder uses fail, read_plan, pcap_records, read_openssl_ciphers,
# openssl_session / openssl_temp_key and the name tables of FX_PY_HELPERS in
# lib/fixture-common.sh without defining them.
fx_python python3 "$PLAN" "$STAGE" "$KEYSTAGE" "$WORK/openssl-ciphers.txt" "$WORK/versions.tsv" "$CERT_DIR" \
    "$WORK/fixtures-keylog.json" "$WORK/tshark-commands.txt" <<'PY'
import base64, datetime, hashlib, json, shlex

plan_path, stage, keystage, ossl_ciphers, versions_path, cert_dir, out_path, cmds_path = sys.argv[1:9]

CODE2STD, NAME2CODE, PROPS = read_openssl_ciphers(ossl_ciphers)
VERSIONS = dict(l.rstrip("\n").split("\t", 1) for l in open(versions_path))
order, notes, plan = read_plan(plan_path)
conns = plan["conn"]

# ---- name tables (RFC 8446 and the X.509 OIDs) --------------------------------
TLS13_SUITES = {0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384",
                0x1303: "TLS_CHACHA20_POLY1305_SHA256", 0x1304: "TLS_AES_128_CCM_SHA256",
                0x1305: "TLS_AES_128_CCM_8_SHA256"}
HASH_LEN = {"TLS_AES_128_GCM_SHA256": 32, "TLS_AES_256_GCM_SHA384": 48, "TLS_CHACHA20_POLY1305_SHA256": 32,
            "TLS_AES_128_CCM_SHA256": 32, "TLS_AES_128_CCM_8_SHA256": 32}
SCHEMES = {0x0201: "rsa_pkcs1_sha1", 0x0203: "ecdsa_sha1", 0x0401: "rsa_pkcs1_sha256", 0x0501: "rsa_pkcs1_sha384",
           0x0601: "rsa_pkcs1_sha512", 0x0403: "ecdsa_secp256r1_sha256", 0x0503: "ecdsa_secp384r1_sha384",
           0x0603: "ecdsa_secp521r1_sha512", 0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384",
           0x0806: "rsa_pss_rsae_sha512", 0x0807: "ed25519", 0x0808: "ed448", 0x0809: "rsa_pss_pss_sha256",
           0x080A: "rsa_pss_pss_sha384", 0x080B: "rsa_pss_pss_sha512"}
# s_client's "Peer signature type" / "Peer signing digest" (with an rsaEncryption or EC key)
OSSL_SCHEMES = {("RSA-PSS", "SHA256"): "rsa_pss_rsae_sha256", ("RSA-PSS", "SHA384"): "rsa_pss_rsae_sha384",
                ("RSA-PSS", "SHA512"): "rsa_pss_rsae_sha512", ("ECDSA", "SHA256"): "ecdsa_secp256r1_sha256",
                ("ECDSA", "SHA384"): "ecdsa_secp384r1_sha384", ("ECDSA", "SHA512"): "ecdsa_secp521r1_sha512"}
SIG_OIDS = {"1.2.840.113549.1.1.5": "sha1WithRSAEncryption", "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
            "1.2.840.113549.1.1.12": "sha384WithRSAEncryption", "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
            "1.2.840.10045.4.3.2": "ecdsa-with-SHA256", "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
            "1.2.840.10045.4.3.4": "ecdsa-with-SHA512"}
KEY_OIDS = {"1.2.840.113549.1.1.1": "RSA", "1.2.840.10045.2.1": "EC"}
CURVE_OIDS = {"1.2.840.10045.3.1.7": ("P-256", 256), "1.3.132.0.34": ("P-384", 384), "1.3.132.0.35": ("P-521", 521)}
LABELS = {"tcp": {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
                  "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"}}
LABELS["udp"] = LABELS["tcp"] - {"EXPORTER_SECRET"}   # aioquic writes the traffic secrets only
HS_CERTIFICATE, HS_ENCRYPTED_EXTENSIONS, HS_CERTIFICATE_VERIFY, HS_FINISHED = 11, 8, 15, 20


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def aslist(v):
    return [] if v is None else v if isinstance(v, list) else [v]


def find_all(o, key):
    """Every value of KEY anywhere under the tshark JSON object O (lists flattened)."""
    out = []
    if isinstance(o, dict):
        for k, v in o.items():
            out.extend(aslist(v) if k == key else find_all(v, key))
    elif isinstance(o, list):
        for v in o:
            out.extend(find_all(v, key))
    return out


def one(values, what):
    if len(values) != 1:
        fail(f"{what}: expected one value, tshark has {values!r}")
    return values[0]


def hexbytes(s):
    return bytes.fromhex(s.replace(":", ""))


# ---- tshark -------------------------------------------------------------------
TSHARK_CMDS = collections.OrderedDict()
SERVER_IPS = {}   # client (ip, port) -> the server's address


def tshark(pcap, transport, port, keylog):
    """tshark's full dissection (-T json) of STAGE/PCAP decrypted with KEYLOG (a file in KEYSTAGE,
    or "" for none) and its command as run from Tests/Fixtures."""
    disp = "tls" if transport == "tcp" else "quic"
    args = ["-n", "-r", None, "-o", None, "-d", f"{transport}.port=={port},{disp}", "-T", "json", "--no-duplicate-keys"]
    run = list(args)
    run[2], run[4] = os.path.join(stage, pcap), "tls.keylog_file:" + (os.path.join(keystage, keylog) if keylog else "")
    shown = list(args)
    shown[2], shown[4] = f"pcaps/{pcap}", "tls.keylog_file:" + (f"keylogs/{keylog}" if keylog else "")
    TSHARK_CMDS.setdefault(pcap, []).append("tshark " + " ".join(shlex.quote(a) for a in shown))
    res = subprocess.run(["tshark"] + run, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if res.returncode != 0:
        fail(f"tshark failed on {pcap}: {res.stderr.strip()}")
    return json.loads(res.stdout), TSHARK_CMDS[pcap][-1]


def handshake_messages(packets, transport, server_port):
    """[(frame, 'c' or 's', client (ip, port), handshake dict)] for every TLS handshake message tshark
    shows (in QUIC inside the CRYPTO frames), plus the set of client endpoints whose application data
    tshark decoded (an HTTP request, or QUIC STREAM data)."""
    out, app = [], set()
    for p in packets:
        l = p["_source"]["layers"]
        t = l.get(transport)
        if t is None:
            continue
        sport, dport = int(t[f"{transport}.srcport"]), int(t[f"{transport}.dstport"])
        src, dst = l["ip"]["ip.src"], l["ip"]["ip.dst"]
        frame = int(l["frame"]["frame.number"])
        if sport == server_port:
            d, client = "s", (dst, dport)
        elif dport == server_port:
            d, client = "c", (src, sport)
        else:
            fail(f"frame {frame}: ports {sport} -> {dport}, not the server's {server_port}")
        SERVER_IPS[client] = src if d == "s" else dst
        for h in find_all(l, "tls.handshake"):
            if isinstance(h, dict) and "tls.handshake.type" in h:
                out.append((frame, d, client, h))
        if d == "c" and (find_all(l, "http.request.uri") == ["/index.html"] or
                         any(hexbytes(s).startswith(b"GET /index.html") for s in find_all(l, "quic.stream_data"))):
            app.add(client)
    return out, app


def x509_view(tree):
    """What tshark's x509af dissector shows of one certificate."""
    sc = tree["x509af.signedCertificate_element"]

    def cn(name):
        for rdn in find_all(name, "x509if.RelativeDistinguishedName_item_element"):
            if rdn.get("x509if.oid") == "2.5.4.3":
                return one(list(rdn["x509sat.DirectoryString_tree"].values()), "CN")
        return None

    def when(v):
        s = one(find_all(v, "x509af.utcTime") + find_all(v, "x509af.generalizedTime"), "validity")
        return iso(datetime.datetime.strptime(s.replace(" (UTC)", ""), "%Y-%m-%d %H:%M:%S"))

    spki = sc["x509af.subjectPublicKeyInfo_element"]
    key_type = KEY_OIDS.get(spki["x509af.algorithm_element"]["x509af.algorithm.id"], "?")
    curve = bits = None
    if key_type == "RSA":
        bits = int(one(find_all(spki, "pkcs1.modulus"), "modulus").replace(":", ""), 16).bit_length()
    elif key_type == "EC":
        curve, bits = CURVE_OIDS[one(find_all(spki["x509af.algorithm_element"], "pkcs1.namedCurve"), "curve")]
    return collections.OrderedDict([
        ("key_type", key_type), ("key_bits", bits), ("curve", curve),
        ("signature_algorithm", SIG_OIDS.get(tree["x509af.algorithmIdentifier_element"]["x509af.algorithm.id"], "?")),
        ("not_before", when(sc["x509af.validity_element"]["x509af.notBefore_tree"])),
        ("not_after", when(sc["x509af.validity_element"]["x509af.notAfter_tree"])),
        ("subject_cn", cn(sc["x509af.subject_tree"])), ("issuer_cn", cn(sc["x509af.issuer_tree"])),
        ("serial", sc["x509af.serialNumber"].replace(":", "").upper().lstrip("0")),
    ])


def tls_view(msgs, where):
    """The facts of one connection from its handshake messages, as tshark decodes them."""
    def by(d, t):
        return [h for _, dd, _, h in msgs if dd == d and int(h["tls.handshake.type"]) == t]

    def direct(h, k):
        return aslist(h.get(k))

    ch, sh_all = by("c", 1), by("s", 2)
    hrr = [h for h in sh_all if h["tls.handshake.random"].replace(":", "").lower() == HRR_RANDOM]
    sh = [h for h in sh_all if h not in hrr]
    if len(sh) != 1 or len(ch) != (2 if hrr else 1) or len(hrr) > 1:
        fail(f"{where}: {len(ch)} ClientHellos, {len(hrr)} HelloRetryRequests, {len(sh)} ServerHellos")
    randoms = {h["tls.handshake.random"].replace(":", "").lower() for h in ch}
    if len(randoms) != 1:
        fail(f"{where}: the ClientHellos have different randoms {randoms}")
    sh = sh[0]
    v = collections.OrderedDict()
    v["client_random"] = randoms.pop()
    v["sni"] = one(find_all(ch[0], "tls.handshake.extensions_server_name"), f"{where} SNI")
    v["alpn_offered"] = find_all(ch[-1], "tls.handshake.extensions_alpn_str") or None
    v["version"] = WIRE_VERSIONS[int(one(find_all(sh, "tls.handshake.extensions.supported_version"), "version"), 0)]
    v["cipher"] = TLS13_SUITES[int(one(direct(sh, "tls.handshake.ciphersuite"), "suite"), 0)]
    v["group"] = GROUP_CODES[int(one(find_all(sh, "tls.handshake.extensions_key_share_group"), "group"))]
    v["hello_retry_request"] = bool(hrr)
    v["hrr_group"] = GROUP_CODES[int(one(find_all(hrr[0], "tls.handshake.extensions_key_share_selected_group"), "HRR group"))] if hrr else None
    ee = by("s", HS_ENCRYPTED_EXTENSIONS)
    v["encrypted_extensions"] = len(ee)
    v["alpn"] = one(find_all(ee[0], "tls.handshake.extensions_alpn_str"), "ALPN") if ee and find_all(ee[0], "tls.handshake.extensions_alpn_str") else None
    v["certificate_request"] = bool(by("s", 13))
    for side, name in (("s", "server"), ("c", "client")):
        certs = by(side, HS_CERTIFICATE)
        cvs = by(side, HS_CERTIFICATE_VERIFY)
        if len(certs) > 1 or len(cvs) > 1:
            fail(f"{where}: {len(certs)} {name} Certificate and {len(cvs)} CertificateVerify messages")
        v[f"{name}_certificate_message"] = bool(certs)
        v[f"{name}_certs"] = [hexbytes(x) for x in find_all(certs[0], "tls.handshake.certificate")] if certs else []
        v[f"{name}_x509"] = [x509_view(t) for t in find_all(certs[0], "tls.handshake.certificate_tree")] if certs else []
        if certs and int(one(direct(certs[0], "tls.handshake.certificates_length"), "certificates_length")) != \
                sum(len(c) + 3 + 2 for c in v[f"{name}_certs"]):
            fail(f"{where}: {name} certificates_length does not add up")
        v[f"{name}_cv_scheme"] = SCHEMES[int(one(direct(cvs[0], "tls.handshake.sig_hash_alg"), "scheme"), 0)] if cvs else None
        v[f"{name}_finished"] = bool(by(side, HS_FINISHED))
    return v


# ---- certificate files: `openssl x509 -noout -text` -----------------------------
def cert_facts(pem_path):
    text = subprocess.run(["openssl", "x509", "-in", pem_path, "-noout", "-text"], capture_output=True,
                          text=True, check=True).stdout

    def get(rx):
        m = re.search(rx, text, re.M)
        if not m:
            fail(f"{pem_path}: `openssl x509 -text` lacks {rx!r}")
        return m[1].strip()

    parse = lambda s: datetime.datetime.strptime(s, "%b %d %H:%M:%S %Y GMT").replace(tzinfo=datetime.timezone.utc)
    key_type = {"rsaEncryption": "RSA", "id-ecPublicKey": "EC"}[get(r"Public Key Algorithm:\s*(\S+)")]
    curve = get(r"NIST CURVE:\s*(\S+)") if key_type == "EC" else None
    cn = lambda s: (re.search(r"(?:^|, )CN = ([^,]+)", s) or [None, None])[1]
    san = re.search(r"X509v3 Subject Alternative Name:.*\n\s*(.+)$", text, re.M)
    serial = get(r"Serial Number:\s*(\d+ \(0x[0-9a-fA-F]+\)|\n\s*[0-9a-fA-F:]+)")
    m = re.match(r"\d+ \(0x([0-9a-fA-F]+)\)", serial)
    der = base64.b64decode("".join(open(pem_path).read().split("-----")[2].split()))
    nb, na = parse(get(r"Not Before\s*:\s*(.+)$")), parse(get(r"Not After\s*:\s*(.+)$"))
    return collections.OrderedDict([
        ("key_type", key_type), ("key_bits", int(get(r"Public-Key:\s*\((\d+) bit\)"))), ("curve", curve),
        ("signature_algorithm", get(r"^\s*Signature Algorithm:\s*(\S+)")),
        ("not_before", iso(nb)), ("not_after", iso(na)),
        ("subject_cn", cn(get(r"^\s*Subject:\s*(.*)$"))), ("expired", None),
        ("issuer_cn", cn(get(r"^\s*Issuer:\s*(.*)$"))),
        ("serial", (m[1] if m else serial.replace(":", "").strip()).upper().lstrip("0")),
        ("san_dns", [s.strip()[4:] for s in san[1].split(",") if s.strip().startswith("DNS:")] if san else []),
        ("file", "certs-keylog/" + os.path.basename(pem_path)),
        ("sha256", hashlib.sha256(der).hexdigest()),
    ]), der, nb, na


CERTS = {}   # DER -> (facts, not_before, not_after)
for f in sorted(os.listdir(cert_dir)):
    if f.endswith(".pem"):
        facts, der, nb, na = cert_facts(os.path.join(cert_dir, f))
        CERTS[der] = (facts, nb, na)


def describe(ders, x509s, cap_dt, where):
    """The manifest's view of a certificate list: the files they are, cross-checked field by field
    between tshark's x509af decode and `openssl x509 -text`."""
    out = []
    for i, (der, xv) in enumerate(zip(ders, x509s)):
        if der not in CERTS:
            fail(f"{where}: certificate #{i} on the wire is none of {cert_dir}/*.pem")
        facts, nb, na = CERTS[der]
        facts = collections.OrderedDict(facts)
        for k, tv in xv.items():
            if facts[k] != tv:
                fail(f"{where}: certificate #{i} {k}: openssl x509 says {facts[k]!r}, tshark decodes {tv!r}")
        facts["expired"] = cap_dt > na
        facts["not_yet_valid"] = cap_dt < nb
        out.append(facts)
    if len(out) != len(ders) or len(ders) != len(x509s):
        fail(f"{where}: {len(ders)} certificates but {len(x509s)} x509af trees")
    return out


# ---- the clients' reports -----------------------------------------------------
def parse_s_client(text, key_type):
    m = re.search(r"^(New|Reused), (\S+), Cipher is (\S+)", text, re.M)
    if not m or m[1] != "New":
        fail("s_client reports no new session")
    r = {}
    r["version"], r["cipher"] = openssl_session(text, m)
    r["group"] = openssl_temp_key(re.search(r"^Server Temp Key: (.+)$", text, re.M)[1], r["version"])[0]
    a = re.search(r"^ALPN protocol: (\S+)$", text, re.M)
    if not a and not re.search(r"^No ALPN negotiated$", text, re.M):
        fail("s_client reports neither an ALPN protocol nor 'No ALPN negotiated'")
    r["alpn"] = a[1] if a else None
    st = re.search(r"^Peer signature type: (\S+)$", text, re.M)
    dg = re.search(r"^Peer signing digest: (\S+)$", text, re.M)
    r["certificate_verify_scheme"] = OSSL_SCHEMES.get((st[1], dg[1])) if st and dg else None
    r["hello_retry_request"] = len(re.findall(r"^<<< TLS 1\.3, Handshake \[length [0-9a-f]+\], ServerHello$", text, re.M)) == 2
    chain = re.search(r"^Certificate chain\n((?:.*\n)*?)---$", text, re.M)
    r["chain_length"] = len(re.findall(r"^ *\d+ s:", chain[1], re.M)) if chain else 0
    r["client_certificate"] = bool(re.search(r"^>>> TLS 1\.3, Handshake \[length [0-9a-f]+\], Certificate$", text, re.M))
    vr = re.findall(r"^\s*Verify return code: (\d+)", text, re.M)
    r["verify_code"] = int(vr[0]) if vr else None
    return r


def parse_curl(text):
    m = re.search(r"^\* SSL connection using (\S+) / (\S+)$", text, re.M)
    if not m:
        fail("curl -v shows no 'SSL connection using'")
    a = re.search(r"^\* ALPN: server accepted (\S+)$", text, re.M)
    return {"version": OSSL_VERSIONS[m[1]], "cipher": std_cipher(m[2]), "alpn": a[1] if a else None}


def parse_aioquic(path):
    a = json.load(open(path))
    if a["answer"] != "tlstop fixture\n" or a["tls_state"] != "CLIENT_POST_HANDSHAKE" or a["quic_version"] != 1:
        fail(f"aioquic client: answer {a['answer']!r}, state {a['tls_state']}, QUIC version {a['quic_version']}")
    return {"version": "TLSv1.3", "cipher": TLS13_SUITES[a["cipher_code"]],
            "group": GROUP_CODES[one(a["group_codes"], "aioquic group")],
            "certificate_verify_scheme": SCHEMES[one(a["verify_schemes"], "aioquic scheme")],
            "alpn": a["alpn"], "sni": a["sni"], "client_random": a["client_random"],
            "certs": [bytes.fromhex(c) for c in a["certificates"]]}


# ---- key log files ------------------------------------------------------------
def read_keylog(path):
    """[(label, client random, secret)] of an NSS key log file (comments and blank lines skipped)."""
    out = []
    for n, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split(" ")
        if len(f) != 3 or not re.fullmatch(r"[A-Z_0-9]+", f[0]) or not re.fullmatch(r"[0-9a-f]{64}", f[1]) \
                or not re.fullmatch(r"(?:[0-9a-f]{2})+", f[2]):
            fail(f"{path}:{n}: not an NSS key log line: {line!r}")
        out.append(tuple(f))
    return out


# ---- build --------------------------------------------------------------------
manifest = collections.OrderedDict()
for pcap in order:
    base = pcap[:-len(".pcap")]
    keylog = base + ".keys"
    path = os.path.join(stage, pcap)
    data = open(path, "rb").read()
    lt, unit, recs, end = pcap_records(path, data)
    if end != len(data) or not recs:
        fail(f"{pcap}: truncated or empty capture")
    if lt != 1:
        fail(f"{pcap}: link type {lt}, expected 1 (Ethernet)")
    cap_dt = datetime.datetime.fromtimestamp(recs[0][0], datetime.timezone.utc)
    prs = conns[pcap]
    transport = "udp" if prs[0]["tool"] == "aioquic" else "tcp"
    port = int(prs[0]["server_port"])
    if any(int(r["server_port"]) != port for r in prs):
        fail(f"{pcap}: more than one server port")

    pk, cmd_with = tshark(pcap, transport, port, keylog)
    msgs, app = handshake_messages(pk, transport, port)
    clients = list(collections.OrderedDict((m[2], None) for m in msgs))
    if len(clients) != len(prs):
        fail(f"{pcap}: tshark sees {len(clients)} connections, the script made {len(prs)}")
    # the same capture without a key log, and (rsa1024) with the wrong one: no Certificate
    pk0, cmd_without = tshark(pcap, transport, port, "")
    msgs0, app0 = handshake_messages(pk0, transport, port)
    types0 = sorted({int(h["tls.handshake.type"]) for _, _, _, h in msgs0})
    if types0 != [1, 2] or app0:
        fail(f"{pcap}: without the key log tshark decodes handshake types {types0} (only 1, 2 expected), app data {app0}")
    wrong = None
    if os.path.exists(os.path.join(keystage, base + "-wrong.keys")):
        wrong = base + "-wrong.keys"
        pkw, cmd_wrong = tshark(pcap, transport, port, wrong)
        msgsw, appw = handshake_messages(pkw, transport, port)
        typesw = sorted({int(h["tls.handshake.type"]) for _, _, _, h in msgsw})
        if typesw != [1, 2] or appw:
            fail(f"{pcap}: with the wrong key log tshark decodes handshake types {typesw}, app data {appw}")

    keys = read_keylog(os.path.join(keystage, keylog))
    out = []
    for i, (rec, client) in enumerate(zip(prs, clients)):
        where = f"{pcap} connection #{i + 1}"
        cm = [m for m in msgs if m[2] == client]
        v = tls_view(cm, where)
        if client not in app:
            fail(f"{where}: tshark did not decrypt the application data (no request seen)")
        if not (v["encrypted_extensions"] == 1 and v["server_certificate_message"] and v["server_finished"]
                and v["client_finished"] and v["server_cv_scheme"]):
            fail(f"{where}: the decrypted handshake is incomplete: {v}")
        if transport == "udp" and int(rec["client_port"]) != client[1]:
            fail(f"{where}: client port {client[1]}, the script used {rec['client_port']}")
        server_chain = describe(v["server_certs"], v["server_x509"], cap_dt, where + " server")
        client_chain = describe(v["client_certs"], v["client_x509"], cap_dt, where + " client")
        if not server_chain or server_chain[0]["file"] != "certs-keylog/" + os.path.basename(rec["cert_file"]):
            fail(f"{where}: the server's leaf is not {rec['cert_file']}")
        if client_chain and client_chain[0]["file"] != "certs-keylog/" + os.path.basename(rec.get("client_cert_file", "-")):
            fail(f"{where}: the client's certificate is not {rec.get('client_cert_file')}")
        leaf = server_chain[0]
        # --- the key log: exactly this connection's secrets, hash-sized
        mine = [k for k in keys if k[1] == v["client_random"]]
        labels = sorted(k[0] for k in mine)
        if sorted(set(labels)) != labels or set(labels) != LABELS[transport]:
            fail(f"{where}: key log labels for client random {v['client_random']}: {labels}")
        if any(len(k[2]) != 2 * HASH_LEN[v["cipher"]] for k in mine):
            fail(f"{where}: a secret is not {HASH_LEN[v['cipher']]} bytes ({v['cipher']})")

        e = collections.OrderedDict()
        e["server_ip"] = SERVER_IPS[client]
        e["server_port"] = port
        e["client_ip"] = client[0]
        e["client_port"] = client[1]
        e["transport"] = transport
        e["protocol"] = "quic" if transport == "udp" else "tls"
        e["version"] = v["version"]
        e["cipher"] = v["cipher"]
        e["group"] = v["group"]
        e["sni"] = v["sni"]
        e["alpn"] = v["alpn"]
        e["alpn_offered"] = v["alpn_offered"]
        e["hello_retry_request"] = v["hello_retry_request"]
        e["cert"] = collections.OrderedDict((k, leaf[k]) for k in (
            "key_type", "key_bits", "curve", "signature_algorithm", "not_before", "not_after", "subject_cn",
            "expired", "not_yet_valid", "issuer_cn", "serial", "san_dns", "file", "sha256"))
        e["chain_length"] = len(server_chain)
        e["chain"] = [collections.OrderedDict((k, c[k]) for k in ("subject_cn", "issuer_cn", "file", "sha256"))
                      for c in server_chain]
        e["certificate_verify_scheme"] = v["server_cv_scheme"]
        e["certificate_request"] = v["certificate_request"]
        e["client_certificate"] = bool(client_chain)
        e["client_cert"] = collections.OrderedDict((k, client_chain[0][k]) for k in (
            "key_type", "key_bits", "curve", "signature_algorithm", "not_before", "not_after", "subject_cn",
            "issuer_cn", "serial", "file", "sha256")) if client_chain else None
        e["client_certificate_verify_scheme"] = v["client_cv_scheme"]
        e["client_random"] = v["client_random"]
        e["keylog_labels"] = sorted(LABELS[transport])
        tool = rec["tool"]
        e["client"] = {"s_client": f"openssl s_client ({VERSIONS['openssl']})", "curl": VERSIONS["curl"],
                       "aioquic": f"aioquic {VERSIONS['aioquic']}"}[tool]
        e["server"] = f"aioquic {VERSIONS['aioquic']}" if tool == "aioquic" else f"openssl s_server ({VERSIONS['openssl']})"
        e["client_command"] = rec["client_cmd"]
        e["server_command"] = rec["server_cmd"]
        e["source"] = (f"{VERSIONS['tshark']} with the key log (tls.keylog_file); certificate facts from "
                       f"openssl x509 -noout -text, cross-checked with tshark's x509af decode; "
                       f"cross-checked with the {tool} client's report")

        # --- the client's own report against tshark
        log_text = open(rec["log"], errors="replace").read()
        if tool == "s_client":
            c = parse_s_client(log_text, leaf["key_type"])
            c["client_certificate"] = c["client_certificate"] and "client_cert_file" in rec
            checks = ["version", "cipher", "group", "alpn", "certificate_verify_scheme", "hello_retry_request",
                      "chain_length", "client_certificate"]
        elif tool == "curl":
            c = parse_curl(log_text)
            checks = ["version", "cipher", "alpn"]
        else:
            c = parse_aioquic(rec["log"])
            if c["certs"] != v["server_certs"]:
                fail(f"{where}: aioquic received other certificates than tshark decodes")
            checks = ["version", "cipher", "group", "alpn", "certificate_verify_scheme", "sni", "client_random"]
        for k in checks:
            if c[k] != e[k]:
                fail(f"{where}: {k}: {tool} reports {c[k]!r} but tshark decodes {e[k]!r}")
        # --- the scenario must be what the script asked for
        if e["version"] != "TLSv1.3" or e["sni"] != "tlstop.test":
            fail(f"{where}: version {e['version']}, SNI {e['sni']}")
        want_hrr = rec.get("expect_hello_retry_request") == "true"
        if e["hello_retry_request"] != want_hrr:
            fail(f"{where}: hello_retry_request {e['hello_retry_request']}, expected {want_hrr}")
        for k, want in rec.items():
            if not k.startswith("expect_"):
                continue
            key = k[len("expect_"):]
            got = c.get("verify_code") if key == "verify_code" else e[key]
            if got != convert(want):
                fail(f"{where}: expected {key}={want!r}, got {got!r}")
        out.append(e)

    # every secret in the key log belongs to one of the capture's connections
    extra = {k[1] for k in keys} - {e["client_random"] for e in out}
    if extra:
        fail(f"{pcap}: the key log has secrets for other client randoms {sorted(extra)}")
    entry = collections.OrderedDict(
        [("link_type", lt), ("link_type_name", LINKTYPE_NAMES.get(lt, str(lt))), ("format", "pcap"),
         ("packets", len(recs)), ("bytes", len(data)), ("capture_time", iso(cap_dt)),
         ("keylog", keylog), ("wrong_keylog", wrong)])
    entry["decryption"] = collections.OrderedDict([
        ("with_keylog", "EncryptedExtensions, Certificate, CertificateVerify, Finished and the application data decrypt"),
        ("without_keylog", "only ClientHello and ServerHello (no Certificate)"),
        ("with_wrong_keylog", "only ClientHello and ServerHello (no Certificate)" if wrong else None)])
    entry["tshark_commands"] = TSHARK_CMDS[pcap]
    entry["connections"] = out
    entry["notes"] = notes.get(pcap, "")
    if wrong is None:
        del entry["wrong_keylog"]
        entry["decryption"].pop("with_wrong_keylog")
    else:
        # the wrong key log: the same lines with every secret byte inverted
        bad = read_keylog(os.path.join(keystage, wrong))
        if [(l, r) for l, r, _ in bad] != [(l, r) for l, r, _ in keys] or any(
                bytes(b ^ 0xFF for b in bytes.fromhex(s)) != bytes.fromhex(w) for (_, _, s), (_, _, w) in zip(keys, bad)):
            fail(f"{wrong} is not {keylog} with every secret inverted")
    manifest[pcap] = entry

with open(out_path, "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
with open(cmds_path, "w") as f:
    for cmds in TSHARK_CMDS.values():
        f.write("\n".join(cmds) + "\n")
print(f"{LOG_PREFIX} manifest: {len(manifest)} captures cross-checked", file=sys.stderr)
for name, m in manifest.items():
    for c in m["connections"]:
        print(f"  {name:24s} {c['protocol']:4s} {c['server_port']} {c['cipher']:28s} {c['group']:9s} "
              f"hrr={str(c['hello_retry_request'])[0]} alpn={c['alpn']} cert={c['cert']['key_type']}{c['cert']['key_bits']}"
              f" chain={c['chain_length']} cv={c['certificate_verify_scheme']} expired={c['cert']['expired']}"
              f" client_cert={c['client_certificate']}", file=sys.stderr)
PY

# --------------------------------------------------------------------------
# install the results (only this script's keylog-* files are replaced)
# --------------------------------------------------------------------------
fx_check_size 150000 captures "$STAGE"/*
rm -f "$PCAP_DIR"/keylog-*.pcap "$KEYS_DIR"/keylog-*.keys
fx_install_captures "$STAGE"/keylog-*.pcap
mkdir -p "$KEYS_DIR"
cp "$KEYSTAGE"/keylog-*.keys "$KEYS_DIR"/
chmod 644 "$KEYS_DIR"/keylog-*.keys
fx_install_manifest "$WORK/fixtures-keylog.json"

installed=("$PCAP_DIR"/keylog-*.pcap)
log "done: ${#installed[@]} key log captures in $PCAP_DIR, key logs in $KEYS_DIR"
fx_list_captures 24 "$PCAP_DIR"/keylog-*.pcap
log "tshark commands used for the reference values (run in Tests/Fixtures):"
sed 's/^/  /' "$WORK/tshark-commands.txt" >&2
