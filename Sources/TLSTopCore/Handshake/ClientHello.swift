/// What a ClientHello offers (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).
///
/// Lists keep the client's order with GREASE values left out; `extensionTypes` keeps every
/// extension code point as sent (GREASE included), since fingerprints need the raw order.
public struct ClientHello: Sendable, Equatable {
    /// Lists and strings from the network are capped so a hostile hello cannot grow memory.
    static let maximumListLength = 512
    static let maximumNameLength = 255
    static let maximumALPNProtocols = 16

    public var legacyVersion: ProtocolVersion
    // The small members together, before the buffer: declaration order is layout order.
    /// A non-empty session_ticket extension: the client tries RFC 5077 resumption.
    public var offersSessionTicket = false
    /// A pre_shared_key extension: the client tries TLS 1.3 PSK resumption.
    public var offersPreSharedKey = false
    public var hasEncryptedClientHello = false
    public var offersEarlyData = false
    /// True for an SSLv2-format (backward-compatible) ClientHello.
    public var isSSLv2Format = false
    /// DTLS: the HelloVerifyRequest cookie echoed (0 in the first ClientHello; at most 255).
    public var cookieLength: UInt8 = 0
    /// Network strings cut at their cap: a server name over 255 bytes, ALPN names past the 16th.
    public internal(set) var truncatedFields: Int32 = 0
    /// Every list below lives in this one buffer (see `CodePointList`).
    private(set) var lists = HelloLists()
    public var supportedVersions: CodePointList<ProtocolVersion> {
        get { lists[.versions] }
        set { lists[.versions] = newValue }
    }
    public var cipherSuites: CodePointList<CipherSuite> {
        get { lists[.cipherSuites] }
        set { lists[.cipherSuites] = newValue }
    }
    /// The SNI host name (capped at 255 bytes), kept as bytes in the hello's buffer: a String
    /// per hello would be a second allocation for any name over 15 bytes.
    public var serverName: String? {
        get { lists.string(of: .serverName) }
        set {
            if let newValue {
                lists.setBytes(.serverName, to: Array(newValue.utf8.prefix(Self.maximumNameLength)))
            } else {
                lists.set(.serverName, to: [])
            }
        }
    }
    /// The ALPN names offered (at most 16), kept as sent (each after its length byte) in the
    /// hello's buffer, not as an array of strings per connection.
    public var alpnProtocols: [String] {
        get {
            lists.bytes(of: .alpn).map(Self.alpnNames) ?? []
        }
        set {
            var bytes: [UInt8] = []
            for name in newValue.prefix(Self.maximumALPNProtocols) {
                let utf8 = name.utf8.prefix(Self.maximumNameLength)
                bytes.append(UInt8(utf8.count))
                bytes.append(contentsOf: utf8)
            }
            lists.setBytes(.alpn, to: bytes)
        }
    }
    /// The first and last byte of the first ALPN value as sent (JA4 reads them before any repair
    /// of invalid UTF-8); empty without ALPN.
    public var firstALPNEdges: CodePointList<UInt8> {
        get { lists[.firstALPNEdges] }
        set { lists[.firstALPNEdges] = newValue }
    }
    public var supportedGroups: CodePointList<NamedGroup> {
        get { lists[.groups] }
        set { lists[.groups] = newValue }
    }
    public var keyShareGroups: CodePointList<NamedGroup> {
        get { lists[.keyShareGroups] }
        set { lists[.keyShareGroups] = newValue }
    }
    /// The post-quantum group the client was readiest to use: the first of its key shares, else
    /// the first it listed in supported_groups; nil when it offered none.
    public var offeredPostQuantumGroup: NamedGroup? {
        keyShareGroups.first(where: \.isPostQuantum) ?? supportedGroups.first(where: \.isPostQuantum)
    }
    public var signatureAlgorithms: CodePointList<SignatureScheme> {
        get { lists[.signatureAlgorithms] }
        set { lists[.signatureAlgorithms] = newValue }
    }
    public var extensionTypes: CodePointList<UInt16> {
        get { lists[.extensionTypes] }
        set { lists[.extensionTypes] = newValue }
    }
    public var ecPointFormats: CodePointList<UInt8> {
        get { lists[.ecPointFormats] }
        set { lists[.ecPointFormats] = newValue }
    }
    /// The legacy session ID, two bytes a value in the hello's buffer (TLS 1.3 clients send 32
    /// random bytes: 64 bytes kept a value each).
    public var sessionID: [UInt8] {
        get { lists.bytes(of: .sessionID) ?? [] }
        set {
            if newValue.isEmpty { lists.set(.sessionID, to: []) } else { lists.setBytes(.sessionID, to: newValue) }
        }
    }
    public var pskKeyExchangeModes: CodePointList<UInt8> {
        get { lists[.pskKeyExchangeModes] }
        set { lists[.pskKeyExchangeModes] = newValue }
    }

    public init(legacyVersion: ProtocolVersion) {
        self.legacyVersion = legacyVersion
    }

    /// The highest version the client offers: supported_versions when present (TLS 1.3),
    /// otherwise the legacy version field.
    public var highestVersion: ProtocolVersion {
        supportedVersions.max(by: { $0.ordinal < $1.ordinal }) ?? legacyVersion
    }

    /// Whether the session ID offered is `bytes` (a server echoing it resumes that session),
    /// compared in the buffer without making the array `sessionID` would.
    func offersSessionID(_ bytes: [UInt8]) -> Bool {
        lists.hasBytes(bytes, in: .sessionID)
    }

    /// Whether the client tries to resume a session (session ID, ticket or PSK).
    public var attemptsResumption: Bool {
        offersPreSharedKey || offersSessionTicket
            || (lists.count(of: .sessionID) > 1 && supportedVersions.isEmpty)
    }

    /// Parses the body of a ClientHello handshake message (after the 4-byte handshake header).
    /// `isDTLS`: a DTLS ClientHello carries a cookie after the session ID (RFC 6347 §4.2.1).
    public init(parsing reader: inout ByteReader, isDTLS: Bool = false) throws(ParseError) {
        legacyVersion = ProtocolVersion(rawValue: try reader.readUInt16())
        try reader.skip(32)  // random
        let session = try reader.prefixed8()
        guard session.remaining <= 32 else { throw .malformed("ClientHello session_id longer than 32") }
        if isDTLS {
            let cookie = try reader.prefixed8()
            cookieLength = UInt8(clamping: cookie.remaining)
        }
        var suites = try reader.prefixed16()
        guard suites.remaining % 2 == 0, suites.remaining >= 2 else {
            throw .malformed("ClientHello cipher_suites length \(suites.remaining)")
        }
        // Compression methods are checked, not kept: nothing reads them (RFC 8446 allows only null).
        let compression = try reader.prefixed8()
        guard compression.remaining >= 1 else { throw .malformed("ClientHello without compression methods") }
        // Extensions are optional in hellos older than TLS 1.2 (RFC 5246 §7.4.1.2).
        var extensions: ByteReader?
        if !reader.isAtEnd {
            extensions = try reader.prefixed16()
            try reader.expectEnd("ClientHello")
        }
        // One allocation for every list: the room they can take, counted from the lengths first.
        let room =
            try HelloLists.room(forBytes: session.remaining) + suites.remaining / 2
            + (extensions.map(Self.listRoom) ?? 0)
        lists.reserve(min(room, 4 * Self.maximumListLength))
        if session.remaining > 0 { lists.setBytes(.sessionID, to: session.unreadBytes) }
        lists.open(.cipherSuites)
        while !suites.isAtEnd {
            let suite = CipherSuite(rawValue: try suites.readUInt16())
            if !suite.isGREASE, lists.count(of: .cipherSuites) < Self.maximumListLength {
                lists.append(suite.rawValue, to: .cipherSuites)
            }
        }
        guard var extensions else { return }
        // Two passes: the types first, as one list, then each extension (which fills other lists).
        var types = extensions
        lists.open(.extensionTypes)
        while !types.isAtEnd {
            let type = try types.readUInt16()
            _ = try types.prefixed16()
            if lists.count(of: .extensionTypes) < Self.maximumListLength { lists.append(type, to: .extensionTypes) }
        }
        while !extensions.isAtEnd {
            let type = try extensions.readUInt16()
            var body = try extensions.prefixed16()
            try parseExtension(ExtensionType(rawValue: type), &body)
        }
        // A hello is kept for the connection's life: room left by GREASE or repeated lists is
        // given back.
        lists.shrinkToFit()
    }

    /// How many values the extensions' lists can add at most (their types included), from the
    /// lengths alone: each list's body holds at most that many code points.
    private static func listRoom(in extensions: ByteReader) throws(ParseError) -> Int {
        var reader = extensions
        var room = 2  // the first ALPN name's two edge bytes
        while !reader.isAtEnd {
            let type = ExtensionType(rawValue: try reader.readUInt16())
            var body = try reader.prefixed16()
            room += 1
            switch type {
            case .supportedGroups, .signatureAlgorithms, .supportedVersions: room += body.remaining / 2
            case .serverName, .applicationLayerProtocolNegotiation: room += HelloLists.room(forBytes: body.remaining)
            case .ecPointFormats: room += 16
            case .pskKeyExchangeModes: room += 8
            case .keyShare, .draftKeyShare:
                // Entries carry their key (32 bytes to over a kilobyte): count them.
                guard var list = try? body.prefixed16() else { continue }
                while !list.isAtEnd, (try? list.readUInt16()) != nil, (try? list.prefixed16()) != nil { room += 1 }
            default: break
            }
        }
        return room
    }

    private mutating func parseExtension(_ type: ExtensionType, _ body: inout ByteReader) throws(ParseError) {
        switch type {
        case .serverName:
            guard !body.isAtEnd else { return }  // servers echo it empty; clients should not
            var list = try body.prefixed16()
            while !list.isAtEnd {
                let nameType = try list.readUInt8()
                let name = try list.prefixed16()
                if nameType == 0, lists.count(of: .serverName) == 0 {
                    lists.setBytes(.serverName, to: name.unreadBytes.prefix(Self.maximumNameLength))
                    if name.remaining > Self.maximumNameLength { truncatedFields.incrementSaturating() }
                }
            }
        case .applicationLayerProtocolNegotiation:
            var peek = body
            if var list = try? peek.prefixed16(), let first = try? list.prefixed8(), let head = first.unreadBytes.first,
                let tail = first.unreadBytes.last
            {
                lists.set(.firstALPNEdges, to: [UInt16(head), UInt16(tail)])
            }
            lists.setBytes(.alpn, to: try Self.parseALPN(&body, truncated: &truncatedFields))
        case .supportedGroups:
            var list = try body.prefixed16()
            guard list.remaining % 2 == 0 else { throw .malformed("supported_groups length odd") }
            lists.open(.groups)
            while !list.isAtEnd {
                let group = NamedGroup(rawValue: try list.readUInt16())
                if !group.isGREASE, lists.count(of: .groups) < Self.maximumListLength {
                    lists.append(group.rawValue, to: .groups)
                }
            }
        case .signatureAlgorithms:
            var list = try body.prefixed16()
            guard list.remaining % 2 == 0 else { throw .malformed("signature_algorithms length odd") }
            lists.open(.signatureAlgorithms)
            while !list.isAtEnd {
                let scheme = SignatureScheme(rawValue: try list.readUInt16())
                if !scheme.isGREASE, lists.count(of: .signatureAlgorithms) < Self.maximumListLength {
                    lists.append(scheme.rawValue, to: .signatureAlgorithms)
                }
            }
        case .supportedVersions:
            var list = try body.prefixed8()
            guard list.remaining % 2 == 0 else { throw .malformed("supported_versions length odd") }
            lists.open(.versions)
            while !list.isAtEnd {
                let version = ProtocolVersion(rawValue: try list.readUInt16())
                if !version.isGREASE, lists.count(of: .versions) < 64 { lists.append(version.rawValue, to: .versions) }
            }
        case .keyShare, .draftKeyShare:
            var list = try body.prefixed16()
            lists.open(.keyShareGroups)
            while !list.isAtEnd {
                let group = NamedGroup(rawValue: try list.readUInt16())
                _ = try list.prefixed16()
                if !group.isGREASE, lists.count(of: .keyShareGroups) < 64 {
                    lists.append(group.rawValue, to: .keyShareGroups)
                }
            }
        case .ecPointFormats:
            let list = try body.prefixed8()
            lists.set(.ecPointFormats, to: list.unreadBytes.prefix(16).lazy.map(UInt16.init))
        case .sessionTicket:
            offersSessionTicket = !body.isAtEnd
        case .preSharedKey:
            offersPreSharedKey = true
        case .pskKeyExchangeModes:
            let list = try body.prefixed8()
            lists.set(.pskKeyExchangeModes, to: list.unreadBytes.prefix(8).lazy.map(UInt16.init))
        case .encryptedClientHello:
            hasEncryptedClientHello = true
        case .earlyData:
            offersEarlyData = true
        default:
            break
        }
    }

    /// ProtocolNameList (RFC 7301 §3.1), shared with the server's ALPN reply.
    /// The names of a list `parseALPN` returned, as text.
    static func alpnNames(_ bytes: [UInt8]) -> [String] {
        var names: [String] = []
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + 1 + Int(bytes[index]))
            names.append(
                bytes[(index + 1)..<end].withUnsafeBytes {
                    TextLimits.string(from: $0, maximumLength: Self.maximumNameLength)
                })
            index = end
        }
        return names
    }

    /// The protocol_name_list's names as sent, each after its length byte, the first 16 only.
    static func parseALPN(_ body: inout ByteReader, truncated: inout Int32) throws(ParseError) -> [UInt8] {
        var list = try body.prefixed16()
        var bytes: [UInt8] = []
        var names = 0
        while !list.isAtEnd {
            let name = try list.prefixed8()
            guard name.remaining > 0 else { throw .malformed("empty ALPN protocol name") }
            if names < maximumALPNProtocols {
                bytes.append(UInt8(truncatingIfNeeded: name.remaining))
                bytes.append(contentsOf: name.unreadBytes)
                names += 1
            } else {
                truncated.incrementSaturating()
            }
        }
        return bytes
    }
}
