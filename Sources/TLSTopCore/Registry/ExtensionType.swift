/// A TLS extension type from a ClientHello, ServerHello or EncryptedExtensions.
///
/// Extension order and presence are the raw material of client fingerprints, so unknown values
/// are kept and printed as their wire value rather than dropped.
public struct ExtensionType: TLSCodePoint {
    public let rawValue: UInt16

    @inlinable
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// The IANA name, or the name browsers use for an unregistered value.
    public static func knownName(_ rawValue: UInt16) -> String? { entries[rawValue] }

    /// Every named extension type, in ascending code point order.
    public static let allKnown: [ExtensionType] = entries.keys.sorted().map(ExtensionType.init(rawValue:))
}

extension ExtensionType {
    public static let serverName = ExtensionType(rawValue: 0)
    public static let maxFragmentLength = ExtensionType(rawValue: 1)
    public static let statusRequest = ExtensionType(rawValue: 5)
    public static let supportedGroups = ExtensionType(rawValue: 10)
    public static let ecPointFormats = ExtensionType(rawValue: 11)
    public static let signatureAlgorithms = ExtensionType(rawValue: 13)
    public static let useSRTP = ExtensionType(rawValue: 14)
    public static let heartbeat = ExtensionType(rawValue: 15)
    public static let applicationLayerProtocolNegotiation = ExtensionType(rawValue: 16)
    public static let signedCertificateTimestamp = ExtensionType(rawValue: 18)
    public static let padding = ExtensionType(rawValue: 21)
    public static let encryptThenMac = ExtensionType(rawValue: 22)
    public static let extendedMasterSecret = ExtensionType(rawValue: 23)
    public static let compressCertificate = ExtensionType(rawValue: 27)
    public static let recordSizeLimit = ExtensionType(rawValue: 28)
    public static let delegatedCredential = ExtensionType(rawValue: 34)
    public static let sessionTicket = ExtensionType(rawValue: 35)
    public static let preSharedKey = ExtensionType(rawValue: 41)
    public static let earlyData = ExtensionType(rawValue: 42)
    public static let supportedVersions = ExtensionType(rawValue: 43)
    public static let cookie = ExtensionType(rawValue: 44)
    public static let pskKeyExchangeModes = ExtensionType(rawValue: 45)
    public static let certificateAuthorities = ExtensionType(rawValue: 47)
    public static let postHandshakeAuth = ExtensionType(rawValue: 49)
    public static let signatureAlgorithmsCert = ExtensionType(rawValue: 50)
    public static let keyShare = ExtensionType(rawValue: 51)
    /// key_share before TLS 1.3 draft 23 (0x0028, now reserved): what draft clients and servers sent.
    public static let draftKeyShare = ExtensionType(rawValue: 40)
    public static let quicTransportParameters = ExtensionType(rawValue: 57)
    public static let nextProtocolNegotiation = ExtensionType(rawValue: 0x3374)
    public static let applicationSettings = ExtensionType(rawValue: 0x44CD)
    public static let echOuterExtensions = ExtensionType(rawValue: 0xFD00)
    public static let encryptedClientHello = ExtensionType(rawValue: 0xFE0D)
    public static let renegotiationInfo = ExtensionType(rawValue: 0xFF01)
}

extension ExtensionType {
    /// Source: IANA "TLS ExtensionType Values"
    /// (https://www.iana.org/assignments/tls-extensiontype-values/tls-extensiontype-values.xhtml).
    /// IANA's "Reserved" rows (40, 46) have no name and are left out. Rows with a trailing comment
    /// are unregistered values that browsers send or sent; old code points get an `_old` / `_draft`
    /// suffix so that every name stays unique.
    static let registry: [(UInt16, String)] = [
        (0, "server_name"),
        (1, "max_fragment_length"),
        (2, "client_certificate_url"),
        (3, "trusted_ca_keys"),
        (4, "truncated_hmac"),
        (5, "status_request"),
        (6, "user_mapping"),
        (7, "client_authz"),
        (8, "server_authz"),
        (9, "cert_type"),
        (10, "supported_groups"),
        (11, "ec_point_formats"),
        (12, "srp"),
        (13, "signature_algorithms"),
        (14, "use_srtp"),
        (15, "heartbeat"),
        (16, "application_layer_protocol_negotiation"),
        (17, "status_request_v2"),
        (18, "signed_certificate_timestamp"),
        (19, "client_certificate_type"),
        (20, "server_certificate_type"),
        (21, "padding"),
        (22, "encrypt_then_mac"),
        (23, "extended_master_secret"),
        (24, "token_binding"),
        (25, "cached_info"),
        (26, "tls_lts"),
        (27, "compress_certificate"),
        (28, "record_size_limit"),
        (29, "pwd_protect"),
        (30, "pwd_clear"),
        (31, "password_salt"),
        (32, "ticket_pinning"),
        (33, "tls_cert_with_extern_psk"),
        (34, "delegated_credential"),
        (35, "session_ticket"),
        (36, "TLMSP"),
        (37, "TLMSP_proxying"),
        (38, "TLMSP_delegate"),
        (39, "supported_ekt_ciphers"),
        (41, "pre_shared_key"),
        (42, "early_data"),
        (43, "supported_versions"),
        (44, "cookie"),
        (45, "psk_key_exchange_modes"),
        (47, "certificate_authorities"),
        (48, "oid_filters"),
        (49, "post_handshake_auth"),
        (50, "signature_algorithms_cert"),
        (51, "key_share"),
        (52, "transparency_info"),
        (53, "connection_id (deprecated)"),
        (54, "connection_id"),
        (55, "external_id_hash"),
        (56, "external_session_id"),
        (57, "quic_transport_parameters"),
        (58, "ticket_request"),
        (59, "dnssec_chain"),
        (60, "sequence_number_encryption_algorithms"),
        (61, "rrc"),
        (62, "tls_flags"),
        (0x3374, "next_protocol_negotiation"),  // NPN, draft-agl-tls-nextprotoneg
        (0x4469, "application_settings_old"),  // ALPS, Chrome's first code point
        (0x44CD, "application_settings"),  // ALPS, draft-vvv-tls-alps
        (0x754F, "channel_id_old"),  // Chrome Channel ID, first code point
        (0x7550, "channel_id"),  // Chrome Channel ID (draft-balfanz-tls-channelid)
        (0xFD00, "ech_outer_extensions"),
        (0xFE0D, "encrypted_client_hello"),
        (0xFF01, "renegotiation_info"),
        (0xFFA5, "quic_transport_parameters_draft"),  // QUIC drafts before RFC 9001
        (0xFFCE, "encrypted_server_name"),  // ESNI, draft-ietf-tls-esni up to -02
    ]

    static let entries: [UInt16: String] = lookupTable(registry)
}
