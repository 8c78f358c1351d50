/// Remembers the facts of certificates already decoded, keyed by their DER bytes.
///
/// A server presents the same leaf to every client, so on a busy host nearly every Certificate
/// message repeats one already seen; decoding X.509 is by far the most expensive step of a
/// handshake, and the cache turns it into a hash of the DER. Bounded: when full, it starts over.
public final class CertificateCache {
    public let capacity: Int
    private var entries: [DER: Result<CertificateFacts, ParseError>] = [:]
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    public func facts(for der: [UInt8]) -> Result<CertificateFacts, ParseError> {
        let key = DER(bytes: der)
        if let known = entries[key] {
            hits += 1
            return known
        }
        misses += 1
        let result: Result<CertificateFacts, ParseError>
        do throws(ParseError) {
            result = .success(try CertificateFacts(der: der))
        } catch {
            result = .failure(error)
        }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = result
        return result
    }
}

/// DER bytes as a dictionary key, hashed in one pass over the memory rather than byte by byte.
private struct DER: Hashable {
    var bytes: [UInt8]

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
