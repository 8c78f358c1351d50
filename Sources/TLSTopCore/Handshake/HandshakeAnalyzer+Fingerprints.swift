extension HandshakeAnalyzer {
    /// The hellos' fingerprints, computed once per hello: a live snapshot asks again at every
    /// publish while the connection carries data, and hashing each time would be wasted.
    final class FingerprintMemo {
        var clientHello: ClientHello?
        var ja3: String?
        var ja4: String?
        var serverHello: ServerHello?
        var ja3s: String?
    }

    /// JA3, JA4 and JA3S of what was seen so far (nil for a hello not seen, or SSLv2-format).
    public func fingerprints() -> (ja3: String?, ja4: String?, ja3s: String?) {
        let memo = fingerprintMemo ?? FingerprintMemo()
        fingerprintMemo = memo
        if let hello = facts.clientHello, !hello.isSSLv2Format, memo.clientHello != hello {
            let carrier: TLSFingerprint.Carrier = facts.quicVersion != nil ? .quic : facts.isDTLS ? .dtls : .tcp
            memo.clientHello = hello
            memo.ja3 = TLSFingerprint.ja3(hello)
            memo.ja4 = TLSFingerprint.ja4(hello, carrier: carrier)
        }
        if let hello = facts.serverHello, memo.serverHello != hello {
            memo.serverHello = hello
            memo.ja3s = TLSFingerprint.ja3s(hello)
        }
        return (memo.ja3, memo.ja4, memo.ja3s)
    }
}
