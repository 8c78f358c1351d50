import Testing

@testable import TLSTopCore

@Suite struct ByteReaderTests {
    @Test func readsBigEndianIntegers() throws {
        let bytes: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A]
        try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
            var reader = ByteReader(raw)
            #expect(try reader.readUInt8() == 0x01)
            #expect(try reader.readUInt16() == 0x0203)
            #expect(try reader.readUInt24() == 0x04_0506)
            #expect(try reader.readUInt32() == 0x0708_090A)
            #expect(reader.isAtEnd)
        }
    }

    @Test func everyReadPastTheEndThrowsTruncated() {
        let bytes: [UInt8] = [0x01]
        bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            #expect(throws: ParseError(.truncated, "")) { try reader.readUInt16() }
            #expect(throws: ParseError(.truncated, "")) { try reader.readUInt24() }
            #expect(throws: ParseError(.truncated, "")) { try reader.readUInt32() }
            #expect(throws: ParseError(.truncated, "")) { try reader.skip(2) }
            #expect(throws: ParseError(.truncated, "")) { try reader.slice(2) }
            #expect(throws: ParseError(.malformed, "")) { try reader.skip(-1) }
            // A failed read consumes nothing.
            #expect(reader.remaining == 1)
        }
    }

    @Test func prefixedSliceCannotReadPastItsDeclaredLength() throws {
        // length 2, then 2 bytes of content, then bytes that belong to the next field
        let bytes: [UInt8] = [0x00, 0x02, 0xAA, 0xBB, 0xCC, 0xDD]
        try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
            var reader = ByteReader(raw)
            var inner = try reader.prefixed16()
            #expect(try inner.readUInt16() == 0xAABB)
            #expect(throws: ParseError(.truncated, "")) { try inner.readUInt8() }
            #expect(try reader.readUInt16() == 0xCCDD)
        }
    }

    @Test func declaredLengthLongerThanInputIsTruncated() {
        let bytes: [UInt8] = [0x00, 0x00, 0x09, 0x01]
        bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            #expect(throws: ParseError(.truncated, "")) { try reader.prefixed24() }
        }
    }

    @Test func expectEndRejectsTrailingBytes() {
        let bytes: [UInt8] = [0x00]
        bytes.withUnsafeBytes { raw in
            let reader = ByteReader(raw)
            #expect(throws: ParseError(.malformed, "")) { try reader.expectEnd("test") }
        }
    }
}

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"), ("::1", "::1"), ("2001:db8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"), ("fe80::", "fe80::"),
        ("1:0:0:1:0:0:0:1", "1:0:0:1::1"), ("::", "::"),
    ])
    func parsesAndPrintsCanonicalText(input: String, canonical: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.description == canonical)
    }

    @Test(arguments: ["1.2.3", "256.1.1.1", "1:2:3:4:5:6:7:8:9", "1::2::3", "g::1", "", "1.2.3.4.5"])
    func rejectsInvalidText(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test func ipv4IsMappedIntoIPv6Space() throws {
        let address = try #require(IPAddress("10.1.2.3"))
        #expect(address.isIPv4)
        #expect(address.ipv4Value == 0x0A01_0203)
        #expect(try #require(IPAddress("::1")).isIPv4 == false)
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000Z"),
        (Int64(1_700_000_000_123_456_789), "2023-11-14T22:13:20.123456Z"),
        (Int64(951_782_400_000_000_000), "2000-02-29T00:00:00.000000Z"),
        (Int64(-1_000_000_000), "1969-12-31T23:59:59.000000Z"),
        (Int64(-1), "1969-12-31T23:59:59.999999Z"),
        (Int64.max, "2262-04-11T23:47:16.854775Z"),
        (Int64.min, "1677-09-21T00:12:43.145224Z"),
    ])
    func formatsRFC3339(nanoseconds: Int64, text: String) {
        #expect(Timestamp(nanoseconds: nanoseconds).rfc3339 == text)
        var bytes = Array("x".utf8)
        Timestamp(nanoseconds: nanoseconds).appendRFC3339(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x" + text)
    }
}

@Suite struct TextSearchTests {
    @Test(arguments: [
        ("sha1WithRSAEncryption", "sha1", true), ("SHA1-RSA", "sha1", true), ("ecdsa-with-SHA256", "sha1", false),
        ("md5WithRSAEncryption", "md5", true), ("", "md5", false), ("sha", "sha1", false), ("xSHA", "sha", true),
        ("ShA1", "sha1", true), ("sh1a", "sha1", false), ("ssha1", "sha1", true),
    ])
    func findsASCIIIgnoringCase(text: String, needle: String, expected: Bool) {
        let found: Bool
        switch needle {
        case "sha1": found = text.containsIgnoringASCIICase("sha1")
        case "md5": found = text.containsIgnoringASCIICase("md5")
        default: found = text.containsIgnoringASCIICase("sha")
        }
        #expect(found == expected, "\(text) ∋ \(needle)")
        #expect(found == text.lowercased().containsBytes(needle))
    }
}
