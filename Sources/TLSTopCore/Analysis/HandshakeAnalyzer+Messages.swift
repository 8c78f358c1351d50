/// Handshake message framing (across records, through the shared `UnitAccumulator`) and what each
/// message tells: hellos, certificates, key exchange.
extension HandshakeAnalyzer {
    // MARK: - Handshake messages

    static let handshakeHeaderLength = 4

    /// - Parameter decrypted: the bytes come from an opened TLS 1.3 record: every message is
    ///   read in turn (clear ones hand the rest of their record over once the ServerHello is read).
    func consumeHandshake(
        _ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction, decrypted: Bool = false
    )
        -> Bool
    {
        var units = UnitAccumulator()
        swap(&units, &state.messageUnits)
        let cap = limits.maximumHandshakeMessage
        let counter = limitCounter
        let outcome = units.feed(bytes) { header in
            guard header.count >= Self.handshakeHeaderLength else { return .needMoreBytes }
            let length = Self.messageLength(header)
            guard length <= cap else {
                counter?.hits += 1
                return .refused(Violation(.messageTooLarge, "handshake message of \(length) bytes exceeds the cap"))
            }
            return .bytes(Self.handshakeHeaderLength + length)
        } process: { message in
            guard processMessage(message, state: &state, direction: direction) else { return .stop }
            // A TLS 1.3 ServerHello switches the rest of the server's handshake to encrypted.
            return state.encrypted && !decrypted ? .handOff : .next
        }
        if state.mode != .finished { swap(&units, &state.messageUnits) }
        switch outcome {
        case .needMoreBytes, .handOff, .handOffCopy: return state.mode != .finished
        case .stopped: return false
        case .refused(let violation): return finish(&state, violation: violation)
        }
    }

    static func messageLength(_ header: UnsafeRawBufferPointer) -> Int {
        Int(header.bigEndian(at: 1, size: 3) ?? 0)
    }

    func processMessage(_ message: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: message.dropFirst(Self.handshakeHeaderLength)))
        let type = message.byte(at: 0).flatMap(HandshakeType.init(rawValue:))
        do {
            switch (direction, type) {
            case (.client, .clientHello):
                rememberClientRandom(message)
                let hello = try ClientHello(parsing: &reader, isDTLS: facts.isDTLS)
                limitCounter?.truncatedFields += Int(hello.truncatedFields)
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
                // A TLS 1.3 Certificate is only ever read decrypted; it has its own layout.
                let chain = try CertificateMessage(parsing: &reader, isTLS13: facts.isTLS13)
                if facts.isTLS13 {
                    var decrypted = facts.decrypted ?? DecryptedHandshake()
                    decrypted.serverCertificate = true
                    facts.decrypted = decrypted
                }
                facts.serverChainLength = Int32(clamping: chain.chainLength)
                if let leaf = chain.leaf {
                    let (result, covers) = certificates.sharedFacts(
                        for: leaf, hostName: facts.clientHello?.serverName)
                    switch result {
                    case .success(let certificate):
                        limitCounter?.truncatedFields += certificate.value.truncatedFields
                        facts.server.shareCertificate(certificate)
                        facts.certificateCoversServerName = covers
                    case .failure(let error): facts.serverCertificateError = error.description
                    }
                }
            case (.client, .certificate):
                facts.clientChainLength = Int32(
                    clamping: try CertificateMessage(parsing: &reader, isTLS13: facts.isTLS13).chainLength)
            case (.server, .serverKeyExchange):
                if let keyExchange = facts.serverHello?.cipherSuite.info?.keyExchange {
                    let version = facts.serverHello?.selectedVersion
                    facts.serverKeyExchange = try ServerKeyExchange(
                        parsing: &reader, keyExchange: keyExchange,
                        namesSignature: version == .tls12 || version == .dtls12)
                }
            case (.server, .certificateRequest):
                facts.clientCertificateRequested = true
            case (.server, .serverHelloDone):
                facts.serverHelloDone = true
            case (_, .encryptedExtensions), (_, .certificateVerify), (_, .finished):
                guard facts.isTLS13, let type else { break }
                guard try processEncryptedMessage(type, &reader, direction: direction) else {
                    return finish(&state, violation: nil)
                }
            default:
                break
            }
        } catch {
            return finish(
                &state, violation: Violation(.malformedMessage, "\(Self.name(of: type)): \(error.description)"))
        }
        return true
    }

    static func name(of type: HandshakeType?) -> String {
        guard let type else { return "handshake message" }
        return "\(type)"
    }
}
