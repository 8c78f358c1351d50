import TestSupport
import Testing

@testable import TLSTopCore

/// The common-frame decoder (Ethernet, IPv4 without options, TCP) gives what the general decoder
/// gives, on every frame it accepts; anything else it leaves to the general decoder.
@Suite struct CommonFrameTests {
    /// Nil when the fast path declines; else whether it agrees with the general decoder.
    static func agreement(_ bytes: [UInt8]) -> Bool? {
        bytes.withUnsafeBytes { frame -> Bool? in
            guard let fast = PacketDecoder.decodeCommonTCP(frame) else { return nil }
            guard case .success(let general)? = try? PacketDecoder.decode(frame, linkType: .ethernet) else {
                return false
            }
            return fast.source == general.source && fast.destination == general.destination
                && fast.sourcePort == general.sourcePort && fast.destinationPort == general.destinationPort
                && fast.transport == general.transport && fast.sequenceNumber == general.sequenceNumber
                && fast.acknowledgmentNumber == general.acknowledgmentNumber
                && fast.tcpFlags.rawValue == general.tcpFlags.rawValue
                && fast.payload.baseAddress == general.payload.baseAddress
                && fast.payload.count == general.payload.count
                && fast.declaredPayloadLength == general.declaredPayloadLength
                && fast.ipLength == general.ipLength
        }
    }

    static var ethernetFrames: [[UInt8]] {
        Fixtures.allPcapNames.flatMap { name -> [[UInt8]] in
            guard let fixture = try? PcapFixture(contentsOf: Fixtures.pcap(name)), fixture.linkType == .ethernet
            else { return [] }
            return fixture.frames.map(\.bytes)
        }
    }

    @Test func everyFixtureFrameDecodesAlikeBothWays() {
        var accepted = 0
        var frames = 0
        for bytes in Self.ethernetFrames {
            frames += 1
            switch Self.agreement(bytes) {
            case true?: accepted += 1
            case false?: Issue.record("the fast path disagrees on a \(bytes.count)-byte frame")
            case nil: break
            }
        }
        // Most real frames take the fast path (else it speeds nothing up).
        #expect(frames > 1000)
        #expect(accepted * 2 > frames, "\(accepted) of \(frames) frames took the fast path")
    }

    @Test func mutatedAndCutFramesNeverDisagree() throws {
        // Real TCP frames: a SYN, a hello, a bulk segment.
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap("tls12-ecdhe-rsa.pcap"))
        var checked = 0
        for frame in fixture.frames.prefix(6) {
            for cut in 0...frame.bytes.count {
                if Self.agreement(Array(frame.bytes.prefix(cut))) == false {
                    Issue.record("cut at \(cut) of \(frame.bytes.count) bytes")
                }
            }
            // Every header byte set to values that matter (lengths, versions, flags, zero, all ones).
            for position in 0..<min(frame.bytes.count, 60) {
                for value: UInt8 in [0x00, 0x01, 0x05, 0x06, 0x11, 0x20, 0x3F, 0x40, 0x45, 0x46, 0x50, 0xF0, 0xFF] {
                    var mutated = frame.bytes
                    mutated[position] = value
                    switch Self.agreement(mutated) {
                    case false?: Issue.record("byte \(position) = \(value) of a \(frame.bytes.count)-byte frame")
                    case true?: checked += 1
                    case nil: break
                    }
                }
            }
        }
        #expect(checked > 1000)
    }
}
