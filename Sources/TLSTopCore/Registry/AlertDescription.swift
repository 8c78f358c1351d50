/// The description byte of a TLS alert record.
///
/// A fatal alert right after a ClientHello is often the only hint of why a handshake failed
/// (`protocol_version`, `handshake_failure`, …), so every registered value has a readable name.
public struct AlertDescription: TLSCodePoint {
    public let rawValue: UInt8

    @inlinable
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The IANA name, or `alert_<decimal>` for values outside the registry.
    ///
    /// Decimal rather than hex because alert numbers are written in decimal in every RFC.
    public var name: String { Self.knownName(rawValue) ?? "alert_\(rawValue)" }

    public static func knownName(_ rawValue: UInt8) -> String? { entries[rawValue] }

    /// Every named alert, in ascending order.
    public static let allKnown: [AlertDescription] = entries.keys.sorted().map(AlertDescription.init(rawValue:))
}

extension AlertDescription {
    public static let closeNotify = AlertDescription(rawValue: 0)
    public static let unexpectedMessage = AlertDescription(rawValue: 10)
    public static let badRecordMAC = AlertDescription(rawValue: 20)
    public static let recordOverflow = AlertDescription(rawValue: 22)
    public static let handshakeFailure = AlertDescription(rawValue: 40)
    public static let badCertificate = AlertDescription(rawValue: 42)
    public static let unsupportedCertificate = AlertDescription(rawValue: 43)
    public static let certificateRevoked = AlertDescription(rawValue: 44)
    public static let certificateExpired = AlertDescription(rawValue: 45)
    public static let certificateUnknown = AlertDescription(rawValue: 46)
    public static let illegalParameter = AlertDescription(rawValue: 47)
    public static let unknownCA = AlertDescription(rawValue: 48)
    public static let accessDenied = AlertDescription(rawValue: 49)
    public static let decodeError = AlertDescription(rawValue: 50)
    public static let decryptError = AlertDescription(rawValue: 51)
    public static let protocolVersion = AlertDescription(rawValue: 70)
    public static let insufficientSecurity = AlertDescription(rawValue: 71)
    public static let internalError = AlertDescription(rawValue: 80)
    public static let inappropriateFallback = AlertDescription(rawValue: 86)
    public static let userCanceled = AlertDescription(rawValue: 90)
    public static let noRenegotiation = AlertDescription(rawValue: 100)
    public static let missingExtension = AlertDescription(rawValue: 109)
    public static let unsupportedExtension = AlertDescription(rawValue: 110)
    public static let unrecognizedName = AlertDescription(rawValue: 112)
    public static let badCertificateStatusResponse = AlertDescription(rawValue: 113)
    public static let unknownPSKIdentity = AlertDescription(rawValue: 115)
    public static let certificateRequired = AlertDescription(rawValue: 116)
    public static let noApplicationProtocol = AlertDescription(rawValue: 120)
    public static let echRequired = AlertDescription(rawValue: 121)
}

extension AlertDescription {
    /// Source: IANA "TLS Alerts"
    /// (https://www.iana.org/assignments/tls-parameters/tls-parameters.xhtml#tls-parameters-6).
    /// Values that TLS 1.3 retired keep their plain name without RFC 8446's `_RESERVED` suffix:
    /// older peers still send them, and the suffix would only obscure what they meant.
    static let registry: [(UInt8, String)] = [
        (0, "close_notify"),
        (10, "unexpected_message"),
        (20, "bad_record_mac"),
        (21, "decryption_failed"),
        (22, "record_overflow"),
        (30, "decompression_failure"),
        (40, "handshake_failure"),
        (41, "no_certificate"),
        (42, "bad_certificate"),
        (43, "unsupported_certificate"),
        (44, "certificate_revoked"),
        (45, "certificate_expired"),
        (46, "certificate_unknown"),
        (47, "illegal_parameter"),
        (48, "unknown_ca"),
        (49, "access_denied"),
        (50, "decode_error"),
        (51, "decrypt_error"),
        (52, "too_many_cids_requested"),
        (60, "export_restriction"),
        (70, "protocol_version"),
        (71, "insufficient_security"),
        (80, "internal_error"),
        (86, "inappropriate_fallback"),
        (90, "user_canceled"),
        (100, "no_renegotiation"),
        (109, "missing_extension"),
        (110, "unsupported_extension"),
        (111, "certificate_unobtainable"),
        (112, "unrecognized_name"),
        (113, "bad_certificate_status_response"),
        (114, "bad_certificate_hash_value"),
        (115, "unknown_psk_identity"),
        (116, "certificate_required"),
        (117, "general_error"),
        (120, "no_application_protocol"),
        (121, "ech_required"),
    ]

    static let entries: [UInt8: String] = lookupTable(registry)
}
