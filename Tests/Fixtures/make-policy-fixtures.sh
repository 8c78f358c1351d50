#!/usr/bin/env bash
# Regenerate tlstop's "policy" packet-capture fixtures: REAL openssl 3.0
# s_server / s_client connections over loopback (127.0.0.1 only), each built
# to trigger one posture finding (expired / not-yet-valid / expiring / self-
# signed / wrong-name certificates, missing SNI, weak keys and signatures,
# NULL / anonymous / CBC suites, version downgrade, weak offers, TLS 1.3
# psk_ke resumption, ffdhe in TLS 1.3, ...).  Writes pcaps/policy-*.pcap and
# fixtures-policy.json.
#
# The manifest comes from what s_client reports (Protocol / Cipher / Server
# Temp Key / Reused / Verify return code) and from `openssl x509 -noout -text`
# of the certificate each server used, and is cross-checked against tshark's
# dissection of the capture (ServerHello version, suite, key_share /
# ServerKeyExchange group, dh_p length, pre_shared_key, SNI, the certificate
# bytes on the wire).  The findings each connection must trigger are derived
# from those facts by the rules in README.md ("Policy captures") and must
# equal the list written next to each scenario below.  Any disagreement
# aborts the run.
#
# Usage (as root, on Debian 12 or similar):   sudo Tests/Fixtures/make-policy-fixtures.sh
#
# Environment:
#   BASE_PORT     capture N uses BASE_PORT+N, N = 1..18      (default 44600)
#   REGEN_CERTS=1 throw away Tests/Fixtures/certs-policy/* and make new ones
#   KEEP_WORK=1   keep the temporary work directory (logs) for debugging
#
# Certificates (test-only) live in certs-policy/ and are reused while they
# still have the expected serial, dates and signature; the "expiring soon"
# certificate is re-issued on every run (its notAfter is 10 days after the
# capture).  Captures and the manifest are built in a temporary directory and
# only copied into place after every check passed.  See README.md.

set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/fixture-common.sh
. "$HERE/lib/fixture-common.sh"
fx_init make-policy-fixtures "tcpdump needs to open the loopback interface"

PCAP_DIR="$HERE/pcaps"
CERT_DIR="$HERE/certs-policy"
MANIFEST="$HERE/fixtures-policy.json"
BASE_PORT="${BASE_PORT:-44600}"
SNI="tlstop.test"
HTTP_REQ=$'GET /index.html HTTP/1.0\r\n\r\n'
LO4=127.0.0.1


((BASE_PORT >= 1024 && BASE_PORT + 18 <= 65535)) || die "BASE_PORT out of range"

# --------------------------------------------------------------------------
# prerequisites
# --------------------------------------------------------------------------
fx_ensure_deps tcpdump=tcpdump openssl=openssl python3=python3 tshark=tshark timeout=coreutils date=coreutils
[[ $(openssl version) == "OpenSSL 3.0."* ]] ||
    log "warning: written for OpenSSL 3.0, found '$(openssl version)'; scenario values may differ"

fx_make_work tlstop-policy-fixtures   # PLAN also gets kind=skip and kind=info lines
WWW="$WORK/www"
CA_DB="$WORK/ca"         # throw-away `openssl ca` database
mkdir -p "$WWW" "$CA_DB"
# tiny payload so captures stay small
printf 'tlstop fixture\n' >"$WWW/index.html"

skip() { log "SKIPPED $1: $2"; plan_add kind=skip "pcap=$1" "text=$2"; }

# --------------------------------------------------------------------------
# certificates (test-only material, committed; reused while still as specified)
# --------------------------------------------------------------------------
# All dates are fixed except the "expiring soon" leaf.  Serials are fixed.
CA_SUBJ="/O=tlstop test fixtures/CN=tlstop policy test CA"
CA_SERIAL=5000
CA_START=20190101000000Z
CA_END=20400101000000Z   # covers every leaf below, including 2035-2036

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
[ ext_other ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:other.test
[ ext_self ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
subjectAltName         = DNS:tlstop.test
CNF

# openssl date text ("Jan  1 00:00:00 2025 GMT") -> 20250101000000Z
asn1_date() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
cert_field() { openssl x509 -in "$1" -noout "-$2" | cut -d= -f2-; }

# cert_ok NAME SERIAL START END SIGNER(ca|self) MD
cert_ok() {
    local name=$1 serial=$2 start=$3 end=$4 signer=$5 md=$6 c="$CERT_DIR/$1.pem" k="$CERT_DIR/$1.key"
    [[ -s $c && -s $k ]] || return 1
    [[ $(cert_field "$c" serial) == "$serial" ]] || return 1
    [[ $(asn1_date "$(cert_field "$c" startdate)") == "$start" ]] || return 1
    [[ $(asn1_date "$(cert_field "$c" enddate)") == "$end" ]] || return 1
    openssl x509 -in "$c" -noout -text | grep -q "Signature Algorithm: ${md}With" || return 1
    [[ $(openssl x509 -in "$c" -noout -pubkey) == "$(openssl pkey -in "$k" -pubout)" ]] || return 1
    if [[ $signer == self ]]; then
        openssl verify -no_check_time -auth_level 0 -check_ss_sig -CAfile "$c" "$c" >/dev/null 2>&1
    else
        openssl verify -no_check_time -auth_level 0 -CAfile "$CERT_DIR/ca.pem" "$c" >/dev/null 2>&1
    fi
}

# issue NAME SUBJECT SERIAL START END EXT MD SIGNER(ca|self) -- KEYGEN-ARGS...
# Reuses NAME.key if present (fresh key with REGEN_CERTS=1 or if missing).
issue() {
    local name=$1 subj=$2 serial=$3 start=$4 end=$5 ext=$6 md=$7 signer=$8; shift 9
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
        openssl ca -batch -config ca.cnf -notext -md "$md" -startdate "$start" -enddate "$end" \
            "${signargs[@]}" -extensions "$ext" -extfile ca.cnf -in "$name.csr" -out "$c.new" \
            2>"$LOGS/ca-$name.log"
    ) || { rm -f "$c.new"; return 1; }
    mv "$c.new" "$c"
    cert_ok "$name" "$serial" "$start" "$end" "$signer" "$md" || { log "freshly issued $name does not check out"; return 1; }
}

# leaf NAME SUBJECT SERIAL START END EXT MD SIGNER -- KEYGEN-ARGS...   (reuse or issue)
leaf() {
    if cert_ok "$1" "$3" "$4" "$5" "$8" "$7"; then return 0; fi
    log "creating certificate $1 (serial 0x$3, $4 .. $5, $7)"
    rm -f "$CERT_DIR/$1.pem"
    issue "$@" || die "cannot issue $1: $(cat "$LOGS/genpkey-$1.log" "$LOGS/ca-$1.log" 2>/dev/null)"
}

# ec_cert CURVE: reuse or issue the weak-EC leaf ec-pNNN; false if this OpenSSL cannot
ec_cert() {
    local curve=$1 n="ec-p${1#P-}" serial=5009 s="/O=tlstop test fixtures/CN=$SNI"
    [[ $curve == P-192 ]] || serial=500A
    if cert_ok "$n" "$serial" 20250101000000Z 20350101000000Z ca sha256; then return 0; fi
    log "creating certificate $n (serial 0x$serial, ECDSA $curve)"
    rm -f "$CERT_DIR/$n.pem"
    if ! issue "$n" "$s" "$serial" 20250101000000Z 20350101000000Z ext_ec sha256 ca -- \
        -algorithm EC -pkeyopt "ec_paramgen_curve:$curve" -pkeyopt ec_param_enc:named_curve; then
        log "OpenSSL cannot make a $curve certificate: $(cat "$LOGS/genpkey-$n.log" "$LOGS/ca-$n.log" 2>/dev/null)"
        rm -f "$CERT_DIR/$n.key" "$CERT_DIR/$n.pem"
        return 1
    fi
    chmod 644 "$CERT_DIR/$n.key" "$CERT_DIR/$n.pem"
}

make_certs() {
    mkdir -p "$CERT_DIR"
    if [[ ${REGEN_CERTS:-0} == 1 ]]; then rm -f "$CERT_DIR"/*.pem "$CERT_DIR"/*.key; fi
    local rsa=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) s="/O=tlstop test fixtures/CN"
    if ! cert_ok ca "$CA_SERIAL" "$CA_START" "$CA_END" self sha256; then
        log "creating test CA (certs-policy/ca.pem)"
        rm -f "$CERT_DIR"/*.pem    # every leaf must be re-signed by the new CA
        rm -f "$CERT_DIR/ca.pem"
        issue ca "$CA_SUBJ" "$CA_SERIAL" "$CA_START" "$CA_END" ext_ca sha256 self -- "${rsa[@]}" ||
            die "cannot create the CA: $(cat "$LOGS/ca-ca.log")"
    fi
    leaf server-ok      "$s=$SNI"      5001 20250101000000Z 20350101000000Z ext_rsa   sha256 ca -- "${rsa[@]}"
    leaf expired        "$s=$SNI"      5002 20190601000000Z 20200601000000Z ext_rsa   sha256 ca -- "${rsa[@]}"
    leaf not-yet-valid  "$s=$SNI"      5003 20350101000000Z 20360101000000Z ext_rsa   sha256 ca -- "${rsa[@]}"
    leaf self-signed    "$s=$SNI"      5005 20250101000000Z 20350101000000Z ext_self  sha256 self -- "${rsa[@]}"
    leaf other-name     "$s=other.test" 5006 20250101000000Z 20350101000000Z ext_other sha256 ca -- "${rsa[@]}"
    leaf rsa1024        "$s=$SNI"      5007 20250101000000Z 20350101000000Z ext_rsa   sha256 ca -- \
        -algorithm RSA -pkeyopt rsa_keygen_bits:1024
    leaf sha1           "$s=$SNI"      5008 20250101000000Z 20350101000000Z ext_rsa   sha1   ca -- "${rsa[@]}"
    # "expiring soon": notAfter = now + 10 days (to the second), notBefore one year earlier.
    # Re-issued on every run (same key, same serial) because it depends on the capture moment.
    local now na nb
    now=$(date -u +%s)
    na=$(date -u -d "@$((now + 10 * 86400))" +%Y%m%d%H%M%SZ)
    nb="$((10#${na:0:4} - 1))${na:4}"
    [[ ${nb:4:4} == 0229 ]] && nb="${nb:0:4}0228${nb:8}"
    EXPIRING_ISSUED_AT=$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)
    log "issuing expiring-soon certificate: notBefore $nb notAfter $na (issued $EXPIRING_ISSUED_AT)"
    issue expiring-soon "$s=$SNI" 5004 "$nb" "$na" ext_rsa sha256 ca -- "${rsa[@]}" ||
        die "cannot issue expiring-soon: $(cat "$LOGS/ca-expiring-soon.log")"
    plan_add kind=info key=expiring_issued_at "value=$EXPIRING_ISSUED_AT"
    rm -f "$CERT_DIR"/*.srl "$CERT_DIR"/*.new
    chmod 644 "$CERT_DIR"/*
}
make_certs

# --------------------------------------------------------------------------
# helpers: server, client (port checks and capture start/stop are in
# lib/fixture-common.sh)
# --------------------------------------------------------------------------
# ossl_server PORT CERTNAME(|none) NACCEPT [s_server args...]
ossl_server() {
    local port=$1 cert=$2 naccept=$3; shift 3
    local certargs=(-nocert)
    [[ $cert == none ]] || certargs=(-cert "$CERT_DIR/$cert.pem" -key "$CERT_DIR/$cert.key")
    (cd "$WWW" && exec timeout 90 openssl s_server -accept "$LO4:$port" "${certargs[@]}" \
        -WWW -naccept "$naccept" "$@") >"$LOGS/server-$port.log" 2>&1 &
    track_server $! "$port" "$LOGS/server-$port.log"
}

# ossl_client PCAP PORT CERTNAME(|none) [meta key=value ...] -- [s_client args...]
# meta sni=none: no SNI (-noservername); otherwise -servername $SNI.
# The client always checks the name ($SNI) and the chain against certs-policy/ca.pem,
# but never aborts on a verification error: "Verify return code" is recorded.
ossl_client() {
    local pcap=$1 port=$2 cert=$3; shift 3
    local meta=() rc=0 n=$((++CONN_SEQ)) sni=$SNI m
    while (($#)) && [[ $1 != -- ]]; do meta+=("$1"); shift; done
    (($#)) && shift
    for m in "${meta[@]}"; do [[ $m == sni=none ]] && sni=""; done
    local log="$LOGS/conn-$n-s_client.log" sniargs=(-noservername)
    [[ -z $sni ]] || sniargs=(-servername "$sni")
    printf '%s' "$HTTP_REQ" | timeout 30 openssl s_client -connect "$LO4:$port" "${sniargs[@]}" \
        -verify_hostname "$SNI" -CAfile "$CERT_DIR/ca.pem" -ign_eof -msg "$@" >"$log" 2>&1 || rc=$?
    ((rc != 124)) || die "s_client timed out (connection $n, $pcap)"
    local certfile=""
    [[ $cert == none ]] || certfile="$CERT_DIR/$cert.pem"
    plan_add kind=conn "pcap=$pcap" "log=$log" "rc=$rc" "server_port=$port" "sni_sent=$sni" \
        "cert_file=$certfile" "server_log=$LOGS/server-$port.log" "${meta[@]}"
}

# probe PORT CERTNAME "server args" "client args": one uncaptured handshake; true if it completed
probe() {
    local port=$1 cert=$2 rc=0 out
    fx_port_free "$port"
    # shellcheck disable=SC2086
    ossl_server "$port" "$cert" 1 $3
    # shellcheck disable=SC2086
    out=$(printf '%s' "$HTTP_REQ" | timeout 30 openssl s_client -connect "$LO4:$port" -servername "$SNI" \
        -CAfile "$CERT_DIR/ca.pem" -ign_eof $4 2>&1) || rc=$?
    wait_servers
    # wait until the port is really free again before the capture starts
    local i; for ((i = 0; i < 100; i++)); do is_listening "$port" || break; sleep 0.05; done
    ((rc == 0)) && grep -qE '^(New|Reused), .*Cipher is [^(]' <<<"$out" && grep -q 'tlstop fixture' <<<"$out"
}

# run_capture NAME PORT FUNCTION
run_capture() {
    local name=$1 port=$2 fn=$3
    log "capture $name (port $port)"
    fx_port_free "$port"
    start_capture "$STAGE/$name" lo "tcp port $port"
    "$fn" "$name" "$port"
    stop_capture "$STAGE/$name"
}

# --------------------------------------------------------------------------
# the captures.  Certificates are only visible to a passive observer in
# TLS 1.2 (in TLS 1.3 they are encrypted), so the certificate scenarios are
# TLS 1.2.  target= is what the scenario is built for; findings= is the full
# list the manifest builder must derive from the observed facts.
# --------------------------------------------------------------------------
GCM12=ECDHE-RSA-AES128-GCM-SHA256
GCM12_STD=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256

cap_expired_cert() {
    note "$1" "TLS 1.2 ECDHE-RSA; the server certificate (RSA 2048, SAN tlstop.test, CA-signed) expired on 2020-06-01. s_client reports verify error 10 (certificate has expired) but carries on."
    ossl_server "$2" expired 1 -tls1_2 -cipher $GCM12
    ossl_client "$1" "$2" expired target=cert-expired findings=cert-expired,not-pq expect_verify_code=10 \
        expect_version=TLSv1.2 expect_cipher=$GCM12_STD expect_group=x25519 expect_established=true \
        -- -tls1_2 -cipher $GCM12
    wait_servers
}
cap_not_yet_valid() {
    note "$1" "TLS 1.2 ECDHE-RSA; the server certificate is valid from 2035-01-01 to 2036-01-01 (CA-signed, SAN tlstop.test). s_client reports verify error 9 (certificate is not yet valid)."
    ossl_server "$2" not-yet-valid 1 -tls1_2 -cipher $GCM12
    ossl_client "$1" "$2" not-yet-valid target=cert-not-yet-valid findings=cert-not-yet-valid,not-pq \
        expect_verify_code=9 expect_version=TLSv1.2 expect_cipher=$GCM12_STD expect_established=true \
        -- -tls1_2 -cipher $GCM12
    wait_servers
}
cap_expiring_soon() {
    note "$1" "TLS 1.2 ECDHE-RSA; the server certificate's notAfter is 10 days after the moment it was issued, seconds before this capture (issued $EXPIRING_ISSUED_AT); notBefore is one year before notAfter. Compare with capture_time, not with the current date: the certificate expires for real 10 days after the capture. Verifies OK (code 0)."
    ossl_server "$2" expiring-soon 1 -tls1_2 -cipher $GCM12
    ossl_client "$1" "$2" expiring-soon target=cert-expiring-soon findings=cert-expiring-soon,not-pq \
        expect_verify_code=0 expect_version=TLSv1.2 expect_cipher=$GCM12_STD expect_established=true \
        -- -tls1_2 -cipher $GCM12
    wait_servers
}
cap_self_signed() {
    note "$1" "TLS 1.2 ECDHE-RSA; the server certificate is a self-signed RSA 2048 leaf (subject == issuer, signed by its own key, CA:FALSE, SAN tlstop.test). s_client reports verify error 18 (self-signed certificate)."
    ossl_server "$2" self-signed 1 -tls1_2 -cipher $GCM12
    ossl_client "$1" "$2" self-signed target=self-signed findings=self-signed,not-pq expect_verify_code=18 \
        expect_version=TLSv1.2 expect_cipher=$GCM12_STD expect_established=true -- -tls1_2 -cipher $GCM12
    wait_servers
}
cap_sni_mismatch() {
    note "$1" "TLS 1.2 ECDHE-RSA; the client asks for tlstop.test (SNI) but the CA-signed certificate covers only other.test (SAN DNS:other.test, CN other.test). s_client, checking the name, reports verify error 62 (hostname mismatch)."
    ossl_server "$2" other-name 1 -tls1_2 -cipher $GCM12
    ossl_client "$1" "$2" other-name target=sni-mismatch findings=sni-mismatch,not-pq expect_verify_code=62 \
        expect_sni=$SNI expect_version=TLSv1.2 expect_cipher=$GCM12_STD expect_established=true \
        -- -tls1_2 -cipher $GCM12
    wait_servers
}
cap_no_sni() {
    note "$1" "TLS 1.3; the client sends no server_name extension (-noservername). The certificate (CA-signed, tlstop.test) is encrypted in TLS 1.3."
    ossl_server "$2" server-ok 1 -tls1_3
    ossl_client "$1" "$2" server-ok sni=none target=no-sni findings=no-sni,not-pq expect_sni=null \
        expect_version=TLSv1.3 expect_group=x25519 expect_established=true -- -tls1_3
    wait_servers
}
cap_rsa1024() {
    note "$1" "TLS 1.2 ECDHE-RSA with a 1024-bit RSA server key (CA-signed with SHA-256). OpenSSL 3.0 needs DEFAULT@SECLEVEL=0 on both ends to load and accept the key."
    ossl_server "$2" rsa1024 1 -tls1_2 -cipher 'DEFAULT@SECLEVEL=0'
    ossl_client "$1" "$2" rsa1024 target=weak-rsa-key findings=weak-rsa-key,not-pq expect_verify_code=0 \
        expect_version=TLSv1.2 expect_cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 expect_established=true \
        -- -tls1_2 -cipher 'DEFAULT@SECLEVEL=0'
    wait_servers
}
cap_sha1_cert() {
    note "$1" "TLS 1.2 ECDHE-RSA; the RSA 2048 server certificate is signed by the CA with sha1WithRSAEncryption (the CA itself is SHA-256). @SECLEVEL=0 on both ends."
    ossl_server "$2" sha1 1 -tls1_2 -cipher "$GCM12:@SECLEVEL=0"
    ossl_client "$1" "$2" sha1 target=weak-signature findings=weak-signature,not-pq expect_verify_code=0 \
        expect_version=TLSv1.2 expect_cipher=$GCM12_STD expect_established=true \
        -- -tls1_2 -cipher "$GCM12:@SECLEVEL=0"
    wait_servers
}
EC_SUITE=ECDHE-ECDSA-AES128-GCM-SHA256
cap_ec_weak() {
    note "$1" "TLS 1.2 ECDHE-ECDSA with an ECDSA server certificate on $EC_CURVE (${EC_CURVE#P-}-bit key, CA-signed by the RSA CA with SHA-256). @SECLEVEL=0 on both ends; the client must list $EC_CURVE in supported_groups (-groups X25519:P-256:$EC_CURVE) or the server may not use the certificate. The ECDHE exchange itself is x25519."
    ossl_server "$2" "$EC_CERT" 1 -tls1_2 -cipher "$EC_SUITE:@SECLEVEL=0"
    ossl_client "$1" "$2" "$EC_CERT" target=weak-ec-key findings=weak-ec-key,not-pq expect_verify_code=0 \
        expect_version=TLSv1.2 expect_cipher=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 expect_group=x25519 \
        expect_established=true -- -tls1_2 -cipher "$EC_SUITE:@SECLEVEL=0" -groups "X25519:P-256:$EC_CURVE"
    wait_servers
}
THREEDES_PROV=()
cap_3des() {
    note "$1" "TLS 1.2 static RSA key exchange with 3DES-EDE-CBC and HMAC-SHA1 (DES-CBC3-SHA), @SECLEVEL=0 on both ends${THREEDES_PROV:+, with the legacy provider loaded}."
    ossl_server "$2" server-ok 1 "${THREEDES_PROV[@]}" -tls1_2 -cipher 'DES-CBC3-SHA@SECLEVEL=0'
    ossl_client "$1" "$2" server-ok target=3des findings=3des,cbc-mode,no-pfs,not-pq expect_pfs=false \
        expect_version=TLSv1.2 expect_cipher=TLS_RSA_WITH_3DES_EDE_CBC_SHA expect_group=null \
        expect_established=true -- "${THREEDES_PROV[@]}" -tls1_2 -cipher 'DES-CBC3-SHA@SECLEVEL=0'
    wait_servers
}
cap_null_cipher() {
    note "$1" "TLS 1.2 with NULL-SHA256 (TLS_RSA_WITH_NULL_SHA256): static RSA key exchange and no encryption at all, only HMAC-SHA256. The HTTP request and response after the handshake are readable in the capture (inside TLS application_data records)."
    ossl_server "$2" server-ok 1 -tls1_2 -cipher 'NULL-SHA256@SECLEVEL=0'
    ossl_client "$1" "$2" server-ok target=null-cipher findings=null-cipher,no-pfs,not-pq expect_pfs=false \
        expect_version=TLSv1.2 expect_cipher=TLS_RSA_WITH_NULL_SHA256 expect_group=null \
        expect_established=true -- -tls1_2 -cipher 'NULL-SHA256@SECLEVEL=0'
    wait_servers
}
cap_anon() {
    note "$1" "TLS 1.2 anonymous Diffie-Hellman: the server has no certificate (-nocert) and both ends allow only aNULL@SECLEVEL=0. OpenSSL picks TLS_DH_anon_WITH_AES_256_GCM_SHA384 with s_server's automatic 3072-bit DH prime (no Certificate message; the ServerKeyExchange is unsigned). The client's aNULL list also offers anonymous CBC, ECDH and NULL suites (e.g. TLS_ECDH_anon_WITH_NULL_SHA) that are not chosen, hence weak-offer."
    ossl_server "$2" none 1 -tls1_2 -cipher 'aNULL@SECLEVEL=0'
    ossl_client "$1" "$2" none target=anon-cipher findings=anon-cipher,weak-offer,not-pq expect_pfs=true \
        expect_version=TLSv1.2 expect_cipher=TLS_DH_anon_WITH_AES_256_GCM_SHA384 expect_group=null \
        expect_dh_bits=3072 expect_established=true -- -tls1_2 -cipher 'aNULL@SECLEVEL=0'
    wait_servers
}
cap_downgrade() {
    note "$1" "The client offers TLS 1.3 and 1.2 (supported_versions, OpenSSL defaults); the server is limited to TLS 1.2 (-tls1_2), so TLS 1.2 is negotiated. The server does not support TLS 1.3 at all, so it does not put the RFC 8446 downgrade sentinel (DOWNGRD) in its random: downgrade_sentinel is false."
    ossl_server "$2" server-ok 1 -tls1_2
    ossl_client "$1" "$2" server-ok target=version-downgrade findings=version-downgrade,not-pq \
        expect_version=TLSv1.2 expect_cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 expect_group=x25519 \
        expect_established=true --
    wait_servers
}
cap_weak_offer() {
    note "$1" "TLS 1.2; the client offers ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA:NULL-SHA256 at @SECLEVEL=0, the server (-serverpref) accepts only ECDHE-RSA-AES128-GCM-SHA256 and picks it. Which weak suites are really in the ClientHello depends on the OpenSSL build: see client_offer.ciphers (this build has no 3DES suites, so only TLS_RSA_WITH_NULL_SHA256 is the weak one)."
    ossl_server "$2" server-ok 1 -tls1_2 -cipher $GCM12 -serverpref
    ossl_client "$1" "$2" server-ok target=weak-offer findings=weak-offer,not-pq expect_version=TLSv1.2 \
        expect_cipher=$GCM12_STD expect_group=x25519 expect_established=true \
        -- -tls1_2 -cipher "$GCM12:DES-CBC3-SHA:NULL-SHA256:@SECLEVEL=0"
    wait_servers
}
cap_psk_ke() {
    note "$1" "Two TLS 1.3 connections, -allow_no_dhe_kex on both ends (so both ClientHellos offer psk_ke_modes psk_dhe_ke and psk_ke). 1: full handshake with secp256r1 (the server accepts only P-256), saving the session. 2: resumption whose ClientHello offers only an x25519 key share and x25519 in supported_groups. OpenSSL 3.0 servers always prefer psk_dhe_ke when they can use the client's key share (there is no -prefer_no_dhe_kex before 3.3), so the groups are made disjoint: with no common group the server resumes with psk_ke. The second ServerHello has pre_shared_key and NO key_share: no (EC)DHE, no forward secrecy."
    ossl_server "$2" server-ok 2 -tls1_3 -allow_no_dhe_kex -groups P-256
    ossl_client "$1" "$2" server-ok target= findings=not-pq expect_resumed=false expect_group=secp256r1 \
        expect_version=TLSv1.3 expect_established=true \
        -- -tls1_3 -allow_no_dhe_kex -groups P-256 -sess_out "$WORK/sess-psk-ke.pem"
    ossl_client "$1" "$2" server-ok target=no-pfs findings=no-pfs,not-pq expect_resumed=true expect_group=null \
        expect_pfs=false expect_sh_key_share=false expect_version=TLSv1.3 expect_established=true \
        -- -tls1_3 -allow_no_dhe_kex -groups X25519 -sess_in "$WORK/sess-psk-ke.pem"
    wait_servers
}
cap_psk_dhe_ke() {
    note "$1" "Two TLS 1.3 connections with OpenSSL defaults: a full x25519 handshake saving the session, then a resumption with the default psk_dhe_ke mode: the second ServerHello has both pre_shared_key and key_share (x25519), so forward secrecy is kept."
    ossl_server "$2" server-ok 2 -tls1_3
    ossl_client "$1" "$2" server-ok target= findings=not-pq expect_resumed=false expect_group=x25519 \
        expect_version=TLSv1.3 expect_established=true -- -tls1_3 -sess_out "$WORK/sess-psk-dhe.pem"
    ossl_client "$1" "$2" server-ok target= findings=not-pq expect_resumed=true expect_group=x25519 \
        expect_pfs=true expect_sh_key_share=true expect_version=TLSv1.3 expect_established=true \
        -- -tls1_3 -sess_in "$WORK/sess-psk-dhe.pem"
    wait_servers
}
cap_ffdhe() {
    note "$1" "TLS 1.3 with a finite-field group: -groups ffdhe2048 on both ends, so the key_share is ffdhe2048 (256-byte share). 2048 bits is not weak-dh."
    ossl_server "$2" server-ok 1 -tls1_3 -groups ffdhe2048
    ossl_client "$1" "$2" server-ok target= findings=not-pq expect_group=ffdhe2048 expect_dh_bits=2048 \
        expect_version=TLSv1.3 expect_established=true -- -tls1_3 -groups ffdhe2048
    wait_servers
}
cap_cbc_tls12() {
    note "$1" "TLS 1.2 ECDHE-RSA-AES128-SHA256: forward secret, but AES-128 in CBC mode with HMAC-SHA256."
    ossl_server "$2" server-ok 1 -tls1_2 -cipher ECDHE-RSA-AES128-SHA256
    ossl_client "$1" "$2" server-ok target=cbc-mode findings=cbc-mode,not-pq expect_pfs=true \
        expect_version=TLSv1.2 expect_cipher=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 expect_group=x25519 \
        expect_established=true -- -tls1_2 -cipher ECDHE-RSA-AES128-SHA256
    wait_servers
}

P() { echo $((BASE_PORT + $1)); }

run_capture policy-expired-cert.pcap   "$(P 1)"  cap_expired_cert
run_capture policy-not-yet-valid.pcap  "$(P 2)"  cap_not_yet_valid
run_capture policy-expiring-soon.pcap  "$(P 3)"  cap_expiring_soon
run_capture policy-self-signed.pcap    "$(P 4)"  cap_self_signed
run_capture policy-sni-mismatch.pcap   "$(P 5)"  cap_sni_mismatch
run_capture policy-no-sni.pcap         "$(P 6)"  cap_no_sni
run_capture policy-rsa1024.pcap        "$(P 7)"  cap_rsa1024
run_capture policy-sha1-cert.pcap      "$(P 8)"  cap_sha1_cert

# 9: weak EC key.  Prefer P-192; fall back to P-224 if OpenSSL cannot make or use it.
EC_DONE=""
for EC_CURVE in P-192 P-224; do
    EC_CERT="ec-p${EC_CURVE#P-}"
    ec_cert "$EC_CURVE" || continue
    if probe "$(P 9)" "$EC_CERT" "-tls1_2 -cipher $EC_SUITE:@SECLEVEL=0" \
        "-tls1_2 -cipher $EC_SUITE:@SECLEVEL=0 -groups X25519:P-256:$EC_CURVE"; then
        run_capture "policy-ec-p${EC_CURVE#P-}.pcap" "$(P 9)" cap_ec_weak
        EC_DONE=1; break
    fi
    log "a TLS 1.2 ECDHE-ECDSA handshake with a $EC_CURVE certificate failed (see $LOGS/server-$(P 9).log)"
done
[[ -n $EC_DONE ]] || skip policy-ec-p192.pcap "OpenSSL refused both secp192r1 and secp224r1 certificates"

# 10: 3DES.  Debian's OpenSSL 3.0 may not have the 3DES TLS suites at all.
if openssl ciphers 'DES-CBC3-SHA@SECLEVEL=0' >/dev/null 2>&1; then
    run_capture policy-3des.pcap "$(P 10)" cap_3des
elif openssl ciphers -provider legacy -provider default 'DES-CBC3-SHA@SECLEVEL=0' >/dev/null 2>&1; then
    THREEDES_PROV=(-provider legacy -provider default)
    run_capture policy-3des.pcap "$(P 10)" cap_3des
else
    skip policy-3des.pcap "$(openssl version | cut -d' ' -f1-2) has no DES-CBC3-SHA suite ('openssl ciphers DES-CBC3-SHA@SECLEVEL=0' says 'no cipher match', also with -provider legacy -provider default)"
fi

run_capture policy-null-cipher.pcap    "$(P 11)" cap_null_cipher
run_capture policy-anon.pcap           "$(P 12)" cap_anon
run_capture policy-downgrade.pcap      "$(P 13)" cap_downgrade
run_capture policy-weak-offer.pcap     "$(P 14)" cap_weak_offer
run_capture policy-psk-ke.pcap         "$(P 15)" cap_psk_ke
run_capture policy-psk-dhe-ke.pcap     "$(P 16)" cap_psk_dhe_ke
run_capture policy-ffdhe.pcap          "$(P 17)" cap_ffdhe
run_capture policy-cbc-tls12.pcap      "$(P 18)" cap_cbc_tls12

# --------------------------------------------------------------------------
# manifest: derive from s_client's own output and the certificates,
# cross-check with tshark
# --------------------------------------------------------------------------
openssl ciphers -stdname -V 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' >"$WORK/openssl-ciphers.txt"
# certificate facts, as `openssl x509 -noout -text` prints them
for c in "$CERT_DIR"/*.pem; do
    openssl x509 -in "$c" -noout -text >"$WORK/$(basename "$c" .pem).x509.txt"
    if openssl verify -no_check_time -auth_level 0 -check_ss_sig -CAfile "$c" "$c" >/dev/null 2>&1; then
        echo true >"$WORK/$(basename "$c" .pem).selfsig"
    else
        echo false >"$WORK/$(basename "$c" .pem).selfsig"
    fi
done
{
    printf 'openssl\t%s\n' "$(openssl version | cut -d' ' -f1-2)"
    printf 'tshark\t%s\n' "$(tshark --version 2>/dev/null | head -n1)"
} >"$WORK/versions.tsv"

log "building fixtures-policy.json (s_client reports and certificates vs tshark)"
# The builder uses fail, read_plan, the tshark / s_client helpers and the name
# tables of FX_PY_HELPERS in lib/fixture-common.sh without defining them.
fx_python python3 "$PLAN" "$STAGE" "$WORK/openssl-ciphers.txt" "$WORK/versions.tsv" "$WORK" "$HERE" \
    "$WORK/fixtures-policy.json" <<'PY'
import base64, collections, datetime, hashlib, json, os, re, sys

plan_path, stage, ossl_ciphers, versions_path, work, here, out_path = sys.argv[1:8]


# ---- name tables ----------------------------------------------------------
CODE2STD, NAME2CODE, PROPS = read_openssl_ciphers(ossl_ciphers)
CODE2STD.setdefault(0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
CODE2STD.setdefault(0x5600, "TLS_FALLBACK_SCSV")
# what this OpenSSL lacks, the manifest's weak-offer rule still needs to know
NAME2CODE.setdefault("TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x000A)

VERSIONS_TXT = dict(l.rstrip("\n").split("\t", 1) for l in open(versions_path))

GROUP_CODES.update({19: "secp192r1", 21: "secp224r1"})
PQ_GROUPS = {0x0200, 0x0201, 0x0202, 0x11EB, 0x11EC, 0x11ED, 0x11EE, 0x4138, 0x6399, 0x639A,
             0xFE30, 0xFE31, 0xFE32}
WIRE_VERSIONS.update({0x0300: "SSLv3"})
PSK_MODES = {0: "psk_ke", 1: "psk_dhe_ke"}
ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
          42: "bad_certificate", 45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter",
          48: "unknown_ca", 50: "decode_error", 51: "decrypt_error", 70: "protocol_version",
          71: "insufficient_security", 80: "internal_error", 86: "inappropriate_fallback",
          109: "missing_extension", 112: "unrecognized_name", 116: "certificate_required"}
DOWNGRADE_SENTINELS = ("444f574e47524401", "444f574e47524400")  # "DOWNGRD" + 01 (TLS 1.2) / 00 (<= 1.1)
ALL_FINDINGS = ["sslv3", "tls10", "tls11", "null-cipher", "anon-cipher", "3des", "cbc-mode", "no-pfs",
                "weak-dh", "weak-rsa-key", "weak-ec-key", "weak-signature", "cert-expired",
                "cert-not-yet-valid", "cert-expiring-soon", "self-signed", "sni-mismatch", "no-sni",
                "not-pq", "version-downgrade", "weak-offer"]
EXPIRING_SOON_DAYS = 30


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- plan -------------------------------------------------------------------
order, notes, plan = read_plan(plan_path, unordered=("skip", "info"))
conns = plan["conn"]
skips = {pcap: recs[-1]["text"] for pcap, recs in plan["skip"].items()}
info = {rec["key"]: rec["value"] for rec in plan["info"][None]}


# ---- capture files ----------------------------------------------------------
def capture_info(path):
    data = open(path, "rb").read()
    lt, unit, recs, end = pcap_records(path, data)
    if end != len(data) or not recs:
        fail(f"{path}: truncated or empty")
    return lt & 0xFFFF, len(recs), recs[0][0] + recs[0][1] * unit


# ---- certificates -----------------------------------------------------------
def cert_facts(pem_path):
    name = os.path.basename(pem_path)[:-4]
    text = open(os.path.join(work, name + ".x509.txt")).read()
    selfsig = open(os.path.join(work, name + ".selfsig")).read().strip() == "true"

    def one(rx):
        m = re.search(rx, text, re.M)
        if not m:
            fail(f"{name}: `openssl x509 -text` lacks {rx!r}")
        return m[1].strip()

    parse = lambda s: datetime.datetime.strptime(s, "%b %d %H:%M:%S %Y GMT").replace(tzinfo=datetime.timezone.utc)
    nb, na = parse(one(r"Not Before\s*:\s*(.+)$")), parse(one(r"Not After\s*:\s*(.+)$"))
    alg = one(r"Public Key Algorithm:\s*(\S+)")
    key_type = {"rsaEncryption": "RSA", "id-ecPublicKey": "EC"}.get(alg, alg)
    bits = int(one(r"Public-Key:\s*\((\d+) bit\)"))
    curve = None
    if key_type == "EC":
        m = re.search(r"NIST CURVE:\s*(\S+)", text)
        curve = m[1] if m else one(r"ASN1 OID:\s*(\S+)")
    subject = one(r"^\s*Subject:\s*(.*)$")
    issuer = one(r"^\s*Issuer:\s*(.*)$")
    san = re.search(r"X509v3 Subject Alternative Name:.*\n\s*(.+)$", text, re.M)
    sans = [s.strip()[4:] for s in san[1].split(",") if s.strip().startswith("DNS:")] if san else []
    serial = one(r"Serial Number:\s*\n?\s*(\d+ \(0x[0-9a-fA-F]+\)|[0-9a-fA-F:]+)")
    m = re.match(r"\d+ \(0x([0-9a-f]+)\)", serial)
    serial = (m[1] if m else serial.replace(":", "")).upper()
    pem = open(pem_path).read()
    der = base64.b64decode("".join(pem.split("-----")[2].split()))
    return collections.OrderedDict([
        ("file", os.path.relpath(pem_path, here)),
        ("subject", subject), ("issuer", issuer), ("serial", serial), ("san_dns", sans),
        ("not_before", iso(nb)), ("not_after", iso(na)),
        ("key_type", key_type), ("key_bits", bits), ("curve", curve),
        ("signature_algorithm", one(r"^\s*Signature Algorithm:\s*(\S+)")),
        ("self_signed", subject == issuer and selfsig),
        ("sha256", hashlib.sha256(der).hexdigest()),
    ]), der, nb, na


# ---- tshark -----------------------------------------------------------------
FIELDS = ["frame.number", "tcp.stream", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport",
          "tls.record.content_type", "tls.record.opaque_type", "tls.handshake.type",
          "tls.handshake.version", "tls.handshake.extensions.supported_version",
          "tls.handshake.ciphersuite", "tls.handshake.extensions_key_share_group",
          "tls.handshake.extensions_supported_group",
          "tls.handshake.server_named_curve", "tls.handshake.p_len", "tls.handshake.extension.type",
          "tls.handshake.extensions_server_name", "tls.extension.psk_ke_mode",
          "tls.alert_message.desc", "tls.handshake.random", "tls.handshake.certificate"]


def hexbytes(s):
    return bytes.fromhex(s.replace(":", ""))


def tshark_view(rows, server_port):
    srv, cli = directions(rows, server_port)
    if not srv or not cli:
        fail(f"stream without both directions on port {server_port}")
    first = cli[0]
    v = {"client_port": int(first["tcp.srcport"][0]), "client_ip": first["ip.src"][0],
         "server_ip": first["ip.dst"][0]}
    ch, real, v["hrr"] = hellos(srv, cli)
    v["client_hellos"] = len(ch)
    if not ch:
        fail("no ClientHello")
    c = ch[0]
    v["sni"] = c["tls.handshake.extensions_server_name"][0] if c["tls.handshake.extensions_server_name"] else None
    offered_versions = ints([c], "tls.handshake.extensions.supported_version") or ints([c], "tls.handshake.version")[:1]
    v["offer"] = collections.OrderedDict([
        ("versions", [WIRE_VERSIONS.get(x, hex(x)) for x in offered_versions]),
        ("max_version_code", max(x for x in offered_versions if x in WIRE_VERSIONS)),
        ("cipher_codes", ints([c], "tls.handshake.ciphersuite")),
        ("groups", [GROUP_CODES.get(x, hex(x)) for x in ints([c], "tls.handshake.extensions_supported_group")]),
        ("key_share_groups", [GROUP_CODES.get(x, hex(x)) for x in ints([c], "tls.handshake.extensions_key_share_group")]),
        ("psk_ke_modes", [PSK_MODES.get(x, str(x)) for x in ints([c], "tls.extension.psk_ke_mode")]),
        ("pre_shared_key", 41 in ints([c], "tls.handshake.extension.type")),
    ])
    # close_notify is only readable with the NULL cipher (everything else encrypts it): not an error
    alerts = [a for a in ints(rows, "tls.alert_message.desc") if a != 0]
    v["close_notify_visible"] = 0 in ints(rows, "tls.alert_message.desc")
    v["alert"] = ALERTS.get(alerts[0], str(alerts[0])) if alerts else None
    v["version"] = v["cipher_code"] = v["group_code"] = v["group"] = v["dh_bits"] = None
    v["resumed"] = v["sh_key_share"] = v["sh_psk"] = v["sentinel"] = False
    v["certs"] = [hexbytes(x) for r in srv for x in r["tls.handshake.certificate"]]
    v["ske"] = False
    if real:
        s = real[-1]
        v["version"] = hello_version(s)
        v["cipher_code"] = ints([s], "tls.handshake.ciphersuite")[0]
        rnd = s["tls.handshake.random"][0].replace(":", "").lower()
        v["sentinel"] = rnd[-16:] in DOWNGRADE_SENTINELS
        types = set(ints(srv, "tls.handshake.type"))
        v["ske"] = 12 in types
        if v["version"] == "TLSv1.3":
            ext = ints([s], "tls.handshake.extension.type")
            v["sh_key_share"] = 51 in ext
            v["sh_psk"] = 41 in ext
            ks = ints([s], "tls.handshake.extensions_key_share_group")
            if ks:
                v["group_code"] = ks[0]
                v["group"] = GROUP_CODES.get(ks[0], str(ks[0]))
                if v["group"].startswith("ffdhe"):
                    v["dh_bits"] = int(v["group"][5:])
            v["resumed"] = v["sh_psk"]
        else:
            nc = ints(srv, "tls.handshake.server_named_curve")
            if nc:
                v["group_code"] = nc[0]
                v["group"] = GROUP_CODES.get(nc[0], str(nc[0]))
            pl = ints(srv, "tls.handshake.p_len")
            v["dh_bits"] = pl[0] * 8 if pl else None
            # every full TLS 1.2 handshake has a ServerHelloDone (even without a Certificate)
            v["resumed"] = 14 not in types
    appdata_c = 23 in ints(cli, "tls.record.content_type") + ints(cli, "tls.record.opaque_type")
    appdata_s = 23 in ints(srv, "tls.record.content_type") + ints(srv, "tls.record.opaque_type")
    v["established"] = bool(real) and not alerts and appdata_c and appdata_s
    return v


# ---- s_client output --------------------------------------------------------
def parse_openssl(text, rc):
    r = {"source": "openssl s_client", "client": f"openssl s_client ({VERSIONS_TXT['openssl']})"}
    m = re.search(r"^(New|Reused), (\S+), Cipher is (\S+)", text, re.M)
    r["established"] = bool(m) and m[2] != "(NONE)" and rc == 0
    r["version"] = r["cipher"] = r["group"] = r["dh_bits"] = None
    r["resumed"] = r["temp_key"] = False
    if r["established"]:
        r["resumed"] = m[1] == "Reused"
        r["version"], r["cipher"] = openssl_session(text, m)
        tk = re.search(r"^Server Temp Key: (.+)$", text, re.M)
        if tk:
            r["temp_key"] = True
            r["group"], r["dh_bits"] = openssl_temp_key(tk[1], r["version"])
    r["hrr"] = len(re.findall(r"^<<< .*, ServerHello$", text, re.M)) >= 2
    vr = re.findall(r"^\s*Verify return code: (\d+) \((.*)\)$", text, re.M)
    r["verify"] = {"code": int(vr[-1][0]), "text": vr[-1][1]} if vr else None
    al = re.search(r"^<<< .*Alert \[length [0-9a-f]+\], fatal (\S+)", text, re.M)
    r["alert"] = al[1] if al else None
    return r


# ---- findings ---------------------------------------------------------------
def is_weak_suite(code):
    p = PROPS.get(code)
    name = CODE2STD.get(code, "")
    if p is None:
        return any(x in name for x in ("_NULL_", "_anon_", "_EXPORT", "_RC4_", "_DES_", "3DES"))
    return (p["enc"] == "None" or p["au"] == "None" or p["enc"].startswith(("3DES", "DES", "RC4"))
            or "EXPORT" in name)


def dns_match(pattern, host):
    pattern, host = pattern.lower(), host.lower()
    if pattern.startswith("*."):
        return "." in host and host.split(".", 1)[1] == pattern[2:]
    return pattern == host


def derive_findings(e, tv, cert, nb, na, cap_time):
    f = set()
    ver = e["version"]
    f |= {"SSLv3": {"sslv3"}, "TLSv1.0": {"tls10"}, "TLSv1.1": {"tls11"}}.get(ver, set())
    code = tv["cipher_code"]
    p = PROPS.get(code, {})
    if ver != "TLSv1.3" and p:
        if p["enc"] == "None":
            f.add("null-cipher")
        if p["au"] == "None":
            f.add("anon-cipher")
        if p["enc"].startswith("3DES"):
            f.add("3des")
        if "_CBC_" in e["cipher"]:
            f.add("cbc-mode")
    if not e["pfs"]:
        f.add("no-pfs")
    if e["dh_bits"] is not None and e["dh_bits"] < 2048:
        f.add("weak-dh")
    if cert is not None and e["cert_on_wire"]:
        if cert["key_type"] == "RSA" and cert["key_bits"] < 2048:
            f.add("weak-rsa-key")
        if cert["key_type"] == "EC" and cert["key_bits"] < 256:
            f.add("weak-ec-key")
        if re.match(r"(sha1|md5|md2|md4)", cert["signature_algorithm"], re.I):
            f.add("weak-signature")
        if cap_time > na:
            f.add("cert-expired")
        if cap_time < nb:
            f.add("cert-not-yet-valid")
        if nb <= cap_time <= na and (na - cap_time) <= datetime.timedelta(days=EXPIRING_SOON_DAYS):
            f.add("cert-expiring-soon")
        if cert["self_signed"]:
            f.add("self-signed")
        if e["sni"] and not any(dns_match(n, e["sni"]) for n in cert["san_dns"]):
            f.add("sni-mismatch")
    if e["sni"] is None:
        f.add("no-sni")
    if e["established"] and tv["group_code"] not in PQ_GROUPS:
        f.add("not-pq")
    if tv["offer"]["max_version_code"] > {v: k for k, v in WIRE_VERSIONS.items()}[ver]:
        f.add("version-downgrade")
    if any(is_weak_suite(c) and c != code for c in tv["offer"]["cipher_codes"]):
        f.add("weak-offer")
    return [x for x in ALL_FINDINGS if x in f]


# ---- build ------------------------------------------------------------------
manifest = collections.OrderedDict()
checked = 0
for pcap in order:
    path = os.path.join(stage, pcap)
    lt, npk, first_ts = capture_info(path)
    cap_dt = datetime.datetime.fromtimestamp(int(first_ts), datetime.timezone.utc)
    recs = conns[pcap]
    port = int(recs[0]["server_port"])
    streams = tshark_tcp_streams(path, FIELDS, [(port, "tls")])
    if len(streams) != len(recs):
        fail(f"{pcap}: tshark sees {len(streams)} TCP connections, the script made {len(recs)}")
    out_conns = []
    for i, (rec, rows) in enumerate(zip(recs, streams)):
        where = f"{pcap} connection #{i + 1}"
        c = parse_openssl(open(rec["log"], errors="replace").read(), int(rec["rc"]))
        tv = tshark_view(rows, port)
        cert = der = nb = na = None
        if rec["cert_file"]:
            cert, der, nb, na = cert_facts(rec["cert_file"])
        e = collections.OrderedDict()
        e["server_port"] = port
        e["client_port"] = tv["client_port"]
        e["server_ip"] = tv["server_ip"]
        e["client_ip"] = tv["client_ip"]
        e["protocol"] = "tls"
        e["version"] = c["version"]
        e["cipher"] = c["cipher"]
        e["group"] = c["group"]
        e["dh_bits"] = c["dh_bits"]
        e["sni"] = rec["sni_sent"] or None
        e["alpn"] = None
        e["resumed"] = c["resumed"]
        e["established"] = c["established"]
        e["hello_retry_request"] = tv["hrr"]
        e["alert"] = c["alert"] if c["alert"] else tv["alert"]
        # forward secrecy: an ephemeral (EC)DH share from the server in this handshake
        e["pfs"] = c["temp_key"]
        e["cert_on_wire"] = bool(tv["certs"])
        e["expected_findings"] = []
        e["target_findings"] = [x for x in rec.get("target", "").split(",") if x]
        e["cert"] = cert
        e["client_offer"] = collections.OrderedDict([
            ("versions", tv["offer"]["versions"]),
            ("ciphers", [CODE2STD.get(x, f"0x{x:04X}") for x in tv["offer"]["cipher_codes"]]),
            ("groups", tv["offer"]["groups"]),
            ("key_share_groups", tv["offer"]["key_share_groups"]),
            ("psk_ke_modes", tv["offer"]["psk_ke_modes"]),
            ("pre_shared_key", tv["offer"]["pre_shared_key"]),
        ])
        e["server_hello"] = collections.OrderedDict([
            ("key_share", tv["sh_key_share"]), ("pre_shared_key", tv["sh_psk"]),
            ("server_key_exchange", tv["ske"]), ("downgrade_sentinel", tv["sentinel"]),
        ])
        e["client_verify"] = c["verify"]
        e["client"] = c["client"]
        e["server"] = f"openssl s_server ({VERSIONS_TXT['openssl']})"
        e["source"] = "openssl s_client; certificate facts from openssl x509 -noout -text"
        # --- the client's report against tshark's dissection
        wire_pfs = tv["ske"] if c["version"] != "TLSv1.3" else tv["sh_key_share"]
        checks = {
            "version": (c["version"], tv["version"]),
            "cipher": (NAME2CODE[c["cipher"]] if c["cipher"] else None, tv["cipher_code"]),
            "group": (c["group"], tv["group"]),
            "dh_bits": (c["dh_bits"], tv["dh_bits"]),
            "resumed": (c["resumed"], tv["resumed"]),
            "established": (c["established"], tv["established"]),
            "sni": (e["sni"], tv["sni"]),
            "hello_retry_request": (c["hrr"], tv["hrr"]),
            "pfs": (c["temp_key"], wire_pfs),
            "alert": (c["alert"], tv["alert"]),
        }
        if tv["client_hellos"] != (2 if tv["hrr"] else 1):
            fail(f"{where}: {tv['client_hellos']} ClientHellos")
        for k, (mine, theirs) in checks.items():
            if mine != theirs:
                fail(f"{where}: {k}: s_client reports {mine!r} but tshark decodes {theirs!r}")
        # --- the certificate on the wire must be the one the manifest describes
        if tv["certs"]:
            if c["version"] == "TLSv1.3":
                fail(f"{where}: a TLS 1.3 certificate should not be visible")
            if der is None or tv["certs"][0] != der:
                fail(f"{where}: the certificate on the wire is not {rec['cert_file']}")
            if len(tv["certs"]) != 1:
                fail(f"{where}: expected the leaf alone, got {len(tv['certs'])} certificates")
        elif der is not None and c["version"] == "TLSv1.2" and not c["resumed"]:
            fail(f"{where}: TLS 1.2 full handshake without a visible certificate")
        e["expected_findings"] = derive_findings(e, tv, cert, nb, na, cap_dt)
        # --- the scenario must be what the script asked for
        want = sorted(x for x in rec.get("findings", "").split(",") if x)
        if sorted(e["expected_findings"]) != want:
            fail(f"{where}: derived findings {e['expected_findings']} != scenario's {want}")
        if not set(e["target_findings"]) <= set(e["expected_findings"]):
            fail(f"{where}: target {e['target_findings']} not among {e['expected_findings']}")
        for k, wantv in rec.items():
            if not k.startswith("expect_"):
                continue
            key = k[len("expect_"):]
            if key == "verify_code":
                got = c["verify"]["code"] if c["verify"] else None
            elif key == "sh_key_share":
                got = tv["sh_key_share"]
            else:
                got = e.get(key)
            if got != convert(wantv):
                fail(f"{where}: expected {key}={wantv!r}, got {got!r}")
        out_conns.append(e)
        checked += 1
    entry = collections.OrderedDict(
        [("link_type", lt), ("link_type_name", LINKTYPE_NAMES.get(lt, str(lt))), ("format", "pcap"),
         ("packets", npk), ("bytes", os.path.getsize(path)), ("capture_time", iso(cap_dt)),
         ("connections", out_conns), ("notes", notes.get(pcap, ""))])
    if lt != 1:
        fail(f"{pcap}: link type {lt}, expected 1 (Ethernet)")
    if pcap == "policy-expiring-soon.pcap":
        cert = out_conns[0]["cert"]
        na = datetime.datetime.strptime(cert["not_after"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        left = (na - cap_dt).total_seconds()
        if not (9 * 86400 < left <= 10 * 86400):
            fail(f"{pcap}: notAfter is {left} s after the capture, expected just under 10 days")
        entry["cert_not_after"] = cert["not_after"]
        entry["cert_issued_at"] = info["expiring_issued_at"]
        entry["seconds_to_expiry_at_capture"] = int(left)
    manifest[pcap] = entry

with open(out_path, "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
with open(os.path.join(work, "skipped.txt"), "w") as f:
    for k, v in skips.items():
        f.write(f"{k}\t{v}\n")
print(f"[make-policy-fixtures] manifest: {len(manifest)} files, {checked} connections cross-checked", file=sys.stderr)
for name, m in manifest.items():
    for c in m["connections"]:
        print(f"  {name:28s} {c['version'] or '-':7s} {c['cipher'] or '-':40s} {str(c['group']):10s} "
              f"sni={c['sni']} resumed={c['resumed']} pfs={c['pfs']} -> {','.join(c['expected_findings'])}",
              file=sys.stderr)
PY

# --------------------------------------------------------------------------
# install the results (only this script's policy-* captures are replaced)
# --------------------------------------------------------------------------
fx_check_size 500000 captures "$STAGE"/*
rm -f "$PCAP_DIR"/policy-*.pcap
fx_install_captures "$STAGE"/policy-*.pcap
fx_install_manifest "$WORK/fixtures-policy.json"

log "done: $(ls "$PCAP_DIR"/policy-*.pcap | wc -l) policy captures in $PCAP_DIR"
fx_list_captures 32 "$PCAP_DIR"/policy-*.pcap
while IFS=$'\t' read -r f why; do log "skipped $f: $why"; done <"$WORK/skipped.txt"
