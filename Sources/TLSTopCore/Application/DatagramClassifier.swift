/// Names a UDP flow from one datagram: DNS, SNMP, syslog in clear; WireGuard and UDP-encapsulated
/// ESP as encrypted. QUIC and DTLS are left to their own analysis.
enum DatagramClassifier {
    enum Verdict: Equatable {
        case plaintext(ApplicationProtocol)
        case encrypted(EncryptedProtocol)
    }

    static func classify(
        _ bytes: UnsafeRawBufferPointer, from direction: Direction, serverPort: UInt16, clientPort: UInt16
    ) -> Verdict? {
        let ports: Set<UInt16> = [serverPort, clientPort]
        if isWireGuard(bytes) { return .encrypted(.wireguard) }
        if isIKE(bytes, ports: ports) { return .encrypted(.ike) }
        if ports.contains(4500), bytes.count >= 16, bytes.prefix(4).contains(where: { $0 != 0 }) {
            return .encrypted(.esp)  // RFC 3948: a non-zero SPI where IKE has its 4-byte zero marker
        }
        if !ports.isDisjoint(with: [53, 5353, 5355]),
            DNSHeader.looksLikeQuery(bytes, strict: false) || DNSHeader.looksLikeResponse(bytes)
        {
            return .plaintext(.dns)
        }
        if let snmp = snmpVersion(bytes) {
            // The v1/v2c community string is a password sent in clear.
            return snmp == 3 && snmpV3IsPrivate(bytes) ? .encrypted(.snmpv3) : .plaintext(.snmp)
        }
        if isSyslog(bytes) { return .plaintext(.syslog) }
        if ports.isDisjoint(with: [53, 5353, 5355]), DNSHeader.looksLikeQuery(bytes, strict: true) {
            return .plaintext(.dns)
        }
        return nil
    }

    /// IKE header (RFC 7296 §3.1, RFC 2408 §3.1): non-zero initiator SPI, a version of 1.0 or 2.0, a
    /// known exchange type, and a length equal to the datagram. On port 4500 it follows the
    /// 4-byte zero non-ESP marker (RFC 3948 §2.2).
    static func isIKE(_ bytes: UnsafeRawBufferPointer, ports: Set<UInt16>) -> Bool {
        guard !ports.isDisjoint(with: [500, 4500]) else { return false }
        var message = bytes[...]
        if ports.contains(4500) {
            guard message.count >= 4, message.prefix(4).allSatisfy({ $0 == 0 }) else { return false }
            message = message.dropFirst(4)
        }
        guard message.count >= 28 else { return false }
        let base = message.startIndex
        guard message[base..<(base + 8)].contains(where: { $0 != 0 }) else { return false }
        let version = message[base + 17]
        let exchange = message[base + 18]
        let length = message[(base + 24)..<(base + 28)].reduce(0) { $0 << 8 | Int($1) }
        let knownExchange = version == 0x20 ? (34...43).contains(exchange) : [2, 4, 5, 6, 32].contains(exchange)
        return (version == 0x20 || version == 0x10) && knownExchange && length == message.count
    }

    /// WireGuard messages: a type byte 1–4, three zero bytes, and the size each type has.
    static func isWireGuard(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 32, bytes[1] == 0, bytes[2] == 0, bytes[3] == 0 else { return false }
        switch bytes[0] {
        case 1: return bytes.count == 148  // handshake initiation
        case 2: return bytes.count == 92  // handshake response
        case 3: return bytes.count == 64  // cookie reply
        case 4: return bytes.count % 16 == 0  // transport data: header + padded ciphertext + tag
        default: return false
        }
    }

    /// SNMP message: SEQUENCE { INTEGER version (0 = v1, 1 = v2c, 3 = v3), … }.
    static func snmpVersion(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var reader = ByteReader(bytes)
        guard let (tag, content) = try? reader.readBER(), tag == 0x30 else { return nil }
        var body = content
        guard let version = try? body.readBERInteger(), [0, 1, 3].contains(version) else { return nil }
        if version == 3 { return 3 }
        // v1/v2c: community OCTET STRING, then a PDU with a context tag 0xA0–0xA8.
        guard let (communityTag, _) = try? body.readBER(), communityTag == 0x04,
            let pdu = try? body.peekUInt8(), (0xA0...0xA8).contains(pdu)
        else { return nil }
        return version
    }

    /// SNMPv3 msgFlags privFlag (RFC 3412 §6.4): the scoped PDU is encrypted.
    static func snmpV3IsPrivate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(bytes)
        guard let (_, content) = try? reader.readBER() else { return false }
        var body = content
        guard (try? body.readBERInteger()) != nil, let (headerTag, header) = try? body.readBER(), headerTag == 0x30
        else { return false }
        var fields = header
        guard (try? fields.readBERInteger()) != nil, (try? fields.readBERInteger()) != nil,
            let (flagsTag, flags) = try? fields.readBER(), flagsTag == 0x04, flags.remaining == 1,
            let value = flags.unreadBytes.first
        else { return false }
        return value & 0x02 != 0
    }

    /// RFC 5424 / RFC 3164 "<PRI>": up to three digits, PRI at most 191.
    static func isSyslog(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: "<") else { return false }
        var value = 0
        var index = 1
        while index < min(bytes.count, 5), (0x30...0x39).contains(bytes[index]) {
            value = value * 10 + Int(bytes[index] - 0x30)
            index += 1
        }
        return index > 1 && index < bytes.count && bytes[index] == UInt8(ascii: ">") && value <= 191
    }
}
