/// The lists of one ClientHello, packed into one buffer of 16-bit values (see `CodePointList`).
///
/// Each list is a span of the buffer. The parser fills one list at a time, always at the end of
/// the buffer; a list that grows again later (a repeated extension) or is replaced (tests, tools)
/// is first moved to the end, so spans never overlap and the buffer holds no garbage.
struct HelloLists: Sendable, Hashable {
    enum List: Int, CaseIterable {
        case versions, cipherSuites, groups, keyShareGroups, signatureAlgorithms, extensionTypes, ecPointFormats
        case pskKeyExchangeModes, sessionID, firstALPNEdges
        /// Byte strings (see `setBytes`): the server name, and the ALPN names as sent, each after
        /// its length byte.
        case serverName, alpn
    }

    private(set) var storage: [UInt16] = []
    /// Start and count of each list (at most a few thousand values in all: every list is capped).
    private var starts = Spans()
    private var counts = Spans()

    /// Ten 16-bit slots, one per list: a fixed struct, so a hello needs no second allocation.
    private struct Spans: Sendable, Hashable {
        var v0: UInt16 = 0, v1: UInt16 = 0, v2: UInt16 = 0, v3: UInt16 = 0, v4: UInt16 = 0
        var v5: UInt16 = 0, v6: UInt16 = 0, v7: UInt16 = 0, v8: UInt16 = 0, v9: UInt16 = 0
        var v10: UInt16 = 0, v11: UInt16 = 0

        subscript(list: List) -> Int {
            get {
                switch list.rawValue {
                case 0: Int(v0)
                case 1: Int(v1)
                case 2: Int(v2)
                case 3: Int(v3)
                case 4: Int(v4)
                case 5: Int(v5)
                case 6: Int(v6)
                case 7: Int(v7)
                case 8: Int(v8)
                case 9: Int(v9)
                case 10: Int(v10)
                default: Int(v11)
                }
            }
            set {
                let value = UInt16(clamping: newValue)
                switch list.rawValue {
                case 0: v0 = value
                case 1: v1 = value
                case 2: v2 = value
                case 3: v3 = value
                case 4: v4 = value
                case 5: v5 = value
                case 6: v6 = value
                case 7: v7 = value
                case 8: v8 = value
                case 9: v9 = value
                case 10: v10 = value
                default: v11 = value
                }
            }
        }
    }

    func count(of list: List) -> Int { counts[list] }

    /// Equal when every list holds the same values, wherever its span lies.
    static func == (lhs: Self, rhs: Self) -> Bool {
        List.allCases.allSatisfy { lhs.values(of: $0) == rhs.values(of: $0) }
    }

    func hash(into hasher: inout Hasher) {
        for list in List.allCases {
            let values = values(of: list)
            hasher.combine(values.count)
            for value in values { hasher.combine(value) }
        }
    }

    /// A keyed digest of one list's values (`SeededHash`): what an export's table of distinct
    /// offers hashes, instead of feeding SipHash every value.
    func seededDigest(of list: List) -> UInt64 {
        let start = starts[list]
        let end = start + counts[list]
        return storage.withUnsafeBytes { bytes in
            SeededHash.hash(UnsafeRawBufferPointer(rebasing: bytes[(start * 2)..<(end * 2)]))
        }
    }

    /// Whether `list` holds the same values here and in `other`, compared as bytes in place.
    func hasSameValues(_ list: List, as other: HelloLists) -> Bool {
        let count = counts[list]
        guard count == other.counts[list] else { return false }
        let start = starts[list]
        let otherStart = other.starts[list]
        return storage.withUnsafeBytes { mine in
            other.storage.withUnsafeBytes { theirs in
                UnsafeRawBufferPointer(rebasing: mine[(start * 2)..<((start + count) * 2)]).hasSameBytes(
                    as: UnsafeRawBufferPointer(rebasing: theirs[(otherStart * 2)..<((otherStart + count) * 2)]))
            }
        }
    }

    private func values(of list: List) -> ArraySlice<UInt16> {
        let start = starts[list]
        return storage[start..<(start + counts[list])]
    }

    func list<Element>(_ list: List, as: Element.Type = Element.self) -> CodePointList<Element> {
        let start = starts[list]
        return CodePointList(storage: storage, bounds: start..<(start + counts[list]))
    }

    /// A list as a collection of its element type; setting it replaces the whole list.
    subscript<Element>(list: List) -> CodePointList<Element> {
        get { self.list(list) }
        set { set(list, to: newValue.packedValues) }
    }

    /// Makes `list` the last span of the buffer, so that values can be appended to it.
    mutating func open(_ list: List) {
        let start = starts[list]
        let count = counts[list]
        guard count > 0 else {
            starts[list] = storage.count
            return
        }
        guard start + count != storage.count else { return }
        let moved = Array(storage[start..<(start + count)])
        remove(list)
        starts[list] = storage.count
        storage.append(contentsOf: moved)
        counts[list] = count
    }

    /// Appends to `list`, which `open` made the last span.
    mutating func append(_ value: UInt16, to list: List) {
        storage.append(value)
        counts[list] += 1
    }

    /// Makes room for `count` more values in one allocation.
    mutating func reserve(_ count: Int) { storage.reserveCapacity(storage.count + count) }

    /// Gives back capacity the lists did not use (more than a few values' worth).
    mutating func shrinkToFit() {
        guard storage.capacity > storage.count + 8 else { return }
        storage = storage.withUnsafeBufferPointer { Array($0) }
    }

    /// Replaces the whole list.
    mutating func set(_ list: List, to values: some Sequence<UInt16>) {
        remove(list)
        starts[list] = storage.count
        storage.append(contentsOf: values)
        counts[list] = storage.count - starts[list]
    }

    /// Stores a byte string as a list: its length, then two bytes a value. An empty string is
    /// one value (present, empty); a list never set reads as nil.
    mutating func setBytes(_ list: List, to bytes: some Collection<UInt8>) {
        remove(list)
        starts[list] = storage.count
        storage.append(UInt16(clamping: bytes.count))
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            storage.append(UInt16(first) << 8 | UInt16(iterator.next() ?? 0))
        }
        counts[list] = storage.count - starts[list]
    }

    /// The byte string `setBytes` stored, nil when the list was never set.
    func bytes(of list: List) -> [UInt8]? {
        let values = values(of: list)
        guard let length = values.first else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(length))
        for value in values.dropFirst() {
            bytes.append(UInt8(truncatingIfNeeded: value >> 8))
            if bytes.count < Int(length) { bytes.append(UInt8(truncatingIfNeeded: value)) }
        }
        return bytes
    }

    /// The byte string `setBytes` stored, as text (invalid UTF-8 repaired), made straight from
    /// the buffer; nil when the list was never set.
    func string(of list: List) -> String? {
        let values = values(of: list)
        guard let length = values.first.map(Int.init) else { return nil }
        return String(unsafeUninitializedCapacity: length) { text in
            var count = 0
            for value in values.dropFirst() where count < length {
                text[count] = UInt8(truncatingIfNeeded: value >> 8)
                count += 1
                guard count < length else { break }
                text[count] = UInt8(truncatingIfNeeded: value)
                count += 1
            }
            return count
        }
    }

    /// Whether the byte string `setBytes` stored in `list` is `bytes` (false when never set).
    func hasBytes(_ bytes: [UInt8], in list: List) -> Bool {
        let values = values(of: list)
        guard let length = values.first, Int(length) == bytes.count else { return false }
        var index = 0
        for value in values.dropFirst() {
            guard UInt8(truncatingIfNeeded: value >> 8) == bytes[index] else { return false }
            index += 1
            guard index < bytes.count else { break }
            guard UInt8(truncatingIfNeeded: value) == bytes[index] else { return false }
            index += 1
        }
        return true
    }

    /// The values a byte string of `count` bytes takes.
    static func room(forBytes count: Int) -> Int { 1 + (count + 1) / 2 }

    /// Takes a list's values out of the buffer, closing the gap.
    private mutating func remove(_ list: List) {
        let start = starts[list]
        let count = counts[list]
        guard count > 0 else { return }
        storage.removeSubrange(start..<(start + count))
        for other in List.allCases where starts[other] > start { starts[other] -= count }
        counts[list] = 0
        starts[list] = storage.count
    }
}
