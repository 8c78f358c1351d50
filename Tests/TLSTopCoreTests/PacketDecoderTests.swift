import TestSupport
import Testing

@testable import TLSTopCore

@Suite struct PacketDecoderTests {
    static func decode(_ frame: [UInt8], _ linkType: LinkType) throws -> Result<DecodedPacket, PacketDecoder.Skip> {
        try frame.withUnsafeBytes { raw in try PacketDecoder.decode(raw, linkType: linkType) }
    }

    /// TCP header (20 bytes) from port 40000 to 443 with sequence 7, then `payload`.
    static func tcp(_ payload: [UInt8]) -> [UInt8] {
        [0x9C, 0x40, 0x01, 0xBB, 0, 0, 0, 7, 0, 0, 0, 0, 0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0] + payload
    }

    @Test func ipv4WithOptionsFindsTheTransportHeader() throws {
        let segment = Self.tcp([1, 2, 3])
        let total = 24 + segment.count
        // IHL 6: one 4-byte option (NOP NOP NOP EOL).
        var frame: [UInt8] = [0x46, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 0, 0x40, 0, 64, 6, 0, 0]
        frame += [192, 0, 2, 1, 198, 51, 100, 7, 1, 1, 1, 0] + segment
        guard case .success(let packet) = try Self.decode(frame, .raw) else {
            Issue.record("not decoded")
            return
        }
        #expect(packet.sourcePort == 40000)
        #expect(packet.destinationPort == 443)
        #expect(packet.sequenceNumber == 7)
        #expect(Array(packet.payload) == [1, 2, 3])
        #expect(packet.source.description == "192.0.2.1")
        #expect(packet.destination.description == "198.51.100.7")
    }

    static func ipv6(next: UInt8, _ body: [UInt8]) -> [UInt8] {
        var header: [UInt8] = [0x60, 0, 0, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF), next, 64]
        header += [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]
        header += [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [2]
        return header + body
    }

    @Test func ipv6ExtensionHeadersAreWalked() throws {
        let segment = Self.tcp([9, 9])
        // hop-by-hop (8 bytes) → routing (8 bytes) → atomic fragment (8 bytes) → destination options (16) → TCP
        let destination: [UInt8] = [6, 1] + [UInt8](repeating: 0, count: 14)
        let fragment: [UInt8] = [60, 0, 0, 0, 0, 0, 0, 1]
        let routing: [UInt8] = [44, 0, 0, 0, 0, 0, 0, 0]
        let hopByHop: [UInt8] = [43, 0, 1, 4, 0, 0, 0, 0]
        let frame = Self.ipv6(next: 0, hopByHop + routing + fragment + destination + segment)
        guard case .success(let packet) = try Self.decode(frame, .raw) else {
            Issue.record("not decoded")
            return
        }
        #expect(packet.destinationPort == 443)
        #expect(Array(packet.payload) == [9, 9])
        #expect(packet.source.description == "2001:db8::1")
        #expect(packet.declaredPayloadLength == 2)
    }

    @Test func ipv6FragmentsAreSkipped() throws {
        let fragment: [UInt8] = [6, 0, 0x00, 0x01, 0, 0, 0, 1]  // offset 0, more fragments
        let frame = Self.ipv6(next: 44, fragment + Self.tcp([1]))
        guard case .failure(.fragment) = try Self.decode(frame, .raw) else {
            Issue.record("fragment not skipped")
            return
        }
    }

    @Test func ipv4FragmentsAndOtherProtocolsAreSkipped() throws {
        var fragment: [UInt8] = [0x45, 0, 0, 40, 0, 0, 0x20, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8] + Self.tcp([])
        guard case .failure(.fragment) = try Self.decode(fragment, .raw) else {
            Issue.record("fragment not skipped")
            return
        }
        fragment[6] = 0
        fragment[9] = 1  // ICMP
        guard case .failure(.notTCPOrUDP) = try Self.decode(fragment, .raw) else {
            Issue.record("ICMP not skipped")
            return
        }
    }

    @Test(arguments: [[0xFF, 0x03, 0x00, 0x21], [0x00, 0x21], [0x21]] as [[UInt8]])
    func pppFramesWithAndWithoutCompressionDecode(header: [UInt8]) throws {
        let ip: [UInt8] = [0x45, 0, 0, 43, 0, 0, 0x40, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8] + Self.tcp([1, 2, 3])
        guard case .success(let packet) = try Self.decode(header + ip, .ppp) else {
            Issue.record("PPP frame not decoded")
            return
        }
        #expect(Array(packet.payload) == [1, 2, 3])
        guard case .failure(.notIP) = try Self.decode([0xC0, 0x21, 1, 1, 0, 4], .ppp) else {
            Issue.record("LCP not skipped")
            return
        }
    }

    @Test func nonIPEtherTypesAreSkipped() throws {
        let arp: [UInt8] = [UInt8](repeating: 0xFF, count: 12) + [0x08, 0x06] + [UInt8](repeating: 0, count: 28)
        guard case .failure(.notIP) = try Self.decode(arp, .ethernet) else {
            Issue.record("ARP not skipped")
            return
        }
    }

    @Test func tooManyVLANTagsAreMalformed() {
        var frame = [UInt8](repeating: 0, count: 12)
        for _ in 0..<6 { frame += [0x81, 0x00, 0x00, 0x64] }
        frame += [0x08, 0x00] + [UInt8](repeating: 0, count: 40)
        #expect(throws: ParseError(.malformed, "")) { try Self.decode(frame, .ethernet) }
    }

    @Test func contradictoryLengthsAreMalformed() {
        // IPv4 total length smaller than its header.
        let frame: [UInt8] = [0x45, 0, 0, 10, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8] + Self.tcp([])
        #expect(throws: ParseError(.malformed, "")) { try Self.decode(frame, .raw) }
        // TCP data offset below 5 words.
        var bad = [0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8] + Self.tcp([])
        bad[32] = 0x40
        #expect(throws: ParseError(.malformed, "")) { try Self.decode(bad, .raw) }
    }

    /// Every prefix of every frame of every link-type fixture either decodes or throws: no trap.
    @Test(arguments: Fixtures.allPcapNames.filter { $0.hasPrefix("tls12-ecdhe-rsa") || $0.contains("sll2") })
    func everyPrefixOfRealFramesIsHandled(name: String) throws {
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap(name))
        var decoded = 0
        for frame in fixture.frames {
            for length in 0...frame.bytes.count {
                let prefix = Array(frame.bytes.prefix(length))
                if case .success = try? Self.decode(prefix, fixture.linkType) { decoded += 1 }
            }
            if case .success(let packet) = try Self.decode(frame.bytes, fixture.linkType) {
                #expect(packet.transport == .tcp)
            } else {
                Issue.record("whole frame of \(name) not decoded")
            }
        }
        #expect(decoded >= fixture.frames.count)
    }
}

@Suite struct IPAddressTextTests {
    /// The bytes an export appends are `description`'s text, for every octet width and IPv6.
    @Test(arguments: ["0.0.0.0", "255.255.255.255", "10.0.0.1", "1.20.100.9", "192.168.10.254", "::1", "2001:db8::8:1"])
    func appendedTextIsTheDescription(text: String) throws {
        let address = try #require(IPAddress(text))
        var bytes: [UInt8] = []
        address.appendText(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == address.description)
        #expect(address.description == text)
    }
}
