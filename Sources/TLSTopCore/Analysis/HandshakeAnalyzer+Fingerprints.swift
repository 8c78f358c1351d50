/// The hellos' fingerprints, computed once per hello: a live snapshot asks again at every publish
/// while the connection carries data, and hashing each time would be wasted. Kept by the analyzer,
/// then by the `SettledAnalysis` that replaces it.
final class FingerprintMemo {
    var clientHello: ClientHello?
    var ja3: String?
    var ja4: String?
    var serverHello: ServerHello?
    var ja3s: String?

    /// JA3, JA4 and JA3S of `facts` (nil for a hello not seen, or SSLv2-format), looked up in
    /// `cache` when there is one.
    func fingerprints(of facts: HandshakeFacts, cache: FingerprintCache?) -> (ja3: String?, ja4: String?, ja3s: String?)
    {
        if let hello = facts.clientHello, !hello.isSSLv2Format, clientHello != hello {
            clientHello = hello
            (ja3, ja4) = Self.client(hello, of: facts, cache: cache)
        }
        if let hello = facts.serverHello, serverHello != hello {
            serverHello = hello
            ja3s = Self.server(hello, cache: cache)
        }
        return (ja3, ja4, ja3s)
    }

    /// The same without a memo (nothing will ask again): no memo to make, no hellos to copy.
    static func fingerprints(of facts: HandshakeFacts, cache: FingerprintCache?) -> (
        ja3: String?, ja4: String?, ja3s: String?
    ) {
        let client = facts.clientHello.flatMap { $0.isSSLv2Format ? nil : Self.client($0, of: facts, cache: cache) }
        return (client?.ja3, client?.ja4, facts.serverHello.map { Self.server($0, cache: cache) })
    }

    private static func client(_ hello: ClientHello, of facts: HandshakeFacts, cache: FingerprintCache?) -> (
        ja3: String, ja4: String
    ) {
        let carrier: TLSFingerprint.Carrier = facts.quicVersion != nil ? .quic : facts.isDTLS ? .dtls : .tcp
        if let cache { return cache.client(hello, carrier: carrier) }
        return (TLSFingerprint.ja3(hello), TLSFingerprint.ja4(hello, carrier: carrier))
    }

    private static func server(_ hello: ServerHello, cache: FingerprintCache?) -> String {
        cache?.server(hello) ?? TLSFingerprint.ja3s(hello)
    }
}

extension HandshakeAnalyzer {
    /// JA3, JA4 and JA3S of what was seen so far (nil for a hello not seen, or SSLv2-format).
    /// - Parameter remembering: keep them for the next call (false when nothing will ask again:
    ///   the last snapshot of a batch run, where a memo per connection only costs memory).
    public func fingerprints(remembering: Bool = true, cache: FingerprintCache? = nil) -> (
        ja3: String?, ja4: String?, ja3s: String?
    ) {
        if let fingerprintMemo { return fingerprintMemo.fingerprints(of: facts, cache: cache) }
        guard remembering else { return FingerprintMemo.fingerprints(of: facts, cache: cache) }
        let memo = FingerprintMemo()
        fingerprintMemo = memo
        return memo.fingerprints(of: facts, cache: cache)
    }
}

/// What is left of a connection's analysis once its handshake has told all it can: the facts and
/// the fingerprints' memo. The analyzer itself (stream states, line and message buffers, QUIC and
/// DTLS state) is freed, since no byte of the connection will be analyzed again.
public final class SettledAnalysis {
    public let facts: HandshakeFacts
    /// Made on the first ask (a memo is 272 bytes, and most folded connections are never asked).
    private var memo: FingerprintMemo?

    init(_ analyzer: HandshakeAnalyzer) {
        facts = analyzer.facts
        memo = analyzer.fingerprintMemo
    }

    public func fingerprints(remembering: Bool = true, cache: FingerprintCache? = nil) -> (
        ja3: String?, ja4: String?, ja3s: String?
    ) {
        if let memo { return memo.fingerprints(of: facts, cache: cache) }
        guard remembering else { return FingerprintMemo.fingerprints(of: facts, cache: cache) }
        let fresh = FingerprintMemo()
        memo = fresh
        return fresh.fingerprints(of: facts, cache: cache)
    }
}
