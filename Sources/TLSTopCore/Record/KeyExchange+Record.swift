extension KeyExchange {
    /// How a connection agreed its keys. A negotiated group says it directly (ffdhe groups are
    /// finite-field DHE, curves and hybrids ECDHE); without one, a TLS 1.0–1.2 suite names its key
    /// exchange. Nil when neither says (a TLS 1.3 suite without a key share, a pure ML-KEM group).
    public static func of(group: NamedGroup?, cipher: CipherSuite?) -> KeyExchange? {
        if let group {
            switch group.kind {
            case .finiteField: return .dhe
            case .ellipticCurve, .postQuantumHybrid: return .ecdhe
            case .postQuantum, .unknown: return nil
            }
        }
        guard let info = cipher?.info else { return nil }
        return info.keyExchange == .tls13 ? nil : info.keyExchange
    }
}
