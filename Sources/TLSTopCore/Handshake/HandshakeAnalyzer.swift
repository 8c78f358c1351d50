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
    let limits: Limits
    var client = StreamState()
    var server = StreamState()
    private var quicState: QUICState?
    /// DTLS handshake messages awaiting their remaining fragments (at most 32).
    var dtlsMessages: [DTLSMessageKey: DTLSRecords.PartialMessage] = [:]

    /// See `fingerprints()`.
    var fingerprintMemo: FingerprintMemo?
    let certificates: CertificateCache
    let limitCounter: HandshakeLimitCounter?
    /// Port hints for telling protocols apart; content decides, ports only break ties.
    public internal(set) var serverPort: UInt16
    public internal(set) var clientPort: UInt16

    public init(
        limits: Limits = Limits(), certificates: CertificateCache = CertificateCache(capacity: 16),
        limitCounter: HandshakeLimitCounter? = nil, serverPort: UInt16 = 0, clientPort: UInt16 = 0
    ) {
        self.limits = limits
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

    private func consume(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction) -> Bool {
        guard state.mode != .finished else { return false }
        guard !bytes.isEmpty else { return true }
        state.consumedBytes += bytes.count
        if state.consumedBytes > limits.maximumStreamBytes {
            limitCounter?.hits += 1
            return finish(&state, violation: nil)
        }
        return dispatch(bytes, state: &state, direction: direction)
    }

    private func dispatch(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction) -> Bool {
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

    /// Bytes held at most before deciding what a direction carries.
    static let detectionWindow = 64

    /// Decides what a direction carries from its first bytes, holding them while they are too few.
    /// The first segment almost always decides on its own, without a copy.
    private func detect(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction) -> Bool {
        if state.lineBuffer.isEmpty {
            let mode = detectMode(bytes, direction: direction, final: bytes.count >= Self.detectionWindow)
            guard mode != .detect else {
                state.lineBuffer.append(contentsOf: bytes)
                return true
            }
            return enter(mode, with: bytes, state: &state, direction: direction)
        }
        var held: [UInt8] = []
        swap(&held, &state.lineBuffer)
        let take = min(Self.detectionWindow - held.count, bytes.count)
        held.append(contentsOf: bytes.prefix(take))
        let mode = held.withUnsafeBytes {
            detectMode($0, direction: direction, final: held.count >= Self.detectionWindow)
        }
        guard mode != .detect else {
            swap(&held, &state.lineBuffer)
            return true
        }
        guard held.withUnsafeBytes({ enter(mode, with: $0, state: &state, direction: direction) }) else { return false }
        guard take < bytes.count else { return true }
        return dispatch(UnsafeRawBufferPointer(rebasing: bytes.dropFirst(take)), state: &state, direction: direction)
    }

    private func enter(
        _ mode: StreamState.Mode, with bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction
    ) -> Bool {
        state.mode = mode
        guard mode != .finished else {
            release(&state)
            return false
        }
        return dispatch(bytes, state: &state, direction: direction)
    }

    /// What the first bytes of a direction are: content first, ports only as a tie-breaker.
    /// `.detect` means "too few bytes to tell"; with `final` set it is never returned.
    private func detectMode(_ bytes: UnsafeRawBufferPointer, direction: Direction, final: Bool)
        -> StreamState.Mode
    {
        guard let first = bytes.first else { return .detect }
        let undecided: StreamState.Mode = final ? .finished : .detect
        if first == ContentType.handshake.rawValue || first == ContentType.alert.rawValue {
            guard bytes.count >= 2 else { return final ? .tls : .detect }
            if bytes[1] == 3 { return .tls }
        }
        if first & 0x80 != 0 {
            guard bytes.count >= 3 else { return undecided }
            if bytes[2] == SSLv2Hello.clientHelloType || bytes[2] == SSLv2Hello.serverHelloType { return .sslv2 }
        }
        if first == TelnetObserver.interpretAsCommand {
            guard bytes.count >= 3 else { return undecided }
            if TelnetObserver.isTelnet(bytes) {
                facts.application.protocolName = .telnet
                return .telnet
            }
        }
        switch BinaryProtocolObserver.identify(
            bytes, from: direction, serverPort: serverPort, known: facts.application.protocolName)
        {
        case .recognized(let binary):
            facts.application.protocolName = binary
            return .binary
        case .needMoreBytes:
            if !final { return .detect }
        case .unrecognized:
            break
        }
        if facts.application.protocolName == .telnet { return .telnet }
        if LineProtocolObserver.looksLikeText(bytes) {
            // A printable byte or two could still be a binary length field; a line is text.
            return bytes.count >= 4 || bytes.contains(UInt8(ascii: "\n")) || final ? .lines : .detect
        }
        return bytes.count >= 4 ? .finished : undecided
    }

    /// Whether the in-band upgrade has happened: an upgrade is pending and the next bytes of this
    /// direction, at a message boundary, are a TLS record.
    private func upgradeStarts(_ input: Slice<UnsafeRawBufferPointer>) -> Bool {
        guard facts.application.upgradePending, let first = input.first, first == ContentType.handshake.rawValue
        else { return false }
        return input.count < 2 || input[input.startIndex + 1] == 3
    }

    private func switchToTLS(
        _ input: Slice<UnsafeRawBufferPointer>, state: inout StreamState, direction: Direction
    ) -> Bool {
        facts.application.upgraded = true
        state.mode = .tls
        state.lineBuffer = []
        return consumeRecords(UnsafeRawBufferPointer(rebasing: input), state: &state, direction: direction)
    }

    // MARK: - TLS records

    private static let recordHeaderLength = 5

    private func recordLength(_ header: UnsafeRawBufferPointer) -> Int? {
        let type = header[0]
        guard (20...24).contains(type), header[1] == 3, header[2] <= 4 else { return nil }
        let length = Int(header[3]) << 8 | Int(header[4])
        guard length <= limits.maximumRecordLength else { return nil }
        return length
    }

    private func consumeRecords(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        var input = bytes[...]
        if !state.recordBuffer.isEmpty {
            // Complete the record the previous segment cut.
            if state.recordBuffer.count < Self.recordHeaderLength {
                let take = min(Self.recordHeaderLength - state.recordBuffer.count, input.count)
                state.recordBuffer.append(contentsOf: input.prefix(take))
                input = input.dropFirst(take)
                if state.recordBuffer.count < Self.recordHeaderLength { return true }
            }
            let length = state.recordBuffer.withUnsafeBytes { recordLength($0) }
            guard let length else { return finish(&state, violation: "TLS record: invalid header") }
            let missing = Self.recordHeaderLength + length - state.recordBuffer.count
            let take = min(missing, input.count)
            state.recordBuffer.append(contentsOf: input.prefix(take))
            input = input.dropFirst(take)
            if take < missing { return true }
            var record: [UInt8] = []
            swap(&record, &state.recordBuffer)
            let keepGoing = record.withUnsafeBytes { processRecord($0, state: &state, direction: direction) }
            record.removeAll(keepingCapacity: true)
            if state.mode != .finished { swap(&record, &state.recordBuffer) }
            guard keepGoing else { return false }
        }
        while input.count >= Self.recordHeaderLength {
            let header = UnsafeRawBufferPointer(rebasing: input.prefix(Self.recordHeaderLength))
            guard let length = recordLength(header) else {
                return finish(&state, violation: "TLS record: invalid header")
            }
            guard input.count >= Self.recordHeaderLength + length else { break }
            let record = UnsafeRawBufferPointer(rebasing: input.prefix(Self.recordHeaderLength + length))
            input = input.dropFirst(Self.recordHeaderLength + length)
            guard processRecord(record, state: &state, direction: direction) else { return false }
            guard state.mode == .tls else {
                return input.isEmpty
                    ? true
                    : dispatch(
                        UnsafeRawBufferPointer(rebasing: input), state: &state,
                        direction: direction)
            }
        }
        if !input.isEmpty { state.recordBuffer.append(contentsOf: input) }
        return true
    }

    /// Handles one whole record (header included).
    private func processRecord(_ record: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        let fragment = UnsafeRawBufferPointer(rebasing: record.dropFirst(Self.recordHeaderLength))
        switch ContentType(rawValue: record[0]) {
        case .handshake:
            guard !state.encrypted else { return true }
            return consumeHandshake(fragment, state: &state, direction: direction)
        case .changeCipherSpec:
            // TLS 1.3 middlebox-compatibility CCS records change nothing (RFC 8446 §D.4); they may
            // come before the ServerHello (after a HelloRetryRequest, or from an eager client),
            // where a TLS 1.2 ChangeCipherSpec can never be.
            if facts.isTLS13 || facts.serverHello == nil { return true }
            state.encrypted = true
            if direction == .client {
                facts.clientChangeCipherSpec = true
            } else {
                facts.serverChangeCipherSpec = true
                if !facts.serverHelloDone && facts.serverHello != nil { facts.abbreviatedHandshake = true }
            }
            // Everything after ChangeCipherSpec is encrypted: this side has told all it will.
            return finish(&state, violation: nil)
        case .alert:
            let readable = !state.encrypted && !(facts.isTLS13 && direction == .server) && fragment.count == 2
            let alert = Alert(
                sender: direction, level: readable ? fragment[0] : 0,
                description: readable ? AlertDescription(rawValue: fragment[1]) : nil)
            facts.record(alert)
            if alert.isFatal { return finish(&state, violation: nil) }
            return true
        case .applicationData:
            guard facts.serverHello != nil else { return true }  // early data before the ServerHello
            if direction == .client {
                facts.clientApplicationRecords += 1
            } else {
                facts.serverApplicationRecords += 1
            }
            // TLS 1.3: the first encrypted record after the ServerHello ends what can be seen.
            return finish(&state, violation: nil)
        case .heartbeat, nil:
            return true
        }
    }

    // MARK: - Handshake messages

    private static let handshakeHeaderLength = 4

    func consumeHandshake(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        var input = bytes[...]
        if !state.handshakeBuffer.isEmpty {
            if state.handshakeBuffer.count < Self.handshakeHeaderLength {
                let take = min(Self.handshakeHeaderLength - state.handshakeBuffer.count, input.count)
                state.handshakeBuffer.append(contentsOf: input.prefix(take))
                input = input.dropFirst(take)
                if state.handshakeBuffer.count < Self.handshakeHeaderLength { return true }
            }
            let length = state.handshakeBuffer.withUnsafeBytes { Self.messageLength($0) }
            guard length <= limits.maximumHandshakeMessage else {
                limitCounter?.hits += 1
                return finish(&state, violation: "handshake message of \(length) bytes exceeds the cap")
            }
            let missing = Self.handshakeHeaderLength + length - state.handshakeBuffer.count
            let take = min(missing, input.count)
            state.handshakeBuffer.append(contentsOf: input.prefix(take))
            input = input.dropFirst(take)
            if take < missing { return true }
            var message: [UInt8] = []
            swap(&message, &state.handshakeBuffer)
            let keepGoing = message.withUnsafeBytes { processMessage($0, state: &state, direction: direction) }
            message.removeAll(keepingCapacity: true)
            if state.mode != .finished { swap(&message, &state.handshakeBuffer) }
            guard keepGoing else { return false }
        }
        while input.count >= Self.handshakeHeaderLength {
            let length = Self.messageLength(UnsafeRawBufferPointer(rebasing: input.prefix(4)))
            guard length <= limits.maximumHandshakeMessage else {
                limitCounter?.hits += 1
                return finish(&state, violation: "handshake message of \(length) bytes exceeds the cap")
            }
            guard input.count >= Self.handshakeHeaderLength + length else { break }
            let message = UnsafeRawBufferPointer(rebasing: input.prefix(Self.handshakeHeaderLength + length))
            input = input.dropFirst(Self.handshakeHeaderLength + length)
            guard processMessage(message, state: &state, direction: direction) else { return false }
            // A TLS 1.3 ServerHello switches the rest of the server's handshake to encrypted.
            if state.encrypted { return true }
        }
        if !input.isEmpty { state.handshakeBuffer.append(contentsOf: input) }
        return true
    }

    private static func messageLength(_ header: UnsafeRawBufferPointer) -> Int {
        Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
    }

    private func processMessage(_ message: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: message.dropFirst(Self.handshakeHeaderLength)))
        let type = HandshakeType(rawValue: message[0])
        do {
            switch (direction, type) {
            case (.client, .clientHello):
                let hello = try ClientHello(parsing: &reader, isDTLS: facts.isDTLS)
                limitCounter?.truncatedFields += hello.truncatedFields
                if facts.clientHello == nil || (facts.isDTLS && facts.serverHello == nil && hello.cookieLength > 0) {
                    facts.clientHello = hello
                } else if facts.helloRetryRequest != nil, facts.retryClientHello == nil {
                    facts.retryClientHello = hello
                }
            case (.server, .serverHello):
                let hello = try ServerHello(parsing: &reader)
                if hello.isHelloRetryRequest {
                    facts.helloRetryRequest = hello
                } else if facts.serverHello == nil {
                    facts.serverHello = hello
                    if hello.selectedVersion.isTLS13Family { state.encrypted = true }
                }
            case (.server, .certificate):
                let chain = try CertificateMessage(parsing: &reader, isTLS13: false)
                facts.serverChainLength = chain.chainLength
                if let leaf = chain.leaf {
                    let (result, covers) = certificates.facts(for: leaf, hostName: facts.clientHello?.serverName)
                    switch result {
                    case .success(let certificate):
                        limitCounter?.truncatedFields += certificate.truncatedFields
                        facts.serverCertificate = certificate
                        facts.certificateCoversServerName = covers
                    case .failure(let error): facts.serverCertificateError = error.description
                    }
                }
            case (.client, .certificate):
                facts.clientChainLength = try CertificateMessage(parsing: &reader, isTLS13: false).chainLength
            case (.server, .serverKeyExchange):
                if let keyExchange = facts.serverHello?.cipherSuite.info?.keyExchange {
                    facts.serverKeyExchange = try ServerKeyExchange(parsing: &reader, keyExchange: keyExchange)
                }
            case (.server, .certificateRequest):
                facts.clientCertificateRequested = true
            case (.server, .serverHelloDone):
                facts.serverHelloDone = true
            default:
                break
            }
        } catch {
            return finish(&state, violation: "\(Self.name(of: type)): \(error.description)")
        }
        return true
    }

    private static func name(of type: HandshakeType?) -> String {
        guard let type else { return "handshake message" }
        return "\(type)"
    }

    // MARK: - SSLv2

    private func consumeSSLv2(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction) -> Bool {
        // Take only what the record needs: the 2-byte header first, then its declared length.
        var input = bytes[...]
        if state.recordBuffer.count < 2 {
            let take = min(2 - state.recordBuffer.count, input.count)
            state.recordBuffer.append(contentsOf: input.prefix(take))
            input = input.dropFirst(take)
        }
        guard state.recordBuffer.count >= 2 else { return true }
        let length = SSLv2Hello.recordLength(state.recordBuffer[0], state.recordBuffer[1]) ?? 0
        guard length > 0, length <= limits.maximumRecordLength else {
            return finish(&state, violation: "SSLv2 record: invalid header")
        }
        let take = min(2 + length - state.recordBuffer.count, input.count)
        state.recordBuffer.append(contentsOf: input.prefix(take))
        input = input.dropFirst(take)
        guard state.recordBuffer.count >= 2 + length else { return true }
        var record: [UInt8] = []
        swap(&record, &state.recordBuffer)
        let result: Result<Void, ParseError> = record.withUnsafeBytes { all in
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: all[2..<(2 + length)]))
            do throws(ParseError) {
                if direction == .client {
                    let hello = try SSLv2Hello.parseClientHello(&reader)
                    if facts.clientHello == nil { facts.clientHello = hello }
                } else {
                    let hello = try SSLv2Hello.parseServerHello(&reader)
                    facts.sslv2ServerVersion = hello.version
                    if let certificate = hello.certificate {
                        facts.serverChainLength = 1
                        facts.serverCertificate = try? certificates.facts(for: certificate).get()
                    }
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = result { return finish(&state, violation: "SSLv2 hello: \(error)") }
        if direction == .server { return finish(&state, violation: nil) }
        // After an SSLv2-format hello the client continues in whatever the server picked, which
        // for every real peer of the last 25 years is SSLv3 or TLS records.
        state.mode = .tls
        guard !input.isEmpty else { return true }
        return dispatch(UnsafeRawBufferPointer(rebasing: input), state: &state, direction: direction)
    }

    // MARK: - Plaintext lines

    private func consumeLines(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction) -> Bool {
        var input = bytes[...]
        while !input.isEmpty {
            if state.lineBuffer.isEmpty, upgradeStarts(input) {
                return switchToTLS(input, state: &state, direction: direction)
            }
            // XMPP has no line feeds: each tag is a "line", its closing '>' kept.
            let isXML =
                facts.application.protocolName == .xmpp
                || (facts.application.protocolName == nil
                    && (state.lineBuffer.first ?? input.first) == UInt8(ascii: "<"))
            let newline =
                isXML
                ? input.firstIndex { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: ">") }
                : input.firstIndex(of: UInt8(ascii: "\n"))
            let end = newline.map { isXML && input[$0] == UInt8(ascii: ">") ? $0 + 1 : $0 } ?? input.endIndex
            let room = max(0, limits.maximumLineLength - state.lineBuffer.count)
            state.lineBuffer.append(contentsOf: input[..<end].prefix(room))
            input = newline.map { input[($0 + 1)...] } ?? input[input.endIndex...]
            guard newline != nil else {
                state.lineBuffer.withUnsafeBytes {
                    LineProtocolObserver.observePartial($0, from: direction, facts: &facts.application)
                }
                break
            }
            var line: [UInt8] = []
            swap(&line, &state.lineBuffer)
            line.withUnsafeBytes {
                LineProtocolObserver.observe(
                    line: $0, from: direction, serverPort: serverPort, facts: &facts.application)
            }
            line.removeAll(keepingCapacity: true)
            swap(&line, &state.lineBuffer)
            state.lines += 1
            if facts.application.encryptedProtocol != nil { return finish(&state, violation: nil) }
        }
        return keepWatchingPlaintext(&state, progress: state.lines)
    }

    /// Plaintext is watched while an upgrade may still come, and otherwise for a bounded number of
    /// lines or messages: enough to name the protocol and see a login.
    private func keepWatchingPlaintext(_ state: inout StreamState, progress: Int) -> Bool {
        if facts.application.upgradePending { return true }
        if progress >= limits.maximumLines || state.consumedBytes >= limits.maximumPlaintextBytes {
            return finish(&state, violation: nil)
        }
        if facts.application.protocolName == nil && progress >= 4 { return finish(&state, violation: nil) }
        return true
    }

    private func consumeBinary(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        guard let application = facts.application.protocolName else { return finish(&state, violation: nil) }
        let maximumMessage = limits.maximumLineLength * 8
        var input = bytes[...]
        while !input.isEmpty {
            if state.lineBuffer.isEmpty {
                if upgradeStarts(input) { return switchToTLS(input, state: &state, direction: direction) }
                // Whole messages are read straight from the segment.
                let frame = UnsafeRawBufferPointer(rebasing: input)
                switch messageSize(frame, application, direction, state) {
                case .failure(let error): return finish(&state, violation: "\(application): \(error.description)")
                case .success(let size?) where size > 0 && size <= input.count:
                    if let error = observeMessage(
                        UnsafeRawBufferPointer(rebasing: frame.prefix(size)), application, direction, &state)
                    {
                        return finish(&state, violation: "\(application): \(error.description)")
                    }
                    input = input.dropFirst(size)
                case .success(let size):
                    // A large message (query results, bulk data) says nothing more about posture.
                    guard (size ?? 0) <= maximumMessage else { return finish(&state, violation: nil) }
                    state.lineBuffer.append(contentsOf: input)
                    return true
                }
            } else {
                // Complete the message a segment boundary cut: one byte at a time until its size is
                // known (headers are a few bytes), then exactly what is missing.
                var buffered: [UInt8] = []
                swap(&buffered, &state.lineBuffer)
                let sized = buffered.withUnsafeBytes { messageSize($0, application, direction, state) }
                switch sized {
                case .failure(let error): return finish(&state, violation: "\(application): \(error.description)")
                case .success(nil):
                    buffered.append(contentsOf: input.prefix(1))
                    input = input.dropFirst(1)
                case .success(let size?):
                    guard size <= maximumMessage else { return finish(&state, violation: nil) }
                    guard size > 0 else { return finish(&state, violation: "\(application): empty message") }
                    if size <= buffered.count {
                        // The other direction changed what a message is while these bytes waited (an
                        // SSLRequest makes the next server byte a message of its own): the message is
                        // already held. Found by FuzzHandshake: taking a negative count here trapped.
                        let error = buffered.withUnsafeBytes {
                            observeMessage(
                                UnsafeRawBufferPointer(rebasing: $0.prefix(size)), application, direction, &state)
                        }
                        if let error { return finish(&state, violation: "\(application): \(error.description)") }
                        buffered.removeFirst(size)
                    } else {
                        let take = min(size - buffered.count, input.count)
                        buffered.append(contentsOf: input.prefix(take))
                        input = input.dropFirst(take)
                        if buffered.count == size {
                            let error = buffered.withUnsafeBytes { observeMessage($0, application, direction, &state) }
                            if let error { return finish(&state, violation: "\(application): \(error.description)") }
                            buffered.removeAll(keepingCapacity: true)
                        }
                    }
                }
                swap(&buffered, &state.lineBuffer)
            }
            if state.mode == .finished { return false }
            // DNS over TCP and MQTT say all they will in their first message.
            if state.messages > 0, application == .dns || (application == .mqtt && direction == .client) {
                return finish(&state, violation: nil)
            }
        }
        return keepWatchingPlaintext(&state, progress: state.messages)
    }

    private func messageSize(
        _ bytes: UnsafeRawBufferPointer, _ application: ApplicationProtocol, _ direction: Direction,
        _ state: StreamState
    ) -> Result<Int?, ParseError> {
        do throws(ParseError) {
            return .success(
                try BinaryProtocolObserver.messageSize(
                    bytes, protocol: application, from: direction, facts: facts.application,
                    startupSent: state.postgresStartupSent))
        } catch {
            return .failure(error)
        }
    }

    private func observeMessage(
        _ message: UnsafeRawBufferPointer, _ application: ApplicationProtocol, _ direction: Direction,
        _ state: inout StreamState
    ) -> ParseError? {
        do throws(ParseError) {
            if try BinaryProtocolObserver.observe(
                message, protocol: application, from: direction, startupSent: state.postgresStartupSent,
                facts: &facts.application)
            {
                state.postgresStartupSent = true
            }
        } catch {
            return error
        }
        state.messages += 1
        return nil
    }

    private func consumeTelnet(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        TelnetObserver.observe(bytes, from: direction, facts: &facts.application)
        if facts.application.cleartextCredentials || state.consumedBytes >= limits.maximumPlaintextBytes {
            return finish(&state, violation: nil)
        }
        return true
    }

    // MARK: - Datagrams

    /// Names a UDP flow from one of its datagrams. Returns false once it has seen enough.
    public func observeDatagram(_ bytes: UnsafeRawBufferPointer, from direction: Direction) -> Bool {
        guard !bytes.isEmpty else { return true }
        if quicState != nil || Self.looksLikeQUICLongHeader(bytes) || GoogleQUIC.publicHeaderVersion(bytes) != nil {
            return observeQUIC(bytes, from: direction)
        }
        if facts.isDTLS || DTLSRecords.looksLikeDTLS(bytes) { return observeDTLS(bytes, from: direction) }
        switch DatagramClassifier.classify(bytes, from: direction, serverPort: serverPort, clientPort: clientPort) {
        case .plaintext(let application):
            facts.application.protocolName = application
            // The SNMP v1/v2c community is a password in clear.
            if application == .snmp { facts.application.markCredentials("snmp-community") }
        case .encrypted(let encrypted):
            // On port 4500 IKE and ESP share the flow; ESP, the traffic itself, names it.
            if facts.application.encryptedProtocol != .esp { facts.application.encryptedProtocol = encrypted }
        case nil:
            break
        }
        client.messages += 1
        let waitingForESP = facts.application.encryptedProtocol == .ike && (serverPort == 4500 || clientPort == 4500)
        let decided = facts.application.protocolName != nil || facts.application.encryptedProtocol != nil
        if (decided && !waitingForESP) || client.messages >= 8 {
            release(&client)
            release(&server)
            return false
        }
        return true
    }

    // MARK: - QUIC

    /// A long header (form and fixed bits set) with a version tlstop knows or can name.
    static func looksLikeQUICLongHeader(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 7, bytes[0] & 0xC0 == 0xC0 else { return false }
        let version = UInt32(bytes[1]) << 24 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 8 | UInt32(bytes[4])
        return QUICVersion(rawValue: version).initialSalt != nil
            || QUICVersion(rawValue: version).isGoogle
            || QUICVersion(rawValue: version).name.hasPrefix("draft") || version == 0
    }

    /// Opens the Initial packets of a QUIC datagram (coalesced packets included) and feeds their
    /// CRYPTO data to the same handshake analysis as TCP. A packet that fails authentication is
    /// counted and ignored: it never touches the connection's state.
    func observeQUIC(_ datagram: UnsafeRawBufferPointer, from direction: Direction) -> Bool {
        if let version = Self.googleClearVersion(datagram) {
            return observeGoogleQUIC(datagram, version, from: direction)
        }
        var offset = 0
        while offset < datagram.count {
            guard let header = try? QUICPacket.longHeader(datagram, at: offset) else { break }
            if quicState == nil { quicState = QUICState(version: header.version) }
            facts.quicVersion = header.version
            guard header.version.initialSalt != nil else { break }  // named, not decrypted
            if header.type == header.version.retryType {
                // The client's next Initial carries the Retry's connection ID; keys follow it.
                quicState?.clientKeys = nil
                quicState?.serverKeys = nil
                break
            }
            if header.type == header.version.initialType { openInitial(datagram, header, from: direction) }
            guard header.end > offset else { break }
            offset = header.end
        }
        quicState?.datagrams += 1
        let done =
            facts.serverHello != nil || facts.googleQUIC != nil
            || (quicState?.datagrams ?? 0) >= QUICState.maximumDatagrams || facts.quicVersion?.initialSalt == nil
        if done {
            release(&client)
            release(&server)
        }
        return !done
    }

    private func openInitial(
        _ datagram: UnsafeRawBufferPointer, _ header: QUICPacket.LongHeader, from direction: Direction
    ) {
        guard var state = quicState else { return }
        if direction == .client, state.clientKeys == nil || header.destination != state.clientConnectionID,
            facts.serverHello == nil
        {
            // Keys come from the Destination Connection ID of the client's first Initial (or the
            // one after a Retry).
            state.clientConnectionID = header.destination
            state.clientKeys = try? QUICInitialKeys(
                connectionID: header.destination, version: header.version, isServer: false)
            state.serverKeys = try? QUICInitialKeys(
                connectionID: header.destination, version: header.version, isServer: true)
        }
        guard let keys = direction == .client ? state.clientKeys : state.serverKeys,
            let payload = try? QUICPacket.openInitial(datagram, header, keys: keys)
        else {
            state.authenticationFailures += 1
            facts.quicAuthenticationFailures += 1
            quicState = state
            return
        }
        quicState = state
        if header.version.isGoogle {
            // Q050: gQUIC frames, a CHLO instead of a TLS ClientHello.
            if direction == .client, facts.googleQUIC == nil {
                recordGoogleHello { () throws(ParseError) in try GoogleQUIC.helloInCryptoFrames(payload) }
            }
            return
        }
        guard let frames = try? QUICPacket.cryptoFrames(payload) else { return }
        for frame in frames {
            let fresh: ArraySlice<UInt8>
            if direction == .client {
                fresh = quicState?.clientCrypto.add(offset: frame.offset, data: frame.data) ?? []
            } else {
                fresh = quicState?.serverCrypto.add(offset: frame.offset, data: frame.data) ?? []
            }
            guard !fresh.isEmpty else { continue }
            fresh.withUnsafeBytes { bytes in
                switch direction {
                case .client: _ = consumeHandshake(bytes, state: &client, direction: .client)
                case .server: _ = consumeHandshake(bytes, state: &server, direction: .server)
                }
            }
        }
    }

    /// The version of a Google QUIC packet sent without encryption (Q043–Q049), in either header.
    static func googleClearVersion(_ datagram: UnsafeRawBufferPointer) -> QUICVersion? {
        if let version = GoogleQUIC.publicHeaderVersion(datagram) { return version }
        guard datagram.count >= 6, datagram[0] & 0x80 != 0 else { return nil }
        let version = QUICVersion(
            rawValue: UInt32(datagram[1]) << 24 | UInt32(datagram[2]) << 16 | UInt32(datagram[3]) << 8
                | UInt32(datagram[4]))
        return GoogleQUIC.isQUICCrypto(version) && version.initialSalt == nil ? version : nil
    }

    /// Q043–Q049: the client's first packet carries its CHLO in clear; the rest is encrypted.
    private func observeGoogleQUIC(
        _ datagram: UnsafeRawBufferPointer, _ version: QUICVersion, from direction: Direction
    )
        -> Bool
    {
        if quicState == nil { quicState = QUICState(version: version) }
        facts.quicVersion = version
        quicState?.datagrams += 1
        if direction == .client, facts.googleQUIC == nil {
            recordGoogleHello { () throws(ParseError) in try GoogleQUIC.clearHello(datagram) }
        }
        let done = facts.googleQUIC != nil || (quicState?.datagrams ?? 0) >= QUICState.maximumDatagrams
        if done {
            release(&client)
            release(&server)
        }
        return !done
    }

    private func recordGoogleHello(_ parse: () throws(ParseError) -> GoogleQUICHello?) {
        do throws(ParseError) {
            facts.googleQUIC = try parse()
        } catch {
            if facts.violation == nil { facts.violation = "gQUIC CHLO: \(error.reason)" }
        }
    }

    /// A data connection this FTP control connection announced, handed over once.
    public func takeAnnouncedDataPort() -> (host: IPAddress?, port: UInt16)? {
        defer { facts.application.announcedDataPort = nil }
        return facts.application.announcedDataPort
    }

    /// Names a connection before its first byte, when another connection announced it.
    public func presetApplication(_ application: ApplicationProtocol) {
        facts.application.protocolName = application
    }

    /// Marks a flow of a protocol the decoder recognized by itself (IPsec ESP).
    public func markEncrypted(_ encrypted: EncryptedProtocol) {
        facts.application.encryptedProtocol = encrypted
        release(&client)
        release(&server)
    }

    // MARK: - Finishing

    private func finish(_ state: inout StreamState, violation: String?) -> Bool {
        if let violation, facts.violation == nil { facts.violation = violation }
        release(&state)
        return false
    }

    func release(_ state: inout StreamState) {
        state.mode = .finished
        state.recordBuffer = []
        state.handshakeBuffer = []
        state.lineBuffer = []
    }
}
