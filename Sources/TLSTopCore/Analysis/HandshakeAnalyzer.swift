/// Follows both directions of one connection from their first bytes to the end of the handshake.
///
/// Bytes arrive in order (from the TCP reassembler). The analyzer detects what the stream is
/// (TLS, an SSLv2 hello, a line protocol that may upgrade with STARTTLS), splits TLS records,
/// reassembles handshake messages across records, and records facts. Complete records and messages
/// are parsed in place from the packet; only a record or message cut by a segment boundary is
/// copied. Once a direction has nothing more to tell (its ChangeCipherSpec, its first encrypted
/// TLS 1.3 record, a fatal alert, a parse violation, or a cap) `consume` returns false and the
/// caller stops feeding it.
public final class HandshakeAnalyzer {
    /// Caps that keep one connection's memory bounded whatever the peer sends.
    public struct Limits: Sendable {
        /// TLSCiphertext may be 2^14 + 2048 bytes (RFC 5246 §6.2.3); anything longer is not TLS.
        public var maximumRecordLength = 16_384 + 2_048
        /// Certificate chains are the largest handshake messages seen in practice.
        public var maximumHandshakeMessage = 256 * 1024
        /// A direction that has not finished its handshake after this many bytes is given up.
        public var maximumStreamBytes = 1024 * 1024
        /// Plaintext is watched for an upgrade for at most this many lines / bytes.
        public var maximumLines = 64
        public var maximumLineLength = 2048
        public var maximumPlaintextBytes = 16 * 1024

        public init() {}
    }

    /// What every analyzer of a tracker shares: one pointer per analyzer instead of four.
    final class Context {
        let limits: Limits
        let certificates: CertificateCache
        let limitCounter: HandshakeLimitCounter?
        /// Secrets that open TLS 1.3 handshakes (nil: no key log; nothing is decrypted).
        let keyLog: KeyLog?

        init(limits: Limits, certificates: CertificateCache, limitCounter: HandshakeLimitCounter?, keyLog: KeyLog?) {
            self.limits = limits
            self.certificates = certificates
            self.limitCounter = limitCounter
            self.keyLog = keyLog
        }
    }

    public internal(set) var facts = HandshakeFacts()
    let context: Context
    var limits: Limits { context.limits }
    var certificates: CertificateCache { context.certificates }
    var limitCounter: HandshakeLimitCounter? { context.limitCounter }
    var keyLog: KeyLog? { context.keyLog }
    var client = StreamState()
    var server = StreamState()
    /// State only some flows need (QUIC, DTLS, a key log, fingerprints asked for), behind one
    /// pointer: made by the first of them, so a TCP handshake waiting for its server pays 8 bytes
    /// instead of 33.
    final class Extras {
        var quicState: QUICState?
        /// DTLS handshake messages awaiting their remaining fragments (at most 32).
        var dtlsMessages: [DTLSMessageKey: DTLSRecords.PartialMessage] = [:]
        /// See `fingerprints()`.
        var fingerprintMemo: FingerprintMemo?
        /// The ClientHello's random, kept only with a key log: it names the connection's secrets.
        var clientRandom: ClientRandom?
        /// The connection was counted as one whose secrets the key log lacked.
        var keyLogMissCounted = false
    }
    private var extrasStorage: Extras?
    /// Made on first use; the setters below leave it unmade when they store nothing.
    private var extras: Extras {
        if let extrasStorage { return extrasStorage }
        let made = Extras()
        extrasStorage = made
        return made
    }

    var quicState: QUICState? {
        get { extrasStorage?.quicState }
        set { if newValue != nil || extrasStorage != nil { extras.quicState = newValue } }
    }
    var dtlsMessages: [DTLSMessageKey: DTLSRecords.PartialMessage] {
        get { extrasStorage?.dtlsMessages ?? [:] }
        set { extras.dtlsMessages = newValue }
        _modify { yield &extras.dtlsMessages }
    }
    var fingerprintMemo: FingerprintMemo? {
        get { extrasStorage?.fingerprintMemo }
        set { if newValue != nil || extrasStorage != nil { extras.fingerprintMemo = newValue } }
    }
    var clientRandom: ClientRandom? {
        get { extrasStorage?.clientRandom }
        set { if newValue != nil || extrasStorage != nil { extras.clientRandom = newValue } }
    }
    var keyLogMissCounted: Bool {
        get { extrasStorage?.keyLogMissCounted ?? false }
        set { if newValue || extrasStorage != nil { extras.keyLogMissCounted = newValue } }
    }
    /// Port hints for telling protocols apart; content decides, ports only break ties.
    public internal(set) var serverPort: UInt16
    public internal(set) var clientPort: UInt16

    public convenience init(
        limits: Limits = Limits(), certificates: CertificateCache = CertificateCache(capacity: 16),
        limitCounter: HandshakeLimitCounter? = nil, serverPort: UInt16 = 0, clientPort: UInt16 = 0,
        keyLog: KeyLog? = nil
    ) {
        self.init(
            context: Context(limits: limits, certificates: certificates, limitCounter: limitCounter, keyLog: keyLog),
            serverPort: serverPort, clientPort: clientPort)
    }

    init(context: Context, serverPort: UInt16, clientPort: UInt16) {
        self.context = context
        self.serverPort = serverPort
        self.clientPort = clientPort
    }

    public var isFinished: Bool { client.mode == .finished && server.mode == .finished }

    public func isFinished(_ direction: Direction) -> Bool {
        direction == .client ? client.mode == .finished : server.mode == .finished
    }

    /// Feeds in-order bytes of one direction. Returns false once that direction needs no more.
    @discardableResult
    public func consume(_ bytes: UnsafeRawBufferPointer, from direction: Direction) -> Bool {
        switch direction {
        case .client: return consume(bytes, state: &client, direction: .client)
        case .server: return consume(bytes, state: &server, direction: .server)
        }
    }

    /// Stops both directions (a gap in the stream, or the connection closed).
    public func finish(_ direction: Direction) {
        switch direction {
        case .client: release(&client)
        case .server: release(&server)
        }
    }

    func consume(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction) -> Bool {
        guard state.mode != .finished else { return false }
        guard !bytes.isEmpty else { return true }
        state.consumedBytes += bytes.count
        if state.consumedBytes > limits.maximumStreamBytes {
            limitCounter?.hits += 1
            return finish(&state, violation: nil)
        }
        return dispatch(bytes, state: &state, direction: direction)
    }

    func dispatch(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction) -> Bool {
        switch state.mode {
        case .detect:
            return detect(bytes, state: &state, direction: direction)
        case .tls: return consumeRecords(bytes, state: &state, direction: direction)
        case .sslv2: return consumeSSLv2(bytes, state: &state, direction: direction)
        case .lines: return consumeLines(bytes, state: &state, direction: direction)
        case .binary: return consumeBinary(bytes, state: &state, direction: direction)
        case .telnet: return consumeTelnet(bytes, state: &state, direction: direction)
        case .finished: return false
        }
    }

    // MARK: - Finishing

    func finish(_ state: inout StreamState, violation: Violation?) -> Bool {
        if let violation { record(violation) }
        release(&state)
        return false
    }

    /// Keeps the first violation of the connection, and counts every one by its code.
    func record(_ violation: Violation) {
        if facts.violation == nil { facts.violation = violation }
        limitCounter?.count(violation)
    }

    /// What a framer's feeding came to, for the direction: true while it wants more bytes.
    func conclude(_ outcome: UnitOutcome, state: inout StreamState, direction: Direction) -> Bool {
        switch outcome {
        case .needMoreBytes: return true
        case .stopped: return false
        case .refused(let violation): return finish(&state, violation: violation)
        case .handOff(let rest):
            guard !rest.isEmpty, state.mode != .finished else { return state.mode != .finished }
            return dispatch(rest, state: &state, direction: direction)
        case .handOffCopy(let rest):
            guard state.mode != .finished else { return false }
            return rest.withUnsafeBytes { dispatch($0, state: &state, direction: direction) }
        }
    }

    func release(_ state: inout StreamState) {
        state.mode = .finished
        state.units.removeAll()
        state.messageUnits.removeAll()
        state.lineBuffer = []
        state.decryption = nil
    }
}
