/// A fast keyed hash for tables whose keys come from the network (flows, certificates).
///
/// Swift's `Hasher` (SipHash-1-3) costs about four instructions a byte; a kilobyte-long
/// certificate looked up on every handshake made it a twentieth of reading a capture. This folds
/// 16 bytes at a time through a 64×64 → 128-bit multiply (the construction of wyhash) with a
/// random key per process, so collisions cannot be chosen without the key. Not cryptographic:
/// the tables that use it still compare whole keys.
enum SeededHash {
    /// Random per process.
    static let key: (UInt64, UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next() | 1, generator.next() | 1, generator.next() | 1)
    }()

    /// The folded 128-bit product of two words.
    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        var state = key.0 ^ mix(UInt64(truncatingIfNeeded: count) ^ key.1, key.2)
        var offset = 0
        while count - offset >= 16 {
            let first = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let second = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            state = mix(first ^ key.1, second ^ state)
            offset += 16
        }
        // The last 0–15 bytes, zero-padded into two words (the length is already in the state).
        var tail: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &tail) { words in
            words.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        }
        state = mix(tail.0 ^ key.1, tail.1 ^ state)
        return mix(state ^ key.2, key.0)
    }
}

extension UnsafeRawBufferPointer {
    /// Whether both hold the same bytes, compared eight at a time.
    func hasSameBytes(as other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        var offset = 0
        while count - offset >= 8 {
            guard
                loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    == other.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            else { return false }
            offset += 8
        }
        while offset < count {
            guard self[offset] == other[offset] else { return false }
            offset += 1
        }
        return true
    }
}
