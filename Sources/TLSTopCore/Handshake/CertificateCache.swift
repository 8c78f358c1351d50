/// Remembers the facts of certificates already decoded, keyed by their DER bytes.
///
/// A server presents the same leaf to every client, so on a busy host nearly every Certificate
/// message repeats one already seen; decoding X.509 is by far the most expensive step of a
/// handshake, and the cache turns it into a hash of the DER. Bounded: when full, it starts over.
public final class CertificateCache {
    public let capacity: Int
    private var entries: [DER: Entry] = [:]
    public private(set) var hits = 0
    public private(set) var misses = 0
    /// Server names whose coverage one certificate remembers (a CDN leaf serves thousands).
    static let maximumRememberedNames = 256

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    public func facts(for der: [UInt8]) -> Result<CertificateFacts, ParseError> {
        entry(for: der).result
    }

    /// The certificate's facts and whether it covers `hostName`.
    public func facts(for der: [UInt8], hostName: String?) -> (Result<CertificateFacts, ParseError>, covers: Bool?) {
        let entry = entry(for: der)
        return (entry.result, coverage(of: entry, hostName: hostName))
    }

    /// The facts in the box every connection with this certificate shares (see `ServerFacts`):
    /// a connection keeps a pointer, not a copy of 168 bytes in a box of its own.
    func sharedFacts(for der: [UInt8], hostName: String?) -> (
        Result<FactsBox<CertificateFacts>, ParseError>, covers: Bool?
    ) {
        let entry = entry(for: der)
        return (entry.shared, coverage(of: entry, hostName: hostName))
    }

    /// Whether the entry's certificate covers `hostName`: matching a name against every subject
    /// alternative name costs more than the lookup, and the same names come back.
    private func coverage(of entry: Entry, hostName: String?) -> Bool? {
        guard let hostName, case .success(let certificate) = entry.result else { return nil }
        if let known = entry.coverage[hostName] { return known }
        let covers = certificate.covers(hostName: hostName)
        if entry.coverage.count >= Self.maximumRememberedNames { entry.coverage.removeAll(keepingCapacity: true) }
        entry.coverage[hostName] = covers
        return covers
    }

    private func entry(for der: [UInt8]) -> Entry {
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
        let entry = Entry(result)
        entries[key] = entry
        return entry
    }

    private final class Entry {
        let result: Result<CertificateFacts, ParseError>
        let shared: Result<FactsBox<CertificateFacts>, ParseError>
        var coverage: [String: Bool] = [:]

        init(_ result: Result<CertificateFacts, ParseError>) {
            self.result = result
            self.shared = result.map(FactsBox.init)
        }
    }
}

/// DER bytes as a dictionary key: a keyed 64-bit digest of the memory (`SeededHash`) goes to the
/// table's hasher; equal digests still compare every byte.
private struct DER: Hashable {
    var bytes: [UInt8]

    func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.withUnsafeBytes(SeededHash.hash))
    }

    /// Word by word: the generic array comparison went byte by byte, and every lookup that finds
    /// its certificate compares a kilobyte or two.
    static func == (lhs: DER, rhs: DER) -> Bool {
        lhs.bytes.withUnsafeBytes { left in rhs.bytes.withUnsafeBytes { right in left.hasSameBytes(as: right) } }
    }
}
