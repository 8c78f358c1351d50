/// Puts CRYPTO frame data back in order by offset (RFC 9000 §19.6), as far as the handshake needs,
/// within a cap: Initial packets arrive out of order, duplicated, and split across datagrams.
struct CryptoStream {
    static let maximumBytes = 64 * 1024
    private(set) var contiguous: [UInt8] = []
    private var pending: [(offset: UInt64, data: [UInt8])] = []
    private(set) var overflowed = false

    /// Adds a frame; returns the bytes that became contiguous (possibly empty).
    mutating func add(offset: UInt64, data: [UInt8]) -> ArraySlice<UInt8> {
        let before = contiguous.count
        guard offset + UInt64(data.count) <= UInt64(Self.maximumBytes) else {
            overflowed = true
            return []
        }
        pending.append((offset, data))
        var progressed = true
        while progressed {
            progressed = false
            for (index, frame) in pending.enumerated() where frame.offset <= UInt64(contiguous.count) {
                let skip = Int(UInt64(contiguous.count) - frame.offset)
                if skip < frame.data.count { contiguous += frame.data[skip...] }
                pending.remove(at: index)
                progressed = true
                break
            }
        }
        if pending.count > 64 { pending.removeFirst(pending.count - 64) }
        return contiguous[before...]
    }
}
