#!/usr/bin/env bash
# Regenerate tlstop's NON-TLS capture fixtures: clear-text application
# protocols (FTP, SMTP, POP3, IMAP, Telnet, LDAP, MySQL/MariaDB, PostgreSQL,
# Redis, MQTT, memcached, DNS, SNMP, syslog, HTTP form POST), some of them with
# credentials in the clear, and non-TLS encryption (SSH, WireGuard, IPsec ESP).
#
# Real clients talk to real servers from Debian packages wherever that is
# practical; FTP, SMTP, POP3, IMAP and Telnet servers are small scripted
# responders in plain-responders/ (Python 3 stdlib only), syslog has a UDP
# receiver there. Everything runs on 127.0.0.1, except WireGuard and ESP,
# which run between two network namespaces that this script creates (veth
# pair, 10.250.x.y addresses that exist only inside those namespaces) and
# deletes again.
#
# Each capture is checked three ways, and any disagreement aborts the run:
#   * the client's own output (e.g. redis-cli printed PONG, psql printed 1),
#   * the server's own report (responder JSON report, slapd/postgres/mosquitto
#     logs, ...), including the user name and password it received,
#   * tshark's dissection of the capture (e.g. ftp.request.command == PASS
#     with the test password as argument).
# The manifest fixtures-plaintext.json is written from those.
#
# Usage (as root, on Debian 12 or similar):
#   sudo Tests/Fixtures/make-plaintext-fixtures.sh
#
# Environment:
#   BASE_PORT   capture N uses BASE_PORT+N (default 44500; uses +1 ... +20 and +51)
#   KEEP_WORK=1 keep the temporary work directory (logs) after a successful run
#
# Only the files this script owns are replaced: pcaps/plain-*.pcap,
# pcaps/enc-*.pcap and fixtures-plaintext.json, and only after every check
# passed. See the section "Plaintext and non-TLS captures" in README.md.

set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/fixture-common.sh
. "$HERE/lib/fixture-common.sh"
fx_init make-plaintext-fixtures "tcpdump, network namespaces, private daemons"

PCAP_DIR="$HERE/pcaps"
RESP="$HERE/plain-responders"
MANIFEST="$HERE/fixtures-plaintext.json"
BASE_PORT="${BASE_PORT:-44500}"
T_USER="tlstopuser"
T_PASS="S3cretTestPassw0rd"
T_DN="cn=$T_USER,dc=tlstop,dc=test"
PY=/usr/bin/python3


# --------------------------------------------------------------------------
# bookkeeping: on exit, besides the background processes, the namespaces and
# the /run directories this script made are removed
# --------------------------------------------------------------------------
declare -a NETNS=()
RUN_SSHD_CREATED=""
RUN_WG_CREATED=""

plain_cleanup() {
    local ns
    for ns in "${NETNS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
    if [[ -n $RUN_SSHD_CREATED ]]; then rmdir /run/sshd 2>/dev/null || true; fi
    if [[ -n $RUN_WG_CREATED ]]; then rmdir /run/wireguard 2>/dev/null || true; fi
}
FX_CLEANUP_AFTER=plain_cleanup
FX_KILL_GRACE=1

# --------------------------------------------------------------------------
# prerequisites
# --------------------------------------------------------------------------
# daemons the packages below may start as system services; none may keep running
SERVICE_PROCS=(redis-server mosquitto memcached dnsmasq snmpd sshd postgres mariadbd mysqld slapd nginx charon starter)

service_pids() { # [pgrep options] : PIDs of the daemons above (pgrep matches one name at a time)
    local n
    for n in "${SERVICE_PROCS[@]}"; do pgrep "$@" -x "$n" || true; done
}

SERVICES_BEFORE=""
services_before() { SERVICES_BEFORE=" $(service_pids | tr '\n' ' ') "; }
# If a service was started anyway (no policy-rc.d support, systemd), stop it.
stop_new_services() {
    local p
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
        systemctl disable --now redis-server mosquitto memcached snmpd ssh postgresql mariadb \
            slapd nginx strongswan-starter 2>/dev/null || true
    fi
    for p in $(service_pids -P 1); do
        [[ $SERVICES_BEFORE == *" $p "* ]] && continue   # daemons (parent 1) that appeared during apt-get only
        log "stopping service process started by the installation: $(ps -o pid=,args= -p "$p" || true)"
        kill -TERM "$p" 2>/dev/null || true
    done
}

# --no-services: keep the packages from starting their system services: only
# private instances on loopback / in our own namespaces are used.
fx_ensure_deps --no-services --before services_before --after stop_new_services \
    tcpdump=tcpdump curl=curl tshark=tshark /usr/bin/python3=python3 \
    telnet=telnet ldapsearch=ldap-utils slapd=slapd slapadd=slapd \
    redis-server=redis-server redis-cli=redis-tools \
    mosquitto=mosquitto mosquitto_passwd=mosquitto mosquitto_pub=mosquitto-clients \
    memcached=memcached dnsmasq=dnsmasq-base dig=dnsutils \
    snmpget=snmp snmpd=snmpd /usr/sbin/sshd=openssh-server ssh=openssh-client \
    ssh-keygen=openssh-client wg=wireguard-tools wireguard-go=wireguard-go \
    ping=iputils-ping ip=iproute2 psql=postgresql-client pg_ctlcluster=postgresql \
    mariadbd=mariadb-server mariadb-install-db=mariadb-server mariadb=mariadb-client \
    nginx=nginx-light logger=bsdutils runuser=util-linux unshare=util-linux \
    /usr/lib/ipsec/charon=strongswan-charon swanctl=strongswan-swanctl \
    /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so=libcharon-extra-plugins \
    timeout=coreutils

PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
[[ -x $PGBIN/initdb && -x $PGBIN/postgres ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql"

fx_make_work tlstop-plain-fixtures

# --------------------------------------------------------------------------
# helpers (plan records, port checks and capture start/stop are in
# lib/fixture-common.sh; is_bound looks at the root namespace only)
# --------------------------------------------------------------------------
expect_in() { # file extended-regex what
    grep -Eq -- "$2" "$1" || die "$3: /$2/ not found in $1: $(tail -n 20 "$1")"
}

# spawn NAME CMD... : start a tracked background process, output in $LOGS/NAME.log
LAST_PID=""
spawn() {
    local name=$1; shift
    "$@" >"$LOGS/$name.log" 2>&1 &
    LAST_PID=$!
    BG_PIDS+=("$LAST_PID")
}
# server NAME PORT CMD... : spawn a server and wait until it listens. The port
# is checked before each capture, but a loopback client elsewhere on the machine
# can still hold it briefly as its ephemeral port: on "in use", try again.
server() {
    local name=$1 port=$2 try rc; shift 2
    for try in 1 2 3; do
        spawn "$name" "$@"
        fx_wait_port is_bound "$port" "$LAST_PID" 400 && return 0
        rc=0; wait "$LAST_PID" || rc=$?
        forget_pid "$LAST_PID"
        grep -qi 'in use' "$LOGS/$name.log" ||
            die "server for port $port exited ($rc) before listening: $(tail -n 5 "$LOGS/$name.log")"
        log "port $port is briefly in use elsewhere; retrying"
        sleep 2
    done
    die "port $port stayed in use"
}

# stop_bg PID : SIGTERM, wait, forget (a server we stop ourselves)
stop_bg() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    forget_pid "$pid"
}
# wait_bg PID WHAT : wait for a process that ends by itself; it must exit 0
wait_bg() {
    local pid=$1 what=$2 rc=0
    wait "$pid" || rc=$?
    forget_pid "$pid"
    ((rc == 0)) || die "$what exited with status $rc (see $LOGS)"
}

# responder NAME PCAP PORT [tcp|udp] [extra args...] : a plain-responders/NAME.py
RESPONDER_PID=""
responder() {
    local name=$1 pcap=$2 port=$3; shift 3
    server "$pcap.server" "$port" timeout 60 "$PY" "$RESP/$name.py" --port "$port" \
        --report "$LOGS/$pcap.report.json" --transcript "$LOGS/$pcap.transcript.txt" \
        --user "$T_USER" --password "$T_PASS" "$@"
    RESPONDER_PID=$LAST_PID
}

# run_capture NAME PORT FUNCTION [FILTER]   (loopback)
run_capture() {
    local name=$1 port=$2 fn=$3 filter=${4:-"port $2"}
    log "capture $name (port $port)"
    fx_port_free "$port" is_bound
    start_capture "$STAGE/$name" lo "$filter"
    "$fn" "$name" "$port"
    stop_capture "$STAGE/$name"
}

# conn PCAP key=value ... : one expected connection, in capture order
conn() { local pcap=$1; shift; plan_add kind=conn "pcap=$pcap" "$@"; }

# network namespaces: ns_pair TAG SUBNET(third octet) -> NS_A NS_B, veth va/vb,
# 10.250.SUBNET.1 (A) and .2 (B)
NS_A="" NS_B=""
ns_pair() {
    local tag=$1 net=$2
    NS_A="tlstop-plain-$$-$tag-a"
    NS_B="tlstop-plain-$$-$tag-b"
    ip netns add "$NS_A"; NETNS+=("$NS_A")
    ip netns add "$NS_B"; NETNS+=("$NS_B")
    ip link add va netns "$NS_A" type veth peer name vb netns "$NS_B"
    ip -n "$NS_A" addr add "10.250.$net.1/24" dev va
    ip -n "$NS_B" addr add "10.250.$net.2/24" dev vb
    ip -n "$NS_A" link set lo up; ip -n "$NS_A" link set va up
    ip -n "$NS_B" link set lo up; ip -n "$NS_B" link set vb up
    ip netns exec "$NS_A" ping -c 1 -W 2 "10.250.$net.2" >/dev/null || die "veth pair $tag does not pass traffic"
}
ns_del() {
    local ns keep=()
    for ns in "$@"; do ip netns del "$ns" 2>/dev/null || true; done
    for ns in "${NETNS[@]}"; do [[ " $* " == *" $ns "* ]] || keep+=("$ns"); done
    NETNS=("${keep[@]}")
}

# --------------------------------------------------------------------------
# the captures
# --------------------------------------------------------------------------
LO=127.0.0.1
FTP_DATA_PORT=$((BASE_PORT + 51))

cap_ftp() {
    note "$1" "curl against a scripted FTP server (plain-responders/ftp.py): USER/PASS with the password in clear on the control connection, PWD, PASV, TYPE A, LIST over a passive data connection (port $FTP_DATA_PORT), QUIT. Two TCP connections: control, then data (directory listing)."
    responder ftp "$1" "$2" --data-port "$FTP_DATA_PORT"
    timeout 30 curl -sS -v --max-time 20 --disable-epsv -o "$LOGS/$1.body" \
        "ftp://$T_USER:$T_PASS@$LO:$2/" 2>"$LOGS/$1.client.log" || die "curl ftp failed: $(tail "$LOGS/$1.client.log")"
    expect_in "$LOGS/$1.body" 'index\.html' "ftp listing"
    wait_bg "$RESPONDER_PID" "ftp responder"
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=ftp creds=true expect_pw=true \
        check=ftp report=1 client=curl server=responder:ftp.py role=control \
        "note=FTP control connection: USER $T_USER / PASS $T_PASS in clear, then PASV, TYPE A, LIST, QUIT."
    conn "$1" transport=tcp "server_port=$FTP_DATA_PORT" protocol=plaintext app=ftp creds=false expect_pw=false \
        check=ftp-data "control_port=$2" client=curl server=responder:ftp.py role=data \
        "note=FTP passive data connection (announced by 227 on the control connection) carrying the LIST output; no credentials."
}

smtp_capture() { # pcap port MECH
    local mech=$3 enc
    printf 'From: %s@tlstop.test\r\nTo: postmaster@tlstop.test\r\nSubject: tlstop fixture\r\n\r\nhello\r\n' \
        "$T_USER" >"$WORK/mail.txt"
    responder smtp "$1" "$2"
    timeout 30 curl -sS -v --max-time 20 "smtp://$LO:$2/tlstop.test" --user "$T_USER:$T_PASS" \
        --login-options "AUTH=$mech" --mail-from "$T_USER@tlstop.test" --mail-rcpt postmaster@tlstop.test \
        -T "$WORK/mail.txt" 2>"$LOGS/$1.client.log" || die "curl smtp failed: $(tail "$LOGS/$1.client.log")"
    expect_in "$LOGS/$1.client.log" "^> AUTH $mech" "curl did not use AUTH $mech"
    expect_in "$LOGS/$1.client.log" '^< 235 ' "SMTP authentication"
    wait_bg "$RESPONDER_PID" "smtp responder"
    if [[ $mech == PLAIN ]]; then
        enc="AUTH PLAIN, 334, then base64 of \\0$T_USER\\0$T_PASS on its own line: $(printf '\0%s\0%s' "$T_USER" "$T_PASS" | base64 -w0) (curl 7.88 sends no SASL initial response unless --sasl-ir)"
    else
        enc="AUTH LOGIN: 334 prompts, user and password each base64 on its own line ($(printf %s "$T_USER" | base64 -w0) / $(printf %s "$T_PASS" | base64 -w0))"
    fi
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=smtp creds=true expect_pw=false \
        check=smtp "mech=$mech" report=1 client=curl server=responder:smtp.py \
        "note=EHLO answer offers AUTH PLAIN LOGIN and no STARTTLS. $enc. base64 is not encryption: the credentials are in clear, but the literal password bytes are not on the wire. Then MAIL/RCPT/DATA of one short message and QUIT."
}
cap_smtp_plain() {
    note "$1" "curl submits one message with --login-options AUTH=PLAIN to a scripted ESMTP server (plain-responders/smtp.py) that advertises AUTH PLAIN LOGIN and no STARTTLS."
    smtp_capture "$1" "$2" PLAIN
}
cap_smtp_login() {
    note "$1" "curl submits one message with --login-options AUTH=LOGIN to a scripted ESMTP server (plain-responders/smtp.py) that advertises AUTH PLAIN LOGIN and no STARTTLS."
    smtp_capture "$1" "$2" LOGIN
}

cap_pop3() {
    note "$1" "curl lists a mailbox on a scripted POP3 server (plain-responders/pop3.py): CAPA (USER, no SASL, no STLS), USER/PASS with the password in clear, LIST, QUIT."
    responder pop3 "$1" "$2"
    timeout 30 curl -sS -v --max-time 20 -o "$LOGS/$1.body" "pop3://$T_USER:$T_PASS@$LO:$2/" \
        2>"$LOGS/$1.client.log" || die "curl pop3 failed: $(tail "$LOGS/$1.client.log")"
    expect_in "$LOGS/$1.client.log" "^> PASS $T_PASS" "curl POP3 PASS"
    wait_bg "$RESPONDER_PID" "pop3 responder"
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=pop3 creds=true expect_pw=true \
        check=pop3 report=1 client=curl server=responder:pop3.py \
        "note=USER $T_USER / PASS $T_PASS in clear."
}

cap_imap() {
    note "$1" "curl lists mailboxes on a scripted IMAP4rev1 server (plain-responders/imap.py) whose CAPABILITY has no AUTH=, no STARTTLS and no LOGINDISABLED, so curl uses the LOGIN command."
    responder imap "$1" "$2"
    timeout 30 curl -sS -v --max-time 20 -o "$LOGS/$1.body" "imap://$LO:$2/" --user "$T_USER:$T_PASS" \
        2>"$LOGS/$1.client.log" || die "curl imap failed: $(tail "$LOGS/$1.client.log")"
    expect_in "$LOGS/$1.client.log" "^> A[0-9]+ LOGIN $T_USER $T_PASS" "curl IMAP LOGIN"
    expect_in "$LOGS/$1.body" 'INBOX' "IMAP LIST"
    wait_bg "$RESPONDER_PID" "imap responder"
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=imap creds=true expect_pw=true \
        check=imap report=1 client=curl server=responder:imap.py \
        "note=CAPABILITY, then 'LOGIN $T_USER $T_PASS' in clear, LIST \"\" *, LOGOUT."
}

cap_telnet() {
    note "$1" "A real telnet client (inetutils-telnet), typed into on a pseudo-terminal by plain-responders/telnet-driver.py, logs in to a scripted Telnet server (plain-responders/telnet.py). The server negotiates TERMINAL-TYPE and NAWS only, so the client stays in line mode and sends the user name and the password as whole lines."
    responder telnet "$1" "$2"
    timeout 40 "$PY" "$RESP/telnet-driver.py" --telnet telnet --host "$LO" --port "$2" \
        --user "$T_USER" --password "$T_PASS" --screen "$LOGS/$1.client.log" ||
        die "telnet session failed: $(cat -v "$LOGS/$1.client.log" | tail)"
    wait_bg "$RESPONDER_PID" "telnet responder"
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=telnet creds=true expect_pw=true \
        check=telnet report=1 client=telnet server=responder:telnet.py \
        "note=Option negotiation (DO/WILL TERMINAL-TYPE, NAWS, SB TERMINAL-TYPE IS XTERM), 'login: ' prompt, '$T_USER\\r\\n', 'Password: ' prompt, '$T_PASS\\r\\n' (one segment), shell prompt, 'exit'. The server does not offer WILL ECHO, unlike a real telnetd, which would put the client in character mode and send the password one byte per segment."
}

cap_ldap() {
    note "$1" "ldapsearch simple bind as $T_DN (password in clear in the BindRequest) against a real slapd (OpenLDAP, private mdb database with one entry), then a subtree search of dc=tlstop,dc=test and an unbind."
    local d="$WORK/slapd"
    mkdir -p "$d/db"
    cat >"$d/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
pidfile $d/slapd.pid
argsfile $d/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "dc=tlstop,dc=test"
rootdn "$T_DN"
rootpw $T_PASS
directory $d/db
EOF
    printf 'dn: dc=tlstop,dc=test\nobjectClass: dcObject\nobjectClass: organization\ndc: tlstop\no: tlstop test fixtures\n' >"$d/base.ldif"
    slapadd -f "$d/slapd.conf" -l "$d/base.ldif" >"$LOGS/$1.slapadd.log" 2>&1 || die "slapadd failed: $(cat "$LOGS/$1.slapadd.log")"
    server "$1.server" "$2" /usr/sbin/slapd -h "ldap://$LO:$2/" -f "$d/slapd.conf" -d 256
    local spid=$LAST_PID
    LDAPNOINIT=1 timeout 30 ldapsearch -x -H "ldap://$LO:$2" -D "$T_DN" -w "$T_PASS" -b dc=tlstop,dc=test \
        >"$LOGS/$1.client.log" 2>&1 || die "ldapsearch failed: $(cat "$LOGS/$1.client.log")"
    expect_in "$LOGS/$1.client.log" '^result: 0 Success' "ldapsearch result"
    sleep 0.3
    stop_bg "$spid"
    expect_in "$LOGS/$1.server.log" "BIND dn=\"$T_DN\" mech=SIMPLE bind_ssf=0 ssf=0" "slapd simple bind without TLS"
    expect_in "$LOGS/$1.server.log" 'op=0 RESULT tag=97 err=0' "slapd bind result"
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=ldap creds=true expect_pw=true \
        check=ldap client=ldapsearch server=slapd \
        "note=LDAPv3 BindRequest, simple authentication: name $T_DN, password $T_PASS as a plain OCTET STRING. slapd logs bind_ssf=0 ssf=0 (no security layer). Then SearchRequest, one SearchResultEntry, SearchResultDone, UnbindRequest."
}

cap_mysql() {
    note "$1" "Real mariadb client against a real MariaDB server (private datadir, --skip-ssl, so the greeting has no CLIENT_SSL capability and the session stays in clear). One query: SELECT 1."
    local d="$WORK/mariadb"
    mkdir -p "$d"
    mariadb-install-db --no-defaults --datadir="$d/data" --user=root --auth-root-authentication-method=socket \
        --skip-test-db >"$LOGS/$1.install-db.log" 2>&1 || die "mariadb-install-db failed: $(tail "$LOGS/$1.install-db.log")"
    server "$1.server" "$2" mariadbd --no-defaults --datadir="$d/data" --user=root --port="$2" --bind-address=$LO \
        --socket="$d/mysqld.sock" --pid-file="$d/mysqld.pid" --skip-ssl --skip-name-resolve --skip-log-bin \
        --innodb-buffer-pool-size=16M --log-error="$LOGS/$1.mariadbd-error.log"
    local spid=$LAST_PID
    # set-up over the Unix socket, so it is not in the capture
    mariadb --no-defaults -S "$d/mysqld.sock" -u root \
        -e "CREATE USER '$T_USER'@'$LO' IDENTIFIED BY '$T_PASS'; SHOW VARIABLES LIKE 'have_ssl';" \
        >"$LOGS/$1.setup.log" 2>&1 || die "mariadb set-up failed: $(cat "$LOGS/$1.setup.log")"
    expect_in "$LOGS/$1.setup.log" 'have_ssl[[:space:]]+DISABLED' "MariaDB TLS is off"
    sleep 0.5
    timeout 30 mariadb --no-defaults -h $LO -P "$2" -u "$T_USER" --password="$T_PASS" --skip-ssl \
        -e 'SELECT 1 AS tlstop' >"$LOGS/$1.client.log" 2>&1 || die "mariadb client failed: $(cat "$LOGS/$1.client.log")"
    expect_in "$LOGS/$1.client.log" '^1$' "SELECT 1 result"
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=mysql creds=false expect_pw=false \
        check=mysql client=mariadb server=mariadbd \
        "note=MySQL protocol 10 greeting without CLIENT_SSL; login request with user $T_USER and a mysql_native_password challenge-response (SHA-1 scramble of the password with the server's nonce), so the password itself is not on the wire; the user name and the query 'SELECT 1 AS tlstop' and its result are in clear."
    # the data directory is mostly InnoDB pre-allocation; stop before the next capture
    sleep 0.2
    stop_bg "$spid"
}

cap_postgres() {
    note "$1" "Real psql (sslmode=disable) against a real PostgreSQL server (private cluster made by initdb, ssl=off) whose pg_hba.conf requires the 'password' method for $T_USER over TCP: the server asks for a cleartext password (AuthenticationCleartextPassword) and psql sends it in a PasswordMessage. Then SELECT 1."
    local d="$WORK/postgres"
    mkdir -p "$d"; chown postgres: "$d"
    runuser -u postgres -- "$PGBIN/initdb" -D "$d/data" -U postgres --auth-local=trust --auth-host=reject \
        -E UTF8 --locale=C.UTF-8 >"$LOGS/$1.initdb.log" 2>&1 || die "initdb failed: $(tail "$LOGS/$1.initdb.log")"
    printf 'local all postgres trust\nhost all %s %s/32 password\n' "$T_USER" "$LO" >"$d/data/pg_hba.conf"
    server "$1.server" "$2" runuser -u postgres -- "$PGBIN/postgres" -D "$d/data" -p "$2" -c listen_addresses=$LO \
        -c unix_socket_directories="$d" -c ssl=off -c log_connections=on -c logging_collector=off
    local spid=$LAST_PID
    local i
    for ((i = 0; i < 100; i++)); do [[ -S $d/.s.PGSQL.$2 ]] && break; sleep 0.1; done
    psql -X -q -h "$d" -p "$2" -U postgres -d postgres -c "CREATE ROLE $T_USER LOGIN PASSWORD '$T_PASS'" \
        >"$LOGS/$1.setup.log" 2>&1 || die "postgres set-up failed: $(cat "$LOGS/$1.setup.log")"
    sleep 0.5
    PGPASSWORD="$T_PASS" timeout 30 psql -X -A -t \
        "host=$LO port=$2 user=$T_USER dbname=postgres sslmode=disable gssencmode=disable" \
        -c 'SELECT 1' >"$LOGS/$1.client.log" 2>&1 || die "psql failed: $(cat "$LOGS/$1.client.log")"
    expect_in "$LOGS/$1.client.log" '^1$' "SELECT 1 result"
    sleep 0.3
    stop_bg "$spid"
    expect_in "$LOGS/$1.server.log" "connection authenticated: identity=\"$T_USER\" method=password" "postgres password auth"
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=postgres creds=true expect_pw=true \
        check=postgres client=psql server=postgres \
        "note=StartupMessage (user $T_USER, no SSLRequest, no GSSENCRequest), AuthenticationCleartextPassword, PasswordMessage '$T_PASS', AuthenticationOk, simple Query 'SELECT 1', result, Terminate."
}

cap_redis() {
    note "$1" "Real redis-cli against a real redis-server (ACL: default user off, user $T_USER with password $T_PASS, the COMMAND command denied). One connection: AUTH $T_USER <password> (RESP bulk strings, password in clear), COMMAND DOCS and COMMAND (redis-cli 7.0 asks for its help texts even when reading stdin; the ACL denies both with -NOPERM, which keeps the capture small), PING, SET tlstop:key hello, GET tlstop:key."
    local d="$WORK/redis"
    mkdir -p "$d"
    cat >"$d/redis.conf" <<EOF
bind $LO
port $2
daemonize no
save ""
appendonly no
dir $d
logfile ""
user default off
user $T_USER on >$T_PASS ~* &* +@all -command
EOF
    server "$1.server" "$2" redis-server "$d/redis.conf"
    local spid=$LAST_PID
    printf 'PING\nSET tlstop:key hello\nGET tlstop:key\n' |
        timeout 30 redis-cli -h $LO -p "$2" --user "$T_USER" --pass "$T_PASS" --no-auth-warning \
        >"$LOGS/$1.client.log" 2>&1 || die "redis-cli failed: $(cat "$LOGS/$1.client.log")"
    [[ $(tr -d '\r' <"$LOGS/$1.client.log") == $'PONG\nOK\nhello' ]] || die "unexpected redis-cli output: $(cat "$LOGS/$1.client.log")"
    stop_bg "$spid"
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=redis creds=true expect_pw=true \
        check=redis client=redis-cli server=redis-server \
        "note=RESP: *3 AUTH $T_USER $T_PASS, +OK, COMMAND DOCS/-NOPERM, COMMAND/-NOPERM, PING/+PONG, SET/+OK, GET/\$5 hello."
}

cap_mqtt() {
    note "$1" "Real mosquitto_pub against a real mosquitto broker (allow_anonymous false, password file): MQTT 3.1.1 CONNECT with user name and password flags set, password in clear; one QoS 1 PUBLISH to tlstop/test; DISCONNECT."
    local d="$WORK/mosquitto"
    mkdir -p "$d"
    mosquitto_passwd -b -c "$d/passwd" "$T_USER" "$T_PASS" >/dev/null 2>&1 || die "mosquitto_passwd failed"
    cat >"$d/mosquitto.conf" <<EOF
listener $2 $LO
allow_anonymous false
password_file $d/passwd
persistence false
log_dest stdout
log_type all
connection_messages true
user root
EOF
    server "$1.server" "$2" mosquitto -c "$d/mosquitto.conf"
    local spid=$LAST_PID
    timeout 30 mosquitto_pub -h $LO -p "$2" -u "$T_USER" -P "$T_PASS" -i tlstop-pub -t tlstop/test \
        -m 'hello from tlstop' -q 1 -d >"$LOGS/$1.client.log" 2>&1 || die "mosquitto_pub failed: $(cat "$LOGS/$1.client.log")"
    expect_in "$LOGS/$1.client.log" 'received CONNACK \(0\)' "MQTT CONNACK accepted"
    expect_in "$LOGS/$1.client.log" 'received PUBACK' "MQTT PUBACK"
    sleep 0.3
    stop_bg "$spid"
    expect_in "$LOGS/$1.server.log" "New client connected from $LO:[0-9]+ as tlstop-pub .*u'$T_USER'" "mosquitto authenticated the client"
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=mqtt creds=true expect_pw=true \
        check=mqtt client=mosquitto_pub server=mosquitto \
        "note=CONNECT (protocol level 4, client id tlstop-pub, user name $T_USER, password $T_PASS), CONNACK 0, PUBLISH QoS 1 'hello from tlstop', PUBACK, DISCONNECT."
}

cap_memcached() {
    note "$1" "Real memcached (ASCII protocol, UDP off) and a Python socket client: set tlstop:key, get tlstop:key, quit. No authentication (memcached's ASCII protocol has none)."
    server "$1.server" "$2" memcached -l $LO -p "$2" -U 0 -u root -m 8 -vv
    local spid=$LAST_PID
    timeout 30 "$PY" - "$2" >"$LOGS/$1.client.log" 2>&1 <<'PY' || die "memcached client failed: $(cat "$LOGS/$1.client.log")"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
def ask(req, end):
    s.sendall(req)
    buf = b""
    while not buf.endswith(end):
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    print(buf.decode().replace("\r\n", "|"))
    return buf
assert ask(b"set tlstop:key 0 0 5\r\nhello\r\n", b"\r\n") == b"STORED\r\n"
assert ask(b"get tlstop:key\r\n", b"END\r\n") == b"VALUE tlstop:key 0 5\r\nhello\r\nEND\r\n"
s.sendall(b"quit\r\n")
assert s.recv(16) == b""
s.close()
PY
    sleep 0.3
    stop_bg "$spid"
    expect_in "$LOGS/$1.server.log" '<[0-9]+ get tlstop:key' "memcached saw the get"
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=memcached creds=false expect_pw=false \
        check=memcached client=python-socket server=memcached \
        "note=ASCII protocol: 'set tlstop:key 0 0 5' + 'hello' -> STORED, 'get tlstop:key' -> VALUE/hello/END, 'quit'."
}

dns_capture() { # pcap port udp|tcp
    server "$1.server" "$2" dnsmasq -d -p "$2" --listen-address=$LO --bind-interfaces --no-resolv --no-hosts \
        --address=/tlstop.test/127.0.0.1 -C /dev/null --pid-file= --log-queries
    local spid=$LAST_PID extra=()
    [[ $3 == tcp ]] && extra=(+tcp)
    timeout 30 dig @$LO -p "$2" "${extra[@]}" +tries=1 +time=5 tlstop.test A >"$LOGS/$1.client.log" 2>&1 ||
        die "dig failed: $(cat "$LOGS/$1.client.log")"
    expect_in "$LOGS/$1.client.log" 'status: NOERROR' "DNS answer status"
    expect_in "$LOGS/$1.client.log" '^tlstop\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+127\.0\.0\.1' "DNS A record"
    sleep 0.3
    stop_bg "$spid"
    expect_in "$LOGS/$1.server.log" 'query\[A\] tlstop\.test from 127\.0\.0\.1' "dnsmasq saw the query"
}
cap_dns_udp() {
    note "$1" "dig (BIND 9) queries A tlstop.test over UDP from dnsmasq (--address=/tlstop.test/127.0.0.1, no upstream): one query datagram, one response datagram (with EDNS and a DNS cookie)."
    dns_capture "$1" "$2" udp
    conn "$1" transport=udp "server_port=$2" protocol=plaintext app=dns creds=false expect_pw=false \
        check=dns client=dig server=dnsmasq "note=Query A tlstop.test, answer 127.0.0.1."
}
cap_dns_tcp() {
    note "$1" "dig +tcp queries A tlstop.test over TCP from dnsmasq: one TCP connection with a length-prefixed query and response."
    dns_capture "$1" "$2" tcp
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=dns creds=false expect_pw=false \
        check=dns client=dig server=dnsmasq "note=DNS over TCP (2-byte length prefix): query A tlstop.test, answer 127.0.0.1."
}

cap_snmp() {
    note "$1" "Two snmpget requests for sysDescr.0 (1.3.6.1.2.1.1.1.0) to a real snmpd (private config, rocommunity public): first SNMPv2c, then SNMPv1, each from its own client port. The community string 'public' is in clear in every message."
    local d="$WORK/snmp"
    mkdir -p "$d"
    cat >"$d/snmpd.conf" <<EOF
agentAddress udp:$LO:$2
rocommunity public $LO
sysDescr tlstop test SNMP agent
sysContact tlstop@tlstop.test
sysLocation loopback
EOF
    export SNMP_PERSISTENT_DIR="$d" MIBS=""
    server "$1.server" "$2" snmpd -f -Lo -C -c "$d/snmpd.conf" -p "$d/snmpd.pid" -M /dev/null
    local spid=$LAST_PID
    timeout 30 snmpget -v2c -c public -On -r 0 -t 5 -M /dev/null $LO:"$2" .1.3.6.1.2.1.1.1.0 \
        >"$LOGS/$1.client.log" 2>&1 || die "snmpget v2c failed: $(cat "$LOGS/$1.client.log")"
    timeout 30 snmpget -v1 -c public -On -r 0 -t 5 -M /dev/null $LO:"$2" .1.3.6.1.2.1.1.1.0 \
        >>"$LOGS/$1.client.log" 2>&1 || die "snmpget v1 failed: $(cat "$LOGS/$1.client.log")"
    unset SNMP_PERSISTENT_DIR MIBS
    [[ $(grep -c '^\.1\.3\.6\.1\.2\.1\.1\.1\.0 = STRING: "tlstop test SNMP agent"' "$LOGS/$1.client.log") == 2 ]] ||
        die "snmpget answers: $(cat "$LOGS/$1.client.log")"
    sleep 0.3
    stop_bg "$spid"
    conn "$1" transport=udp "server_port=$2" protocol=plaintext app=snmp creds=true expect_pw=false \
        check=snmp snmp_version=1 client=snmpget server=snmpd \
        "note=SNMPv2c get-request / get-response (version field 1), community 'public' in clear."
    conn "$1" transport=udp "server_port=$2" protocol=plaintext app=snmp creds=true expect_pw=false \
        check=snmp snmp_version=0 client=snmpget server=snmpd \
        "note=SNMPv1 get-request / get-response (version field 0), community 'public' in clear."
}

cap_syslog() {
    note "$1" "logger (util-linux) sends one RFC 5424 message over UDP to a UDP receiver (plain-responders/syslog.py). One datagram, no reply."
    responder syslog "$1" "$2"
    timeout 30 logger --udp --server $LO --port "$2" --tag tlstop "tlstop test message" \
        >"$LOGS/$1.client.log" 2>&1 || die "logger failed: $(cat "$LOGS/$1.client.log")"
    wait_bg "$RESPONDER_PID" "syslog receiver"
    conn "$1" transport=udp "server_port=$2" protocol=plaintext app=syslog creds=false expect_pw=false \
        check=syslog report=1 client=logger server=responder:syslog.py \
        "note=<13>1 ... tlstop ... tlstop test message (facility user, severity notice)."
}

cap_http_post() {
    note "$1" "curl POSTs an application/x-www-form-urlencoded login form to a private nginx (plain HTTP, 'location = /login { return 200 ... }'). The password is in the request body literally."
    local d="$WORK/nginx-$2"
    mkdir -p "$d/tmp"
    cat >"$d/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections 32; }
http {
    client_body_temp_path $d/tmp; proxy_temp_path $d/tmp; fastcgi_temp_path $d/tmp;
    uwsgi_temp_path $d/tmp; scgi_temp_path $d/tmp;
    log_format fixture '\$request_method \$request_uri \$status \$remote_port \$content_type \$content_length';
    access_log $LOGS/$1.access.log fixture;
    server {
        listen $LO:$2;
        server_name tlstop.test;
        keepalive_timeout 5s;
        location = /login { default_type text/plain; return 200 "welcome\n"; }
        location / { return 404; }
    }
}
EOF
    nginx -t -q -e "$d/error.log" -p "$d" -c "$d/nginx.conf" || die "nginx config test failed: $(cat "$d/error.log")"
    server "$1.server" "$2" nginx -e "$d/error.log" -p "$d" -c "$d/nginx.conf"
    local spid=$LAST_PID
    local form="user=$T_USER&password=$T_PASS"
    timeout 30 curl -sS -v --max-time 20 -o "$LOGS/$1.body" -d "$form" \
        "http://$LO:$2/login" 2>"$LOGS/$1.client.log" || die "curl POST failed: $(tail "$LOGS/$1.client.log")"
    expect_in "$LOGS/$1.client.log" '^< HTTP/1\.1 200' "HTTP status"
    expect_in "$LOGS/$1.body" '^welcome$' "HTTP body"
    sleep 0.3
    stop_bg "$spid"
    expect_in "$LOGS/$1.access.log" "^POST /login 200 [0-9]+ application/x-www-form-urlencoded ${#form}\$" "nginx access log"
    conn "$1" transport=tcp "server_port=$2" protocol=plaintext app=http creds=true expect_pw=true \
        check=http client=curl server=nginx \
        "note=POST /login HTTP/1.1, Content-Type application/x-www-form-urlencoded, body '$form' (${#form} bytes); 200 OK 'welcome'."
}

cap_ssh() {
    note "$1" "Real OpenSSH client (BatchMode, no keys) against a real sshd on a private config and a throw-away ed25519 host key. Banners and KEXINIT in clear, key exchange, NEWKEYS, then everything encrypted; the user '$T_USER' does not exist, so publickey authentication fails inside the encrypted channel and the client disconnects."
    local d="$WORK/sshd"
    mkdir -p "$d"
    if [[ ! -d /run/sshd ]]; then mkdir -p /run/sshd; chmod 755 /run/sshd; RUN_SSHD_CREATED=1; fi
    ssh-keygen -q -t ed25519 -N '' -C tlstop-fixture-host -f "$d/host_ed25519"
    cat >"$d/sshd_config" <<EOF
ListenAddress $LO
Port $2
HostKey $d/host_ed25519
PidFile $d/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile none
PermitRootLogin no
LogLevel VERBOSE
EOF
    /usr/sbin/sshd -t -f "$d/sshd_config" || die "sshd config test failed"
    server "$1.server" "$2" /usr/sbin/sshd -D -e -f "$d/sshd_config"
    local spid=$LAST_PID rc=0
    timeout 30 ssh -F /dev/null -v -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o IdentitiesOnly=yes -o IdentityFile=none -o ConnectTimeout=10 -p "$2" "$T_USER@$LO" true \
        >"$LOGS/$1.client.log" 2>&1 || rc=$?
    ((rc == 255)) || die "ssh exited $rc, expected 255 (authentication failure): $(tail "$LOGS/$1.client.log")"
    expect_in "$LOGS/$1.client.log" 'Remote protocol version 2\.0, remote software version OpenSSH' "ssh banner exchange"
    expect_in "$LOGS/$1.client.log" 'SSH2_MSG_NEWKEYS received' "ssh key exchange"
    expect_in "$LOGS/$1.client.log" 'Permission denied \(publickey\)' "ssh auth failure"
    sleep 0.3
    stop_bg "$spid"
    expect_in "$LOGS/$1.server.log" "Invalid user $T_USER from $LO" "sshd saw the user"
    conn "$1" transport=tcp "server_port=$2" protocol=ssh app=null creds=false expect_pw=false \
        check=ssh client=ssh server=sshd \
        "note=SSH-2.0 banners (client and server OpenSSH), KEXINIT both ways, $(tr -d '\r' <"$LOGS/$1.client.log" | sed -n 's/^debug1: kex: algorithm: //p' | head -n1) key exchange, NEWKEYS; the rest (service request, failed publickey auth, disconnect) is encrypted ($(tr -d '\r' <"$LOGS/$1.client.log" | sed -n 's/^debug1: kex: server->client cipher: \([^ ]*\).*/\1/p' | head -n1))."
}

# ---- WireGuard between two namespaces -------------------------------------
cap_wireguard() {
    local name=$1 port=$2 mode ka kb pa pb ia=tpwga$$ ib=tpwgb$$ pida="" pidb=""
    log "capture $name (WireGuard between namespaces, UDP $port)"
    ns_pair wg 61
    if ip -n "$NS_A" link add "$ia" type wireguard 2>/dev/null; then
        mode=kernel
        ip -n "$NS_B" link add "$ib" type wireguard
    else
        # The kernel has no WireGuard (CONFIG_WIREGUARD): use the userspace
        # implementation (same wire protocol) on a TUN device.
        mode=wireguard-go
        [[ -d /run/wireguard ]] || RUN_WG_CREATED=1     # its UAPI sockets go there
        export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
        spawn "$name.wireguard-go-a" ip netns exec "$NS_A" wireguard-go -f "$ia"; pida=$LAST_PID
        spawn "$name.wireguard-go-b" ip netns exec "$NS_B" wireguard-go -f "$ib"; pidb=$LAST_PID
        local i
        for ((i = 0; i < 100; i++)); do
            ip -n "$NS_A" link show "$ia" >/dev/null 2>&1 && ip -n "$NS_B" link show "$ib" >/dev/null 2>&1 && break
            sleep 0.1
        done
        ((i < 100)) || die "wireguard-go did not create its interfaces: $(cat "$LOGS/$name".wireguard-go-*.log)"
    fi
    ka=$(wg genkey); kb=$(wg genkey)
    pa=$(printf '%s' "$ka" | wg pubkey); pb=$(printf '%s' "$kb" | wg pubkey)
    printf '%s\n' "$ka" >"$WORK/wg-a.key"; printf '%s\n' "$kb" >"$WORK/wg-b.key"
    chmod 600 "$WORK"/wg-*.key
    ip netns exec "$NS_A" wg set "$ia" private-key "$WORK/wg-a.key" listen-port "$port" \
        peer "$pb" endpoint "10.250.61.2:$port" allowed-ips 10.250.62.2/32
    ip netns exec "$NS_B" wg set "$ib" private-key "$WORK/wg-b.key" listen-port "$port" \
        peer "$pa" endpoint "10.250.61.1:$port" allowed-ips 10.250.62.1/32
    ip -n "$NS_A" addr add 10.250.62.1/24 dev "$ia"; ip -n "$NS_A" link set "$ia" up
    ip -n "$NS_B" addr add 10.250.62.2/24 dev "$ib"; ip -n "$NS_B" link set "$ib" up
    start_capture "$STAGE/$name" va "udp port $port" "$NS_A"
    ip netns exec "$NS_A" ping -c 3 -i 0.3 -W 3 10.250.62.2 >"$LOGS/$name.client.log" 2>&1 ||
        die "ping through WireGuard failed: $(cat "$LOGS/$name.client.log")"
    stop_capture "$STAGE/$name"
    expect_in "$LOGS/$name.client.log" '3 packets transmitted, 3 received' "WireGuard ping"
    ip netns exec "$NS_A" wg show "$ia" >"$LOGS/$name.wg-show.log"
    expect_in "$LOGS/$name.wg-show.log" 'latest handshake' "WireGuard handshake"
    note "$name" "Two network namespaces joined by a veth pair (10.250.61.1 <-> 10.250.61.2), a WireGuard interface in each ($mode; tunnel addresses 10.250.62.1/.2, both listening on UDP $port), 3 pings through the tunnel. Captured on the veth in the first namespace: handshake initiation, handshake response, then transport data messages (the first from the initiator doubles as key confirmation). Link type Ethernet."
    conn "$name" transport=udp "server_port=$port" protocol=wireguard app=null creds=false expect_pw=false \
        check=wg client="wg+$mode" server="wg+$mode" \
        "note=WireGuard ($mode): message types 1 (handshake initiation), 2 (handshake response), 4 (transport data, 3 ICMP echo requests and 3 replies). Both peers use UDP port $port, so client_port == server_port; the client is the initiator (10.250.61.1)."
    if [[ -n $pida ]]; then stop_bg "$pida"; stop_bg "$pidb"; fi
    ns_del "$NS_A" "$NS_B"
}

# ---- IPsec ESP between two namespaces --------------------------------------
ESP_MODE_USED=""
esp_kernel_ok() { # can this kernel do ESP SAs? tried inside a scratch namespace
    local ns="tlstop-plain-$$-xfrmprobe" ok=1
    ip netns add "$ns"; NETNS+=("$ns")
    ip -n "$ns" xfrm state add src 10.250.0.1 dst 10.250.0.2 proto esp spi 0x100 mode tunnel \
        enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f auth-trunc 'hmac(sha256)' \
        0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128 2>/dev/null || ok=0
    ns_del "$ns"
    ((ok))
}

cap_esp_kernel() { # name encap(none|udp)
    local name=$1 encap=$2 ekey akey ns sock_pids=()
    ns_pair "esp$encap" 63
    local a=10.250.63.1 b=10.250.63.2 ta=10.250.64.1 tb=10.250.64.2
    ip -n "$NS_A" addr add $ta/32 dev lo; ip -n "$NS_B" addr add $tb/32 dev lo
    local encap_args=()
    [[ $encap == udp ]] && encap_args=(encap espinudp 4500 4500 0.0.0.0)
    ekey=0x$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n'); akey=0x$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
    for ns in "$NS_A" "$NS_B"; do
        ip -n "$ns" xfrm state add src $a dst $b proto esp spi 0x00001001 reqid 1 mode tunnel \
            enc 'cbc(aes)' "$ekey" auth-trunc 'hmac(sha256)' "$akey" 128 "${encap_args[@]}"
        ip -n "$ns" xfrm state add src $b dst $a proto esp spi 0x00001002 reqid 2 mode tunnel \
            enc 'cbc(aes)' "$ekey" auth-trunc 'hmac(sha256)' "$akey" 128 "${encap_args[@]}"
    done
    ip -n "$NS_A" xfrm policy add src $ta/32 dst $tb/32 dir out tmpl src $a dst $b proto esp reqid 1 mode tunnel
    ip -n "$NS_A" xfrm policy add src $tb/32 dst $ta/32 dir in tmpl src $b dst $a proto esp reqid 2 mode tunnel
    ip -n "$NS_B" xfrm policy add src $tb/32 dst $ta/32 dir out tmpl src $b dst $a proto esp reqid 2 mode tunnel
    ip -n "$NS_B" xfrm policy add src $ta/32 dst $tb/32 dir in tmpl src $a dst $b proto esp reqid 1 mode tunnel
    ip -n "$NS_A" route add $tb/32 via $b src $ta
    ip -n "$NS_B" route add $ta/32 via $a src $tb
    if [[ $encap == udp ]]; then
        # ESP-in-UDP needs a UDP_ENCAP socket on port 4500 at both ends
        for ns in A B; do
            local nsn="NS_$ns"
            spawn "$name.encap-sock-$ns" ip netns exec "${!nsn}" "$PY" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4500))
s.setsockopt(socket.IPPROTO_UDP, 100, 2)   # UDP_ENCAP = UDP_ENCAP_ESPINUDP
time.sleep(60)'
            sock_pids+=("$LAST_PID")
        done
        sleep 0.5
    fi
    local filter="esp"; [[ $encap == udp ]] && filter="udp port 4500"
    start_capture "$STAGE/$name" va "$filter" "$NS_A"
    ip netns exec "$NS_A" ping -c 3 -i 0.3 -W 3 -I $ta $tb >"$LOGS/$name.client.log" 2>&1 ||
        die "ping through ESP failed: $(cat "$LOGS/$name.client.log")"
    stop_capture "$STAGE/$name"
    expect_in "$LOGS/$name.client.log" '3 packets transmitted, 3 received' "ESP ping"
    ESP_MODE_USED="kernel xfrm, static keys"
    if [[ $encap == udp ]]; then
        note "$name" "Kernel IPsec (ip xfrm, static keys, no IKE), tunnel mode, AES-CBC + HMAC-SHA256-128, UDP-encapsulated (encap espinudp 4500 4500) between two namespaces (10.250.63.1 <-> 10.250.63.2, inner 10.250.64.1 <-> .2). 3 pings: 6 ESP-in-UDP datagrams on port 4500."
        conn "$name" transport=udp server_port=4500 protocol=esp app=null creds=false expect_pw=false check=esp-udp \
            client=ip-xfrm server=ip-xfrm "note=ESP in UDP (RFC 3948), SPIs 0x1001 and 0x1002."
    else
        note "$name" "Kernel IPsec (ip xfrm, static keys, no IKE), tunnel mode, AES-CBC + HMAC-SHA256-128, between two namespaces (10.250.63.1 <-> 10.250.63.2, inner 10.250.64.1 <-> .2). 3 pings: 6 ESP packets (IP protocol 50)."
        conn "$name" transport=esp server_port=null protocol=esp app=null creds=false expect_pw=false check=esp \
            client=ip-xfrm server=ip-xfrm "note=Raw ESP (IP protocol 50), SPIs 0x1001 and 0x1002; no ports."
    fi
    for ns in "${sock_pids[@]}"; do stop_bg "$ns"; done
    ns_del "$NS_A" "$NS_B"
}

cap_esp_libipsec() { # name : strongSwan IKEv2 + userspace ESP (kernel-libipsec), UDP-encapsulated
    local name=$1 s me pe d
    ns_pair esplib 63
    ip -n "$NS_A" addr add 10.250.64.1/32 dev lo; ip -n "$NS_B" addr add 10.250.64.2/32 dev lo
    local -A pid_of=()
    for s in a b; do
        d="$WORK/strongswan-$s"; mkdir -p "$d"
        if [[ $s == a ]]; then me=1; pe=2; else me=2; pe=1; fi
        cat >"$d/strongswan.conf" <<EOF
charon {
    load_modular = no
    load = random nonce aes sha1 sha2 hmac kdf gmp pem pkcs1 x509 pubkey kernel-libipsec kernel-netlink socket-default vici
    plugins {
        vici { socket = unix://$d/charon.vici }
    }
    filelog {
        charon { path = $LOGS/$name.charon-$s.log
                 time_format = %T
                 default = 1
                 ike = 1 }
    }
    syslog { daemon { default = -1 } }
}
swanctl { load = random nonce aes sha1 sha2 hmac pem pkcs1 x509 pubkey }
EOF
        cat >"$d/swanctl.conf" <<EOF
connections {
    tlstop {
        version = 2
        local_addrs = 10.250.63.$me
        remote_addrs = 10.250.63.$pe
        encap = yes
        mobike = no
        proposals = aes256-sha256-modp2048
        local { auth = psk
                id = $s.tlstop.test }
        remote { auth = psk }
        children {
            net { local_ts = 10.250.64.$me/32
                  remote_ts = 10.250.64.$pe/32
                  esp_proposals = aes256-sha256
                  mode = tunnel }
        }
    }
}
secrets { ike-tlstop { secret = "tlstop-fixture-psk-not-a-secret" } }
EOF
        local nsn=NS_A; [[ $s == b ]] && nsn=NS_B
        # charon's pid file is fixed (/run/charon.pid): give each its own /run
        spawn "$name.charon-$s.stdout" ip netns exec "${!nsn}" env STRONGSWAN_CONF="$d/strongswan.conf" \
            unshare -m sh -c 'mount -t tmpfs tmpfs /run && exec /usr/lib/ipsec/charon'
        pid_of[$s]=$LAST_PID
        local i
        for ((i = 0; i < 100; i++)); do
            [[ -S $d/charon.vici ]] && break
            kill -0 "$LAST_PID" 2>/dev/null || die "charon ($s) exited: $(cat "$LOGS/$name.charon-$s.stdout.log")"
            sleep 0.1
        done
        ((i < 100)) || die "charon ($s) did not open its vici socket"
        STRONGSWAN_CONF="$d/strongswan.conf" swanctl --load-all --file "$d/swanctl.conf" --uri "unix://$d/charon.vici" \
            >"$LOGS/$name.swanctl-load-$s.log" 2>&1 || die "swanctl --load-all ($s) failed: $(cat "$LOGS/$name.swanctl-load-$s.log")"
    done
    start_capture "$STAGE/$name" va "udp port 500 or udp port 4500" "$NS_A"
    STRONGSWAN_CONF="$WORK/strongswan-a/strongswan.conf" timeout 30 swanctl --initiate --child net \
        --uri "unix://$WORK/strongswan-a/charon.vici" >"$LOGS/$name.swanctl-initiate.log" 2>&1 ||
        die "IKE failed: $(tail "$LOGS/$name.swanctl-initiate.log")"
    ip netns exec "$NS_A" ping -c 3 -i 0.3 -W 3 -I 10.250.64.1 10.250.64.2 >"$LOGS/$name.client.log" 2>&1 ||
        die "ping through ESP failed: $(cat "$LOGS/$name.client.log")"
    stop_capture "$STAGE/$name"
    expect_in "$LOGS/$name.swanctl-initiate.log" 'CHILD_SA net\{[0-9]+\} established' "CHILD_SA"
    expect_in "$LOGS/$name.client.log" '3 packets transmitted, 3 received' "ESP ping"
    local prop
    prop=$(sed -n 's/.*selected proposal: \(ESP:[^ ]*\).*/\1/p' "$LOGS/$name.swanctl-initiate.log" | head -n1)
    stop_bg "${pid_of[a]}"; stop_bg "${pid_of[b]}"
    ns_del "$NS_A" "$NS_B"
    ESP_MODE_USED="strongSwan charon $(dpkg-query -W -f '${Version}' strongswan-charon) with kernel-libipsec (userspace ESP), IKEv2 PSK"
    note "$name" "IKEv2 (strongSwan charon, PSK) then ESP between two namespaces (10.250.63.1 <-> 10.250.63.2, inner 10.250.64.1 <-> .2), 3 pings through the tunnel. This kernel has no ESP support (CONFIG_INET_ESP unset), so the ESP SA is handled in userspace by strongSwan's kernel-libipsec, which always uses UDP encapsulation: IKE_SA_INIT on UDP 500, then IKE_AUTH and the ESP packets (RFC 3948 ESP-in-UDP) on UDP 4500. $prop."
    conn "$name" transport=udp server_port=500 protocol=esp app=null creds=false expect_pw=false check=ike \
        client=charon server=charon \
        "note=IKEv2 IKE_SA_INIT request and response on UDP 500 <-> 500 (ISAKMP; negotiates the SA; NAT-T is forced with encap=yes, so the exchange moves to port 4500)."
    conn "$name" transport=udp server_port=4500 protocol=esp app=null creds=false expect_pw=false check=esp-udp \
        client=charon server=charon \
        "note=UDP 4500 <-> 4500: IKE_AUTH (with the 4-byte non-ESP marker) and then ESP-in-UDP: 3 echo requests and 3 replies, $prop."
}

derive_raw_esp() { # src dst : strip the UDP header from ESP-in-UDP packets -> IP protocol 50
    "$PY" - "$1" "$2" <<'PY'
import struct, sys
src, dst = sys.argv[1:3]
data = open(src, "rb").read()
magic = data[:4]
bo = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}[magic]
hdr, off, out, kept = data[:24], 24, [], 0
assert struct.unpack(bo + "I", hdr[20:24])[0] == 1, "expected an Ethernet capture"
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
while off < len(data):
    ts1, ts2, incl, orig = struct.unpack(bo + "IIII", data[off:off + 16])
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    if pkt[12:14] != b"\x08\x00":
        continue
    ihl = (pkt[14] & 15) * 4
    ip = pkt[14:14 + ihl]
    if ip[9] != 17:
        continue
    udp = pkt[14 + ihl:14 + ihl + 8]
    payload = pkt[14 + ihl + 8:]
    if struct.unpack("!H", udp[2:4])[0] != 4500 or len(payload) < 8 or payload[:4] == b"\0\0\0\0":
        continue   # IKE (port 500, or non-ESP marker) and NAT keepalives are dropped
    ip = bytearray(ip)
    ip[9] = 50
    struct.pack_into("!H", ip, 2, ihl + len(payload))
    struct.pack_into("!H", ip, 10, 0)
    struct.pack_into("!H", ip, 10, csum(bytes(ip)))
    new = pkt[:14] + bytes(ip) + payload
    out.append(struct.pack(bo + "IIII", ts1, ts2, len(new), len(new)) + new)
    kept += 1
assert kept >= 6, f"only {kept} ESP packets"
open(dst, "wb").write(hdr + b"".join(out))
print(kept)
PY
}

cap_esp() {
    local port=$2 n
    if esp_kernel_ok; then
        log "capture enc-esp.pcap and enc-esp-udp.pcap (kernel xfrm, static keys, between namespaces)"
        cap_esp_kernel enc-esp.pcap none
        cap_esp_kernel enc-esp-udp.pcap udp
        return
    fi
    [[ -f /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ]] || die "no kernel ESP and no strongSwan kernel-libipsec"
    log "capture enc-esp-udp.pcap (kernel has no ESP: strongSwan IKEv2 + userspace kernel-libipsec, ESP in UDP 4500)"
    cap_esp_libipsec enc-esp-udp.pcap
    log "deriving enc-esp.pcap (raw ESP) from enc-esp-udp.pcap"
    n=$(derive_raw_esp "$STAGE/enc-esp-udp.pcap" "$STAGE/enc-esp.pcap")
    note enc-esp.pcap "DERIVED, not captured: this kernel cannot do ESP (CONFIG_INET_ESP unset) and strongSwan 5.9.8's userspace ESP always uses UDP encapsulation. The $n ESP packets of enc-esp-udp.pcap with the 8-byte UDP header removed and the IP protocol set to 50 (IP total length and header checksum recomputed): the same SPIs, sequence numbers, IVs, ciphertext and ICVs that a raw-ESP SA would carry, with the original timestamps. The IKE packets are left out."
    plan_add kind=derived pcap=enc-esp.pcap derived_from=enc-esp-udp.pcap
    conn enc-esp.pcap transport=esp server_port=null protocol=esp app=null creds=false expect_pw=false check=esp \
        client=charon server=charon derived=1 \
        "note=Raw ESP (IP protocol 50) between 10.250.63.1 and 10.250.63.2, 3 echo requests and 3 replies; no ports (client_port and server_port are null)."
}

P=$BASE_PORT
run_capture plain-ftp-login.pcap          $((P + 1))  cap_ftp "port $((P + 1)) or port $FTP_DATA_PORT"
run_capture plain-smtp-auth-plain.pcap    $((P + 2))  cap_smtp_plain
run_capture plain-smtp-auth-login.pcap    $((P + 3))  cap_smtp_login
run_capture plain-pop3-user.pcap          $((P + 4))  cap_pop3
run_capture plain-imap-login.pcap         $((P + 5))  cap_imap
run_capture plain-telnet-login.pcap       $((P + 6))  cap_telnet
run_capture plain-ldap-simple-bind.pcap   $((P + 7))  cap_ldap
run_capture plain-mysql.pcap              $((P + 8))  cap_mysql
run_capture plain-postgres.pcap           $((P + 9))  cap_postgres
run_capture plain-redis.pcap              $((P + 10)) cap_redis
run_capture plain-mqtt.pcap               $((P + 11)) cap_mqtt
run_capture plain-memcached.pcap          $((P + 12)) cap_memcached
run_capture plain-dns-udp.pcap            $((P + 13)) cap_dns_udp
run_capture plain-dns-tcp.pcap            $((P + 14)) cap_dns_tcp
run_capture plain-snmp.pcap               $((P + 15)) cap_snmp
run_capture plain-syslog-udp.pcap         $((P + 16)) cap_syslog
run_capture plain-http-post-password.pcap $((P + 17)) cap_http_post
run_capture enc-ssh.pcap                  $((P + 18)) cap_ssh
cap_wireguard enc-wireguard.pcap          $((P + 19))
cap_esp       enc-esp.pcap                $((P + 20))

# --------------------------------------------------------------------------
# manifest: cross-check every connection with tshark, write the JSON
# --------------------------------------------------------------------------
{
    printf 'curl\t%s\n' "$(curl --version | head -n1 | cut -d' ' -f1-2)"
    printf 'telnet\t%s\n' "$(telnet --version 2>/dev/null | head -n1)"
    printf 'ldapsearch\tldapsearch (%s)\n' "$(dpkg-query -W -f '${Package} ${Version}' ldap-utils)"
    printf 'slapd\t%s\n' "$(/usr/sbin/slapd -VV 2>&1 | sed -n 's/.*\(slapd [0-9][^ ]*\).*/OpenLDAP \1/p' | head -n1)"
    printf 'mariadb\t%s\n' "$(mariadb --version | sed 's/^mariadb *//')"
    printf 'mariadbd\tMariaDB server %s\n' "$(mariadbd --version | awk '{print $3}')"
    printf 'psql\t%s\n' "$(psql --version)"
    printf 'postgres\t%s\n' "$("$PGBIN/postgres" --version)"
    printf 'redis-cli\t%s\n' "$(redis-cli --version)"
    printf 'redis-server\t%s\n' "$(redis-server --version | cut -d' ' -f1-3)"
    printf 'mosquitto_pub\tmosquitto_pub %s\n' "$(mosquitto_pub --help 2>/dev/null | sed -n 's/^mosquitto_pub version \([^ ]*\).*/\1/p')"
    printf 'mosquitto\tmosquitto %s\n' "$(dpkg-query -W -f '${Version}' mosquitto)"
    printf 'memcached\t%s\n' "$(memcached -V)"
    printf 'python-socket\tPython %s socket client\n' "$("$PY" -c 'import platform; print(platform.python_version())')"
    printf 'dig\tdig %s\n' "$(dig -v 2>&1 | head -n1 | sed 's/^DiG //')"
    printf 'dnsmasq\t%s\n' "$(dnsmasq --version | head -n1 | cut -d' ' -f1-3)"
    printf 'snmpget\tsnmpget (%s)\n' "$(snmpget --version 2>&1 | head -n1)"
    printf 'snmpd\tsnmpd (%s)\n' "$(snmpd --version 2>&1 | sed -n 's/^NET-SNMP version: *\(.*\)/NET-SNMP \1/p' | head -n1)"
    printf 'logger\t%s\n' "$(logger --version)"
    printf 'nginx\t%s\n' "$(nginx -v 2>&1 | sed 's/^nginx version: //')"
    printf 'ssh\t%s\n' "$(ssh -V 2>&1)"
    printf 'sshd\t%s\n' "$(ssh -V 2>&1 | cut -d, -f1) sshd"
    printf 'wg+kernel\tLinux kernel WireGuard + wireguard-tools %s\n' "$(wg --version | awk '{print $2}')"
    printf 'wg+wireguard-go\twireguard-go %s + wireguard-tools %s\n' "$(dpkg-query -W -f '${Version}' wireguard-go)" "$(wg --version | awk '{print $2}')"
    printf 'ip-xfrm\tLinux kernel xfrm via %s\n' "$(ip -V)"
    printf 'charon\t%s\n' "${ESP_MODE_USED:-strongSwan charon}"
    printf 'tshark\t%s\n' "$(tshark --version 2>/dev/null | head -n1)"
    printf 'responder\tPython %s\n' "$("$PY" -c 'import platform; print(platform.python_version())')"
} >"$WORK/versions.tsv"

log "building fixtures-plaintext.json (client and server reports vs tshark)"
# fail, read_plan and pcap_records: FX_PY_HELPERS in lib/fixture-common.sh
fx_python "$PY" "$PLAN" "$STAGE" "$LOGS" "$WORK/versions.tsv" "$WORK/fixtures-plaintext.json" "$T_USER" "$T_PASS" <<'PY'
import base64, collections, json, os, re, subprocess, sys

plan_path, stage, logs, versions_path, out_path, USER, PASS = sys.argv[1:8]
PASSB = PASS.encode()


VERS = dict(l.rstrip("\n").split("\t", 1) for l in open(versions_path))

order, notes, plan = read_plan(plan_path)
conns = plan["conn"]
derived = {pcap: recs[-1]["derived_from"] for pcap, recs in plan["derived"].items()}


def pcap_info(path):
    data = open(path, "rb").read()
    lt, _, recs, _ = pcap_records(path, data)
    return lt, len(recs), data


def tshark(path, fields, yfilter=None, decode=(), prefs=()):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
           "-E", "aggregator=\x1f"]
    for d in decode:
        cmd += ["-d", d]
    for o in prefs:
        cmd += ["-o", o]
    if yfilter:
        cmd += ["-Y", yfilter]
    for f in fields:
        cmd += ["-e", f]
    res = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if res.returncode != 0:
        fail(f"tshark {' '.join(cmd[5:])}: {res.stderr.strip()}")
    rows = []
    for line in res.stdout.splitlines():
        vals = line.split("\t")
        vals += [""] * (len(fields) - len(vals))
        rows.append({f: ([x for x in v.split("\x1f")] if v else []) for f, v in zip(fields, vals)})
    return rows


def first(rows, field):
    for r in rows:
        if r[field]:
            return r[field][0]
    return None


def allv(rows, field):
    return [v for r in rows for v in r[field]]


# ---- flows as tshark sees them ----------------------------------------------
FLOW_FIELDS = ["frame.number", "ip.src", "ip.dst", "ip.proto", "tcp.stream", "tcp.srcport", "tcp.dstport",
               "tcp.flags.syn", "tcp.flags.ack", "tcp.payload", "udp.srcport", "udp.dstport", "udp.payload",
               "esp.spi"]


def flows(path):
    out = collections.OrderedDict()
    for r in tshark(path, FLOW_FIELDS):
        src, dst = r["ip.src"][-1], r["ip.dst"][-1]
        if r["tcp.stream"]:
            key = ("tcp", r["tcp.stream"][0])
            sp, dp = int(r["tcp.srcport"][0]), int(r["tcp.dstport"][0])
            payload = bytes.fromhex(r["tcp.payload"][0].replace(":", "")) if r["tcp.payload"] else b""
        elif r["udp.srcport"]:
            sp, dp = int(r["udp.srcport"][0]), int(r["udp.dstport"][0])
            key = ("udp",) + tuple(sorted([(src, sp), (dst, dp)]))
            payload = bytes.fromhex(r["udp.payload"][0].replace(":", "")) if r["udp.payload"] else b""
        elif "50" in r["ip.proto"]:
            key = ("esp",) + tuple(sorted([src, dst]))
            sp = dp = None
            payload = b""
        else:
            continue
        f = out.get(key)
        if f is None:
            f = out[key] = {"transport": key[0], "frames": [], "first": (src, sp, dst, dp), "syn": None,
                            "bytes": collections.defaultdict(bytes), "spis": set()}
        f["frames"].append(int(r["frame.number"][0]))
        if r["tcp.flags.syn"] and r["tcp.flags.syn"][0] in ("1", "True") and \
                r["tcp.flags.ack"][0] in ("0", "False") and f["syn"] is None:
            f["syn"] = (src, sp, dst, dp)
        f["bytes"][(src, sp)] += payload
        if r["esp.spi"]:
            f["spis"].add(r["esp.spi"][0])
    return list(out.values())


def endpoints(flow, rec):
    """(client_ip, client_port, server_ip, server_port) for a flow."""
    if flow["transport"] == "tcp":
        if flow["syn"] is None:
            fail(f"{rec['pcap']}: a TCP connection without a SYN")
        return flow["syn"]
    src, sp, dst, dp = flow["first"]
    if flow["transport"] == "udp":
        want = int(rec["server_port"])
        if dp == want:
            return src, sp, dst, dp
        if sp == want:
            return dst, dp, src, sp
        fail(f"{rec['pcap']}: UDP flow {flow['first']} does not involve port {want}")
    return src, None, dst, None


# ---- per-application tshark checks -------------------------------------------
def expect(cond, where, msg):
    if not cond:
        fail(f"{where}: {msg}")


def check_app(path, rec, flow, where, port):
    """Look at the dissection; return a dict of what tshark saw (for the manifest)."""
    c = rec["check"]
    frames = flow["frames"]
    fr = "frame.number in {%s}" % ",".join(map(str, frames))
    seen = {}
    if c == "ftp":
        rows = tshark(path, ["ftp.request.command", "ftp.request.arg", "ftp.response.code"], fr,
                      [f"tcp.port=={port},ftp"])
        cmds = allv(rows, "ftp.request.command")
        user = [r["ftp.request.arg"][0] for r in rows if r["ftp.request.command"] == ["USER"]]
        pw = [r["ftp.request.arg"][0] for r in rows if r["ftp.request.command"] == ["PASS"]]
        expect(user == [USER], where, f"tshark USER {user}")
        expect(pw == [PASS], where, f"tshark PASS {pw} (-Y ftp.request.command==PASS)")
        expect("PASV" in cmds and "LIST" in cmds, where, f"commands {cmds}")
        seen = {"filter": "ftp.request.command==PASS", "commands": cmds, "user": user[0], "password": pw[0]}
    elif c == "ftp-data":
        rows = tshark(path, ["ftp-data.command", "ftp-data.setup-method"], fr + " && ftp-data",
                      [f"tcp.port=={rec['control_port']},ftp"])
        expect(rows, where, "tshark does not decode the data connection as ftp-data")
        seen = {"filter": "ftp-data", "command": first(rows, "ftp-data.command"),
                "setup_method": first(rows, "ftp-data.setup-method")}
    elif c == "smtp":
        rows = tshark(path, ["smtp.req.command", "smtp.req.parameter", "smtp.auth.username", "smtp.auth.password",
                             "smtp.rsp.parameter"], fr, [f"tcp.port=={port},smtp"],
                      ["smtp.decryption:TRUE"])   # decode the base64 AUTH exchange
        auth = [r["smtp.req.parameter"][0] for r in rows if r["smtp.req.command"] == ["AUTH"]]
        expect(auth and auth[0].split()[0] == rec["mech"], where, f"AUTH parameter {auth} (-Y smtp.req.command==AUTH)")
        ehlo = " ".join(allv(rows, "smtp.rsp.parameter"))
        expect("AUTH PLAIN LOGIN" in ehlo and "STARTTLS" not in ehlo, where, f"EHLO response {ehlo!r}")
        users = set(allv(rows, "smtp.auth.username"))
        pws = set(allv(rows, "smtp.auth.password"))
        expect(users == {USER} and pws == {PASS}, where,
               f"tshark's decoded SMTP credentials {users} / {pws}")
        seen = {"filter": "smtp.req.command==AUTH", "auth": auth[0].split()[0], "decoded_user": USER,
                "decoded_password": PASS, "commands": allv(rows, "smtp.req.command")}
    elif c == "pop3":
        rows = tshark(path, ["pop.request.command", "pop.request.parameter"], fr, [f"tcp.port=={port},pop"])
        pw = [r["pop.request.parameter"][0] for r in rows if r["pop.request.command"] == ["PASS"]]
        us = [r["pop.request.parameter"][0] for r in rows if r["pop.request.command"] == ["USER"]]
        expect(pw == [PASS] and us == [USER], where, f"tshark USER {us} PASS {pw}")
        seen = {"filter": 'pop.request.command=="PASS"', "commands": allv(rows, "pop.request.command")}
    elif c == "imap":
        rows = tshark(path, ["imap.request.command", "imap.request.username", "imap.request.password", "imap.request"],
                      fr, [f"tcp.port=={port},imap"])
        us, pw = allv(rows, "imap.request.username"), allv(rows, "imap.request.password")
        line = [l for l in allv(rows, "imap.request") if " LOGIN " in l.upper()]
        # tshark 4.0 strips the first and last character of an unquoted LOGIN
        # password, as if it were quoted: accept that, but require the whole
        # request line to carry the password.
        expect(us == [USER] and pw in ([PASS], [PASS[1:-1]]), where, f"tshark LOGIN {us} {pw}")
        expect(len(line) == 1 and line[0].split(" ", 1)[1] == f"LOGIN {USER} {PASS}", where, f"LOGIN line {line}")
        cmds = [x.upper() for x in allv(rows, "imap.request.command")]
        expect("LOGIN" in cmds and not any(x.startswith("AUTHENTICATE") or x == "STARTTLS" for x in cmds), where,
               f"commands {cmds}")
        seen = {"filter": 'imap.request.command=="LOGIN"', "commands": cmds, "login_line": line[0]}
        if pw != [PASS]:
            seen["tshark_quirk"] = (f"imap.request.password is {pw[0]!r}: tshark {VERS['tshark'].split()[2]} drops "
                                    "the first and last character of an unquoted password")
    elif c == "telnet":
        rows = tshark(path, ["telnet.data", "telnet.cmd", "telnet.subcmd"], fr + " && telnet", [f"tcp.port=={port},telnet"])
        data = allv(rows, "telnet.data")
        expect(any(PASS in d for d in data), where, f"password not in telnet.data {data}")
        expect(any(USER in d for d in data), where, f"user not in telnet.data")
        expect(any("login:" in d for d in data) and any("Password:" in d for d in data), where, "prompts missing")
        names = {"240": "SE", "250": "SB", "251": "WILL", "252": "WONT", "253": "DO", "254": "DONT"}
        seen = {"filter": "telnet.data",
                "negotiation_commands": sorted({names.get(x, x) for x in allv(rows, "telnet.cmd")})}
    elif c == "ldap":
        rows = tshark(path, ["ldap.name", "ldap.simple", "ldap.protocolOp", "ldap.resultCode"], fr,
                      [f"tcp.port=={port},ldap"])
        b = tshark(path, ["ldap.name", "ldap.simple"], fr + " && ldap.bindRequest_element", [f"tcp.port=={port},ldap"])
        expect(b, where, "no ldap.bindRequest_element")
        expect(first(b, "ldap.name") == f"cn={USER},dc=tlstop,dc=test" and first(b, "ldap.simple") == PASS, where,
               f"bind {first(b, 'ldap.name')} / {first(b, 'ldap.simple')}")
        ops = allv(rows, "ldap.protocolOp")
        expect(ops[:2] == ["0", "1"] and "3" in ops and "5" in ops and ops[-1] == "2", where, f"LDAP ops {ops}")
        expect(set(allv(rows, "ldap.resultCode")) == {"0"}, where, "an LDAP result is not success")
        seen = {"filter": "ldap.bindRequest_element", "bind_dn": first(b, "ldap.name"),
                "operations": ops}
    elif c == "mysql":
        d = [f"tcp.port=={port},mysql"]
        g = tshark(path, ["mysql.version", "mysql.caps.sl"], fr + " && mysql.version", d)
        expect(g and first(g, "mysql.caps.sl") in ("0", "False"), where, f"server greeting CLIENT_SSL {g}")
        lr = tshark(path, ["mysql.user", "mysql.caps.sl"], fr + " && mysql.login_request", d)
        expect(lr and first(lr, "mysql.user") == USER, where, f"login request {lr} (-Y mysql.login_request)")
        q = tshark(path, ["mysql.query"], fr + " && mysql.query", d)
        expect(first(q, "mysql.query") == "SELECT 1 AS tlstop", where, f"query {q}")
        seen = {"filter": "mysql.login_request", "server_version": first(g, "mysql.version"), "user": USER,
                "query": first(q, "mysql.query"), "server_caps_ssl": False}
    elif c == "postgres":
        d = [f"tcp.port=={port},pgsql"]
        rows = tshark(path, ["pgsql.type", "pgsql.password", "pgsql.query", "pgsql.authtype"], fr + " && pgsql", d)
        types = allv(rows, "pgsql.type")
        expect(rows, where, "no pgsql (-Y pgsql)")
        expect(allv(rows, "pgsql.password") == [PASS], where, f"PasswordMessage {allv(rows, 'pgsql.password')}")
        expect("3" in allv(rows, "pgsql.authtype"), where, f"auth types {allv(rows, 'pgsql.authtype')} (3 = cleartext)")
        expect(allv(rows, "pgsql.query") == ["SELECT 1"], where, f"queries {allv(rows, 'pgsql.query')}")
        expect("SSL request" not in types, where, "an SSLRequest")
        seen = {"filter": "pgsql", "authentication": "AuthenticationCleartextPassword (3)",
                "query": "SELECT 1", "message_types": list(dict.fromkeys(types))}
    elif c == "redis":
        rows = tshark(path, ["resp.bulk_string.value", "resp.string"], fr + " && resp", [f"tcp.port=={port},resp"])
        vals = [bytes.fromhex(v.replace(":", "")).decode("latin-1") for v in allv(rows, "resp.bulk_string.value")]
        expect(vals[:3] == ["AUTH", USER, PASS], where, f"RESP bulk strings {vals[:6]}")
        expect("PONG" in allv(rows, "resp.string"), where, "no +PONG")
        seen = {"filter": "resp", "commands": [v for v in vals if v in ("AUTH", "COMMAND", "PING", "SET", "GET")]}
    elif c == "mqtt":
        rows = tshark(path, ["mqtt.msgtype", "mqtt.username", "mqtt.passwd", "mqtt.clientid"], fr + " && mqtt",
                      [f"tcp.port=={port},mqtt"])
        expect(allv(rows, "mqtt.username") == [USER] and allv(rows, "mqtt.passwd") == [PASS], where,
               f"CONNECT credentials {allv(rows, 'mqtt.username')} {allv(rows, 'mqtt.passwd')}")
        types = allv(rows, "mqtt.msgtype")
        expect(types == ["1", "2", "3", "4", "14"], where, f"MQTT message types {types}")
        seen = {"filter": "mqtt.msgtype==1", "message_types": types, "client_id": first(rows, "mqtt.clientid")}
    elif c == "memcached":
        rows = tshark(path, ["memcache.command", "memcache.key"], fr + " && memcache", [f"tcp.port=={port},memcache"])
        cmds = allv(rows, "memcache.command")
        expect(cmds[:2] == ["set", "get"], where, f"memcache commands {cmds}")
        seen = {"filter": "memcache", "commands": cmds, "keys": sorted(set(allv(rows, "memcache.key")))}
    elif c == "dns":
        proto = rec["transport"]
        rows = tshark(path, ["dns.qry.name", "dns.a", "dns.flags.response", "dns.flags.rcode"], fr + " && dns",
                      [f"{proto}.port=={port},dns"])
        expect(len(rows) == 2, where, f"{len(rows)} DNS messages")
        expect(allv(rows, "dns.a") == ["127.0.0.1"] and set(allv(rows, "dns.qry.name")) == {"tlstop.test"}, where,
               "DNS answer")
        seen = {"filter": "dns", "query": "tlstop.test A", "answer": "127.0.0.1"}
    elif c == "snmp":
        rows = tshark(path, ["snmp.version", "snmp.community", "snmp.name", "snmp.value.octets"], fr + " && snmp",
                      [f"udp.port=={port},snmp"])
        expect(len(rows) == 2, where, f"{len(rows)} SNMP messages")
        expect(set(allv(rows, "snmp.version")) == {rec["snmp_version"]}, where, f"versions {allv(rows, 'snmp.version')}")
        expect(set(allv(rows, "snmp.community")) == {"public"}, where, "community")
        expect(set(allv(rows, "snmp.name")) == {"1.3.6.1.2.1.1.1.0"}, where, f"OIDs {allv(rows, 'snmp.name')}")
        seen = {"filter": "snmp", "version": int(rec["snmp_version"]), "community": "public",
                "oid": "1.3.6.1.2.1.1.1.0", "value": "tlstop test SNMP agent"}
    elif c == "syslog":
        rows = tshark(path, ["syslog.msg", "syslog.level", "syslog.facility"], fr + " && syslog",
                      [f"udp.port=={port},syslog"])
        expect(len(rows) == 1 and "tlstop test message" in first(rows, "syslog.msg"), where, f"syslog {rows}")
        seen = {"filter": "syslog", "message": first(rows, "syslog.msg"), "facility": first(rows, "syslog.facility"),
                "level": first(rows, "syslog.level")}
    elif c == "http":
        rows = tshark(path, ["http.request.method", "http.request.uri", "urlencoded-form.key",
                             "urlencoded-form.value", "http.response.code"], fr, [f"tcp.port=={port},http"])
        form = dict(zip(allv(rows, "urlencoded-form.key"), allv(rows, "urlencoded-form.value")))
        expect(allv(rows, "http.request.method") == ["POST"], where, "method")
        expect(form == {"user": USER, "password": PASS}, where, f"form {form}")
        expect(allv(rows, "http.response.code") == ["200"], where, "status")
        seen = {"filter": 'http.request.method=="POST"', "uri": first(rows, "http.request.uri"), "form": form,
                "status": 200}
    elif c == "ssh":
        d = [f"tcp.port=={port},ssh"]
        rows = tshark(path, ["ssh.protocol"], fr + " && ssh.protocol", d)
        banners = allv(rows, "ssh.protocol")
        expect(len(banners) == 2 and all(b.startswith("SSH-2.0-OpenSSH") for b in banners), where, f"banners {banners}")
        k = tshark(path, ["ssh.message_code"], fr + " && ssh.message_code", d)
        codes = allv(k, "ssh.message_code")
        expect(codes.count("20") == 2 and "21" in codes, where, f"SSH message codes {codes}")
        # after NEWKEYS tshark (without keys) shows bare "SSH Protocol" records
        e = tshark(path, ["frame.number"], fr + " && ssh && !ssh.message_code && !ssh.protocol", d)
        expect(len(e) >= 2, where, "no encrypted SSH packets")
        seen = {"filter": "ssh.protocol", "banners": banners, "kexinit": 2, "encrypted_packets": len(e)}
    elif c == "wg":
        rows = tshark(path, ["wg.type", "wg.sender"], fr + " && wg", [f"udp.port=={port},wg"])
        types = allv(rows, "wg.type")
        expect(types[:2] == ["1", "2"] and types.count("4") >= 6, where, f"WireGuard message types {types}")
        seen = {"filter": "wg", "message_types": types}
    elif c == "ike":
        rows = tshark(path, ["isakmp.exchangetype", "isakmp.version"], fr + " && isakmp")
        expect(len(rows) == 2, where, f"{len(rows)} ISAKMP messages on port 500")
        seen = {"filter": "isakmp", "messages": len(rows), "exchange": "IKE_SA_INIT"}
    elif c == "esp-udp":
        rows = tshark(path, ["esp.spi", "esp.sequence"], fr + " && esp")
        spis = sorted(set(allv(rows, "esp.spi")))
        expect(len(rows) >= 6 and len(spis) == 2, where, f"{len(rows)} ESP packets, SPIs {spis}")
        seen = {"filter": "esp", "esp_packets": len(rows), "spis": spis,
                "udp_encapsulated": True}
        ike = tshark(path, ["frame.number"], fr + " && isakmp")
        if ike:
            seen["ike_packets_on_4500"] = len(ike)
    elif c == "esp":
        rows = tshark(path, ["esp.spi", "esp.sequence", "ip.proto"], fr + " && esp")
        spis = sorted(set(allv(rows, "esp.spi")))
        expect(len(rows) >= 6 and len(spis) == 2 and set(allv(rows, "ip.proto")) == {"50"}, where,
               f"{len(rows)} ESP packets, SPIs {spis}")
        seen = {"filter": "esp", "esp_packets": len(rows), "spis": spis, "udp_encapsulated": False}
    else:
        fail(f"unknown check {c}")
    return seen


def server_report(rec):
    path = os.path.join(logs, rec["pcap"] + ".report.json")
    r = json.load(open(path))
    if not r.get("ok"):
        fail(f"{rec['pcap']}: responder reports failure: {r}")
    return r


SERVER_NAMES = {"slapd": "slapd", "mariadbd": "mariadbd", "postgres": "postgres", "redis-server": "redis-server",
                "mosquitto": "mosquitto", "memcached": "memcached", "dnsmasq": "dnsmasq", "snmpd": "snmpd",
                "nginx": "nginx", "sshd": "sshd"}


def software(name):
    if name.startswith("responder:"):
        return f"Tests/Fixtures/plain-responders/{name.split(':', 1)[1]} ({VERS['responder']} scripted server)"
    return VERS.get(name, name)


manifest = collections.OrderedDict()
total = 0
for pcap in order:
    path = os.path.join(stage, pcap)
    lt, npk, data = pcap_info(path)
    recs = conns[pcap]
    fl = flows(path)
    if len(fl) != len(recs):
        fail(f"{pcap}: tshark sees {len(fl)} flows, the script made {len(recs)}: {[f['first'] for f in fl]}")
    file_count = data.count(PASSB)
    grep_c = int(subprocess.run(["grep", "-c", "-a", "-F", PASS, path], capture_output=True, text=True).stdout.strip() or 0)
    if (file_count > 0) != (grep_c > 0):
        fail(f"{pcap}: grep -c says {grep_c}, byte count {file_count}")
    out = []
    for i, (rec, f) in enumerate(zip(recs, fl)):
        where = f"{pcap} connection #{i + 1}"
        if f["transport"] != rec["transport"]:
            fail(f"{where}: transport {f['transport']}, expected {rec['transport']}")
        cip, cport, sip, sport = endpoints(f, rec)
        if rec["server_port"] != "null" and sport != int(rec["server_port"]):
            fail(f"{where}: server port {sport}, expected {rec['server_port']}")
        on_wire = any(PASSB in b for b in f["bytes"].values())
        if on_wire != (rec["expect_pw"] == "true"):
            fail(f"{where}: password on the wire is {on_wire}, the scenario expects {rec['expect_pw']}")
        seen = check_app(path, rec, f, where, sport)
        e = collections.OrderedDict()
        e["client_ip"], e["client_port"], e["server_ip"], e["server_port"] = cip, cport, sip, sport
        e["transport"] = rec["transport"]
        e["protocol"] = rec["protocol"]
        e["app"] = None if rec["app"] == "null" else rec["app"]
        e["cleartext_credentials"] = rec["creds"] == "true"
        e["password_on_wire"] = on_wire
        if "role" in rec:
            e["role"] = rec["role"]
        if e["cleartext_credentials"]:
            if rec["check"] == "snmp":
                e["credentials"] = {"community": "public"}
            else:
                e["credentials"] = {"user": f"cn={USER},dc=tlstop,dc=test" if rec["check"] == "ldap" else USER,
                                    "password": PASS}
            if rec["check"] == "smtp":
                e["credentials"]["encoding"] = "base64 (SASL " + rec["mech"] + ")"
        if rec.get("report") == "1":
            r = server_report(rec)
            if rec["check"] not in ("syslog",) and e["cleartext_credentials"] and \
                    (r.get("user"), r.get("password")) != (USER, PASS):
                fail(f"{where}: responder received {r.get('user')!r}/{r.get('password')!r}")
            if r.get("client") and r["client"][1] != cport and rec.get("role") != "data":
                fail(f"{where}: responder saw client port {r['client'][1]}, tshark {cport}")
            e["server_saw"] = {k: r[k] for k in ("commands", "mechanism", "terminal_type", "message") if k in r}
        e["packets"] = len(f["frames"])
        e["tshark"] = seen
        e["client"] = software(rec["client"])
        e["server"] = software(rec["server"])
        e["notes"] = rec["note"]
        out.append(e)
        total += 1
    m = collections.OrderedDict()
    m["link_type"] = lt
    m["link_type_name"] = {1: "ETHERNET"}.get(lt, str(lt))
    m["format"] = "pcap"
    m["packets"] = npk
    m["bytes"] = len(data)
    m["password_grep_count"] = grep_c
    if pcap in derived:
        m["derived_from"] = derived[pcap]
    m["connections"] = out
    m["notes"] = notes.get(pcap, "")
    if lt != 1:
        fail(f"{pcap}: link type {lt}, expected Ethernet")
    manifest[pcap] = m

with open(out_path, "w") as fh:
    json.dump(manifest, fh, indent=2)
    fh.write("\n")
print(f"[make-plaintext-fixtures] manifest: {len(manifest)} files, {total} connections cross-checked", file=sys.stderr)
PY

# --------------------------------------------------------------------------
# install the results (only the files this script owns)
# --------------------------------------------------------------------------
fx_check_size 500000 captures "$STAGE"/*
rm -f "$PCAP_DIR"/plain-*.pcap "$PCAP_DIR"/enc-*.pcap
fx_install_captures "$STAGE"/plain-*.pcap "$STAGE"/enc-*.pcap
fx_install_manifest "$WORK/fixtures-plaintext.json"

log "done: $(ls "$STAGE" | wc -l) capture files"
fx_list_captures 36 "$STAGE"/*.pcap
