import Dispatch

/// The distinct leaf certificates and client offers of a snapshot's connections, in order of
/// first appearance, and where each connection's stand among them: an export writes each once
/// and has connections point to them.
struct DistinctValues {
    /// Values in order of first appearance, and the place of each.
    struct Table<Value: Hashable> {
        private(set) var values: [Value] = []
        private var places: [Value: Int] = [:]

        /// The place of `value`, given now if it is new.
        mutating func place(of value: Value) -> Int {
            if let known = places[value] { return known }
            places[value] = values.count
            values.append(value)
            return values.count - 1
        }
    }

    var certificates = Table<CertificateFacts>()
    var offers = Table<ClientOffer>()
    /// Per connection, the places of its certificate and offer.
    var references: [(certificate: Int?, offer: Int?)] = []

    /// Connections from which the two halves are looked at on two cores: hashing every offer
    /// and certificate took a core for a tenth of a large export.
    static let halvingThreshold = 4096

    /// - Parameter halvingAt: from how many connections the halves are looked at on two cores
    ///   (tests: the halves must give what one pass gives).
    init(of connections: [ConnectionRecord], halvingAt threshold: Int = halvingThreshold) {
        guard connections.count >= max(2, threshold) else {
            self.init(connections, connections.indices)
            return
        }
        let middle = connections.count / 2
        let halves = UnsafeMutablePointer<DistinctValues>.allocate(capacity: 2)
        defer { halves.deallocate() }
        let slots = HalfSlots(halves)
        // Each worker initializes its own slot, nothing else.
        DispatchQueue.concurrentPerform(iterations: 2) { half in
            let range = half == 0 ? 0..<middle : middle..<connections.count
            (slots.base + half).initialize(to: DistinctValues(connections, range))
        }
        var second = (halves + 1).move()
        self = halves.move()
        self.append(&second)
    }

    /// The distinct values of `range` alone.
    private init(_ connections: [ConnectionRecord], _ range: Range<Int>) {
        references.reserveCapacity(range.count)
        // By index: `for connection in connections` copies each record (retaining all it holds).
        for index in range {
            references.append(
                (
                    connections[index].certificate.map { certificates.place(of: $0.facts) },
                    connections[index].clientOffer.map { offers.place(of: $0) }
                ))
        }
    }

    /// Adds the values of the connections that follow these: a value new to these takes the next
    /// place, in the order the later connections first show it, so the result is what one pass
    /// over all of them gives.
    private mutating func append(_ later: inout DistinctValues) {
        let certificatePlaces = later.certificates.values.map { certificates.place(of: $0) }
        let offerPlaces = later.offers.values.map { offers.place(of: $0) }
        references.reserveCapacity(references.count + later.references.count)
        for reference in later.references {
            references.append(
                (reference.certificate.map { certificatePlaces[$0] }, reference.offer.map { offerPlaces[$0] }))
        }
    }
}

/// Slots that concurrent workers fill one each.
private struct HalfSlots: @unchecked Sendable {
    // @unchecked: every worker writes a different slot, and the caller reads after all are done.
    let base: UnsafeMutablePointer<DistinctValues>

    init(_ base: UnsafeMutablePointer<DistinctValues>) { self.base = base }
}
