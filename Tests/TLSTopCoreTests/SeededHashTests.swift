import Testing

@testable import TLSTopCore

@Suite struct SeededHashTests {
    /// Every length (whole 16-byte rounds and each tail size) and every single-byte change gives
    /// another digest; the same bytes, wherever they lie, give the same one.
    @Test func digestsFollowEveryByteAndTheLength() {
        let bytes = (0..<80).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        var seen: Set<UInt64> = []
        bytes.withUnsafeBytes { all in
            for length in 0...all.count {
                let prefix = UnsafeRawBufferPointer(rebasing: all[..<length])
                #expect(seen.insert(SeededHash.hash(prefix)).inserted, "prefix of \(length) bytes")
                #expect(SeededHash.hash(prefix) == Array(prefix).withUnsafeBytes(SeededHash.hash))
            }
        }
        let trailingZero = bytes.prefix(33) + [0]
        #expect(
            Array(trailingZero).withUnsafeBytes(SeededHash.hash)
                != Array(bytes.prefix(33)).withUnsafeBytes(SeededHash.hash))
        for index in bytes.indices {
            var changed = bytes
            changed[index] ^= 0x01
            #expect(seen.insert(changed.withUnsafeBytes(SeededHash.hash)).inserted, "byte \(index) flipped")
        }
    }
}
