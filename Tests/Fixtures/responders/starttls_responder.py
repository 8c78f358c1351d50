#!/usr/bin/env python3
"""Small scripted servers that speak just enough of a protocol to let a real
client (curl, openssl s_client) perform an in-band TLS upgrade ("STARTTLS").

The TLS side is Python's own `ssl` module, so the TLS bytes come from OpenSSL.
Python standard library only.  Used by ../make-starttls-fixtures.sh; loopback
only.

    starttls_responder.py --proto smtp --port 44401 --cert C --key K --report R.jsonl

Each accepted connection appends one JSON object to the report file with the
responder's own view: client port, whether STARTTLS was advertised, requested and
accepted, the TLS version / cipher / group (from OpenSSL via the ssl module),
the SNI the client sent, credentials seen (and whether inside TLS), and a
transcript of the plaintext and decrypted commands.

Protocols: smtp imap pop3 ftp xmpp irc ldap postgres mysql.
Options that change the script: --refuse-starttls (SMTP: advertise STARTTLS
but answer it with 454), --data-port (FTP: serve LIST over an EPSV/PASV data
connection, TLS-protected after PROT P), --auth (SMTP: advertise AUTH PLAIN
LOGIN), --max-tls 1.2 (cap the TLS version).
"""

import argparse
import base64
import ctypes
import ctypes.util
import json
import socket
import ssl
import struct
import sys
import time

HOST = "127.0.0.1"
SERVER_NAME = "tlstop.test"
IO_TIMEOUT = 15.0

# ---------------------------------------------------------------------------
# the negotiated key-exchange group, as OpenSSL itself reports it
# ---------------------------------------------------------------------------
# Python 3.11's ssl module has no SSLSocket.group() (3.13 added one), so ask
# libssl directly: SSL_get_negotiated_group(SSL *) on the SSL object that the
# ssl module wraps.  CPython's PySSLSocket is {PyObject_HEAD; PyObject *Socket;
# SSL *ssl; ...}; the pointer found there is validated by asking that SSL
# object for its version and cipher and comparing them with the ssl module's
# answer, so a layout change yields "group unknown", never a wrong group.
_SSL_CTRL_GET_NEGOTIATED_GROUP = 134
_libssl = _libcrypto = None


def _libs():
    global _libssl, _libcrypto
    if _libssl is None:
        _libssl = ctypes.CDLL(ctypes.util.find_library("ssl") or "libssl.so.3")
        _libcrypto = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
        _libssl.SSL_get_version.restype = ctypes.c_char_p
        _libssl.SSL_get_version.argtypes = [ctypes.c_void_p]
        _libssl.SSL_get_current_cipher.restype = ctypes.c_void_p
        _libssl.SSL_get_current_cipher.argtypes = [ctypes.c_void_p]
        _libssl.SSL_CIPHER_get_name.restype = ctypes.c_char_p
        _libssl.SSL_CIPHER_get_name.argtypes = [ctypes.c_void_p]
        _libssl.SSL_ctrl.restype = ctypes.c_long
        _libssl.SSL_ctrl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
        _libcrypto.OBJ_nid2sn.restype = ctypes.c_char_p
        _libcrypto.OBJ_nid2sn.argtypes = [ctypes.c_int]
    return _libssl, _libcrypto


def negotiated_group(sslsock):
    """OpenSSL short name of the negotiated group (e.g. 'X25519'), or None."""
    try:
        libssl, libcrypto = _libs()
        obj = sslsock._sslobj
        ptr = ctypes.c_void_p.from_address(id(obj) + 3 * ctypes.sizeof(ctypes.c_void_p)).value
        if not ptr:
            return None
        if libssl.SSL_get_version(ptr).decode() != sslsock.version():
            return None
        cur = libssl.SSL_get_current_cipher(ptr)
        if not cur or libssl.SSL_CIPHER_get_name(cur).decode() != sslsock.cipher()[0]:
            return None
        nid = libssl.SSL_ctrl(ptr, _SSL_CTRL_GET_NEGOTIATED_GROUP, 0, None)
        if nid <= 0:
            return None
        sn = libcrypto.OBJ_nid2sn(int(nid))
        return sn.decode() if sn else f"nid:{nid}"
    except Exception:  # never let the diagnostics break the exchange
        return None


# ---------------------------------------------------------------------------
# one client connection with a swappable (plain -> TLS) transport
# ---------------------------------------------------------------------------
class Closed(Exception):
    pass


class Conn:
    def __init__(self, raw, ctx, args, role="control"):
        self.raw = raw
        self.sock = raw
        self.ctx = ctx
        self.args = args
        self.buf = b""
        self.in_tls = False
        self.sni = None
        self.rep = {
            "proto": args.proto, "role": role,
            "client_port": raw.getpeername()[1], "server_port": raw.getsockname()[1],
            "starttls_advertised": False, "starttls_requested": False, "starttls_accepted": False,
            "tls": None, "handshake_error": None, "credentials": [], "transcript": [],
            "closed_by": None,
        }

    # -- transcript ---------------------------------------------------------
    def _log(self, who, data):
        if isinstance(data, bytes):
            text = data.decode("latin-1")
            if any(ord(c) < 9 or 13 < ord(c) < 32 for c in text):
                text = "hex:" + data.hex()
        else:
            text = data
        self.rep["transcript"].append([who, "tls" if self.in_tls else "plain", text])

    # -- I/O ------------------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self._log("S", data)
        self.sock.sendall(data)

    def lines(self, *lines):
        """Send several CRLF-terminated lines as one write (one TCP segment)."""
        self.send("".join(l + "\r\n" for l in lines))

    def _fill(self, limit=65536):
        try:
            d = self.sock.recv(limit)
        except (ssl.SSLZeroReturnError, ConnectionResetError):
            d = b""
        if not d:
            raise Closed()
        self.buf += d

    def readline(self):
        while b"\n" not in self.buf:
            self._fill()
        line, _, self.buf = self.buf.partition(b"\n")
        line = line.rstrip(b"\r")
        self._log("C", line)
        return line.decode("utf-8", "replace")

    def read_exact(self, n, log=True):
        # never read past the n bytes: in MySQL the ClientHello follows the
        # SSL request packet immediately and must be left to the TLS layer
        while len(self.buf) < n:
            self._fill(n - len(self.buf))
        data, self.buf = self.buf[:n], self.buf[n:]
        if log:
            self._log("C", data)
        return data

    def read_until(self, needle):
        """Read until `needle` (bytes) has been received; return everything."""
        while needle not in self.buf:
            self._fill()
        i = self.buf.index(needle) + len(needle)
        data, self.buf = self.buf[:i], self.buf[i:]
        self._log("C", data)
        return data.decode("utf-8", "replace")

    def read_ber(self):
        """One BER TLV (LDAP message); returns (tag, content bytes, whole)."""
        hdr = self.read_exact(2, log=False)
        tag, l0 = hdr[0], hdr[1]
        lenbytes = b""
        if l0 & 0x80:
            lenbytes = self.read_exact(l0 & 0x7F, log=False)
            length = int.from_bytes(lenbytes, "big")
        else:
            length = l0
        body = self.read_exact(length, log=False)
        whole = hdr + lenbytes + body
        self._log("C", whole)
        return tag, body, whole

    # -- TLS ------------------------------------------------------------------
    def upgrade(self):
        if self.buf:
            raise RuntimeError(f"client pipelined {len(self.buf)} bytes before the TLS handshake")
        self.rep["starttls_accepted"] = True
        try:
            self.sock = self.ctx.wrap_socket(self.raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.rep["handshake_error"] = f"{type(e).__name__}: {e}"
            raise Closed()
        self.in_tls = True
        self.rep["tls"] = tls_info(self.sock, self.sni)

    def credentials(self, user, password, mechanism):
        self.rep["credentials"].append(
            {"user": user, "password": password, "mechanism": mechanism, "in_tls": self.in_tls})

    def close(self):
        if self.in_tls:
            # send close_notify; wait briefly for the peer's, then give up
            try:
                self.sock.settimeout(1.0)
                self.sock.unwrap()
            except (ssl.SSLError, OSError, ValueError):
                pass
        try:
            self.raw.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.raw.close()


def tls_info(sslsock, sni):
    name, proto, bits = sslsock.cipher()
    return {"version": sslsock.version(), "cipher": name, "cipher_bits": bits,
            "group": negotiated_group(sslsock), "sni": sni, "resumed": sslsock.session_reused}


def make_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.max_tls == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


# ---------------------------------------------------------------------------
# protocol scripts
# ---------------------------------------------------------------------------
def smtp(c):
    a = c.args
    c.lines(f"220 {SERVER_NAME} ESMTP tlstop responder")
    while True:
        line = c.readline()
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        if verb in ("EHLO", "HELO"):
            caps = [f"{SERVER_NAME} greets {arg or 'you'}", "PIPELINING", "SIZE 10240000", "8BITMIME"]
            if not c.in_tls:
                caps.append("STARTTLS")
                c.rep["starttls_advertised"] = True
            if a.auth:
                caps.append("AUTH PLAIN LOGIN")
            caps.append("ENHANCEDSTATUSCODES")
            if verb == "HELO":
                c.lines(f"250 {caps[0]}")
            else:
                c.lines(*[f"250-{x}" for x in caps[:-1]], f"250 {caps[-1]}")
        elif verb == "STARTTLS":
            c.rep["starttls_requested"] = True
            if c.in_tls:
                c.lines("503 5.5.1 TLS already active")
            elif a.refuse_starttls:
                c.lines("454 4.7.0 TLS not available")
            else:
                c.lines("220 2.0.0 Ready to start TLS")
                c.upgrade()
        elif verb == "AUTH":
            mech, _, initial = arg.partition(" ")
            mech = mech.upper()
            if mech == "PLAIN":
                if not initial:
                    c.send("334 \r\n")
                    initial = c.readline()
                _, user, pw = base64.b64decode(initial).decode().split("\0")
            elif mech == "LOGIN":
                c.lines("334 VXNlcm5hbWU6")
                user = base64.b64decode(c.readline()).decode()
                c.lines("334 UGFzc3dvcmQ6")
                pw = base64.b64decode(c.readline()).decode()
            else:
                c.lines("504 5.5.4 Unrecognized authentication type")
                continue
            c.credentials(user, pw, f"SMTP AUTH {mech}")
            c.lines("235 2.7.0 Authentication successful")
        elif verb == "MAIL":
            c.lines("250 2.1.0 Ok")
        elif verb == "RCPT":
            c.lines("250 2.1.5 Ok")
        elif verb == "DATA":
            c.lines("354 End data with <CR><LF>.<CR><LF>")
            while c.readline() != ".":
                pass
            c.lines("250 2.0.0 Ok: queued as TLSTOP1")
        elif verb in ("RSET", "NOOP"):
            c.lines("250 2.0.0 Ok")
        elif verb == "QUIT":
            c.lines("221 2.0.0 Bye")
            c.rep["closed_by"] = "server after QUIT"
            return
        else:
            c.lines("502 5.5.2 Error: command not recognized")


def _imap_args(s):
    """Split IMAP atoms / quoted strings (enough for LOGIN)."""
    out, i = [], 0
    while i < len(s):
        if s[i] == " ":
            i += 1
        elif s[i] == '"':
            j, val = i + 1, ""
            while s[j] != '"':
                if s[j] == "\\":
                    j += 1
                val += s[j]
                j += 1
            out.append(val)
            i = j + 1
        else:
            j = s.find(" ", i)
            j = len(s) if j < 0 else j
            out.append(s[i:j])
            i = j
    return out


def imap(c):
    c.lines("* OK tlstop IMAP4rev1 responder ready")
    while True:
        line = c.readline()
        tag, _, rest = line.partition(" ")
        cmd, _, arg = rest.partition(" ")
        cmd = cmd.upper()
        if cmd == "CAPABILITY":
            # like Dovecot: no cleartext login before TLS, SASL PLAIN after it
            if c.in_tls:
                caps = "IMAP4rev1 SASL-IR AUTH=PLAIN"
            else:
                caps = "IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED"
                c.rep["starttls_advertised"] = True
            c.lines(f"* CAPABILITY {caps}", f"{tag} OK Capability completed")
        elif cmd == "STARTTLS":
            c.rep["starttls_requested"] = True
            c.lines(f"{tag} OK Begin TLS negotiation now")
            c.upgrade()
        elif cmd == "LOGIN":
            if not c.in_tls:
                c.lines(f"{tag} NO [PRIVACYREQUIRED] LOGIN is disabled without TLS")
                continue
            user, pw = _imap_args(arg)[:2]
            c.credentials(user, pw, "IMAP LOGIN")
            c.lines(f"{tag} OK [CAPABILITY IMAP4rev1] Logged in")
        elif cmd == "AUTHENTICATE":
            mech, _, initial = arg.partition(" ")
            if mech.upper() != "PLAIN" or not c.in_tls:
                c.lines(f"{tag} NO [PRIVACYREQUIRED] only AUTH=PLAIN, only inside TLS")
                continue
            if not initial:
                c.send("+ \r\n")
                initial = c.readline()
            _, user, pw = base64.b64decode(initial).decode().split("\0")
            c.credentials(user, pw, "IMAP AUTHENTICATE PLAIN")
            c.lines(f"{tag} OK [CAPABILITY IMAP4rev1] Logged in")
        elif cmd in ("LIST", "LSUB"):
            c.lines(f'* {cmd} (\\HasNoChildren) "/" INBOX', f"{tag} OK {cmd} completed")
        elif cmd in ("SELECT", "EXAMINE"):
            c.lines("* FLAGS (\\Seen)", "* 0 EXISTS", "* 0 RECENT", "* OK [UIDVALIDITY 1] UIDs valid",
                    f"{tag} OK [READ-WRITE] {cmd} completed")
        elif cmd == "NOOP":
            c.lines(f"{tag} OK NOOP completed")
        elif cmd == "LOGOUT":
            c.lines("* BYE Logging out", f"{tag} OK Logout completed")
            c.rep["closed_by"] = "server after LOGOUT"
            return
        else:
            c.lines(f"{tag} BAD Unknown command")


def pop3(c):
    c.lines("+OK tlstop POP3 responder ready")
    user = None
    while True:
        line = c.readline()
        cmd, _, arg = line.partition(" ")
        cmd = cmd.upper()
        if cmd == "CAPA":
            caps = ["USER", "UIDL", "TOP"]
            if not c.in_tls:
                caps.append("STLS")
                c.rep["starttls_advertised"] = True
            c.lines("+OK Capability list follows", *caps, ".")
        elif cmd == "STLS":
            c.rep["starttls_requested"] = True
            c.lines("+OK Begin TLS negotiation")
            c.upgrade()
        elif cmd == "USER":
            user = arg
            c.lines("+OK")
        elif cmd == "PASS":
            c.credentials(user, arg, "POP3 USER/PASS")
            c.lines("+OK Logged in.")
        elif cmd == "STAT":
            c.lines("+OK 1 120")
        elif cmd == "LIST":
            c.lines("+OK 1 messages:", "1 120", ".")
        elif cmd == "NOOP":
            c.lines("+OK")
        elif cmd == "QUIT":
            c.lines("+OK Logging out.")
            c.rep["closed_by"] = "server after QUIT"
            return
        else:
            c.lines("-ERR Unknown command")


FTP_LISTING = b"-rw-r--r--    1 0        0              15 Jan 01  2024 tlstop.txt\r\n"


def ftp(c, data_listener, reports):
    c.lines("220 tlstop FTP responder ready")
    prot_p = False
    while True:
        line = c.readline()
        cmd, _, arg = line.partition(" ")
        cmd = cmd.upper()
        if cmd == "AUTH":
            c.rep["starttls_requested"] = True
            if arg.upper() == "TLS":
                c.lines("234 Proceed with negotiation.")
                c.upgrade()
            else:
                c.lines(f"504 AUTH {arg} not supported, use AUTH TLS")
        elif cmd == "FEAT":
            if not c.in_tls:
                c.rep["starttls_advertised"] = True
            c.lines("211-Features:", " AUTH TLS", " PBSZ", " PROT", " EPSV", " PASV", "211 End")
        elif cmd == "USER":
            user = arg
            c.lines("331 Please specify the password.")
        elif cmd == "PASS":
            c.credentials(user, arg, "FTP USER/PASS")
            c.lines("230 Login successful.")
        elif cmd == "PBSZ":
            c.lines("200 PBSZ=0")
        elif cmd == "PROT":
            prot_p = arg.upper() == "P"
            c.lines(f"200 Protection level set to {arg.upper()}")
        elif cmd == "PWD":
            c.lines('257 "/" is the current directory')
        elif cmd == "CWD":
            c.lines("250 Directory successfully changed.")
        elif cmd == "TYPE":
            c.lines("200 Switching to " + ("Binary" if arg.upper().startswith("I") else "ASCII") + " mode.")
        elif cmd == "SYST":
            c.lines("215 UNIX Type: L8")
        elif cmd == "EPSV" and data_listener:
            c.lines(f"229 Entering Extended Passive Mode (|||{data_listener.getsockname()[1]}|)")
        elif cmd == "PASV" and data_listener:
            p = data_listener.getsockname()[1]
            c.lines(f"227 Entering Passive Mode (127,0,0,1,{p >> 8},{p & 255}).")
        elif cmd in ("LIST", "NLST") and data_listener:
            c.lines("150 Here comes the directory listing.")
            raw, _ = data_listener.accept()
            raw.settimeout(IO_TIMEOUT)
            d = Conn(raw, c.ctx, c.args, role="ftp-data")
            try:
                if prot_p:
                    d.in_tls = True
                    try:
                        d.sock = d.ctx.wrap_socket(raw, server_side=True)
                    except (ssl.SSLError, OSError) as e:
                        d.rep["handshake_error"] = f"{type(e).__name__}: {e}"
                        raise Closed()
                    d.rep["tls"] = tls_info(d.sock, None)
                d.send(FTP_LISTING if cmd == "LIST" else b"tlstop.txt\r\n")
                d.rep["closed_by"] = "server after transfer"
            except Closed:
                pass
            finally:
                d.close()
                reports.append(d.rep)
            c.lines("226 Directory send OK.")
        elif cmd in ("SIZE", "MDTM", "RETR"):
            c.lines("550 Could not get file.")
        elif cmd == "NOOP":
            c.lines("200 NOOP ok.")
        elif cmd == "QUIT":
            c.lines("221 Goodbye.")
            c.rep["closed_by"] = "server after QUIT"
            return
        else:
            c.lines("502 Command not implemented.")


XMPP_TLS_NS = "urn:ietf:params:xml:ns:xmpp-tls"


def xmpp(c):
    hdr = c.read_until(b">")
    if hdr.lstrip().startswith("<?xml"):
        hdr = c.read_until(b">")
    stream = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
              "xmlns:stream='http://etherx.jabber.org/streams' id='tlstop-1' "
              f"from='{SERVER_NAME}' version='1.0' xml:lang='en'>")
    c.rep["starttls_advertised"] = True
    c.send(stream + f"<stream:features><starttls xmlns='{XMPP_TLS_NS}'><required/></starttls>"
           "</stream:features>")
    req = c.read_until(b">")
    if "<starttls" not in req:
        c.send("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
               "</stream:error></stream:stream>")
        return
    c.rep["starttls_requested"] = True
    c.send(f"<proceed xmlns='{XMPP_TLS_NS}'/>")
    c.upgrade()
    while True:
        data = c.read_until(b">")
        if "</stream:stream>" in data:
            c.send("</stream:stream>")
            c.rep["closed_by"] = "server after </stream:stream>"
            return
        if "<stream:stream" in data:
            c.send(stream.replace("tlstop-1", "tlstop-2") +
                   "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                   "<mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>")


def irc(c):
    while True:
        line = c.readline()
        cmd, _, arg = line.partition(" ")
        cmd = cmd.upper()
        if cmd == "STARTTLS":
            c.rep["starttls_requested"] = True
            c.lines(f":{SERVER_NAME} 670 * :STARTTLS successful, proceed with TLS handshake")
            c.upgrade()
        elif cmd == "CAP":
            c.rep["starttls_advertised"] = True
            c.lines(f":{SERVER_NAME} CAP * LS :tls")
        elif cmd == "PING":
            c.lines(f":{SERVER_NAME} PONG {SERVER_NAME} {arg}")
        elif cmd == "QUIT":
            c.lines("ERROR :Closing link: 127.0.0.1 (Quit)")
            c.rep["closed_by"] = "server after QUIT"
            return
        elif cmd in ("NICK", "USER"):
            pass
        else:
            c.lines(f":{SERVER_NAME} 421 * {cmd} :Unknown command")


LDAP_STARTTLS_OID = b"1.3.6.1.4.1.1466.20037"


def _ber(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    lb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(lb)]) + lb + content


def _ber_children(content):
    out, i = [], 0
    while i < len(content):
        tag, l0 = content[i], content[i + 1]
        i += 2
        if l0 & 0x80:
            nl = l0 & 0x7F
            length = int.from_bytes(content[i:i + nl], "big")
            i += nl
        else:
            length = l0
        out.append((tag, content[i:i + length]))
        i += length
    return out


def ldap(c):
    while True:
        tag, body, _ = c.read_ber()
        if tag != 0x30:
            raise RuntimeError(f"not an LDAPMessage: tag {tag:#x}")
        kids = _ber_children(body)
        msgid_tlv = _ber(kids[0][0], kids[0][1])
        op_tag, op = kids[1]
        if op_tag == 0x77:  # ExtendedRequest [APPLICATION 23]
            name = dict(_ber_children(op)).get(0x80, b"")
            if name == LDAP_STARTTLS_OID:
                c.rep["starttls_requested"] = True
                # ExtendedResponse [APPLICATION 24]: resultCode success, matchedDN "",
                # diagnosticMessage "", responseName [10] the StartTLS OID
                resp = _ber(0x78, _ber(0x0A, b"\x00") + _ber(0x04, b"") + _ber(0x04, b"") +
                            _ber(0x8A, LDAP_STARTTLS_OID))
                c.send(_ber(0x30, msgid_tlv + resp))
                c.upgrade()
            else:
                resp = _ber(0x78, _ber(0x0A, b"\x02") + _ber(0x04, b"") + _ber(0x04, b"unsupported"))
                c.send(_ber(0x30, msgid_tlv + resp))
        elif op_tag == 0x42:  # UnbindRequest
            c.rep["closed_by"] = "server after UnbindRequest"
            return
        else:
            raise RuntimeError(f"unsupported LDAP operation {op_tag:#x}")


PG_SSLREQUEST = 80877103


def postgres(c):
    length, code = struct.unpack("!II", c.read_exact(8))
    if length == 8 and code == PG_SSLREQUEST:
        c.rep["starttls_requested"] = True
        c.send(b"S")
        c.upgrade()
        # anything sent inside TLS (a StartupMessage) is refused with an ErrorResponse
        length = struct.unpack("!I", c.read_exact(4))[0]
        c.read_exact(length - 4)
    fields = b"SFATAL\0VFATAL\0C28000\0Mtlstop responder accepts no logins\0\0"
    c.send(b"E" + struct.pack("!I", 4 + len(fields)) + fields)
    c.rep["closed_by"] = "server after ErrorResponse"


CLIENT_SSL = 0x0800


def mysql(c):
    caps = 0x0000FFFF | 0x000F0000 | 0x00080000  # incl. CLIENT_SSL, PROTOCOL_41, PLUGIN_AUTH
    salt = b"tlstop-scramble-20b!"  # 20 bytes of auth-plugin-data (fixed: fixtures, not security)
    payload = (b"\x0a" + b"8.0.36-tlstop-responder\0" + struct.pack("<I", 7) + salt[:8] + b"\0" +
               struct.pack("<H", caps & 0xFFFF) + b"\x21" + struct.pack("<H", 0x0002) +
               struct.pack("<H", caps >> 16) + bytes([len(salt) + 1]) + b"\0" * 10 +
               salt[8:] + b"\0" + b"mysql_native_password\0")
    c.rep["starttls_advertised"] = True
    c.send(struct.pack("<I", len(payload))[:3] + b"\x00" + payload)
    hdr = c.read_exact(4, log=False)
    n = int.from_bytes(hdr[:3], "little")
    body = c.read_exact(n, log=False)
    c._log("C", hdr + body)
    flags = struct.unpack("<I", body[:4])[0]
    if n == 32 and flags & CLIENT_SSL:
        c.rep["starttls_requested"] = True
        c.upgrade()
        # the HandshakeResponse (login) inside TLS is refused with an ERR packet
        hdr = c.read_exact(4, log=False)
        body = c.read_exact(int.from_bytes(hdr[:3], "little"), log=False)
        c._log("C", hdr + body)
        err = (b"\xff" + struct.pack("<H", 1045) + b"#28000" +
               b"Access denied for user (the tlstop responder accepts no logins)")
        c.send(struct.pack("<I", len(err))[:3] + bytes([hdr[3] + 1]) + err)
    c.rep["closed_by"] = "server after ERR packet"


HANDLERS = {"smtp": smtp, "imap": imap, "pop3": pop3, "xmpp": xmpp, "irc": irc,
            "ldap": ldap, "postgres": postgres, "mysql": mysql}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--proto", required=True, choices=sorted(list(HANDLERS) + ["ftp"]))
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--report", required=True, help="JSON-lines file, one object per connection")
    ap.add_argument("--connections", type=int, default=1, help="exit after this many connections")
    ap.add_argument("--refuse-starttls", action="store_true")
    ap.add_argument("--auth", action="store_true", help="SMTP: advertise AUTH PLAIN LOGIN")
    ap.add_argument("--data-port", type=int, default=0, help="FTP: passive data port")
    ap.add_argument("--max-tls", choices=["1.2", "1.3"], default="1.3", help="highest TLS version to accept")
    args = ap.parse_args()

    ctx = make_context(args)
    lst = socket.create_server((HOST, args.port), backlog=4)
    data_listener = None
    if args.proto == "ftp" and args.data_port:
        data_listener = socket.create_server((HOST, args.data_port), backlog=1)
        data_listener.settimeout(IO_TIMEOUT)
    print(f"listening on {HOST}:{args.port} ({args.proto})", flush=True)

    for _ in range(args.connections):
        raw, _ = lst.accept()
        raw.settimeout(IO_TIMEOUT)
        c = Conn(raw, ctx, args)

        def remember_sni(sslobj, name, _ctx, c=c):
            c.sni = name

        ctx.sni_callback = remember_sni
        reports = []
        try:
            if args.proto == "ftp":
                ftp(c, data_listener, reports)
            else:
                HANDLERS[args.proto](c)
        except Closed:
            c.rep["closed_by"] = c.rep["closed_by"] or "client"
        except Exception as e:
            c.rep["error"] = f"{type(e).__name__}: {e}"
            raise
        finally:
            c.close()
            with open(args.report, "a") as f:
                for rep in [c.rep] + reports:
                    f.write(json.dumps(rep) + "\n")
        print(f"connection from port {c.rep['client_port']} done: tls={c.rep['tls']} "
              f"error={c.rep['handshake_error']}", flush=True)
    lst.close()
    if data_listener:
        data_listener.close()


if __name__ == "__main__":
    try:
        main()
    except socket.timeout:
        print("timed out", file=sys.stderr)
        sys.exit(3)
