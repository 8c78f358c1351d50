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

    @Test func bytesCompareWhateverTheirLength() {
        let bytes = (0..<40).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        for length in 0...bytes.count {
            let same = Array(bytes.prefix(length))
            same.withUnsafeBytes { left in
                Array(bytes.prefix(length)).withUnsafeBytes { #expect(left.hasSameBytes(as: $0)) }
                Array(bytes.prefix(max(0, length - 1))).withUnsafeBytes {
                    #expect(length == 0 || !left.hasSameBytes(as: $0))
                }
            }
            for index in 0..<length {
                var changed = same
                changed[index] ^= 0x80
                same.withUnsafeBytes { left in changed.withUnsafeBytes { #expect(!left.hasSameBytes(as: $0)) } }
            }
        }
    }
}
