#!/usr/bin/env bash
# Regenerate tlstop's STARTTLS packet-capture fixtures: REAL clients (curl,
# openssl s_client, psql) doing in-band TLS upgrades over loopback against
# small scripted responders (responders/starttls_responder.py, which upgrade
# with Python's ssl module, i.e. with OpenSSL) or a real PostgreSQL server,
# plus two captures where the upgrade does not happen (refused / abandoned).
# Writes pcaps/starttls-*.pcap and fixtures-starttls.json.
#
# The manifest comes from what the client reports (s_client's Protocol /
# Cipher / Server Temp Key, curl -v, psql \conninfo) and from the server's own
# view (the responder's ssl-module report, PostgreSQL's pg_stat_ssl), and is
# cross-checked against tshark's dissection of the capture: the cleartext
# phase (advertisement, request, reply) and the TLS handshake that follows.
# Any disagreement aborts the run.
#
# Usage (as root, on Debian 12 or similar):   sudo Tests/Fixtures/make-starttls-fixtures.sh
#
# Environment:
#   BASE_PORT     ports BASE_PORT+1 .. BASE_PORT+22 are used   (default 44400)
#   KEEP_WORK=1   keep the temporary work directory (logs) for debugging
#
# Reuses certs/ca.pem and certs/server-rsa.{pem,key} (made by make-fixtures.sh).
# Captures and the manifest are built in a temporary directory and only copied
# into place after every check passed.  See README.md ("STARTTLS captures").

set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/fixture-common.sh
. "$HERE/lib/fixture-common.sh"
fx_init make-starttls-fixtures "tcpdump needs to open the loopback interface"

PCAP_DIR="$HERE/pcaps"
CERT_DIR="$HERE/certs"
RESPONDERS="$HERE/responders"
MANIFEST="$HERE/fixtures-starttls.json"
BASE_PORT="${BASE_PORT:-44400}"
SNI="tlstop.test"
AUTH_USER="tlstopuser"
AUTH_PASS="S3cretTestPassw0rd"
LO4=127.0.0.1


PG_PID=""
# on exit, PostgreSQL goes first, with a fast shutdown (SIGINT) so its children go too
pg_kill() {
    local i
    if [[ -n $PG_PID ]] && kill -0 "$PG_PID" 2>/dev/null; then
        kill -INT "$PG_PID" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$PG_PID" 2>/dev/null || true
        wait "$PG_PID" 2>/dev/null || true
        forget_pid "$PG_PID"
    fi
}
FX_CLEANUP_FIRST=pg_kill

# --------------------------------------------------------------------------
# prerequisites
# --------------------------------------------------------------------------
pg_bindir() { # newest installed PostgreSQL server
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    [[ -n $d && -x $d/postgres && -x $d/initdb ]] && printf '%s\n' "$d"
}

ensure_deps() {
    local extra=()
    pg_bindir >/dev/null || extra=(postgresql)
    # --no-services: do not let the postgresql package start the distribution's
    # cluster on port 5432: we only run a private server on loopback.
    fx_ensure_deps --no-services tcpdump=tcpdump openssl=openssl curl=curl python3=python3 \
        tshark=tshark psql=postgresql-client setpriv=util-linux timeout=coreutils -- "${extra[@]}"
    pg_bindir >/dev/null || die "still missing after apt-get: PostgreSQL server binaries"
}
ensure_deps
PG_BIN="$(pg_bindir)"
id postgres >/dev/null 2>&1 || die "no 'postgres' user (the postgresql package creates it)"

for f in ca.pem server-rsa.pem server-rsa.key; do
    [[ -s $CERT_DIR/$f ]] || die "missing $CERT_DIR/$f: run make-fixtures.sh first (it creates the test certificates)"
done
openssl verify -CAfile "$CERT_DIR/ca.pem" "$CERT_DIR/server-rsa.pem" >/dev/null ||
    die "certs/server-rsa.pem does not verify against certs/ca.pem"
openssl x509 -in "$CERT_DIR/server-rsa.pem" -noout -checkend 86400 >/dev/null ||
    die "certs/server-rsa.pem has expired: regenerate with REGEN_CERTS=1 make-fixtures.sh"

fx_make_work tlstop-starttls   # mode 755: the postgres user needs to reach $WORK/pg
# the message curl uploads over SMTP
printf 'From: a@tlstop.test\r\nTo: b@tlstop.test\r\nSubject: tlstop fixture\r\n\r\ntlstop fixture\r\n' >"$WORK/small.eml"

# --------------------------------------------------------------------------
# helpers: responders, clients (plan records, port checks and capture
# start/stop are in lib/fixture-common.sh)
# --------------------------------------------------------------------------
# responder PORT PROTO [responder args...]   -- report in $LOGS/report-PORT.jsonl
responder() {
    local port=$1 proto=$2; shift 2
    rm -f "$LOGS/report-$port.jsonl"
    timeout 60 python3 "$RESPONDERS/starttls_responder.py" --proto "$proto" --port "$port" \
        --cert "$CERT_DIR/server-rsa.pem" --key "$CERT_DIR/server-rsa.key" \
        --report "$LOGS/report-$port.jsonl" "$@" >"$LOGS/responder-$port.log" 2>&1 &
    track_server $! "$port"
}
# unlike s_server, a responder must also exit 0 (it fails on a dialogue it did not expect)
wait_servers() { fx_wait_servers responder "$LOGS/responder-*.log"; }

# curl_client PCAP PORT PROTO URL [meta key=value ...] -- [curl args...]
curl_client() {
    local pcap=$1 port=$2 proto=$3 url=$4; shift 4
    local meta=() rc=0 n=$((++CONN_SEQ))
    while (($#)) && [[ $1 != -- ]]; do meta+=("$1"); shift; done
    (($#)) && shift
    local log="$LOGS/conn-$n-curl.log"
    (cd "$WORK" && timeout 30 curl -sS -v --max-time 20 -o "$WORK/body-$n" "$@" "$url") >"$log" 2>&1 || rc=$?
    ((rc != 124)) || die "curl timed out (connection $n, $pcap)"
    plan_add kind=conn "pcap=$pcap" tool=curl "log=$log" "rc=$rc" "server_port=$port" "proto=$proto" \
        "report=$LOGS/report-$port.jsonl" "cmd=curl $* $url" "${meta[@]}"
}

# ossl_client PCAP PORT PROTO [meta key=value ...]
# The client sends one protocol command inside TLS (so both directions carry
# application data), e.g. SMTP "quit"; the responder answers and closes.
# -nocommands: a line starting with Q/R/k/K is sent as data, not obeyed.
ossl_client() {
    local pcap=$1 port=$2 proto=$3; shift 3
    local rc=0 n=$((++CONN_SEQ)) extra=() input
    local log="$LOGS/conn-$n-s_client.log"
    case $proto in
        smtp | pop3 | ftp) input='quit\n' ;;
        imap) input='a1 LOGOUT\n' ;;
        xmpp) input='</stream:stream>\n'; extra=(-xmpphost "$SNI") ;;
        irc) input='QUIT :bye\n' ;;
        ldap) input='\x30\x05\x02\x01\x02\x42\x00' ;; # LDAPMessage 2: UnbindRequest
        postgres) # StartupMessage (length 36, protocol 3.0) user=tlstopuser database=x; refused
            input='\x00\x00\x00\x24\x00\x03\x00\x00user\x00tlstopuser\x00database\x00x\x00\x00' ;;
        mysql) # HandshakeResponse41 (seq 2, 44 bytes): user tlstopuser, empty auth; refused
            input='\x2c\x00\x00\x02\x05\xaa\x00\x00\x00\x00\x00\x01\x21\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00tlstopuser\x00\x00' ;;
    esac
    { printf "$input"; sleep 1; } | timeout 30 openssl s_client -connect "$LO4:$port" -starttls "$proto" \
        -servername "$SNI" "${extra[@]}" -CAfile "$CERT_DIR/ca.pem" -crlf -nocommands >"$log" 2>&1 || rc=$?
    ((rc != 124)) || die "s_client timed out (connection $n, $pcap)"
    plan_add kind=conn "pcap=$pcap" tool=openssl "log=$log" "rc=$rc" "server_port=$port" "proto=$proto" \
        "report=$LOGS/report-$port.jsonl" \
        "cmd=openssl s_client -connect $LO4:$port -starttls $proto -servername $SNI ${extra[*]} -CAfile certs/ca.pem -crlf -nocommands" "$@"
}

# --------------------------------------------------------------------------
# a private PostgreSQL server (real server, not a responder)
# --------------------------------------------------------------------------
PG_DIR=""
pg_start() { # port
    local port=$1 i
    PG_DIR="$WORK/pg"
    install -d -o postgres -g postgres -m 700 "$PG_DIR" "$PG_DIR/sock"
    # the server refuses a key file that is group/world readable or not its own
    install -o postgres -g postgres -m 600 "$CERT_DIR/server-rsa.key" "$PG_DIR/server.key"
    install -o postgres -g postgres -m 644 "$CERT_DIR/server-rsa.pem" "$PG_DIR/server.crt"
    setpriv --reuid postgres --regid postgres --init-groups -- "$PG_BIN/initdb" -D "$PG_DIR/data" \
        -U postgres -E UTF8 --locale=C --auth-local=trust --auth-host=reject --no-instructions \
        >"$LOGS/pg-initdb.log" 2>&1 || die "initdb failed: $(tail -n 5 "$LOGS/pg-initdb.log")"
    cat >"$PG_DIR/data/pg_hba.conf" <<EOF
# tlstop fixture: TLS-only, password (SCRAM) login for one user and database
local   all  postgres                 trust
hostssl x    $AUTH_USER 127.0.0.1/32  scram-sha-256
host    all  all        0.0.0.0/0     reject
EOF
    fx_port_free "$port"
    setpriv --reuid postgres --regid postgres --init-groups -- "$PG_BIN/postgres" -D "$PG_DIR/data" \
        -p "$port" -c listen_addresses=$LO4 -c unix_socket_directories="$PG_DIR/sock" \
        -c ssl=on -c ssl_cert_file="$PG_DIR/server.crt" -c ssl_key_file="$PG_DIR/server.key" \
        -c log_connections=on -c fsync=off -c max_connections=10 \
        >"$LOGS/pg-server.log" 2>&1 &
    PG_PID=$!
    BG_PIDS+=("$PG_PID")
    wait_listen "$port" "$PG_PID"
    for ((i = 0; i < 100; i++)); do
        psql -X -q -h "$PG_DIR/sock" -p "$port" -U postgres -d postgres -c 'SELECT 1' >/dev/null 2>&1 && break
        sleep 0.1
    done
    # set-up over the Unix socket: not on the captured TCP port
    psql -X -q -h "$PG_DIR/sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE $AUTH_USER LOGIN PASSWORD '$AUTH_PASS'" -c "CREATE DATABASE x OWNER $AUTH_USER" \
        >"$LOGS/pg-setup.log" 2>&1 || die "PostgreSQL set-up failed: $(cat "$LOGS/pg-setup.log")"
    psql -X -A -t -h "$PG_DIR/sock" -p "$port" -U postgres -d postgres \
        -c 'SHOW ssl_ecdh_curve' -c 'SHOW ssl_min_protocol_version' -c 'SELECT version()' >"$LOGS/pg-settings.txt"
}
pg_stop() {
    local rc=0
    kill -INT "$PG_PID" 2>/dev/null || true
    wait "$PG_PID" || rc=$?
    forget_pid "$PG_PID"; PG_PID=""
    ((rc == 0)) || log "warning: postgres exited with $rc"
}

# --------------------------------------------------------------------------
# the captures
# --------------------------------------------------------------------------
P_SMTP_CURL=$((BASE_PORT + 1))
P_IMAP_CURL=$((BASE_PORT + 2))
P_POP3_CURL=$((BASE_PORT + 3))
P_FTP_CURL=$((BASE_PORT + 4))
P_FTP_DATA=$((BASE_PORT + 5))
P_OSSL_BASE=$((BASE_PORT + 10))   # +1 smtp ... +9 mysql
P_PSQL=$((BASE_PORT + 20))
P_REFUSED=$((BASE_PORT + 21))
P_NEVER=$((BASE_PORT + 22))

cap_smtp_curl() {
    note "$1" "curl --ssl-reqd sends an e-mail over SMTP: EHLO (STARTTLS advertised), STARTTLS, '220 Ready to start TLS', TLS handshake, then EHLO/MAIL/RCPT/DATA/QUIT inside TLS. The URL path sets the EHLO name (client.tlstop.test); curl sends no SNI to an IP address. Server: scripted responder (Python ssl)."
    responder "$2" smtp
    curl_client "$1" "$2" smtp "smtp://$LO4:$2/client.tlstop.test" expect_starttls_used=true -- \
        --ssl-reqd --mail-from a@tlstop.test --mail-rcpt b@tlstop.test -T small.eml -k
    wait_servers
}
cap_imap_curl() {
    note "$1" "curl --ssl-reqd lists IMAP mailboxes: CAPABILITY (STARTTLS, LOGINDISABLED), STARTTLS, TLS, then CAPABILITY (AUTH=PLAIN), AUTHENTICATE PLAIN with the credentials, LIST, LOGOUT -- all after the upgrade, so no credentials are in cleartext."
    responder "$2" imap
    curl_client "$1" "$2" imap "imap://$LO4:$2/" expect_starttls_used=true expect_cleartext_credentials=false -- \
        --ssl-reqd -k -u "$AUTH_USER:$AUTH_PASS"
    wait_servers
}
cap_pop3_curl() {
    note "$1" "curl --ssl-reqd lists a POP3 mailbox: CAPA (STLS advertised), STLS, TLS, then CAPA, USER/PASS, LIST, QUIT inside TLS."
    responder "$2" pop3
    curl_client "$1" "$2" pop3 "pop3://$LO4:$2/" expect_starttls_used=true expect_cleartext_credentials=false -- \
        --ssl-reqd -k -u "$AUTH_USER:$AUTH_PASS"
    wait_servers
}
cap_ftp_curl() {
    note "$1" "curl --ssl-reqd lists an FTP directory. Control connection (port $2): curl first tries 'AUTH SSL' (refused with 504), then 'AUTH TLS' (234), TLS; then USER anonymous/PASS, PBSZ 0, PROT P, PWD, EPSV, TYPE A, LIST, QUIT inside TLS. Second connection: the passive data connection (port $3) carrying the listing, TLS-protected from its first byte (PROT P, no upgrade) and resuming the control connection's TLS session."
    responder "$2" ftp --data-port "$3"
    curl_client "$1" "$2" ftp "ftp://$LO4:$2/" expect_starttls_used=true -- --ssl-reqd -k
    wait_servers
}
cap_ossl() { # pcap port    (the protocol comes from the file name)
    local proto=${1#starttls-}
    proto=${proto%-openssl.pcap}
    set -- "$1" "$2" "$proto"
    local mysql_note=""
    [[ $3 == mysql ]] && mysql_note=" The responder allows at most TLS 1.2 here (as many MySQL servers do), so this STARTTLS capture has a TLS 1.2 handshake with the certificate visible in cleartext."
    note "$1" "openssl s_client -starttls $3 against the scripted $3 responder: $(starttls_desc "$3") After the handshake s_client sends one command inside TLS ($(ossl_input_desc "$3")) and exits.$mysql_note"
    local extra=()
    [[ $3 == mysql ]] && extra=(--max-tls 1.2)
    responder "$2" "$3" "${extra[@]}"
    ossl_client "$1" "$2" "$3" expect_starttls_used=true
    wait_servers
}
starttls_desc() {
    case $1 in
        smtp) echo "banner, EHLO (STARTTLS advertised), STARTTLS, '220 2.0.0 Ready to start TLS'." ;;
        imap) echo "greeting, '. CAPABILITY' (STARTTLS advertised), '. STARTTLS', '. OK Begin TLS negotiation now'." ;;
        pop3) echo "greeting, STLS, '+OK Begin TLS negotiation' (s_client does not send CAPA, so nothing is advertised)." ;;
        ftp) echo "banner, 'AUTH TLS', '234 Proceed with negotiation.' (no FEAT, so nothing is advertised)." ;;
        xmpp) echo "client stream header to tlstop.test, server stream header with <stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>, <starttls/>, <proceed/>." ;;
        irc) echo "'STARTTLS', ':tlstop.test 670 * :STARTTLS successful' (tshark has no IRC STARTTLS support; it finds the TLS by its heuristic dissector)." ;;
        ldap) echo "LDAP ExtendedRequest 1.3.6.1.4.1.1466.20037 (StartTLS), ExtendedResponse resultCode success (BER)." ;;
        postgres) echo "SSLRequest (length 8, code 80877103), single byte 'S'." ;;
        mysql) echo "protocol-10 server greeting with CLIENT_SSL (0x0800) in its capability flags, 32-byte SSL request packet from the client, then TLS directly (no server reply in between)." ;;
    esac
}
ossl_input_desc() {
    case $1 in
        smtp | pop3 | ftp) echo "'quit'" ;;
        imap) echo "'a1 LOGOUT'" ;;
        xmpp) echo "'</stream:stream>'" ;;
        irc) echo "'QUIT :bye'" ;;
        ldap) echo "an LDAP UnbindRequest" ;;
        postgres) echo "a StartupMessage, which the responder answers with an ErrorResponse" ;;
        mysql) echo "a HandshakeResponse41 for user tlstopuser, which the responder answers with an ERR packet 1045" ;;
    esac
}
cap_psql() {
    note "$1" "psql against a REAL PostgreSQL server (private cluster, ssl=on, hostssl + scram-sha-256): SSLRequest, 'S', TLS, then startup, SCRAM-SHA-256 authentication and one query inside TLS. PostgreSQL's default ssl_ecdh_curve=prime256v1 makes it accept only P-256 while the client's key share is x25519, so the handshake has a HelloRetryRequest and ends on secp256r1. psql sends no SNI to an IP address. gssencmode=disable keeps libpq from trying a GSSAPI-encryption request first."
    pg_start "$2"
    local n=$((++CONN_SEQ)) rc=0
    local log="$LOGS/conn-$n-psql.log"
    local conninfo="host=$LO4 port=$2 sslmode=require user=$AUTH_USER dbname=x gssencmode=disable"
    PGPASSWORD="$AUTH_PASS" timeout 30 psql -X -A -t "$conninfo" -c '\conninfo' \
        -c "SELECT 'pg_stat_ssl|' || version || '|' || cipher || '|' || bits FROM pg_stat_ssl WHERE pid = pg_backend_pid()" \
        >"$log" 2>&1 || rc=$?
    ((rc != 124)) || die "psql timed out"
    plan_add kind=conn "pcap=$1" tool=psql "log=$log" "rc=$rc" "server_port=$2" proto=postgres \
        "settings=$LOGS/pg-settings.txt" "cmd=psql \"$conninfo\" -c \\conninfo -c 'SELECT ... FROM pg_stat_ssl'" \
        expect_starttls_used=true expect_hello_retry_request=true expect_cleartext_credentials=false
    sleep 0.5
    pg_stop
}
cap_smtp_refused() {
    note "$1" "STARTTLS refused: the responder advertises STARTTLS (and AUTH PLAIN LOGIN) but answers STARTTLS with '454 4.7.0 TLS not available'. curl --ssl (try TLS, fall back) carries on in plaintext: AUTH PLAIN with the credentials in the clear (base64 of NUL user NUL password), MAIL/RCPT/DATA, QUIT. The connection never carries TLS."
    responder "$2" smtp --refuse-starttls --auth
    curl_client "$1" "$2" smtp "smtp://$LO4:$2/client.tlstop.test" expect_starttls_used=false \
        expect_starttls_requested=true expect_starttls_accepted=false expect_cleartext_credentials=true -- \
        --ssl --mail-from a@tlstop.test --mail-rcpt b@tlstop.test -T small.eml -k -u "$AUTH_USER:$AUTH_PASS"
    wait_servers
}
cap_smtp_never() {
    note "$1" "Upgrade never followed: a scripted Python client reads the banner, sends EHLO (STARTTLS advertised), STARTTLS, gets '220 2.0.0 Ready to start TLS' -- and closes the connection without sending a ClientHello. The responder's TLS handshake sees EOF. No TLS bytes at all."
    responder "$2" smtp
    local n=$((++CONN_SEQ)) rc=0
    local log="$LOGS/conn-$n-abandon.log"
    timeout 30 python3 "$RESPONDERS/smtp_starttls_abandon_client.py" --port "$2" --report "$log.json" \
        >"$log" 2>&1 || rc=$?
    ((rc == 0)) || die "scripted SMTP client failed: $(cat "$log")"
    plan_add kind=conn "pcap=$1" tool=abandon "log=$log.json" "rc=$rc" "server_port=$2" proto=smtp \
        "report=$LOGS/report-$2.jsonl" "cmd=responders/smtp_starttls_abandon_client.py --port $2" \
        expect_starttls_used=false expect_starttls_requested=true expect_starttls_accepted=true
    wait_servers
}


fx_run_capture starttls-smtp-curl.pcap    cap_smtp_curl    "$P_SMTP_CURL"
fx_run_capture starttls-imap-curl.pcap    cap_imap_curl    "$P_IMAP_CURL"
fx_run_capture starttls-pop3-curl.pcap    cap_pop3_curl    "$P_POP3_CURL"
fx_run_capture starttls-ftp-curl.pcap     cap_ftp_curl     "$P_FTP_CURL" "$P_FTP_DATA"
i=0
for proto in smtp imap pop3 ftp xmpp irc ldap postgres mysql; do
    i=$((i + 1))
    fx_run_capture "starttls-$proto-openssl.pcap" cap_ossl "$((P_OSSL_BASE + i))"
done
fx_run_capture starttls-postgres-psql.pcap cap_psql        "$P_PSQL"
fx_run_capture starttls-smtp-refused.pcap cap_smtp_refused "$P_REFUSED"
fx_run_capture starttls-smtp-never.pcap   cap_smtp_never   "$P_NEVER"

# --------------------------------------------------------------------------
# manifest: client's and server's own reports, cross-checked with tshark
# --------------------------------------------------------------------------
openssl ciphers -stdname -V 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' >"$WORK/openssl-ciphers.txt"
{
    printf 'openssl\t%s\n' "$(openssl version | cut -d' ' -f1-2)"
    printf 'curl\t%s\n' "$(curl --version | head -n1 | cut -d' ' -f1-2)"
    printf 'psql\t%s\n' "$(psql --version)"
    printf 'postgres\t%s\n' "$("$PG_BIN/postgres" --version)"
    printf 'python\t%s\n' "$(python3 -c 'import ssl, sys; print("Python %d.%d.%d" % sys.version_info[:3], "ssl module,", ssl.OPENSSL_VERSION)')"
    printf 'tshark\t%s\n' "$(tshark --version 2>/dev/null | head -n1)"
} >"$WORK/versions.tsv"

log "building fixtures-starttls.json (client and server reports vs tshark)"
# The builder uses fail, read_plan, the tshark / s_client helpers and the name
# tables of FX_PY_HELPERS in lib/fixture-common.sh without defining them.
fx_python python3 "$PLAN" "$STAGE" "$WORK/openssl-ciphers.txt" "$WORK/versions.tsv" "$WORK/fixtures-starttls.json" \
    "$AUTH_USER" "$AUTH_PASS" "$SNI" <<'PY'
import base64, collections, json, os, re, struct, sys

plan_path, stage, ossl_ciphers, versions_path, out_path, USER, PASSWORD, SNI = sys.argv[1:9]


# ---- name tables ----------------------------------------------------------
CODE2STD, NAME2CODE, _ = read_openssl_ciphers(ossl_ciphers)
VERSIONS_TXT = dict(l.rstrip("\n").split("\t", 1) for l in open(versions_path))

OSSL_GROUPS.update({"ffdhe2048": "ffdhe2048", "ffdhe3072": "ffdhe3072", "ffdhe4096": "ffdhe4096"})
ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
          42: "bad_certificate", 46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
          50: "decode_error", 51: "decrypt_error", 70: "protocol_version", 80: "internal_error",
          90: "user_canceled", 109: "missing_extension", 112: "unrecognized_name"}
# tshark dissector to decode each application protocol's port as (None: IRC,
# which tshark cannot follow into TLS; its heuristic TLS dissector finds the
# handshake instead, and a second pass with "irc" reads the cleartext part)
WS = {"smtp": "smtp", "imap": "imap", "pop3": "pop", "ftp": "ftp", "xmpp": "xmpp", "irc": None,
      "ldap": "ldap", "postgres": "pgsql", "mysql": "mysql"}


def std_group(name):
    if name is None:
        return None
    if name not in OSSL_GROUPS:
        fail(f"unknown group name {name!r}")
    return OSSL_GROUPS[name]


# ---- plan -------------------------------------------------------------------
order, notes, plan = read_plan(plan_path)
runs = plan["conn"]


def capture_info(path):
    data = open(path, "rb").read()
    if data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4"):
        fail(f"{path}: not a microsecond pcap file")
    lt, _, recs, end = pcap_records(path, data)
    if end != len(data):
        fail(f"{path}: truncated")
    return lt & 0xFFFF, len(recs)


# ---- tshark -----------------------------------------------------------------
FIELDS = ["frame.number", "tcp.stream", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tcp.flags.syn",
          "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset", "tcp.analysis.retransmission", "tcp.len", "tcp.payload",
          "tls.record.content_type", "tls.record.opaque_type", "tls.handshake.type",
          "tls.handshake.version", "tls.handshake.extensions.supported_version",
          "tls.handshake.ciphersuite", "tls.handshake.extensions_key_share_group",
          "tls.handshake.server_named_curve", "tls.handshake.extension.type",
          "tls.handshake.extensions_server_name", "tls.handshake.random", "tls.alert_message.desc",
          # application dissectors' view of the cleartext phase
          "smtp.command_line", "smtp.response.code", "smtp.auth.username", "smtp.auth.password",
          "imap.request.command", "pop.request.command", "ftp.request.command", "ftp.request.arg",
          "ftp.response.code", "xmpp.starttls", "xmpp.proceed", "ldap.requestName", "ldap.resultCode",
          "pgsql.type", "mysql.caps.sl", "mysql.login_request", "irc.request.command",
          "irc.response.num_command"]


def tshark_streams(path, decodes, yfilter=None):
    # smtp.decryption: let the SMTP dissector decode base64 AUTH exchanges
    streams = tshark_tcp_streams(path, FIELDS, decodes, yfilter, ["smtp.decryption:TRUE"])
    for row in (r for rows in streams for r in rows):
        row["frame"] = int(row["frame.number"][0])
        row["payload"] = bytes.fromhex(row["tcp.payload"][0]) if row["tcp.payload"] else b""
    return streams


def tcp_view(rows, server_port):
    """How the TCP connection ended, and loopback retransmissions (Linux tail
    loss probes: a segment sent again a few ms later, then D-SACKed)."""
    side = lambda r: "server" if int(r["tcp.srcport"][0]) == server_port else "client"
    fins = [side(r) for r in rows if r["tcp.flags.fin"] == ["1"]]
    rsts = [side(r) for r in rows if r["tcp.flags.reset"] == ["1"]]
    first = next((side(r) for r in rows if r["tcp.flags.fin"] == ["1"] or r["tcp.flags.reset"] == ["1"]), None)
    end = "fin" if fins and not rsts else "rst" if rsts and not fins else "fin+rst" if fins else "open"
    return {"end": end, "closed_first_by": first,
            "retransmissions": sum(1 for r in rows if r["tcp.analysis.retransmission"])}


def is_tls(r):
    return bool(r["tls.record.content_type"] or r["tls.record.opaque_type"])


def tls_view(rows, server_port):
    srv, cli = directions(rows, server_port)
    v = {}
    ch, real, v["hrr"] = hellos(srv, cli)
    v["client_hellos"] = len(ch)
    v["sni"] = ch[0]["tls.handshake.extensions_server_name"][0] if ch and ch[0]["tls.handshake.extensions_server_name"] else None
    v["client_hello_frame"] = ch[0]["frame"] if ch else None
    alerts = ints(rows, "tls.alert_message.desc")
    v["alert"] = ALERTS.get(alerts[0], str(alerts[0])) if alerts else None
    v["version"] = v["cipher"] = v["group"] = None
    v["resumed"] = False
    types = set(ints(srv, "tls.handshake.type"))
    v["certificate_visible"] = 11 in types
    if real:
        s = real[-1]
        v["version"] = hello_version(s)
        v["cipher"] = CODE2STD.get(ints([s], "tls.handshake.ciphersuite")[0])
        if v["version"] == "TLSv1.3":
            ks = ints([s], "tls.handshake.extensions_key_share_group")
            v["group"] = GROUP_CODES.get(ks[0], str(ks[0])) if ks else None
            v["resumed"] = 41 in ints([s], "tls.handshake.extension.type")
        else:
            nc = ints(srv, "tls.handshake.server_named_curve")
            v["group"] = GROUP_CODES.get(nc[0], str(nc[0])) if nc else None
            v["resumed"] = 11 not in types
    appdata = lambda rs: 23 in ints(rs, "tls.record.content_type") + ints(rs, "tls.record.opaque_type")
    v["established"] = bool(real) and not (alerts and alerts[0] != 0) and appdata(cli) and appdata(srv)
    return v


# ---- the cleartext phase ----------------------------------------------------
LDAP_OID = b"1.3.6.1.4.1.1466.20037"
PG_SSLREQUEST = bytes.fromhex("0000000804d2162f")


def mysql_greeting_caps(d):
    """Lower 16 capability bits of a protocol-10 greeting packet, or None."""
    if len(d) < 5 or d[3] != 0 or d[4] != 0x0A:
        return None
    end = d.index(b"\0", 5)
    pos = end + 1 + 4 + 8 + 1
    return d[pos] | d[pos + 1] << 8


REQUEST = {
    "smtp": lambda d: re.fullmatch(rb"STARTTLS\r\n", d, re.I),
    "imap": lambda d: re.fullmatch(rb"\S+ STARTTLS\r\n", d, re.I),
    "pop3": lambda d: re.fullmatch(rb"STLS\r\n", d, re.I),
    "ftp": lambda d: re.fullmatch(rb"AUTH (TLS|SSL|TLS-C)\r\n", d, re.I),
    "xmpp": lambda d: re.search(rb"<starttls\s+xmlns=['\"]urn:ietf:params:xml:ns:xmpp-tls['\"]\s*/>", d),
    "irc": lambda d: re.fullmatch(rb"STARTTLS\r\n", d, re.I),
    "ldap": lambda d: d[:1] == b"0" and re.search(rb"\x77.\x80\x16" + re.escape(LDAP_OID), d, re.S),
    "postgres": lambda d: d == PG_SSLREQUEST,
    "mysql": lambda d: len(d) == 36 and d[:4] == b"\x20\x00\x00\x01" and struct.unpack("<I", d[4:8])[0] & 0x800,
}
ACCEPT = {
    "smtp": lambda d: re.match(rb"220[ -]", d),
    "imap": lambda d: re.match(rb"\S+ OK\b", d, re.I),
    "pop3": lambda d: re.match(rb"\+OK", d),
    "ftp": lambda d: re.match(rb"234[ -]", d),
    "xmpp": lambda d: re.search(rb"<proceed\s+xmlns=['\"]urn:ietf:params:xml:ns:xmpp-tls['\"]", d),
    "irc": lambda d: re.match(rb":\S+ 670 ", d),
    "ldap": lambda d: re.search(rb"\x78[\x00-\x7f]\x0a\x01\x00", d),  # ExtendedResponse, resultCode 0
    "postgres": lambda d: d == b"S",
    "mysql": None,  # no reply: the ClientHello follows the SSL request directly
}
ADVERTISE = {
    "smtp": lambda d: re.search(rb"^250[- ]STARTTLS\r$", d, re.M | re.I),
    "imap": lambda d: re.search(rb"^\* (OK \[)?CAPABILITY [^\r\n]*\bSTARTTLS\b", d, re.M | re.I),
    "pop3": lambda d: re.search(rb"^STLS\r$", d, re.M | re.I),
    "ftp": lambda d: re.search(rb"^ AUTH [^\r\n]*\bTLS\b", d, re.M | re.I),
    "xmpp": lambda d: re.search(rb"<stream:features>.*<starttls\s+xmlns=['\"]urn:ietf:params:xml:ns:xmpp-tls", d, re.S),
    "irc": lambda d: re.search(rb" CAP \S+ LS :[^\r\n]*\btls\b", d),
    "ldap": lambda d: False,      # only via the root DSE, which s_client does not read
    "postgres": lambda d: False,  # PostgreSQL has no advertisement: the client just asks
    "mysql": lambda d: (mysql_greeting_caps(d) or 0) & 0x800,
}


def cleartext_view(rows, server_port, proto, irc_rows):
    """What tshark shows before the first TLS record of the stream."""
    first_tls = min((r["frame"] for r in rows if is_tls(r)), default=None)
    clear = [r for r in rows if r["payload"] and (first_tls is None or r["frame"] < first_tls)]
    for r in clear:
        if is_tls(r):
            fail("cleartext frame with TLS records")
    cdata = [r for r in clear if int(r["tcp.dstport"][0]) == server_port]
    sdata = [r for r in clear if int(r["tcp.srcport"][0]) == server_port]
    v = {"first_tls_frame": first_tls,
         "client_bytes": sum(len(r["payload"]) for r in cdata),
         "server_bytes": sum(len(r["payload"]) for r in sdata),
         "client_text": b"".join(r["payload"] for r in cdata),
         "server_text": b"".join(r["payload"] for r in sdata)}
    # credentials visible in cleartext (literal, or in the base64 forms of
    # SASL PLAIN / LOGIN / HTTP-style user:pass), plus tshark's SMTP AUTH decode
    forms = [PASSWORD.encode(), base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()),
             base64.b64encode(PASSWORD.encode()), base64.b64encode(f"{USER}:{PASSWORD}".encode())]
    v["credentials_in_clear"] = any(x in v["client_text"] for x in forms)
    u = [x for r in cdata for x in r["smtp.auth.username"]]
    p = [x for r in cdata for x in r["smtp.auth.password"]]
    v["tshark_smtp_auth"] = (u[0], p[0]) if u and p else None
    v["advertised"] = bool(ADVERTISE[proto](v["server_text"])) if proto else False
    v["requested"] = v["accepted"] = False
    v["app_confirms_request"] = None
    if not proto:
        return v
    reqs = [r for r in cdata if REQUEST[proto](r["payload"])]
    v["requested"] = bool(reqs)
    if reqs:
        last = reqs[-1]
        reply = next((r for r in sdata if r["frame"] > last["frame"]), None)
        if ACCEPT[proto] is None:  # MySQL: the server accepts by answering the ClientHello
            v["accepted"] = any("2" in r["tls.handshake.type"] for r in rows if int(r["tcp.srcport"][0]) == server_port)
        else:
            v["accepted"] = bool(reply and ACCEPT[proto](reply["payload"]))
        v["request_frame"] = last["frame"]
        v["reply_frame"] = reply["frame"] if reply else None
        # does tshark's own dissector for the protocol see the STARTTLS request?
        f = lambda rs, fld: [x for r in rs for x in r[fld]]
        if proto == "smtp":
            ok = any(x.upper().startswith("STARTTLS") for x in f(cdata, "smtp.command_line"))
        elif proto == "imap":
            ok = "STARTTLS" in [x.upper() for x in f(cdata, "imap.request.command")]
        elif proto == "pop3":
            ok = "STLS" in [x.upper() for x in f(cdata, "pop.request.command")]
        elif proto == "ftp":
            ok = any(c.upper() == "AUTH" and a.upper() == "TLS"
                     for r in cdata for c, a in zip(r["ftp.request.command"], r["ftp.request.arg"]))
        elif proto == "xmpp":
            ok = bool(f(cdata, "xmpp.starttls")) and bool(f(sdata, "xmpp.proceed"))
        elif proto == "irc":
            frames = {r["frame"] for r in clear}
            ic = [r for r in irc_rows if r["frame"] in frames]
            ok = "STARTTLS" in [x.upper() for x in f(ic, "irc.request.command")] and \
                 "670" in f(ic, "irc.response.num_command")
        elif proto == "ldap":
            ok = LDAP_OID.decode() in f(cdata, "ldap.requestName") and "0" in f(sdata, "ldap.resultCode")
        elif proto == "postgres":
            ok = any("SSL request" in x for x in f(cdata, "pgsql.type"))
        elif proto == "mysql":
            ok = "1" in f(sdata, "mysql.caps.sl") and "1" in f(cdata, "mysql.caps.sl")
        v["app_confirms_request"] = ok
    return v


# ---- client reports ---------------------------------------------------------
def parse_openssl(text, rc):
    r = {"client": f"openssl s_client ({VERSIONS_TXT['openssl']})",
         "source": "openssl s_client (Protocol, Cipher, Server Temp Key)"}
    m = re.search(r"^(New|Reused), (\S+), Cipher is (\S+)", text, re.M)
    r["established"] = bool(m) and m[3] != "(NONE)" and rc == 0
    r["version"] = r["cipher"] = r["group"] = None
    r["resumed"] = False
    if r["established"]:
        r["resumed"] = m[1] == "Reused"
        r["version"], r["cipher"] = openssl_session(text, m)
        tk = re.search(r"^Server Temp Key: (.+)$", text, re.M)
        if tk:
            parts = [x.strip() for x in tk[1].split(",")]
            r["group"] = std_group(parts[1] if parts[0] == "ECDH" else parts[0])
        if not re.search(r"^\s*Verify return code: 0 \(ok\)", text, re.M):
            fail("s_client did not verify the server certificate against certs/ca.pem")
    return r


def parse_curl(text, rc):
    r = {"client": VERSIONS_TXT["curl"], "rc": rc,
         "sessions": re.findall(r"SSL connection using (\S+) / (\S+)", text),
         "reused": "SSL re-using session ID" in text,
         "sent": re.findall(r"^> (.*)$", text, re.M), "got": re.findall(r"^< (.*)$", text, re.M)}
    return r


def parse_psql(text, rc, settings):
    r = {"client": VERSIONS_TXT["psql"], "server": VERSIONS_TXT["postgres"]}
    m = re.search(r"^SSL connection \(protocol: (\S+), cipher: (\S+), ", text, re.M)
    s = re.search(r"^pg_stat_ssl\|(\S+)\|(\S+)\|(\d+)$", text, re.M)
    if rc != 0 or not m or not s:
        fail(f"psql did not report an SSL connection (rc {rc}):\n{text}")
    r["version"], r["cipher"] = OSSL_VERSIONS[m[1]], std_cipher(m[2])
    r["server_version"], r["server_cipher"] = OSSL_VERSIONS[s[1]], std_cipher(s[2])
    curve = open(settings).read().split("\n")[0].strip()
    r["server_group_setting"] = curve
    return r


def responder_reports(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def check(where, name, mine, theirs, who="client reports"):
    if mine != theirs:
        fail(f"{where}: {name}: {who} {mine!r} but tshark decodes {theirs!r}")


# ---- build ------------------------------------------------------------------
manifest = collections.OrderedDict()
checked = 0
for pcap in order:
    path = os.path.join(stage, pcap)
    lt, npk = capture_info(path)
    if lt != 1:
        fail(f"{pcap}: link type {lt}, expected 1 (Ethernet)")
    if len(runs[pcap]) != 1:
        fail(f"{pcap}: expected one client run, got {len(runs[pcap])}")
    run = runs[pcap][0]
    proto, port, tool = run["proto"], int(run["server_port"]), run["tool"]
    decodes = [(port, WS[proto])] if WS[proto] else []
    streams = tshark_streams(path, decodes)
    irc_rows = []
    if proto == "irc":
        # second pass, IRC dissector on the port, printing only the frames
        # before the first TLS record (it would misread the TLS bytes as IRC)
        first_tls = min((r["frame"] for s in streams for r in s if is_tls(r)), default=None)
        if first_tls is None:
            fail(f"{pcap}: tshark finds no TLS")
        irc_rows = [r for s in tshark_streams(path, [(port, "irc")], f"frame.number < {first_tls}") for r in s]
    text = open(run["log"], errors="replace").read()
    rc = int(run["rc"])
    reports = responder_reports(run["report"]) if "report" in run else []
    by_port = {rep["client_port"]: rep for rep in reports}
    if reports and len(reports) != len(streams):
        fail(f"{pcap}: tshark sees {len(streams)} TCP connections, the responder served {len(reports)}")
    if tool == "curl":
        cv = parse_curl(text, rc)
        if rc != 0:
            fail(f"{pcap}: curl failed with exit {rc}:\n{text[-2000:]}")
    out = []
    for i, rows in enumerate(streams):
        where = f"{pcap} connection #{i + 1}"
        first = rows[0]
        if first["tcp.flags.syn"] != ["1"] or first["tcp.flags.ack"] != ["0"]:
            fail(f"{where}: does not start with the client's SYN")
        sport, cport = int(first["tcp.dstport"][0]), int(first["tcp.srcport"][0])
        rep = by_port.get(cport)
        if reports and rep is None:
            fail(f"{where}: no responder report for client port {cport}")
        data_conn = bool(rep and rep["role"] == "ftp-data")
        tv = tls_view(rows, sport)
        cl = cleartext_view(rows, sport, None if data_conn else proto, irc_rows)
        e = collections.OrderedDict()
        e["server_port"] = sport
        e["client_port"] = cport
        e["server_ip"] = first["ip.dst"][0]
        e["client_ip"] = first["ip.src"][0]
        e["protocol"] = "tls" if tv["established"] else "plaintext"
        e["app"] = "ftp-data" if data_conn else proto
        e["starttls"] = proto if cl["requested"] else None
        e["starttls_offered"] = cl["advertised"] or cl["accepted"]
        e["starttls_advertised"] = cl["advertised"]
        e["starttls_requested"] = cl["requested"]
        e["starttls_accepted"] = cl["accepted"]
        e["starttls_used"] = bool(cl["requested"] and tv["established"])
        e["version"], e["cipher"], e["group"] = tv["version"], tv["cipher"], tv["group"]
        e["sni"] = tv["sni"]
        e["resumed"] = tv["resumed"]
        e["tls_established"] = tv["established"]
        e["hello_retry_request"] = tv["hrr"]
        e["certificate_visible"] = tv["certificate_visible"]
        e["alert"] = tv["alert"]
        e["cleartext_bytes"] = {"client_to_server": cl["client_bytes"], "server_to_client": cl["server_bytes"]}
        e["client_hello_frame"] = tv["client_hello_frame"]
        e["cleartext_credentials"] = cl["credentials_in_clear"]
        e["credentials"] = None
        e["tcp"] = tcp_view(rows, sport)

        # ---- sanity of the tshark view itself
        if cl["requested"] and cl["app_confirms_request"] is False:
            fail(f"{where}: the {proto} request is in the bytes but tshark's {WS[proto] or 'irc'} dissector does not show it")
        if tv["established"] and tv["client_hellos"] != (2 if tv["hrr"] else 1):
            fail(f"{where}: {tv['client_hellos']} ClientHellos (HRR {tv['hrr']})")
        if data_conn and (cl["client_bytes"] or cl["server_bytes"]):
            fail(f"{where}: FTP data connection has cleartext before TLS")
        if e["starttls_used"] and cl["reply_frame"] is not None and tv["client_hello_frame"] < cl["reply_frame"]:
            fail(f"{where}: ClientHello before the server's STARTTLS reply")

        # ---- the server's own view (responder report)
        if rep:
            if rep["role"] == "control":
                for k in ("advertised", "requested", "accepted"):
                    check(where, f"starttls_{k}", rep[f"starttls_{k}"], cl[k], "the responder reports")
            st = rep["tls"]
            if st:
                check(where, "version", st["version"], tv["version"], "the responder reports")
                check(where, "cipher", std_cipher(st["cipher"]), tv["cipher"], "the responder reports")
                check(where, "sni", st["sni"], tv["sni"], "the responder reports")
                check(where, "resumed", st["resumed"], tv["resumed"], "the responder reports")
                if st["group"] is None and not tv["resumed"]:
                    fail(f"{where}: the responder could not read the negotiated group from OpenSSL")
                if st["group"] is not None:
                    check(where, "group", std_group(st["group"]), tv["group"], "the responder reports")
            elif tv["established"]:
                fail(f"{where}: tshark sees TLS but the responder does not")
            creds = rep["credentials"]
            clear_creds = [c for c in creds if not c["in_tls"]]
            check(where, "credentials in cleartext", bool(clear_creds), cl["credentials_in_clear"],
                  "the responder saw")
            if creds:
                c0 = creds[0]
                e["credentials"] = {"mechanism": c0["mechanism"], "user": c0["user"], "password": c0["password"],
                                    "inside_tls": c0["in_tls"]}
                if c0["mechanism"] == "SMTP AUTH PLAIN" and not c0["in_tls"]:
                    e["credentials"]["wire"] = base64.b64encode(f"\0{c0['user']}\0{c0['password']}".encode()).decode()
                    if cl["tshark_smtp_auth"] != (c0["user"], c0["password"]):
                        fail(f"{where}: tshark SMTP AUTH decode {cl['tshark_smtp_auth']} != responder's")
            if e["starttls_accepted"] and not e["starttls_used"] and not rep["handshake_error"]:
                fail(f"{where}: STARTTLS accepted, no TLS, but the responder saw no handshake failure")
            e["server"] = f"tlstop starttls_responder.py ({VERSIONS_TXT['python']})"

        # ---- the client's own view
        if tool == "openssl":
            c = parse_openssl(text, rc)
            for k in ("version", "cipher", "group", "resumed", "established"):
                check(where, k, c[k], tv[k])
            check(where, "sni", SNI, tv["sni"], "the client sent")
            e["client"], e["source"] = c["client"], c["source"] + "; server: responder's ssl module"
        elif tool == "curl":
            if data_conn:
                sess = cv["sessions"][1] if len(cv["sessions"]) > 1 else None
                check(where, "resumed", cv["reused"], tv["resumed"], "curl -v ('SSL re-using session ID') says")
            else:
                sess = cv["sessions"][0] if cv["sessions"] else None
            cver, ccipher = (OSSL_VERSIONS[sess[0]], std_cipher(sess[1])) if sess else (None, None)
            check(where, "version", cver, tv["version"], "curl -v reports")
            check(where, "cipher", ccipher, tv["cipher"], "curl -v reports")
            check(where, "sni", None, tv["sni"], "curl (IP-address URL, so no SNI) sent")
            # curl's own transcript of the cleartext phase
            if not data_conn:
                up = {"smtp": "STARTTLS", "imap": "STARTTLS", "pop3": "STLS", "ftp": "AUTH TLS"}[proto]
                sent_up = any(x.split(" ", 1)[-1] == up or x == up for x in cv["sent"])
                check(where, "starttls_requested", sent_up, cl["requested"], "curl -v shows")
            e["client"] = cv["client"]
            e["source"] = ("curl -v (SSL connection using ...; group not printed by curl 7.88) + "
                           "responder's ssl module (version, cipher, group via OpenSSL)")
        elif tool == "psql":
            c = parse_psql(text, rc, run["settings"])
            check(where, "version", c["version"], tv["version"], "psql \\conninfo reports")
            check(where, "cipher", c["cipher"], tv["cipher"], "psql \\conninfo reports")
            check(where, "version", c["server_version"], tv["version"], "PostgreSQL's pg_stat_ssl reports")
            check(where, "cipher", c["server_cipher"], tv["cipher"], "PostgreSQL's pg_stat_ssl reports")
            # ssl_ecdh_curve restricts the server to exactly one group
            check(where, "group", std_group(c["server_group_setting"]), tv["group"],
                  "PostgreSQL's only allowed group (ssl_ecdh_curve) is")
            check(where, "starttls_requested", True, cl["requested"], "libpq (sslmode=require) always sends")
            check(where, "starttls_accepted", True, cl["accepted"], "the server's 'S' means")
            e["client"], e["server"] = c["client"], c["server"]
            e["source"] = ("psql \\conninfo (protocol, cipher) + PostgreSQL pg_stat_ssl (version, cipher) + "
                           "ssl_ecdh_curve setting (group)")
            e["cleartext_credentials"] = cl["credentials_in_clear"]
            e["credentials"] = {"mechanism": "PostgreSQL SCRAM-SHA-256", "user": USER, "password": PASSWORD,
                                "inside_tls": True}
            if cl["credentials_in_clear"]:
                fail(f"{where}: the password is visible before TLS")
        elif tool == "abandon":
            a = json.load(open(run["log"]))
            if a["client_port"] != cport:
                fail(f"{where}: scripted client port {a['client_port']} != tshark {cport}")
            check(where, "starttls_advertised", a["starttls_advertised"], cl["advertised"], "the client saw")
            check(where, "starttls_accepted", a["starttls_reply"].startswith("220"), cl["accepted"], "the client got")
            check(where, "TLS bytes", False, tv["client_hellos"] > 0, "the client sent")
            e["client"] = "scripted Python client (responders/smtp_starttls_abandon_client.py)"
            e["source"] = "scripted client's report + responder's report"
        e["command"] = run["cmd"] if not data_conn else None

        # ---- scenario
        if not data_conn:
            for k, want in run.items():
                if k.startswith("expect_") and e.get(k[len("expect_"):]) != convert(want):
                    fail(f"{where}: expected {k[len('expect_'):]}={want!r}, got {e.get(k[len('expect_'):])!r}")
        else:
            if not (e["protocol"] == "tls" and e["starttls"] is None):
                fail(f"{where}: FTP data connection should be TLS from its first byte")
        for k in ("client", "server", "source", "command"):
            e[k] = e.pop(k, None)
        out.append(e)
        checked += 1
    manifest[pcap] = collections.OrderedDict(
        [("link_type", lt), ("link_type_name", LINKTYPE_NAMES.get(lt, str(lt))), ("format", "pcap"),
         ("packets", npk), ("bytes", os.path.getsize(path)), ("connections", out),
         ("notes", notes.get(pcap, ""))])

with open(out_path, "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
print(f"[make-starttls-fixtures] manifest: {len(manifest)} files, {checked} connections cross-checked", file=sys.stderr)
PY

# --------------------------------------------------------------------------
# install the results (only starttls-*.pcap; the other captures belong to
# make-fixtures.sh)
# --------------------------------------------------------------------------
fx_check_size 500000 "STARTTLS fixtures" "$STAGE"/*
rm -f "$PCAP_DIR"/starttls-*.pcap
fx_install_captures "$STAGE"/starttls-*.pcap
fx_install_manifest "$WORK/fixtures-starttls.json"

log "done: $(ls "$PCAP_DIR"/starttls-*.pcap | wc -l) STARTTLS capture files in $PCAP_DIR"
fx_list_captures 36 "$PCAP_DIR"/starttls-*.pcap
