/// Parsing state of one direction of one connection.
struct StreamState {
    enum Mode {
        /// No byte seen yet: the first bytes decide what this stream is.
        case detect
        case tls
        case sslv2
        /// Line-oriented plaintext, watched for an in-band TLS upgrade.
        case lines
        /// A binary clear-text protocol (PostgreSQL, MySQL, LDAP, MQTT, DNS over TCP), read message by message.
        case binary
        case telnet
        /// Nothing more to learn from this direction.
        case finished
    }

    // The small members first, together: declaration order is layout order (80 → 56 bytes).
    var mode = Mode.detect
    /// After ChangeCipherSpec (TLS ≤ 1.2) or the TLS 1.3 ServerHello, handshake records are opaque.
    var encrypted = false
    /// PostgreSQL: the client's StartupMessage went by; later client messages have a type byte.
    var postgresStartupSent = false
    var lines: Int32 = 0
    /// Whole plaintext messages read (binary protocols).
    var messages: Int32 = 0
    /// A TLS or SSLv2 record, or a binary clear-text message, split across segments.
    var units = UnitAccumulator()
    /// A handshake message split across records.
    var messageUnits = UnitAccumulator()
    /// A text line, or a binary plaintext message, split across segments.
    var lineBuffer: [UInt8] = []
    var consumedBytes = 0
    /// TLS 1.3 with a key log: the keys and sequence number of this side's encrypted handshake.
    /// Boxed: only a key log's connections have one, and it would add 80 bytes to every stream.
    var decryption: HandshakeAnalyzer.RecordDecryption? {
        get { decryptionBox?.value }
        set { decryptionBox = newValue.map(FactsBox.init) }
    }
    private var decryptionBox: FactsBox<HandshakeAnalyzer.RecordDecryption>?
}
