/// Why the analysis of a direction stopped early: a typed code (counted per tracker in the
/// statistics) and the detail a reader needs ("ClientHello: malformed: …").
public struct Violation: Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// Bytes where a TLS record should start are not one.
        case recordHeader = "record-header"
        /// A handshake message larger than the cap.
        case messageTooLarge = "message-too-large"
        /// A handshake message that does not parse.
        case malformedMessage = "malformed-message"
        case sslv2Record = "sslv2-record"
        case sslv2Hello = "sslv2-hello"
        /// A clear-text protocol message that does not parse.
        case clearTextMessage = "clear-text-message"
        /// A length field of zero where a unit must have bytes.
        case emptyUnit = "empty-unit"
        case dtls
        case quic
        case googleQUIC = "gquic"
        /// A record opened with the key log that holds no valid TLS 1.3 inner plaintext.
        case decryptedRecord = "decrypted-record"
    }

    public let code: Code
    /// Boxed: 8 bytes in every record and facts value instead of a String's 16.
    private let detailBox: TextBox?

    public init(_ code: Code, _ detail: String? = nil) {
        self.code = code
        self.detailBox = detail.map(TextBox.init)
    }

    /// What failed, for the detail pane and exports (nil: the code says it all).
    public var detail: String? { detailBox?.text }

    public static func == (lhs: Violation, rhs: Violation) -> Bool {
        lhs.code == rhs.code && lhs.detail == rhs.detail
    }

    public var description: String { detail ?? code.rawValue }
}
