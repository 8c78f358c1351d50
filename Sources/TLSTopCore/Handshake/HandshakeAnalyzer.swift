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

    public private(set) var facts = HandshakeFacts()
    let limits: Limits
    private var client = StreamState()
    private var server = StreamState()

    let certificates: CertificateCache

    public init(limits: Limits = Limits(), certificates: CertificateCache = CertificateCache(capacity: 16)) {
        self.limits = limits
        self.certificates = certificates
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
        if state.consumedBytes > limits.maximumStreamBytes { return finish(&state, violation: nil) }
        return dispatch(bytes, state: &state, direction: direction)
    }

    private func dispatch(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction) -> Bool {
        switch state.mode {
        case .detect:
            state.mode = detectMode(bytes)
            if state.mode == .finished {
                release(&state)
                return false
            }
            return dispatch(bytes, state: &state, direction: direction)
        case .tls: return consumeRecords(bytes, state: &state, direction: direction)
        case .sslv2: return consumeSSLv2(bytes, state: &state, direction: direction)
        case .lines: return consumeLines(bytes, state: &state, direction: direction)
        case .finished: return false
        }
    }

    /// Decides from the first byte(s) what a stream carries.
    private func detectMode(_ bytes: UnsafeRawBufferPointer) -> StreamState.Mode {
        guard let first = bytes.first else { return .detect }
        if first == ContentType.handshake.rawValue || first == ContentType.alert.rawValue {
            if bytes.count < 2 || bytes[1] == 3 { return .tls }
        }
        if first & 0x80 != 0, bytes.count >= 3,
            bytes[2] == SSLv2Hello.clientHelloType || bytes[2] == SSLv2Hello.serverHelloType
        {
            return .sslv2
        }
        if bytes.count < 3 && first & 0x80 != 0 { return .sslv2 }
        if PlaintextSniffer.looksLikeText(bytes) { return .lines }
        return .finished
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

    private func consumeHandshake(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
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
                let hello = try ClientHello(parsing: &reader)
                if facts.clientHello == nil {
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
                    if hello.selectedVersion == .tls13 { state.encrypted = true }
                }
            case (.server, .certificate):
                let chain = try CertificateMessage(parsing: &reader, isTLS13: false)
                facts.serverChainLength = chain.chainLength
                if let leaf = chain.leaf {
                    switch certificates.facts(for: leaf) {
                    case .success(let certificate):
                        facts.serverCertificate = certificate
                        facts.certificateCoversServerName = facts.clientHello?.serverName.map {
                            certificate.covers(hostName: $0)
                        }
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
            if state.lineBuffer.isEmpty, let upgrade = facts.startTLSRequested, !facts.startTLSRefused,
                input.first == ContentType.handshake.rawValue
            {
                // The upgrade happened: the rest of this direction is TLS.
                facts.startTLS = upgrade
                state.mode = .tls
                return consumeRecords(UnsafeRawBufferPointer(rebasing: input), state: &state, direction: direction)
            }
            guard let newline = input.firstIndex(of: UInt8(ascii: "\n")) else {
                let room = limits.maximumLineLength - state.lineBuffer.count
                state.lineBuffer.append(contentsOf: input.prefix(max(0, room)))
                break
            }
            let room = max(0, limits.maximumLineLength - state.lineBuffer.count)
            state.lineBuffer.append(contentsOf: input[..<newline].prefix(room))
            input = input[(newline + 1)...]
            var line: [UInt8] = []
            swap(&line, &state.lineBuffer)
            line.withUnsafeBytes { PlaintextSniffer.observe(line: $0, from: direction, facts: &facts) }
            line.removeAll(keepingCapacity: true)
            swap(&line, &state.lineBuffer)
            state.lines += 1
        }
        let watching = facts.startTLSRequested != nil && !facts.startTLSRefused
        if !watching, state.lines >= limits.maximumLines || state.consumedBytes >= limits.maximumPlaintextBytes {
            return finish(&state, violation: nil)
        }
        if facts.application == nil && state.lines >= 4 { return finish(&state, violation: nil) }
        return true
    }

    // MARK: - Finishing

    private func finish(_ state: inout StreamState, violation: String?) -> Bool {
        if let violation, facts.violation == nil { facts.violation = violation }
        release(&state)
        return false
    }

    private func release(_ state: inout StreamState) {
        state.mode = .finished
        state.recordBuffer = []
        state.handshakeBuffer = []
        state.lineBuffer = []
    }
}
