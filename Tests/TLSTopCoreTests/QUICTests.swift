import Crypto
import TestSupport
import Testing

@testable import TLSTopCore

/// QUIC Initial protection against the published test vectors (RFC 9001 Appendix A, RFC 9369
/// Appendix A): both use the client Destination Connection ID 0x8394c8f03e515708.
@Suite struct QUICTests {
    static let connectionID: [UInt8] = [0x83, 0x94, 0xC8, 0xF0, 0x3E, 0x51, 0x57, 0x08]

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }

    static func bytes(_ key: SymmetricKey) -> [UInt8] { key.withUnsafeBytes { Array($0) } }

    @Test func version1InitialKeys() throws {
        let client = try QUICInitialKeys(connectionID: Self.connectionID, version: .version1, isServer: false)
        #expect(Self.bytes(client.key) == Self.hex("1f369613dd76d5467730efcbe3b1a22d"))
        #expect(client.iv == Self.hex("fa044b2f42a3fd3b46fb255c"))
        #expect(Self.bytes(client.headerProtection) == Self.hex("9f50449e04a0e810283a1e9933adedd2"))
        let server = try QUICInitialKeys(connectionID: Self.connectionID, version: .version1, isServer: true)
        #expect(Self.bytes(server.key) == Self.hex("cf3a5331653c364c88f0f379b6067e37"))
        #expect(server.iv == Self.hex("0ac1493ca1905853b0bba03e"))
        #expect(Self.bytes(server.headerProtection) == Self.hex("c206b8d9b9f0f37644430b490eeaa314"))
    }

    @Test func version1HeaderProtectionMask() throws {
        let client = try QUICInitialKeys(connectionID: Self.connectionID, version: .version1, isServer: false)
        #expect(try client.mask(sample: Self.hex("d1b1c98dd7689fb8ec11d242b123dc9b")) == Self.hex("437b9aec36"))
    }

    @Test func version2InitialKeys() throws {
        let client = try QUICInitialKeys(connectionID: Self.connectionID, version: .version2, isServer: false)
        #expect(Self.bytes(client.key) == Self.hex("8b1a0bc121284290a29e0971b5cd045d"))
        #expect(client.iv == Self.hex("91f73e2351d8fa91660e909f"))
        #expect(Self.bytes(client.headerProtection) == Self.hex("45b95e15235d6f45a6b19cbcb0294ba9"))
        let server = try QUICInitialKeys(connectionID: Self.connectionID, version: .version2, isServer: true)
        #expect(Self.bytes(server.key) == Self.hex("82db637861d55e1d011f19ea71d5d2a7"))
        #expect(server.iv == Self.hex("dd13c276499c0249d3310652"))
        #expect(Self.bytes(server.headerProtection) == Self.hex("edf6d05c83121201b436e16877593c3a"))
    }

    @Test func aPacketThatFailsAuthenticationIsIgnored() throws {
        let keys = try QUICInitialKeys(connectionID: Self.connectionID, version: .version1, isServer: false)
        #expect(throws: ParseError(.malformed, "")) {
            try keys.open(Array(repeating: 0x42, count: 64)[...], header: [0xC3], packetNumber: 2)
        }
    }

    @Test func cryptoFramesAreReassembledByOffset() {
        var stream = CryptoStream()
        #expect(stream.add(offset: 4, data: [5, 6]).isEmpty)
        #expect(Array(stream.add(offset: 0, data: [1, 2, 3, 4])) == [1, 2, 3, 4, 5, 6])
        #expect(stream.add(offset: 2, data: [3, 4]).isEmpty)
        #expect(stream.add(offset: 1 << 20, data: [1]).isEmpty)
        #expect(stream.overflowed)
    }

    @Test(arguments: [
        (UInt32(1), "QUICv1"), (0x6B33_43CF, "QUICv2"), (0xFF00_001D, "draft-29"), (0x5130_3530, "Q050"),
        (0x5430_3531, "T051"),
    ])
    func versionsAreNamed(value: UInt32, name: String) {
        #expect(QUICVersion(rawValue: value).name == name)
    }

    @Test func garbageDatagramsNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<1300, using: &generator)
            var datagram = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if !datagram.isEmpty { datagram[0] |= 0xC0 }
            if datagram.count > 5 { datagram[1...4] = [0, 0, 0, 1] }
            let analyzer = HandshakeAnalyzer()
            datagram.withUnsafeBytes { _ = analyzer.observeDatagram($0, from: .client) }
        }
    }
}

@Suite struct QUICCaptureTests {
    @Test func aCorruptedInitialIsCountedAndChangesNothing() throws {
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap("quic-v1.pcap"))
        let clean = fixture.track()
        var corrupted = fixture
        // Flip a byte of the first Initial's encrypted payload (frame offset 150; the packet ends at 566,
        // the rest of the 1200-byte datagram is padding outside it): the AEAD tag no longer verifies.
        corrupted.frames.insert(fixture.frames[0], at: 0)
        corrupted.frames[0].bytes[150] ^= 0xFF
        let tracker = corrupted.track()
        let good = try #require(clean.connections.first)
        let tampered = try #require(tracker.connections.first)
        #expect(tampered.facts.quicAuthenticationFailures == 1)
        #expect(good.facts.quicAuthenticationFailures == 0)
        #expect(tampered.facts.clientHello == good.facts.clientHello)
        #expect(tampered.facts.serverHello == good.facts.serverHello)
        #expect(tampered.facts.negotiatedVersion == .tls13)
    }
}
