/// JA3, JA4 and JA3S by the hello fields they are computed from, shared by every connection an
/// aggregator judges.
///
/// Hellos repeat: every connection from the same client build sends the same lists (that is what
/// makes a JA3 worth having), and each fingerprint costs an MD5 or two SHA-256 over text made for
/// it, far more than hashing the lists to look it up. Bounded, and emptied when full, so hellos
/// that never repeat (a hostile client randomizing them) cost one lookup each and no memory.
/// Used from the thread that owns the aggregator only.
public final class FingerprintCache {
    /// What JA3 and JA4 read of a ClientHello: its lists (the hello's own storage, shared, not
    /// copied) of which only `fingerprinted` count, the carrier and the legacy version.
    ///
    /// The dictionary hashes `digest`, a keyed digest of those lists made once per lookup
    /// (`SeededHash`, 16 bytes a multiply), and compares them in place: SipHash over their few
    /// hundred bytes cost about 3,600 instructions a lookup, and a view of each list 1,700 more.
    struct ClientKey: Hashable {
        /// The lists JA3 and JA4 are made from (not the session ID or server name a hello's
        /// storage also holds, which differ between connections of one client).
        static let fingerprinted: [HelloLists.List] = [
            .versions, .cipherSuites, .extensionTypes, .groups, .ecPointFormats, .signatureAlgorithms,
            .firstALPNEdges,
        ]

        let digest: UInt64
        let carrier: TLSFingerprint.Carrier
        let legacyVersion: ProtocolVersion
        let lists: HelloLists

        init(_ hello: ClientHello, carrier: TLSFingerprint.Carrier) {
            self.carrier = carrier
            legacyVersion = hello.legacyVersion
            lists = hello.lists
            let carrierCode: UInt64 =
                switch carrier {
                case .tcp: 1
                case .quic: 2
                case .dtls: 3
                }
            var state = SeededHash.mix(
                carrierCode ^ SeededHash.key.0, UInt64(legacyVersion.rawValue) ^ SeededHash.key.1)
            for list in Self.fingerprinted {
                state = SeededHash.mix(state ^ SeededHash.key.2, lists.seededDigest(of: list))
            }
            digest = state
        }

        func hash(into hasher: inout Hasher) { hasher.combine(digest) }

        static func == (lhs: ClientKey, rhs: ClientKey) -> Bool {
            lhs.digest == rhs.digest && lhs.carrier == rhs.carrier && lhs.legacyVersion == rhs.legacyVersion
                && fingerprinted.allSatisfy { lhs.lists.hasSameValues($0, as: rhs.lists) }
        }
    }

    /// What JA3S reads of a ServerHello.
    struct ServerKey: Hashable {
        var legacyVersion: ProtocolVersion
        var cipherSuite: CipherSuite
        var extensionTypes: [UInt16]
    }

    let capacity: Int
    private var clients: [ClientKey: (ja3: String, ja4: String)] = [:]
    private var servers: [ServerKey: String] = [:]
    public private(set) var hits = 0
    public private(set) var misses = 0

    /// Distinct ClientHellos remembered now.
    var clientCount: Int { clients.count }

    public init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
    }

    func client(_ hello: ClientHello, carrier: TLSFingerprint.Carrier) -> (ja3: String, ja4: String) {
        let key = ClientKey(hello, carrier: carrier)
        if let known = clients[key] {
            hits += 1
            return known
        }
        misses += 1
        let made = (ja3: TLSFingerprint.ja3(hello), ja4: TLSFingerprint.ja4(hello, carrier: carrier))
        if clients.count >= capacity { clients.removeAll(keepingCapacity: true) }
        clients[key] = made
        return made
    }

    func server(_ hello: ServerHello) -> String {
        let key = ServerKey(
            legacyVersion: hello.legacyVersion, cipherSuite: hello.cipherSuite, extensionTypes: hello.extensionTypes)
        if let known = servers[key] {
            hits += 1
            return known
        }
        misses += 1
        let made = TLSFingerprint.ja3s(hello)
        if servers.count >= capacity { servers.removeAll(keepingCapacity: true) }
        servers[key] = made
        return made
    }
}
