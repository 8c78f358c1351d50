# Manifest builder of make-realworld-fixtures.sh: fixtures-realworld.json from
# the plan (one record per expected connection), the clients' and servers'
# reports, and tshark's decode of each capture; any disagreement fails.
#
# Not run on its own: the script feeds it to `fx_python` (lib/fixture-common.sh),
# which puts FX_PY_HELPERS (fail, read_plan, hellos, hello_version,
# read_openssl_ciphers, std_cipher, pcap_records, the name tables) before it.
# pylint: disable=undefined-variable
import collections, json, os, re, subprocess, sys

plan_path, stage, ossl_ciphers, versions_path, out_path, SNI = sys.argv[1:7]
CODE2STD, NAME2CODE, _ = read_openssl_ciphers(ossl_ciphers)
VERSIONS_TXT = dict(l.rstrip("\n").split("\t", 1) for l in open(versions_path))
order, notes, plan = read_plan(plan_path)

FIELDS = ["frame.number", "frame.time_relative", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport",
          "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset", "tcp.flags.fin", "tcp.seq_raw", "tcp.ack_raw",
          "tcp.len", "tcp.payload", "tcp.options.tfo.request", "tcp.options.tfo.cookie",
          "tls.record.content_type", "tls.handshake.type", "tls.handshake.version",
          "tls.handshake.extensions.supported_version", "tls.handshake.ciphersuite",
          "tls.handshake.extensions_key_share_group", "tls.handshake.extensions_server_name",
          "tls.handshake.extensions_alpn_str", "tls.handshake.random",
          "http.request.method", "http.request.uri", "http.response.code",
          "socks.version", "socks.command", "socks.dst", "socks.remote_name", "socks.port", "socks.results"]
RDP_FIELDS = ["frame.number", "tcp.srcport", "tcp.dstport", "cotp.type", "rdp.neg_type",
              "rdp.negReq.requestedProtocols", "rdp.negReq.selectedProtocol", "rdp.rt_cookie"]
RDP_PROTOCOLS = {"ssl": 0x1, "hybrid": 0x2}


def tshark(path, fields, decodes=(), yfilter=None):
    cmd = ["tshark", "-n", "-r", path]
    for port, proto in decodes:
        cmd += ["-d", f"tcp.port=={port},{proto}"]
    if yfilter:
        cmd += ["-Y", yfilter]
    cmd += ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=|", "-E", "quote=n"]
    for f in fields:
        cmd += ["-e", f]
    res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if res.returncode != 0:
        fail(f"tshark failed on {path}: {res.stderr.strip()}")
    rows = []
    for line in res.stdout.splitlines():
        vals = line.split("\t")
        if len(vals) != len(fields):
            fail(f"tshark printed {len(vals)} fields instead of {len(fields)} in {path}")
        rows.append({f: (v.split("|") if v else []) for f, v in zip(fields, vals)})
    return rows


def one(r, f, conv=str):
    return conv(r[f][0]) if r[f] else None


def connections(rows):
    """The TCP connections of a capture in the order their first SYN appears.  A connection is a
    client SYN's 4-tuple and ISN: a retransmitted SYN (same ISN) stays in it, a SYN with a new
    ISN on the same 4-tuple starts a new one (port reuse)."""
    conns, current = [], {}
    for r in rows:
        src, dst = (r["ip.src"][0], int(r["tcp.srcport"][0])), (r["ip.dst"][0], int(r["tcp.dstport"][0]))
        if r["tcp.flags.syn"] == ["1"] and r["tcp.flags.ack"] == ["0"]:
            c = current.get((src, dst))
            if c is None or c["isn"] != int(r["tcp.seq_raw"][0]):
                c = {"client": src, "server": dst, "isn": int(r["tcp.seq_raw"][0]), "rows": []}
                conns.append(c)
                current[(src, dst)] = c
        else:
            c = current.get((src, dst)) or current.get((dst, src))
            if c is None or (c["reset"] and r["tcp.flags.reset"] != ["1"]):
                # a segment on a 4-tuple with no connection (none yet, or the last one was reset):
                # a stray segment, listed on its own, its sender as the "client"
                c = {"client": src, "server": dst, "isn": None, "rows": [], "stray": True}
                conns.append(c)
                current[(src, dst)] = c
        c.setdefault("reset", False)
        c["reset"] = c["reset"] or r["tcp.flags.reset"] == ["1"]
        c["rows"].append(r)
    return conns


def stray_view(c):
    cport = c["client"][1]
    cli = [r for r in c["rows"] if int(r["tcp.srcport"][0]) == cport]
    srv = [r for r in c["rows"] if int(r["tcp.srcport"][0]) != cport]
    v = collections.OrderedDict()
    v["syns"] = v["syn_acks"] = 0
    v["stray_segments"] = [{"flags": "ACK" if r["tcp.flags.ack"] == ["1"] else "?", "seq": int(r["tcp.seq_raw"][0]),
                            "ack": int(r["tcp.ack_raw"][0]), "len": int(r["tcp.len"][0])} for r in cli]
    v["rst_from_server"] = any(r["tcp.flags.reset"] == ["1"] for r in srv)
    v["rst_seq"] = int(srv[0]["tcp.seq_raw"][0]) if srv else None
    return v, cli, srv


def tcp_view(c):
    if c.get("stray"):
        return stray_view(c)
    cport = c["client"][1]
    cli = [r for r in c["rows"] if int(r["tcp.srcport"][0]) == cport]
    srv = [r for r in c["rows"] if int(r["tcp.srcport"][0]) != cport]
    syns = [r for r in cli if r["tcp.flags.syn"] == ["1"]]
    synacks = [r for r in srv if r["tcp.flags.syn"] == ["1"] and r["tcp.flags.ack"] == ["1"]]
    s0 = syns[0]
    isn = c["isn"]
    tfo = "cookie" if s0["tcp.options.tfo.cookie"] else ("cookie-request" if s0["tcp.options.tfo.request"] else None)
    v = collections.OrderedDict()
    v["syns"] = len(syns)
    v["syn_acks"] = len(synacks)
    v["syn_payload_len"] = int(s0["tcp.len"][0])
    v["syn_tfo_option"] = tfo
    v["client_hello_in_syn"] = "1" in s0["tls.handshake.type"]
    v["syn_ack_tfo_cookie"] = bool(synacks and synacks[0]["tcp.options.tfo.cookie"])
    v["syn_ack_acknowledges"] = (int(synacks[0]["tcp.ack_raw"][0]) - isn) % 2**32 if synacks else None
    v["server_isn_same"] = len({r["tcp.seq_raw"][0] for r in synacks}) <= 1
    v["rst_from_server"] = any(r["tcp.flags.reset"] == ["1"] for r in srv)
    v["syn_times"] = [round(float(r["frame.time_relative"][0]), 3) for r in syns]
    v["syn_ack_times"] = [round(float(r["frame.time_relative"][0]), 3) for r in synacks]
    return v, cli, srv


def tls_view(cli, srv):
    ch, sh, hrr = hellos(srv, cli)
    v = {"client_hellos": len(ch), "server_hellos": len(sh), "hrr": hrr}
    v["version"] = hello_version(sh[0]) if sh else None
    suites = ints(sh[:1], "tls.handshake.ciphersuite")
    v["cipher"] = CODE2STD[suites[0]] if suites else None
    ks = ints(sh[:1], "tls.handshake.extensions_key_share_group")
    v["group"] = GROUP_CODES.get(ks[0], str(ks[0])) if ks else None
    v["sni"] = ch[0]["tls.handshake.extensions_server_name"][0] if ch and ch[0]["tls.handshake.extensions_server_name"] else None
    v["alpn_offered"] = ch[0]["tls.handshake.extensions_alpn_str"] if ch else []
    v["ch_frames"] = [int(r["frame.number"][0]) for r in ch]
    return v


def nginx_line(path, port):
    keys = ["ssl_protocol", "ssl_cipher", "ssl_curve", "ssl_session_reused", "ssl_server_name",
            "ssl_alpn_protocol", "remote_addr", "remote_port", "status"]
    lines = [dict(zip(keys, l.rstrip("\n").split("|"))) for l in open(path) if l.strip()]
    hits = [l for l in lines if l["remote_port"] == str(port)]
    if len(hits) != 1:
        fail(f"{path}: {len(hits)} access-log lines for remote port {port}")
    return hits[0]


def parse_curl(text):
    m = re.search(r"SSL connection using (\S+) / (\S+)", text)
    a = re.search(r"ALPN(?::|,) server accepted (?:to use )?(\S+)", text)
    r = {"version": OSSL_VERSIONS[m[1]] if m else None, "cipher": std_cipher(m[2]) if m else None,
         "alpn": a[1] if a else None, "resumed": "SSL re-using session ID" in text}
    c = re.search(r"^> CONNECT (\S+) HTTP/", text, re.M)
    s4 = re.search(r"SOCKS5 connect to IPv4 (\S+) \(locally resolved\)", text)
    sh = re.search(r"SOCKS5 connect to (\S+) \(remotely resolved\)", text)
    r["connect_target"] = c[1] if c else None
    r["socks_target"] = s4[1] if s4 else (sh[1] if sh else None)
    st = re.findall(r"^< HTTP/\S+ (\d+)", text, re.M)
    r["statuses"] = [int(x) for x in st]
    return r


def check(where, name, mine, theirs, who="the client reports"):
    if mine != theirs:
        fail(f"{where}: {name}: {who} {mine!r} but tshark decodes {theirs!r}")


def pattern_check(where, pat, tcp, cli, prev):
    def need(cond, what):
        if not cond:
            fail(f"{where}: pattern {pat}: {what} (tcp view {dict(tcp)})")
    if pat == "stray-ack":
        segs = tcp.get("stray_segments", [])
        need(len(segs) == 1 and segs[0]["flags"] == "ACK" and segs[0]["len"] == 0, "one bare ACK without a SYN")
        need(tcp["rst_from_server"] and tcp["rst_seq"] == segs[0]["ack"], "the peer answers with RST (seq = the ACK's ack)")
        need(prev is not None and prev[0] == "same-tuple", "the previous connection has another 4-tuple")
        return
    if pat == "refused":
        need(tcp["syns"] == 1 and tcp["syn_acks"] == 0 and tcp["rst_from_server"], "SYN answered by RST")
        return
    need(tcp["syn_acks"] >= 1, "no SYN-ACK")
    if pat == "tfo-cookie-request":
        need(tcp["syns"] == 1 and tcp["syn_payload_len"] == 0 and tcp["syn_tfo_option"] == "cookie-request",
             "SYN with an empty TFO option and no data")
        need(tcp["syn_ack_tfo_cookie"], "SYN-ACK without a TFO cookie")
    elif pat == "tfo-accepted":
        need(tcp["syns"] == 1 and tcp["syn_payload_len"] > 0 and tcp["syn_tfo_option"] == "cookie", "SYN with cookie and data")
        need(tcp["client_hello_in_syn"], "the SYN's payload is not a ClientHello")
        need(tcp["syn_ack_acknowledges"] == 1 + tcp["syn_payload_len"], "SYN-ACK does not acknowledge the SYN's data")
        need(prev is not None and prev[1] == "tfo-cookie-request", "no cookie-request connection before")
    elif pat == "tfo-ignored":
        need(tcp["syns"] == 1 and tcp["syn_payload_len"] > 0 and tcp["client_hello_in_syn"], "SYN carrying a ClientHello")
        need(tcp["syn_ack_acknowledges"] == 1, "SYN-ACK acknowledges more than the SYN")
        syn = cli[0]
        again = [r for r in cli[1:] if r["tcp.len"] != ["0"]]
        need(again and (int(again[0]["tcp.seq_raw"][0]) - int(syn["tcp.seq_raw"][0])) % 2**32 == 1
             and again[0]["tcp.payload"] == syn["tcp.payload"], "the SYN's payload not sent again at sequence 1")
    elif pat == "syn-retry":
        need(tcp["syns"] == 2 and tcp["syn_acks"] == 1, "two SYNs (same ports and ISN), one SYN-ACK")
        need(tcp["syn_times"][1] - tcp["syn_times"][0] >= 0.5, "the second SYN is not a timed retransmission")
    elif pat == "synack-repeat":
        need(tcp["syns"] == 1 and tcp["syn_acks"] == 2 and tcp["server_isn_same"], "one SYN, two identical SYN-ACKs")
        need(tcp["syn_ack_times"][1] - tcp["syn_ack_times"][0] >= 0.5, "the second SYN-ACK is not a timed retransmission")
    elif pat == "tuple-reuse":
        need(tcp["syns"] == 1 and prev is not None and prev[0] == "same-tuple", "the previous connection has another 4-tuple")
    elif pat == "normal":
        need(tcp["syns"] == 1 and tcp["syn_acks"] == 1 and tcp["syn_payload_len"] == 0, "plain three-way handshake")
    else:
        fail(f"{where}: unknown pattern {pat}")


manifest = collections.OrderedDict()
checked = 0
for pcap in order:
    path = os.path.join(stage, pcap)
    data = open(path, "rb").read()
    lt, _, recs, end = pcap_records(path, data)
    if end != len(data) or lt & 0xFFFF != 1:
        fail(f"{pcap}: truncated or not Ethernet")
    recs_plan = plan["conn"][pcap]
    decodes = [(int(r["server_port"]), r["decode"]) for r in recs_plan if r.get("decode") == "http"]
    rows = tshark(path, FIELDS, decodes)
    socks = [(int(r["server_port"]), "socks") for r in recs_plan if r.get("decode") == "socks"]
    if socks:
        # a second pass for the SOCKS fields only: with the socks decode, tshark 4.0 loses the
        # ClientHello of the second tunnel ("Encrypted Handshake Message"), so the TLS fields come
        # from the first pass, where its heuristic finds TLS in all four connections
        sfields = [f for f in FIELDS if f.startswith("socks.")]
        srows = tshark(path, ["frame.number"] + sfields, socks)
        if len(srows) != len(rows):
            fail(f"{pcap}: the two tshark passes disagree on the frames")
        for r, sr in zip(rows, srows):
            r.update({f: sr[f] for f in sfields})
    rdp_rows = []
    if any(r.get("decode") == "tpkt" for r in recs_plan):
        rdp_rows = tshark(path, RDP_FIELDS, [(int(r["server_port"]), "tpkt") for r in recs_plan], "rdp.neg_type")
    conns = connections(rows)
    if len(conns) != len(recs_plan):
        fail(f"{pcap}: tshark shows {len(conns)} connections, the script made {len(recs_plan)}")
    out, prev_tuple = [], None
    for i, (c, rec) in enumerate(zip(conns, recs_plan)):
        where = f"{pcap} connection #{i + 1}"
        sport = int(rec["server_port"])
        if c["server"][1] != sport:
            fail(f"{where}: server port {c['server'][1]}, expected {sport}")
        tcp, cli, srv = tcp_view(c)
        tv = tls_view(cli, srv)
        pat = rec["tcp_pattern"]
        prev = None
        if prev_tuple is not None:
            prev = ("same-tuple" if prev_tuple[0] == (c["client"], c["server"]) else "other", prev_tuple[1])
        pattern_check(where, pat, tcp, cli, prev)
        prev_tuple = ((c["client"], c["server"]), pat)
        if "local_port" in rec and c["client"][1] != int(rec["local_port"]):
            fail(f"{where}: client port {c['client'][1]}, curl was told --local-port {rec['local_port']}")

        e = collections.OrderedDict()
        e["server_ip"], e["server_port"] = c["server"]
        e["client_ip"], e["client_port"] = c["client"]
        tool = rec["tool"]
        text = open(rec["log"], errors="replace").read()
        tunnel = rec.get("tunnel")
        e["tcp_pattern"] = pat
        e["tunnel"] = tunnel
        e["tunnel_target"] = rec.get("tunnel_target")
        rep = {}
        server = source = None

        if tool == "curl" and pat == "refused":
            if tv["client_hellos"] or tcp["syn_payload_len"]:
                fail(f"{where}: data on a refused connection")
            rep = {"protocol": "unknown", "version": None, "cipher": None, "group": None, "sni": None,
                   "alpn": None, "resumed": False, "established": False}
            if "Connection refused" not in text:
                fail(f"{where}: curl did not report 'Connection refused'")
            source = "curl -v ('Connection refused', exit 7) + tshark (SYN, RST-ACK)"
            server = "none (nothing listens yet: the kernel answers the SYN with RST-ACK)"
        elif tool == "stray":
            sr = json.load(open(rec["log"]))
            seg = tcp["stray_segments"][0]
            if not sr["reset_received"] or (seg["seq"], seg["ack"]) != (sr["probe_seq"], sr["probe_ack"]) \
                    or sr["local_port"] != c["client"][1]:
                fail(f"{where}: stray_ack.py reports {sr}, tshark shows {seg}")
            rep = {"protocol": "unknown", "version": None, "cipher": None, "group": None, "sni": None,
                   "alpn": None, "resumed": False, "established": False}
            e["client"] = f"realworld/stray_ack.py ({VERSIONS_TXT['kernel']} TCP_REPAIR window probe)"
            server = f"nginx ({VERSIONS_TXT['nginx']}) listening; the kernel answers RST"
            source = "stray_ack.py's report (the sequence numbers it set, RST received)"
        elif tool == "curl" and rec.get("refused"):
            cv = parse_curl(text)
            want = int(rec["refused"])
            if cv["statuses"] != [want] or cv["connect_target"] != rec["connect_target"]:
                fail(f"{where}: curl shows CONNECT {cv['connect_target']} -> {cv['statuses']}")
            meth = [m for r in cli for m in r["http.request.method"]]
            uri = [u for r in cli for u in r["http.request.uri"]]
            code = [int(x) for r in srv for x in r["http.response.code"]]
            check(where, "CONNECT request", ["CONNECT"], meth, "curl -v shows")
            check(where, "CONNECT target", [cv["connect_target"]], uri, "curl -v shows")
            check(where, "proxy status", [want], code, "curl -v shows")
            if tv["client_hellos"] or any(r["tls.record.content_type"] for r in c["rows"]):
                fail(f"{where}: TLS on a refused CONNECT")
            rep = {"protocol": "plaintext", "version": None, "cipher": None, "group": None, "sni": None,
                   "alpn": None, "resumed": False, "established": True}
            e["http"] = {"method": "CONNECT", "request_target": cv["connect_target"], "status": want}
            server = VERSIONS_TXT["tinyproxy"] + f" (ConnectPort 443 only)"
            source = "curl -v (> CONNECT ..., < HTTP/1.0 403, exit 56) + tshark http"
        elif tool == "curl":
            cv = parse_curl(text)
            if int(rec["rc"]) != 0:
                fail(f"{where}: curl failed with exit {rec['rc']}:\n{text[-1500:]}")
            # nginx's view: its own connection, or for a client -> proxy leg the next (upstream) one
            ng_conn = conns[i + 1] if rec.get("upstream") == "next" else c
            ng = nginx_line(rec["nginx_log"], ng_conn["client"][1])
            group = OSSL_GROUPS.get(ng["ssl_curve"], ng["ssl_curve"].lower() or None)
            if ng["ssl_protocol"] != cv["version"] or std_cipher(ng["ssl_cipher"]) != cv["cipher"]:
                fail(f"{where}: nginx {ng} disagrees with curl {cv}")
            if (ng["ssl_alpn_protocol"] or None) != cv["alpn"] or ng["ssl_server_name"] != SNI or ng["status"] != "200":
                fail(f"{where}: nginx {ng} (ALPN / SNI / status) disagrees with curl {cv}")
            rep = {"protocol": "tls", "version": cv["version"], "cipher": cv["cipher"], "group": group,
                   "sni": ng["ssl_server_name"], "alpn": cv["alpn"], "resumed": cv["resumed"],
                   "established": True}
            if ng["ssl_session_reused"] != ("r" if cv["resumed"] else "."):
                fail(f"{where}: nginx session reuse {ng['ssl_session_reused']!r} vs curl {cv['resumed']}")
            server = f"nginx ({VERSIONS_TXT['nginx']})"
            if rec.get("relay"):
                e["client"] = f"{VERSIONS_TXT[rec['relay']]} (proxy, relaying the TLS bytes of {VERSIONS_TXT['curl']})"
            source = ("curl -v (version, cipher, ALPN) + nginx access log ($ssl_protocol, $ssl_cipher, "
                      "$ssl_curve for the group, $ssl_server_name for the SNI, $ssl_alpn_protocol)")
            if tunnel == "http-connect":
                meth = [m for r in cli for m in r["http.request.method"]]
                uri = [u for r in cli for u in r["http.request.uri"]]
                code = [int(x) for r in srv for x in r["http.response.code"]]
                check(where, "tunnel_target", e["tunnel_target"], cv["connect_target"], "the script asked for")
                check(where, "CONNECT request", ["CONNECT"], meth[:1], "curl -v shows")
                check(where, "CONNECT target", cv["connect_target"], uri[0] if uri else None, "curl -v shows")
                check(where, "proxy status", 200, code[0] if code else None, "curl -v shows")
                server = VERSIONS_TXT["tinyproxy"] + f" -> nginx ({VERSIONS_TXT['nginx']})"
                source += "; tunnel: curl -v '> CONNECT' line + tshark http"
            elif tunnel == "socks5":
                check(where, "tunnel_target", e["tunnel_target"], cv["socks_target"], "the script asked for")
                # the request: the first client segment with a command; the reply: the first server
                # segment with a result (tshark repeats the conversation's fields on later frames)
                req = next((r for r in cli if r["socks.command"]), None)
                rpl = next((r for r in srv if r["socks.results"]), None)
                if not req or not rpl or req["socks.version"] != ["5"] or req["socks.command"] != ["1"] \
                        or rpl["socks.results"] != ["0"] or not req["socks.port"]:
                    fail(f"{where}: tshark finds no SOCKS5 CONNECT request and success reply")
                host = (req["socks.remote_name"] + req["socks.dst"])[0]
                check(where, "SOCKS5 CONNECT target", cv["socks_target"], f"{host}:{req['socks.port'][0]}", "curl -v shows")
                if rpl["socks.port"] != [str(conns[i + 1]["client"][1])]:
                    fail(f"{where}: SOCKS5 reply BND.PORT {rpl['socks.port']} is not the proxy's upstream port")
                if tv["ch_frames"] and tv["ch_frames"][0] < int(rpl["frame.number"][0]):
                    fail(f"{where}: ClientHello before the SOCKS5 reply")
                server = VERSIONS_TXT["danted"] + f" -> nginx ({VERSIONS_TXT['nginx']})"
                source += "; tunnel: curl -v 'SOCKS5 connect to ...' line + tshark socks"
        elif tool == "xfreerdp":
            if int(rec["rc"]) != 0:
                fail(f"{where}: xfreerdp exited {rec['rc']}")
            req = re.search(r"nego\] - RequestedProtocols: (\d+)", text)
            sel = re.search(r"nego\] - selected_protocol: (\d+)", text)
            slog = open(rec["server_log"], errors="replace").read()
            tls = re.findall(r"TLS connection established from \S+ port (\d+): (\S+) with cipher (\S+)", slog)
            secp = re.search(r"Security protocol: configured \[(.*?)\], requested \[(.*?)\], selected \[(.*?)\]", slog)
            if not (req and sel and len(tls) == 1 and secp):
                fail(f"{where}: xfreerdp / xrdp logs lack the negotiation or TLS lines")
            if int(tls[0][0]) != c["client"][1]:
                fail(f"{where}: xrdp logged client port {tls[0][0]}")
            rep = {"protocol": "tls", "version": OSSL_VERSIONS[tls[0][1]], "cipher": std_cipher(tls[0][2]),
                   "group": tv["group"], "sni": tv["sni"], "alpn": None, "resumed": False, "established": True,
                   "rdp_requested": int(req[1]), "rdp_selected": int(sel[1])}
            if secp[3] != "SSL":
                fail(f"{where}: xrdp selected {secp[3]}")
            e["client"] = VERSIONS_TXT["xfreerdp"]
            server = rec["server"]
            source = ("xfreerdp /log-level:DEBUG (nego RequestedProtocols, selected_protocol) + xrdp log ('TLS "
                      "connection established ...: VERSION with cipher CIPHER', 'Security protocol: ... selected [SSL]'); "
                      "group and SNI: tshark only (neither end logs them)")
        elif tool == "rdp-scripted":
            cr, sr = json.load(open(rec["log"])), json.load(open(rec["server_log"]))
            if cr["client_port"] != c["client"][1] or sr["client_port"] != c["client"][1]:
                fail(f"{where}: scripted RDP reports client port {cr['client_port']}/{sr['client_port']}")
            for k in ("version", "cipher", "group"):
                if cr[k] != sr[k]:
                    fail(f"{where}: scripted RDP client and server disagree on {k}: {cr[k]} / {sr[k]}")
            if cr["group"] is None:
                fail(f"{where}: the scripted client could not read the group from OpenSSL")
            rep = {"protocol": "tls", "version": OSSL_VERSIONS[cr["version"]], "cipher": std_cipher(cr["cipher"]),
                   "group": OSSL_GROUPS[cr["group"]], "sni": sr["sni"], "alpn": None, "resumed": False,
                   "established": True, "rdp_requested": cr["requested"], "rdp_selected": cr["selected"]}
            e["client"] = f"realworld/rdp_scripted.py client ({VERSIONS_TXT['python']})"
            server = f"realworld/rdp_scripted.py server ({VERSIONS_TXT['python']})"
            source = ("scripted client's report (Python ssl: version(), cipher(); group via SSL_get_negotiated_group) "
                      "+ scripted server's report (same, SNI from its sni_callback; X.224 bytes per [MS-RDPBCGR])")
        else:
            fail(f"{where}: unknown tool {tool}")

        # ---- the TLS part: the reports against tshark
        if rep["protocol"] == "tls":
            if tv["server_hellos"] != 1 or tv["client_hellos"] < 1 or tv["hrr"]:
                fail(f"{where}: {tv['client_hellos']} ClientHellos, {tv['server_hellos']} ServerHellos (HRR {tv['hrr']})")
            for k in ("version", "cipher", "group", "sni"):
                check(where, k, rep[k], tv[k])
            if rep["alpn"] is not None and rep["alpn"] not in tv["alpn_offered"]:
                fail(f"{where}: ALPN {rep['alpn']} was not offered ({tv['alpn_offered']})")
        if tunnel == "rdp":
            neg = [r for r in rdp_rows if int(r["tcp.dstport"][0]) == sport or int(r["tcp.srcport"][0]) == sport]
            reqs = [int(x, 0) for r in neg for x in r["rdp.negReq.requestedProtocols"]]
            sels = [int(x, 0) for r in neg for x in r["rdp.negReq.selectedProtocol"]]
            cotp = [int(x, 0) for r in neg for x in r["cotp.type"]]
            check(where, "RDP requestedProtocols", [rep["rdp_requested"]], reqs)
            check(where, "RDP selectedProtocol", [rep["rdp_selected"]], sels)
            check(where, "X.224 CR/CC", [0x0E, 0x0D], cotp, "the RDP exchange has")
            want = RDP_PROTOCOLS[rec["rdp_protocol"]]
            if rep["rdp_selected"] != want or not rep["rdp_requested"] & want:
                fail(f"{where}: selected {rep['rdp_selected']}, expected {rec['rdp_protocol']}")
            first_neg = min(int(r["frame.number"][0]) for r in neg)
            if not tv["ch_frames"] or tv["ch_frames"][0] < first_neg:
                fail(f"{where}: the ClientHello comes before the X.224 exchange")
            e["rdp_protocol"] = rec["rdp_protocol"]
            e["rdp_requested_protocols"] = rep["rdp_requested"]
        for k in ("protocol", "version", "cipher", "group", "sni", "alpn", "resumed", "established"):
            e[k] = rep[k]
        e["alpn_offered"] = tv["alpn_offered"] or None
        e["client_hellos"] = tv["client_hellos"]
        e["tcp"] = tcp
        e["client"] = e.pop("client") if "client" in e else VERSIONS_TXT["curl"]
        e["server"] = server
        e["source"] = source + "; cross-checked with tshark"
        e["command"] = rec.get("cmd")
        # keys in the documented order
        lead = ["server_ip", "server_port", "client_ip", "client_port", "protocol", "version", "cipher", "group",
                "sni", "alpn", "resumed", "established", "tcp_pattern", "tunnel", "tunnel_target"]
        e = collections.OrderedDict([(k, e[k]) for k in lead] + [(k, v) for k, v in e.items() if k not in lead])
        out.append(e)
        checked += 1
    manifest[pcap] = collections.OrderedDict(
        [("link_type", 1), ("link_type_name", "ETHERNET"), ("format", "pcap"), ("packets", len(recs)),
         ("bytes", len(data)), ("connections", out), ("notes", notes.get(pcap, ""))])

with open(out_path, "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
print(f"[make-realworld-fixtures] manifest: {len(manifest)} files, {checked} connections cross-checked", file=sys.stderr)
