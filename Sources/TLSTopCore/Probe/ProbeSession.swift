/// The byte pipe a probe talks through: a TCP socket in the capture adapter, a scripted peer in
/// tests.
public protocol ProbeTransport {
    func send(_ bytes: [UInt8]) throws(ProbeFailure)
    /// The next bytes from the server (empty at its end of stream), waiting at most until the deadline.
    func receive() throws(ProbeFailure) -> [UInt8]
}

/// One probe of a listener: tlstop's ClientHello, the server's answer read by the same analysis
/// that reads connections on the wire, with the probe's own secrets as its key log.
public enum ProbeSession {
    /// What a probe learned: the facts of its handshake (certificate, suite, group, schemes).
    public struct Outcome: Sendable {
        public var facts: HandshakeFacts
        public var failure: ProbeFailure?
        public var helloRetryRequest: Bool
    }

    public static func run(
        over transport: some ProbeTransport, serverName: String?, serverPort: UInt16,
        certificates: CertificateCache = CertificateCache(capacity: 4)
    ) -> Outcome {
        var handshake = ProbeHandshake(serverName: serverName)
        let keyLog = KeyLog(capacity: 1)
        let analyzer = HandshakeAnalyzer(
            certificates: certificates, serverPort: serverPort, clientPort: 0, keyLog: keyLog)
        func outcome(_ failure: ProbeFailure?) -> Outcome {
            Outcome(facts: analyzer.facts, failure: failure, helloRetryRequest: handshake.helloRetryRequest)
        }
        do throws(ProbeFailure) {
            let hello = handshake.start()
            try transport.send(hello)
            hello.withUnsafeBytes { _ = analyzer.consume($0, from: .client) }
            while true {
                let bytes = try transport.receive()
                guard !bytes.isEmpty else { throw .closed }
                if let reply = try handshake.receive(bytes) {
                    try transport.send(reply)
                    reply.withUnsafeBytes { _ = analyzer.consume($0, from: .client) }
                }
                if let secrets = handshake.secrets, let random = handshake.clientRandom,
                    keyLog.secrets(for: random) == nil
                {
                    keyLog.insert(secrets, for: random)
                }
                bytes.withUnsafeBytes { _ = analyzer.consume($0, from: .server) }
                let facts = analyzer.facts
                if facts.decrypted?.serverFinished == true { return outcome(nil) }
                if let alert = facts.fatalAlert { throw .alert(alert.description?.rawValue ?? 0) }
                if analyzer.isFinished(.server) {
                    throw facts.serverCertificate == nil ? .undecryptable : .closed
                }
            }
        } catch {
            return outcome(analyzer.facts.serverCertificate == nil ? error : nil)
        }
    }
}
