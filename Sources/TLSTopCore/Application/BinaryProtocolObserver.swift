/// Reads the binary clear-text protocols that matter for encryption posture: PostgreSQL (and its
/// SSLRequest upgrade), MySQL (and its SSL request), LDAP (simple binds and the StartTLS extended
/// operation), MQTT (CONNECT with a password), and DNS over TCP.
///
/// Each protocol is framed into whole messages first; `observe` then reads one complete message.
enum BinaryProtocolObserver {
    // PostgreSQL protocol codes (PostgreSQL docs, "Message Formats").
    static let postgresSSLRequest: UInt32 = 80_877_103
    static let postgresGSSENCRequest: UInt32 = 80_877_104
    static let postgresCancelRequest: UInt32 = 80_877_102
    static let postgresProtocol3: UInt32 = 196_608
    /// MySQL CLIENT_SSL capability flag.
    static let mysqlClientSSL: UInt32 = 0x0800
    /// LDAP StartTLS extended operation, RFC 4511 §4.14.1.
    static let ldapStartTLSOID = Array("1.3.6.1.4.1.1466.20037".utf8)

    /// What the first bytes of a direction say about a binary protocol.
    enum Recognition: Equatable {
        case recognized(ApplicationProtocol)
        /// The bytes so far start a message of one of these protocols; more are needed to tell.
        case needMoreBytes
        case unrecognized
    }

    /// Identifies a binary protocol from the first bytes of a direction, given what the other
    /// direction already showed.
    static func identify(
        _ bytes: UnsafeRawBufferPointer, from direction: Direction, serverPort: UInt16, known: ApplicationProtocol?
    ) -> Recognition {
        if let known, [.postgres, .mysql, .ldap, .mqtt, .dns, .socks4, .socks5, .rdp].contains(known) {
            return .recognized(known)
        }
        var needMore = false
        func check(_ result: Bool?, _ application: ApplicationProtocol) -> Recognition? {
            switch result {
            case true?: return .recognized(application)
            case nil: needMore = true
            case false?: break
            }
            return nil
        }
        switch direction {
        case .client:
            if let found = check(isPostgresStartup(bytes), .postgres) { return found }
            if let found = check(isLDAPMessage(bytes), .ldap) { return found }
            if let found = check(isMQTTConnect(bytes), .mqtt) { return found }
            if let found = check(isDNSOverTCP(bytes, serverPort: serverPort), .dns) { return found }
            if let found = check(TunnelObserver.isSOCKS5Greeting(bytes), .socks5) { return found }
            if let found = check(TunnelObserver.isSOCKS4Request(bytes), .socks4) { return found }
            if let found = check(TunnelObserver.isRDPConnectionRequest(bytes, serverPort: serverPort), .rdp) {
                return found
            }
        case .server:
            if let found = check(isMySQLGreeting(bytes), .mysql) { return found }
            if let found = check(isLDAPMessage(bytes), .ldap) { return found }
        }
        return needMore ? .needMoreBytes : .unrecognized
    }

    /// Size of the next whole message at the start of `bytes`, nil when more bytes are needed.
    static func messageSize(
        _ bytes: UnsafeRawBufferPointer, protocol application: ApplicationProtocol, from direction: Direction,
        facts: ApplicationFacts, startupSent: Bool
    ) throws(ParseError) -> Int? {
        let reader = ByteReader(bytes)
        do throws(ParseError) {
            switch application {
            case .postgres:
                if direction == .server && facts.upgradePending && !facts.upgradeAccepted {
                    return 1  // 'S' or 'N' answers an SSLRequest
                }
                if direction == .client && !startupSent {
                    let length = Int(try reader.peekUInt32())
                    guard length >= 8 else { throw ParseError.malformed("PostgreSQL startup length \(length)") }
                    return length
                }
                let length = Int(try reader.peekUInt32(at: 1))
                guard length >= 4 else { throw ParseError.malformed("PostgreSQL message length \(length)") }
                return 1 + length
            case .mysql:
                let length =
                    Int(try reader.peekUInt8()) | Int(try reader.peekUInt8(at: 1)) << 8
                    | Int(try reader.peekUInt8(at: 2)) << 16
                return 4 + length
            case .ldap:
                guard try reader.peekUInt8() == 0x30 else {
                    throw ParseError.malformed("LDAP message is not a SEQUENCE")
                }
                return try reader.berElementSize()
            case .mqtt:
                var probe = reader
                _ = try probe.readUInt8()
                var remaining = 0
                var shift = 0
                while true {
                    let byte = try probe.readUInt8()
                    remaining |= Int(byte & 0x7F) << shift
                    guard byte & 0x80 != 0 else { break }
                    shift += 7
                    guard shift <= 21 else { throw ParseError.malformed("MQTT remaining length over 4 bytes") }
                }
                return probe.offset + remaining
            case .dns:
                return 2 + Int(try reader.peekUInt16())
            case .socks4, .socks5, .rdp:
                return try TunnelObserver.messageSize(reader, protocol: application, from: direction, facts: facts)
            default:
                throw ParseError(.unsupported, "\(application) is not a binary protocol")
            }
        } catch {
            if error.code == .truncated { return nil }
            throw error
        }
    }

    /// Reads one whole message. Returns true when it was the client's PostgreSQL StartupMessage,
    /// after which client messages carry a type byte.
    static func observe(
        _ message: UnsafeRawBufferPointer, protocol application: ApplicationProtocol, from direction: Direction,
        startupSent: Bool, facts: inout ApplicationFacts
    ) throws(ParseError) -> Bool {
        var reader = ByteReader(message)
        switch (application, direction) {
        case (.postgres, .client):
            if !startupSent {
                switch try reader.peekUInt32(at: 4) {
                case postgresSSLRequest:
                    facts.requestUpgrade()
                case postgresProtocol3:
                    return true
                default:
                    break  // GSSENCRequest, CancelRequest
                }
            } else if message.first == UInt8(ascii: "p"), facts.postgresCleartextPasswordRequested {
                facts.markCredentials("postgres-cleartext-password")
            }
        case (.postgres, .server):
            if facts.upgradePending && !facts.upgradeAccepted && message.count == 1 {
                if message[0] == UInt8(ascii: "S") { facts.upgradeAccepted = true } else { facts.upgradeRefused = true }
                return false
            }
            // AuthenticationCleartextPassword: 'R', length 8, code 3.
            if message.count >= 9, message[0] == UInt8(ascii: "R"), try reader.peekUInt32(at: 5) == 3 {
                facts.postgresCleartextPasswordRequested = true
            }
        case (.mysql, .server):
            try reader.skip(4)
            guard try reader.peekUInt8() == 10 else { return false }  // only the protocol-10 greeting matters
            try reader.skip(1)
            // server version, NUL-terminated
            while try reader.readUInt8() != 0 {}
            try reader.skip(4 + 8 + 1)  // connection id, auth data part 1, filler
            let lowCapabilities = UInt32(try reader.readUInt16LittleEndian())
            if lowCapabilities & mysqlClientSSL != 0 { facts.upgradeAdvertised = true }
        case (.mysql, .client):
            try reader.skip(3)
            let sequence = try reader.readUInt8()
            guard sequence == 1 else { return false }
            let capabilities = try reader.readUInt32LittleEndian()
            // An SSLRequest is the 32-byte start of a HandshakeResponse with CLIENT_SSL set;
            // TLS starts right after it, without a reply.
            if capabilities & mysqlClientSSL != 0, message.count == 4 + 32 {
                facts.requestUpgrade()
                facts.upgradeAccepted = true
            }
        case (.ldap, _):
            try observeLDAP(&reader, from: direction, facts: &facts)
        case (.socks4, _), (.socks5, _), (.rdp, _):
            try TunnelObserver.observe(message, protocol: application, from: direction, facts: &facts)
        case (.mqtt, .client):
            try reader.skip(1)
            while try reader.readUInt8() & 0x80 != 0 {}
            let name = try reader.prefixed16()
            guard name.unreadBytes.elementsEqual("MQTT".utf8) || name.unreadBytes.elementsEqual("MQIsdp".utf8) else {
                return false
            }
            try reader.skip(1)  // protocol level
            let flags = try reader.readUInt8()
            if flags & 0x40 != 0 { facts.markCredentials("mqtt-password") }
        default:
            break
        }
        return false
    }

    private static func observeLDAP(
        _ reader: inout ByteReader, from direction: Direction, facts: inout ApplicationFacts
    )
        throws(ParseError)
    {
        var (tag, message) = try reader.readBER()
        guard tag == 0x30 else { throw .malformed("LDAP message is not a SEQUENCE") }
        _ = try message.readBERInteger()  // messageID
        var (operation, body) = try message.readBER()
        switch (direction, operation) {
        case (.client, 0x60):  // BindRequest
            _ = try body.readBERInteger()  // version
            _ = try body.readBER()  // name
            let (choice, credentials) = try body.readBER()
            // simple [0]: a password in clear (an empty one is an anonymous bind).
            if choice == 0x80, credentials.remaining > 0 { facts.markCredentials("ldap-simple-bind") }
        case (.client, 0x77):  // ExtendedRequest
            let (nameTag, name) = try body.readBER()
            if nameTag == 0x80, name.unreadBytes.elementsEqual(ldapStartTLSOID) {
                facts.requestUpgrade()
                facts.ldapStartTLSPending = true
            }
        case (.server, 0x78):  // ExtendedResponse
            guard facts.ldapStartTLSPending else { return }
            let result = try body.readBERInteger(tag: 0x0A)
            facts.ldapStartTLSPending = false
            if result == 0 { facts.upgradeAccepted = true } else { facts.upgradeRefused = true }
        default:
            break
        }
    }

    // MARK: - Recognizers
    // Each answers true, false, or nil when the bytes so far are a prefix of a possible match.

    /// PostgreSQL StartupMessage, SSLRequest, GSSENCRequest or CancelRequest: Int32 length, Int32 code.
    static func isPostgresStartup(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        guard bytes.count >= 8 else {
            // Every startup length is below 65,536, so its first two bytes are zero.
            return bytes.prefix(2).allSatisfy { $0 == 0 } ? nil : false
        }
        let reader = ByteReader(bytes)
        guard let length = try? reader.peekUInt32(), let code = try? reader.peekUInt32(at: 4) else { return false }
        return (8...10_000).contains(length)
            && [postgresSSLRequest, postgresGSSENCRequest, postgresCancelRequest, postgresProtocol3].contains(code)
    }

    /// LDAPMessage: SEQUENCE { INTEGER messageID, [APPLICATION n] protocolOp }.
    static func isLDAPMessage(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        var reader = ByteReader(bytes)
        do throws(ParseError) {
            guard try reader.readUInt8() == 0x30 else { return false }
            _ = try reader.readBERLength()
            guard try reader.readUInt8() == 0x02 else { return false }
            let idLength = try reader.readUInt8()
            guard (1...4).contains(idLength) else { return false }
            try reader.skip(Int(idLength))
            let operation = try reader.readUInt8()
            // Application-class tags 0–25 (RFC 4511 §4.2–4.14), constructed or primitive.
            return operation & 0xC0 == 0x40 && operation & 0x1F <= 25
        } catch {
            return error.code == .truncated ? nil : false
        }
    }

    /// MQTT CONNECT with the "MQTT" (3.1.1, 5) or "MQIsdp" (3.1) protocol name.
    static func isMQTTConnect(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        var reader = ByteReader(bytes)
        do throws(ParseError) {
            guard try reader.readUInt8() == 0x10 else { return false }
            var lengthBytes = 0
            while try reader.readUInt8() & 0x80 != 0 {
                lengthBytes += 1
                guard lengthBytes < 4 else { return false }
            }
            let nameLength = Int(try reader.readUInt16())
            guard nameLength == 4 || nameLength == 6 else { return false }
            let name = try reader.slice(nameLength)
            return name.unreadBytes.elementsEqual("MQTT".utf8) || name.unreadBytes.elementsEqual("MQIsdp".utf8)
        } catch {
            return error.code == .truncated ? nil : false
        }
    }

    /// MySQL protocol-10 initial handshake: packet 0, version 10, printable version string.
    static func isMySQLGreeting(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        if bytes.count >= 4, bytes[3] != 0 { return false }
        if bytes.count >= 5, bytes[4] != 10 { return false }
        if bytes.count >= 3 {
            let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
            guard (20...1024).contains(length) else { return false }
        }
        let version = bytes.dropFirst(5).prefix(while: { $0 != 0 })
        guard version.allSatisfy({ (0x20..<0x7F).contains($0) }), version.count <= 64 else { return false }
        // Undecided until the version string's terminating NUL has arrived.
        guard bytes.count > 5 + version.count else { return nil }
        return !version.isEmpty
    }

    /// A DNS query framed by a 2-byte length (RFC 1035 §4.2.2).
    static func isDNSOverTCP(_ bytes: UnsafeRawBufferPointer, serverPort: UInt16) -> Bool? {
        guard bytes.count >= 14 else { return bytes.first == 0 ? nil : false }
        let length = Int(bytes[0]) << 8 | Int(bytes[1])
        guard length >= 12 else { return false }
        let message = UnsafeRawBufferPointer(rebasing: bytes.dropFirst(2))
        guard DNSHeader.looksLikeQuery(message, strict: false) else { return false }
        if serverPort == 53 { return true }
        // Off port 53 the question name must be well-formed too: wait for the message, or for as
        // much of it as the detection window holds.
        if bytes.count < min(2 + length, 64) { return nil }
        return DNSHeader.looksLikeQuery(message, strict: true)
    }
}

extension ByteReader {
    @inlinable
    func peekUInt32(at distance: Int = 0) throws(ParseError) -> UInt32 {
        var probe = self
        try probe.skip(distance)
        return try probe.readUInt32()
    }

    mutating func readUInt16LittleEndian() throws(ParseError) -> UInt16 {
        let low = try readUInt8()
        return UInt16(try readUInt8()) << 8 | UInt16(low)
    }
}
