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
    public var supportedVersions: [ProtocolVersion] = []
    public var cipherSuites: [CipherSuite] = []
    public var compressionMethods: [UInt8] = []
    public var serverName: String?
    public var alpnProtocols: [String] = []
    /// The first and last byte of the first ALPN value as sent (JA4 reads them before any repair
    /// of invalid UTF-8); empty without ALPN.
    public var firstALPNEdges: [UInt8] = []
    /// Network strings cut at their cap: a server name over 255 bytes, ALPN names past the 16th.
    public internal(set) var truncatedFields = 0
    public var supportedGroups: [NamedGroup] = []
    public var keyShareGroups: [NamedGroup] = []
    public var signatureAlgorithms: [SignatureScheme] = []
    public var extensionTypes: [UInt16] = []
    public var ecPointFormats: [UInt8] = []
    public var sessionID: [UInt8] = []
    /// A non-empty session_ticket extension: the client tries RFC 5077 resumption.
    public var offersSessionTicket = false
    /// A pre_shared_key extension: the client tries TLS 1.3 PSK resumption.
    public var offersPreSharedKey = false
    public var pskKeyExchangeModes: [UInt8] = []
    public var hasEncryptedClientHello = false
    public var offersEarlyData = false
    /// True for an SSLv2-format (backward-compatible) ClientHello.
    public var isSSLv2Format = false
    /// DTLS: the HelloVerifyRequest cookie echoed (0 in the first ClientHello).
    public var cookieLength = 0

    public init(legacyVersion: ProtocolVersion) {
        self.legacyVersion = legacyVersion
    }

    /// The highest version the client offers: supported_versions when present (TLS 1.3),
    /// otherwise the legacy version field.
    public var highestVersion: ProtocolVersion {
        supportedVersions.max(by: { $0.ordinal < $1.ordinal }) ?? legacyVersion
    }

    /// Whether the client tries to resume a session (session ID, ticket or PSK).
    public var attemptsResumption: Bool {
        offersPreSharedKey || offersSessionTicket
            || (!sessionID.isEmpty && supportedVersions.isEmpty)
    }

    /// Parses the body of a ClientHello handshake message (after the 4-byte handshake header).
    /// `isDTLS`: a DTLS ClientHello carries a cookie after the session ID (RFC 6347 §4.2.1).
    public init(parsing reader: inout ByteReader, isDTLS: Bool = false) throws(ParseError) {
        legacyVersion = ProtocolVersion(rawValue: try reader.readUInt16())
        try reader.skip(32)  // random
        var session = try reader.prefixed8()
        guard session.remaining <= 32 else { throw .malformed("ClientHello session_id longer than 32") }
        sessionID = try session.readBytes(session.remaining)
        if isDTLS {
            let cookie = try reader.prefixed8()
            cookieLength = cookie.remaining
        }
        var suites = try reader.prefixed16()
        guard suites.remaining % 2 == 0, suites.remaining >= 2 else {
            throw .malformed("ClientHello cipher_suites length \(suites.remaining)")
        }
        while !suites.isAtEnd {
            let suite = CipherSuite(rawValue: try suites.readUInt16())
            if !suite.isGREASE, cipherSuites.count < Self.maximumListLength { cipherSuites.append(suite) }
        }
        var compression = try reader.prefixed8()
        guard compression.remaining >= 1 else { throw .malformed("ClientHello without compression methods") }
        compressionMethods = try compression.readBytes(min(compression.remaining, 16))
        // Extensions are optional in hellos older than TLS 1.2 (RFC 5246 §7.4.1.2).
        guard !reader.isAtEnd else { return }
        var extensions = try reader.prefixed16()
        try reader.expectEnd("ClientHello")
        while !extensions.isAtEnd {
            let type = try extensions.readUInt16()
            var body = try extensions.prefixed16()
            if extensionTypes.count < Self.maximumListLength { extensionTypes.append(type) }
            try parseExtension(ExtensionType(rawValue: type), &body)
        }
    }

    private mutating func parseExtension(_ type: ExtensionType, _ body: inout ByteReader) throws(ParseError) {
        switch type {
        case .serverName:
            guard !body.isAtEnd else { return }  // servers echo it empty; clients should not
            var list = try body.prefixed16()
            while !list.isAtEnd {
                let nameType = try list.readUInt8()
                let name = try list.prefixed16()
                if nameType == 0, serverName == nil {
                    serverName = TextLimits.string(from: name.unreadBytes, maximumLength: Self.maximumNameLength)
                    if name.remaining > Self.maximumNameLength { truncatedFields += 1 }
                }
            }
        case .applicationLayerProtocolNegotiation:
            var peek = body
            if var list = try? peek.prefixed16(), let first = try? list.prefixed8(), let head = first.unreadBytes.first,
                let tail = first.unreadBytes.last
            {
                firstALPNEdges = [head, tail]
            }
            alpnProtocols = try Self.parseALPN(&body, truncated: &truncatedFields)
        case .supportedGroups:
            var list = try body.prefixed16()
            guard list.remaining % 2 == 0 else { throw .malformed("supported_groups length odd") }
            while !list.isAtEnd {
                let group = NamedGroup(rawValue: try list.readUInt16())
                if !group.isGREASE, supportedGroups.count < Self.maximumListLength { supportedGroups.append(group) }
            }
        case .signatureAlgorithms:
            var list = try body.prefixed16()
            guard list.remaining % 2 == 0 else { throw .malformed("signature_algorithms length odd") }
            while !list.isAtEnd {
                let scheme = SignatureScheme(rawValue: try list.readUInt16())
                if !scheme.isGREASE, signatureAlgorithms.count < Self.maximumListLength {
                    signatureAlgorithms.append(scheme)
                }
            }
        case .supportedVersions:
            var list = try body.prefixed8()
            guard list.remaining % 2 == 0 else { throw .malformed("supported_versions length odd") }
            while !list.isAtEnd {
                let version = ProtocolVersion(rawValue: try list.readUInt16())
                if !version.isGREASE, supportedVersions.count < 64 { supportedVersions.append(version) }
            }
        case .keyShare, .draftKeyShare:
            var list = try body.prefixed16()
            while !list.isAtEnd {
                let group = NamedGroup(rawValue: try list.readUInt16())
                _ = try list.prefixed16()
                if !group.isGREASE, keyShareGroups.count < 64 { keyShareGroups.append(group) }
            }
        case .ecPointFormats:
            var list = try body.prefixed8()
            ecPointFormats = try list.readBytes(min(list.remaining, 16))
        case .sessionTicket:
            offersSessionTicket = !body.isAtEnd
        case .preSharedKey:
            offersPreSharedKey = true
        case .pskKeyExchangeModes:
            var list = try body.prefixed8()
            pskKeyExchangeModes = try list.readBytes(min(list.remaining, 8))
        case .encryptedClientHello:
            hasEncryptedClientHello = true
        case .earlyData:
            offersEarlyData = true
        default:
            break
        }
    }

    /// ProtocolNameList (RFC 7301 §3.1), shared with the server's ALPN reply.
    static func parseALPN(_ body: inout ByteReader, truncated: inout Int) throws(ParseError) -> [String] {
        var list = try body.prefixed16()
        var names: [String] = []
        while !list.isAtEnd {
            let name = try list.prefixed8()
            guard name.remaining > 0 else { throw .malformed("empty ALPN protocol name") }
            if names.count < maximumALPNProtocols {
                names.append(TextLimits.string(from: name.unreadBytes, maximumLength: maximumNameLength))
            } else {
                truncated += 1
            }
        }
        return names
    }
}
