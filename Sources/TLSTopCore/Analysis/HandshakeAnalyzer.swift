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

    public internal(set) var facts = HandshakeFacts()
    /// One box for every analyzer of a tracker: the caps are the same for all of them.
    let sharedLimits: FactsBox<Limits>
    var limits: Limits { sharedLimits.value }
    var client = StreamState()
    var server = StreamState()
    var quicState: QUICState?
    /// DTLS handshake messages awaiting their remaining fragments (at most 32).
    var dtlsMessages: [DTLSMessageKey: DTLSRecords.PartialMessage] = [:]

    /// See `fingerprints()`.
    var fingerprintMemo: FingerprintMemo?
    let certificates: CertificateCache
    let limitCounter: HandshakeLimitCounter?
    /// Secrets that open TLS 1.3 handshakes (nil: no key log; nothing is decrypted).
    let keyLog: KeyLog?
    /// The ClientHello's random, kept only with a key log: it names the connection's secrets.
    var clientRandom: ClientRandom? {
        get { clientRandomBox?.value }
        set { clientRandomBox = newValue.map(FactsBox.init) }
    }
    /// Boxed: 33 bytes inline in every analyzer, for the few a key log opens.
    private var clientRandomBox: FactsBox<ClientRandom>?
    /// The connection was counted as one whose secrets the key log lacked.
    var keyLogMissCounted = false
    /// Port hints for telling protocols apart; content decides, ports only break ties.
    public internal(set) var serverPort: UInt16
    public internal(set) var clientPort: UInt16

    public convenience init(
        limits: Limits = Limits(), certificates: CertificateCache = CertificateCache(capacity: 16),
        limitCounter: HandshakeLimitCounter? = nil, serverPort: UInt16 = 0, clientPort: UInt16 = 0,
        keyLog: KeyLog? = nil
    ) {
        self.init(
            sharedLimits: FactsBox(limits), certificates: certificates, limitCounter: limitCounter,
            serverPort: serverPort, clientPort: clientPort, keyLog: keyLog)
    }

    init(
        sharedLimits: FactsBox<Limits>, certificates: CertificateCache, limitCounter: HandshakeLimitCounter?,
        serverPort: UInt16, clientPort: UInt16, keyLog: KeyLog?
    ) {
        self.keyLog = keyLog
        self.sharedLimits = sharedLimits
        self.certificates = certificates
        self.limitCounter = limitCounter
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
