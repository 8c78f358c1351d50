/// Counts the directions whose handshake analysis stopped at a cap (stream bytes, message size) or at
/// a violation.
/// One counter is shared by all the analyzers of a tracker, so that the total reaches the
/// snapshot's statistics without a field in every connection.
public final class HandshakeLimitCounter {
    public internal(set) var hits = 0
    /// Network strings cut at their cap (server names, ALPN, certificate names).
    public internal(set) var truncatedFields = 0
    /// Directions whose analysis stopped at a violation, by its code.
    public internal(set) var violations: [Violation.Code: Int] = [:]

    /// Key log use: TLS 1.3 server flights opened, connections whose secrets were never in the
    /// log, and connections whose secrets did not open their records (a wrong key).
    public internal(set) var decryptedHandshakes = 0
    public internal(set) var keyLogMisses = 0
    public internal(set) var decryptionFailures = 0

    func count(_ violation: Violation) { violations[violation.code, default: 0] += 1 }

    public init() {}
}
