/// What a ServerHello or HelloRetryRequest chose (RFC 8446 §4.1.3–4.1.4, RFC 5246 §7.4.1.3).
public struct ServerHello: Sendable, Equatable {
    /// SHA-256("HelloRetryRequest"): the `random` that marks a HelloRetryRequest (RFC 8446 §4.1.3).
    static let helloRetryRequestRandom: [UInt8] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]

    public var legacyVersion: ProtocolVersion
    /// supported_versions when present (TLS 1.3), otherwise the legacy version.
    public var selectedVersion: ProtocolVersion
    public var cipherSuite: CipherSuite
    public var compressionMethod: UInt8 = 0
    public var sessionID: [UInt8] = []
    /// The key_share group (ServerHello) or selected_group (HelloRetryRequest).
    public var keyShareGroup: NamedGroup?
    public var alpnProtocol: String?
    /// A pre_shared_key extension: the server accepted a PSK, so TLS 1.3 resumed.
    public var selectsPreSharedKey = false
    public var isHelloRetryRequest = false
    public var extensionTypes: [UInt16] = []

    public init(legacyVersion: ProtocolVersion, cipherSuite: CipherSuite) {
        self.legacyVersion = legacyVersion
        self.selectedVersion = legacyVersion
        self.cipherSuite = cipherSuite
    }

    /// Parses the body of a ServerHello handshake message (after the 4-byte handshake header).
    public init(parsing reader: inout ByteReader) throws(ParseError) {
        legacyVersion = ProtocolVersion(rawValue: try reader.readUInt16())
        selectedVersion = legacyVersion
        let random = try reader.slice(32)
        isHelloRetryRequest = random.unreadBytes.elementsEqual(Self.helloRetryRequestRandom)
        if let draft = legacyVersion.tls13Draft, draft < 22 {
            // Drafts before 22 (2017) had no legacy_session_id_echo nor compression method, and
            // named the version in the version field itself (draft-ietf-tls-tls13-21 §4.1.3).
            cipherSuite = CipherSuite(rawValue: try reader.readUInt16())
        } else {
            var session = try reader.prefixed8()
            guard session.remaining <= 32 else { throw .malformed("ServerHello session_id longer than 32") }
            sessionID = try session.readBytes(session.remaining)
            cipherSuite = CipherSuite(rawValue: try reader.readUInt16())
            compressionMethod = try reader.readUInt8()
        }
        guard !reader.isAtEnd else { return }
        var extensions = try reader.prefixed16()
        try reader.expectEnd("ServerHello")
        // Each extension takes at least 4 bytes: one allocation for the types.
        extensionTypes.reserveCapacity(min(extensions.remaining / 4, ClientHello.maximumListLength))
        while !extensions.isAtEnd {
            let type = try extensions.readUInt16()
            var body = try extensions.prefixed16()
            if extensionTypes.count < ClientHello.maximumListLength { extensionTypes.append(type) }
            switch ExtensionType(rawValue: type) {
            case .supportedVersions:
                selectedVersion = ProtocolVersion(rawValue: try body.readUInt16())
            case .keyShare, .draftKeyShare:
                // HelloRetryRequest carries only the selected group; ServerHello a KeyShareEntry.
                keyShareGroup = NamedGroup(rawValue: try body.readUInt16())
            case .applicationLayerProtocolNegotiation:
                var ignored: Int32 = 0  // the server picks one protocol; caps concern the offer
                alpnProtocol = ClientHello.alpnNames(try ClientHello.parseALPN(&body, truncated: &ignored)).first
            case .preSharedKey:
                selectsPreSharedKey = true
            default:
                break
            }
        }
    }
}
