import Testing

@testable import TLSTopCore

/// The stream writer's shortcuts (a second's text kept, strings copied whole, digits in place)
/// write what the plain conversions write.
@Suite struct JSONStreamWriterTests {
    @Test func timesReadAsTheirRFC3339TextWhateverCameBefore() {
        let second: Int64 = 1_000_000_000
        let base: Int64 = 1_733_400_000 * second
        let times: [Int64] = [
            base, base + 1, base + 999_999_999, base + second, base + second + 123_456_789, base, base - 1,
            -1, 0, -second, -second - 1, Int64.min, Int64.max, 4_102_444_800 * second,
            base + 59 * second + 999_999_000,
        ]
        // Every time after every other: the kept second must never leak into a different one.
        for first in times {
            for next in times {
                let text = JSONStreamWriter.text { out in
                    out.beginArray()
                    out.timestamp(Timestamp(nanoseconds: first))
                    out.timestamp(Timestamp(nanoseconds: next))
                    try? out.endArray()
                }
                let expected =
                    "[\"\(Timestamp(nanoseconds: first).rfc3339)\",\"\(Timestamp(nanoseconds: next).rfc3339)\"]"
                #expect(text == expected, "\(first) then \(next)")
            }
        }
    }

    @Test(arguments: [0, 1, 9, 10, 99, 100, 65_535, 1_000_000, Int.max, -1, -10, Int.min])
    func integersReadAsTheirDecimalText(value: Int) {
        #expect(JSONStreamWriter.text { $0.int(value) } == String(value))
    }

    @Test func stringsNeedingNoEscapeAreCopiedAndOthersEscaped() {
        let cases: [(String, String)] = [
            ("", "\"\""), ("a", "\"a\""), ("0123456789abcdef0123", "\"0123456789abcdef0123\""),
            ("quote\"d", "\"quote\\\"d\""), ("back\\slash", "\"back\\\\slash\""),
            ("tab\there", "\"tab\\there\""), ("caf\u{E9}", "\"caf\u{E9}\""), ("\u{9B}", "\"\\u009b\""),
            (String(repeating: "x", count: 300), "\"" + String(repeating: "x", count: 300) + "\""),
        ]
        for (value, expected) in cases {
            #expect(JSONStreamWriter.text { $0.string(value) } == expected, "\(value.debugDescription)")
        }
    }

    @Test(arguments: ["0.0.0.0", "255.255.255.255", "10.0.0.1", "192.168.100.9", "1.22.133.4", "2001:db8::1", "::"])
    func addressesReadAsTheirText(text: String) throws {
        let address = try #require(IPAddress(text))
        let written = try JSONStreamWriter.text { out in
            out.beginObject()
            out.member("ip", address)
            try out.endObject()
        }
        #expect(written == "{\"ip\":\"\(address.description)\"}")
        #expect(address.description == text)
    }

    @Test func booleansReadAsTrueAndFalse() {
        #expect(JSONStreamWriter.text { $0.bool(true) } == "true")
        #expect(JSONStreamWriter.text { $0.bool(false) } == "false")
        #expect(JSONStreamWriter.text { $0.bool(nil) } == "null")
    }

    @Test func aDayIsTheDatePartOfItsTime() {
        let second: Int64 = 1_000_000_000
        for seconds: Int64 in [0, -1, 1_733_400_000, 4_102_444_799, -5_000_000_000] {
            let time = Timestamp(nanoseconds: seconds * second)
            #expect(time.rfc3339Day == String(time.rfc3339.split(separator: "T")[0]), "\(seconds)")
        }
        #expect(Timestamp(nanoseconds: 1_733_400_000 * second).rfc3339Day == "2024-12-05")
    }

    @Test func membersAreSeparatedByCommasInsideObjects() throws {
        let text = try JSONStreamWriter.text { out in
            out.beginObject()
            out.member("a", 1)
            out.member("b", "x")
            out.member("skipped", nil as String?)
            out.key("c")
            out.beginArray()
            out.int(1)
            out.int(2)
            try out.endArray()
            out.field("d", nil as Int?)
            try out.endObject()
        }
        #expect(text == #"{"a":1,"b":"x","c":[1,2],"d":null}"#)
    }
}
