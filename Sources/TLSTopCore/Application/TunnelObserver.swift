/// Reads the clear-text set-up of the binary tunnels: SOCKS4 and SOCKS4a, SOCKS5 (RFC 1928, with
/// RFC 1929's username/password) and RDP's X.224 connection request and confirm ([MS-RDPBCGR] 2.2.1.1–2).
/// Once the tunnel is up, TLS starts at the next message boundary, as after STARTTLS.
enum TunnelObserver {
    /// Longest target name kept (a SOCKS5 domain is at most 255 bytes).
    static let maximumTargetLength = 255

    // MARK: Recognizers: true, false, or nil while the bytes are a prefix of a possible match.

    /// SOCKS5 greeting: version 5, the number of methods, then exactly that many method codes.
    static func isSOCKS5Greeting(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        guard let version = bytes.first else { return nil }
        guard version == 5 else { return false }
        guard bytes.count >= 2 else { return nil }
        let count = Int(bytes[1])
        guard count >= 1 else { return false }
        guard bytes.count >= 2 + count else { return nil }
        // The client waits for the server's choice: nothing follows the greeting.
        guard bytes.count == 2 + count else { return false }
        // Assigned methods are 0–9, private ones 0x80–0xFE.
        return bytes[2...].allSatisfy { $0 <= 0x09 || (0x80...0xFE).contains($0) }
    }

    /// A SOCKS4 or SOCKS4a request (version 4, CONNECT or BIND, port, address, user id, and for
    /// 4a a host name), exactly: the client waits for the answer.
    static func isSOCKS4Request(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        guard let version = bytes.first else { return nil }
        guard version == 4 else { return false }
        guard let command = bytes.byte(at: 1) else { return nil }
        guard command == 1 || command == 2 else { return false }
        do throws(ParseError) {
            return try socks4RequestSize(ByteReader(bytes)) == bytes.count
        } catch {
            return error.code == .truncated ? nil : false
        }
    }

    /// The length of a SOCKS4(a) request: 8 bytes, the NUL-terminated user id, and after an
    /// address 0.0.0.x (x ≠ 0) the NUL-terminated host name of SOCKS4a.
    static func socks4RequestSize(_ reader: ByteReader) throws(ParseError) -> Int {
        let address = try reader.peekUInt32(at: 4)
        var end = try nulTerminator(reader, from: 8)
        if address > 0, address < 256 { end = try nulTerminator(reader, from: end + 1) }
        return end + 1
    }

    /// The offset of the next NUL at or after `start`, within the 255 bytes a name may take.
    private static func nulTerminator(_ reader: ByteReader, from start: Int) throws(ParseError) -> Int {
        for offset in start..<(start + 256) where try reader.peekUInt8(at: offset) == 0 { return offset }
        throw .malformed("SOCKS4 name longer than 255 bytes")
    }

    /// An X.224 Connection Request in a TPKT (version 3): the first message of every RDP client.
    static func isRDPConnectionRequest(_ bytes: UnsafeRawBufferPointer, serverPort: UInt16) -> Bool? {
        guard let version = bytes.first else { return nil }
        guard version == 3 else { return false }
        guard bytes.count >= 7 else { return bytes.count < 2 || bytes[1] == 0 ? nil : false }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard bytes[1] == 0, (11...1024).contains(length), bytes[5] & 0xF0 == 0xE0 else { return false }
        guard bytes.count >= length else { return nil }
        let request = UnsafeRawBufferPointer(rebasing: bytes[..<length])
        // ISO transport (S7, MMS) also sends a CR; RDP's carries a cookie or an RDP_NEG_REQ.
        return serverPort == 3389 || negotiationRequest(in: request) != nil
            || request.elementsEqualPrefix(at: 7, "Cookie: ")
    }

    // MARK: Framing

    /// Size of the next whole message, nil when more bytes are needed.
    static func messageSize(
        _ reader: ByteReader, protocol application: ApplicationProtocol, from direction: Direction,
        facts: ApplicationFacts
    ) throws(ParseError) -> Int {
        switch application {
        case .socks4:
            return direction == .client ? try socks4RequestSize(reader) : 8
        case .rdp:
            guard try reader.peekUInt8() == 3 else { throw .malformed("RDP message is not a TPKT") }
            let length = Int(try reader.peekUInt16(at: 2))
            guard length >= 4 else { throw .malformed("TPKT length \(length)") }
            return length
        default:
            let first = try reader.peekUInt8()
            switch (direction, facts.socksClientMessages, facts.socksServerMessages, first) {
            case (.client, 0, _, _): return 2 + Int(try reader.peekUInt8(at: 1))
            case (.server, _, 0, _): return 2  // the chosen method
            case (.client, _, _, 1):  // RFC 1929 username/password
                let user = Int(try reader.peekUInt8(at: 1))
                return 3 + user + Int(try reader.peekUInt8(at: 2 + user))
            case (.server, _, _, 1): return 2  // its status
            case (_, _, _, 5): return 4 + (try addressLength(reader, at: 3)) + 2
            default: throw .malformed("SOCKS5 message starts with \(first)")
            }
        }
    }

    private static func addressLength(_ reader: ByteReader, at offset: Int) throws(ParseError) -> Int {
        switch try reader.peekUInt8(at: offset) {
        case 1: return 4
        case 3: return 1 + Int(try reader.peekUInt8(at: offset + 1))
        case 4: return 16
        case let type: throw .malformed("SOCKS5 address type \(type)")
        }
    }

    // MARK: Messages

    static func observe(
        _ message: UnsafeRawBufferPointer, protocol application: ApplicationProtocol, from direction: Direction,
        facts: inout ApplicationFacts
    ) throws(ParseError) {
        var reader = ByteReader(message)
        if application == .rdp {
            try observeRDP(&reader, from: direction, facts: &facts)
            return
        }
        if application == .socks4 {
            try observeSOCKS4(&reader, from: direction, facts: &facts)
            return
        }
        defer { facts.countSOCKSMessage(from: direction) }
        let first = try reader.readUInt8()
        switch direction {
        case .client where facts.socksClientMessages == 0:
            return  // the greeting: the methods offered
        case .server where facts.socksServerMessages == 0:
            return
        case .client where first == 1:
            let user = try reader.prefixed8()
            let password = try reader.prefixed8()
            if user.remaining > 0 || password.remaining > 0 { facts.markCredentials("socks5-password") }
        case .client:
            let command = try reader.readUInt8()
            try reader.skip(1)
            let target = try readAddress(&reader)
            // CONNECT (1) opens a tunnel; BIND and UDP ASSOCIATE do not carry this stream's TLS.
            guard command == 1 else { return }
            facts.tunnel = .socks5
            facts.tunnelTarget = target
            facts.requestUpgrade()
        case .server where first == 5:
            let reply = try reader.readUInt8()
            guard facts.tunnel == .socks5, facts.upgradePending, !facts.upgradeAccepted else { return }
            if reply == 0 { facts.upgradeAccepted = true } else { facts.upgradeRefused = true }
        case .server:
            return  // a username/password status
        }
    }

    /// "host:port", "192.0.2.1:443" or "[2001:db8::1]:443".
    private static func readAddress(_ reader: inout ByteReader) throws(ParseError) -> String {
        let type = try reader.readUInt8()
        var host: String
        switch type {
        case 1:
            host = IPAddress(ipv4: try reader.readUInt32()).description
        case 4:
            let high = UInt64(try reader.readUInt32()) << 32 | UInt64(try reader.readUInt32())
            let low = UInt64(try reader.readUInt32()) << 32 | UInt64(try reader.readUInt32())
            host = "[" + IPAddress(high: high, low: low).description + "]"
        default:
            let name = try reader.prefixed8()
            host = TextLimits.string(from: name.unreadBytes, maximumLength: maximumTargetLength)
        }
        let port = try reader.readUInt16()
        return host + ":" + String(port)
    }

    private static func observeSOCKS4(
        _ reader: inout ByteReader, from direction: Direction, facts: inout ApplicationFacts
    ) throws(ParseError) {
        switch direction {
        case .client:
            guard facts.tunnel == nil else { return }
            try reader.skip(1)
            let command = try reader.readUInt8()
            let port = try reader.readUInt16()
            let address = try reader.readUInt32()
            while try reader.readUInt8() != 0 {}  // the user id: a name, not a secret
            var host = IPAddress(ipv4: address).description
            if address > 0, address < 256 {
                var name: [UInt8] = []
                while true {
                    let byte = try reader.readUInt8()
                    if byte == 0 { break }
                    if name.count < maximumTargetLength { name.append(byte) }
                }
                host = name.withUnsafeBytes { TextLimits.string(from: $0, maximumLength: maximumTargetLength) }
            }
            guard command == 1 else { return }  // BIND does not carry this stream's TLS
            facts.tunnel = .socks4
            facts.tunnelTarget = host + ":" + String(port)
            facts.requestUpgrade()
        case .server:
            try reader.skip(1)
            let reply = try reader.readUInt8()
            guard facts.tunnel == .socks4, facts.upgradePending, !facts.upgradeAccepted else { return }
            // 90 granted; 91 rejected, 92 and 93 identd failures.
            if reply == 90 { facts.upgradeAccepted = true } else { facts.upgradeRefused = true }
        }
    }

    private static func observeRDP(
        _ reader: inout ByteReader, from direction: Direction, facts: inout ApplicationFacts
    ) throws(ParseError) {
        try reader.skip(5)  // TPKT, X.224 length indicator
        let code = try reader.readUInt8() & 0xF0
        let message = reader.rest()
        switch (direction, code) {
        case (.client, 0xE0):  // Connection Request
            facts.tunnel = .rdp
            facts.requestUpgrade()
        case (.server, 0xD0):  // Connection Confirm
            guard facts.tunnel == .rdp, facts.upgradePending, !facts.upgradeAccepted else { return }
            // X.224 CC: DST-REF(2) SRC-REF(2) class(1), then an optional RDP_NEG_RSP / FAILURE.
            var body = message
            try body.skip(5)
            guard body.remaining >= 8 else {
                // No negotiation: standard RDP security, which never uses TLS.
                facts.rdpSecurity = .rdp
                facts.upgradeRefused = true
                return
            }
            let type = try body.readUInt8()
            try body.skip(3)  // flags, length
            let value = try body.readUInt32LittleEndian()
            if type == 2, let security = RDPSecurity(selectedProtocol: value) {
                facts.rdpSecurity = security
                if security.usesTLS { facts.upgradeAccepted = true } else { facts.upgradeRefused = true }
            } else {
                facts.upgradeRefused = true  // RDP_NEG_FAILURE
            }
        default:
            break
        }
    }

    /// The `requestedProtocols` of an RDP_NEG_REQ: the last 8 bytes of the Connection Request,
    /// type 1, length 8.
    static func negotiationRequest(in request: UnsafeRawBufferPointer) -> UInt32? {
        guard request.count >= 8 else { return nil }
        var tail = ByteReader(UnsafeRawBufferPointer(rebasing: request[(request.count - 8)...]))
        guard (try? tail.readUInt8()) == 1, (try? tail.skip(1)) != nil,
            (try? tail.readUInt16LittleEndian()) == 8
        else { return nil }
        return try? tail.readUInt32LittleEndian()
    }
}

extension UnsafeRawBufferPointer {
    /// Whether the bytes at `offset` are `text` (an RDP cookie after the X.224 header).
    fileprivate func elementsEqualPrefix(at offset: Int, _ text: StaticString) -> Bool {
        guard offset >= 0, count - offset >= text.utf8CodeUnitCount else { return false }
        let needle = UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        return self[offset..<(offset + needle.count)].elementsEqual(needle)
    }
}
